//! Exact backpropagation through time of the network's update (see the crate documentation),
//! with the noise a fixed sample, for every combination of leak, adaptation and momentum.
//!
//! Per step `t` (from `h_t, v_t, a_t` to `h_{t+1}, v_{t+1}, a_{t+1}`):
//!
//! ```text
//! z_t = W h_t + U u_t + b − a_t,   f_t = α (φ(z_t) − h_t)
//! first order:  h_{t+1} = h_t + f_t + σ ξ_t
//! momentum:     v_{t+1} = (1 − λ_v) v_t + f_t + σ_v ξ_t,   h_{t+1} = h_t + v_{t+1}
//! adaptation:   a_{t+1} = ρ a_t + κ h_t                    (ρ = 1 − 1/τ_a, κ = b_a/τ_a)
//! ```
//!
//! Writing `ĝh`, `ĝv`, `ĝa` for the gradients with respect to `h_{t+1}, v_{t+1}, a_{t+1}` (the
//! readout term `Dᵀ ∂L/∂y_{t+1}` included in `ĝh`), the reverse step is
//!
//! ```text
//! ĝf  = ĝh (first order)  or  ĝv + ĝh (momentum, and then gv_t = (1 − λ_v)(ĝv + ĝh))
//! δ_t = α φ'(z_t) ⊙ ĝf
//! gh_t = ĝh − α ĝf + Wᵀ δ_t + κ ĝa
//! ga_t = ρ ĝa − δ_t
//! ```
//!
//! and the parameter gradients are sums over all steps: `∂W = Δ H_{0..T−1}ᵀ`, `∂U = Δ Uᵀ_in`,
//! `∂b = Δ 1`, `∂D = G H_{1..T}ᵀ`, `∂c = G 1`, and `∂E = gh_0 y*_0ᵀ`. They are accumulated
//! chunk by chunk (a few steps, about two thousand columns), each chunk's share one product over
//! its columns, so that `G` and `Δ` are only ever held for one chunk.

use nalgebra::{DMatrix, RealField};
use replay_tasks::Batch;

use crate::cell::{Network, relu_slope, tanh_slope};
use crate::config::{Activation, Dynamics, Loss};
use crate::error::{ShapeError, TrainError};
use crate::forward::{Coefficients, Noise, Workspace, chunk_steps, cross_entropy, mse_gradient};
use crate::gemm::{Mat, SKINNY, gemm};
use crate::weights::Weights;
use replay_sampler::simd::wide;

/// Adds the sum of the columns of a column-major `rows × _` slice to `out` (length `rows`),
/// after zeroing `out` when `fresh`.
fn add_column_sums<T: RealField + Copy>(data: &[T], out: &mut [T], fresh: bool) {
    if fresh {
        out.fill(T::zero());
    }
    wide(
        #[inline(always)]
        || {
            for col in data.chunks_exact(out.len()) {
                for (o, &x) in out.iter_mut().zip(col) {
                    *o += x;
                }
            }
        },
    )
}

impl<T: RealField + Copy> Workspace<T> {
    /// Loss and its exact gradient with respect to every weight, for one batch and one fixed
    /// noise sample: a forward pass, the loss, and backpropagation through time. `grads` must
    /// have the network's shapes ([`Weights::zeros`]); it is overwritten.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// use replay_core::{Dynamics, Loss, Network, NetworkConfig, Weights, Workspace};
    /// use replay_tasks::Batch;
    ///
    /// let config = NetworkConfig::new(3, 2, 2).with_leak(0.5);
    /// let net = Network::<f64>::init(config.clone(), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let batch = Batch {
    ///     batch_size: 2, steps: 3,
    ///     inputs: DMatrix::from_fn(2, 6, |i, j| (i + j) as f64 * 0.1),
    ///     targets: DMatrix::from_element(2, 6, 0.5),
    ///     positions: DMatrix::zeros(2, 6),
    ///     start_positions: DMatrix::zeros(2, 2),
    ///     initial_codes: DMatrix::from_element(2, 2, 0.3),
    /// };
    /// let noise = DMatrix::from_fn(3, 6, |i, j| ((i * 7 + j) % 5) as f64 - 2.0);
    /// let dynamics = Dynamics::new(0.1);
    /// let mut ws = Workspace::new();
    /// let mut grads = Weights::zeros(&config);
    /// let loss = ws.gradient(&net, &dynamics, &batch, &noise, Loss::Mse, &mut grads).unwrap();
    ///
    /// // Compare one entry with a central finite difference.
    /// let mut bumped = net.clone().into_weights();
    /// bumped.c[1] += 1e-6;
    /// let up = Network::new(config.clone(), bumped.clone()).unwrap();
    /// bumped.c[1] -= 2e-6;
    /// let down = Network::new(config, bumped).unwrap();
    /// let mut eval = |n: &Network<f64>| {
    ///     ws.forward(n, &dynamics, &batch, &noise).unwrap();
    ///     ws.loss(&batch.targets, Loss::Mse).unwrap()
    /// };
    /// let fd = (eval(&up) - eval(&down)) / 2e-6;
    /// assert!((fd - grads.c[1]).abs() < 1e-8 * (1.0 + fd.abs()));
    /// assert!(loss > 0.0);
    /// ```
    pub fn gradient(
        &mut self,
        net: &Network<T>,
        dynamics: &Dynamics,
        batch: &Batch<T>,
        noise: &DMatrix<T>,
        loss: Loss,
        grads: &mut Weights<T>,
    ) -> Result<T, TrainError> {
        let (n, tb) = (net.hidden(), batch.batch_size * batch.steps);
        ShapeError::check("noise", (n, tb), noise.shape())?;
        let mut noise = Noise::Given(noise.as_slice());
        self.gradient_with(net, dynamics, batch, &mut noise, loss, grads)
    }

    /// [`gradient`](Self::gradient) with the noise of each step taken from `noise`.
    pub(crate) fn gradient_with(
        &mut self,
        net: &Network<T>,
        dynamics: &Dynamics,
        batch: &Batch<T>,
        noise: &mut Noise<'_, T>,
        loss: Loss,
        grads: &mut Weights<T>,
    ) -> Result<T, TrainError> {
        grads.check_shapes(net.config())?;
        self.run(net, dynamics, batch, noise)?;
        let value = self.loss(&batch.targets, loss)?;
        self.backward(net, dynamics, batch, loss, grads)?;
        Ok(value)
    }

    /// Backpropagates the loss of the last forward pass against `batch.targets`.
    ///
    /// The sequence is processed in chunks of a few steps, last chunk first: the chunk's loss
    /// gradient `G`, its readout terms `∂D += G Hᵀ`, `∂c += G 1` and `Dᵀ G`, the reverse steps,
    /// then `∂W += Δ Hᵀ`, `∂U += Δ Uᵀ_in`, `∂b += Δ 1`. So the loss gradient and the `δ_t` are
    /// held for one chunk only, never for the whole sequence.
    pub(crate) fn backward(
        &mut self,
        net: &Network<T>,
        dynamics: &Dynamics,
        batch: &Batch<T>,
        loss: Loss,
        grads: &mut Weights<T>,
    ) -> Result<(), TrainError> {
        if !self.has_loss {
            return Err(ShapeError {
                what: "loss gradient (no loss since the last forward pass)",
                expected: self.y.shape(),
                found: (0, 0),
            }
            .into());
        }
        ShapeError::check("targets", self.y.shape(), batch.targets.shape())?;
        let k = Coefficients::<T>::new(dynamics)?;
        let (n, n_in, n_out, bsz, steps) = self.dims;
        let tb = bsz * steps;
        let cols = n * bsz;
        let w = net.weights();
        let alpha = net.leak();
        let (one, zero) = (T::one(), T::zero());
        let d = Mat::new(w.d.as_slice(), n_out, n);
        let wt = Mat::new(w.w.as_slice(), n, n).t();
        let h_all = self.h.as_slice();
        let p_all = self.z.as_slice();
        let (y_all, target_all) = (self.y.as_slice(), batch.targets.as_slice());
        let inputs = batch.inputs.as_slice();
        let g_buf = self.g.as_mut_slice();
        let delta_buf = self.delta.as_mut_slice();
        let dt = self.dt.as_mut_slice();
        self.gh.fill(zero);
        self.gv.fill(zero);
        self.ga.fill(zero);
        let mut carries = Carries {
            gh: self.gh.as_mut_slice(),
            gv: self.gv.as_mut_slice(),
            ga: self.ga.as_mut_slice(),
        };

        let chunk = chunk_steps(bsz, steps);
        let mut end = steps;
        let mut fresh = true;
        while end > 0 {
            let start = end.saturating_sub(chunk);
            let (c0, c1) = (start * bsz, end * bsz);
            let width = c1 - c0;
            let beta = if fresh { zero } else { one };

            // The chunk's loss gradient and readout terms.
            let g = &mut g_buf[..n_out * width];
            let (y, target) = (
                &y_all[n_out * c0..n_out * c1],
                &target_all[n_out * c0..n_out * c1],
            );
            match loss {
                Loss::Mse => wide(
                    #[inline(always)]
                    || mse_gradient(y, target, n_out * tb, g),
                ),
                Loss::CrossEntropy => {
                    cross_entropy(y, target, n_out, tb, Some(&mut *g));
                }
            }
            let gm = Mat::new(g, n_out, width);
            let h_after = Mat::new(&h_all[(c0 + bsz) * n..(c1 + bsz) * n], n, width);
            if n_out <= SKINNY {
                // ∂Dᵀ = H Gᵀ has few columns, which the direct loop handles fast.
                gemm(one, h_after, gm.t(), beta, dt);
            } else {
                gemm(one, gm, h_after.t(), beta, grads.d.as_mut_slice());
            }
            add_column_sums(g, grads.c.as_mut_slice(), fresh);
            let delta = &mut delta_buf[..n * width];
            gemm(one, d.t(), gm, zero, delta);

            for t in (start..end).rev() {
                let d_t = &mut delta[(t - start) * cols..(t - start + 1) * cols];
                let p_t = &p_all[t * cols..(t + 1) * cols];
                match net.config().activation {
                    Activation::Relu => wide(
                        #[inline(always)]
                        || carries.step(d_t, p_t, alpha, &k, relu_slope),
                    ),
                    Activation::Tanh => wide(
                        #[inline(always)]
                        || carries.step(d_t, p_t, alpha, &k, tanh_slope),
                    ),
                    Activation::Identity => wide(
                        #[inline(always)]
                        || carries.step(d_t, p_t, alpha, &k, |_| T::one()),
                    ),
                }
                gemm(one, wt, Mat::new(d_t, n, bsz), one, carries.gh);
            }

            // The chunk's share of the parameter gradients.
            let dm = Mat::new(delta, n, width);
            let h_before = Mat::new(&h_all[c0 * n..c1 * n], n, width);
            gemm(one, dm, h_before.t(), beta, grads.w.as_mut_slice());
            let u_in = Mat::new(&inputs[c0 * n_in..c1 * n_in], n_in, width);
            gemm(one, dm, u_in.t(), beta, grads.u.as_mut_slice());
            add_column_sums(delta, grads.b.as_mut_slice(), fresh);
            fresh = false;
            end = start;
        }
        if fresh {
            // No steps: every sum over steps is empty.
            for (_, g) in grads.groups_mut() {
                g.fill(zero);
            }
        }
        if n_out <= SKINNY && !fresh {
            self.dt.transpose_to(&mut grads.d);
        }
        let gh0 = Mat::new(self.gh.as_slice(), n, bsz);
        let codes = Mat::new(batch.initial_codes.as_slice(), n_out, bsz);
        gemm(one, gh0, codes.t(), zero, grads.e.as_mut_slice());
        Ok(())
    }
}

/// The backward carries `gh, gv, ga` (gradients with respect to `h, v, a` of the next step).
struct Carries<'w, T> {
    gh: &'w mut [T],
    gv: &'w mut [T],
    ga: &'w mut [T],
}

impl<T: RealField + Copy> Carries<'_, T> {
    /// One fused elementwise reverse step: on entry `d_t` holds the readout gradient of
    /// `h_{t+1}`, on exit `δ_t`; `gh` is left without the `Wᵀ δ_t` term, which the caller adds
    /// with one product.
    #[inline(always)]
    fn step<F: Fn(T) -> T>(
        &mut self,
        d_t: &mut [T],
        p_t: &[T],
        alpha: T,
        k: &Coefficients<T>,
        slope: F,
    ) {
        let Carries { gh, gv, ga } = self;
        match k.momentum {
            None => {
                for i in 0..d_t.len() {
                    let ght = gh[i] + d_t[i];
                    let dz = alpha * slope(p_t[i]) * ght;
                    d_t[i] = dz;
                    gh[i] = ght - alpha * ght;
                }
            }
            Some((keep, _)) => {
                for i in 0..d_t.len() {
                    let ght = gh[i] + d_t[i];
                    let gf = gv[i] + ght;
                    gv[i] = keep * gf;
                    let dz = alpha * slope(p_t[i]) * gf;
                    d_t[i] = dz;
                    gh[i] = ght - alpha * gf;
                }
            }
        }
        if let Some((keep, gain)) = k.adaptation {
            for i in 0..d_t.len() {
                gh[i] += gain * ga[i];
                ga[i] = keep * ga[i] - d_t[i];
            }
        }
    }
}

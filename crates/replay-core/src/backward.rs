//! Exact backpropagation through time of the update of DESIGN.md section 2, with the noise a
//! fixed sample, for every combination of leak, adaptation and momentum.
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
//! and the parameter gradients are sums over all steps, each computed with one product over all
//! `T·B` columns after the loop: `∂W = Δ H_{0..T−1}ᵀ`, `∂U = Δ Uᵀ_in`, `∂b = Δ 1`,
//! `∂D = G H_{1..T}ᵀ`, `∂c = G 1`, and `∂E = gh_0 y*_0ᵀ`.

use nalgebra::{DMatrix, RealField};
use replay_tasks::Batch;

use crate::cell::{Network, relu_slope, tanh_slope};
use crate::config::{Activation, Dynamics, Loss};
use crate::error::{ShapeError, TrainError};
use crate::forward::{Coefficients, Workspace};
use crate::gemm::{Mat, SKINNY, gemm};
use crate::weights::Weights;

/// Adds the sum of the columns of a column-major `rows × _` slice to `out` (length `rows`).
fn add_column_sums<T: RealField + Copy>(data: &[T], out: &mut [T]) {
    out.fill(T::zero());
    for col in data.chunks_exact(out.len()) {
        for (o, &x) in out.iter_mut().zip(col) {
            *o += x;
        }
    }
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
        grads.check_shapes(net.config())?;
        self.forward(net, dynamics, batch, noise)?;
        let value = self.loss(&batch.targets, loss)?;
        self.backward(net, dynamics, batch, grads)?;
        Ok(value)
    }

    /// Backpropagates the stored loss gradient through the last forward pass.
    fn backward(
        &mut self,
        net: &Network<T>,
        dynamics: &Dynamics,
        batch: &Batch<T>,
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
        let k = Coefficients::<T>::new(dynamics)?;
        let (n, n_in, n_out, bsz, steps) = self.dims;
        let tb = bsz * steps;
        let cols = n * bsz;
        let w = net.weights();
        let alpha = net.leak();

        // Readout: ∂D, ∂c, and Dᵀ G for every step at once (into the δ buffer).
        let one = T::one();
        let h_all = self.h.as_slice();
        let g = Mat::new(self.g.as_slice(), n_out, tb);
        let h_after = Mat::new(&h_all[cols..], n, tb);
        if n_out <= SKINNY {
            // ∂Dᵀ = H Gᵀ has few columns, which the direct loop handles fast; then transpose.
            gemm(one, h_after, g.t(), T::zero(), self.dt.as_mut_slice());
            self.dt.transpose_to(&mut grads.d);
        } else {
            gemm(one, g, h_after.t(), T::zero(), grads.d.as_mut_slice());
        }
        add_column_sums(self.g.as_slice(), grads.c.as_mut_slice());
        let d = Mat::new(w.d.as_slice(), n_out, n);
        gemm(one, d.t(), g, T::zero(), self.delta.as_mut_slice());

        self.gh.fill(T::zero());
        self.gv.fill(T::zero());
        self.ga.fill(T::zero());
        let wt = Mat::new(w.w.as_slice(), n, n).t();
        let p_all = self.z.as_slice();
        let delta_all = self.delta.as_mut_slice();
        let mut carries = Carries {
            gh: self.gh.as_mut_slice(),
            gv: self.gv.as_mut_slice(),
            ga: self.ga.as_mut_slice(),
        };
        for t in (0..steps).rev() {
            let span = t * cols..(t + 1) * cols;
            let d_t = &mut delta_all[span.clone()];
            let p_t = &p_all[span];
            match net.config().activation {
                Activation::Relu => carries.step(d_t, p_t, alpha, &k, relu_slope),
                Activation::Tanh => carries.step(d_t, p_t, alpha, &k, tanh_slope),
                Activation::Identity => carries.step(d_t, p_t, alpha, &k, |_| T::one()),
            }
            gemm(one, wt, Mat::new(d_t, n, bsz), one, carries.gh);
        }

        // Parameter gradients as single products over all T·B columns.
        let delta = Mat::new(delta_all, n, tb);
        let h_before = Mat::new(&h_all[..tb * n], n, tb);
        gemm(one, delta, h_before.t(), T::zero(), grads.w.as_mut_slice());
        let inputs = Mat::new(batch.inputs.as_slice(), n_in, tb);
        gemm(one, delta, inputs.t(), T::zero(), grads.u.as_mut_slice());
        add_column_sums(delta_all, grads.b.as_mut_slice());
        let gh0 = Mat::new(self.gh.as_slice(), n, bsz);
        let codes = Mat::new(batch.initial_codes.as_slice(), n_out, bsz);
        gemm(one, gh0, codes.t(), T::zero(), grads.e.as_mut_slice());
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

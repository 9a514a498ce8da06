//! The batched forward pass over a sequence and the loss, keeping what backpropagation needs.
//!
//! Layout: every per-step matrix stores step `t` of path `b` in column `t·B + b`, as
//! [`Batch`] does, so step `t` of the whole batch is one contiguous `N × B` block. `U u` for all
//! steps is one product before the time loop and `y = D h + c` for all steps one product after
//! it; inside the loop there is one `W h` product per step and fused elementwise passes, with no
//! allocation.

use nalgebra::{DMatrix, RealField};
use replay_tasks::Batch;

use crate::cell::{Network, drift_value, readout, with_activation};
use crate::config::{Dynamics, Loss, NetworkConfig};
use crate::error::{ConfigError, ShapeError, TrainError};
use crate::gemm::sum_pairs;
use replay_sampler::simd::wide;

/// The mechanism coefficients converted once to the scalar type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Coefficients<T> {
    pub(crate) sigma: T,
    /// `(1 − λ_v, σ_v)`.
    pub(crate) momentum: Option<(T, T)>,
    /// `(1 − 1/τ_a, b_a/τ_a)`.
    pub(crate) adaptation: Option<(T, T)>,
}

impl<T: RealField + Copy> Coefficients<T> {
    /// Computed in `T` exactly as the sampler's integrators compute them, so that training and
    /// replay use bit-identical coefficients.
    pub(crate) fn new(d: &Dynamics) -> Result<Self, ConfigError> {
        d.validate()?;
        let sigma: T = nalgebra::convert(d.noise);
        Ok(Self {
            sigma,
            momentum: d.momentum.map(|m| {
                let friction: T = nalgebra::convert(m.friction);
                let sigma_v = match m.noise {
                    Some(s) => nalgebra::convert(s),
                    None => sigma * friction.sqrt(),
                };
                (T::one() - friction, sigma_v)
            }),
            adaptation: d.adaptation.map(|a| {
                let tau: T = nalgebra::convert(a.time_constant);
                let strength: T = nalgebra::convert(a.strength);
                (T::one() - T::one() / tau, strength / tau)
            }),
        })
    }
}

/// Buffers for a forward and backward pass, reused across training steps.
///
/// The buffers are sized on first use and reallocated only when the network or batch shape
/// changes, so a training loop with a fixed batch shape allocates nothing after its first step.
///
/// ```
/// use nalgebra::DMatrix;
/// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
/// use replay_core::{Dynamics, Loss, Network, NetworkConfig, Workspace};
/// use replay_tasks::Batch;
///
/// let net = Network::<f64>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
/// let (batch_size, steps) = (3, 5);
/// let batch = Batch {
///     batch_size,
///     steps,
///     inputs: DMatrix::from_element(2, 15, 0.1),
///     targets: DMatrix::zeros(2, 15),
///     positions: DMatrix::zeros(2, 15),
///     start_positions: DMatrix::zeros(2, 3),
///     initial_codes: DMatrix::zeros(2, 3),
/// };
/// let noise = DMatrix::zeros(4, 15);
/// let mut ws = Workspace::new();
/// ws.forward(&net, &Dynamics::new(0.0), &batch, &noise).unwrap();
/// assert_eq!(ws.hidden_states().shape(), (4, 18)); // h_0 .. h_T
/// assert_eq!(ws.outputs().shape(), (2, 15));
/// let loss = ws.loss(&batch.targets, Loss::Mse).unwrap();
/// assert!(loss >= 0.0);
/// ```
#[derive(Debug, Clone)]
pub struct Workspace<T: RealField + Copy> {
    /// `(N, n_in, n_out, B, T)` the buffers are sized for.
    pub(crate) dims: (usize, usize, usize, usize, usize),
    /// `N × T·B`: `U u_t` (minus `a_t`), then the activations `φ(z_t)`.
    pub(crate) z: DMatrix<T>,
    /// `N × (T+1)·B`: `h_0 … h_T`.
    pub(crate) h: DMatrix<T>,
    /// `n_out × T·B`: outputs `y_1 … y_T`.
    pub(crate) y: DMatrix<T>,
    /// `n_out × C·B`: gradient of the loss with respect to the outputs of one chunk of `C`
    /// steps (the backward pass works through the sequence chunk by chunk).
    pub(crate) g: DMatrix<T>,
    /// `N × C·B`: `Dᵀ g` for one chunk, overwritten step by step with `δ_t = ∂L/∂z_t`.
    pub(crate) delta: DMatrix<T>,
    /// `N × n_out` scratch for `∂Dᵀ` when `n_out` is small.
    pub(crate) dt: DMatrix<T>,
    /// `N × B` running states: adaptation `a`, momentum `v`, and the backward carries.
    pub(crate) a: DMatrix<T>,
    pub(crate) v: DMatrix<T>,
    pub(crate) gh: DMatrix<T>,
    pub(crate) gv: DMatrix<T>,
    pub(crate) ga: DMatrix<T>,
    /// The loss gradient `g` matches the last forward pass.
    pub(crate) has_loss: bool,
}

impl<T: RealField + Copy> Default for Workspace<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: RealField + Copy> Workspace<T> {
    /// An empty workspace; buffers are allocated by the first pass.
    ///
    /// ```
    /// let ws = replay_core::Workspace::<f32>::new();
    /// assert_eq!(ws.outputs().len(), 0);
    /// ```
    pub fn new() -> Self {
        let e = || DMatrix::zeros(0, 0);
        Self {
            dims: (0, 0, 0, 0, 0),
            z: e(),
            h: e(),
            y: e(),
            g: e(),
            delta: e(),
            dt: e(),
            a: e(),
            v: e(),
            gh: e(),
            gv: e(),
            ga: e(),
            has_loss: false,
        }
    }

    /// A workspace already sized for a network configuration and batch shape.
    ///
    /// ```
    /// use replay_core::{NetworkConfig, Workspace};
    /// let ws = Workspace::<f32>::with_shape(&NetworkConfig::new(8, 2, 2), 4, 10);
    /// assert_eq!(ws.hidden_states().shape(), (8, 44));
    /// ```
    pub fn with_shape(config: &NetworkConfig, batch_size: usize, steps: usize) -> Self {
        let mut ws = Self::new();
        ws.resize(config, batch_size, steps);
        ws
    }

    fn resize(&mut self, config: &NetworkConfig, bsz: usize, steps: usize) {
        let (n, o) = (config.hidden, config.output_dim);
        let dims = (n, config.input_dim, o, bsz, steps);
        if dims == self.dims {
            return;
        }
        let tb = steps * bsz;
        let chunk = chunk_steps(bsz, steps) * bsz;
        self.dims = dims;
        self.z = DMatrix::zeros(n, tb);
        self.h = DMatrix::zeros(n, tb + bsz);
        self.y = DMatrix::zeros(o, tb);
        self.g = DMatrix::zeros(o, chunk);
        self.delta = DMatrix::zeros(n, chunk);
        self.dt = DMatrix::zeros(n, o);
        for m in [
            &mut self.a,
            &mut self.v,
            &mut self.gh,
            &mut self.gv,
            &mut self.ga,
        ] {
            *m = DMatrix::zeros(n, bsz);
        }
    }

    /// Hidden states `h_0 … h_T` of the last forward pass, `N × (T+1)·B` (`h_t` of path `b` in
    /// column `t·B + b`).
    ///
    /// ```
    /// let ws = replay_core::Workspace::<f64>::new();
    /// assert_eq!(ws.hidden_states().ncols(), 0);
    /// ```
    pub fn hidden_states(&self) -> &DMatrix<T> {
        &self.h
    }

    /// Outputs `y_1 … y_T` of the last forward pass, `n_out × T·B`.
    ///
    /// ```
    /// let ws = replay_core::Workspace::<f64>::new();
    /// assert_eq!(ws.outputs().nrows(), 0);
    /// ```
    pub fn outputs(&self) -> &DMatrix<T> {
        &self.y
    }

    /// Activations `φ(z_0) … φ(z_{T−1})` of the last forward pass, `N × T·B` (for ReLU their
    /// sign pattern tells which units were active).
    ///
    /// ```
    /// let ws = replay_core::Workspace::<f64>::new();
    /// assert_eq!(ws.activations().len(), 0);
    /// ```
    pub fn activations(&self) -> &DMatrix<T> {
        &self.z
    }

    /// Runs the network over a batch with the given noise sample (`N × T·B` standard normal,
    /// column `t·B + b` driving step `t` of path `b`), storing the states and outputs.
    ///
    /// Errors if the dynamics are invalid or a shape does not fit the network.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// use replay_core::{Dynamics, Network, NetworkConfig, Workspace};
    /// use replay_tasks::Batch;
    ///
    /// let net = Network::<f64>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let batch = Batch {
    ///     batch_size: 1, steps: 2,
    ///     inputs: DMatrix::zeros(2, 2), targets: DMatrix::zeros(2, 2), positions: DMatrix::zeros(2, 2),
    ///     start_positions: DMatrix::zeros(2, 1), initial_codes: DMatrix::zeros(2, 1),
    /// };
    /// let mut ws = Workspace::new();
    /// let wrong_noise = DMatrix::zeros(4, 3);
    /// assert!(ws.forward(&net, &Dynamics::new(0.1), &batch, &wrong_noise).is_err());
    /// ```
    pub fn forward(
        &mut self,
        net: &Network<T>,
        dynamics: &Dynamics,
        batch: &Batch<T>,
        noise: &DMatrix<T>,
    ) -> Result<(), TrainError> {
        let (n, tb) = (net.hidden(), batch.batch_size * batch.steps);
        ShapeError::check("noise", (n, tb), noise.shape())?;
        self.run(net, dynamics, batch, &mut Noise::Given(noise.as_slice()))
    }

    /// The forward pass with the noise of each step taken from `noise`.
    pub(crate) fn run(
        &mut self,
        net: &Network<T>,
        dynamics: &Dynamics,
        batch: &Batch<T>,
        noise: &mut Noise<'_, T>,
    ) -> Result<(), TrainError> {
        let k = Coefficients::<T>::new(dynamics)?;
        let config = net.config();
        let (n, n_in, n_out) = (config.hidden, config.input_dim, config.output_dim);
        let (bsz, steps) = (batch.batch_size, batch.steps);
        let tb = bsz * steps;
        ShapeError::check("inputs", (n_in, tb), batch.inputs.shape())?;
        ShapeError::check("initial codes", (n_out, bsz), batch.initial_codes.shape())?;
        self.resize(config, bsz, steps);
        self.has_loss = false;

        let w = net.weights();
        net.input_current_into(batch.inputs.as_slice(), self.z.as_mut_slice(), tb);
        let cols = n * bsz;
        net.encode_into(
            batch.initial_codes.as_slice(),
            &mut self.h.as_mut_slice()[..cols],
            bsz,
        );
        self.a.fill(T::zero());
        self.v.fill(T::zero());

        let h_all = self.h.as_mut_slice();
        let z_all = self.z.as_mut_slice();
        let a = self.a.as_mut_slice();
        let v = self.v.as_mut_slice();
        // Handing a step to another thread costs a wake-up; worth it only for large steps.
        let overlap = rayon::current_num_threads() > 1 && n * n * bsz >= OVERLAP_WORK;
        if let Noise::Drawn(draw, buffers) = noise {
            draw(&mut buffers[..cols]);
        }
        for t in 0..steps {
            let span = t * cols..(t + 1) * cols;
            let (past, future) = h_all.split_at_mut(span.end);
            let (xi, next) = match noise {
                Noise::Given(all) => (&all[span.clone()], None),
                Noise::Drawn(draw, buffers) => {
                    // Step t's block is in one half of the buffer; the next step's block is
                    // drawn into the other half while this step computes.
                    let (first, second) = buffers.split_at_mut(cols);
                    let (current, next) = if t % 2 == 0 {
                        (first, second)
                    } else {
                        (second, first)
                    };
                    (&*current, Some((draw, next)))
                }
            };
            let state = Step {
                z: &mut z_all[span.clone()],
                h: &past[span.start..],
                h_next: &mut future[..cols],
                v: &mut *v,
                a: &mut *a,
                xi,
            };
            match next {
                None => state.run(net, &k),
                Some((draw, next)) if overlap => rayon::in_place_scope(|scope| {
                    scope.spawn(|_| state.run(net, &k));
                    if t + 1 < steps {
                        draw(next);
                    }
                }),
                Some((draw, next)) => {
                    state.run(net, &k);
                    if t + 1 < steps {
                        draw(next);
                    }
                }
            }
        }
        readout(w, &h_all[cols..], self.y.as_mut_slice(), tb);
        Ok(())
    }

    /// The loss of the last forward pass against `targets` (`n_out × T·B`). (The backward
    /// pass recomputes its gradient with respect to the outputs chunk by chunk, so no
    /// `n_out × T·B` gradient is stored.)
    ///
    /// MSE is the mean over all `n_out · T · B` entries. Cross-entropy is
    /// `−Σ_i y*_i log softmax(y)_i` averaged over the `T · B` columns.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_core::{Loss, Workspace};
    /// let mut ws = Workspace::<f64>::new();
    /// // Nothing has run yet, so no target shape fits.
    /// assert!(ws.loss(&DMatrix::zeros(2, 3), Loss::Mse).is_err());
    /// ```
    pub fn loss(&mut self, targets: &DMatrix<T>, loss: Loss) -> Result<T, ShapeError> {
        ShapeError::check("targets", self.y.shape(), targets.shape())?;
        if self.y.is_empty() {
            return Err(ShapeError {
                what: "outputs (no forward pass yet)",
                expected: (self.dims.2, 1),
                found: (0, 0),
            });
        }
        let (y, t) = (self.y.as_slice(), targets.as_slice());
        let value = match loss {
            Loss::Mse => wide(
                #[inline(always)]
                || mse_value(y, t),
            ),
            Loss::CrossEntropy => cross_entropy(y, t, self.y.nrows(), self.y.ncols(), None),
        };
        self.has_loss = true;
        Ok(value)
    }
}

/// Where the forward pass takes each step's standard-normal noise (`N × B`, column-major).
pub(crate) enum Noise<'a, T> {
    /// All steps at once, `N × T·B`, step `t` in columns `t·B … (t+1)·B − 1`.
    Given(&'a [T]),
    /// Drawn step by step by the function into one half of the buffer (`N × 2B`) while the
    /// previous step computes on another thread, so that no `N × T·B` sample is stored and the
    /// drawing overlaps the arithmetic. The blocks are drawn in step order on the calling
    /// thread, so they are exactly the numbers of [`Noise::Given`] filled column-major from the
    /// same generator.
    Drawn(&'a mut dyn FnMut(&mut [T]), &'a mut [T]),
}

/// The state of one forward step, column-major `N × B` slices.
struct Step<'s, T> {
    /// On entry the total current `W h + U u − a`; on exit the activations `φ(z + b)`.
    z: &'s mut [T],
    h: &'s [T],
    h_next: &'s mut [T],
    v: &'s mut [T],
    a: &'s mut [T],
    xi: &'s [T],
}

impl<T: RealField + Copy> Step<'_, T> {
    /// The whole step: the recurrent product, then one fused elementwise pass.
    fn run(mut self, net: &Network<T>, k: &Coefficients<T>) {
        if k.adaptation.is_some() {
            for (zi, &ai) in self.z.iter_mut().zip(self.a.iter()) {
                *zi -= ai;
            }
        }
        let cols = self.h.len() / net.hidden();
        net.recurrent_into(self.h, self.z, cols, false);
        let alpha = net.leak();
        with_activation!(net, |phi, b| self.advance(phi, b, alpha, k));
        if let Some((keep, gain)) = k.adaptation {
            for (ai, &hi) in self.a.iter_mut().zip(self.h) {
                *ai = keep * *ai + gain * hi;
            }
        }
    }

    /// One fused pass: activation, drift and the first-order or momentum update.
    #[inline(always)]
    fn advance(&mut self, phi: impl Fn(T) -> T, b: &[T], alpha: T, k: &Coefficients<T>) {
        let n = b.len();
        let columns = self
            .z
            .chunks_exact_mut(n)
            .zip(self.h.chunks_exact(n))
            .zip(self.h_next.chunks_exact_mut(n))
            .zip(self.xi.chunks_exact(n));
        match k.momentum {
            None => {
                for (((z, h), h_next), xi) in columns {
                    for i in 0..n {
                        let p = phi(z[i] + b[i]);
                        z[i] = p;
                        let f = drift_value(alpha, p, h[i]);
                        // Grouped as the sampler's Euler–Maruyama step `x + (f + σ ξ)`.
                        h_next[i] = h[i] + (f + k.sigma * xi[i]);
                    }
                }
            }
            Some((keep, sigma_v)) => {
                for ((((z, h), h_next), xi), v) in columns.zip(self.v.chunks_exact_mut(n)) {
                    for i in 0..n {
                        let p = phi(z[i] + b[i]);
                        z[i] = p;
                        let f = drift_value(alpha, p, h[i]);
                        v[i] = keep * v[i] + f + sigma_v * xi[i];
                        h_next[i] = h[i] + v[i];
                    }
                }
            }
        }
    }
}

/// Multiply–adds of a step's recurrent product above which the next step's noise is drawn on
/// the calling thread while another thread computes. Each hand-over wakes a thread, which on a
/// virtual machine can cost as much as a small step: at shape A (2²⁰ multiply–adds per step)
/// overlapping made the training step twice as slow as on one thread, at shape B (2²⁵·⁶) it pays.
pub(crate) const OVERLAP_WORK: usize = 1 << 22;

/// Steps per chunk of the backward pass: about [`CHUNK_COLUMNS`] columns, at least one step.
pub(crate) fn chunk_steps(batch_size: usize, steps: usize) -> usize {
    (CHUNK_COLUMNS / batch_size.max(1)).clamp(1, steps.max(1))
}

/// Columns the backward pass handles per chunk: enough for efficient products, few enough that
/// the chunk's buffers stay a small fraction of the stored states.
const CHUNK_COLUMNS: usize = 2048;

/// `Σ (y − y*)²` over all entries divided by their number.
#[inline(always)]
fn mse_value<T: RealField + Copy>(y: &[T], target: &[T]) -> T {
    let s = sum_pairs(y, target, |a, b| (a - b) * (a - b));
    let scale: T = nalgebra::convert(1.0 / y.len() as f64);
    s * scale
}

/// Gradient of the MSE over `total` entries with respect to the outputs `y` (any block of
/// them): `2 (y − y*) / total`.
#[inline(always)]
pub(crate) fn mse_gradient<T: RealField + Copy>(y: &[T], target: &[T], total: usize, g: &mut [T]) {
    let scale: T = nalgebra::convert(1.0 / total as f64);
    let two_scale = scale + scale;
    for ((gi, &yi), &ti) in g.iter_mut().zip(y).zip(target) {
        *gi = two_scale * (yi - ti);
    }
}

/// Cross-entropy of the softmax of the columns of `y` (`o` rows) against `target`, averaged
/// over `columns` columns (the whole sequence, of which `y` may be a block); with `g`, also its
/// gradient with respect to `y`.
pub(crate) fn cross_entropy<T: RealField + Copy>(
    y: &[T],
    target: &[T],
    o: usize,
    columns: usize,
    mut g: Option<&mut [T]>,
) -> T {
    let scale: T = nalgebra::convert(1.0 / columns as f64);
    let mut total = T::zero();
    for (j, (yc, tc)) in y.chunks_exact(o).zip(target.chunks_exact(o)).enumerate() {
        let m = yc
            .iter()
            .copied()
            .fold(yc[0], |m, x| if x > m { x } else { m });
        let sum = yc.iter().fold(T::zero(), |s, &yi| s + (yi - m).exp());
        let log_sum = sum.ln();
        let mass = tc.iter().fold(T::zero(), |s, &x| s + x);
        let mut col = T::zero();
        for (&yi, &ti) in yc.iter().zip(tc) {
            col -= ti * (yi - m - log_sum);
        }
        total += col;
        if let Some(g) = g.as_deref_mut() {
            let gc = &mut g[j * o..(j + 1) * o];
            for ((gi, &yi), &ti) in gc.iter_mut().zip(yc).zip(tc) {
                // d/dy_i of −Σ_j t_j log p_j is p_i Σ_j t_j − t_i.
                *gi = ((yi - m).exp() / sum * mass - ti) * scale;
            }
        }
    }
    total * scale
}

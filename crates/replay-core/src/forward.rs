//! The batched forward pass over a sequence and the loss, keeping what backpropagation needs.
//!
//! Layout: every per-step matrix stores step `t` of path `b` in column `t·B + b`, as
//! [`Batch`] does, so step `t` of the whole batch is one contiguous `N × B` block. `U u` for all
//! steps is one product before the time loop and `y = D h + c` for all steps one product after
//! it; inside the loop there is one `W h` product per step and fused elementwise passes, with no
//! allocation.

use nalgebra::{DMatrix, RealField};
use replay_tasks::Batch;

use crate::cell::{Network, drift_value, readout};
use crate::config::{Dynamics, Loss, NetworkConfig};
use crate::error::{ConfigError, ShapeError, TrainError};

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
    /// `n_out × T·B`: gradient of the loss with respect to `y`.
    pub(crate) g: DMatrix<T>,
    /// `N × T·B`: `Dᵀ g`, overwritten step by step with `δ_t = ∂L/∂z_t`.
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
        self.dims = dims;
        self.z = DMatrix::zeros(n, tb);
        self.h = DMatrix::zeros(n, tb + bsz);
        self.y = DMatrix::zeros(o, tb);
        self.g = DMatrix::zeros(o, tb);
        self.delta = DMatrix::zeros(n, tb);
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
        let k = Coefficients::<T>::new(dynamics)?;
        let config = net.config();
        let (n, n_in, n_out) = (config.hidden, config.input_dim, config.output_dim);
        let (bsz, steps) = (batch.batch_size, batch.steps);
        let tb = bsz * steps;
        ShapeError::check("inputs", (n_in, tb), batch.inputs.shape())?;
        ShapeError::check("initial codes", (n_out, bsz), batch.initial_codes.shape())?;
        ShapeError::check("noise", (n, tb), noise.shape())?;
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

        let alpha = net.leak();
        let h_all = self.h.as_mut_slice();
        let z_all = self.z.as_mut_slice();
        let xi_all = noise.as_slice();
        let a = self.a.as_mut_slice();
        let v = self.v.as_mut_slice();
        for t in 0..steps {
            let span = t * cols..(t + 1) * cols;
            let (past, future) = h_all.split_at_mut(span.end);
            let h_t = &past[span.start..];
            let h_next = &mut future[..cols];
            let z_t = &mut z_all[span.clone()];
            let xi = &xi_all[span];
            if k.adaptation.is_some() {
                for (zi, &ai) in z_t.iter_mut().zip(a.iter()) {
                    *zi -= ai;
                }
            }
            net.activate(h_t, z_t, bsz);
            match k.momentum {
                None => {
                    for i in 0..cols {
                        let f = drift_value(alpha, z_t[i], h_t[i]);
                        // Grouped as the sampler's Euler–Maruyama step `x + (f + σ ξ)`.
                        h_next[i] = h_t[i] + (f + k.sigma * xi[i]);
                    }
                }
                Some((keep, sigma_v)) => {
                    for i in 0..cols {
                        let f = drift_value(alpha, z_t[i], h_t[i]);
                        v[i] = keep * v[i] + f + sigma_v * xi[i];
                        h_next[i] = h_t[i] + v[i];
                    }
                }
            }
            if let Some((keep, gain)) = k.adaptation {
                for (ai, &hi) in a.iter_mut().zip(h_t) {
                    *ai = keep * *ai + gain * hi;
                }
            }
        }
        readout(w, &h_all[cols..], self.y.as_mut_slice(), tb);
        Ok(())
    }

    /// The loss of the last forward pass against `targets` (`n_out × T·B`); also stores its
    /// gradient with respect to the outputs for the backward pass.
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
        let value = match loss {
            Loss::Mse => mse(&self.y, targets, &mut self.g),
            Loss::CrossEntropy => cross_entropy(&self.y, targets, &mut self.g),
        };
        self.has_loss = true;
        Ok(value)
    }
}

/// Sums `column(y_j, y*_j, g_j)` over the columns, where `column` returns the column's loss and
/// writes its gradient into `g_j`.
fn sum_columns<T: RealField + Copy>(
    y: &DMatrix<T>,
    target: &DMatrix<T>,
    g: &mut DMatrix<T>,
    mut column: impl FnMut(&[T], &[T], &mut [T]) -> T,
) -> T {
    let o = y.nrows();
    let columns = y
        .as_slice()
        .chunks_exact(o)
        .zip(target.as_slice().chunks_exact(o))
        .zip(g.as_mut_slice().chunks_exact_mut(o));
    let mut total = T::zero();
    for ((yc, tc), gc) in columns {
        total += column(yc, tc, gc);
    }
    total
}

fn mse<T: RealField + Copy>(y: &DMatrix<T>, target: &DMatrix<T>, g: &mut DMatrix<T>) -> T {
    let scale: T = nalgebra::convert(1.0 / y.len() as f64);
    let two_scale = scale + scale;
    let total = sum_columns(y, target, g, |yc, tc, gc| {
        let mut col = T::zero();
        for ((&yi, &ti), gi) in yc.iter().zip(tc).zip(gc.iter_mut()) {
            let r = yi - ti;
            col += r * r;
            *gi = two_scale * r;
        }
        col
    });
    total * scale
}

fn cross_entropy<T: RealField + Copy>(
    y: &DMatrix<T>,
    target: &DMatrix<T>,
    g: &mut DMatrix<T>,
) -> T {
    let scale: T = nalgebra::convert(1.0 / y.ncols() as f64);
    let total = sum_columns(y, target, g, |yc, tc, gc| {
        let m = yc
            .iter()
            .copied()
            .fold(yc[0], |m, x| if x > m { x } else { m });
        let mut sum = T::zero();
        for (&yi, gi) in yc.iter().zip(gc.iter_mut()) {
            let e = (yi - m).exp();
            *gi = e;
            sum += e;
        }
        let log_sum = sum.ln();
        let mass = tc.iter().fold(T::zero(), |s, &x| s + x);
        let mut col = T::zero();
        for ((&yi, &ti), gi) in yc.iter().zip(tc).zip(gc.iter_mut()) {
            col -= ti * (yi - m - log_sum);
            // d/dy_i of −Σ_j t_j log p_j is p_i Σ_j t_j − t_i.
            *gi = (*gi / sum * mass - ti) * scale;
        }
        col
    });
    total * scale
}

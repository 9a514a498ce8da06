//! The cell: the network, its nonlinearity and its drift `f = α (φ(W h + b + current) − h)`.
//!
//! The drift is computed by one kernel ([`Network::activate`] followed by [`drift_value`]) that
//! both the training forward pass and the sampler-facing [`Drift`] implementation call, so replay
//! runs exactly the dynamics the network was trained with.

use nalgebra::{DMatrix, RealField};
use rand::Rng;
use replay_sampler::Drift;

use crate::config::{Activation, NetworkConfig};
use crate::error::{NetworkError, ShapeError};
use crate::gemm::{Mat, gemm};
use crate::weights::Weights;

impl Activation {
    /// `φ(z)`, exactly as the network computes it. NaN passes through (so divergence is
    /// detected rather than masked by ReLU).
    ///
    /// In single precision `tanh` is a rational approximation that vectorises (maximum absolute
    /// error below `5e-7`, a few `f32` ulps); in double precision it is the exact `tanh`, so
    /// gradient checks in `f64` compare against the true function.
    ///
    /// ```
    /// use replay_core::Activation;
    /// assert_eq!(Activation::Relu.apply(1.5_f32), 1.5);
    /// assert!(Activation::Relu.apply(f64::NAN).is_nan());
    /// assert_eq!(Activation::Tanh.apply(1.0_f64), 1.0_f64.tanh());
    /// assert!((Activation::Tanh.apply(1.0_f32) - 1.0_f32.tanh()).abs() < 5e-7);
    /// ```
    #[inline]
    pub fn apply<T: RealField + Copy>(self, z: T) -> T {
        match self {
            Activation::Relu => relu(z),
            Activation::Tanh => Tanh::<T>::new().apply(z),
            Activation::Identity => z,
        }
    }

    /// `φ'(z)` written in terms of the output `p = φ(z)`, which is what the forward pass stores:
    /// `[p > 0]` for ReLU (slope 0 at the kink), `1 − p²` for tanh, 1 for the identity.
    ///
    /// ```
    /// use replay_core::Activation;
    /// let z = 0.3_f64;
    /// let p = Activation::Tanh.apply(z);
    /// let fd = (Activation::Tanh.apply(z + 1e-6) - Activation::Tanh.apply(z - 1e-6)) / 2e-6;
    /// assert!((Activation::Tanh.slope_from_output(p) - fd).abs() < 1e-9);
    /// assert_eq!(Activation::Relu.slope_from_output(0.0_f64), 0.0);
    /// ```
    #[inline]
    pub fn slope_from_output<T: RealField + Copy>(self, p: T) -> T {
        match self {
            Activation::Relu => relu_slope(p),
            Activation::Tanh => tanh_slope(p),
            Activation::Identity => T::one(),
        }
    }
}

#[inline(always)]
pub(crate) fn relu<T: RealField + Copy>(z: T) -> T {
    if z < T::zero() { T::zero() } else { z }
}

/// `tanh` as the network evaluates it: the libm function in double precision, and in single
/// precision the odd/even rational minimax approximation used by Eigen's `ptanh` (degree 13 over
/// degree 6, clamped at ±7.905), which has no branches or calls and so vectorises.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tanh<T> {
    fast: bool,
    clamp: T,
    tiny: T,
    num: [T; 7],
    den: [T; 4],
}

impl<T: RealField + Copy> Tanh<T> {
    pub(crate) fn new() -> Self {
        let c = |x: f64| -> T { nalgebra::convert(x) };
        Self {
            fast: T::default_epsilon() > c(1e-10),
            clamp: c(7.905_311_107_635_498),
            tiny: c(4e-4),
            num: [
                4.893_524_558_917_86e-3,
                6.372_619_288_754_36e-4,
                1.485_722_357_179_79e-5,
                5.122_297_090_371_14e-8,
                -8.604_671_522_137_35e-11,
                2.000_187_904_824_77e-13,
                -2.760_768_477_423_55e-16,
            ]
            .map(c),
            den: [
                4.893_525_185_543_85e-3,
                2.268_434_632_439e-3,
                1.185_347_056_866_54e-4,
                1.198_258_394_667_02e-6,
            ]
            .map(c),
        }
    }

    #[inline(always)]
    pub(crate) fn apply(&self, x: T) -> T {
        if !self.fast {
            return x.tanh();
        }
        let xc = if x > self.clamp {
            self.clamp
        } else if x < -self.clamp {
            -self.clamp
        } else {
            x
        };
        let x2 = xc * xc;
        let n = &self.num;
        let p =
            (((((n[6] * x2 + n[5]) * x2 + n[4]) * x2 + n[3]) * x2 + n[2]) * x2 + n[1]) * x2 + n[0];
        let d = &self.den;
        let q = ((d[3] * x2 + d[2]) * x2 + d[1]) * x2 + d[0];
        // Below `tiny`, tanh(x) = x to within rounding; NaN fails both tests and stays NaN.
        if x.abs() < self.tiny { x } else { xc * p / q }
    }
}

#[inline(always)]
pub(crate) fn relu_slope<T: RealField + Copy>(p: T) -> T {
    if p > T::zero() { T::one() } else { T::zero() }
}

#[inline(always)]
pub(crate) fn tanh_slope<T: RealField + Copy>(p: T) -> T {
    T::one() - p * p
}

/// The drift of one coordinate given its activation `p = φ(z)` and state `h`: `α (p − h)`.
///
/// ```
/// assert_eq!(replay_core::drift_value(0.5_f64, 3.0, 1.0), 1.0);
/// ```
#[inline(always)]
pub fn drift_value<T: RealField + Copy>(alpha: T, p: T, h: T) -> T {
    alpha * (p - h)
}

/// A network with validated configuration and weights.
///
/// ```
/// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
/// use replay_core::{Network, NetworkConfig};
/// let net = Network::<f32>::init(NetworkConfig::new(32, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
/// assert_eq!(net.hidden(), 32);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Network<T: RealField + Copy> {
    config: NetworkConfig,
    weights: Weights<T>,
    leak: T,
}

impl<T: RealField + Copy> Network<T> {
    /// A network from a configuration and weights, checking the configuration, every shape and
    /// that every weight is finite.
    ///
    /// ```
    /// use replay_core::{Network, NetworkConfig, Weights};
    /// let config = NetworkConfig::new(3, 2, 2);
    /// let net = Network::new(config.clone(), Weights::<f64>::zeros(&config)).unwrap();
    /// assert_eq!(net.config(), &config);
    /// ```
    pub fn new(config: NetworkConfig, weights: Weights<T>) -> Result<Self, NetworkError> {
        config.validate()?;
        weights.check_shapes(&config)?;
        weights.check_finite()?;
        let leak = nalgebra::convert(config.leak);
        Ok(Self {
            config,
            weights,
            leak,
        })
    }

    /// A network with [`Weights::uniform`] initialisation drawn from `rng`.
    ///
    /// ```
    /// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// use replay_core::{Network, NetworkConfig};
    /// let config = NetworkConfig::new(8, 2, 2);
    /// let a = Network::<f32>::init(config.clone(), &mut ChaCha8Rng::seed_from_u64(3)).unwrap();
    /// let b = Network::<f32>::init(config, &mut ChaCha8Rng::seed_from_u64(3)).unwrap();
    /// assert_eq!(a, b);
    /// ```
    pub fn init<R: Rng + ?Sized>(config: NetworkConfig, rng: &mut R) -> Result<Self, NetworkError> {
        config.validate()?;
        let weights = Weights::uniform(&config, rng);
        Self::new(config, weights)
    }

    /// The configuration.
    ///
    /// ```
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{Network, NetworkConfig};
    /// let net = Network::<f32>::init(NetworkConfig::new(8, 2, 3), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// assert_eq!(net.config().output_dim, 3);
    /// ```
    pub fn config(&self) -> &NetworkConfig {
        &self.config
    }

    /// Hidden size `N`.
    ///
    /// ```
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{Network, NetworkConfig};
    /// let net = Network::<f32>::init(NetworkConfig::new(8, 2, 3), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// assert_eq!(net.hidden(), 8);
    /// ```
    pub fn hidden(&self) -> usize {
        self.config.hidden
    }

    /// The leak `α` as a scalar of the network's type.
    ///
    /// ```
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{Network, NetworkConfig};
    /// let config = NetworkConfig::new(4, 2, 2).with_leak(0.25);
    /// let net = Network::<f32>::init(config, &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// assert_eq!(net.leak(), 0.25);
    /// ```
    pub fn leak(&self) -> T {
        self.leak
    }

    /// The weights.
    ///
    /// ```
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{Network, NetworkConfig};
    /// let net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// assert_eq!(net.weights().w.shape(), (4, 4));
    /// ```
    pub fn weights(&self) -> &Weights<T> {
        &self.weights
    }

    /// Consumes the network, returning its weights.
    ///
    /// ```
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{Network, NetworkConfig};
    /// let net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let weights = net.clone().into_weights();
    /// assert_eq!(&weights, net.weights());
    /// ```
    pub fn into_weights(self) -> Weights<T> {
        self.weights
    }

    /// Mutable weights; only the optimiser uses this, and it keeps shapes unchanged.
    pub(crate) fn weights_mut(&mut self) -> &mut Weights<T> {
        &mut self.weights
    }

    /// The same network in another scalar type (e.g. `f32` training, `f64` analysis).
    ///
    /// ```
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{Network, NetworkConfig};
    /// let net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let net64: Network<f64> = net.cast();
    /// assert_eq!(net64.weights().w[(1, 2)], net.weights().w[(1, 2)] as f64);
    /// ```
    pub fn cast<S: RealField + Copy>(&self) -> Network<S> {
        Network {
            config: self.config.clone(),
            weights: self.weights.cast(),
            leak: nalgebra::convert(self.config.leak),
        }
    }

    /// The initial hidden states `h_0 = E y*_0`, one column per code in `codes` (`n_out × B`).
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{Network, NetworkConfig};
    /// let net = Network::<f64>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let codes = DMatrix::from_column_slice(2, 1, &[1.0, 0.0]);
    /// let h0 = net.initial_state(&codes).unwrap();
    /// assert_eq!(h0.column(0), net.weights().e.column(0));
    /// ```
    pub fn initial_state(&self, codes: &DMatrix<T>) -> Result<DMatrix<T>, ShapeError> {
        let (n, o) = (self.config.hidden, self.config.output_dim);
        ShapeError::check("initial codes", (o, codes.ncols()), codes.shape())?;
        let mut h0 = DMatrix::zeros(n, codes.ncols());
        self.encode_into(codes.as_slice(), h0.as_mut_slice(), codes.ncols());
        Ok(h0)
    }

    /// The input currents `U u` for inputs `n_in × K` (`N × K`), computed exactly as the
    /// training forward pass computes them, so that stepping the [`Drift`] with these currents
    /// reproduces training.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{Network, NetworkConfig};
    /// let net = Network::<f64>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let u = DMatrix::from_column_slice(2, 1, &[0.0, 1.0]);
    /// assert_eq!(net.input_current(&u).unwrap().column(0), net.weights().u.column(1));
    /// ```
    pub fn input_current(&self, inputs: &DMatrix<T>) -> Result<DMatrix<T>, ShapeError> {
        let (n, i) = (self.config.hidden, self.config.input_dim);
        ShapeError::check("inputs", (i, inputs.ncols()), inputs.shape())?;
        let mut out = DMatrix::zeros(n, inputs.ncols());
        self.input_current_into(inputs.as_slice(), out.as_mut_slice(), inputs.ncols());
        Ok(out)
    }

    /// `out ← U u` for `cols` inputs (slices column-major).
    pub(crate) fn input_current_into(&self, inputs: &[T], out: &mut [T], cols: usize) {
        let (n, i) = (self.config.hidden, self.config.input_dim);
        let u = Mat::new(self.weights.u.as_slice(), n, i);
        gemm(T::one(), u, Mat::new(inputs, i, cols), T::zero(), out);
    }

    /// `h0 ← E y*_0` for `cols` codes (slices column-major).
    pub(crate) fn encode_into(&self, codes: &[T], h0: &mut [T], cols: usize) {
        let (n, o) = (self.config.hidden, self.config.output_dim);
        let e = Mat::new(self.weights.e.as_slice(), n, o);
        gemm(T::one(), e, Mat::new(codes, o, cols), T::zero(), h0);
    }

    /// Decodes hidden states (`N × B`) to outputs `y = D h + c` (`n_out × B`), e.g. replayed
    /// states to the positions or place-cell logits they represent.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{Network, NetworkConfig};
    /// let net = Network::<f64>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let y = net.decode(&DMatrix::zeros(4, 3)).unwrap();
    /// assert_eq!(y.column(2), net.weights().c.column(0));
    /// ```
    pub fn decode(&self, states: &DMatrix<T>) -> Result<DMatrix<T>, ShapeError> {
        let mut out = DMatrix::zeros(self.config.output_dim, states.ncols());
        self.decode_into(states, &mut out)?;
        Ok(out)
    }

    /// [`decode`](Self::decode) into a preallocated `n_out × B` matrix.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{Network, NetworkConfig};
    /// let net = Network::<f64>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let mut y = DMatrix::zeros(2, 5);
    /// assert!(net.decode_into(&DMatrix::zeros(4, 5), &mut y).is_ok());
    /// assert!(net.decode_into(&DMatrix::zeros(3, 5), &mut y).is_err());
    /// ```
    pub fn decode_into(&self, states: &DMatrix<T>, out: &mut DMatrix<T>) -> Result<(), ShapeError> {
        let (n, o) = (self.config.hidden, self.config.output_dim);
        ShapeError::check("states", (n, states.ncols()), states.shape())?;
        ShapeError::check("decoded outputs", (o, states.ncols()), out.shape())?;
        readout(
            &self.weights,
            states.as_slice(),
            out.as_mut_slice(),
            states.ncols(),
        );
        Ok(())
    }

    /// `z ← W h + z` for `cols` states (`N × cols` column-major): adds the recurrent current to
    /// the input current already in `z`, or overwrites `z` when `fresh`.
    pub(crate) fn recurrent_into(&self, h: &[T], z: &mut [T], cols: usize, fresh: bool) {
        let n = self.config.hidden;
        let w = Mat::new(self.weights.w.as_slice(), n, n);
        let beta = if fresh { T::zero() } else { T::one() };
        gemm(T::one(), w, Mat::new(h, n, cols), beta, z);
    }
}

/// Evaluates `$body` with `$phi` bound to the network's nonlinearity (a closure `T → T`) and
/// `$b` to its bias, monomorphised for each activation and compiled for the widest vector
/// instructions available ([`wide`]). Every elementwise pass that evaluates `φ(z + b)` goes
/// through here, so training and replay evaluate the same expression.
macro_rules! with_activation {
    ($net:expr, |$phi:ident, $b:ident| $body:expr) => {{
        let net = $net;
        let $b = net.weights().b.as_slice();
        match net.config().activation {
            $crate::config::Activation::Relu => {
                let $phi = $crate::cell::relu;
                replay_sampler::simd::wide(
                    #[inline(always)]
                    || $body,
                )
            }
            $crate::config::Activation::Tanh => {
                let tanh = $crate::cell::Tanh::new();
                let $phi = |x| tanh.apply(x);
                replay_sampler::simd::wide(
                    #[inline(always)]
                    || $body,
                )
            }
            $crate::config::Activation::Identity => {
                let $phi = |x| x;
                replay_sampler::simd::wide(
                    #[inline(always)]
                    || $body,
                )
            }
        }
    }};
}
pub(crate) use with_activation;

/// `z ← α (φ(z + b) − h)` column by column: the drift, given the total current in `z`.
#[inline(always)]
fn drift_pass<T: RealField + Copy>(phi: impl Fn(T) -> T, b: &[T], alpha: T, z: &mut [T], h: &[T]) {
    let n = b.len();
    for (zc, hc) in z.chunks_exact_mut(n).zip(h.chunks_exact(n)) {
        for ((zi, &hi), &bi) in zc.iter_mut().zip(hc).zip(b) {
            *zi = drift_value(alpha, phi(*zi + bi), hi);
        }
    }
}

/// `y = D h + c` for `cols` states; `h` is `N × cols`, `y` is `n_out × cols`, column-major.
pub(crate) fn readout<T: RealField + Copy>(w: &Weights<T>, h: &[T], y: &mut [T], cols: usize) {
    let (o, n) = w.d.shape();
    gemm(
        T::one(),
        Mat::new(w.d.as_slice(), o, n),
        Mat::new(h, n, cols),
        T::zero(),
        y,
    );
    let c = w.c.as_slice();
    for col in y.chunks_exact_mut(o) {
        for (yi, &ci) in col.iter_mut().zip(c) {
            *yi += ci;
        }
    }
}

/// The quiescent drift of the trained network, `α (φ(W h + b + current) − h)`, for the sampler.
///
/// ```
/// use nalgebra::DMatrix;
/// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
/// use replay_core::{Activation, Network, NetworkConfig};
/// use replay_sampler::Drift;
///
/// let config = NetworkConfig::new(3, 2, 2).with_leak(0.5).with_activation(Activation::Tanh);
/// let net = Network::<f64>::init(config, &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
/// let h = DMatrix::from_column_slice(3, 1, &[0.1, -0.2, 0.3]);
/// let mut f = DMatrix::zeros(3, 1);
/// net.drift_into(&h, None, &mut f);
/// let w = net.weights();
/// let expected = ((&w.w * &h + &w.b).map(f64::tanh) - &h) * 0.5;
/// assert!((f - expected).norm() < 1e-15);
/// assert_eq!(net.dim(), Some(3));
/// ```
impl<T: RealField + Copy> Drift<T> for Network<T> {
    fn drift_into(&self, states: &DMatrix<T>, current: Option<&DMatrix<T>>, out: &mut DMatrix<T>) {
        let h = states.as_slice();
        let z = out.as_mut_slice();
        if let Some(c) = current {
            z.copy_from_slice(c.as_slice());
        }
        self.recurrent_into(h, z, states.ncols(), current.is_none());
        let alpha = self.leak;
        with_activation!(self, |phi, b| drift_pass(phi, b, alpha, z, h));
    }

    fn dim(&self) -> Option<usize> {
        Some(self.config.hidden)
    }
}

//! The parameter groups `W, U, b, D, c, E`, their shapes and their initialisation. Gradients and
//! Adam moments use the same type.

use nalgebra::{DMatrix, DVector, RealField};
use rand::Rng;
use rand_distr::{Distribution, Uniform};

use crate::config::NetworkConfig;
use crate::error::{NetworkError, ShapeError};

/// Names of the parameter groups, in the order every method lists them.
///
/// ```
/// assert_eq!(replay_core::GROUPS, ["W", "U", "b", "D", "c", "E"]);
/// ```
pub const GROUPS: [&str; 6] = ["W", "U", "b", "D", "c", "E"];

/// The parameters of the network (or a gradient of them, or an optimiser moment).
///
/// ```
/// use replay_core::{NetworkConfig, Weights};
/// let weights = Weights::<f32>::zeros(&NetworkConfig::new(4, 2, 3));
/// assert_eq!(weights.w.shape(), (4, 4));
/// assert_eq!(weights.d.shape(), (3, 4));
/// assert_eq!(weights.e.shape(), (4, 3));
/// assert_eq!(weights.len(), 16 + 8 + 4 + 12 + 3 + 12);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Weights<T: RealField + Copy> {
    /// Recurrent weights `W`, `N × N`.
    pub w: DMatrix<T>,
    /// Input weights `U`, `N × n_in`.
    pub u: DMatrix<T>,
    /// Bias `b`, `N`.
    pub b: DVector<T>,
    /// Readout `D`, `n_out × N`.
    pub d: DMatrix<T>,
    /// Readout offset `c`, `n_out`.
    pub c: DVector<T>,
    /// Initial-state encoder `E`, `N × n_out`.
    pub e: DMatrix<T>,
}

impl<T: RealField + Copy> Weights<T> {
    /// The `(rows, columns)` of every group for a configuration, in [`GROUPS`] order.
    ///
    /// ```
    /// use replay_core::{NetworkConfig, Weights};
    /// let shapes = Weights::<f64>::shapes(&NetworkConfig::new(5, 2, 3));
    /// assert_eq!(shapes, [(5, 5), (5, 2), (5, 1), (3, 5), (3, 1), (5, 3)]);
    /// ```
    pub fn shapes(config: &NetworkConfig) -> [(usize, usize); 6] {
        let (n, i, o) = (config.hidden, config.input_dim, config.output_dim);
        [(n, n), (n, i), (n, 1), (o, n), (o, 1), (n, o)]
    }

    /// All-zero parameters of the configuration's shapes.
    ///
    /// ```
    /// use replay_core::{NetworkConfig, Weights};
    /// let zeros = Weights::<f64>::zeros(&NetworkConfig::new(3, 2, 2));
    /// assert!(zeros.groups().iter().all(|(_, g)| g.iter().all(|&x| x == 0.0)));
    /// ```
    pub fn zeros(config: &NetworkConfig) -> Self {
        let [w, u, b, d, c, e] = Self::shapes(config);
        Self {
            w: DMatrix::zeros(w.0, w.1),
            u: DMatrix::zeros(u.0, u.1),
            b: DVector::zeros(b.0),
            d: DMatrix::zeros(d.0, d.1),
            c: DVector::zeros(c.0),
            e: DMatrix::zeros(e.0, e.1),
        }
    }

    /// PyTorch's `Linear` initialisation: every entry uniform in `±1/√fan_in`, where `fan_in` is
    /// `N` for `W`, `b`, `D`, `c`, `n_in` for `U` and `n_out` for `E`. Entries are drawn in
    /// [`GROUPS`] order, column-major, in `f64` and then rounded to `T`, so an `f32` and an
    /// `f64` network from the same seed agree to `f32` precision.
    ///
    /// ```
    /// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// use replay_core::{NetworkConfig, Weights};
    /// let config = NetworkConfig::new(16, 2, 2);
    /// let w = Weights::<f32>::uniform(&config, &mut ChaCha8Rng::seed_from_u64(1));
    /// assert!(w.w.iter().all(|x| x.abs() <= 0.25));
    /// assert!(w.u.iter().all(|x| x.abs() <= 1.0 / 2f32.sqrt()));
    /// ```
    pub fn uniform<R: Rng + ?Sized>(config: &NetworkConfig, rng: &mut R) -> Self {
        let mut weights = Self::zeros(config);
        let (n, i, o) = (config.hidden, config.input_dim, config.output_dim);
        let fan_in = [n, i, n, n, n, o];
        for ((_, group), fan) in weights.groups_mut().into_iter().zip(fan_in) {
            let bound = 1.0 / (fan as f64).sqrt();
            // The bound is positive and finite for any fan_in >= 1, so the range is valid.
            let dist = Uniform::new_inclusive(-bound, bound).expect("finite bound");
            for x in group.iter_mut() {
                *x = nalgebra::convert(dist.sample(rng));
            }
        }
        weights
    }

    /// The groups as `(name, column-major entries)`, in [`GROUPS`] order.
    ///
    /// ```
    /// use replay_core::{NetworkConfig, Weights};
    /// let w = Weights::<f64>::zeros(&NetworkConfig::new(3, 2, 1));
    /// let sizes: Vec<usize> = w.groups().iter().map(|(_, g)| g.len()).collect();
    /// assert_eq!(sizes, [9, 6, 3, 3, 1, 3]);
    /// ```
    pub fn groups(&self) -> [(&'static str, &[T]); 6] {
        [
            (GROUPS[0], self.w.as_slice()),
            (GROUPS[1], self.u.as_slice()),
            (GROUPS[2], self.b.as_slice()),
            (GROUPS[3], self.d.as_slice()),
            (GROUPS[4], self.c.as_slice()),
            (GROUPS[5], self.e.as_slice()),
        ]
    }

    /// The groups as `(name, mutable column-major entries)`, in [`GROUPS`] order.
    ///
    /// ```
    /// use replay_core::{NetworkConfig, Weights};
    /// let mut w = Weights::<f64>::zeros(&NetworkConfig::new(2, 2, 2));
    /// for (_, g) in w.groups_mut() {
    ///     g.fill(1.0);
    /// }
    /// assert_eq!(w.c[1], 1.0);
    /// ```
    pub fn groups_mut(&mut self) -> [(&'static str, &mut [T]); 6] {
        [
            (GROUPS[0], self.w.as_mut_slice()),
            (GROUPS[1], self.u.as_mut_slice()),
            (GROUPS[2], self.b.as_mut_slice()),
            (GROUPS[3], self.d.as_mut_slice()),
            (GROUPS[4], self.c.as_mut_slice()),
            (GROUPS[5], self.e.as_mut_slice()),
        ]
    }

    /// Total number of parameters.
    ///
    /// ```
    /// use replay_core::{NetworkConfig, Weights};
    /// assert_eq!(Weights::<f32>::zeros(&NetworkConfig::new(1, 1, 1)).len(), 6);
    /// ```
    pub fn len(&self) -> usize {
        self.groups().iter().map(|(_, g)| g.len()).sum()
    }

    /// Whether there are no parameters (never true for a valid configuration).
    ///
    /// ```
    /// use replay_core::{NetworkConfig, Weights};
    /// assert!(!Weights::<f32>::zeros(&NetworkConfig::new(1, 1, 1)).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sum of squares of all entries (the squared global norm used for gradient clipping).
    ///
    /// ```
    /// use replay_core::{NetworkConfig, Weights};
    /// let mut w = Weights::<f64>::zeros(&NetworkConfig::new(2, 1, 1));
    /// w.w[(0, 1)] = 3.0;
    /// w.c[0] = 4.0;
    /// assert_eq!(w.norm_squared(), 25.0);
    /// ```
    pub fn norm_squared(&self) -> T {
        let mut total = T::zero();
        for (_, g) in self.groups() {
            total += g.iter().fold(T::zero(), |s, &x| s + x * x);
        }
        total
    }

    /// Checks every group's shape against the configuration.
    ///
    /// ```
    /// use nalgebra::DMatrix;
    /// use replay_core::{NetworkConfig, Weights};
    /// let config = NetworkConfig::new(3, 2, 2);
    /// let mut w = Weights::<f64>::zeros(&config);
    /// assert!(w.check_shapes(&config).is_ok());
    /// w.u = DMatrix::zeros(3, 1);
    /// assert_eq!(w.check_shapes(&config).unwrap_err().what, "U");
    /// ```
    pub fn check_shapes(&self, config: &NetworkConfig) -> Result<(), ShapeError> {
        let found = [
            self.w.shape(),
            self.u.shape(),
            self.b.shape(),
            self.d.shape(),
            self.c.shape(),
            self.e.shape(),
        ];
        for ((name, expected), found) in GROUPS.into_iter().zip(Self::shapes(config)).zip(found) {
            ShapeError::check(name, expected, found)?;
        }
        Ok(())
    }

    /// The first NaN or infinite entry, as a [`NetworkError::NonFinite`].
    ///
    /// ```
    /// use replay_core::{NetworkConfig, NetworkError, Weights};
    /// let mut w = Weights::<f32>::zeros(&NetworkConfig::new(2, 2, 2));
    /// assert!(w.check_finite().is_ok());
    /// w.d[(1, 0)] = f32::INFINITY;
    /// assert_eq!(w.check_finite().unwrap_err(), NetworkError::NonFinite { group: "D", index: 1 });
    /// ```
    pub fn check_finite(&self) -> Result<(), NetworkError> {
        for (group, g) in self.groups() {
            if let Some(index) = g.iter().position(|x| !x.is_finite()) {
                return Err(NetworkError::NonFinite { group, index });
            }
        }
        Ok(())
    }

    /// Converts every entry to another scalar type (e.g. `f32` weights to `f64`), through `f64`
    /// (exact for `f32` and `f64`).
    ///
    /// ```
    /// use replay_core::{NetworkConfig, Weights};
    /// let w = Weights::<f32>::zeros(&NetworkConfig::new(2, 2, 2));
    /// let w64: Weights<f64> = w.cast();
    /// assert_eq!(w64.w.shape(), (2, 2));
    /// ```
    pub fn cast<S: RealField + Copy>(&self) -> Weights<S> {
        let f = |x: &T| -> S { nalgebra::convert(x.to_subset().unwrap_or(f64::NAN)) };
        Weights {
            w: self.w.map(|x| f(&x)),
            u: self.u.map(|x| f(&x)),
            b: self.b.map(|x| f(&x)),
            d: self.d.map(|x| f(&x)),
            c: self.c.map(|x| f(&x)),
            e: self.e.map(|x| f(&x)),
        }
    }
}

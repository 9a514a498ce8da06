//! A least-squares linear decoder from codes to positions.

use nalgebra::DMatrix;

use crate::error::non_negative;
use crate::{Decode, Encode, Point, TaskError};

/// The affine map `x ≈ W y + c` fitted by ridge regression on the codes of known positions.
///
/// Minimises `(1/m) Σ_j |W y_j + c − x_j|² + ridge · |W|²` over `m` fitting positions (the
/// intercept `c` is not penalised), by a Cholesky solve of the normal equations. Place-cell
/// codes sum to one, which makes the intercept redundant, so they need `ridge > 0`.
///
/// ```
/// use rand::SeedableRng;
/// use replay_tasks::{Decode, LinearDecoder, StationaryPositions, TrackTask};
/// let track = TrackTask::triangle(Default::default()).unwrap();
/// let fit_at = track.sample_positions(&mut rand_chacha::ChaCha8Rng::seed_from_u64(0), 50);
/// // Codes of a track are its positions, so the fitted map is the identity.
/// let decoder = LinearDecoder::fit(&track, &fit_at, 0.0).unwrap();
/// let x = decoder.decode_slice(&[0.3, -0.2]);
/// assert!((x[0] - 0.3).abs() < 1e-9 && (x[1] + 0.2).abs() < 1e-9);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LinearDecoder {
    /// `2 × (code_dim + 1)`: the weights, then the intercept in the last column.
    weights: DMatrix<f64>,
}

impl LinearDecoder {
    /// Fits the decoder on the codes `encoder` gives to `positions`.
    ///
    /// ```
    /// use replay_tasks::{LinearDecoder, TaskError, TrackTask};
    /// let track = TrackTask::linear(Default::default()).unwrap();
    /// // Points on a line cannot fix a map of the plane.
    /// let err = LinearDecoder::fit(&track, &[[0.0, 0.0], [0.5, 0.0], [1.0, 0.0]], 0.0).unwrap_err();
    /// assert!(matches!(err, TaskError::SingularFit { .. }));
    /// ```
    pub fn fit<E: Encode + ?Sized>(
        encoder: &E,
        positions: &[Point],
        ridge: f64,
    ) -> Result<Self, TaskError> {
        let ridge = non_negative("ridge", ridge)?;
        for (j, x) in positions.iter().enumerate() {
            crate::error::finite_point(&format!("positions[{j}]"), *x)?;
        }
        let dim = encoder.output_dim();
        let m = positions.len();
        let features = dim + 1;
        let singular = TaskError::SingularFit {
            samples: m,
            features,
            ridge,
        };
        if m == 0 {
            return Err(singular);
        }
        let mut codes = DMatrix::<f64>::zeros(features, m);
        let mut targets = DMatrix::<f64>::zeros(2, m);
        for (j, x) in positions.iter().enumerate() {
            let column = &mut codes.as_mut_slice()[j * features..(j + 1) * features];
            encoder.encode_into(*x, &mut column[..dim]);
            column[dim] = 1.0;
            targets[(0, j)] = x[0];
            targets[(1, j)] = x[1];
        }
        let scale = 1.0 / m as f64;
        let mut gram = &codes * codes.transpose() * scale;
        for i in 0..dim {
            gram[(i, i)] += ridge;
        }
        let cross = &codes * targets.transpose() * scale; // features × 2
        let cholesky = gram.cholesky().ok_or(singular.clone())?;
        // A numerically singular system can pass the factorisation with a tiny pivot.
        let diagonal = cholesky.l_dirty().diagonal();
        let (lo, hi) = diagonal
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), d| {
                (lo.min(d.abs()), hi.max(d.abs()))
            });
        if lo.is_nan() || lo <= 1e-7 * hi {
            return Err(singular);
        }
        let weights = cholesky.solve(&cross).transpose();
        Ok(Self { weights })
    }

    /// The fitted `2 × (code_dim + 1)` matrix: weights, then the intercept column.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use replay_tasks::{LinearDecoder, StationaryPositions, TrackTask};
    /// let maze = TrackTask::t_maze(Default::default()).unwrap();
    /// let xs = maze.sample_positions(&mut rand_chacha::ChaCha8Rng::seed_from_u64(0), 20);
    /// assert_eq!(LinearDecoder::fit(&maze, &xs, 0.0).unwrap().weights().shape(), (2, 3));
    /// ```
    pub fn weights(&self) -> &DMatrix<f64> {
        &self.weights
    }
}

impl Decode for LinearDecoder {
    fn code_dim(&self) -> usize {
        self.weights.ncols() - 1
    }

    fn decode_slice(&self, code: &[f64]) -> Point {
        let dim = self.code_dim();
        let mut x = [self.weights[(0, dim)], self.weights[(1, dim)]];
        for (i, value) in code[..dim].iter().enumerate() {
            x[0] += self.weights[(0, i)] * value;
            x[1] += self.weights[(1, i)] * value;
        }
        x
    }
}

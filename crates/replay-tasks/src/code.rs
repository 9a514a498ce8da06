//! Codes: how positions become the network's targets, and how outputs become positions again.

use nalgebra::{DMatrix, RealField};

use crate::walk::convert_matrix;
use crate::{Point, Task, TaskError};

/// Encodes positions into target codes `y*(x)` (the network's `h_0 = E y*(x_0)` needs them).
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_tasks::{Encode, TrackParams, TrackTask};
///
/// let track = TrackTask::t_maze(TrackParams::default()).unwrap();
/// let codes: DMatrix<f32> = track.encode(&[[0.0, -0.5], [1.0, 0.0]]);
/// assert_eq!(codes.shape(), (2, 2));
/// assert_eq!(codes[(1, 0)], -0.5);
/// ```
pub trait Encode: Task {
    /// Writes the code of `x` into `code`.
    ///
    /// # Panics
    ///
    /// If `code.len() != self.output_dim()`.
    fn encode_into(&self, x: Point, code: &mut [f64]);

    /// The codes of `positions`, one column each, converted to `T` once.
    fn encode<T: RealField + Copy>(&self, positions: &[Point]) -> DMatrix<T> {
        let dim = self.output_dim();
        let mut codes = DMatrix::<f64>::zeros(dim, positions.len());
        for (j, x) in positions.iter().enumerate() {
            self.encode_into(*x, &mut codes.as_mut_slice()[j * dim..(j + 1) * dim]);
        }
        convert_matrix(&codes)
    }
}

/// Decodes codes (true or network outputs) back into positions.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_tasks::{Decode, TrackParams, TrackTask};
///
/// let track = TrackTask::linear(TrackParams::default()).unwrap();
/// let outputs = DMatrix::<f32>::from_column_slice(2, 2, &[0.5, 0.1, -0.25, 0.0]);
/// let xs = track.decode(&outputs).unwrap();
/// assert_eq!(xs, vec![[0.5, 0.1f32 as f64], [-0.25, 0.0]]);
/// assert!(track.decode(&DMatrix::<f32>::zeros(3, 1)).is_err());
/// ```
pub trait Decode {
    /// Length of the codes this decoder reads.
    fn code_dim(&self) -> usize;

    /// The position a single code stands for.
    ///
    /// # Panics
    ///
    /// May panic if `code.len() != self.code_dim()`.
    fn decode_slice(&self, code: &[f64]) -> Point;

    /// Decodes every column of `codes` (`code_dim × n`), computing in `f64`.
    fn decode<T: RealField + Copy>(&self, codes: &DMatrix<T>) -> Result<Vec<Point>, TaskError> {
        let dim = self.code_dim();
        if codes.nrows() != dim {
            return Err(TaskError::Shape {
                field: "codes".into(),
                expected: dim,
                got: codes.nrows(),
            });
        }
        let mut buffer = vec![0.0; dim];
        Ok(codes
            .column_iter()
            .map(|column| {
                for (slot, value) in buffer.iter_mut().zip(column.iter()) {
                    *slot = nalgebra::try_convert::<T, f64>(*value).unwrap_or(f64::NAN);
                }
                self.decode_slice(&buffer)
            })
            .collect())
    }
}

//! Place cells: a population code of position, and its top-k decoder.

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::error::{count, finite_point, positive};
use crate::{Decode, Point, TaskError};

/// Parameters of a place-cell population.
///
/// ```
/// let p = replay_tasks::PlaceCellParams::default();
/// assert_eq!((p.n_cells, p.sigma, p.decode_k), (512, 0.2, 3));
/// assert!(p.surround_scale.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlaceCellParams {
    /// Number of cells (≥ 1).
    pub n_cells: usize,
    /// Width σ of the Gaussian tuning curves, in metres (> 0).
    pub sigma: f64,
    /// With `Some(s)` (s > 1), difference of Gaussians: a surround of variance `s σ²` is
    /// subtracted, as in Sorscher et al.'s generator.
    pub surround_scale: Option<f64>,
    /// Cells averaged by the top-k decoder (1 ≤ k ≤ n_cells).
    pub decode_k: usize,
}

impl Default for PlaceCellParams {
    fn default() -> Self {
        Self {
            n_cells: 512,
            sigma: 0.2,
            surround_scale: None,
            decode_k: 3,
        }
    }
}

impl PlaceCellParams {
    /// Checks every field; the tuning width must exceed 1e-150 so that its square is not zero.
    ///
    /// ```
    /// let p = replay_tasks::PlaceCellParams { n_cells: 0, ..Default::default() };
    /// assert!(p.validate().unwrap_err().to_string().contains("n_cells"));
    /// ```
    pub fn validate(&self) -> Result<(), TaskError> {
        count("n_cells", self.n_cells)?;
        positive("sigma", self.sigma)?;
        // 2σ² must not underflow to zero: it divides every squared distance.
        if self.sigma <= 1.0 / crate::error::SCALE_LIMIT {
            return Err(TaskError::OutOfRange {
                field: "sigma".into(),
                value: self.sigma,
                range: format!("({:e}, ∞)", 1.0 / crate::error::SCALE_LIMIT),
            });
        }
        if let Some(s) = self.surround_scale
            && crate::error::finite("surround_scale", s)? <= 1.0
        {
            return Err(TaskError::OutOfRange {
                field: "surround_scale".into(),
                value: s,
                range: "(1, ∞)".into(),
            });
        }
        count("decode_k", self.decode_k)?;
        if self.decode_k > self.n_cells {
            return Err(TaskError::TooLarge {
                field: "decode_k".into(),
                value: self.decode_k,
                max: self.n_cells,
            });
        }
        Ok(())
    }
}

/// A population of place cells with Gaussian tuning normalised by a softmax over cells.
///
/// Cell `i` fires `exp(−|x − c_i|²/2σ²) / Σ_j exp(−|x − c_j|²/2σ²)`, so the code is a probability
/// vector. With a surround, the surround's softmax is subtracted, the result shifted so that its
/// minimum is zero and rescaled to sum to one (as in Sorscher et al.); if every cell is then
/// equal (one cell, or a point equidistant from all), the code is uniform.
///
/// ```
/// use replay_tasks::{PlaceCellParams, PlaceCells};
/// let cells = PlaceCells::with_centres(vec![[0.0, 0.0], [1.0, 0.0]], PlaceCellParams { decode_k: 1, ..Default::default() }).unwrap();
/// let mut code = [0.0; 2];
/// cells.encode_into([0.5, 0.0], &mut code);
/// assert!((code[0] - 0.5).abs() < 1e-15);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PlaceCells {
    centres: Vec<Point>,
    params: PlaceCellParams,
}

impl PlaceCells {
    /// `params.n_cells` cells with centres drawn uniformly in the square `[lo, hi]²`.
    ///
    /// ```
    /// use rand::SeedableRng;
    /// use replay_tasks::{PlaceCellParams, PlaceCells};
    /// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
    /// let cells = PlaceCells::uniform(PlaceCellParams::default(), -1.1, 1.1, &mut rng).unwrap();
    /// assert_eq!(cells.centres().len(), 512);
    /// ```
    pub fn uniform<R: Rng + ?Sized>(
        params: PlaceCellParams,
        lo: f64,
        hi: f64,
        rng: &mut R,
    ) -> Result<Self, TaskError> {
        params.validate()?;
        crate::error::finite("lo", lo)?;
        positive("hi - lo", crate::error::finite("hi", hi)? - lo)?;
        let centres = (0..params.n_cells)
            .map(|_| {
                [
                    lo + (hi - lo) * rng.random::<f64>(),
                    lo + (hi - lo) * rng.random::<f64>(),
                ]
            })
            .collect();
        Ok(Self { centres, params })
    }

    /// Cells at given centres; `params.n_cells` is set to their number.
    ///
    /// ```
    /// use replay_tasks::{PlaceCellParams, PlaceCells};
    /// assert!(PlaceCells::with_centres(vec![], PlaceCellParams::default()).is_err());
    /// ```
    pub fn with_centres(centres: Vec<Point>, params: PlaceCellParams) -> Result<Self, TaskError> {
        for (i, c) in centres.iter().enumerate() {
            finite_point(&format!("centres[{i}]"), *c)?;
        }
        let params = PlaceCellParams {
            n_cells: centres.len(),
            ..params
        };
        params.validate()?;
        Ok(Self { centres, params })
    }

    /// The cells' centres.
    ///
    /// ```
    /// use replay_tasks::{PlaceCellParams, PlaceCells};
    /// let cells = PlaceCells::with_centres(vec![[0.5, 0.5]], PlaceCellParams { decode_k: 1, ..Default::default() }).unwrap();
    /// assert_eq!(cells.centres(), &[[0.5, 0.5]]);
    /// ```
    pub fn centres(&self) -> &[Point] {
        &self.centres
    }

    /// The parameters (with `n_cells` equal to the number of centres).
    ///
    /// ```
    /// use replay_tasks::{PlaceCellParams, PlaceCells};
    /// let cells = PlaceCells::with_centres(vec![[0.0, 0.0]; 4], PlaceCellParams::default()).unwrap();
    /// assert_eq!(cells.params().n_cells, 4);
    /// ```
    pub fn params(&self) -> &PlaceCellParams {
        &self.params
    }

    /// Writes the population code of `x` into `code`.
    ///
    /// # Panics
    ///
    /// If `code.len()` is not the number of cells.
    ///
    /// ```
    /// use replay_tasks::{PlaceCellParams, PlaceCells};
    /// let cells = PlaceCells::with_centres(vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], PlaceCellParams::default()).unwrap();
    /// let mut code = [0.0; 3];
    /// cells.encode_into([0.1, 0.1], &mut code);
    /// assert!((code.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    /// assert!(code[0] > code[1]);
    /// ```
    pub fn encode_into(&self, x: Point, code: &mut [f64]) {
        assert_eq!(
            code.len(),
            self.centres.len(),
            "code length must equal the number of place cells"
        );
        let sigma2 = self.params.sigma * self.params.sigma;
        self.softmax_into(x, 2.0 * sigma2, code);
        let Some(scale) = self.params.surround_scale else {
            return;
        };
        // Second pass for the surround; the differences are formed cell by cell, so no buffer.
        let width = 2.0 * scale * sigma2;
        let (max_logit, total) = self.logit_stats(x, width);
        let mut min = f64::INFINITY;
        for (value, c) in code.iter_mut().zip(&self.centres) {
            *value -= (-dist2(x, *c) / width - max_logit).exp() / total;
            min = min.min(*value);
        }
        let mut sum = 0.0;
        for value in code.iter_mut() {
            *value -= min;
            sum += *value;
        }
        let n = code.len() as f64;
        for value in code.iter_mut() {
            *value = if sum > 0.0 { *value / sum } else { 1.0 / n };
        }
    }

    /// The softmax of `−|x − c_i|² / width` over cells, into `code`.
    fn softmax_into(&self, x: Point, width: f64, code: &mut [f64]) {
        let (max_logit, total) = self.logit_stats(x, width);
        for (value, c) in code.iter_mut().zip(&self.centres) {
            *value = (-dist2(x, *c) / width - max_logit).exp() / total;
        }
    }

    /// The largest logit and the sum of shifted exponentials (shifted for stability).
    fn logit_stats(&self, x: Point, width: f64) -> (f64, f64) {
        let max_logit = self
            .centres
            .iter()
            .map(|c| -dist2(x, *c) / width)
            .fold(f64::NEG_INFINITY, f64::max);
        let total = self
            .centres
            .iter()
            .map(|c| (-dist2(x, *c) / width - max_logit).exp())
            .sum();
        (max_logit, total)
    }

    /// The mean of the centres of the `k` most active cells (ties go to the lower index; NaN
    /// activities count as least active).
    ///
    /// # Panics
    ///
    /// If `code.len()` is not the number of cells.
    ///
    /// ```
    /// use replay_tasks::{PlaceCellParams, PlaceCells};
    /// let cells = PlaceCells::with_centres(vec![[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], PlaceCellParams::default()).unwrap();
    /// assert_eq!(cells.decode_top_k(&[0.5, 0.3, 0.2], 2), [0.5, 0.0]);
    /// ```
    pub fn decode_top_k(&self, code: &[f64], k: usize) -> Point {
        assert_eq!(
            code.len(),
            self.centres.len(),
            "code length must equal the number of place cells"
        );
        let k = k.clamp(1, code.len());
        // Insertion into a small sorted list: O(n k), no allocation beyond k indices.
        let mut top: Vec<usize> = Vec::with_capacity(k + 1);
        let better =
            |a: usize, b: usize| code[a] > code[b] || (code[b].is_nan() && !code[a].is_nan());
        for i in 0..code.len() {
            let slot = top.iter().position(|&j| better(i, j)).unwrap_or(top.len());
            if slot < k {
                top.insert(slot, i);
                top.truncate(k);
            }
        }
        let mut mean = [0.0; 2];
        for &i in &top {
            mean[0] += self.centres[i][0] / top.len() as f64;
            mean[1] += self.centres[i][1] / top.len() as f64;
        }
        mean
    }
}

fn dist2(x: Point, c: Point) -> f64 {
    (x[0] - c[0]).powi(2) + (x[1] - c[1]).powi(2)
}

impl Decode for PlaceCells {
    fn code_dim(&self) -> usize {
        self.centres.len()
    }

    fn decode_slice(&self, code: &[f64]) -> Point {
        self.decode_top_k(code, self.params.decode_k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three_cells(surround: Option<f64>) -> PlaceCells {
        let params = PlaceCellParams {
            sigma: 0.5,
            surround_scale: surround,
            ..Default::default()
        };
        PlaceCells::with_centres(vec![[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]], params).unwrap()
    }

    #[test]
    fn place_code_matches_hand_computed_softmax() {
        let cells = three_cells(None);
        let x = [0.2, 0.4];
        let mut code = [0.0; 3];
        cells.encode_into(x, &mut code);
        // |x - c|² = 0.2, 0.8, 2.6; logits -d²/(2·0.25) = -0.4, -1.6, -5.2.
        let e = [(-0.4f64).exp(), (-1.6f64).exp(), (-5.2f64).exp()];
        let s: f64 = e.iter().sum();
        for i in 0..3 {
            assert!((code[i] - e[i] / s).abs() < 1e-15, "{i}");
        }
    }

    #[test]
    fn place_code_difference_of_gaussians_matches_hand_computation() {
        let cells = three_cells(Some(2.0));
        let x = [0.2, 0.4];
        let mut code = [0.0; 3];
        cells.encode_into(x, &mut code);
        let soft = |w: f64| {
            let e = [(-0.2 / w).exp(), (-0.8 / w).exp(), (-2.6 / w).exp()];
            let s: f64 = e.iter().sum();
            e.map(|v| v / s)
        };
        let (centre, surround) = (soft(0.5), soft(1.0));
        let diff: Vec<f64> = (0..3).map(|i| centre[i] - surround[i]).collect();
        let min = diff.iter().copied().fold(f64::INFINITY, f64::min);
        let total: f64 = diff.iter().map(|d| d - min).sum();
        for i in 0..3 {
            assert!((code[i] - (diff[i] - min) / total).abs() < 1e-15, "{i}");
        }
        assert!((code.iter().sum::<f64>() - 1.0).abs() < 1e-15);
    }

    #[test]
    fn place_code_single_cell_with_surround_is_uniform_not_nan() {
        let params = PlaceCellParams {
            surround_scale: Some(2.0),
            decode_k: 1,
            ..Default::default()
        };
        let cells = PlaceCells::with_centres(vec![[0.0, 0.0]], params).unwrap();
        let mut code = [0.0];
        cells.encode_into([3.0, 3.0], &mut code);
        assert_eq!(code, [1.0]);
    }

    #[test]
    fn place_code_far_from_every_cell_stays_finite() {
        let cells = three_cells(None);
        let mut code = [0.0; 3];
        cells.encode_into([1e3, -1e3], &mut code);
        assert!(code.iter().all(|v| v.is_finite()));
        assert!((code.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn place_top_k_matches_sorting() {
        let centres: Vec<Point> = (0..9).map(|i| [i as f64, (i * i) as f64]).collect();
        let cells = PlaceCells::with_centres(centres.clone(), PlaceCellParams::default()).unwrap();
        let code = [0.3, 0.9, 0.1, 0.9, f64::NAN, 0.5, 0.7, 0.0, 0.2];
        for k in 1..=8 {
            let mut order: Vec<usize> = (0..9).filter(|&i| !code[i].is_nan()).collect();
            order.sort_by(|&a, &b| code[b].partial_cmp(&code[a]).unwrap().then(a.cmp(&b)));
            let expect = order[..k].iter().fold([0.0, 0.0], |m, &i| {
                [
                    m[0] + centres[i][0] / k as f64,
                    m[1] + centres[i][1] / k as f64,
                ]
            });
            let got = cells.decode_top_k(&code, k);
            assert!(
                (got[0] - expect[0]).abs() < 1e-12 && (got[1] - expect[1]).abs() < 1e-12,
                "k={k}"
            );
        }
    }

    #[test]
    fn rejects_bad_place_parameters() {
        let bad = [
            (
                PlaceCellParams {
                    sigma: 0.0,
                    ..Default::default()
                },
                "sigma",
            ),
            (
                PlaceCellParams {
                    sigma: f64::NAN,
                    ..Default::default()
                },
                "sigma",
            ),
            (
                PlaceCellParams {
                    surround_scale: Some(1.0),
                    ..Default::default()
                },
                "surround_scale",
            ),
            (
                PlaceCellParams {
                    decode_k: 0,
                    ..Default::default()
                },
                "decode_k",
            ),
            (
                PlaceCellParams {
                    decode_k: 600,
                    ..Default::default()
                },
                "decode_k",
            ),
        ];
        for (params, field) in bad {
            let msg = params.validate().unwrap_err().to_string();
            assert!(msg.contains(field), "{msg}");
        }
    }
}

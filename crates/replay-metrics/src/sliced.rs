//! Sliced Wasserstein distance: the average of exact 1-D distances between random projections.

use nalgebra::DMatrix;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::one_d::sorted_uniform_pow;
use crate::sort::{key, sort_keys, value};
use crate::{Order, Result, check};

/// Sliced `W_p` between the uniform empirical distributions of `x` and `y` (`dim × n` and
/// `dim × m`, one column per point, any sizes).
///
/// `SW_p^p = (1/K) Σ_k W_p^p(θ_k·X, θ_k·Y)` over `K = n_projections` directions `θ_k` drawn
/// uniformly on the unit sphere from `rng`. Every projection is 1-Lipschitz, so `SW_p ≤ W_p`
/// for any set of directions; as `K` grows it converges to the expectation over the sphere (for
/// `Y = X + c`, `SW_2 → ‖c‖/√dim`). Cost: `O(K (n + m)(dim + log))`; the sorts are radix sorts
/// on reused buffers, so nothing is allocated per projection. The same RNG state gives a
/// bit-identical result.
///
/// ```
/// use nalgebra::DMatrix;
/// use rand::SeedableRng;
/// use rand_chacha::ChaCha8Rng;
/// use replay_metrics::{Order, sliced_wasserstein};
///
/// let x = DMatrix::from_fn(2, 500, |i, j| ((i + 1) * j) as f64 % 7.0);
/// let y = x.map(|v| v + 1.0); // shifted by c = (1, 1), ‖c‖ = √2
/// let mut rng = ChaCha8Rng::seed_from_u64(1);
/// let sw = sliced_wasserstein(&x, &y, Order::W2, 2000, &mut rng).unwrap();
/// // ‖c‖/√2 = 1 in the limit of many projections.
/// assert!((sw - 1.0).abs() < 0.03);
/// ```
pub fn sliced_wasserstein<R: Rng + ?Sized>(
    x: &DMatrix<f64>,
    y: &DMatrix<f64>,
    order: Order,
    n_projections: usize,
    rng: &mut R,
) -> Result<f64> {
    check::point_pair(x, y)?;
    check::positive("n_projections", n_projections)?;
    let dim = x.nrows();
    let directions = random_directions(dim, n_projections, rng);
    let mut kx = Vec::with_capacity(x.ncols());
    let mut ky = Vec::with_capacity(y.ncols());
    let mut scratch = Vec::with_capacity(x.ncols().max(y.ncols()));
    let mut xs = Vec::with_capacity(x.ncols());
    let mut ys = Vec::with_capacity(y.ncols());
    let mut total = 0.0;
    for theta in directions.chunks_exact(dim) {
        project_sorted(x, theta, &mut kx, &mut scratch, &mut xs);
        project_sorted(y, theta, &mut ky, &mut scratch, &mut ys);
        total += sorted_uniform_pow(&xs, &ys, order);
    }
    Ok(order.root(total / n_projections as f64))
}

/// `count` unit vectors uniform on the sphere in `R^dim`, stored one after another. Drawn up
/// front so that the sequence of directions depends on the RNG alone.
fn random_directions<R: Rng + ?Sized>(dim: usize, count: usize, rng: &mut R) -> Vec<f64> {
    let mut dirs = vec![0.0; dim * count];
    for theta in dirs.chunks_exact_mut(dim) {
        loop {
            for t in theta.iter_mut() {
                *t = StandardNormal.sample(rng);
            }
            let norm = theta.iter().map(|t| t * t).sum::<f64>().sqrt();
            // A zero (or subnormal) Gaussian vector has probability zero; draw again if it comes.
            if norm > 1e-150 {
                theta.iter_mut().for_each(|t| *t /= norm);
                break;
            }
        }
    }
    dirs
}

/// Projects the columns of `points` onto `theta` and leaves the sorted values in `out`.
fn project_sorted(
    points: &DMatrix<f64>,
    theta: &[f64],
    keys: &mut Vec<u64>,
    scratch: &mut Vec<u64>,
    out: &mut Vec<f64>,
) {
    let dim = theta.len();
    keys.clear();
    match dim {
        1 => keys.extend(points.as_slice().iter().map(|&p| key(p * theta[0]))),
        2 => keys.extend(
            points
                .as_slice()
                .chunks_exact(2)
                .map(|p| key(p[0] * theta[0] + p[1] * theta[1])),
        ),
        _ => keys.extend(
            points
                .as_slice()
                .chunks_exact(dim)
                .map(|p| key(p.iter().zip(theta).map(|(a, b)| a * b).sum())),
        ),
    }
    sort_keys(keys, scratch);
    out.clear();
    out.extend(keys.iter().map(|&k| value(k)));
}

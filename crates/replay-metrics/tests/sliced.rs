//! Sliced Wasserstein: closed forms for translates, the bound by the exact distance,
//! convergence in the number of projections, reproducibility.

mod common;

use common::gaussian_cloud;
use nalgebra::DMatrix;
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_metrics::{Order, sliced_wasserstein, wasserstein, wasserstein_1d};

/// For `Y = X + c`, every projection is an exact translate by `θ·c`, so
/// `SW_2² = mean_k (θ_k·c)²`, with expectation `‖c‖²/d` and, in 2-D, variance `‖c‖⁴/(8K)`.
#[test]
fn sliced_w2_of_a_translate_converges_to_shift_over_sqrt_dim() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let x = gaussian_cloud(&mut rng, 2, 300, 0.0);
    let c = [1.2, -0.5];
    let y = DMatrix::from_fn(2, 300, |i, j| x[(i, j)] + c[i]);
    let c2 = c[0] * c[0] + c[1] * c[1];
    let k = 20_000;
    let sw = sliced_wasserstein(&x, &y, Order::W2, k, &mut ChaCha8Rng::seed_from_u64(2)).unwrap();
    let sd = c2 / (8.0f64).sqrt() / (k as f64).sqrt();
    assert!(
        (sw * sw - c2 / 2.0).abs() < 4.0 * sd,
        "SW2² = {}, expected {}",
        sw * sw,
        c2 / 2.0
    );
}

/// `SW_1 → E|θ·c| = 2‖c‖/π` in 2-D.
#[test]
fn sliced_w1_of_a_translate_converges_to_two_over_pi_times_shift() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let x = gaussian_cloud(&mut rng, 2, 200, 0.0);
    let y = x.map(|v| v + 1.0);
    let norm = 2f64.sqrt();
    let sw =
        sliced_wasserstein(&x, &y, Order::W1, 20_000, &mut ChaCha8Rng::seed_from_u64(4)).unwrap();
    // sd of |cos φ| is sqrt(1/2 − 4/π²) ≈ 0.308; 4 sd / √K ≈ 0.0087 (relative).
    assert!(
        (sw - 2.0 * norm / std::f64::consts::PI).abs() < 0.0087 * norm,
        "SW1 = {sw}"
    );
}

#[test]
fn sliced_error_shrinks_as_projections_grow() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let x = gaussian_cloud(&mut rng, 3, 200, 0.0);
    let c = [1.0, 0.5, -0.3];
    let y = DMatrix::from_fn(3, 200, |i, j| x[(i, j)] + c[i]);
    let target = (c.iter().map(|v| v * v).sum::<f64>() / 3.0).sqrt();
    let mean_error = |k: usize| {
        (0..20)
            .map(|seed| {
                let sw =
                    sliced_wasserstein(&x, &y, Order::W2, k, &mut ChaCha8Rng::seed_from_u64(seed))
                        .unwrap();
                (sw - target).abs()
            })
            .sum::<f64>()
            / 20.0
    };
    let (coarse, fine) = (mean_error(16), mean_error(4096));
    // Monte Carlo error scales as 1/√K: a 256-fold K should cut it about 16-fold.
    assert!(
        fine < coarse / 6.0,
        "error {coarse} at K = 16, {fine} at K = 4096"
    );
    assert!(fine < 0.01, "error {fine} at K = 4096");
}

#[test]
fn sliced_is_reproducible_from_the_seed() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let x = gaussian_cloud(&mut rng, 4, 500, 0.0);
    let y = gaussian_cloud(&mut rng, 4, 700, 0.3);
    let run = |seed| {
        sliced_wasserstein(&x, &y, Order::W2, 50, &mut ChaCha8Rng::seed_from_u64(seed)).unwrap()
    };
    assert_eq!(run(7).to_bits(), run(7).to_bits());
    assert_ne!(run(7).to_bits(), run(8).to_bits());
}

#[test]
fn sliced_in_one_dimension_is_the_exact_distance_for_unequal_sizes() {
    // In 1-D every direction is ±1, an isometry: SW equals W exactly, here with sizes 400 and
    // 1000 so that both the sorted-merge path and the radix sort (n ≥ 256) are exercised.
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let x = gaussian_cloud(&mut rng, 1, 400, 0.0);
    let y = gaussian_cloud(&mut rng, 1, 1000, 0.5);
    for order in [Order::W1, Order::W2] {
        let exact = wasserstein_1d(x.as_slice(), y.as_slice(), order).unwrap();
        let sw = sliced_wasserstein(&x, &y, order, 3, &mut ChaCha8Rng::seed_from_u64(1)).unwrap();
        assert!((sw - exact).abs() < 1e-12, "{order:?}: {sw} vs {exact}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Projections are 1-Lipschitz, so every slice is at most the exact distance.
    #[test]
    fn sliced_w2_never_exceeds_exact_w2(
        n in 1usize..40,
        dim in 2usize..5,
        seed in any::<u64>(),
        shift in 0.0..2.0f64,
    ) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let x = gaussian_cloud(&mut rng, dim, n, 0.0);
        let y = gaussian_cloud(&mut rng, dim, n, shift);
        let exact = wasserstein(&x, &y, Order::W2).unwrap();
        let sw = sliced_wasserstein(&x, &y, Order::W2, 64, &mut rng).unwrap();
        prop_assert!(sw <= exact * (1.0 + 1e-12) + 1e-12, "SW2 {} > W2 {}", sw, exact);
    }
}

//! Exact Wasserstein distances: brute force, hand-computed cases, closed forms and metric laws.

mod common;

use common::{brute_force_assignment, brute_force_wasserstein_pow, gaussian_cloud, permutations};
use nalgebra::DMatrix;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use replay_metrics::{
    Order, solve_assignment, solve_transport, subsample, wasserstein, wasserstein_1d,
    wasserstein_1d_weighted, wasserstein_assignment, wasserstein_weighted,
};

#[test]
fn wasserstein_permutation_helper_enumerates_all_orders() {
    let perms = permutations(5);
    assert_eq!(perms.len(), 120);
    let mut sorted = perms.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 120);
}

#[test]
fn wasserstein_assignment_matches_brute_force_on_random_costs() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for n in 1..=8 {
        for _ in 0..6 {
            let cost: Vec<f64> = (0..n * n).map(|_| rng.random_range(-5.0..5.0)).collect();
            let a = solve_assignment(&cost, n).unwrap();
            let mut seen = a.row_to_col.clone();
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>(), "not a permutation");
            let recomputed: f64 = a
                .row_to_col
                .iter()
                .enumerate()
                .map(|(i, &j)| cost[i * n + j])
                .sum();
            assert_eq!(a.cost, recomputed);
            let best = brute_force_assignment(&cost, n);
            assert!(
                (a.cost - best).abs() < 1e-12,
                "n = {n}: {} vs {best}",
                a.cost
            );
        }
    }
}

#[test]
fn wasserstein_assignment_matches_brute_force_with_many_ties() {
    // Small integer costs: many optimal permutations and exact ties in every phase.
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for n in 2..=8 {
        for _ in 0..6 {
            let cost: Vec<f64> = (0..n * n).map(|_| rng.random_range(0..3) as f64).collect();
            let a = solve_assignment(&cost, n).unwrap();
            assert_eq!(a.cost, brute_force_assignment(&cost, n), "n = {n}");
        }
    }
    // All costs equal.
    let a = solve_assignment(&[7.0; 36], 6).unwrap();
    assert_eq!(a.cost, 42.0);
}

#[test]
fn wasserstein_assignment_agrees_with_transport_solver_on_larger_problems() {
    // Two independent exact algorithms (auction + shortest paths vs primal-dual transport).
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for &n in &[20, 60] {
        let cost: Vec<f64> = (0..n * n).map(|_| rng.random_range(0.0..100.0)).collect();
        let a = solve_assignment(&cost, n).unwrap();
        let w = vec![1.0; n];
        let t = solve_transport(&cost, &w, &w).unwrap();
        assert!(
            (a.cost / n as f64 - t.cost).abs() < 1e-9 * t.cost,
            "n = {n}"
        );
    }
}

#[test]
fn wasserstein_points_match_brute_force_in_2d_and_3d() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for dim in [2, 3] {
        for n in 1..=7 {
            let x = gaussian_cloud(&mut rng, dim, n, 0.0);
            let y = gaussian_cloud(&mut rng, dim, n, 0.7);
            for (order, p) in [(Order::W1, 1.0), (Order::W2, 2.0)] {
                let expected = brute_force_wasserstein_pow(&x, &y, p).powf(1.0 / p);
                let got = wasserstein_assignment(&x, &y, order).unwrap();
                assert!(
                    (got - expected).abs() < 1e-12,
                    "dim {dim}, n {n}, {order:?}"
                );
            }
        }
    }
}

#[test]
fn wasserstein_hand_computed_cases() {
    // Two points on a line, shifted by 1: matching in order costs 1 each.
    let x = DMatrix::from_column_slice(2, 2, &[0.0, 0.0, 2.0, 0.0]);
    let y = DMatrix::from_column_slice(2, 2, &[1.0, 0.0, 3.0, 0.0]);
    assert_eq!(wasserstein(&x, &y, Order::W1).unwrap(), 1.0);
    assert_eq!(wasserstein(&x, &y, Order::W2).unwrap(), 1.0);
    // Unit square corners against the square rotated by 90°: the same set, distance 0.
    let sq = DMatrix::from_column_slice(2, 4, &[0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0]);
    let rot = DMatrix::from_column_slice(2, 4, &[1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0]);
    assert_eq!(wasserstein(&sq, &rot, Order::W2).unwrap(), 0.0);
    // W1 and W2 disagree on the plan: x = {0, 3}, y = {1, 2} (1-D, as columns in 2-D).
    // Monotone plan: |0-1| + |3-2| = 2; crossed: |0-2| + |3-1| = 4. Both orders pick monotone.
    let x = DMatrix::from_column_slice(2, 2, &[0.0, 0.0, 3.0, 0.0]);
    let y = DMatrix::from_column_slice(2, 2, &[1.0, 0.0, 2.0, 0.0]);
    assert_eq!(wasserstein(&x, &y, Order::W1).unwrap(), 1.0);
    assert_eq!(wasserstein(&x, &y, Order::W2).unwrap(), 1.0);
    // Unequal sizes in 2-D: one point at the origin against (±1, 0) and (0, 2): W1 = (1+1+2)/3.
    let x = DMatrix::from_column_slice(2, 1, &[0.0, 0.0]);
    let y = DMatrix::from_column_slice(2, 3, &[1.0, 0.0, -1.0, 0.0, 0.0, 2.0]);
    assert!((wasserstein(&x, &y, Order::W1).unwrap() - 4.0 / 3.0).abs() < 1e-15);
    assert!((wasserstein(&x, &y, Order::W2).unwrap() - 2f64.sqrt()).abs() < 1e-15);
}

#[test]
fn wasserstein_weighted_matches_assignment_on_uniform_weights() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for n in [1, 3, 9, 25] {
        let x = gaussian_cloud(&mut rng, 2, n, 0.0);
        let y = gaussian_cloud(&mut rng, 2, n, 1.0);
        let w = vec![2.5; n];
        for order in [Order::W1, Order::W2] {
            let a = wasserstein_assignment(&x, &y, order).unwrap();
            let b = wasserstein_weighted(&x, &w, &y, &w, order).unwrap();
            assert!((a - b).abs() < 1e-12, "n = {n}, {order:?}: {a} vs {b}");
        }
    }
}

#[test]
fn wasserstein_weighted_matches_1d_closed_form_with_unequal_sizes_and_weights() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    for (n, m) in [(1, 4), (3, 7), (10, 6), (15, 15)] {
        let x: Vec<f64> = (0..n).map(|_| rng.random_range(-3.0..3.0)).collect();
        let y: Vec<f64> = (0..m).map(|_| rng.random_range(-1.0..4.0)).collect();
        let a: Vec<f64> = (0..n).map(|_| rng.random_range(0.1..1.0)).collect();
        let b: Vec<f64> = (0..m).map(|_| rng.random_range(0.1..1.0)).collect();
        let xm = DMatrix::from_row_slice(1, n, &x);
        let ym = DMatrix::from_row_slice(1, m, &y);
        for order in [Order::W1, Order::W2] {
            let exact = wasserstein_weighted(&xm, &a, &ym, &b, order).unwrap();
            let closed = wasserstein_1d_weighted(&x, &a, &y, &b, order).unwrap();
            assert!(
                (exact - closed).abs() < 1e-12,
                "{n}×{m} {order:?}: {exact} vs {closed}"
            );
        }
    }
}

#[test]
fn wasserstein_weighted_hand_computed_2d_case() {
    // Masses 0.5 at (0,0) and (4,0) against 0.25 at (1,0), 0.75 at (4,3).
    // Optimal W1 plan: (0,0)->(1,0) 0.25 [1], (0,0)->(4,3) 0.25 [5], (4,0)->(4,3) 0.5 [3].
    let x = DMatrix::from_column_slice(2, 2, &[0.0, 0.0, 4.0, 0.0]);
    let y = DMatrix::from_column_slice(2, 2, &[1.0, 0.0, 4.0, 3.0]);
    let w1 = wasserstein_weighted(&x, &[1.0, 1.0], &y, &[1.0, 3.0], Order::W1).unwrap();
    assert!((w1 - (0.25 + 1.25 + 1.5)).abs() < 1e-12);
    // The other feasible vertex, (4,0)->(1,0) 0.25 [3], (0,0)->(4,3) 0.5 [5], (4,0)->(4,3) 0.25 [3],
    // costs 0.75 + 2.5 + 0.75 = 4, so the solver must not stop there.
}

#[test]
fn wasserstein_unequal_sizes_match_the_transport_solver() {
    // 6 vs 9 points (lcm 18: repeated points and the assignment solver) and 7 vs 9 (lcm 63:
    // the transport solver itself), against the transport solver with explicit uniform weights.
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for (n, m) in [(6, 9), (7, 9), (40, 60)] {
        let x = gaussian_cloud(&mut rng, 2, n, 0.0);
        let y = gaussian_cloud(&mut rng, 2, m, 0.8);
        for order in [Order::W1, Order::W2] {
            let auto = wasserstein(&x, &y, order).unwrap();
            let general =
                wasserstein_weighted(&x, &vec![1.0; n], &y, &vec![1.0; m], order).unwrap();
            assert!(
                (auto - general).abs() < 1e-12,
                "{n}×{m} {order:?}: {auto} vs {general}"
            );
        }
    }
}

#[test]
fn wasserstein_1d_hand_computed_unequal_sizes() {
    // F⁻¹ of {0, 1}: 0 on [0, ½), 1 on [½, 1); G⁻¹ of {0, 3, 6}: 0, 3, 6 on thirds.
    // |F⁻¹ − G⁻¹| = 0 on [0, ⅓), 3 on [⅓, ½), 2 on [½, ⅔), 5 on [⅔, 1).
    let w1 = wasserstein_1d(&[1.0, 0.0], &[6.0, 0.0, 3.0], Order::W1).unwrap();
    assert!((w1 - (3.0 / 6.0 + 2.0 / 6.0 + 5.0 / 3.0)).abs() < 1e-15);
    let w2 = wasserstein_1d(&[1.0, 0.0], &[6.0, 0.0, 3.0], Order::W2).unwrap();
    assert!((w2 * w2 - (9.0 / 6.0 + 4.0 / 6.0 + 25.0 / 3.0)).abs() < 1e-14);
}

#[test]
fn wasserstein_subsample_is_reproducible_and_draws_distinct_columns() {
    let x = DMatrix::from_fn(3, 500, |i, j| (i * 1000 + j) as f64);
    let a = subsample(&x, 50, &mut ChaCha8Rng::seed_from_u64(9)).unwrap();
    let b = subsample(&x, 50, &mut ChaCha8Rng::seed_from_u64(9)).unwrap();
    let c = subsample(&x, 50, &mut ChaCha8Rng::seed_from_u64(10)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let ids: Vec<usize> = a.column_iter().map(|col| col[0] as usize).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "distinct and in order");
    for col in a.column_iter() {
        let j = col[0] as usize;
        assert_eq!(col, x.column(j));
    }
    assert_eq!(
        subsample(&x, 900, &mut ChaCha8Rng::seed_from_u64(9)).unwrap(),
        x
    );
}

#[test]
fn wasserstein_exact_w2_between_shifted_gaussian_clouds_is_near_the_shift() {
    // Large samples of N(0, I) and N(c, I): W2 of the laws is ‖c‖; the empirical distance
    // exceeds it by a sampling term that shrinks with n (about 0.2 in 2-D at n = 1000).
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let x = gaussian_cloud(&mut rng, 2, 1000, 0.0);
    let y = gaussian_cloud(&mut rng, 2, 1000, 1.0);
    let w2 = wasserstein(&x, &y, Order::W2).unwrap();
    let shift = 2f64.sqrt();
    assert!(w2 >= shift - 0.05 && w2 < shift + 0.3, "W2 = {w2}");
    // Independent check of optimality on a subsample: the transport solver agrees.
    let mut sub_rng = ChaCha8Rng::seed_from_u64(13);
    let xs = subsample(&x, 120, &mut sub_rng).unwrap();
    let ys = subsample(&y, 120, &mut sub_rng).unwrap();
    let w = vec![1.0; 120];
    let a = wasserstein_assignment(&xs, &ys, Order::W2).unwrap();
    let b = wasserstein_weighted(&xs, &w, &ys, &w, Order::W2).unwrap();
    assert!((a - b).abs() < 1e-12);
}

fn cloud(dim: usize, max_n: usize) -> impl Strategy<Value = (usize, Vec<f64>)> {
    (1..=max_n).prop_flat_map(move |n| (Just(n), prop::collection::vec(-10.0..10.0f64, dim * n)))
}

fn pair(dim: usize, max_n: usize) -> impl Strategy<Value = (DMatrix<f64>, DMatrix<f64>)> {
    (1..=max_n).prop_flat_map(move |n| {
        (
            prop::collection::vec(-10.0..10.0f64, dim * n),
            prop::collection::vec(-10.0..10.0f64, dim * n),
        )
            .prop_map(move |(a, b)| (DMatrix::from_vec(dim, n, a), DMatrix::from_vec(dim, n, b)))
    })
}

fn order() -> impl Strategy<Value = Order> {
    prop_oneof![Just(Order::W1), Just(Order::W2)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn wasserstein_of_a_set_with_itself_is_zero((n, v) in cloud(2, 12), o in order()) {
        let x = DMatrix::from_vec(2, n, v);
        prop_assert_eq!(wasserstein(&x, &x, o).unwrap(), 0.0);
        // Also against a permuted copy.
        let rev = DMatrix::from_fn(2, n, |i, j| x[(i, n - 1 - j)]);
        prop_assert_eq!(wasserstein(&x, &rev, o).unwrap(), 0.0);
    }

    #[test]
    fn wasserstein_is_symmetric((x, y) in pair(3, 12), o in order()) {
        let a = wasserstein(&x, &y, o).unwrap();
        let b = wasserstein(&y, &x, o).unwrap();
        prop_assert!((a - b).abs() <= 1e-12 * (1.0 + a), "{} vs {}", a, b);
    }

    #[test]
    fn wasserstein_satisfies_the_triangle_inequality(
        (x, y) in pair(2, 10),
        seed in any::<u64>(),
        o in order(),
    ) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let z = DMatrix::from_fn(2, x.ncols(), |_, _| rng.random_range(-10.0..10.0));
        let xz = wasserstein(&x, &z, o).unwrap();
        let xy = wasserstein(&x, &y, o).unwrap();
        let yz = wasserstein(&y, &z, o).unwrap();
        prop_assert!(xz <= xy + yz + 1e-12 * (1.0 + xz), "{} > {} + {}", xz, xy, yz);
    }

    #[test]
    fn wasserstein_of_a_translate_is_the_shift_length(
        (n, v) in cloud(2, 12),
        c in prop::array::uniform2(-5.0..5.0f64),
        o in order(),
    ) {
        let x = DMatrix::from_vec(2, n, v);
        let shifted = DMatrix::from_fn(2, n, |i, j| x[(i, j)] + c[i]);
        let norm = (c[0] * c[0] + c[1] * c[1]).sqrt();
        let w = wasserstein(&shifted, &x, o).unwrap();
        prop_assert!((w - norm).abs() < 1e-9 * (1.0 + norm), "{} vs {}", w, norm);
    }

    #[test]
    fn wasserstein_scales_with_the_points((x, y) in pair(2, 10), k in -4.0..4.0f64, o in order()) {
        let w = wasserstein(&x, &y, o).unwrap();
        let wk = wasserstein(&(&x * k), &(&y * k), o).unwrap();
        prop_assert!((wk - k.abs() * w).abs() < 1e-9 * (1.0 + w * k.abs()), "{} vs {}", wk, k.abs() * w);
    }

    #[test]
    fn wasserstein_assignment_and_1d_sorting_agree_on_1d_data((x, y) in pair(1, 30), o in order()) {
        let a = wasserstein_assignment(&x, &y, o).unwrap();
        let b = wasserstein_1d(x.as_slice(), y.as_slice(), o).unwrap();
        prop_assert!((a - b).abs() < 1e-12 * (1.0 + a), "{} vs {}", a, b);
    }

    #[test]
    fn wasserstein_assignment_matches_brute_force_for_small_sets((x, y) in pair(2, 6), o in order()) {
        let p = if o == Order::W1 { 1.0 } else { 2.0 };
        let expected = brute_force_wasserstein_pow(&x, &y, p).powf(1.0 / p);
        let got = wasserstein_assignment(&x, &y, o).unwrap();
        prop_assert!((got - expected).abs() < 1e-12 * (1.0 + expected));
    }

    #[test]
    fn wasserstein_weighted_and_1d_weighted_agree(
        x in prop::collection::vec((-10.0..10.0f64, 0.01..1.0f64), 1..12),
        y in prop::collection::vec((-10.0..10.0f64, 0.01..1.0f64), 1..12),
        o in order(),
    ) {
        let (xv, a): (Vec<f64>, Vec<f64>) = x.into_iter().unzip();
        let (yv, b): (Vec<f64>, Vec<f64>) = y.into_iter().unzip();
        let xm = DMatrix::from_row_slice(1, xv.len(), &xv);
        let ym = DMatrix::from_row_slice(1, yv.len(), &yv);
        let exact = wasserstein_weighted(&xm, &a, &ym, &b, o).unwrap();
        let closed = wasserstein_1d_weighted(&xv, &a, &yv, &b, o).unwrap();
        prop_assert!((exact - closed).abs() < 1e-10 * (1.0 + closed), "{} vs {}", exact, closed);
    }
}

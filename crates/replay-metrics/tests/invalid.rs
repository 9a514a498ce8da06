//! Bad input gives typed errors that name the field and the value, never a panic.

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_metrics::{
    Bandwidth, GaussianKde, LagOrigin, MetricsError, Order, Summary, cosine_alignment,
    displacement_curve, kl_divergence_kde, paired_difference, path_length, position_variance,
    reach_times, sliced_wasserstein, solve_assignment, solve_transport, student_t_quantile,
    subsample, temporal_compression, visitation, wasserstein, wasserstein_1d,
    wasserstein_1d_weighted, wasserstein_weighted,
};

fn pts(d: usize, n: usize) -> DMatrix<f64> {
    DMatrix::from_fn(d, n, |i, j| (i + 2 * j) as f64 * 0.37 % 1.9)
}

fn rng() -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(0)
}

#[test]
fn invalid_empty_point_sets_name_the_argument() {
    let e = DMatrix::<f64>::zeros(2, 0);
    assert_eq!(
        wasserstein(&pts(2, 3), &e, Order::W1),
        Err(MetricsError::Empty { field: "y" })
    );
    assert_eq!(
        sliced_wasserstein(&e, &pts(2, 3), Order::W2, 10, &mut rng()),
        Err(MetricsError::Empty { field: "x" })
    );
    assert_eq!(
        wasserstein_1d(&[], &[1.0], Order::W1),
        Err(MetricsError::Empty { field: "x" })
    );
    assert_eq!(
        solve_transport(&[], &[], &[1.0]),
        Err(MetricsError::Empty { field: "a" })
    );
    assert_eq!(
        reach_times(&Vec::<DMatrix<f64>>::new(), |_| true, |_| true),
        Err(MetricsError::Empty { field: "trajs" })
    );
    let err = subsample(&e, 3, &mut rng()).unwrap_err();
    assert_eq!(err.to_string(), "`x` is empty");
}

#[test]
fn invalid_nan_and_infinity_are_reported_with_index_and_value() {
    let mut x = pts(2, 4);
    x[(1, 2)] = f64::NAN;
    match wasserstein(&x, &pts(2, 4), Order::W2) {
        Err(MetricsError::NonFinite {
            field: "x",
            index: 5,
            value,
        }) => assert!(value.is_nan()),
        other => panic!("{other:?}"),
    }
    let err = wasserstein_1d(&[0.0, f64::INFINITY], &[1.0], Order::W1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`x` holds the non-finite value inf at index 1"
    );
    let mut t = pts(2, 10);
    t[(0, 7)] = f64::NEG_INFINITY;
    assert!(matches!(
        path_length(&t),
        Err(MetricsError::NonFinite {
            field: "trajs",
            index: 14,
            ..
        })
    ));
    assert!(matches!(
        Summary::new(&[1.0, f64::NAN]),
        Err(MetricsError::NonFinite {
            field: "samples",
            index: 1,
            ..
        })
    ));
    assert!(matches!(
        GaussianKde::new(&pts(1, 5), Bandwidth::Scott)
            .unwrap()
            .log_density(&[f64::NAN]),
        Err(MetricsError::NonFinite { field: "x", .. })
    ));
}

#[test]
fn invalid_mismatched_dimensions_name_expected_and_found() {
    let err = wasserstein(&pts(2, 4), &pts(3, 4), Order::W1).unwrap_err();
    assert_eq!(
        err,
        MetricsError::DimensionMismatch {
            field: "y (rows = dimension)",
            expected: 2,
            found: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "`y (rows = dimension)` has size 3, expected 2"
    );
    assert!(matches!(
        replay_metrics::wasserstein_assignment(&pts(2, 4), &pts(2, 5), Order::W1),
        Err(MetricsError::DimensionMismatch {
            expected: 4,
            found: 5,
            ..
        })
    ));
    assert!(matches!(
        wasserstein_weighted(&pts(2, 3), &[1.0, 1.0], &pts(2, 2), &[1.0, 1.0], Order::W1),
        Err(MetricsError::DimensionMismatch {
            field: "a",
            expected: 3,
            found: 2
        })
    ));
    assert!(matches!(
        solve_assignment(&[1.0, 2.0, 3.0], 2),
        Err(MetricsError::DimensionMismatch {
            expected: 4,
            found: 3,
            ..
        })
    ));
    assert!(matches!(
        reach_times(&[pts(2, 5), pts(3, 5)], |_| true, |_| false),
        Err(MetricsError::DimensionMismatch {
            field: "trajs",
            expected: 2,
            found: 3
        })
    ));
    assert!(matches!(
        cosine_alignment(&pts(2, 5), &pts(2, 4)),
        Err(MetricsError::DimensionMismatch {
            expected: 5,
            found: 4,
            ..
        })
    ));
    assert!(matches!(
        paired_difference(&[1.0, 2.0], &[1.0]),
        Err(MetricsError::DimensionMismatch {
            expected: 2,
            found: 1,
            ..
        })
    ));
    assert!(matches!(
        temporal_compression(&pts(2, 5), &pts(3, 5), 0.1),
        Err(MetricsError::DimensionMismatch {
            expected: 2,
            found: 3,
            ..
        })
    ));
    let kde = GaussianKde::new(&pts(2, 6), Bandwidth::Scott).unwrap();
    assert!(matches!(
        kde.score(&[1.0]),
        Err(MetricsError::DimensionMismatch { .. })
    ));
}

#[test]
fn invalid_weights_are_rejected_with_the_value() {
    let err =
        wasserstein_1d_weighted(&[0.0, 1.0], &[1.0, -0.5], &[0.0], &[1.0], Order::W1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`a` = -0.5 at index 1 is invalid: weights must be non-negative"
    );
    let err = solve_transport(&[1.0, 2.0], &[1.0], &[0.0, 0.0]).unwrap_err();
    assert!(
        err.to_string().starts_with("`b` = sum 0 is invalid"),
        "{err}"
    );
}

#[test]
fn invalid_parameters_are_rejected() {
    let x = pts(2, 10);
    assert!(matches!(
        sliced_wasserstein(&x, &x, Order::W1, 0, &mut rng()),
        Err(MetricsError::InvalidParameter {
            field: "n_projections",
            ..
        })
    ));
    assert!(matches!(
        subsample(&x, 0, &mut rng()),
        Err(MetricsError::InvalidParameter { field: "k", .. })
    ));
    assert!(matches!(
        GaussianKde::new(&x, Bandwidth::Factor(-1.0)),
        Err(MetricsError::InvalidParameter {
            field: "bandwidth",
            ..
        })
    ));
    assert!(matches!(
        GaussianKde::new(&pts(2, 1), Bandwidth::Scott),
        Err(MetricsError::InvalidParameter {
            field: "points",
            ..
        })
    ));
    // A singular sample of p is reported as `p`.
    let line = DMatrix::from_fn(2, 10, |_, j| j as f64);
    assert!(matches!(
        kl_divergence_kde(&line, &x, Bandwidth::Scott),
        Err(MetricsError::InvalidParameter { field: "p", .. })
    ));
    assert!(matches!(
        displacement_curve(&x, 10, LagOrigin::Start),
        Err(MetricsError::InvalidParameter { field: "trajs", .. })
    ));
    let curve = displacement_curve(&x, 5, LagOrigin::Start).unwrap();
    let err = curve.fit_exponent(0..=9).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`lags` = 0..=9 is invalid: needs two or more lags within 1..=max_lag of the curve"
    );
    let still = DMatrix::zeros(2, 6);
    assert!(matches!(
        displacement_curve(&still, 5, LagOrigin::Sliding)
            .unwrap()
            .fit_exponent(1..=5),
        Err(MetricsError::InvalidParameter { field: "msd", .. })
    ));
    assert!(matches!(
        path_length(&pts(2, 1)),
        Err(MetricsError::InvalidParameter { field: "trajs", .. })
    ));
    assert!(matches!(
        position_variance(&pts(2, 1)),
        Err(MetricsError::InvalidParameter { field: "trajs", .. })
    ));
    assert!(matches!(
        temporal_compression(&x, &x, f64::NAN),
        Err(MetricsError::InvalidParameter {
            field: "distance",
            ..
        })
    ));
    assert!(matches!(
        cosine_alignment(&DMatrix::zeros(2, 3), &x.columns(0, 3).into_owned()),
        Err(MetricsError::InvalidParameter {
            field: "drift, score",
            ..
        })
    ));
    assert!(matches!(
        Summary::with_level(&[1.0, 2.0], 1.5),
        Err(MetricsError::InvalidParameter { field: "level", .. })
    ));
    assert!(matches!(
        student_t_quantile(0.5, 0.0),
        Err(MetricsError::InvalidParameter { field: "dof", .. })
    ));
    assert!(matches!(
        solve_assignment(&[1e200], 1),
        Err(MetricsError::InvalidParameter { field: "cost", .. })
    ));
}

#[test]
fn invalid_region_index_is_reported() {
    let err = visitation(&pts(2, 4), 3, |_| Some(3)).unwrap_err();
    assert_eq!(
        err,
        MetricsError::RegionOutOfRange {
            field: "assign",
            value: 3,
            count: 3
        }
    );
    assert_eq!(
        err.to_string(),
        "`assign` returned region 3, but there are only 3 regions"
    );
    assert!(matches!(
        visitation(&pts(2, 4), 0, |_| None),
        Err(MetricsError::InvalidParameter {
            field: "n_regions",
            ..
        })
    ));
}

#[test]
fn invalid_dense_problem_too_large_for_exact_solvers() {
    // 8193 × 8193 > 2^26 entries: refused before allocating, with a pointer to the alternatives.
    let x = DMatrix::zeros(1, 8193);
    let y = DMatrix::zeros(2, 8193);
    let x2 = DMatrix::zeros(2, 8193);
    let err = replay_metrics::wasserstein_assignment(&x2, &y, Order::W2).unwrap_err();
    assert!(err.to_string().contains("8193 × 8193"), "{err}");
    // 1-D data never builds a matrix.
    assert_eq!(wasserstein(&x, &x, Order::W1).unwrap(), 0.0);
}

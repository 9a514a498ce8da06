//! The metrics' bad-input corpus for the cases replay actually produces at the edges: one-point
//! and degenerate samples, trajectories too short for a statistic, zero or non-finite
//! parameters, coordinates too large to square. Each is measured exactly or rejected with a
//! typed error naming the field and the value; none panics.

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_metrics::{
    Bandwidth, GaussianKde, LagOrigin, MetricsError, Order, Summary, cosine_alignment,
    displacement_curve, kl_divergence_kde, paired_difference, path_length, position_variance,
    sliced_wasserstein, student_t_quantile, subsample, temporal_compression, visitation,
    wasserstein, wasserstein_1d,
};

/// Asserts `InvalidParameter` for `field` whose message shows `field` and `value`.
fn assert_invalid<T: std::fmt::Debug>(result: replay_metrics::Result<T>, field: &str, value: &str) {
    let err = result.expect_err("accepted a bad input");
    assert!(
        matches!(&err, MetricsError::InvalidParameter { field: f, .. } if *f == field),
        "expected {field}: {err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains(&format!("`{field}` = {value}")),
        "{message}"
    );
}

fn column(points: &[[f64; 2]]) -> DMatrix<f64> {
    DMatrix::from_fn(2, points.len(), |r, c| points[c][r])
}

#[test]
fn invalid_one_point_samples_are_measured_exactly_or_rejected_by_name() {
    // Transport between single points is the distance between them.
    let (a, b) = (column(&[[0.0, 0.0]]), column(&[[3.0, 4.0]]));
    assert_eq!(wasserstein(&a, &b, Order::W1).unwrap(), 5.0);
    assert_eq!(wasserstein(&a, &b, Order::W2).unwrap(), 5.0);
    assert_eq!(wasserstein_1d(&[2.0], &[-1.0], Order::W2).unwrap(), 3.0);
    // A spread needs two points.
    assert_invalid(Summary::new(&[0.4]), "samples", "1 sample(s)");
    assert_invalid(paired_difference(&[0.4], &[0.1]), "samples", "1 sample(s)");
    assert_invalid(GaussianKde::new(&a, Bandwidth::Scott), "points", "1 point");
    let many = column(&[[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]);
    assert_invalid(
        kl_divergence_kde(&a, &many, Bandwidth::Scott),
        "p",
        "1 point",
    );
    assert_invalid(
        kl_divergence_kde(&many, &b, Bandwidth::Scott),
        "q",
        "1 point",
    );
    assert_invalid(position_variance(&a), "trajs", "1 position");
}

#[test]
fn invalid_empty_samples_name_the_argument() {
    let empty = DMatrix::<f64>::zeros(2, 0);
    let one = column(&[[0.0, 0.0]]);
    assert_eq!(
        kl_divergence_kde(&empty, &one, Bandwidth::Scott),
        Err(MetricsError::Empty { field: "x" })
    );
    assert_eq!(
        cosine_alignment(&one, &empty),
        Err(MetricsError::Empty { field: "score" })
    );
    assert_eq!(
        Summary::new(&[]).unwrap_err(),
        MetricsError::InvalidParameter {
            field: "samples",
            value: "0 sample(s)".into(),
            reason: "a standard deviation needs at least 2 samples"
        }
    );
    let err = position_variance(&Vec::<DMatrix<f64>>::new()).unwrap_err();
    assert_eq!(err, MetricsError::Empty { field: "trajs" });
}

#[test]
fn invalid_degenerate_samples_and_trajectories() {
    // Five copies of one point have no covariance to build kernels from.
    let same = column(&[[0.5, 0.5]; 5]);
    assert_invalid(
        GaussianKde::new(&same, Bandwidth::Scott),
        "points",
        "5 points in 2 dimensions",
    );
    // Points on a line are singular in the plane.
    let line = column(&[[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]]);
    assert_invalid(
        GaussianKde::new(&line, Bandwidth::Scott),
        "points",
        "3 points in 2 dimensions",
    );
    // Only zero vectors: no cosine is defined.
    let zeros = DMatrix::<f64>::zeros(2, 3);
    assert_invalid(
        cosine_alignment(&zeros, &line),
        "drift, score",
        "3 zero-vector pairs",
    );
    // A one-position path has no step and no displacement.
    let still = column(&[[1.0, 1.0]]);
    assert_invalid(path_length(&still), "trajs", "1 steps (at least 2 needed)");
    assert_invalid(
        displacement_curve(&still, 1, LagOrigin::Start),
        "trajs",
        "1 steps (at least 2 needed)",
    );
}

#[test]
fn invalid_zero_or_non_finite_parameters() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let path = column(&[[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 0.0]]);
    assert_invalid(
        displacement_curve(&path, 0, LagOrigin::Start),
        "max_lag",
        "0",
    );
    assert_invalid(
        sliced_wasserstein(&path, &path, Order::W2, 0, &mut rng),
        "n_projections",
        "0",
    );
    assert_invalid(subsample(&path, 0, &mut rng), "k", "0");
    assert_invalid(
        temporal_compression(&path, &path, f64::NAN),
        "distance",
        "NaN",
    );
    assert_invalid(temporal_compression(&path, &path, -0.5), "distance", "-0.5");
    assert_invalid(Summary::with_level(&[1.0, 2.0], 1.0), "level", "1");
    assert_invalid(student_t_quantile(1.0, 4.0), "p", "1");
    let err = student_t_quantile(0.975, 0.0).unwrap_err();
    assert!(err.to_string().contains("dof"), "{err}");
    let err = visitation(&path, 0, |_| Some(0)).unwrap_err();
    assert!(err.to_string().contains("n_regions"), "{err}");
}

/// Coordinates whose squares overflow: the exact solvers refuse them by name; nothing panics.
#[test]
fn invalid_coordinates_too_large_to_square() {
    let far = column(&[[1e200, 0.0], [-1e200, 0.0]]);
    let near = column(&[[0.0, 0.0], [1.0, 0.0]]);
    let err = wasserstein(&far, &near, Order::W2).unwrap_err();
    assert!(
        matches!(
            err,
            MetricsError::InvalidParameter { .. } | MetricsError::NonFinite { .. }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("cost") || message.contains("inf"),
        "{message}"
    );
}

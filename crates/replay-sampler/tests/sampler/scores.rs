//! Analytic scores against central finite differences of independently written log-densities.

use nalgebra::{DMatrix, DVector};
use proptest::prelude::*;
use replay_sampler::Drift;
use replay_sampler::scores::{Gaussian, GaussianMixture, IsotropicGaussian, OrnsteinUhlenbeck};

/// `log N(x; μ, Σ)` through the explicit inverse and determinant (no Cholesky).
fn log_normal(x: &DVector<f64>, mean: &DVector<f64>, cov: &DMatrix<f64>) -> f64 {
    let d = x - mean;
    let inv = cov.clone().try_inverse().unwrap();
    let det = cov.determinant();
    -0.5 * d.dot(&(inv * &d)) - 0.5 * ((2.0 * std::f64::consts::PI).powi(x.len() as i32) * det).ln()
}

/// Central differences of `log_p` at `x`.
fn fd_gradient(log_p: impl Fn(&DVector<f64>) -> f64, x: &DVector<f64>) -> DVector<f64> {
    let eps = 1e-5;
    DVector::from_fn(x.len(), |i, _| {
        let (mut up, mut down) = (x.clone(), x.clone());
        up[i] += eps;
        down[i] -= eps;
        (log_p(&up) - log_p(&down)) / (2.0 * eps)
    })
}

/// The drift at the columns of `xs`, with an optional current.
fn drift_at<D: Drift<f64> + ?Sized>(
    drift: &D,
    xs: &DMatrix<f64>,
    current: Option<&DMatrix<f64>>,
) -> DMatrix<f64> {
    let mut out = DMatrix::from_element(xs.nrows(), xs.ncols(), f64::NAN);
    drift.drift_into(xs, current, &mut out);
    out
}

/// Asserts the drift equals the finite-difference gradient of `log_p` at every column.
fn assert_score<D: Drift<f64>>(drift: &D, log_p: impl Fn(&DVector<f64>) -> f64, xs: &DMatrix<f64>) {
    let f = drift_at(drift, xs, None);
    for j in 0..xs.ncols() {
        let x = xs.column(j).into_owned();
        let g = fd_gradient(&log_p, &x);
        let err = (f.column(j) - &g).amax();
        assert!(
            err < 1e-6 * (1.0 + g.amax()),
            "column {j}: {} vs {}",
            f.column(j),
            g
        );
    }
}

fn spd(seed: &[f64], d: usize) -> DMatrix<f64> {
    let a = DMatrix::from_fn(d, d, |i, j| seed[(i * d + j) % seed.len()]);
    &a * a.transpose() + DMatrix::identity(d, d) * 0.3
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn scores_full_covariance_matches_finite_differences(
        entries in prop::collection::vec(-1.0f64..1.0, 9),
        mean in prop::collection::vec(-2.0f64..2.0, 3),
        xs in prop::collection::vec(-3.0f64..3.0, 12),
    ) {
        let cov = spd(&entries, 3);
        let mean = DVector::from_vec(mean);
        let g = Gaussian::new(mean.clone(), cov.clone()).unwrap();
        let xs = DMatrix::from_vec(3, 4, xs);
        assert_score(&g, |x| log_normal(x, &mean, &cov), &xs);
        for j in 0..4 {
            let x = xs.column(j).into_owned();
            prop_assert!((g.log_density(&x).unwrap() - log_normal(&x, &mean, &cov)).abs() < 1e-9);
        }
    }

    #[test]
    fn scores_mixture_matches_finite_differences(
        entries in prop::collection::vec(-1.0f64..1.0, 12),
        means in prop::collection::vec(-3.0f64..3.0, 6),
        weights in prop::collection::vec(0.1f64..1.0, 3),
        xs in prop::collection::vec(-4.0f64..4.0, 10),
    ) {
        let covs: Vec<DMatrix<f64>> = (0..3).map(|k| spd(&entries[4 * k..4 * k + 4], 2)).collect();
        let mus: Vec<DVector<f64>> = (0..3).map(|k| DVector::from_vec(means[2 * k..2 * k + 2].to_vec())).collect();
        let comps = (0..3).map(|k| Gaussian::new(mus[k].clone(), covs[k].clone()).unwrap()).collect();
        let mix = GaussianMixture::new(&weights, comps).unwrap();
        let total: f64 = weights.iter().sum();
        let log_p = |x: &DVector<f64>| {
            (0..3).map(|k| weights[k] / total * log_normal(x, &mus[k], &covs[k]).exp()).sum::<f64>().ln()
        };
        let xs = DMatrix::from_vec(2, 5, xs);
        assert_score(&mix, log_p, &xs);
        for j in 0..5 {
            let x = xs.column(j).into_owned();
            prop_assert!((mix.log_density(&x).unwrap() - log_p(&x)).abs() < 1e-9);
        }
    }
}

/// Far from every component the naive density underflows; the running log-sum-exp does not,
/// and the score is the nearest (in Mahalanobis terms) component's score.
#[test]
fn scores_mixture_far_out_is_finite_and_follows_dominant_component() {
    let a = Gaussian::new(DVector::from_vec(vec![0.0, 0.0]), DMatrix::identity(2, 2)).unwrap();
    let b = Gaussian::new(
        DVector::from_vec(vec![5.0, 0.0]),
        DMatrix::identity(2, 2) * 2.0,
    )
    .unwrap();
    let mix = GaussianMixture::new(&[0.5, 0.5], vec![a, b.clone()]).unwrap();
    let x = DMatrix::from_column_slice(2, 1, &[400.0, 30.0]);
    let f = drift_at(&mix, &x, None);
    let fb = drift_at(&b, &x, None);
    assert!(f.iter().all(|v| v.is_finite()));
    assert!((&f - &fb).amax() < 1e-9 * fb.amax(), "{f} vs {fb}");
}

/// Current enters every analytic score additively.
#[test]
fn scores_current_is_added_to_the_score() {
    let xs = DMatrix::from_fn(2, 3, |i, j| i as f64 - j as f64 * 0.5);
    let c = DMatrix::from_fn(2, 3, |i, j| 0.1 * (i + 2 * j) as f64);
    let iso = IsotropicGaussian::new(DVector::from_vec(vec![0.5, -0.5]), 2.0).unwrap();
    let full = Gaussian::new(DVector::zeros(2), spd(&[0.3, 0.9, -0.2, 0.4], 2)).unwrap();
    let mix = GaussianMixture::new(
        &[1.0, 2.0],
        vec![
            full.clone(),
            Gaussian::new(DVector::from_element(2, 1.0), DMatrix::identity(2, 2)).unwrap(),
        ],
    )
    .unwrap();
    let ou = OrnsteinUhlenbeck::new(
        0.7,
        0.5,
        DVector::zeros(2),
        DVector::from_element(2, 1.0),
        0.8,
    )
    .unwrap();
    let drifts: [&dyn Drift<f64>; 4] = [&iso, &full, &mix, &ou];
    for d in drifts {
        let with = drift_at(d, &xs, Some(&c));
        let without = drift_at(d, &xs, None);
        assert!((with - without - &c).amax() < 1e-14);
    }
}

#[test]
fn scores_isotropic_matches_finite_differences() {
    let mean = DVector::from_vec(vec![1.0, -2.0, 0.5]);
    let g = IsotropicGaussian::new(mean.clone(), 0.7).unwrap();
    let cov = DMatrix::identity(3, 3) * 0.7;
    let xs = DMatrix::from_fn(3, 4, |i, j| (i as f64 - j as f64) * 0.8);
    assert_score(&g, |x| log_normal(x, &mean, &cov), &xs);
}

/// Marginal mean and variance of the OU process by integrating its moment equations
/// `dm/dt = −θ (m − μ)`, `dS/dt = −2θ S + s²` with RK4 from `m = x₀`, `S = 0`.
fn ou_moments_rk4(theta: f64, s: f64, mu: f64, x0: f64, t: f64) -> (f64, f64) {
    let n = 20_000;
    let dt = t / n as f64;
    let rhs = |m: f64, v: f64| (-theta * (m - mu), -2.0 * theta * v + s * s);
    let (mut m, mut v) = (x0, 0.0);
    for _ in 0..n {
        let k1 = rhs(m, v);
        let k2 = rhs(m + 0.5 * dt * k1.0, v + 0.5 * dt * k1.1);
        let k3 = rhs(m + 0.5 * dt * k2.0, v + 0.5 * dt * k2.1);
        let k4 = rhs(m + dt * k3.0, v + dt * k3.1);
        m += dt / 6.0 * (k1.0 + 2.0 * k2.0 + 2.0 * k3.0 + k4.0);
        v += dt / 6.0 * (k1.1 + 2.0 * k2.1 + 2.0 * k3.1 + k4.1);
    }
    (m, v)
}

#[test]
fn scores_ou_marginal_matches_moment_ode_and_finite_differences_at_several_times() {
    let (theta, s) = (0.8, 0.6);
    let mu = DVector::from_vec(vec![1.0, -1.0]);
    let x0 = DVector::from_vec(vec![-2.0, 0.5]);
    let mut ou = OrnsteinUhlenbeck::new(theta, s, mu.clone(), x0.clone(), 0.05).unwrap();
    let xs = DMatrix::from_fn(2, 3, |i, j| (i as f64 + 1.0) * (j as f64 - 1.0) * 0.6);
    for &t in &[0.05, 0.3, 1.0, 4.0, 25.0] {
        ou.set_time(t).unwrap();
        let mut m = DVector::zeros(2);
        let mut var = 0.0;
        for i in 0..2 {
            let (mi, vi) = ou_moments_rk4(theta, s, mu[i], x0[i], t);
            m[i] = mi;
            var = vi;
        }
        assert!((ou.marginal_mean() - &m).amax() < 1e-10, "t={t}");
        assert!((ou.marginal_variance() / var - 1.0).abs() < 1e-10, "t={t}");
        let cov = DMatrix::identity(2, 2) * var;
        assert_score(&ou, |x| log_normal(x, &m, &cov), &xs);
        // The leak is the negated coefficient of the score's linear part.
        let f0 = drift_at(&ou, &DMatrix::zeros(2, 1), None);
        let f1 = drift_at(&ou, &DMatrix::from_element(2, 1, 1.0), None);
        assert!(((&f0 - &f1).amax() - ou.leak()).abs() < 1e-9 * ou.leak());
    }
}

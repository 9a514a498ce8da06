//! Kernel density estimates and the KDE estimate of the KL divergence.

mod common;

use nalgebra::{DMatrix, Matrix2, Vector2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use replay_metrics::{Bandwidth, GaussianKde, kl_divergence_kde};

/// Samples of N(mean, L Lᵀ) as a 2 × n matrix.
fn gaussian_2d(
    rng: &mut ChaCha8Rng,
    n: usize,
    mean: Vector2<f64>,
    l: Matrix2<f64>,
) -> DMatrix<f64> {
    let mut out = DMatrix::zeros(2, n);
    for j in 0..n {
        let z = Vector2::new(StandardNormal.sample(rng), StandardNormal.sample(rng));
        out.set_column(j, &(mean + l * z));
    }
    out
}

/// Closed-form KL(N(m0, S0) ‖ N(m1, S1)).
fn gaussian_kl(m0: Vector2<f64>, s0: Matrix2<f64>, m1: Vector2<f64>, s1: Matrix2<f64>) -> f64 {
    let s1_inv = s1.try_inverse().unwrap();
    let dm = m1 - m0;
    0.5 * ((s1_inv * s0).trace() + (dm.transpose() * s1_inv * dm)[0] - 2.0
        + (s1.determinant() / s0.determinant()).ln())
}

#[test]
fn kde_log_density_matches_explicit_kernel_sum() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let l = Matrix2::new(1.0, 0.0, 0.6, 0.8);
    let x = gaussian_2d(&mut rng, 40, Vector2::zeros(), l);
    let kde = GaussianKde::new(&x, Bandwidth::Silverman).unwrap();
    // Independent route: sample covariance, bandwidth matrix, its inverse and determinant.
    let n = 40.0;
    let mean = x.column_mean();
    let c = &x - &mean * DMatrix::from_element(1, 40, 1.0);
    let cov = (&c * c.transpose()) / (n - 1.0);
    let f = (n * 4.0 / 4.0f64).powf(-1.0 / 6.0);
    let h = cov * f * f;
    let h_inv = h.clone().try_inverse().unwrap();
    let norm = 1.0 / (2.0 * std::f64::consts::PI * h.determinant().sqrt());
    for q in [[0.0, 0.0], [1.0, -0.5], [3.0, 2.0]] {
        let qv = DMatrix::from_column_slice(2, 1, &q);
        let p: f64 = x
            .column_iter()
            .map(|xi| {
                let d = &qv - xi;
                norm * (-0.5 * (d.transpose() * &h_inv * &d)[0]).exp()
            })
            .sum::<f64>()
            / n;
        let got = kde.log_density(&q).unwrap();
        assert!(
            (got - p.ln()).abs() < 1e-10,
            "at {q:?}: {got} vs {}",
            p.ln()
        );
    }
}

#[test]
fn kde_score_matches_finite_differences_of_the_log_density() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let x = gaussian_2d(
        &mut rng,
        60,
        Vector2::new(1.0, -1.0),
        Matrix2::new(1.0, 0.0, -0.4, 0.5),
    );
    let kde = GaussianKde::new(&x, Bandwidth::Scott).unwrap();
    let h = 1e-5;
    for q in [[1.0, -1.0], [2.5, 0.0], [-1.0, -3.0]] {
        let s = kde.score(&q).unwrap();
        for k in 0..2 {
            let (mut up, mut down) = (q, q);
            up[k] += h;
            down[k] -= h;
            let fd = (kde.log_density(&up).unwrap() - kde.log_density(&down).unwrap()) / (2.0 * h);
            assert!(
                (s[k] - fd).abs() < 1e-6 * (1.0 + fd.abs()),
                "∂{k} at {q:?}: {} vs {fd}",
                s[k]
            );
        }
    }
}

#[test]
fn kde_bandwidth_rules_match_their_formulas() {
    // Scott n^(-1/(d+4)), Silverman (n(d+2)/4)^(-1/(d+4)), computed by hand for n = 100.
    assert!((Bandwidth::Scott.factor(100, 1) - 0.398_107_170_553_497_25).abs() < 1e-15);
    assert!((Bandwidth::Scott.factor(100, 2) - 0.464_158_883_361_277_9).abs() < 1e-15);
    // Silverman d = 1: (75)^(-1/5); d = 2: (100)^(-1/6).
    assert!((Bandwidth::Silverman.factor(100, 1) - 75f64.powf(-0.2)).abs() < 1e-15);
    assert!((Bandwidth::Silverman.factor(100, 2) - Bandwidth::Scott.factor(100, 2)).abs() < 1e-15);
}

/// 1-D: KL(N(0,1) ‖ N(1, 1.5²)) = ln 1.5 + (1 + 1)/(2 · 2.25) − 1/2 ≈ 0.34991.
#[test]
fn kde_kl_matches_closed_form_for_1d_gaussians() {
    let truth = 1.5f64.ln() + 2.0 / 4.5 - 0.5;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let n = 2000;
    let p = DMatrix::from_fn(1, n, |_, _| StandardNormal.sample(&mut rng));
    let q = DMatrix::from_fn(1, n, |_, _| {
        let z: f64 = StandardNormal.sample(&mut rng);
        1.0 + 1.5 * z
    });
    for bw in [Bandwidth::Scott, Bandwidth::Silverman] {
        let kl = kde_kl(&p, &q, bw);
        eprintln!("1-D {bw:?}: KL = {kl}, truth {truth}");
        assert!((kl - truth).abs() < 0.05, "{bw:?}: {kl} vs {truth}");
    }
}

/// 2-D correlated Gaussians with different means and covariances.
#[test]
fn kde_kl_matches_closed_form_for_2d_gaussians() {
    let (m0, l0) = (Vector2::new(0.0, 0.0), Matrix2::new(1.0, 0.0, 0.5, 0.8));
    let (m1, l1) = (Vector2::new(1.0, -0.5), Matrix2::new(1.3, 0.0, -0.2, 0.9));
    let truth = gaussian_kl(m0, l0 * l0.transpose(), m1, l1 * l1.transpose());
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let n = 2000;
    let p = gaussian_2d(&mut rng, n, m0, l0);
    let q = gaussian_2d(&mut rng, n, m1, l1);
    let kl = kde_kl(&p, &q, Bandwidth::Scott);
    eprintln!("2-D Scott: KL = {kl}, truth {truth}");
    assert!((kl - truth).abs() < 0.1 * truth, "{kl} vs {truth}");
}

#[test]
fn kde_kl_of_two_samples_of_one_law_is_near_zero() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let l = Matrix2::new(1.0, 0.0, 0.3, 0.7);
    let p = gaussian_2d(&mut rng, 1500, Vector2::zeros(), l);
    let q = gaussian_2d(&mut rng, 1500, Vector2::zeros(), l);
    let kl = kde_kl(&p, &q, Bandwidth::Scott);
    eprintln!("same law: KL = {kl}");
    assert!(kl.abs() < 0.02, "{kl}");
}

fn kde_kl(p: &DMatrix<f64>, q: &DMatrix<f64>, bw: Bandwidth) -> f64 {
    kl_divergence_kde(p, q, bw).unwrap()
}

//! Summaries across seeds: Student-t quantiles against tables and closed forms, interval
//! coverage by simulation, paired differences.

use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use replay_metrics::{Summary, paired_difference, student_t_cdf, student_t_quantile};

#[test]
fn summary_t_quantiles_match_tables() {
    // (p, dof, t_{p,dof}) from standard tables.
    let table = [
        (0.975, 1.0, 12.706_204_736),
        (0.975, 2.0, 4.302_652_730),
        (0.975, 4.0, 2.776_445_105),
        (0.975, 10.0, 2.228_138_852),
        (0.975, 30.0, 2.042_272_456),
        (0.95, 5.0, 2.015_048_373),
        (0.995, 3.0, 5.840_909_309),
        (0.9, 20.0, 1.325_340_707),
    ];
    for (p, dof, t) in table {
        let got = student_t_quantile(p, dof).unwrap();
        assert!(
            (got - t).abs() < 1e-8 * t,
            "t_({p}, {dof}) = {got}, table {t}"
        );
        assert!((student_t_quantile(1.0 - p, dof).unwrap() + t).abs() < 1e-8 * t);
    }
    // Large dof: the normal quantile 1.959964.
    assert!((student_t_quantile(0.975, 1e7).unwrap() - 1.959_963_985).abs() < 1e-6);
}

#[test]
fn summary_t_cdf_matches_closed_forms_for_one_and_two_dof() {
    for &t in &[-30.0, -2.5, -0.3, 0.0, 0.7, 4.0, 100.0] {
        // ν = 1 (Cauchy): 1/2 + atan(t)/π; ν = 2: 1/2 + t / (2 √(2 + t²)).
        let cauchy = 0.5 + f64::atan(t) / std::f64::consts::PI;
        let two = 0.5 + t / (2.0 * (2.0 + t * t).sqrt());
        assert!(
            (student_t_cdf(t, 1.0).unwrap() - cauchy).abs() < 1e-14,
            "t = {t}"
        );
        assert!(
            (student_t_cdf(t, 2.0).unwrap() - two).abs() < 1e-14,
            "t = {t}"
        );
    }
}

#[test]
fn summary_hand_computed_mean_sd_and_interval() {
    let s = Summary::new(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
    assert_eq!(s.n, 8);
    assert_eq!(s.mean, 5.0);
    // Σ(x − 5)² = 32, sample variance 32/7.
    assert!((s.std_dev - (32.0f64 / 7.0).sqrt()).abs() < 1e-15);
    let half = 2.364_624_252 * (32.0f64 / 7.0).sqrt() / 8f64.sqrt();
    assert!((s.ci_low - (5.0 - half)).abs() < 1e-8 && (s.ci_high - (5.0 + half)).abs() < 1e-8);
}

#[test]
fn summary_95_percent_intervals_cover_the_mean_95_percent_of_the_time() {
    // 4000 intervals from 5 normal samples each: coverage sd √(0.95·0.05/4000) ≈ 0.0034.
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let normal = Normal::new(3.0, 2.0).unwrap();
    let trials = 4000;
    let covered = (0..trials)
        .filter(|_| {
            let x: Vec<f64> = (0..5).map(|_| normal.sample(&mut rng)).collect();
            let s = Summary::new(&x).unwrap();
            s.ci_low <= 3.0 && 3.0 <= s.ci_high
        })
        .count();
    let coverage = covered as f64 / trials as f64;
    assert!((coverage - 0.95).abs() < 0.014, "coverage {coverage}");
}

#[test]
fn summary_paired_difference_is_the_summary_of_differences() {
    let a = [1.0, 2.5, 3.0, 0.5];
    let b = [0.5, 2.0, 1.0, 0.0];
    let d = paired_difference(&a, &b).unwrap();
    let direct = Summary::new(&[0.5, 0.5, 2.0, 0.5]).unwrap();
    assert_eq!(d, direct);
    // Differences share the seed effect: a shift common to both arms cancels.
    let shifted: Vec<f64> = a
        .iter()
        .zip([10.0, -3.0, 7.0, 1.0])
        .map(|(x, s)| x + s)
        .collect();
    let base: Vec<f64> = b
        .iter()
        .zip([10.0, -3.0, 7.0, 1.0])
        .map(|(x, s)| x + s)
        .collect();
    let e = paired_difference(&shifted, &base).unwrap();
    assert!((e.mean - d.mean).abs() < 1e-12 && (e.std_dev - d.std_dev).abs() < 1e-12);
}

#[test]
fn summary_t_quantile_inverts_the_cdf_near_the_median() {
    // Close to t = 0 the CDF once lost digits to the cancellation in 1 − dof/(dof + t²).
    let (p, dof) = (0.49809401703519635, 172.8935843240256);
    let t = student_t_quantile(p, dof).unwrap();
    assert!((student_t_cdf(t, dof).unwrap() - p).abs() < 1e-12);
}

proptest! {
    #[test]
    fn summary_t_quantile_inverts_the_cdf(p in 0.001..0.999f64, dof in 0.5..200.0f64) {
        let t = student_t_quantile(p, dof).unwrap();
        prop_assert!((student_t_cdf(t, dof).unwrap() - p).abs() < 1e-12);
    }
}

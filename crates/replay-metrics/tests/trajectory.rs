//! Trajectory statistics on constructed trajectories with known answers: reach times, path
//! length, variance, displacement and the MSD exponent, visitation, compression, alignment.

mod common;

use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use replay_metrics::{
    LagOrigin, cosine_alignment, displacement_curve, path_length, position_variance, reach_time,
    reach_times, temporal_compression, visitation,
};

/// A 1-D trajectory through the given positions.
fn line(xs: &[f64]) -> DMatrix<f64> {
    DMatrix::from_row_slice(1, xs.len(), xs)
}

/// `count` 2-D random walks of `steps + 1` positions with N(0, σ²) increments per coordinate.
fn random_walks(seed: u64, count: usize, steps: usize, sigma: f64) -> Vec<DMatrix<f64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let mut t = DMatrix::zeros(2, steps + 1);
            for s in 1..=steps {
                for i in 0..2 {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    t[(i, s)] = t[(i, s - 1)] + sigma * z;
                }
            }
            t
        })
        .collect()
}

#[test]
fn reach_counts_steps_from_last_start_position_to_first_goal_position() {
    let start = |x: &[f64]| x[0] < 1.0;
    let goal = |x: &[f64]| x[0] >= 5.0;
    // In the start region at steps 0..=2, out at 3, goal first at 6: 6 − 2 = 4 steps.
    let t = line(&[0.0, 0.2, 0.9, 2.0, 3.0, 4.0, 5.0, 6.0]);
    assert_eq!(reach_time(&t, start, goal).unwrap(), Some(4));
    // Going back into the start region does not restart the clock.
    let back = line(&[0.0, 2.0, 0.5, 3.0, 5.5]);
    assert_eq!(reach_time(&back, start, goal).unwrap(), Some(4));
    // Starting outside the start region: counted from step 0.
    let outside = line(&[2.0, 3.0, 5.0]);
    assert_eq!(reach_time(&outside, start, goal).unwrap(), Some(2));
    // Never leaving the start region, or never arriving: censored.
    assert_eq!(
        reach_time(&line(&[0.0, 0.5, 0.7]), start, goal).unwrap(),
        None
    );
    assert_eq!(
        reach_time(&line(&[0.0, 2.0, 4.9]), start, goal).unwrap(),
        None
    );
    // One jump straight into the goal is one step.
    assert_eq!(
        reach_time(&line(&[0.0, 9.0]), start, goal).unwrap(),
        Some(1)
    );
}

#[test]
fn reach_summary_reports_censoring_mean_and_median() {
    let start = |x: &[f64]| x[0] < 1.0;
    let goal = |x: &[f64]| x[0] >= 5.0;
    // Constant speeds 1, 2, 0.5 and one that stalls: reach times 5, 3 (0,2,4,6), censored, censored.
    let speed = |v: f64, n: usize| line(&(0..n).map(|t| v * t as f64).collect::<Vec<_>>());
    let trajs = vec![
        speed(1.0, 12),
        speed(2.0, 12),
        speed(0.5, 8),
        speed(0.0, 12),
    ];
    let r = reach_times(&trajs, start, goal).unwrap();
    assert_eq!(r.times, vec![Some(5), Some(3), None, None]);
    assert_eq!(r.censored_fraction, 0.5);
    assert_eq!(r.mean_reached, Some(4.0));
    assert_eq!(r.median_reached, Some(4.0));
    let none = reach_times(&trajs[3..], start, goal).unwrap();
    assert_eq!((none.censored_fraction, none.mean_reached), (1.0, None));
}

#[test]
fn path_length_and_variance_of_a_square_loop() {
    // Around the unit square and back to the start: 4 unit steps.
    let sq = DMatrix::from_column_slice(2, 5, &[0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0]);
    let p = path_length(&sq).unwrap();
    assert_eq!((p.totals[0], p.per_step), (4.0, 1.0));
    // Positions: x = {0,1,1,0,0}, y = {0,0,1,1,0}; mean 0.4, variance (3·0.16 + 2·0.36)/4 = 0.3.
    let v = position_variance(&sq).unwrap();
    assert!((v.per_dim[0] - 0.3).abs() < 1e-15 && (v.per_dim[1] - 0.3).abs() < 1e-15);
    assert!((v.total - 0.6).abs() < 1e-15);
}

#[test]
fn path_length_of_random_walk_steps_matches_rayleigh_mean() {
    // 2-D Gaussian steps: E‖Δx‖ = σ √(π/2).
    let sigma = 0.3;
    let walks = random_walks(1, 50, 400, sigma);
    let p = path_length(&walks).unwrap();
    let expected = sigma * (std::f64::consts::PI / 2.0).sqrt();
    // 20 000 steps, sd of a step length σ √(2 − π/2) ≈ 0.196: sd of the mean 0.0014.
    assert!(
        (p.per_step - expected).abs() < 0.006,
        "{} vs {expected}",
        p.per_step
    );
}

#[test]
fn msd_of_a_ballistic_walk_has_exponent_two() {
    let v = [0.3, -0.4];
    let walks: Vec<DMatrix<f64>> = (0..3)
        .map(|k| DMatrix::from_fn(2, 60, |i, t| k as f64 + v[i] * t as f64))
        .collect();
    for origin in [LagOrigin::Start, LagOrigin::Sliding] {
        let c = displacement_curve(&walks, 50, origin).unwrap();
        for (lag, (md, msd)) in c.lags.iter().zip(c.mean_displacement.iter().zip(&c.msd)) {
            let l = *lag as f64;
            assert!((md - 0.5 * l).abs() < 1e-12 && (msd - 0.25 * l * l).abs() < 1e-12);
        }
        let fit = c.fit_exponent(1..=50).unwrap();
        assert!(
            (fit.exponent - 2.0).abs() < 1e-9,
            "{origin:?}: {}",
            fit.exponent
        );
        assert!((fit.prefactor - 0.25).abs() < 1e-9);
        assert!((fit.r_squared - 1.0).abs() < 1e-12);
    }
}

#[test]
fn msd_of_a_random_walk_from_the_start_has_exponent_near_one() {
    // MSD(τ) = 2σ²τ; 400 walks give each lag a relative error ≈ √(1/400) = 5 %.
    let sigma = 0.5;
    let walks = random_walks(2, 400, 100, sigma);
    let c = displacement_curve(&walks, 100, LagOrigin::Start).unwrap();
    let fit = c.fit_exponent(1..=100).unwrap();
    eprintln!(
        "random walk (start): exponent {}, prefactor {}",
        fit.exponent, fit.prefactor
    );
    assert!(
        (fit.exponent - 1.0).abs() < 0.05,
        "exponent {}",
        fit.exponent
    );
    assert!((fit.prefactor / (2.0 * sigma * sigma) - 1.0).abs() < 0.15);
    // Mean displacement of a 2-D Gaussian of variance σ²τ per axis: σ √τ √(π/2).
    let md64 = c.mean_displacement[63];
    let expected = sigma * 8.0 * (std::f64::consts::PI / 2.0).sqrt();
    assert!((md64 / expected - 1.0).abs() < 0.06, "{md64} vs {expected}");
}

#[test]
fn msd_of_a_long_random_walk_with_sliding_origins_has_exponent_near_one() {
    let walks = random_walks(3, 1, 20_000, 1.0);
    let c = displacement_curve(&walks, 20, LagOrigin::Sliding).unwrap();
    let fit = c.fit_exponent(1..=20).unwrap();
    eprintln!("random walk (sliding): exponent {}", fit.exponent);
    assert!(
        (fit.exponent - 1.0).abs() < 0.05,
        "exponent {}",
        fit.exponent
    );
}

#[test]
fn visit_fractions_and_entropy_on_a_grid() {
    // 2 × 2 grid of unit cells on [0, 2)²; outside is unassigned.
    let cell = |x: &[f64]| {
        let inside = (0.0..2.0).contains(&x[0]) && (0.0..2.0).contains(&x[1]);
        inside.then(|| 2 * (x[1] as usize) + x[0] as usize)
    };
    // Visits all four cells once each: fraction 1, uniform occupancy, entropy ln 4.
    let tour = DMatrix::from_column_slice(2, 4, &[0.5, 0.5, 1.5, 0.5, 1.5, 1.5, 0.5, 1.5]);
    // Stays in cell 0 for three steps, then leaves the grid.
    let stay = DMatrix::from_column_slice(2, 4, &[0.1, 0.1, 0.2, 0.2, 0.3, 0.3, 5.0, 5.0]);
    let v = visitation(&[tour.clone(), stay.clone()], 4, cell).unwrap();
    assert_eq!(v.per_trajectory, vec![1.0, 0.25]);
    assert_eq!(v.mean_fraction, 0.625);
    assert_eq!(
        v.occupancy,
        vec![4.0 / 7.0, 1.0 / 7.0, 1.0 / 7.0, 1.0 / 7.0]
    );
    let h = -(4.0 / 7.0 * (4.0f64 / 7.0).ln() + 3.0 / 7.0 * (1.0f64 / 7.0).ln());
    assert!((v.entropy - h).abs() < 1e-14);
    assert!((v.normalized_entropy - h / 4f64.ln()).abs() < 1e-14);
    assert_eq!(v.unassigned_fraction, 1.0 / 8.0);
    let uniform = visitation(&tour, 4, cell).unwrap();
    assert!((uniform.normalized_entropy - 1.0).abs() < 1e-15);
    let single = visitation(&stay, 4, cell).unwrap();
    assert_eq!((single.entropy, single.normalized_entropy), (0.0, 0.0));
}

#[test]
fn visit_a_uniform_circle_occupies_every_sector_equally() {
    // Angle sectors of the plane; a circle at constant angular speed spends exactly 100 of its
    // 800 steps in each (angles offset by half a step, so none sits on a boundary).
    let sectors = 8;
    let assign = |x: &[f64]| {
        let a = x[1].atan2(x[0]).rem_euclid(2.0 * std::f64::consts::PI);
        Some(((a / (2.0 * std::f64::consts::PI) * sectors as f64) as usize).min(sectors - 1))
    };
    let circle = DMatrix::from_fn(2, 800, |i, t| {
        let a = 2.0 * std::f64::consts::PI * (t as f64 + 0.5) / 800.0;
        if i == 0 { a.cos() } else { a.sin() }
    });
    let v = visitation(&circle, sectors, assign).unwrap();
    assert_eq!(v.occupancy, vec![0.125; 8]);
    assert!((v.entropy - 8f64.ln()).abs() < 1e-14);
    // Half the circle visits half the sectors.
    let half = circle.columns(0, 400).into_owned();
    let h = visitation(&half, sectors, assign).unwrap();
    assert_eq!(h.per_trajectory, vec![0.5]);
    assert!((h.normalized_entropy - 4f64.ln() / 8f64.ln()).abs() < 1e-14);
}

#[test]
fn compression_ratio_of_constant_speeds_and_censoring() {
    // Behaviour at 0.1 per step along x; replay at 0.4 per step along a diagonal.
    let behaviour = DMatrix::from_fn(2, 40, |i, t| if i == 0 { 0.1 * t as f64 } else { 0.0 });
    let diag = 0.4 / 2f64.sqrt();
    let replay = DMatrix::from_fn(2, 10, |_, t| diag * t as f64);
    let stuck = DMatrix::zeros(2, 10);
    let c = temporal_compression(&behaviour, &[replay.clone(), stuck], 1.15).unwrap();
    // Cover times: behaviour 12 (0.1·12 = 1.2), replay 3 (1.2): ratio 4, half the replays stuck.
    assert_eq!((c.behaviour_time, c.replay_time), (12.0, 3.0));
    assert_eq!(c.ratio, 4.0);
    assert_eq!((c.behaviour_censored, c.replay_censored), (0.0, 0.5));
}

#[test]
fn compression_of_diffusion_against_ballistic_motion_grows_with_distance() {
    // Replay as fast diffusion (cover time ∝ D²) against behaviour at constant speed (∝ D):
    // the ratio must fall as the distance grows, the signature of diffusive replay.
    let behaviour = DMatrix::from_fn(2, 400, |i, t| if i == 0 { 0.05 * t as f64 } else { 0.0 });
    let replay = random_walks(5, 200, 400, 0.2);
    let near = temporal_compression(&behaviour, &replay, 0.5).unwrap();
    let far = temporal_compression(&behaviour, &replay, 2.0).unwrap();
    assert!(near.ratio > far.ratio, "{} vs {}", near.ratio, far.ratio);
}

#[test]
fn alignment_of_rotated_fields_is_the_cosine_of_the_angle() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let score = common::gaussian_cloud(&mut rng, 2, 100, 0.0);
    for angle in [0.0, 0.4, 1.3, std::f64::consts::PI] {
        let (c, s) = (f64::cos(angle), f64::sin(angle));
        let drift = DMatrix::from_fn(2, 100, |i, j| {
            let (x, y) = (score[(0, j)], score[(1, j)]);
            // Rotated and rescaled: the cosine ignores the length.
            3.0 * if i == 0 { c * x - s * y } else { s * x + c * y }
        });
        let a = cosine_alignment(&drift, &score).unwrap();
        assert!(
            (a.mean_cosine - c).abs() < 1e-12,
            "angle {angle}: {}",
            a.mean_cosine
        );
        assert_eq!((a.used, a.skipped), (100, 0));
    }
    // Zero drift at a point: skipped and counted.
    let mut drift = score.clone();
    drift.set_column(0, &nalgebra::Vector2::zeros());
    let a = cosine_alignment(&drift, &score).unwrap();
    assert_eq!((a.used, a.skipped), (99, 1));
    assert!((a.mean_cosine - 1.0).abs() < 1e-15);
}

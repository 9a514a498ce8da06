//! The noise convention: which generator words make which normal, agreement with the exact
//! Box–Muller transform, the distribution of the draws, and the laws of splitting and precision.

use proptest::prelude::*;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use replay_sampler::{fill_standard_normal, fill_standard_normal_slice, standard_normal_pair};

/// The convention spelled out one pair at a time with `next_u32`, compiled without any vector
/// extension: what every fill must reproduce bit for bit.
fn reference_fill(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n + 1);
    while out.len() < n {
        let (c, s) = standard_normal_pair(rng.next_u32(), rng.next_u32());
        out.extend([c, s]);
    }
    out.truncate(n);
    out
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

/// `Φ(x)` from the complementary error function of Numerical Recipes' Chebyshev fit (fractional
/// error below 1.2e-7 everywhere), far below the Kolmogorov–Smirnov resolution used here.
fn normal_cdf(x: f64) -> f64 {
    let z = x.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = [
        -1.265_512_23,
        1.000_023_68,
        0.374_091_96,
        0.096_784_18,
        -0.186_288_06,
        0.278_868_07,
        -1.135_203_98,
        1.488_515_87,
        -0.822_152_23,
        0.170_872_77,
    ]
    .iter()
    .rev()
    .fold(0.0, |acc, &c| acc * t + c);
    let erfc = t * (-z * z + poly).exp();
    if x >= 0.0 {
        1.0 - 0.5 * erfc
    } else {
        0.5 * erfc
    }
}

#[test]
fn normal_cdf_reference_matches_known_values() {
    for (x, p) in [
        (0.0, 0.5),
        (1.0, 0.841_344_746_068_543),
        (-1.959_963_984_540_054, 0.025),
        (3.0, 0.998_650_101_968_37),
        (-4.0, 3.167_124_183_311_998e-5),
    ] {
        assert!((normal_cdf(x) - p).abs() < 2e-7 * p.max(1e-3), "Φ({x})");
    }
}

#[test]
fn a_fill_takes_one_pair_of_words_per_pair_of_entries_in_order() {
    // Long enough to cross several internal chunks, odd so that the last sine is discarded.
    let n = 3 * 512 + 77;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut out = vec![0.0f32; n];
    fill_standard_normal_slice(&mut out, &mut rng);
    assert_eq!(bits(&out), bits(&reference_fill(n, 11)));
    // The fill consumed n + 1 words: the generator continues at word n + 1.
    let mut words = ChaCha8Rng::seed_from_u64(11);
    for _ in 0..=n {
        words.next_u32();
    }
    assert_eq!(rng.next_u32(), words.next_u32());
}

#[test]
fn double_precision_noise_is_the_single_precision_noise_widened() {
    let mut single = nalgebra::DMatrix::<f32>::zeros(7, 9);
    let mut double = nalgebra::DMatrix::<f64>::zeros(7, 9);
    fill_standard_normal(&mut single, &mut ChaCha8Rng::seed_from_u64(5));
    fill_standard_normal(&mut double, &mut ChaCha8Rng::seed_from_u64(5));
    assert_eq!(double, single.map(f64::from));
}

#[test]
fn even_splits_continue_the_stream_and_odd_ones_skip_a_word() {
    let whole = reference_fill(1000, 9);
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let (mut a, mut b) = (vec![0.0f32; 600], vec![0.0f32; 400]);
    fill_standard_normal_slice(&mut a, &mut rng);
    fill_standard_normal_slice(&mut b, &mut rng);
    assert_eq!(bits(&[a, b].concat()), bits(&whole));
    // An odd part of 599 discards the sine of its last pair: the next part starts at entry 600.
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let (mut a, mut b) = (vec![0.0f32; 599], vec![0.0f32; 400]);
    fill_standard_normal_slice(&mut a, &mut rng);
    fill_standard_normal_slice(&mut b, &mut rng);
    assert_eq!(bits(&a), bits(&whole[..599]));
    assert_eq!(bits(&b), bits(&whole[600..]));
}

#[test]
fn pairs_match_the_exact_transform_of_their_words() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut worst = 0.0f64;
    let check = |x: u32, y: u32| -> f64 {
        let (c, s) = standard_normal_pair(x, y);
        // The radius uniform as documented (rounded to single precision), then everything in
        // double precision with the library's logarithm, square root and trigonometry.
        let u = f64::from((((x >> 1) as i32) as f32 + 0.5) * 2f32.powi(-31));
        let r = (-2.0 * u.ln()).sqrt();
        let theta = std::f64::consts::TAU * f64::from(y) / 2f64.powi(32);
        let err = (f64::from(c) - r * theta.cos()).abs() + (f64::from(s) - r * theta.sin()).abs();
        err / (1.0 + r)
    };
    for _ in 0..1_000_000 {
        worst = worst.max(check(rng.next_u32(), rng.next_u32()));
    }
    // The ends of both ranges and the axes of the angle.
    for x in [0, 1, 2, 3, 1 << 31, u32::MAX - 1, u32::MAX] {
        for y in [
            0,
            1,
            (1 << 29) - 1,
            1 << 29,
            1 << 30,
            1 << 31,
            3 << 30,
            u32::MAX,
        ] {
            worst = worst.max(check(x, y));
        }
    }
    assert!(
        worst < 2.5e-7,
        "worst error {worst} (relative to 1 + radius)"
    );
    // Exact values on the axes: cos 0 = 1, and quarter turns rotate without rounding.
    let (c, s) = standard_normal_pair(0, 0);
    assert_eq!(s, 0.0);
    assert_eq!(c, (64.0 * std::f32::consts::LN_2).sqrt());
    assert_eq!(standard_normal_pair(0, 1 << 30), (-0.0, c));
    assert_eq!(standard_normal_pair(0, 1 << 31), (-c, -0.0));
    assert_eq!(standard_normal_pair(0, 3 << 30), (0.0, -c));
    assert_eq!(standard_normal_pair(u32::MAX, 12345), (0.0, 0.0));
}

#[test]
fn draws_are_standard_normal_in_moments_tails_and_distribution() {
    let n = 1 << 21;
    let mut z = vec![0.0f64; n];
    fill_standard_normal_slice(&mut z, &mut ChaCha8Rng::seed_from_u64(2026));
    let nf = n as f64;
    let mean = z.iter().sum::<f64>() / nf;
    let var = z.iter().map(|v| v * v).sum::<f64>() / nf;
    let m4 = z.iter().map(|v| v.powi(4)).sum::<f64>() / nf;
    assert!(mean.abs() < 4.0 / nf.sqrt(), "mean {mean}");
    assert!(
        (var - 1.0).abs() < 4.0 * (2.0 / nf).sqrt(),
        "variance {var}"
    );
    assert!(
        (m4 - 3.0).abs() < 4.0 * (96.0 / nf).sqrt(),
        "fourth moment {m4}"
    );
    for (k, p) in [
        (2.0, 0.045_500_263_896_358),
        (3.0, 2.699_796_063_260e-3),
        (4.0, 6.334e-5),
    ] {
        let frac = z.iter().filter(|v| v.abs() > k).count() as f64 / nf;
        let se = (p * (1.0 - p) / nf).sqrt();
        assert!(
            (frac - p).abs() < 4.0 * se,
            "P(|z| > {k}) = {frac}, expected {p}"
        );
    }
    assert!(z.iter().all(|v| v.abs() <= 6.67));
    // Kolmogorov–Smirnov against Φ: the critical value at p = 0.001 is 1.95 / √n.
    let mut sorted = z.clone();
    sorted.sort_by(f64::total_cmp);
    let d = sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = normal_cdf(x);
            (f - i as f64 / nf)
                .abs()
                .max(((i + 1) as f64 / nf - f).abs())
        })
        .fold(0.0, f64::max);
    assert!(d < 1.95 / nf.sqrt(), "KS distance {d}");
    // Independence: neighbours, the two members of a pair (which share a radius: their squares
    // are independent only if the transform is right), and pairs one apart.
    let corr = |a: &[f64], b: &[f64]| -> f64 {
        let (ma, mb) = (
            a.iter().sum::<f64>() / a.len() as f64,
            b.iter().sum::<f64>() / b.len() as f64,
        );
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    };
    let bound = 4.0 / (nf / 2.0).sqrt();
    let cos: Vec<f64> = z.iter().step_by(2).copied().collect();
    let sin: Vec<f64> = z.iter().skip(1).step_by(2).copied().collect();
    let sq = |v: &[f64]| v.iter().map(|x| x * x).collect::<Vec<f64>>();
    assert!(corr(&z[..n - 1], &z[1..]).abs() < bound);
    assert!(corr(&cos, &sin).abs() < bound);
    assert!(corr(&sq(&cos), &sq(&sin)).abs() < bound);
    assert!(corr(&sq(&cos[..n / 2 - 1]), &sq(&cos[1..])).abs() < bound);
}

proptest! {
    #[test]
    fn any_fill_is_finite_bounded_and_the_reference_sequence(seed in any::<u64>(), n in 0usize..2000) {
        let mut out = vec![0.0f32; n];
        fill_standard_normal_slice(&mut out, &mut ChaCha8Rng::seed_from_u64(seed));
        prop_assert!(out.iter().all(|v| v.is_finite() && v.abs() <= 6.67));
        prop_assert_eq!(bits(&out), bits(&reference_fill(n, seed)));
    }
}

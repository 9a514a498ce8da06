//! The Student-t distribution function and its quantiles, through the regularised incomplete
//! beta function (Lentz's continued fraction) and a Lanczos log-gamma.

use crate::{MetricsError, Result};

/// `P(T ≤ t)` for Student's t with `dof > 0` degrees of freedom.
///
/// ```
/// use replay_metrics::student_t_cdf;
///
/// // One degree of freedom is the Cauchy distribution: F(1) = 1/2 + atan(1)/π = 3/4.
/// assert!((student_t_cdf(1.0, 1.0).unwrap() - 0.75).abs() < 1e-14);
/// assert_eq!(student_t_cdf(0.0, 7.0).unwrap(), 0.5);
/// ```
pub fn student_t_cdf(t: f64, dof: f64) -> Result<f64> {
    check_dof(dof)?;
    if t.is_nan() {
        return Err(MetricsError::NonFinite {
            field: "t",
            index: 0,
            value: t,
        });
    }
    Ok(cdf(t, dof))
}

/// The quantile `t_{p, dof}`: the `t` with `P(T ≤ t) = p`, for `0 < p < 1` and `dof > 0`.
///
/// Solved by bisection on the distribution function to full `f64` precision.
///
/// ```
/// use replay_metrics::student_t_quantile;
///
/// // Tabulated: t_{0.975, 4} = 2.776445.
/// assert!((student_t_quantile(0.975, 4.0).unwrap() - 2.776445).abs() < 1e-6);
/// assert!(student_t_quantile(1.0, 4.0).is_err());
/// ```
pub fn student_t_quantile(p: f64, dof: f64) -> Result<f64> {
    check_dof(dof)?;
    if !(p > 0.0 && p < 1.0) {
        return Err(MetricsError::InvalidParameter {
            field: "p",
            value: format!("{p}"),
            reason: "a probability strictly between 0 and 1 is required",
        });
    }
    if p < 0.5 {
        return Ok(-upper_quantile(1.0 - p, dof));
    }
    Ok(upper_quantile(p, dof))
}

fn check_dof(dof: f64) -> Result<()> {
    if dof.is_finite() && dof > 0.0 {
        Ok(())
    } else {
        Err(MetricsError::InvalidParameter {
            field: "dof",
            value: format!("{dof}"),
            reason: "degrees of freedom must be positive and finite",
        })
    }
}

/// Quantile for `p ≥ 1/2`, by bisection on `[0, hi]`.
fn upper_quantile(p: f64, dof: f64) -> f64 {
    let mut lo = 0.0;
    let mut hi = 1.0;
    while cdf(hi, dof) < p && hi < 1e300 {
        lo = hi;
        hi *= 2.0;
    }
    for _ in 0..2000 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if cdf(mid, dof) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

fn cdf(t: f64, dof: f64) -> f64 {
    if t == 0.0 {
        return 0.5;
    }
    // P(|T| > |t|) = I_x(dof/2, 1/2) with x = dof / (dof + t²). Near t = 0, x is close to 1 and
    // `1 − x` would cancel; its exact form t² / (dof + t²) keeps the CDF accurate there.
    let x = dof / (dof + t * t);
    let y = t * t / (dof + t * t);
    let tail = 0.5 * incomplete_beta(0.5 * dof, 0.5, x, y);
    if t > 0.0 { 1.0 - tail } else { tail }
}

/// Regularised incomplete beta `I_x(a, b)`, given `x` and `y = 1 − x` each computed accurately.
fn incomplete_beta(a: f64, b: f64, x: f64, y: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * y.ln();
    let front = ln_front.exp();
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry
    // I_x(a, b) = 1 − I_{1−x}(b, a) on the other side.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_fraction(b, a, y) / b
    }
}

/// Continued fraction of the incomplete beta function, evaluated by the modified Lentz method.
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    // One Lentz update with partial numerator `aa`: returns the factor to multiply into `h`.
    let step = |aa: f64, c: &mut f64, d: &mut f64| {
        *d = 1.0 + aa * *d;
        if d.abs() < TINY {
            *d = TINY;
        }
        *c = 1.0 + aa / *c;
        if c.abs() < TINY {
            *c = TINY;
        }
        *d = 1.0 / *d;
        *d * *c
    };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    // Starting from c = ∞, d = 1, the first update gives c = 1, d = 1 / (1 − qab·x/qap) = h.
    let mut c = f64::INFINITY;
    let mut d = 1.0;
    let mut h = step(-qab * x / qap, &mut c, &mut d);
    for m in 1..1000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        h *= step(m * (b - m) * x / ((qam + m2) * (a + m2)), &mut c, &mut d);
        let last = step(
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
            &mut c,
            &mut d,
        );
        h *= last;
        if (last - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// `ln Γ(x)` for `x > 0`, Lanczos approximation (g = 7, 9 terms), relative error ~1e-15.
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEF[0];
    for (k, c) in COEF.iter().enumerate().skip(1) {
        sum += c / (x + k as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_ln_gamma_matches_factorials_and_half_integers() {
        let mut fact = 1.0f64;
        for n in 1..20 {
            // Γ(n) = (n − 1)!
            assert!((ln_gamma(n as f64) - fact.ln()).abs() < 1e-13, "n = {n}");
            fact *= n as f64;
        }
        // Γ(1/2) = √π
        assert!((ln_gamma(0.5) - 0.5 * std::f64::consts::PI.ln()).abs() < 1e-14);
    }

    #[test]
    fn summary_incomplete_beta_matches_closed_forms() {
        for &x in &[0.01, 0.2, 0.5, 0.7, 0.99] {
            // I_x(1, 1) = x, I_x(a, 1) = x^a, I_x(1, b) = 1 − (1 − x)^b.
            assert!((incomplete_beta(1.0, 1.0, x, 1.0 - x) - x).abs() < 1e-14);
            assert!((incomplete_beta(3.5, 1.0, x, 1.0 - x) - x.powf(3.5)).abs() < 1e-13);
            assert!(
                (incomplete_beta(1.0, 2.5, x, 1.0 - x) - (1.0 - (1.0 - x).powf(2.5))).abs() < 1e-13
            );
        }
    }
}

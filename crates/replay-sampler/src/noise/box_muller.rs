//! The Box–Muller transform of two uniform 32-bit words into two independent standard normals,
//! written as a fixed sequence of single-precision IEEE operations.
//!
//! Our own code rather than `libm` or `rand_distr`: the transform has to vectorise (sixteen lanes
//! at a time, no branches, no calls) and give the same bits on every machine and at every vector
//! width, which a library logarithm or sine does not promise. Every step below is a correctly
//! rounded IEEE operation (`+ − × ÷ √`, integer–float conversion) or exact bit manipulation, so
//! the scalar and the vectorised builds agree bit for bit.
//!
//! Accuracy against the exact transform of the same words (tested): the radius
//! `√(−2 ln u)` to a few units in the last place, the angle to `2⁻²⁴` of a quarter turn.

/// `2⁻³¹`.
const TWO_POW_M31: f32 = 1.0 / 2_147_483_648.0;
/// `2⁻³⁰`.
const TWO_POW_M30: f32 = 1.0 / 1_073_741_824.0;
/// The bits of `√½` in single precision: mantissas are normalised to `[√½, √2)`.
const SQRT_HALF_BITS: i32 = 0x3f35_04f3;

/// The uniform of the radius word: `((x >> 1) + ½) · 2⁻³¹`, in `[2⁻³², 1]`, never zero.
#[inline(always)]
fn unit_interval(x: u32) -> f32 {
    // `x >> 1` fits an `i32`, whose conversion is a native instruction at every vector width.
    (((x >> 1) as i32) as f32 + 0.5) * TWO_POW_M31
}

/// `ln u` for a normal positive `u`: `u = 2^e · m` with `m ∈ [√½, √2)`, and
/// `ln m = 2 atanh s`, `s = (m − 1)/(m + 1)`, `|s| ≤ 0.172`, summed to `s⁹` (the first omitted
/// term is below `10⁻⁹` of the result).
#[inline(always)]
pub(crate) fn ln(u: f32) -> f32 {
    let shifted = u.to_bits() as i32 - SQRT_HALF_BITS;
    let exponent = (shifted >> 23) as f32;
    let m = f32::from_bits(((shifted & 0x007f_ffff) + SQRT_HALF_BITS) as u32);
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let tail = s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0))));
    exponent * std::f32::consts::LN_2 + (2.0 * s + 2.0 * s * tail)
}

/// `(sin, cos)` of `f · π/2` for `f ∈ [−½, ½]`, by their Taylor series to degree 9 and 10 (the
/// first omitted terms are below `2·10⁻⁹`).
#[inline(always)]
pub(crate) fn sin_cos_quarter_turns(f: f32) -> (f32, f32) {
    let p = f * std::f32::consts::FRAC_PI_2;
    let p2 = p * p;
    let sin = p
        * (1.0
            + p2 * (-1.0 / 6.0
                + p2 * (1.0 / 120.0 + p2 * (-1.0 / 5040.0 + p2 * (1.0 / 362_880.0)))));
    let cos = 1.0
        + p2 * (-0.5
            + p2 * (1.0 / 24.0
                + p2 * (-1.0 / 720.0 + p2 * (1.0 / 40_320.0 + p2 * (-1.0 / 3_628_800.0)))));
    (sin, cos)
}

/// Two independent standard normals from two uniform 32-bit words: with
/// `u = ((x >> 1) + ½) · 2⁻³¹` (rounded to single precision) and `θ = 2π y / 2³²`,
/// `(√(−2 ln u) cos θ, √(−2 ln u) sin θ)`.
///
/// This is the transform behind [`fill_standard_normal`](crate::fill_standard_normal), exposed so
/// that a reference implementation can reproduce the noise from the generator's words. The
/// radius never exceeds `√(64 ln 2) ≈ 6.66` (`u ≥ 2⁻³²`); beyond that the normal has
/// probability below `10⁻¹⁰`.
///
/// ```
/// use replay_sampler::standard_normal_pair;
///
/// // x = 2³¹ gives u = ½, so the radius is √(2 ln 2); y = 0 is the angle 0.
/// let (c, s) = standard_normal_pair(1 << 31, 0);
/// assert!((c - (2.0 * std::f32::consts::LN_2).sqrt()).abs() < 1e-6);
/// assert_eq!(s, 0.0);
/// // A quarter turn later the cosine and the sine trade places.
/// let (c2, s2) = standard_normal_pair(1 << 31, 1 << 30);
/// assert_eq!((c2, s2), (-s, c));
/// ```
#[inline(always)]
pub fn standard_normal_pair(x: u32, y: u32) -> (f32, f32) {
    let radius = (-2.0 * ln(unit_interval(x))).sqrt();
    // θ = (q + f) quarter turns, q the nearest whole quarter (mod 4), f ∈ [−½, ½): integer
    // arithmetic splits the angle exactly, so no argument reduction is needed.
    let quarter = y.wrapping_add(1 << 29) >> 30;
    let fraction = (y.wrapping_sub(quarter << 30) as i32) as f32 * TWO_POW_M30;
    let (sin, cos) = sin_cos_quarter_turns(fraction);
    // Rotating by q quarter turns swaps sine and cosine for odd q and flips signs: the cosine's
    // for q ∈ {1, 2}, the sine's for q ∈ {2, 3}. Selects and sign bits keep it branch-free.
    let odd = quarter & 1 == 1;
    let (c, s) = if odd { (sin, cos) } else { (cos, sin) };
    let c = f32::from_bits(c.to_bits() ^ ((quarter.wrapping_add(1) & 2) << 30));
    let s = f32::from_bits(s.to_bits() ^ ((quarter & 2) << 30));
    (radius * c, radius * s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spacing of single-precision numbers at `x` (`x ≠ 0`).
    fn ulp(x: f64) -> f64 {
        let r = (x as f32).abs();
        f64::from(f32::from_bits(r.to_bits() + 1) - r)
    }

    #[test]
    fn unit_interval_spans_two_pow_minus_32_to_one() {
        assert_eq!(unit_interval(0), 2f32.powi(-32));
        assert_eq!(unit_interval(1), 2f32.powi(-32));
        assert_eq!(unit_interval(2), 3.0 * 2f32.powi(-32));
        assert_eq!(unit_interval(1 << 31), 0.5 + 2f32.powi(-32));
        assert_eq!(unit_interval(u32::MAX), 1.0);
    }

    #[test]
    fn ln_matches_double_precision_to_a_few_ulp() {
        // Every exponent from 2⁻³² to 1, with mantissas across the whole binade.
        let mut worst = 0.0f64;
        for e in -32..=0 {
            for k in 0..4096u32 {
                let u = f32::from_bits((((e + 127) as u32) << 23) | (k * 2048)).min(1.0);
                let exact = f64::from(u).ln();
                let err = (f64::from(ln(u)) - exact).abs() / ulp(exact);
                worst = worst.max(err);
            }
        }
        assert!(worst <= 1.5, "worst error {worst} ulp");
        assert_eq!(ln(1.0), 0.0);
        assert!(ln(1.0 - f32::EPSILON / 2.0) < 0.0);
        assert_eq!(ln(0.5), -std::f32::consts::LN_2);
    }

    #[test]
    fn sin_cos_match_double_precision_over_the_reduced_range() {
        let mut worst = 0.0f64;
        for i in -(1 << 16)..=(1 << 16) {
            let f = i as f32 / (1 << 17) as f32;
            let (s, c) = sin_cos_quarter_turns(f);
            let p = f64::from(f) * std::f64::consts::FRAC_PI_2;
            worst = worst.max((f64::from(s) - p.sin()).abs());
            worst = worst.max((f64::from(c) - p.cos()).abs());
        }
        assert!(worst < 1e-7, "worst absolute error {worst}");
        assert_eq!(sin_cos_quarter_turns(0.0), (0.0, 1.0));
    }
}

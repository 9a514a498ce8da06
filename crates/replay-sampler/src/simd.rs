//! Running a closure compiled for the vector instructions the CPU has.
//!
//! The workspace is built for the baseline `x86_64` target (SSE2), where the compiler vectorises
//! loops four `f32` lanes wide. [`wide`] runs a closure inside a function compiled with AVX2 and
//! FMA when the CPU has them (eight lanes), [`widest`] inside one compiled with AVX-512 when the
//! CPU has it (sixteen lanes), else as [`wide`] does. Mark the closure `#[inline(always)]` so that
//! its body is compiled inside the enabled function.
//!
//! Results do not depend on which function ran the closure as long as its body is a sequence of
//! IEEE operations with one result each (`+ − × ÷ √`, conversions, bit manipulation) and its
//! reductions fix their order: Rust never contracts `a * b + c` into a fused multiply–add on its
//! own, so the wider builds compute every lane exactly as the baseline build does.

use std::sync::OnceLock;

/// The widest instruction set available, detected once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Baseline,
    Avx2,
    Avx512,
}

fn level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
            let avx512 = avx2
                && is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512dq")
                && is_x86_feature_detected!("avx512vl");
            if avx512 {
                Level::Avx512
            } else if avx2 {
                Level::Avx2
            } else {
                Level::Baseline
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Level::Baseline
        }
    })
}

/// Runs `f` compiled with AVX2 and FMA when the CPU has them.
///
/// ```
/// use replay_sampler::simd::wide;
///
/// let x: Vec<f32> = (0..37).map(|i| i as f32 * 0.37 - 3.0).collect();
/// let scaled = wide(
///     #[inline(always)]
///     || x.iter().map(|v| v * 1.5 + 0.25).collect::<Vec<f32>>(),
/// );
/// assert_eq!(scaled, x.iter().map(|v| v * 1.5 + 0.25).collect::<Vec<f32>>());
/// ```
#[inline(always)]
pub fn wide<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if level() != Level::Baseline {
        #[target_feature(enable = "avx2,fma")]
        fn avx2<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        // SAFETY: the CPU has AVX2 and FMA (checked by `level`).
        return unsafe { avx2(f) };
    }
    f()
}

/// Runs `f` compiled with AVX-512 (F, BW, DQ, VL) when the CPU has it, else as [`wide`] does.
///
/// ```
/// use replay_sampler::simd::widest;
///
/// let x: Vec<f32> = (0..101).map(|i| i as f32 * 0.01).collect();
/// let roots = widest(
///     #[inline(always)]
///     || x.iter().map(|v| v.sqrt()).collect::<Vec<f32>>(),
/// );
/// assert_eq!(roots, x.iter().map(|v| v.sqrt()).collect::<Vec<f32>>());
/// ```
#[inline(always)]
pub fn widest<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if level() == Level::Avx512 {
        #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
        fn avx512<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        // SAFETY: the CPU has AVX-512 F, BW, DQ and VL (checked by `level`).
        return unsafe { avx512(f) };
    }
    wide(f)
}

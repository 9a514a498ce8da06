//! Elementwise passes compiled for the vector instructions the CPU has.
//!
//! The crate is built for the baseline `x86_64` target (SSE2), where the compiler vectorises
//! loops four `f32` lanes wide. [`wide`] runs a closure inside a function compiled with AVX2
//! and FMA when the CPU has them, so the inlined loop body is vectorised eight lanes wide.
//!
//! The results are bit-identical either way: the passes are elementwise (each output is the same
//! sequence of IEEE operations whatever the vector width), reductions are written with explicit
//! lanes, and Rust never contracts `a * b + c` into a fused multiply–add on its own.

use std::sync::OnceLock;

/// Whether the CPU has AVX2 and FMA (checked once).
fn has_avx2() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    })
}

/// Runs `f`, compiled with AVX2 and FMA enabled when the CPU supports them. Mark the closure
/// `#[inline(always)]` so that its body is compiled inside the enabled function.
#[inline(always)]
pub(crate) fn wide<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if has_avx2() {
        #[target_feature(enable = "avx2,fma")]
        fn avx2<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        // SAFETY: the CPU has AVX2 and FMA (checked above).
        return unsafe { avx2(f) };
    }
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_returns_what_the_closure_computes() {
        let x: Vec<f32> = (0..37).map(|i| i as f32 * 0.37 - 3.0).collect();
        let plain: Vec<f32> = x.iter().map(|v| v * 1.5 + 0.25).collect();
        let vectorised = wide(
            #[inline(always)]
            || x.iter().map(|v| v * 1.5 + 0.25).collect::<Vec<f32>>(),
        );
        assert_eq!(plain, vectorised);
    }
}

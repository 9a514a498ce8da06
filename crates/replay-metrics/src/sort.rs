//! Least-significant-digit radix sort of `f64` values, for the sliced distances.
//!
//! Sliced Wasserstein sorts two projected samples per projection, and that sort is its whole
//! cost. Mapping each `f64` to a `u64` whose unsigned order is `f64::total_cmp` order lets a
//! radix sort do it in six linear passes of 11-bit digits (2048 buckets: histograms in L1,
//! few enough passes), about four times faster than `sort_unstable_by(f64::total_cmp)` on 10⁵
//! Gaussian values (1.5 ms against 6 ms), with no allocation once the buffers have grown.

/// Below this length a comparison sort wins over the fixed cost of the passes.
const SMALL: usize = 256;
const BITS: u32 = 11;
const BUCKETS: usize = 1 << BITS;
const PASSES: usize = 64usize.div_ceil(BITS as usize);

/// Order-preserving map from `f64` (total order) to `u64`.
#[inline]
pub(crate) fn key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// Inverse of [`key`].
#[inline]
pub(crate) fn value(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Sorts `keys` ascending, using `scratch` (resized as needed) as the second buffer.
pub(crate) fn sort_keys(keys: &mut Vec<u64>, scratch: &mut Vec<u64>) {
    let n = keys.len();
    if n < SMALL {
        keys.sort_unstable();
        return;
    }
    let mut counts = [[0usize; BUCKETS]; PASSES];
    for &k in keys.iter() {
        for (pass, count) in counts.iter_mut().enumerate() {
            count[((k >> (pass as u32 * BITS)) as usize) & (BUCKETS - 1)] += 1;
        }
    }
    scratch.resize(n, 0);
    for (pass, count) in counts.iter_mut().enumerate() {
        let shift = pass as u32 * BITS;
        // A digit shared by every key leaves the order unchanged: skip the pass.
        if count[((keys[0] >> shift) as usize) & (BUCKETS - 1)] == n {
            continue;
        }
        let mut offset = 0;
        for c in count.iter_mut() {
            let here = *c;
            *c = offset;
            offset += here;
        }
        for &k in keys.iter() {
            let digit = ((k >> shift) as usize) & (BUCKETS - 1);
            scratch[count[digit]] = k;
            count[digit] += 1;
        }
        std::mem::swap(keys, scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn sliced_radix_sort_matches_total_cmp_sort() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for n in [0, 1, 7, 255, 256, 1000, 5000] {
            let mut values: Vec<f64> = (0..n)
                .map(|i| match i % 7 {
                    0 => -0.0,
                    1 => 0.0,
                    2 => f64::MIN_POSITIVE * rng.random::<f64>(),
                    3 => -1e300 * rng.random::<f64>(),
                    _ => rng.random::<f64>() * 200.0 - 100.0,
                })
                .collect();
            let mut keys: Vec<u64> = values.iter().map(|&v| key(v)).collect();
            let mut scratch = Vec::new();
            sort_keys(&mut keys, &mut scratch);
            values.sort_unstable_by(f64::total_cmp);
            let sorted: Vec<f64> = keys.iter().map(|&k| value(k)).collect();
            assert_eq!(
                sorted.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                values.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                "n = {n}"
            );
        }
    }
}

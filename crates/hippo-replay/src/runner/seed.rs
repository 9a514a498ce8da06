//! Seeds for every random stream of a run, derived from the master seed and the stream's name.
//!
//! Each stream (training batches of one network, replay noise of one cell, ...) gets its own
//! ChaCha generator, so results do not depend on the order cells run in or on the thread count.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// SplitMix64's finaliser. A fixed, documented mixing function (unlike std's hashers, whose
/// output may change between Rust releases), so a seed means the same stream forever.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed of the stream named by `parts` under `master`.
///
/// ```
/// use hippo_replay::runner::stream_seed;
/// assert_eq!(stream_seed(1, &["train", "triangle"]), stream_seed(1, &["train", "triangle"]));
/// assert_ne!(stream_seed(1, &["train", "triangle"]), stream_seed(1, &["replay", "triangle"]));
/// assert_ne!(stream_seed(1, &["ab", "c"]), stream_seed(1, &["a", "bc"]));
/// ```
pub fn stream_seed(master: u64, parts: &[&str]) -> u64 {
    let mut h = mix(master);
    for part in parts {
        for byte in part.bytes() {
            h = mix(h ^ u64::from(byte));
        }
        // A separator keeps ["ab", "c"] and ["a", "bc"] apart.
        h = mix(h ^ 0xff00);
    }
    h
}

/// A ChaCha8 generator for the stream named by `parts`.
///
/// ```
/// use rand::Rng;
/// let a: u64 = hippo_replay::runner::stream_rng(7, &["x"]).random();
/// let b: u64 = hippo_replay::runner::stream_rng(7, &["x"]).random();
/// assert_eq!(a, b);
/// ```
pub fn stream_rng(master: u64, parts: &[&str]) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(stream_seed(master, parts))
}

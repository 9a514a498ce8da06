//! Same seed, same trajectory, for every scheme, in f64 and f32.

use nalgebra::{DMatrix, RealField};
use proptest::prelude::*;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_sampler::{
    Adaptation, Adapted, Baoab, Drift, EulerMaruyama, Integrator, Momentum, Obabo, SamplerState,
    Splitting, Trajectory,
};

/// A nonlinear drift in the style of a network: `f_i = tanh(x_{i+1} + c_i)/2 − 0.3 x_i`
/// (indices cyclic).
pub struct Bump;

impl<T: RealField + Copy> Drift<T> for Bump {
    fn drift_into(&self, states: &DMatrix<T>, current: Option<&DMatrix<T>>, out: &mut DMatrix<T>) {
        let (d, n) = states.shape();
        let half = nalgebra::convert::<f64, T>(0.5);
        let leak = nalgebra::convert::<f64, T>(0.3);
        for j in 0..n {
            for i in 0..d {
                let c = current.map_or(T::zero(), |c| c[(i, j)]);
                out[(i, j)] = (states[((i + 1) % d, j)] + c).tanh() * half - leak * states[(i, j)];
            }
        }
    }
}

/// Positions of every step of `scheme` from a fixed start, with an optional constant current.
pub fn record<T, I>(scheme: &I, seed: u64, steps: usize, current: Option<&DMatrix<T>>) -> Vec<T>
where
    T: RealField + Copy,
    I: Integrator<T>,
{
    let start = DMatrix::from_fn(3, 5, |i, j| {
        nalgebra::convert::<f64, T>((i * 5 + j) as f64 * 0.1 - 0.7)
    });
    let mut state = SamplerState::new(start).unwrap();
    let mut traj = Trajectory::new(3, 5, 1, steps).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    scheme
        .run(&mut state, &Bump, current, steps, &mut rng, &mut traj)
        .unwrap();
    traj.as_slice().to_vec()
}

/// Bitwise equality (NaN-safe, sign-of-zero-safe).
pub fn same_bits(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

fn splitting(h: f64, g: f64) -> Splitting<f64> {
    Splitting::new(h, g, 1.0).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn em_momentum_baoab_obabo_same_seed_is_bit_identical(seed in any::<u64>(), sigma in 0.0f64..1.0) {
        let em = EulerMaruyama::new(0.5, sigma).unwrap();
        prop_assert!(same_bits(&record(&em, seed, 100, None), &record(&em, seed, 100, None)));
        let m = Momentum::new(0.3, sigma).unwrap();
        prop_assert!(same_bits(&record(&m, seed, 100, None), &record(&m, seed, 100, None)));
        let b = Baoab::new(splitting(0.2, 1.0));
        prop_assert!(same_bits(&record(&b, seed, 100, None), &record(&b, seed, 100, None)));
        let o = Obabo::new(splitting(0.2, 1.0));
        prop_assert!(same_bits(&record(&o, seed, 100, None), &record(&o, seed, 100, None)));
        let a = Adapted::new(m, Adaptation::new(0.3, 5.0).unwrap());
        prop_assert!(same_bits(&record(&a, seed, 100, None), &record(&a, seed, 100, None)));
        // Chosen at run time, the same scheme gives the same bits.
        let dynamic: replay_sampler::Scheme<f64> = m.into();
        prop_assert!(same_bits(&record(&m, seed, 100, None), &record(&dynamic, seed, 100, None)));
        let dynamic: replay_sampler::Scheme<f64> = o.into();
        prop_assert!(same_bits(&record(&o, seed, 100, None), &record(&dynamic, seed, 100, None)));
        // And a different seed gives a different path when there is noise.
        if sigma > 0.0 {
            prop_assert!(!same_bits(&record(&em, seed, 100, None), &record(&em, seed ^ 1, 100, None)));
        }
    }
}

#[test]
fn em_same_seed_is_bit_identical_in_f32() {
    let em = EulerMaruyama::new(1.0_f32, 0.1).unwrap();
    let a: Vec<u32> = record(&em, 5, 300, None)
        .iter()
        .map(|x| x.to_bits())
        .collect();
    let b: Vec<u32> = record(&em, 5, 300, None)
        .iter()
        .map(|x| x.to_bits())
        .collect();
    assert_eq!(a, b);
    // The f32 path follows the f64 one closely over a short horizon (same draws, rounded).
    let wide = record(&EulerMaruyama::new(1.0_f64, 0.1).unwrap(), 5, 20, None);
    let narrow = record(&em, 5, 20, None);
    for (w, n) in wide.iter().zip(&narrow) {
        assert!((w - *n as f64).abs() < 1e-4, "{w} vs {n}");
    }
}

/// Positions after `steps` steps of a batch large enough that the drift is evaluated on another
/// thread while the noise is drawn (when the pool has two threads), on a pool of `threads`.
fn large_batch_run<I: Integrator<f64> + Sync>(
    scheme: &I,
    threads: usize,
    steps: usize,
) -> Vec<u64> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let start = DMatrix::from_fn(64, 600, |i, j| ((i * 7 + j * 3) % 17) as f64 * 0.1 - 0.8);
        let mut state = SamplerState::new(start).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(23);
        for _ in 0..steps {
            scheme.step(&mut state, &Bump, None, &mut rng).unwrap();
        }
        state.positions().iter().map(|x| x.to_bits()).collect()
    })
}

#[test]
fn large_batches_give_the_same_bits_on_one_and_two_threads() {
    // 64 × 600 = 38 400 normals per block: above the size at which drawing and the drift overlap.
    let p = splitting(0.2, 1.0);
    let em = EulerMaruyama::new(0.1, 0.3).unwrap();
    let momentum = Momentum::new(0.3, 0.2).unwrap();
    let adapted = Adapted::new(momentum, Adaptation::new(0.2, 5.0).unwrap());
    assert_eq!(large_batch_run(&em, 1, 4), large_batch_run(&em, 2, 4));
    assert_eq!(
        large_batch_run(&momentum, 1, 4),
        large_batch_run(&momentum, 2, 4)
    );
    assert_eq!(
        large_batch_run(&adapted, 1, 4),
        large_batch_run(&adapted, 2, 4)
    );
    let (baoab, obabo) = (Baoab::new(p), Obabo::new(p));
    assert_eq!(large_batch_run(&baoab, 1, 4), large_batch_run(&baoab, 2, 4));
    assert_eq!(large_batch_run(&obabo, 1, 4), large_batch_run(&obabo, 2, 4));
    // The steps moved the states.
    assert_ne!(large_batch_run(&em, 1, 1), large_batch_run(&em, 1, 2));
}

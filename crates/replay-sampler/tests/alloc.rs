//! Stepping allocates nothing once a state has been stepped once (its velocity and adaptation
//! storage and the noise buffer exist). Counted with a global allocator, in a binary of its own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use replay_sampler::scores::{Gaussian, GaussianMixture, IsotropicGaussian};
use replay_sampler::{
    Adaptation, Adapted, Baoab, Drift, EulerMaruyama, Integrator, Momentum, Obabo, SamplerState,
    Splitting, Trajectory,
};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by 200 steps of `scheme`, after one warm-up step, recorded into a
/// preallocated trajectory.
fn allocations_while_stepping<I: Integrator<f64>, D: Drift<f64>>(scheme: &I, drift: &D) -> usize {
    let mut state = SamplerState::new(DMatrix::from_element(2, 16, 0.3)).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let current = DMatrix::from_element(2, 16, 0.01);
    scheme
        .step(&mut state, drift, Some(&current), &mut rng)
        .unwrap();
    let mut traj = Trajectory::new(2, 16, 10, 20).unwrap();
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    scheme
        .run(&mut state, drift, Some(&current), 200, &mut rng, &mut traj)
        .unwrap();
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

#[test]
fn every_scheme_steps_without_allocating() {
    let iso = IsotropicGaussian::new(DVector::zeros(2), 1.5).unwrap();
    let full = Gaussian::new(
        DVector::zeros(2),
        DMatrix::from_row_slice(2, 2, &[1.0, 0.3, 0.3, 0.5]),
    )
    .unwrap();
    let mix = GaussianMixture::new(
        &[1.0, 1.0],
        vec![
            full.clone(),
            Gaussian::new(DVector::from_element(2, 1.0), DMatrix::identity(2, 2)).unwrap(),
        ],
    )
    .unwrap();
    let p = Splitting::new(0.2, 1.0, 1.0).unwrap();
    let adapt = Adaptation::new(0.2, 10.0).unwrap();
    let em = EulerMaruyama::new(0.3, 0.2).unwrap();
    let m = Momentum::new(0.3, 0.2).unwrap();
    let counts = [
        allocations_while_stepping(&em, &iso),
        allocations_while_stepping(&m, &full),
        allocations_while_stepping(&Baoab::new(p), &mix),
        allocations_while_stepping(&Obabo::new(p), &iso),
        allocations_while_stepping(&Adapted::new(m, adapt), &full),
        allocations_while_stepping(&Adapted::new(Obabo::new(p), adapt), &mix),
    ];
    assert_eq!(counts, [0; 6]);
    // The counter does see allocations (the check above could fail).
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    std::hint::black_box(vec![0u8; 64]);
    assert!(ALLOCATIONS.load(Ordering::SeqCst) > before);
}

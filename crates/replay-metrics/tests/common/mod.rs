//! Shared builders for the integration tests.
#![allow(dead_code)]

use nalgebra::DMatrix;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// A `dim × n` cloud of standard normal points shifted by `shift` in every coordinate.
pub fn gaussian_cloud<R: Rng>(rng: &mut R, dim: usize, n: usize, shift: f64) -> DMatrix<f64> {
    DMatrix::from_fn(dim, n, |_, _| {
        let z: f64 = StandardNormal.sample(rng);
        z + shift
    })
}

/// Every permutation of `0..n` (Heap's algorithm), for brute-force checks with `n ≤ 8`.
pub fn permutations(n: usize) -> Vec<Vec<usize>> {
    fn heap(k: usize, a: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if k <= 1 {
            out.push(a.clone());
            return;
        }
        for i in 0..k {
            heap(k - 1, a, out);
            if k.is_multiple_of(2) {
                a.swap(i, k - 1);
            } else {
                a.swap(0, k - 1);
            }
        }
    }
    let mut a: Vec<usize> = (0..n).collect();
    let mut out = Vec::new();
    heap(n, &mut a, &mut out);
    out
}

/// Minimum of `Σ_i cost[i][σ(i)]` over all permutations.
pub fn brute_force_assignment(cost: &[f64], n: usize) -> f64 {
    permutations(n)
        .iter()
        .map(|p| {
            p.iter()
                .enumerate()
                .map(|(i, &j)| cost[i * n + j])
                .sum::<f64>()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Brute-force `W_p^p` between equal-size uniform samples.
pub fn brute_force_wasserstein_pow(x: &DMatrix<f64>, y: &DMatrix<f64>, p: f64) -> f64 {
    let n = x.ncols();
    let cost: Vec<f64> = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .map(|(i, j)| (x.column(i) - y.column(j)).norm().powf(p))
        .collect();
    brute_force_assignment(&cost, n) / n as f64
}

//! Exact optimal transport between discrete distributions with arbitrary weights, by successive
//! shortest paths.
//!
//! The network simplex (as in POT's `emd`) is the usual choice for large problems. Here general
//! weights are the rare case (equal-size uniform samples go to the assignment solver, 1-D data to
//! the quantile formula), so the simpler primal–dual method is used instead: it keeps dual
//! potentials that make every reduced cost non-negative, repeatedly sends flow along a shortest
//! path (dense Dijkstra on reduced costs) from a row with supply left to a column with demand
//! left, and so keeps the plan optimal for the mass moved so far. Each augmentation empties a
//! supply, a demand or a reverse arc, so it takes `O(n + m)` augmentations in practice at
//! `O(nm)` each: comfortable up to a few hundred points a side.

use serde::{Deserialize, Serialize};

use crate::{MetricsError, Result, check};

const NONE: usize = usize::MAX;

/// An optimal transport plan.
///
/// ```
/// use replay_metrics::solve_transport;
///
/// // One source of mass 1 split over two sinks.
/// let plan = solve_transport(&[1.0, 3.0], &[1.0], &[0.25, 0.75]).unwrap();
/// assert_eq!(plan.flows, vec![(0, 0, 0.25), (0, 1, 0.75)]);
/// assert_eq!(plan.cost, 0.25 * 1.0 + 0.75 * 3.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransportPlan {
    /// Total cost `Σ flow · cost` of the plan.
    pub cost: f64,
    /// The non-zero entries `(row, column, mass)` of the plan, row-major.
    pub flows: Vec<(usize, usize, f64)>,
}

/// Solves `min Σ_ij π_ij cost[i·m + j]` over plans `π ≥ 0` with row sums `a` and column sums `b`.
///
/// `cost` is row-major `n × m` (`n = a.len()`, `m = b.len()`), finite, magnitude at most `1e150`.
/// The weights `a` and `b` must be non-negative with positive sums; each is normalised to sum 1.
///
/// ```
/// use replay_metrics::solve_transport;
///
/// // Two sources, three sinks, costs |i - j| on a line.
/// let cost = [0.0, 1.0, 2.0, 1.0, 0.0, 1.0];
/// let plan = solve_transport(&cost, &[0.5, 0.5], &[0.25, 0.5, 0.25]).unwrap();
/// assert!((plan.cost - 0.5).abs() < 1e-15);
/// ```
pub fn solve_transport(cost: &[f64], a: &[f64], b: &[f64]) -> Result<TransportPlan> {
    if a.is_empty() {
        return Err(MetricsError::Empty { field: "a" });
    }
    if b.is_empty() {
        return Err(MetricsError::Empty { field: "b" });
    }
    let a = check::weights("a", a, a.len())?;
    let b = check::weights("b", b, b.len())?;
    check::same(
        "cost (length a.len() × b.len())",
        a.len().saturating_mul(b.len()),
        cost.len(),
    )?;
    check::costs("cost", cost)?;
    successive_shortest_paths(cost, a, b)
}

/// The primal–dual solver on validated input (weights normalised, costs finite).
pub(crate) fn successive_shortest_paths(
    cost: &[f64],
    mut supply: Vec<f64>,
    mut demand: Vec<f64>,
) -> Result<TransportPlan> {
    let n = supply.len();
    let m = demand.len();
    let mut flow = vec![0.0; n * m];
    // Potentials with reduced cost r_ij = c_ij − u_i − v_j ≥ 0, and = 0 wherever flow > 0.
    let mut v = vec![f64::INFINITY; m];
    for row in cost.chunks_exact(m) {
        for (vj, &c) in v.iter_mut().zip(row) {
            *vj = vj.min(c);
        }
    }
    let mut u: Vec<f64> = cost
        .chunks_exact(m)
        .map(|row| {
            row.iter()
                .zip(&v)
                .map(|(c, vj)| c - vj)
                .fold(f64::INFINITY, f64::min)
        })
        .collect();

    let mut dist_col = vec![0.0; m];
    let mut pred_col = vec![0usize; m];
    let mut col_done = vec![false; m];
    let mut dist_row = vec![0.0; n];
    let mut pred_row = vec![NONE; n];
    let mut row_reached = vec![false; n];
    let mut reached_rows = Vec::with_capacity(n);
    let mut scanned_cols = Vec::with_capacity(m);
    let limit = (n + m) * (n + m) + 16;

    for iteration in 0.. {
        if supply.iter().all(|&s| s <= 0.0) || demand.iter().all(|&d| d <= 0.0) {
            break;
        }
        if iteration == limit {
            return Err(MetricsError::NotConverged {
                field: "cost",
                limit,
            });
        }
        dist_col.fill(f64::INFINITY);
        col_done.fill(false);
        row_reached.fill(false);
        reached_rows.clear();
        scanned_cols.clear();

        let relax = |i: usize,
                     di: f64,
                     u: &[f64],
                     v: &[f64],
                     col_done: &[bool],
                     dist_col: &mut [f64],
                     pred_col: &mut [usize]| {
            let row = &cost[i * m..(i + 1) * m];
            for j in 0..m {
                if !col_done[j] {
                    let nd = di + (row[j] - u[i] - v[j]);
                    if nd < dist_col[j] {
                        dist_col[j] = nd;
                        pred_col[j] = i;
                    }
                }
            }
        };

        for i in 0..n {
            if supply[i] > 0.0 {
                row_reached[i] = true;
                dist_row[i] = 0.0;
                pred_row[i] = NONE;
                reached_rows.push(i);
                relax(i, 0.0, &u, &v, &col_done, &mut dist_col, &mut pred_col);
            }
        }
        let (target, dist_target) = loop {
            let mut best = NONE;
            let mut best_d = f64::INFINITY;
            for j in 0..m {
                if !col_done[j] && (best == NONE || dist_col[j] < best_d) {
                    best = j;
                    best_d = dist_col[j];
                }
            }
            if demand[best] > 0.0 {
                break (best, best_d);
            }
            col_done[best] = true;
            scanned_cols.push(best);
            // Reverse arcs (column back to the rows that ship to it) have reduced cost 0.
            for i in 0..n {
                if !row_reached[i] && flow[i * m + best] > 0.0 {
                    row_reached[i] = true;
                    dist_row[i] = best_d;
                    pred_row[i] = best;
                    reached_rows.push(i);
                    relax(i, best_d, &u, &v, &col_done, &mut dist_col, &mut pred_col);
                }
            }
        };
        // Shift the potentials by the capped distances so that the tree arcs get reduced cost 0.
        for &i in &reached_rows {
            u[i] += dist_target - dist_row[i];
        }
        for &j in &scanned_cols {
            v[j] -= dist_target - dist_col[j];
        }

        let mut delta = demand[target];
        let mut j = target;
        loop {
            let i = pred_col[j];
            match pred_row[i] {
                NONE => {
                    delta = delta.min(supply[i]);
                    break;
                }
                back => {
                    delta = delta.min(flow[i * m + back]);
                    j = back;
                }
            }
        }
        let mut j = target;
        loop {
            let i = pred_col[j];
            flow[i * m + j] += delta;
            match pred_row[i] {
                NONE => {
                    supply[i] -= delta;
                    break;
                }
                back => {
                    flow[i * m + back] -= delta;
                    j = back;
                }
            }
        }
        demand[target] -= delta;
    }

    let mut flows = Vec::new();
    let mut total = 0.0;
    for (k, &f) in flow.iter().enumerate() {
        if f > 0.0 {
            flows.push((k / m, k % m, f));
            total += f * cost[k];
        }
    }
    Ok(TransportPlan { cost: total, flows })
}

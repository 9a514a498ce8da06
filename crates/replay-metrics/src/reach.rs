//! Reach times from a start region to a goal region, with censoring.

use nalgebra::DMatrix;
use serde::{Deserialize, Serialize};

use crate::Result;
use crate::trajectory::{Trajectories, validate};

/// Reach time of one trajectory, in steps.
///
/// Let `k` be the length of the initial run of steps inside the start region `S` (so the
/// trajectory leaves `S` at step `k`), and `d = max(k − 1, 0)` the last step spent in `S` before
/// leaving (or the first step, if the trajectory does not start in `S`). The reach time is
/// `a − d`, where `a` is the first step `t ≥ k` in the goal region `G`: the number of steps from
/// the last position in the start region to the first position in the goal. It is `None`
/// (censored) if the trajectory never leaves `S` or never enters `G` afterwards. Returning to `S`
/// later does not restart the clock.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::reach_time;
///
/// // 1-D walk 0, 0.5, 1, 2, 3, 4: start is x < 0.75, goal is x > 2.5.
/// let t = DMatrix::from_row_slice(1, 6, &[0.0, 0.5, 1.0, 2.0, 3.0, 4.0]);
/// let steps = reach_time(&t, |x| x[0] < 0.75, |x| x[0] > 2.5).unwrap();
/// assert_eq!(steps, Some(3)); // from step 1 (x = 0.5) to step 4 (x = 3)
/// assert_eq!(reach_time(&t, |x| x[0] < 0.75, |x| x[0] > 9.0).unwrap(), None);
/// ```
pub fn reach_time<S, G>(traj: &DMatrix<f64>, start: S, goal: G) -> Result<Option<usize>>
where
    S: Fn(&[f64]) -> bool,
    G: Fn(&[f64]) -> bool,
{
    validate("traj", std::slice::from_ref(traj), 1)?;
    Ok(reach_of(traj, &start, &goal))
}

fn reach_of(
    traj: &DMatrix<f64>,
    start: &dyn Fn(&[f64]) -> bool,
    goal: &dyn Fn(&[f64]) -> bool,
) -> Option<usize> {
    let d = traj.nrows();
    let point = |t: usize| &traj.as_slice()[t * d..(t + 1) * d];
    let len = traj.ncols();
    let k = (0..len).take_while(|&t| start(point(t))).count();
    let departure = k.saturating_sub(1);
    (k..len).find(|&t| goal(point(t))).map(|a| a - departure)
}

/// Reach times of many trajectories and their censoring.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::reach_times;
///
/// let fast = DMatrix::from_row_slice(1, 4, &[0.0, 1.0, 2.0, 3.0]);
/// let slow = DMatrix::from_row_slice(1, 4, &[0.0, 0.5, 1.0, 1.5]);
/// let r = reach_times(&[fast, slow], |x| x[0] < 0.25, |x| x[0] >= 2.0).unwrap();
/// assert_eq!(r.times, vec![Some(2), None]);
/// assert_eq!(r.censored_fraction, 0.5);
/// assert_eq!(r.mean_reached, Some(2.0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReachTimes {
    /// Per trajectory, the reach time in steps (see [`reach_time`]), `None` if censored.
    pub times: Vec<Option<usize>>,
    /// Fraction of trajectories that never reached the goal.
    pub censored_fraction: f64,
    /// Mean reach time over the trajectories that arrived, `None` if none did. It is conditional
    /// on arrival, so read it together with the censored fraction.
    pub mean_reached: Option<f64>,
    /// Median reach time over the trajectories that arrived (mean of the two middle values for
    /// an even count), `None` if none did.
    pub median_reached: Option<f64>,
}

/// Reach times of every trajectory from the region `start` to the region `goal` (predicates on
/// a position), as defined in [`reach_time`].
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::reach_times;
///
/// let t = DMatrix::from_row_slice(1, 3, &[0.0, 1.0, 2.0]);
/// let r = reach_times(&t, |x| x[0] < 0.5, |x| x[0] > 1.5).unwrap();
/// assert_eq!(r.times, vec![Some(2)]);
/// assert_eq!(r.censored_fraction, 0.0);
/// ```
pub fn reach_times<T, S, G>(trajs: &T, start: S, goal: G) -> Result<ReachTimes>
where
    T: Trajectories + ?Sized,
    S: Fn(&[f64]) -> bool,
    G: Fn(&[f64]) -> bool,
{
    let trajs = trajs.as_trajectories();
    validate("trajs", trajs, 1)?;
    let times: Vec<Option<usize>> = trajs.iter().map(|t| reach_of(t, &start, &goal)).collect();
    let mut arrived: Vec<usize> = times.iter().flatten().copied().collect();
    arrived.sort_unstable();
    let censored_fraction = 1.0 - arrived.len() as f64 / times.len() as f64;
    let mean_reached =
        (!arrived.is_empty()).then(|| arrived.iter().sum::<usize>() as f64 / arrived.len() as f64);
    let median_reached = (!arrived.is_empty()).then(|| {
        let m = arrived.len();
        (arrived[(m - 1) / 2] + arrived[m / 2]) as f64 / 2.0
    });
    Ok(ReachTimes {
        times,
        censored_fraction,
        mean_reached,
        median_reached,
    })
}

//! Temporal compression: how much faster replay covers ground than behaviour.

use serde::{Deserialize, Serialize};

use crate::trajectory::{Trajectories, validate};
use crate::{MetricsError, Result};

/// Temporal compression of replay against behaviour at one distance.
///
/// The *cover time* of a trajectory for a distance `D` is the first step `t` at which
/// `‖x_t − x_0‖ ≥ D` (net displacement, not path length, so that diffusive jitter does not count
/// as progress). The compression ratio is the mean behavioural cover time over the mean replay
/// cover time, each averaged over the trajectories that cover `D`: behavioural time over replay
/// time for the same displacement. A ratio of 10 means replay covers `D` ten times faster.
/// Trajectories that never cover `D` are censored; their fractions are reported.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::temporal_compression;
///
/// let walk = DMatrix::from_fn(1, 20, |_, t| 0.1 * t as f64);
/// let replay = DMatrix::from_fn(1, 5, |_, t| 0.5 * t as f64);
/// let c = temporal_compression(&walk, &replay, 0.95).unwrap();
/// assert_eq!((c.behaviour_time, c.replay_time), (10.0, 2.0));
/// assert_eq!(c.ratio, 5.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compression {
    /// The distance `D`.
    pub distance: f64,
    /// Mean cover time of the behavioural trajectories that cover `D`, in steps.
    pub behaviour_time: f64,
    /// Mean cover time of the replay trajectories that cover `D`, in steps.
    pub replay_time: f64,
    /// `behaviour_time / replay_time`.
    pub ratio: f64,
    /// Fraction of behavioural trajectories that never cover `D`.
    pub behaviour_censored: f64,
    /// Fraction of replay trajectories that never cover `D`.
    pub replay_censored: f64,
}

/// The compression ratio of `replay` against `behaviour` at distance `distance > 0`, as defined
/// on [`Compression`]. At least one trajectory of each set must cover the distance.
///
/// ```
/// use nalgebra::DMatrix;
/// use replay_metrics::temporal_compression;
///
/// let slow = DMatrix::from_fn(2, 30, |i, t| if i == 0 { 0.1 * t as f64 } else { 0.0 });
/// let fast = DMatrix::from_fn(2, 30, |i, t| if i == 1 { 0.3 * t as f64 } else { 0.0 });
/// let c = temporal_compression(&slow, &[fast.clone(), fast], 0.85).unwrap();
/// assert_eq!(c.ratio, 3.0);
/// assert!(temporal_compression(&slow, &slow, 100.0).is_err());
/// ```
pub fn temporal_compression<B, R>(behaviour: &B, replay: &R, distance: f64) -> Result<Compression>
where
    B: Trajectories + ?Sized,
    R: Trajectories + ?Sized,
{
    if !(distance.is_finite() && distance > 0.0) {
        return Err(MetricsError::InvalidParameter {
            field: "distance",
            value: format!("{distance}"),
            reason: "must be positive and finite",
        });
    }
    let b = behaviour.as_trajectories();
    let r = replay.as_trajectories();
    let db = validate("behaviour", b, 1)?;
    let dr = validate("replay", r, 1)?;
    crate::check::same("replay (dimension)", db, dr)?;
    let (behaviour_time, behaviour_censored) = mean_cover_time("behaviour", b, distance)?;
    let (replay_time, replay_censored) = mean_cover_time("replay", r, distance)?;
    Ok(Compression {
        distance,
        behaviour_time,
        replay_time,
        ratio: behaviour_time / replay_time,
        behaviour_censored,
        replay_censored,
    })
}

/// Mean cover time over the trajectories that cover `distance`, and the censored fraction.
fn mean_cover_time(
    field: &'static str,
    trajs: &[nalgebra::DMatrix<f64>],
    distance: f64,
) -> Result<(f64, f64)> {
    let target = distance * distance;
    let mut total = 0usize;
    let mut covered = 0usize;
    for t in trajs {
        let d = t.nrows();
        let pts = t.as_slice();
        let x0 = &pts[..d];
        let hit = pts.chunks_exact(d).position(|x| {
            x.iter()
                .zip(x0)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                >= target
        });
        if let Some(step) = hit {
            total += step;
            covered += 1;
        }
    }
    if covered == 0 {
        return Err(MetricsError::InvalidParameter {
            field: "distance",
            value: format!("{distance}"),
            reason: if field == "behaviour" {
                "no behavioural trajectory covers this distance"
            } else {
                "no replay trajectory covers this distance"
            },
        });
    }
    let censored = 1.0 - covered as f64 / trajs.len() as f64;
    // A zero cover time is impossible for distance > 0 (x_0 is at distance 0), so the mean is ≥ 1.
    Ok((total as f64 / covered as f64, censored))
}

//! The metrics of docs/experiments.md (Protocol) for one replay variant of one network.

use nalgebra::DMatrix;
use rand::Rng;
use replay_metrics::{
    Bandwidth, LagOrigin, Order, displacement_curve, kl_divergence_kde, path_length,
    position_variance, reach_times, subsample, temporal_compression, visitation, wasserstein,
};
use replay_tasks::{AnyTask, Reach, Regions};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::variant::Metric;

/// Every metric of one seed and variant.
///
/// ```
/// use hippo_replay::runner::MetricValues;
/// use hippo_replay::variant::Metric;
/// let mut v = MetricValues::default();
/// v.w2 = 0.25;
/// assert_eq!(v.get(Metric::W2), 0.25);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MetricValues {
    /// Wasserstein-2 distance between replayed and true positions.
    pub w2: f64,
    /// Wasserstein-1 distance between replayed and true positions.
    pub w1: f64,
    /// KDE estimate of KL(replayed ‖ true).
    pub kde_kl: f64,
    /// Fraction of replays that reach the goal.
    pub reach_fraction: f64,
    /// Restricted mean reach time (censored replays count as the replay length), in steps.
    pub reach_time: f64,
    /// Decoded path length per replay step.
    pub path_length_per_step: f64,
    /// Mean-squared-displacement exponent.
    pub msd_exponent: f64,
    /// Mean fraction of regions visited per replay.
    pub visitation: f64,
    /// Occupancy entropy in nats.
    pub occupancy_entropy: f64,
    /// Total variance of replayed positions.
    pub variance: f64,
    /// Behavioural over replay time to cover the compression distance.
    pub compression: f64,
    /// Mean decoded position error while path-integrating held-out paths.
    pub test_error: f64,
}

impl MetricValues {
    /// The value of `metric`.
    ///
    /// ```
    /// let v = hippo_replay::runner::MetricValues::default();
    /// assert_eq!(v.get(hippo_replay::variant::Metric::Visitation), 0.0);
    /// ```
    pub fn get(&self, metric: Metric) -> f64 {
        match metric {
            Metric::W2 => self.w2,
            Metric::W1 => self.w1,
            Metric::KdeKl => self.kde_kl,
            Metric::ReachFraction => self.reach_fraction,
            Metric::ReachTime => self.reach_time,
            Metric::PathLengthPerStep => self.path_length_per_step,
            Metric::MsdExponent => self.msd_exponent,
            Metric::Visitation => self.visitation,
            Metric::OccupancyEntropy => self.occupancy_entropy,
            Metric::Variance => self.variance,
            Metric::Compression => self.compression,
            Metric::TestError => self.test_error,
        }
    }
}

/// The decoded replay of one variant: one `2 × (steps + 1)` matrix per trajectory, the start
/// included.
pub(crate) struct Replayed {
    pub trajectories: Vec<DMatrix<f64>>,
}

/// Measures a replay against the task.
///
/// `reference` holds samples of the true position distribution (`2 × n`), `behaviour` the
/// task's own paths for the compression ratio. Distributional metrics drop the first
/// `burn_in` steps; reach, path length and displacement use whole trajectories.
#[allow(clippy::too_many_arguments)]
pub(crate) fn measure<R: Rng + ?Sized>(
    config: &Config,
    task: &AnyTask,
    replayed: &Replayed,
    reference: &DMatrix<f64>,
    behaviour: &[DMatrix<f64>],
    test_error: f64,
    rng: &mut R,
) -> Result<(MetricValues, Vec<(f64, f64)>), replay_metrics::MetricsError> {
    let trajs = &replayed.trajectories;
    let burn = config.replay.burn_in;
    let steps = trajs[0].ncols();
    let settled: Vec<DMatrix<f64>> = trajs
        .iter()
        .map(|t| t.columns(burn, steps - burn).into_owned())
        .collect();
    let pooled = DMatrix::from_fn(2, settled.len() * (steps - burn), |r, c| {
        settled[c / (steps - burn)][(r, c % (steps - burn))]
    });
    let n = config
        .metrics
        .distribution_points
        .min(pooled.ncols())
        .min(reference.ncols());
    let sample = subsample(&pooled, n, rng)?;
    let truth = subsample(reference, n, rng)?;
    let w2 = wasserstein(&sample, &truth, Order::W2)?;
    let w1 = wasserstein(&sample, &truth, Order::W1)?;
    let kde_kl = kl_divergence_kde(&sample, &truth, Bandwidth::Scott)?;

    let regions = task.reach_regions();
    let reach = reach_times(
        trajs,
        |x| regions.start.area.contains([x[0], x[1]]),
        |x| regions.goal.area.contains([x[0], x[1]]),
    )?;
    let horizon = (steps - 1) as f64;
    let reach_time = reach
        .times
        .iter()
        .map(|t| t.map_or(horizon, |t| t as f64))
        .sum::<f64>()
        / reach.times.len() as f64;

    let tolerance = config.metrics.region_tolerance;
    let visits = visitation(trajs, task.region_count(), |x| {
        task.region_of([x[0], x[1]], tolerance)
    })?;
    let lengths = path_length(trajs)?;
    let variance = position_variance(&settled)?;
    let curve = displacement_curve(trajs, config.metrics.msd_max_lag, LagOrigin::Sliding)?;
    let fit = curve.fit_exponent(1..=config.metrics.msd_max_lag)?;
    // A replay that never moves the compression distance away from its start has no cover
    // time: the ratio is undefined (NaN), not an error of the whole measurement.
    let compression = temporal_compression(behaviour, trajs, config.metrics.compression_distance)
        .map_or(f64::NAN, |c| c.ratio);
    let msd_points = curve
        .lags
        .iter()
        .zip(&curve.msd)
        .map(|(&l, &m)| (l as f64, m))
        .collect();
    Ok((
        MetricValues {
            w2,
            w1,
            kde_kl,
            reach_fraction: 1.0 - reach.censored_fraction,
            reach_time,
            path_length_per_step: lengths.per_step,
            msd_exponent: fit.exponent,
            visitation: visits.mean_fraction,
            occupancy_entropy: visits.entropy,
            variance: variance.total,
            compression,
            test_error,
        },
        msd_points,
    ))
}

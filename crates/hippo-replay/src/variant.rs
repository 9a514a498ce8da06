//! The five replay variants and the metrics recorded for each.

use serde::{Deserialize, Serialize};

/// A replay variant: which trained network replays, and which mechanisms are on at replay time.
///
/// ```
/// use hippo_replay::variant::Variant;
/// assert_eq!(Variant::ALL.len(), 5);
/// assert!(Variant::LeakyMomentumAdaptation.momentum() && Variant::LeakyMomentumAdaptation.adaptation());
/// assert!(!Variant::Vanilla.leaky());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// The non-leaky network (α = 1), first-order replay.
    Vanilla,
    /// The leaky network, first-order replay.
    Leaky,
    /// The leaky network with adaptation at replay.
    LeakyAdaptation,
    /// The leaky network with momentum at replay.
    LeakyMomentum,
    /// The leaky network with momentum and adaptation at replay.
    LeakyMomentumAdaptation,
}

impl Variant {
    /// Every variant, in report order.
    pub const ALL: [Variant; 5] = [
        Variant::Vanilla,
        Variant::Leaky,
        Variant::LeakyAdaptation,
        Variant::LeakyMomentum,
        Variant::LeakyMomentumAdaptation,
    ];

    /// The name used in tables, files and figures.
    ///
    /// ```
    /// assert_eq!(hippo_replay::variant::Variant::LeakyMomentum.name(), "leaky+momentum");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Variant::Vanilla => "vanilla",
            Variant::Leaky => "leaky",
            Variant::LeakyAdaptation => "leaky+adaptation",
            Variant::LeakyMomentum => "leaky+momentum",
            Variant::LeakyMomentumAdaptation => "leaky+momentum+adaptation",
        }
    }

    /// Whether the replaying network is the leaky one.
    ///
    /// ```
    /// assert!(hippo_replay::variant::Variant::Leaky.leaky());
    /// ```
    pub fn leaky(self) -> bool {
        self != Variant::Vanilla
    }

    /// Whether momentum is on at replay.
    ///
    /// ```
    /// assert!(!hippo_replay::variant::Variant::LeakyAdaptation.momentum());
    /// ```
    pub fn momentum(self) -> bool {
        matches!(
            self,
            Variant::LeakyMomentum | Variant::LeakyMomentumAdaptation
        )
    }

    /// Whether adaptation is on at replay.
    ///
    /// ```
    /// assert!(hippo_replay::variant::Variant::LeakyAdaptation.adaptation());
    /// ```
    pub fn adaptation(self) -> bool {
        matches!(
            self,
            Variant::LeakyAdaptation | Variant::LeakyMomentumAdaptation
        )
    }
}

/// A metric recorded per seed and variant (defined in docs/experiments.md, Protocol).
///
/// ```
/// use hippo_replay::variant::Metric;
/// assert_eq!(Metric::W2.key(), "w2");
/// assert_eq!(Metric::ALL.len(), 12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Wasserstein-2 distance between replayed and true positions.
    W2,
    /// Wasserstein-1 distance between replayed and true positions.
    W1,
    /// KDE estimate of KL(replayed ‖ true).
    KdeKl,
    /// Fraction of replays that reach the goal region.
    ReachFraction,
    /// Mean reach time in steps, censored replays counted at the replay length (restricted mean).
    ReachTime,
    /// Decoded path length per replay step.
    PathLengthPerStep,
    /// Exponent of the mean-squared displacement against lag.
    MsdExponent,
    /// Fraction of regions visited per replay.
    Visitation,
    /// Entropy of region occupancy (nats).
    OccupancyEntropy,
    /// Total variance of replayed positions.
    Variance,
    /// Behavioural time over replay time for the same displacement.
    Compression,
    /// Mean decoded position error of the network while path-integrating (held-out paths).
    TestError,
}

impl Metric {
    /// Every metric, in table order.
    pub const ALL: [Metric; 12] = [
        Metric::W2,
        Metric::W1,
        Metric::KdeKl,
        Metric::ReachFraction,
        Metric::ReachTime,
        Metric::PathLengthPerStep,
        Metric::MsdExponent,
        Metric::Visitation,
        Metric::OccupancyEntropy,
        Metric::Variance,
        Metric::Compression,
        Metric::TestError,
    ];

    /// The column name in metrics.csv and the key in metrics.json.
    ///
    /// ```
    /// assert_eq!(hippo_replay::variant::Metric::ReachTime.key(), "reach_time");
    /// ```
    pub fn key(self) -> &'static str {
        match self {
            Metric::W2 => "w2",
            Metric::W1 => "w1",
            Metric::KdeKl => "kde_kl",
            Metric::ReachFraction => "reach_fraction",
            Metric::ReachTime => "reach_time",
            Metric::PathLengthPerStep => "path_length_per_step",
            Metric::MsdExponent => "msd_exponent",
            Metric::Visitation => "visitation",
            Metric::OccupancyEntropy => "occupancy_entropy",
            Metric::Variance => "variance",
            Metric::Compression => "compression",
            Metric::TestError => "test_error",
        }
    }
}

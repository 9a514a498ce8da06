//! The three claims (leakage, adaptation, momentum) as testable comparisons, and the rule that turns a paired
//! confidence interval into a verdict.

use serde::{Deserialize, Serialize};

use crate::variant::{Metric, Variant};

/// What a claim expects of `treatment − control`.
///
/// ```
/// use hippo_replay::claims::Expect;
/// assert_eq!(Expect::Lower.describe(), "lower");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// The treatment's value is lower.
    Lower,
    /// The treatment's value is higher.
    Higher,
    /// The treatment's value is not lower by more than the margin (non-inferiority).
    NotLowerBy(f64),
}

impl Expect {
    /// A short phrase for tables.
    ///
    /// ```
    /// assert_eq!(hippo_replay::claims::Expect::NotLowerBy(0.05).describe(), "not lower by > 0.05");
    /// ```
    pub fn describe(self) -> String {
        match self {
            Expect::Lower => "lower".into(),
            Expect::Higher => "higher".into(),
            Expect::NotLowerBy(m) => format!("not lower by > {m}"),
        }
    }
}

/// One claim: a metric compared between two variants of the same networks, paired by seed.
///
/// ```
/// let specs = hippo_replay::claims::claim_specs();
/// assert!(specs.iter().any(|c| c.id == "leak_faithful"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimSpec {
    /// Stable identifier.
    pub id: &'static str,
    /// Which claim (1 leakage, 2 adaptation, 3 momentum).
    pub claim: u8,
    /// The claim in words.
    pub statement: &'static str,
    /// The metric compared.
    pub metric: Metric,
    /// The variant expected to differ.
    pub treatment: Variant,
    /// The variant it is compared against.
    pub control: Variant,
    /// The expected sign of `treatment − control`.
    pub expect: Expect,
}

/// Non-inferiority margin for "momentum keeps exploration": a drop in the fraction of regions
/// visited of at most five percentage points counts as kept.
pub const EXPLORATION_MARGIN: f64 = 0.05;

/// The claims, each as one paired comparison.
///
/// ```
/// let specs = hippo_replay::claims::claim_specs();
/// assert!(specs.iter().all(|c| (1..=3).contains(&c.claim)));
/// ```
pub fn claim_specs() -> Vec<ClaimSpec> {
    use Metric::*;
    use Variant::*;
    let spec = |id, claim, statement, metric, treatment, control, expect| ClaimSpec {
        id,
        claim,
        statement,
        metric,
        treatment,
        control,
        expect,
    };
    vec![
        spec(
            "leak_faithful",
            1,
            "Leaky replay is more faithful than vanilla replay (lower W2 to the true positions)",
            W2,
            Leaky,
            Vanilla,
            Expect::Lower,
        ),
        spec(
            "leak_faithful_kl",
            1,
            "Leaky replay has lower KDE-KL to the true positions than vanilla replay",
            KdeKl,
            Leaky,
            Vanilla,
            Expect::Lower,
        ),
        spec(
            "adapt_explores",
            2,
            "Adaptation makes replay visit more regions",
            Visitation,
            LeakyAdaptation,
            Leaky,
            Expect::Higher,
        ),
        spec(
            "adapt_spreads",
            2,
            "Adaptation makes replay spread more (larger position variance)",
            Variance,
            LeakyAdaptation,
            Leaky,
            Expect::Higher,
        ),
        spec(
            "adapt_slows",
            2,
            "Adaptation slows replay down (longer reach time)",
            ReachTime,
            LeakyAdaptation,
            Leaky,
            Expect::Higher,
        ),
        spec(
            "momentum_faster",
            3,
            "Momentum compresses replay in time (shorter reach time)",
            ReachTime,
            LeakyMomentum,
            Leaky,
            Expect::Lower,
        ),
        spec(
            "momentum_longer_paths",
            3,
            "Momentum gives longer paths per step",
            PathLengthPerStep,
            LeakyMomentum,
            Leaky,
            Expect::Higher,
        ),
        spec(
            "momentum_keeps_exploration",
            3,
            "Momentum keeps exploration (region visitation not lower by more than the margin)",
            Visitation,
            LeakyMomentum,
            Leaky,
            Expect::NotLowerBy(EXPLORATION_MARGIN),
        ),
        spec(
            "both_faster_than_adaptation",
            3,
            "Momentum with adaptation reaches the goal faster than adaptation alone",
            ReachTime,
            LeakyMomentumAdaptation,
            LeakyAdaptation,
            Expect::Lower,
        ),
        spec(
            "both_explores_more_than_momentum",
            3,
            "Momentum with adaptation visits more regions than momentum alone",
            Visitation,
            LeakyMomentumAdaptation,
            LeakyMomentum,
            Expect::Higher,
        ),
    ]
}

/// The outcome of a claim.
///
/// ```
/// assert_eq!(hippo_replay::claims::Verdict::Holds.to_string(), "holds");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole confidence interval lies on the claimed side.
    Holds,
    /// The whole confidence interval lies on the other side.
    DoesNotHold,
    /// The interval straddles the boundary, or too few seeds to form one.
    Inconclusive,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Holds => "holds",
            Verdict::DoesNotHold => "does not hold",
            Verdict::Inconclusive => "inconclusive",
        })
    }
}

/// Decides a claim from the 95 % interval `[low, high]` of the paired difference
/// `treatment − control`. A non-finite bound (fewer than two seeds) is inconclusive.
///
/// ```
/// use hippo_replay::claims::{verdict, Expect, Verdict};
/// assert_eq!(verdict(Expect::Lower, -0.3, -0.1), Verdict::Holds);
/// assert_eq!(verdict(Expect::Lower, 0.1, 0.3), Verdict::DoesNotHold);
/// assert_eq!(verdict(Expect::Lower, -0.1, 0.3), Verdict::Inconclusive);
/// ```
pub fn verdict(expect: Expect, low: f64, high: f64) -> Verdict {
    if !(low.is_finite() && high.is_finite()) {
        return Verdict::Inconclusive;
    }
    let (holds, fails) = match expect {
        Expect::Lower => (high < 0.0, low > 0.0),
        Expect::Higher => (low > 0.0, high < 0.0),
        Expect::NotLowerBy(margin) => (low > -margin, high < -margin),
    };
    if holds {
        Verdict::Holds
    } else if fails {
        Verdict::DoesNotHold
    } else {
        Verdict::Inconclusive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_higher_mirrors_lower() {
        for (lo, hi) in [(-2.0, -1.0), (1.0, 2.0), (-1.0, 1.0)] {
            assert_eq!(
                verdict(Expect::Higher, lo, hi),
                verdict(Expect::Lower, -hi, -lo)
            );
        }
    }

    #[test]
    fn verdict_non_inferiority_uses_margin() {
        assert_eq!(
            verdict(Expect::NotLowerBy(0.05), -0.04, 0.1),
            Verdict::Holds
        );
        assert_eq!(
            verdict(Expect::NotLowerBy(0.05), -0.2, -0.06),
            Verdict::DoesNotHold
        );
        assert_eq!(
            verdict(Expect::NotLowerBy(0.05), -0.1, 0.1),
            Verdict::Inconclusive
        );
    }

    #[test]
    fn verdict_without_interval_is_inconclusive() {
        assert_eq!(
            verdict(Expect::Lower, f64::NAN, f64::NAN),
            Verdict::Inconclusive
        );
        assert_eq!(
            verdict(Expect::Lower, f64::NEG_INFINITY, -1.0),
            Verdict::Inconclusive
        );
    }

    #[test]
    fn claims_compare_distinct_variants_and_cover_every_claim() {
        let specs = claim_specs();
        for s in &specs {
            assert_ne!(s.treatment, s.control, "{}", s.id);
        }
        for c in 1..=3 {
            assert!(specs.iter().any(|s| s.claim == c));
        }
        let mut ids: Vec<_> = specs.iter().map(|s| s.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), specs.len());
    }
}

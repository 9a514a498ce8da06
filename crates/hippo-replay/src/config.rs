//! The experiment's configuration: embedded profiles, TOML overrides, validation.
//!
//! A configuration is a profile (`quick` or `paper`, embedded in the binary) with any fields
//! overridden by a user's TOML file. Unknown fields are rejected by name, and every value is
//! checked before anything is trained.

use serde::{Deserialize, Serialize};

use replay_tasks::{OpenBoxParams, TrackParams};

use crate::RunError;

const QUICK: &str = include_str!("profiles/quick.toml");
const PAPER: &str = include_str!("profiles/paper.toml");

/// The complete configuration of one reproduction run.
///
/// ```
/// let config = hippo_replay::config::Config::profile("quick").unwrap();
/// assert_eq!(config.run.name, "quick");
/// assert!(config.run.seeds >= 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Run-wide settings.
    pub run: RunSettings,
    /// Network architecture.
    pub network: NetworkSettings,
    /// Optimiser and training length.
    pub training: TrainingSettings,
    /// The replay protocol and the replay-time mechanisms.
    pub replay: ReplaySettings,
    /// Sample sizes and thresholds of the metrics.
    pub metrics: MetricSettings,
    /// Which tasks run, and their parameters.
    pub tasks: TaskSettings,
}

/// Run-wide settings.
///
/// ```
/// let run = hippo_replay::config::Config::profile("paper").unwrap().run;
/// assert!(run.seeds >= 5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSettings {
    /// Name of the profile the run started from.
    pub name: String,
    /// Independently trained networks per task, activation and leak.
    pub seeds: usize,
    /// Seed every other seed is derived from.
    pub master_seed: u64,
}

/// Network architecture.
///
/// ```
/// let net = hippo_replay::config::Config::profile("quick").unwrap().network;
/// assert!(net.alpha_leaky < 1.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSettings {
    /// Hidden units N.
    pub hidden: usize,
    /// Activations to run: any of "relu", "tanh".
    pub activations: Vec<String>,
    /// Leak α of the leaky networks (the vanilla ones have α = 1).
    pub alpha_leaky: f64,
    /// Training noise σ_train.
    pub sigma_train: f64,
}

/// Optimiser and training length.
///
/// ```
/// let t = hippo_replay::config::Config::profile("quick").unwrap().training;
/// assert!(t.steps > 0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSettings {
    /// Adam updates.
    pub steps: usize,
    /// Paths per batch.
    pub batch_size: usize,
    /// Steps per path on the track tasks.
    pub seq_len: usize,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// Gradient-norm clipping threshold (0 disables it).
    pub grad_clip: f64,
    /// Decoupled weight decay (0 disables it).
    pub weight_decay: f64,
}

/// The replay protocol (docs/experiments.md, Protocol) and the replay-time mechanisms.
///
/// ```
/// let r = hippo_replay::config::Config::profile("quick").unwrap().replay;
/// assert!(r.burn_in < r.steps);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplaySettings {
    /// Replay steps per trajectory.
    pub steps: usize,
    /// Replay trajectories per network and variant.
    pub trajectories: usize,
    /// Leading steps dropped from the distributional metrics.
    pub burn_in: usize,
    /// σ_replay / σ_train (√2 by default, the Langevin temperature convention).
    pub sigma_scale: f64,
    /// Friction λ_v of the momentum variants.
    pub lambda_v: f64,
    /// Adaptation strength b_a of the adaptation variants.
    pub adaptation_strength: f64,
    /// Adaptation time constant τ_a.
    pub adaptation_tau: f64,
}

/// Sample sizes and thresholds of the metrics.
///
/// ```
/// let m = hippo_replay::config::Config::profile("quick").unwrap().metrics;
/// assert!(m.distribution_points > 0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricSettings {
    /// Replayed positions and true positions compared by the exact Wasserstein distances and
    /// KDE-KL (equal-size subsamples).
    pub distribution_points: usize,
    /// Largest lag of the mean-squared-displacement curve and its exponent fit.
    pub msd_max_lag: usize,
    /// Paths in the held-out batch that measures the path-integration error.
    pub test_batch: usize,
    /// A decoded position counts as in a region when it is within this distance of it.
    pub region_tolerance: f64,
    /// Net displacement at which behavioural and replay cover times are compared.
    pub compression_distance: f64,
}

/// Which tasks run, and their parameters (the tasks crate's own parameter types).
///
/// ```
/// let t = hippo_replay::config::Config::profile("quick").unwrap().tasks;
/// assert_eq!(t.enabled, ["triangle", "t_maze", "open_box"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskSettings {
    /// Tasks to run, any of "triangle", "t_maze", "open_box".
    pub enabled: Vec<String>,
    /// Speed process, visitation bins and reach radius of both tracks.
    pub track: TrackParams,
    /// The foraging walk, its regions and its place cells.
    pub open_box: OpenBoxParams,
}

/// The largest value of any size in the configuration (seeds, units, steps, batches, paths,
/// points).
///
/// ```
/// use hippo_replay::config::{Config, MAX_SIZE};
/// let mut c = Config::profile("quick").unwrap();
/// c.network.hidden = MAX_SIZE + 1;
/// assert!(c.validate().unwrap_err().to_string().contains("network.hidden"));
/// ```
pub const MAX_SIZE: usize = 1_000_000;

/// The task names the runner knows.
pub const TASK_NAMES: [&str; 3] = ["triangle", "t_maze", "open_box"];

impl Config {
    /// The embedded profile `name` ("quick" or "paper").
    ///
    /// ```
    /// use hippo_replay::config::Config;
    /// assert!(Config::profile("paper").is_ok());
    /// assert!(Config::profile("huge").is_err());
    /// ```
    pub fn profile(name: &str) -> Result<Config, RunError> {
        let text = profile_text(name)?;
        Self::from_toml_str(text)
    }

    /// The profile `name` with every field present in `overrides` (TOML) replaced.
    ///
    /// ```
    /// use hippo_replay::config::Config;
    /// let c = Config::with_overrides("quick", "[run]\nseeds = 7\n").unwrap();
    /// assert_eq!(c.run.seeds, 7);
    /// let err = Config::with_overrides("quick", "[run]\nsedes = 7\n").unwrap_err();
    /// assert!(err.to_string().contains("sedes"));
    /// ```
    pub fn with_overrides(profile: &str, overrides: &str) -> Result<Config, RunError> {
        // Start from the profile with every field spelled out, so overrides replace, never add.
        let mut base: toml::Table = toml::from_str(&Self::profile(profile)?.to_toml())
            .map_err(|e| RunError::Config(format!("profile {profile}: {e}")))?;
        let user: toml::Table = toml::from_str(overrides)
            .map_err(|e| RunError::Config(format!("override file: {e}")))?;
        let mut absent = Vec::new();
        merge(&mut base, user, "", &mut absent)?;
        let text = toml::to_string(&base).map_err(|e| RunError::Config(e.to_string()))?;
        // Parsing the merged text (rather than the table) makes toml quote the offending line,
        // so a wrong type is shown next to its key.
        let config: Config = toml::from_str(&text).map_err(|e: toml::de::Error| {
            // A key the profile does not spell out is either an optional field or a typo; when
            // parsing fails, name the first such key with its full path.
            match absent.first() {
                Some(path) if e.message().contains("unknown field") => {
                    RunError::UnknownField(path.clone())
                }
                _ => RunError::Config(e.to_string()),
            }
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Parses a complete configuration and validates it.
    ///
    /// ```
    /// use hippo_replay::config::Config;
    /// let text = Config::profile("quick").unwrap().to_toml();
    /// assert_eq!(Config::from_toml_str(&text).unwrap(), Config::profile("quick").unwrap());
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Config, RunError> {
        let config: Config = toml::from_str(text).map_err(|e| RunError::Config(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// The configuration as TOML, exactly as a run uses it.
    ///
    /// ```
    /// let text = hippo_replay::config::Config::profile("quick").unwrap().to_toml();
    /// assert!(text.contains("[replay]"));
    /// ```
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a validated configuration always serialises")
    }

    /// Checks every value, naming the first offending field and its value. Sizes lie in
    /// `1..=MAX_SIZE`.
    ///
    /// ```
    /// let mut c = hippo_replay::config::Config::profile("quick").unwrap();
    /// c.network.alpha_leaky = 1.5;
    /// assert!(c.validate().unwrap_err().to_string().contains("network.alpha_leaky"));
    /// ```
    pub fn validate(&self) -> Result<(), RunError> {
        // Sizes are capped so that no buffer sized by a product of them overflows; the cap is far
        // beyond any experiment.
        let positive = |field: &'static str, v: usize| check_count(field, v, MAX_SIZE);
        positive("run.seeds", self.run.seeds)?;
        positive("network.hidden", self.network.hidden)?;
        positive("training.steps", self.training.steps)?;
        positive("training.batch_size", self.training.batch_size)?;
        positive("training.seq_len", self.training.seq_len)?;
        positive("replay.steps", self.replay.steps)?;
        positive("replay.trajectories", self.replay.trajectories)?;
        positive(
            "metrics.distribution_points",
            self.metrics.distribution_points,
        )?;
        positive("metrics.msd_max_lag", self.metrics.msd_max_lag)?;
        positive("metrics.test_batch", self.metrics.test_batch)?;
        if self.replay.burn_in >= self.replay.steps {
            return Err(invalid(
                "replay.burn_in",
                self.replay.burn_in,
                "fewer than replay.steps",
            ));
        }
        if self.metrics.msd_max_lag >= self.replay.steps {
            return Err(invalid(
                "metrics.msd_max_lag",
                self.metrics.msd_max_lag,
                "fewer than replay.steps",
            ));
        }
        let in_unit = |field: &'static str, v: f64| {
            if v > 0.0 && v <= 1.0 {
                Ok(())
            } else {
                Err(invalid(field, v, "a number in (0, 1]"))
            }
        };
        in_unit("network.alpha_leaky", self.network.alpha_leaky)?;
        in_unit("replay.lambda_v", self.replay.lambda_v)?;
        let finite_positive = |field: &'static str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(invalid(field, v, "a finite number above 0"))
            }
        };
        finite_positive("network.sigma_train", self.network.sigma_train)?;
        finite_positive("training.learning_rate", self.training.learning_rate)?;
        finite_positive("replay.sigma_scale", self.replay.sigma_scale)?;
        finite_positive(
            "metrics.compression_distance",
            self.metrics.compression_distance,
        )?;
        let finite_non_negative = |field: &'static str, v: f64| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(invalid(field, v, "a finite number of at least 0"))
            }
        };
        finite_non_negative("training.grad_clip", self.training.grad_clip)?;
        finite_non_negative("metrics.region_tolerance", self.metrics.region_tolerance)?;
        finite_non_negative("training.weight_decay", self.training.weight_decay)?;
        finite_non_negative(
            "replay.adaptation_strength",
            self.replay.adaptation_strength,
        )?;
        if !(self.replay.adaptation_tau.is_finite() && self.replay.adaptation_tau >= 1.0) {
            return Err(invalid(
                "replay.adaptation_tau",
                self.replay.adaptation_tau,
                "a finite number of at least 1",
            ));
        }
        if self.network.activations.is_empty() {
            return Err(invalid(
                "network.activations",
                "[]",
                "at least one of \"relu\", \"tanh\"",
            ));
        }
        for a in &self.network.activations {
            if a != "relu" && a != "tanh" {
                return Err(invalid(
                    "network.activations",
                    format!("{a:?}"),
                    "\"relu\" or \"tanh\"",
                ));
            }
        }
        if self.tasks.enabled.is_empty() {
            return Err(invalid("tasks.enabled", "[]", &task_names(true)));
        }
        for name in &self.tasks.enabled {
            if !TASK_NAMES.contains(&name.as_str()) {
                return Err(invalid(
                    "tasks.enabled",
                    format!("{name:?}"),
                    &task_names(false),
                ));
            }
        }
        self.tasks.track.validate().map_err(|e| RunError::Task {
            field: "tasks.track",
            source: e,
        })?;
        self.tasks.open_box.validate().map_err(|e| RunError::Task {
            field: "tasks.open_box",
            source: e,
        })?;
        Ok(())
    }
}

fn invalid(field: &'static str, value: impl std::fmt::Display, expected: &str) -> RunError {
    RunError::InvalidField {
        field,
        value: value.to_string(),
        expected: expected.to_string(),
    }
}

/// Rejects a count `v` of `field` outside `1..=max`, saying that range.
pub(crate) fn check_count(field: &'static str, v: usize, max: usize) -> Result<(), RunError> {
    if (1..=max).contains(&v) {
        Ok(())
    } else {
        Err(invalid(
            field,
            v,
            &format!("a whole number from 1 to {max}"),
        ))
    }
}

/// What `tasks.enabled` accepts, for its error messages.
pub(crate) fn task_names(at_least_one: bool) -> String {
    let names: Vec<String> = TASK_NAMES.iter().map(|n| format!("{n:?}")).collect();
    let names = names.join(", ");
    if at_least_one {
        format!("at least one of {names}")
    } else {
        format!("one of {names}")
    }
}

/// The names of the embedded profiles, for [`Config::profile`].
///
/// ```
/// use hippo_replay::config::{Config, PROFILES};
/// for name in PROFILES {
///     assert_eq!(Config::profile(name).unwrap().run.name, name);
/// }
/// ```
pub const PROFILES: [&str; 2] = ["quick", "paper"];

fn profile_text(name: &str) -> Result<&'static str, RunError> {
    match name {
        "quick" => Ok(QUICK),
        "paper" => Ok(PAPER),
        other => Err(invalid(
            "profile",
            format!("{other:?}"),
            "\"quick\" or \"paper\"",
        )),
    }
}

/// Overlays `user` onto `base`, table by table, collecting the full paths of keys the base does
/// not have (`absent`) so that a typo can be reported by its path.
fn merge(
    base: &mut toml::Table,
    user: toml::Table,
    prefix: &str,
    absent: &mut Vec<String>,
) -> Result<(), RunError> {
    for (key, value) in user {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match (base.get_mut(&key), value) {
            (None, value) => {
                absent.push(path);
                base.insert(key, value);
            }
            (Some(toml::Value::Table(b)), toml::Value::Table(u)) => merge(b, u, &path, absent)?,
            (Some(toml::Value::Table(_)), _) => {
                return Err(RunError::Config(format!("{path} must be a table")));
            }
            (Some(slot), value) => *slot = same_type(slot, value, &path)?,
        }
    }
    Ok(())
}

/// The override `value` for a profile field whose current value is `slot`, checked against the
/// field's type here because a type error found later, in the merged text, could only point at a
/// line of that text, which the user never wrote. A whole number given for a real is widened.
fn same_type(slot: &toml::Value, value: toml::Value, path: &str) -> Result<toml::Value, RunError> {
    use toml::Value::{Float, Integer};
    match (slot, value) {
        (Float(_), Integer(i)) => Ok(Float(i as f64)),
        // Every whole-number field is a count or a seed; what range a count takes is said by
        // validation, once the value has its type.
        (Integer(_), Integer(i)) if i < 0 => {
            Err(RunError::Config(format!("{path} cannot be negative ({i})")))
        }
        (slot, value) if std::mem::discriminant(slot) == std::mem::discriminant(&value) => {
            Ok(value)
        }
        (slot, value) => Err(RunError::Config(format!(
            "{path} must be {}, not {} ({value})",
            with_article(slot.type_str()),
            with_article(value.type_str())
        ))),
    }
}

fn with_article(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {type_name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_parse_and_validate() {
        for name in ["quick", "paper"] {
            let c = Config::profile(name).unwrap();
            assert_eq!(c.run.name, name);
            assert_eq!(Config::from_toml_str(&c.to_toml()).unwrap(), c);
        }
    }

    #[test]
    fn rejects_unknown_nested_key_with_its_path() {
        let err = Config::with_overrides("quick", "[replay]\nfriction = 0.3\n").unwrap_err();
        assert!(matches!(err, RunError::UnknownField(ref p) if p == "replay.friction"));
    }

    #[test]
    fn rejects_unknown_table() {
        let err = Config::with_overrides("quick", "[optimizer]\nlr = 1\n").unwrap_err();
        assert!(err.to_string().contains("optimizer"), "{err}");
    }

    #[test]
    fn rejects_wrong_type_naming_the_field_and_both_types() {
        let err = Config::with_overrides("quick", "[run]\nseeds = \"three\"\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "configuration: run.seeds must be an integer, not a string (\"three\")"
        );
        let err = Config::with_overrides("quick", "[replay]\nlambda_v = true\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("replay.lambda_v must be a float, not a boolean (true)"),
            "{err}"
        );
    }

    #[test]
    fn a_whole_number_is_accepted_for_a_real_but_not_the_reverse() {
        let c = Config::with_overrides("quick", "[replay]\nlambda_v = 1\n").unwrap();
        assert_eq!(c.replay.lambda_v, 1.0);
        let err = Config::with_overrides("quick", "[run]\nseeds = 2.0\n").unwrap_err();
        assert!(
            err.to_string()
                .contains("run.seeds must be an integer, not a float (2.0)"),
            "{err}"
        );
    }

    #[test]
    fn rejects_invalid_values_naming_field_and_value() {
        let cases = [
            ("[network]\nalpha_leaky = 0.0\n", "network.alpha_leaky", "0"),
            ("[replay]\nlambda_v = 1.5\n", "replay.lambda_v", "1.5"),
            (
                "[replay]\nadaptation_tau = 0.5\n",
                "replay.adaptation_tau",
                "0.5",
            ),
            (
                "[replay]\nadaptation_strength = -0.1\n",
                "replay.adaptation_strength",
                "-0.1",
            ),
            (
                "[network]\nsigma_train = nan\n",
                "network.sigma_train",
                "NaN",
            ),
            (
                "[network]\nsigma_train = -0.1\n",
                "network.sigma_train",
                "-0.1",
            ),
            ("[run]\nseeds = 0\n", "run.seeds", "0"),
            ("[training]\nbatch_size = 0\n", "training.batch_size", "0"),
            ("[replay]\nburn_in = 100000\n", "replay.burn_in", "100000"),
            (
                "[network]\nactivations = [\"gelu\"]\n",
                "network.activations",
                "gelu",
            ),
            ("[network]\nhidden = 0\n", "network.hidden", "0"),
            ("[tasks]\nenabled = []\n", "tasks.enabled", "[]"),
            (
                "[tasks]\nenabled = [\"square\"]\n",
                "tasks.enabled",
                "square",
            ),
            ("[tasks.track]\nmean_speed = -1.0\n", "mean_speed", "-1"),
            (
                "[tasks.open_box.place_cells]\nn_cells = 0\n",
                "n_cells",
                "0",
            ),
        ];
        for (text, field, value) in cases {
            let msg = Config::with_overrides("quick", text)
                .unwrap_err()
                .to_string();
            assert!(msg.contains(field) && msg.contains(value), "{text}: {msg}");
        }
    }

    #[test]
    fn optional_fields_absent_from_the_profile_can_be_set() {
        let c = Config::with_overrides(
            "quick",
            "[tasks.open_box.place_cells]\nsurround_scale = 2.0\n",
        )
        .unwrap();
        assert_eq!(c.tasks.open_box.place_cells.surround_scale, Some(2.0));
    }

    #[test]
    fn override_replaces_only_named_fields() {
        let base = Config::profile("quick").unwrap();
        let c = Config::with_overrides("quick", "[replay]\nlambda_v = 0.5\n").unwrap();
        assert_eq!(c.replay.lambda_v, 0.5);
        assert_eq!(c.replay.steps, base.replay.steps);
        assert_eq!(c.network, base.network);
    }
}

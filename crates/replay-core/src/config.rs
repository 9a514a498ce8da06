//! Configuration: the network's architecture, the dynamics it runs with (separately for training
//! and replay), the optimiser and the training schedule. All serde-serialisable and validated
//! with errors that name the field and its value.

use serde::{Deserialize, Serialize};

use crate::error::ConfigError;

/// The nonlinearity `φ` of the cell.
///
/// ```
/// use replay_core::Activation;
/// assert_eq!(Activation::Relu.apply(-2.0_f64), 0.0);
/// assert_eq!(Activation::Tanh.apply(0.0_f64), 0.0);
/// assert_eq!(Activation::Identity.apply(-2.0_f64), -2.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `max(z, 0)`.
    #[default]
    Relu,
    /// `tanh(z)`.
    Tanh,
    /// `z` (for tests and linear analysis).
    Identity,
}

/// Architecture of the network: its sizes, activation and leak.
///
/// ```
/// use replay_core::{Activation, NetworkConfig};
/// let config = NetworkConfig::new(128, 2, 2).with_activation(Activation::Tanh).with_leak(0.2);
/// assert!(config.validate().is_ok());
/// let json = serde_json::to_string(&config).unwrap();
/// assert_eq!(serde_json::from_str::<NetworkConfig>(&json).unwrap(), config);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    /// Hidden size `N`.
    pub hidden: usize,
    /// Input size `n_in` (2 for velocity inputs).
    pub input_dim: usize,
    /// Output size `n_out` (2 for positions, the number of place cells otherwise).
    pub output_dim: usize,
    /// Nonlinearity `φ`.
    #[serde(default)]
    pub activation: Activation,
    /// Leak `α ∈ (0, 1]`; 1 is the vanilla (non-leaky) network.
    pub leak: f64,
}

impl NetworkConfig {
    /// A vanilla (`α = 1`) ReLU network of the given sizes.
    ///
    /// ```
    /// use replay_core::NetworkConfig;
    /// let config = NetworkConfig::new(64, 2, 3);
    /// assert_eq!((config.hidden, config.leak), (64, 1.0));
    /// ```
    pub fn new(hidden: usize, input_dim: usize, output_dim: usize) -> Self {
        Self {
            hidden,
            input_dim,
            output_dim,
            activation: Activation::Relu,
            leak: 1.0,
        }
    }

    /// Sets the nonlinearity.
    ///
    /// ```
    /// use replay_core::{Activation, NetworkConfig};
    /// let config = NetworkConfig::new(8, 2, 2).with_activation(Activation::Tanh);
    /// assert_eq!(config.activation, Activation::Tanh);
    /// ```
    pub fn with_activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// Sets the leak `α`.
    ///
    /// ```
    /// use replay_core::NetworkConfig;
    /// assert_eq!(NetworkConfig::new(8, 2, 2).with_leak(0.2).leak, 0.2);
    /// ```
    pub fn with_leak(mut self, leak: f64) -> Self {
        self.leak = leak;
        self
    }

    /// Checks every field.
    ///
    /// ```
    /// use replay_core::{ConfigError, NetworkConfig};
    /// let err = NetworkConfig::new(0, 2, 2).validate().unwrap_err();
    /// assert_eq!(err, ConfigError::ZeroSize { field: "hidden" });
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        nonzero("hidden", self.hidden)?;
        nonzero("input_dim", self.input_dim)?;
        nonzero("output_dim", self.output_dim)?;
        in_range(
            "leak",
            self.leak,
            self.leak > 0.0 && self.leak <= 1.0,
            "0 < leak <= 1",
        )
    }
}

/// Negative feedback from a slow trace of activity: `a ← (1 − 1/τ_a) a + (b_a/τ_a) h`.
///
/// ```
/// use replay_core::Adaptation;
/// let adaptation = Adaptation { strength: 0.1, time_constant: 30.0 };
/// assert!(adaptation.validate().is_ok());
/// assert!(Adaptation { strength: 0.1, time_constant: 0.5 }.validate().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Adaptation {
    /// Strength `b_a ≥ 0` (0 switches adaptation off).
    pub strength: f64,
    /// Time constant `τ_a ≥ 1` in steps.
    pub time_constant: f64,
}

impl Adaptation {
    /// Checks `b_a ≥ 0` and `τ_a ≥ 1`, both finite.
    ///
    /// ```
    /// use replay_core::Adaptation;
    /// let err = Adaptation { strength: -0.1, time_constant: 30.0 }.validate().unwrap_err();
    /// assert!(err.to_string().contains("adaptation.strength = -0.1"));
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        let b = self.strength;
        in_range(
            "adaptation.strength",
            b,
            b.is_finite() && b >= 0.0,
            "finite strength >= 0",
        )?;
        let tau = self.time_constant;
        in_range(
            "adaptation.time_constant",
            tau,
            tau.is_finite() && tau >= 1.0,
            "finite time_constant >= 1",
        )
    }

    /// The retention `1 − 1/τ_a` and the gain `b_a/τ_a` of the update.
    ///
    /// ```
    /// use replay_core::Adaptation;
    /// let (keep, gain) = Adaptation { strength: 0.2, time_constant: 4.0 }.coefficients();
    /// assert_eq!((keep, gain), (0.75, 0.05));
    /// ```
    pub fn coefficients(&self) -> (f64, f64) {
        (
            1.0 - 1.0 / self.time_constant,
            self.strength / self.time_constant,
        )
    }
}

/// Second-order dynamics: `v ← (1 − λ_v) v + f + σ_v ξ`, `h ← h + v`.
///
/// ```
/// use replay_core::Momentum;
/// let momentum = Momentum::new(0.25);
/// assert_eq!(momentum.noise_for(0.1), 0.05); // σ √λ_v
/// assert_eq!(momentum.with_noise(0.3).noise_for(0.1), 0.3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Momentum {
    /// Friction `λ_v ∈ (0, 1]`; 1 is exactly the first-order update.
    pub friction: f64,
    /// Momentum noise `σ_v`; `None` means the temperature-matched `σ √λ_v`.
    #[serde(default)]
    pub noise: Option<f64>,
}

impl Momentum {
    /// Momentum with friction `λ_v` and the temperature-matched noise.
    ///
    /// ```
    /// use replay_core::Momentum;
    /// assert_eq!(Momentum::new(0.3).noise, None);
    /// ```
    pub fn new(friction: f64) -> Self {
        Self {
            friction,
            noise: None,
        }
    }

    /// Overrides the momentum noise `σ_v`.
    ///
    /// ```
    /// use replay_core::Momentum;
    /// assert_eq!(Momentum::new(0.3).with_noise(0.01).noise, Some(0.01));
    /// ```
    pub fn with_noise(mut self, noise: f64) -> Self {
        self.noise = Some(noise);
        self
    }

    /// `σ_v` given the first-order noise `σ`: the override, or `σ √λ_v`.
    ///
    /// ```
    /// use replay_core::Momentum;
    /// assert_eq!(Momentum::new(1.0).noise_for(0.2), 0.2);
    /// ```
    pub fn noise_for(&self, sigma: f64) -> f64 {
        self.noise.unwrap_or(sigma * self.friction.sqrt())
    }

    /// Checks `λ_v ∈ (0, 1]` and a finite, non-negative override.
    ///
    /// ```
    /// use replay_core::Momentum;
    /// assert!(Momentum::new(0.0).validate().is_err());
    /// assert!(Momentum::new(0.5).with_noise(f64::NAN).validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        let l = self.friction;
        in_range(
            "momentum.friction",
            l,
            l > 0.0 && l <= 1.0,
            "0 < friction <= 1",
        )?;
        if let Some(s) = self.noise {
            non_negative("momentum.noise", s)?;
        }
        Ok(())
    }
}

/// The mechanisms a network runs with: noise `σ`, and optionally adaptation and momentum.
///
/// Training and replay each have their own: the paper's protocol trains without adaptation or
/// momentum and switches them on at replay with the weights unchanged.
///
/// ```
/// use replay_core::{Dynamics, Momentum};
/// let train = Dynamics::new(0.05);
/// let replay = Dynamics::new(0.05 * 2f64.sqrt())
///     .with_adaptation(0.1, 30.0)
///     .with_momentum(Momentum::new(0.3));
/// assert!(train.validate().is_ok() && replay.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dynamics {
    /// Noise scale `σ` of the first-order update.
    pub noise: f64,
    /// Adaptation, if on.
    #[serde(default)]
    pub adaptation: Option<Adaptation>,
    /// Momentum, if on.
    #[serde(default)]
    pub momentum: Option<Momentum>,
}

impl Dynamics {
    /// First-order dynamics with noise `σ`.
    ///
    /// ```
    /// use replay_core::Dynamics;
    /// let d = Dynamics::new(0.01);
    /// assert!(d.adaptation.is_none() && d.momentum.is_none());
    /// ```
    pub fn new(noise: f64) -> Self {
        Self {
            noise,
            adaptation: None,
            momentum: None,
        }
    }

    /// Switches adaptation on with strength `b_a` and time constant `τ_a`.
    ///
    /// ```
    /// use replay_core::Dynamics;
    /// let d = Dynamics::new(0.01).with_adaptation(0.1, 30.0);
    /// assert_eq!(d.adaptation.unwrap().time_constant, 30.0);
    /// ```
    pub fn with_adaptation(mut self, strength: f64, time_constant: f64) -> Self {
        self.adaptation = Some(Adaptation {
            strength,
            time_constant,
        });
        self
    }

    /// Switches momentum on.
    ///
    /// ```
    /// use replay_core::{Dynamics, Momentum};
    /// let d = Dynamics::new(0.01).with_momentum(Momentum::new(0.3));
    /// assert_eq!(d.momentum.unwrap().friction, 0.3);
    /// ```
    pub fn with_momentum(mut self, momentum: Momentum) -> Self {
        self.momentum = Some(momentum);
        self
    }

    /// Checks `σ` and the enabled mechanisms.
    ///
    /// ```
    /// use replay_core::Dynamics;
    /// let err = Dynamics::new(-0.1).validate().unwrap_err();
    /// assert!(err.to_string().contains("noise = -0.1"));
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        non_negative("noise", self.noise)?;
        if let Some(a) = &self.adaptation {
            a.validate()?;
        }
        if let Some(m) = &self.momentum {
            m.validate()?;
        }
        Ok(())
    }
}

/// The training loss on the readout `y = D h + c`.
///
/// ```
/// use replay_core::Loss;
/// assert_eq!(Loss::default(), Loss::Mse);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Mean squared error over all entries of all steps and paths.
    #[default]
    Mse,
    /// Cross-entropy of the target code against the softmax of `y` over outputs (place-cell
    /// codes), averaged over steps and paths.
    CrossEntropy,
}

/// Adam with optional gradient-norm clipping and weight decay.
///
/// Weight decay is the classic coupled L2 term (added to the gradient after clipping), as in
/// PyTorch's `Adam(weight_decay=…)`.
///
/// ```
/// use replay_core::AdamConfig;
/// let adam = AdamConfig { clip_norm: Some(1.0), ..AdamConfig::default() };
/// assert_eq!((adam.learning_rate, adam.beta1, adam.beta2, adam.epsilon), (1e-3, 0.9, 0.999, 1e-8));
/// assert!(adam.validate().is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdamConfig {
    /// Step size.
    pub learning_rate: f64,
    /// Decay of the first-moment estimate.
    pub beta1: f64,
    /// Decay of the second-moment estimate.
    pub beta2: f64,
    /// Denominator offset.
    pub epsilon: f64,
    /// Rescale the gradient to at most this global Euclidean norm.
    pub clip_norm: Option<f64>,
    /// L2 coefficient added to the gradient.
    pub weight_decay: f64,
}

impl Default for AdamConfig {
    fn default() -> Self {
        Self {
            learning_rate: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            clip_norm: None,
            weight_decay: 0.0,
        }
    }
}

impl AdamConfig {
    /// Checks every field.
    ///
    /// ```
    /// use replay_core::AdamConfig;
    /// let bad = AdamConfig { beta2: 1.0, ..AdamConfig::default() };
    /// assert!(bad.validate().unwrap_err().to_string().contains("beta2 = 1"));
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        positive("learning_rate", self.learning_rate)?;
        let unit = "0 <= beta < 1";
        in_range("beta1", self.beta1, (0.0..1.0).contains(&self.beta1), unit)?;
        in_range("beta2", self.beta2, (0.0..1.0).contains(&self.beta2), unit)?;
        positive("epsilon", self.epsilon)?;
        if let Some(c) = self.clip_norm {
            positive("clip_norm", c)?;
        }
        non_negative("weight_decay", self.weight_decay)
    }
}

/// Everything training needs besides the network, the task and the RNG.
///
/// ```
/// use replay_core::{Dynamics, TrainConfig};
/// let config = TrainConfig::new(Dynamics::new(0.05), 64, 100, 1500);
/// assert!(config.validate().is_ok());
/// let json = serde_json::to_string(&config).unwrap();
/// assert_eq!(serde_json::from_str::<TrainConfig>(&json).unwrap(), config);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Mechanisms during training.
    pub dynamics: Dynamics,
    /// Paths per batch.
    pub batch_size: usize,
    /// Steps per path.
    pub steps: usize,
    /// Number of Adam updates.
    pub updates: usize,
    /// Optimiser.
    #[serde(default)]
    pub optimizer: AdamConfig,
    /// Loss.
    #[serde(default)]
    pub loss: Loss,
}

impl TrainConfig {
    /// Default optimiser and MSE loss.
    ///
    /// ```
    /// use replay_core::{Dynamics, Loss, TrainConfig};
    /// let config = TrainConfig::new(Dynamics::new(0.01), 8, 20, 100);
    /// assert_eq!(config.loss, Loss::Mse);
    /// ```
    pub fn new(dynamics: Dynamics, batch_size: usize, steps: usize, updates: usize) -> Self {
        Self {
            dynamics,
            batch_size,
            steps,
            updates,
            optimizer: AdamConfig::default(),
            loss: Loss::Mse,
        }
    }

    /// Checks every field.
    ///
    /// ```
    /// use replay_core::{ConfigError, Dynamics, TrainConfig};
    /// let err = TrainConfig::new(Dynamics::new(0.01), 0, 20, 100).validate().unwrap_err();
    /// assert_eq!(err, ConfigError::ZeroSize { field: "batch_size" });
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.dynamics.validate()?;
        nonzero("batch_size", self.batch_size)?;
        nonzero("steps", self.steps)?;
        self.optimizer.validate()
    }
}

fn nonzero(field: &'static str, value: usize) -> Result<(), ConfigError> {
    if value == 0 {
        Err(ConfigError::ZeroSize { field })
    } else {
        Ok(())
    }
}

fn in_range(
    field: &'static str,
    value: f64,
    ok: bool,
    expected: &'static str,
) -> Result<(), ConfigError> {
    // `ok` is false for NaN whatever the comparison, since every comparison with NaN is false.
    if ok {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            field,
            value,
            expected,
        })
    }
}

fn non_negative(field: &'static str, value: f64) -> Result<(), ConfigError> {
    in_range(
        field,
        value,
        value.is_finite() && value >= 0.0,
        "finite and >= 0",
    )
}

fn positive(field: &'static str, value: f64) -> Result<(), ConfigError> {
    in_range(
        field,
        value,
        value.is_finite() && value > 0.0,
        "finite and > 0",
    )
}

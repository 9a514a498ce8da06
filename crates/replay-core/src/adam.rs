//! Adam with optional global gradient-norm clipping and coupled weight decay, following
//! PyTorch's `clip_grad_norm_` and `Adam` step for step.

use nalgebra::RealField;

use crate::cell::Network;
use crate::config::{AdamConfig, NetworkConfig};
use crate::error::{ConfigError, ShapeError};
use crate::weights::Weights;

/// Adam optimiser state: first and second moments per parameter, and the step count.
///
/// ```
/// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
/// use replay_core::{Adam, AdamConfig, Network, NetworkConfig, Weights};
///
/// let config = NetworkConfig::new(2, 1, 1);
/// let mut net = Network::<f64>::init(config.clone(), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
/// let before = net.weights().b[0];
/// let mut adam = Adam::new(AdamConfig::default(), &config).unwrap();
/// let mut grads = Weights::zeros(&config);
/// grads.b[0] = 4.0;
/// adam.update(&mut net, &mut grads).unwrap();
/// // The first Adam step moves a parameter by about −lr · sign(g).
/// assert!((net.weights().b[0] - (before - 1e-3)).abs() < 1e-9);
/// ```
#[derive(Debug, Clone)]
pub struct Adam<T: RealField + Copy> {
    config: AdamConfig,
    m: Weights<T>,
    v: Weights<T>,
    steps: u64,
}

impl<T: RealField + Copy> Adam<T> {
    /// Fresh state (zero moments) for a network of the given configuration.
    ///
    /// ```
    /// use replay_core::{Adam, AdamConfig, NetworkConfig};
    /// let bad = AdamConfig { learning_rate: -1.0, ..AdamConfig::default() };
    /// assert!(Adam::<f32>::new(bad, &NetworkConfig::new(2, 2, 2)).is_err());
    /// ```
    pub fn new(config: AdamConfig, network: &NetworkConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        network.validate()?;
        Ok(Self {
            config,
            m: Weights::zeros(network),
            v: Weights::zeros(network),
            steps: 0,
        })
    }

    /// Number of updates applied.
    ///
    /// ```
    /// use replay_core::{Adam, AdamConfig, NetworkConfig};
    /// let adam = Adam::<f32>::new(AdamConfig::default(), &NetworkConfig::new(2, 2, 2)).unwrap();
    /// assert_eq!(adam.steps(), 0);
    /// ```
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The configuration.
    ///
    /// ```
    /// use replay_core::{Adam, AdamConfig, NetworkConfig};
    /// let adam = Adam::<f32>::new(AdamConfig::default(), &NetworkConfig::new(2, 2, 2)).unwrap();
    /// assert_eq!(adam.config().beta1, 0.9);
    /// ```
    pub fn config(&self) -> &AdamConfig {
        &self.config
    }

    /// Applies one update to the network's weights. `grads` is clipped in place (if clipping is
    /// on) and then has the weight-decay term added. Returns the gradient norm before clipping.
    ///
    /// ```
    /// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// use replay_core::{Adam, AdamConfig, Network, NetworkConfig, Weights};
    ///
    /// let config = NetworkConfig::new(2, 1, 1);
    /// let mut net = Network::<f64>::init(config.clone(), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let clip = AdamConfig { clip_norm: Some(1.0), ..AdamConfig::default() };
    /// let mut adam = Adam::new(clip, &config).unwrap();
    /// let mut grads = Weights::zeros(&config);
    /// grads.w[(0, 0)] = 3.0;
    /// grads.c[0] = 4.0;
    /// let norm = adam.update(&mut net, &mut grads).unwrap();
    /// assert_eq!(norm, 5.0);
    /// assert!((grads.norm_squared().sqrt() - 1.0).abs() < 1e-6);
    /// ```
    pub fn update(
        &mut self,
        net: &mut Network<T>,
        grads: &mut Weights<T>,
    ) -> Result<T, ShapeError> {
        let config = net.config().clone();
        grads.check_shapes(&config)?;
        self.m.check_shapes(&config)?;
        let norm = grads.norm_squared().sqrt();
        if let Some(max) = self.config.clip_norm {
            // As torch.nn.utils.clip_grad_norm_: scale by max / (norm + 1e-6) when that is < 1.
            let coef = nalgebra::convert::<f64, T>(max) / (norm + nalgebra::convert(1e-6));
            if coef < T::one() {
                for (_, g) in grads.groups_mut() {
                    g.iter_mut().for_each(|x| *x *= coef);
                }
            }
        }
        self.steps += 1;
        let c = &self.config;
        let t = i32::try_from(self.steps).unwrap_or(i32::MAX);
        let bias1 = 1.0 - c.beta1.powi(t);
        let bias2 = 1.0 - c.beta2.powi(t);
        let step_size: T = nalgebra::convert(c.learning_rate / bias1);
        let root_bias2: T = nalgebra::convert(bias2.sqrt());
        let (b1, b2): (T, T) = (nalgebra::convert(c.beta1), nalgebra::convert(c.beta2));
        let (one_b1, one_b2) = (T::one() - b1, T::one() - b2);
        let eps: T = nalgebra::convert(c.epsilon);
        let decay: T = nalgebra::convert(c.weight_decay);
        let groups = net
            .weights_mut()
            .groups_mut()
            .into_iter()
            .zip(grads.groups_mut())
            .zip(self.m.groups_mut().into_iter().zip(self.v.groups_mut()));
        for (((_, theta), (_, g)), ((_, m), (_, v))) in groups {
            for (((p, g), m), v) in theta.iter_mut().zip(g.iter_mut()).zip(m).zip(v) {
                if c.weight_decay != 0.0 {
                    *g += decay * *p;
                }
                *m = b1 * *m + one_b1 * *g;
                *v = b2 * *v + one_b2 * *g * *g;
                let denom = v.sqrt() / root_bias2 + eps;
                *p -= step_size * *m / denom;
            }
        }
        Ok(norm)
    }
}

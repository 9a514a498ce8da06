//! Replay: the trained network run quiescent (zero input, noise on) by the sampler's
//! integrators, from `h_0 = E y*_0`, with the replay mechanisms switched on independently of
//! training. Adaptation and momentum are the sampler's own code, applied to the network's drift.

use nalgebra::{DMatrix, DMatrixView, RealField};
use rand::Rng;
use replay_sampler::{
    Adapted, EulerMaruyama, Integrator, Observer as SamplerObserver, SamplerState,
};

use crate::cell::{Network, readout};
use crate::config::Dynamics;
use crate::error::ReplayError;
use crate::forward::Coefficients;

/// Replays `steps` steps from the initial states `E y*_0` of `initial_codes` (`n_out × B`),
/// with zero input and the given replay dynamics, and returns the final sampler state (hidden
/// states in its positions). `observer` sees the initial state, then the state after every
/// step.
///
/// The integrator is the sampler's: Euler–Maruyama with step 1 and noise `σ` (exactly the
/// first-order update), its momentum scheme when momentum is on, wrapped in its adaptation
/// scheme when adaptation is on. Noise is drawn from `rng` by the sampler, one `N × B`
/// column-major block per step.
///
/// ```
/// use nalgebra::DMatrix;
/// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
/// use replay_core::{Dynamics, Momentum, Network, NetworkConfig, replay, DecodedTrajectory};
///
/// let mut rng = ChaCha8Rng::seed_from_u64(0);
/// let net = Network::<f32>::init(NetworkConfig::new(16, 2, 2).with_leak(0.2), &mut rng).unwrap();
/// let starts = DMatrix::from_element(2, 5, 0.1_f32);
/// let dynamics = Dynamics::new(0.07).with_adaptation(0.1, 30.0).with_momentum(Momentum::new(0.3));
/// let mut decoded = DecodedTrajectory::new(&net, 5, 1, 101);
/// let state = replay(&net, &dynamics, &starts, 100, &mut rng, &mut decoded).unwrap();
/// assert_eq!(state.steps_taken(), 100);
/// assert_eq!(decoded.len(), 101); // the start and every step
/// assert_eq!(decoded.frame(0).shape(), (2, 5));
/// ```
pub fn replay<T, R, O>(
    network: &Network<T>,
    dynamics: &Dynamics,
    initial_codes: &DMatrix<T>,
    steps: usize,
    rng: &mut R,
    observer: &mut O,
) -> Result<SamplerState<T>, ReplayError>
where
    T: RealField + Copy,
    R: Rng + ?Sized,
    O: SamplerObserver<T> + ?Sized,
{
    let k = Coefficients::<T>::new(dynamics)?;
    let h0 = network.initial_state(initial_codes)?;
    let mut state = SamplerState::new(h0)?;
    observer.observe(&state);
    let first_order = EulerMaruyama::new(T::one(), k.sigma)?;
    let momentum = match (dynamics.momentum, k.momentum) {
        (Some(m), Some((_, sigma_v))) => Some(replay_sampler::Momentum::with_velocity_noise(
            nalgebra::convert(m.friction),
            sigma_v,
        )?),
        _ => None,
    };
    let adaptation = match dynamics.adaptation {
        Some(a) => Some(replay_sampler::Adaptation::new(
            nalgebra::convert(a.strength),
            nalgebra::convert(a.time_constant),
        )?),
        None => None,
    };
    let result = match (momentum, adaptation) {
        (None, None) => first_order.run(&mut state, network, None, steps, rng, observer),
        (Some(m), None) => m.run(&mut state, network, None, steps, rng, observer),
        (None, Some(a)) => {
            Adapted::new(first_order, a).run(&mut state, network, None, steps, rng, observer)
        }
        (Some(m), Some(a)) => {
            Adapted::new(m, a).run(&mut state, network, None, steps, rng, observer)
        }
    };
    result?;
    Ok(state)
}

/// A sampler observer that decodes every `stride`-th state to outputs `y = D h + c` and keeps
/// them in one preallocated buffer: frame `k` is an `n_out × B` column-major block.
///
/// ```
/// use nalgebra::DMatrix;
/// use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
/// use replay_core::{DecodedTrajectory, Network, NetworkConfig};
/// use replay_sampler::{Observer, SamplerState};
///
/// let net = Network::<f64>::init(NetworkConfig::new(4, 2, 3), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
/// let state = SamplerState::new(DMatrix::zeros(4, 2)).unwrap();
/// let mut decoded = DecodedTrajectory::new(&net, 2, 1, 1);
/// decoded.observe(&state);
/// assert_eq!(decoded.frame(0).column(1), net.weights().c.column(0));
/// assert_eq!(decoded.step_of(0), 0);
/// ```
#[derive(Debug, Clone)]
pub struct DecodedTrajectory<'a, T: RealField + Copy> {
    network: &'a Network<T>,
    batch: usize,
    stride: usize,
    data: Vec<T>,
    steps: Vec<usize>,
}

impl<'a, T: RealField + Copy> DecodedTrajectory<'a, T> {
    /// A recorder for `batch` trajectories keeping every `stride`-th step (a stride of 0 counts
    /// as 1), with room for `capacity` frames before it grows.
    ///
    /// ```
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{DecodedTrajectory, Network, NetworkConfig};
    /// let net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let decoded = DecodedTrajectory::new(&net, 10, 5, 21);
    /// assert!(decoded.is_empty());
    /// ```
    pub fn new(network: &'a Network<T>, batch: usize, stride: usize, capacity: usize) -> Self {
        let frame = network.config().output_dim * batch;
        Self {
            network,
            batch,
            stride: stride.max(1),
            data: Vec::with_capacity(capacity.saturating_mul(frame)),
            steps: Vec::with_capacity(capacity),
        }
    }

    /// Number of recorded frames.
    ///
    /// ```
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{DecodedTrajectory, Network, NetworkConfig};
    /// let net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// assert_eq!(DecodedTrajectory::new(&net, 1, 1, 0).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether nothing has been recorded.
    ///
    /// ```
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{DecodedTrajectory, Network, NetworkConfig};
    /// let net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// assert!(DecodedTrajectory::new(&net, 1, 1, 0).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The decoded outputs of frame `k` (`n_out × B`). Panics if `k >= len()`.
    ///
    /// ```
    /// # use nalgebra::DMatrix;
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{DecodedTrajectory, Network, NetworkConfig};
    /// # use replay_sampler::{Observer, SamplerState};
    /// let net = Network::<f64>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let mut decoded = DecodedTrajectory::new(&net, 3, 1, 1);
    /// decoded.observe(&SamplerState::new(DMatrix::from_element(4, 3, 0.5)).unwrap());
    /// let expected = net.decode(&DMatrix::from_element(4, 3, 0.5)).unwrap();
    /// assert_eq!(decoded.frame(0), expected);
    /// ```
    pub fn frame(&self, k: usize) -> DMatrixView<'_, T> {
        let o = self.network.config().output_dim;
        let size = o * self.batch;
        DMatrixView::from_slice(&self.data[k * size..(k + 1) * size], o, self.batch)
    }

    /// The step (in the sampler state's count) frame `k` was recorded at.
    ///
    /// ```
    /// # use nalgebra::DMatrix;
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{DecodedTrajectory, Network, NetworkConfig};
    /// # use replay_sampler::{Observer, SamplerState};
    /// let net = Network::<f64>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// let mut decoded = DecodedTrajectory::new(&net, 1, 1, 1);
    /// decoded.observe(&SamplerState::new(DMatrix::zeros(4, 1)).unwrap());
    /// assert_eq!(decoded.step_of(0), 0);
    /// ```
    pub fn step_of(&self, k: usize) -> usize {
        self.steps[k]
    }

    /// All frames, one after another (`n_out × B·len()` column-major).
    ///
    /// ```
    /// # use rand_chacha::{ChaCha8Rng, rand_core::SeedableRng};
    /// # use replay_core::{DecodedTrajectory, Network, NetworkConfig};
    /// let net = Network::<f32>::init(NetworkConfig::new(4, 2, 2), &mut ChaCha8Rng::seed_from_u64(0)).unwrap();
    /// assert!(DecodedTrajectory::new(&net, 1, 1, 0).as_slice().is_empty());
    /// ```
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }
}

impl<T: RealField + Copy> SamplerObserver<T> for DecodedTrajectory<'_, T> {
    /// Decodes the state if its step is a multiple of the stride; ignores states whose shape
    /// does not match the network and batch.
    fn observe(&mut self, state: &SamplerState<T>) {
        let step = state.steps_taken();
        let n = self.network.hidden();
        if !step.is_multiple_of(self.stride) || state.positions().shape() != (n, self.batch) {
            return;
        }
        let o = self.network.config().output_dim;
        let start = self.data.len();
        self.data.resize(start + o * self.batch, T::zero());
        readout(
            self.network.weights(),
            state.positions().as_slice(),
            &mut self.data[start..],
            self.batch,
        );
        self.steps.push(step);
    }
}

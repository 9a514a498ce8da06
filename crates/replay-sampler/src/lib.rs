//! Langevin integrators over any batched drift.
//!
//! A [`Drift`] is the field a state follows: for a trained network it is the quiescent
//! RNN update `α (φ(W h + b + c) − h)`, for an analytic target it is a scaled score. States are
//! the columns of a matrix so that a network can evaluate a whole batch with one matrix product.

#![warn(missing_docs)]

mod drift;

pub use drift::Drift;

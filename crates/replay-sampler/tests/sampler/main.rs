//! Laws of the integrators, adaptation and analytic scores.

mod adaptation;
mod common;
mod determinism;
mod momentum;
mod noise;
mod overdamped;
mod scores;
mod splitting;
mod validation;

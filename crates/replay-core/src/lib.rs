//! The noisy recurrent network of hippo-replay: its drift, exact BPTT gradients, Adam, training
//! and checkpoints.

#![warn(missing_docs)]

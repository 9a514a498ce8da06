//! Statistics of replay: Wasserstein distances, KDE-KL, reach times, displacement, visitation.

#![warn(missing_docs)]

//! Reduce: principal components for the 2-D map of the segments.

mod pca;

pub use pca::{symmetric_eigen, Pca};

//! The analysis core of the Client Segmentation Dashboard.
//!
//! The modules read like the pipeline: [`ingest`] (bytes to a table) -> [`clean`] (drop rows, with a
//! report) -> [`features`] (pick and scale columns) -> [`cluster`] (DBSCAN) -> [`reduce`] (PCA) ->
//! [`score`] (silhouette, Davies-Bouldin, Calinski-Harabasz). [`pipeline`] runs them all from one
//! [`spec::AnalysisSpec`]; [`advice`] reads what each column is and proposes the spec of a new file. Nothing here knows about the browser: the same code runs in the Web Worker,
//! in native tests and from a command line.

pub mod advice;
pub mod auto;
pub mod cell;
pub mod clean;
pub mod cluster;
pub mod corpus;
pub mod distance;
pub mod error;
pub mod explore;
pub mod export;
pub mod features;
pub mod ingest;
pub mod limits;
pub mod model;
pub mod numbers;
pub mod par;
pub mod pipeline;
pub mod profile;
pub mod reduce;
pub mod rng;
pub mod rules;
pub mod score;
pub mod serde_nan;
pub mod session;
pub mod spec;
pub mod synth;
pub mod transactions;

pub use error::{CoreError, Result};

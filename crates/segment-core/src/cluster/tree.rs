//! What a density-tree fit leaves for the page and for saved models: the condensed tree's clusters
//! (HDBSCAN's), apart from the algorithm so that a fit's result ([`super::MethodFit`]) can hold them.

use serde::{Deserialize, Serialize};

/// A cluster of the condensed tree (the root included), for the persistence chart and for applying a
/// model: `id` as in the rows, its parent cluster, the lambda at which it was born (0 for the root),
/// its size at birth, its stability, and whether it was selected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeCluster {
    pub id: u32,
    pub parent: Option<u32>,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub birth: f64,
    pub size: u32,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub stability: f64,
    pub selected: bool,
    /// For a selected cluster, its segment (canonical id), once the fit's labels are numbered.
    #[serde(default)]
    pub segment: Option<u32>,
}

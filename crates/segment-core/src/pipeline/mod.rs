//! The analysis, step by step, from a [`Table`](crate::ingest::Table) and an
//! [`AnalysisSpec`](crate::spec::AnalysisSpec) to a [`Segmentation`]: what a file looks like at load
//! ([`summary`]), the rows and matrices every method starts from ([`prepare`]), the one place a method
//! is chosen and fitted ([`fit`]), the figures that describe a segmentation ([`describe`]), help choosing
//! parameters ([`guidance`]) and how stable the segments are ([`stability`]). A
//! [`Session`](crate::session::Session) keeps each step's output for the settings that made it.

mod describe;
mod fit;
mod guidance;
mod prepare;
mod stability;
mod summary;

pub(crate) use describe::{describe, silhouette_job, Fitted};
pub use describe::{describe_from_table, explore_result, AnalysisResult, PcaMap, RowArrays, Scoring};
pub(crate) use fit::{check_prepared, describe_fit, fit_prepared, rows_needed};
pub use fit::{fit_method, run, run_prepared, MethodFit, Segmentation};
pub use guidance::{
    density_sweep, k_distance, k_distance_for, k_sweep, knee, KDistance, KSweep, SweepRow, Swept,
    K_DISTANCE_AT_LOAD_ROWS, K_DISTANCE_QUERIES, SWEEP_KS,
};
pub(crate) use guidance::{round_sig, tune_eps_on};
pub(crate) use prepare::{cleaned, scaled_rows};
pub use prepare::{prepare, DataKey, Fitting, Prepared};
pub(crate) use stability::subsample_spec;
pub use stability::{stability_of, StabilityJob, STABILITY_RUNS, WARD_STABILITY_MAX_ROWS};
pub(crate) use summary::{mark_aggregated, summarize_table};
pub use summary::{summarize, summarize_customers, summarize_with, DatasetSummary};

use serde::{Deserialize, Serialize};

/// The steps, in order, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Reading,
    Cleaning,
    Scaling,
    Clustering,
    Reducing,
    Scoring,
    /// Trying candidate segmentations (the automatic choice).
    Choosing,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Reading => "Reading the file",
            Stage::Cleaning => "Cleaning",
            Stage::Scaling => "Scaling",
            Stage::Clustering => "Finding segments",
            Stage::Reducing => "Projecting (PCA)",
            Stage::Scoring => "Scoring",
            Stage::Choosing => "Trying segmentations",
        }
    }
}

pub type Progress<'a> = &'a mut dyn FnMut(Stage, f64);

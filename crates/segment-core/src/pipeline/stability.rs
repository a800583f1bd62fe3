//! How stable a segmentation is: the same method and settings on 80 % subsamples, compared with it by
//! the adjusted Rand index, one fit at a time so the worker can answer requests in between.

use super::fit::{fit_method, Segmentation};
use super::{Progress, Stage};
use crate::score::{Stability, SUBSAMPLE_SHARE};
use crate::spec::AnalysisSpec;
use ndarray::{Array2, Axis};
use std::sync::Arc;

pub use crate::cluster::ward::WARD_STABILITY_MAX_ROWS;

/// Subsample runs behind the stability score.
pub const STABILITY_RUNS: usize = 5;

/// How stable a result's segments are: the same method and settings on 80 % subsamples, compared with
/// the result by the adjusted Rand index (see [`crate::score::stability`]).
pub fn stability_of(segmentation: &Segmentation, progress: Progress) -> Stability {
    let mut job = match StabilityJob::new(segmentation) {
        Ok(job) => job,
        Err(skipped) => return skipped,
    };
    loop {
        progress(Stage::Scoring, job.plan.done_runs() as f64 / STABILITY_RUNS as f64);
        if let Some(done) = job.step() {
            return done;
        }
    }
}

/// A stability measurement one fit at a time ([`StabilityJob::step`]), so the worker can answer a new
/// request between two fits.
pub struct StabilityJob {
    spec: AnalysisSpec,
    x_scaled: Arc<Array2<f64>>,
    plan: crate::score::StabilityPlan,
}

impl StabilityJob {
    /// The job for a segmentation on its rows (shared, not copied), or (Err) the answer at once when it is
    /// not measured.
    pub fn new(segmentation: &Segmentation) -> std::result::Result<Self, Stability> {
        let spec = &segmentation.spec;
        let method = spec.method_settings();
        if let Some(max) = method.stability_max_rows().filter(|&max| segmentation.rows_used > max) {
            return Err(Stability {
                mean_ari: 0.0,
                min_ari: 0.0,
                runs: 0,
                subsample_share: SUBSAMPLE_SHARE,
                seed: spec.seed,
                sampled_rows: None,
                skipped: Some(format!(
                    "not measured: {} on {} rows would need {STABILITY_RUNS} more fits; it is measured up to {max} rows",
                    method.info().name,
                    segmentation.rows_used
                )),
            });
        }
        // k-based methods measure it on a sample of a big file's rows; density methods on every row.
        let max_rows = if spec.k().is_some() { crate::score::STABILITY_MAX_ROWS } else { usize::MAX };
        let labels = segmentation.result.labels.clone();
        let plan = crate::score::StabilityPlan::new(labels, STABILITY_RUNS, spec.seed, max_rows);
        Ok(Self { spec: spec.clone(), x_scaled: Arc::clone(&segmentation.x_scaled), plan })
    }

    /// Fits done so far, of [`STABILITY_RUNS`].
    pub fn done_runs(&self) -> usize {
        self.plan.done_runs()
    }

    /// Runs the next subsample fit; the stability once the last is done.
    pub fn step(&mut self) -> Option<Stability> {
        let Some(rows) = self.plan.next_rows() else { return Some(self.plan.finish()) };
        let run_index = self.plan.done_runs() as u64 + 1;
        let sub = self.x_scaled.select(Axis(0), rows);
        let run_spec = subsample_spec(&self.spec, run_index);
        let labels = fit_method(&run_spec, sub.view(), &mut |_| {}).map(|fit| fit.labels);
        let labels = labels.unwrap_or_else(|_| vec![None; rows.len()]);
        self.plan.record(&labels);
        self.plan.next_rows().is_none().then(|| self.plan.finish())
    }
}

/// The settings of the `run_index`-th refit on an 80 % subsample: its own seed, and DBSCAN's
/// min_samples scaled to the subsample (it is 80 % as dense) so the density threshold stays.
pub(crate) fn subsample_spec(spec: &AnalysisSpec, run_index: u64) -> AnalysisSpec {
    let mut run_spec = spec.clone();
    run_spec.seed = spec.seed.wrapping_add(run_index);
    run_spec.dbscan.min_samples =
        ((spec.dbscan.min_samples as f64 * SUBSAMPLE_SHARE).round() as usize).max(1);
    run_spec
}

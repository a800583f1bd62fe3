//! Fitting a method: the one place the spec's method is chosen (`fit_method`), with the checks that
//! come before any work (parameters, distinct rows, work budgets), and a run from prepared rows to a
//! [`Segmentation`].

use super::describe::{describe, describe_from_table, AnalysisResult, Fitted, Scoring};
use super::prepare::{prepare, Fitting, Prepared};
use super::{Progress, Stage};
use crate::cluster::dbscan::EpsIndex;
pub use crate::cluster::MethodFit;
use crate::cluster::{Assignment, FitInputs};
use crate::error::{CoreError, Result};
use crate::features::FittedScaler;
use crate::ingest::Table;
use crate::spec::AnalysisSpec;
use ndarray::{Array2, ArrayView2};
use std::sync::Arc;

/// A segmentation: the figures the page shows ([`AnalysisResult`], which crosses to the page) and what
/// stays with the data (the rows used, the fitted scaler and assignment) for exports, previews and saved
/// models. Reads as its result (`segmentation.segment_sizes`).
#[derive(Debug, Clone)]
pub struct Segmentation {
    /// Shared with the reply that carries it to the page (no copy of a million labels).
    pub result: Arc<AnalysisResult>,
    /// Per used row (the result's labels): its row in the table (0 = first data row). Shared with the
    /// [`Prepared`] rows.
    pub kept_rows: Arc<[usize]>,
    pub scaler: FittedScaler,
    /// What assigning new rows needs (DBSCAN core points, centres, mixture, RFM edges); None for a
    /// saved model's apply (the model holds it).
    pub assignment: Option<Assignment>,
    /// The used rows' features as the method saw them (scaled): shared with the [`Prepared`] rows they
    /// came from, never copied. Their values in the file's units are read from the table
    /// ([`crate::features::RawRows`] with `kept_rows` and the cleaning's fill values).
    pub x_scaled: Arc<Array2<f64>>,
}

impl std::ops::Deref for Segmentation {
    type Target = AnalysisResult;
    fn deref(&self) -> &AnalysisResult {
        &self.result
    }
}

impl Segmentation {
    /// The used rows' features in the file's units, read from `table` (the one it was fitted on).
    pub fn raw<'a>(&'a self, table: &'a Table) -> crate::features::RawRows<'a> {
        crate::features::RawRows::new(table, &self.spec.features, &self.kept_rows, &self.cleaning.fitted.fill)
    }

    /// Each used row's segment (None = noise).
    pub fn labels(&self) -> Vec<Option<usize>> {
        self.result.labels.iter().map(|&l| usize::try_from(l).ok()).collect()
    }
}

/// What a fit reads of `spec` beside the method's settings.
pub(crate) fn fit_inputs<'a>(spec: &'a AnalysisSpec, eps_index: Option<&'a EpsIndex>) -> FitInputs<'a> {
    FitInputs { seed: spec.seed, features: &spec.features, eps_index }
}

/// Checks the method's parameters (so a typo fails before any work) and returns the rows it needs.
pub(crate) fn rows_needed(spec: &AnalysisSpec) -> Result<usize> {
    spec.validate()?;
    Ok(spec.method_settings().rows_needed(&fit_inputs(spec, None))?.max(3))
}

/// A k-based method needs at least k distinct customers (rows with different values): 500 identical
/// rows cannot make 3 segments, and splitting them 498 / 1 / 1 would name segments from nothing.
fn check_distinct(spec: &AnalysisSpec, x: ArrayView2<f64>) -> Result<()> {
    let Some(k) = spec.k() else { return Ok(()) };
    let mut seen: std::collections::HashSet<Vec<u64>> = std::collections::HashSet::new();
    for row in x.outer_iter() {
        // -0.0 and 0.0 are the same value.
        seen.insert(row.iter().map(|v| (v + 0.0).to_bits()).collect());
        if seen.len() >= k {
            return Ok(());
        }
    }
    Err(CoreError::InvalidParameter {
        name: "k".into(),
        value: k.to_string(),
        reason: format!(
            "the customers have only {} distinct combination(s) of the features, fewer than the {k} segments asked \
             for; lower k or add features that tell them apart",
            seen.len()
        ),
    })
}

/// Fits the spec's method on `x_scaled`.
pub fn fit_method(
    spec: &AnalysisSpec,
    x_scaled: ArrayView2<f64>,
    on_progress: &mut dyn FnMut(f64),
) -> Result<MethodFit> {
    fit_method_with(spec, x_scaled, None, on_progress)
}

/// Fits the spec's method on `x_scaled`, DBSCAN from `eps_index` when it was built on these rows with
/// the spec's min_samples (the same labels, without counting neighbours): the one dispatch on the
/// method.
pub(crate) fn fit_method_with(
    spec: &AnalysisSpec,
    x_scaled: ArrayView2<f64>,
    eps_index: Option<&EpsIndex>,
    on_progress: &mut dyn FnMut(f64),
) -> Result<MethodFit> {
    spec.method_settings().fit(x_scaled, &fit_inputs(spec, eps_index), on_progress)
}

/// Runs the analysis the spec describes on the table: prepare, then [`run_prepared`].
pub fn run(table: &Table, spec: &AnalysisSpec, progress: Progress) -> Result<Segmentation> {
    let needed = rows_needed(spec)?;
    let prepared = prepare(table, spec, Fitting::Learn, needed, progress)?;
    run_prepared(table, spec, &prepared, None, Scoring::Now, progress)
}

/// Fits the spec's method on rows already prepared for it (a session keeps them: changing eps or k
/// starts here) and describes the segmentation, its silhouette now or left to a job (`scoring`).
/// `eps_index`: DBSCAN at any eps on these rows, when the session has built it.
pub fn run_prepared(
    table: &Table,
    spec: &AnalysisSpec,
    prepared: &Prepared,
    eps_index: Option<&EpsIndex>,
    scoring: Scoring,
    progress: Progress,
) -> Result<Segmentation> {
    let fit = fit_prepared(spec, prepared, eps_index, progress)?;
    describe_fit(table, spec, prepared, fit, scoring, progress)
}

/// The spec's method fitted on prepared rows, after the checks that come before any work.
pub(crate) fn fit_prepared(
    spec: &AnalysisSpec,
    prepared: &Prepared,
    eps_index: Option<&EpsIndex>,
    progress: Progress,
) -> Result<MethodFit> {
    check_prepared(spec, prepared)?;
    progress(Stage::Clustering, 0.0);
    fit_method_with(spec, prepared.x_scaled.view(), eps_index, &mut |f| progress(Stage::Clustering, f))
}

/// The checks before fitting the spec on prepared rows: enough rows, within the work budget, enough
/// distinct rows for k.
pub(crate) fn check_prepared(spec: &AnalysisSpec, prepared: &Prepared) -> Result<()> {
    let needed = rows_needed(spec)?;
    if prepared.kept.len() < needed {
        return Err(CoreError::TooFewRows { rows: prepared.kept.len(), needed });
    }
    let x_scaled = prepared.x_scaled.view();
    spec.check_work(x_scaled.nrows(), x_scaled.ncols())?;
    check_distinct(spec, x_scaled)
}

/// The segmentation a fit on prepared rows makes: its figures (the silhouette as `scoring` says) and
/// what stays with the data.
pub(crate) fn describe_fit(
    table: &Table,
    spec: &AnalysisSpec,
    prepared: &Prepared,
    fit: MethodFit,
    scoring: Scoring,
    progress: Progress,
) -> Result<Segmentation> {
    let MethodFit { labels, assignment, membership, tree } = fit;
    let x_scaled = prepared.x_scaled.view();
    let n_segments = labels.iter().flatten().map(|&s| s + 1).max().unwrap_or(0);
    if n_segments > crate::limits::MAX_SEGMENTS {
        return Err(CoreError::InvalidParameter {
            name: spec.method.key().into(),
            value: spec.parameters(),
            reason: format!(
                "these settings give {n_segments} segments, more than the {} a result can describe; raise eps or \
                 min_samples, or lower k",
                crate::limits::MAX_SEGMENTS
            ),
        });
    }
    let mut segment_sizes = vec![0usize; n_segments];
    labels.iter().flatten().for_each(|&s| segment_sizes[s] += 1);
    let fitted = Fitted {
        cleaning: prepared.cleaning.clone(),
        raw: prepared.raw(table, spec),
        x_scaled,
        labels: &labels,
        segment_sizes,
        scoring,
    };
    let mut result = describe(spec, fitted, progress);
    // The result holds the labels now (as i32): the fit's copy goes before the dashboard's figures.
    drop(labels);
    result.membership = membership.map(|m| m.into_iter().map(crate::serde_nan::to_f32).collect());
    result.density_tree = tree;
    if let Assignment::Prototypes { gamma, .. } = &assignment {
        result.gamma = Some(*gamma);
    }
    describe_from_table(table, &mut result, &prepared.kept, prepared.x_scaled.view());
    // Rule-based segments carry their own names.
    if let Assignment::Rfm { names, .. } = &assignment {
        for (profile, name) in result.profiles.iter_mut().zip(names) {
            profile.suggested_name = name.clone();
        }
    }
    Ok(Segmentation {
        result: Arc::new(result),
        kept_rows: Arc::clone(&prepared.kept),
        scaler: prepared.scaler.clone(),
        assignment: Some(assignment),
        x_scaled: Arc::clone(&prepared.x_scaled),
    })
}

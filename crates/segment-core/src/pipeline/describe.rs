//! The figures that describe a segmentation, the same for a run and for a saved model applied to a
//! new file: sizes, means and profiles in the file's units, the PCA map, the scores, and the
//! dashboard's figures per column. What crosses to the page is [`AnalysisResult`].

use super::{Progress, Stage};
use crate::clean::CleaningReport;
use crate::features::RawRows;
use crate::ingest::Table;
use crate::profile::{profiles, SegmentProfile};
use crate::reduce::Pca;
use crate::score::{calinski_harabasz, davies_bouldin, silhouette, Renumbered, Scores, SilhouetteJob};
use crate::spec::AnalysisSpec;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PcaMap {
    pub explained_variance_ratio: Vec<f64>,
    /// Loadings: `components[c][j]` is feature j's weight in component c (unit vectors, fixed sign).
    pub components: Vec<Vec<f64>>,
    /// Components per row in `coords` (3 when there are 3 or more features, else the feature count).
    #[serde(default = "two")]
    pub dims: usize,
    /// Scores on the first `dims` components, row-major per used row.
    #[serde(deserialize_with = "crate::serde_nan::vec32_or_nan")]
    pub coords: Vec<f32>,
}

fn two() -> usize {
    2
}

impl PcaMap {
    /// Row-major (x, y) pairs on components `a` and `b` (from 0), for a 2-D map.
    pub fn pair(&self, a: usize, b: usize) -> Vec<f32> {
        let d = self.dims.max(1);
        if a >= d || b >= d {
            return Vec::new();
        }
        self.coords.chunks_exact(d).flat_map(|row| [row[a], row[b]]).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisResult {
    pub spec: AnalysisSpec,
    pub cleaning: CleaningReport,
    pub rows_used: usize,
    /// Rows per segment, largest first; segment ids are positions in this list.
    pub segment_sizes: Vec<usize>,
    pub noise: usize,
    /// Per used row: segment id, or -1 for noise.
    pub labels: Vec<i32>,
    /// Per segment, the mean of each feature in the file's own units (NaN, sent as null, when the
    /// values are too large to average).
    #[serde(deserialize_with = "crate::serde_nan::rows_or_nan")]
    pub segment_means: Vec<Vec<f64>>,
    #[serde(deserialize_with = "crate::serde_nan::vec_or_nan")]
    pub overall_means: Vec<f64>,
    /// Per segment: plain-language profile and a suggested name.
    pub profiles: Vec<SegmentProfile>,
    pub scores: Scores,
    pub pca: PcaMap,
    /// The dashboard's figures for every numeric column (overview, explore, compare).
    #[serde(default)]
    pub explore: crate::explore::Explore,
    /// HDBSCAN only: per used row, how firmly it belongs to its segment (scikit-learn's membership
    /// probability: 1 at the segment's densest, towards 0 at its edge; 0 for noise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership: Option<Vec<f32>>,
    /// HDBSCAN only: the condensed tree's clusters, for the persistence chart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub density_tree: Option<Vec<crate::cluster::hdbscan::TreeCluster>>,
    /// The segments' rules taken together as a segmentation (each customer to the first rule that
    /// holds, most precise first): the share of customers they put in the model's segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_fidelity: Option<f64>,
    /// The rules' price of explainability: the within-segment sum of squares (scaled features) of the
    /// rules' segmentation over the model's ([`crate::rules::price_of_explainability`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_price: Option<f64>,
    /// k-prototypes only: the gamma the fit used (the one set, or the one suggested from the data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gamma: Option<f64>,
}

/// A result's per-row arrays (one entry per used row): what makes a result big. A page receives them
/// as typed arrays beside the rest of the result, instead of as text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowArrays {
    pub labels: Vec<i32>,
    /// The PCA map's coordinates, `dims` per row.
    pub coords: Vec<f32>,
    pub membership: Option<Vec<f32>>,
}

impl AnalysisResult {
    /// Moves the per-row arrays out (leaving them empty), to send them apart from the rest.
    pub fn take_row_arrays(&mut self) -> RowArrays {
        RowArrays {
            labels: std::mem::take(&mut self.labels),
            coords: std::mem::take(&mut self.pca.coords),
            membership: self.membership.take(),
        }
    }

    /// Puts per-row arrays back, when they fit this result: one label per used row and `dims`
    /// coordinates per row (Err with what does not fit).
    pub fn set_row_arrays(&mut self, rows: RowArrays) -> std::result::Result<(), String> {
        let n = self.rows_used;
        let fits = rows.labels.len() == n
            && rows.coords.len() == n * self.pca.dims
            && rows.membership.as_ref().is_none_or(|m| m.len() == n);
        if !fits {
            return Err(format!(
                "{} labels, {} coordinates for {n} rows in {} dimensions",
                rows.labels.len(),
                rows.coords.len(),
                self.pca.dims
            ));
        }
        self.labels = rows.labels;
        self.pca.coords = rows.coords;
        self.membership = rows.membership;
        Ok(())
    }
}

/// The dashboard's figures for a result's rows (`kept`, table rows) and segments.
pub fn explore_result(table: &Table, result: &AnalysisResult, kept: &[usize]) -> crate::explore::Explore {
    // A category compared by value has no mean nor spread (its values are said in the profiles).
    crate::explore::explore(
        table,
        &result.spec.measured_features(),
        kept,
        &result.labels,
        result.segment_sizes.len(),
        result.spec.seed,
    )
}

/// The figures read from the table's other columns once a result is described: the dashboard's
/// figures per column and what the flags that are not features say of each segment.
pub fn describe_from_table(
    table: &Table,
    result: &mut AnalysisResult,
    kept: &[usize],
    x_scaled: ArrayView2<f64>,
) {
    result.explore = explore_result(table, result, kept);
    let days: Vec<bool> = result
        .spec
        .features
        .iter()
        .map(|f| table.column(f).is_some_and(|c| c.kind == crate::ingest::ColumnKind::Date))
        .collect();
    crate::profile::mark_dates(&result.spec.features, &days, &mut result.profiles);
    // Categories compared by value (k-prototypes) are said as shares of their values, as the
    // categories that are not features are.
    let categories = result.spec.method_settings().categories();
    crate::profile::describe_traits(
        table,
        &result.spec.measured_features(),
        kept,
        &result.labels,
        &mut result.profiles,
    );
    if !categories.is_empty() {
        crate::profile::categories_said_by_value(
            table,
            &result.spec.features,
            categories,
            kept,
            &result.labels,
            &mut result.profiles,
        );
    }
    let rules = crate::rules::segment_rules(
        table,
        &result.spec.features,
        result.spec.method_settings().categories(),
        kept,
        &result.cleaning.fitted.fill,
        &result.labels,
        result.segment_sizes.len(),
    );
    result.rule_price = rules.fidelity.and_then(|_| {
        let space = scoring_rows(&result.spec, x_scaled);
        crate::rules::price_of_explainability(space.view(), &result.labels, &rules.assigned)
    });
    for (profile, rule) in result.profiles.iter_mut().zip(rules.rules) {
        profile.rule = rule;
    }
    result.rule_fidelity = rules.fidelity;
}

/// Rows with their segments, before the figures that describe them.
pub(crate) struct Fitted<'a> {
    pub cleaning: CleaningReport,
    /// The used rows' features in the file's units (segment means), read from the table.
    pub raw: RawRows<'a>,
    pub x_scaled: ArrayView2<'a, f64>,
    /// Per kept row; segment ids index `segment_sizes` (a size may be 0 when a model is applied).
    pub labels: &'a [Option<usize>],
    pub segment_sizes: Vec<usize>,
    pub scoring: Scoring,
}

/// When a segmentation's silhouette is measured: the one score that can cost more than the fit (all
/// pairs of up to `silhouette_sample_size` rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scoring {
    /// With the other figures.
    #[default]
    Now,
    /// Later, by the [`SilhouetteJob`] of [`silhouette_job`] (a session steps it): the result says
    /// `silhouette_pending`, so a page can draw the segments first and fill it in after.
    Deferred,
}

/// The figures of a segmentation: PCA map, scores, means and profiles. Shared by a run and by applying a
/// saved model, so a new month's file is described exactly like the training file.
pub(crate) fn describe(spec: &AnalysisSpec, fitted: Fitted, progress: Progress) -> AnalysisResult {
    let Fitted { cleaning, raw, x_scaled, labels, segment_sizes, scoring } = fitted;
    let (n, d) = x_scaled.dim();
    let noise = labels.iter().filter(|l| l.is_none()).count();

    progress(Stage::Reducing, 0.0);
    // The map shows the rows where the method measures distance (k-prototypes: categories as one
    // column per value); each component is then said per feature.
    let space = scoring_rows(spec, x_scaled);
    let mut pca = Pca::fit(space.view());
    // Per row as many components as there are (3 at most): `coords` holds exactly `dims` per row.
    let dims = d.clamp(1, 3).min(pca.components.len());
    let coords = pca.transform_as(space.view(), dims, crate::serde_nan::to_f32);
    if space.ncols() != d {
        let widths = crate::cluster::kprototypes::block_widths(x_scaled, &spec.category_mask());
        pca.components =
            pca.components.iter().map(|c| crate::cluster::kprototypes::per_feature(c, &widths)).collect();
    }

    progress(Stage::Scoring, 0.0);
    let scores = score_all(space.view(), &compact(labels, segment_sizes.len()), spec, scoring);
    progress(Stage::Scoring, 1.0);
    drop(space);

    let mut sums = vec![vec![0.0; d]; segment_sizes.len()];
    let mut totals = vec![0.0; d];
    // Features whose every value is 0 or 1 (yes/no columns): profiled by their share of customers.
    let mut yes_no = vec![n > 0; d];
    for (i, label) in labels.iter().enumerate() {
        for (j, total) in totals.iter_mut().enumerate() {
            let v = raw.value(i, j);
            yes_no[j] &= v == 0.0 || v == 1.0;
            *total += v;
            if let Some(c) = *label {
                sums[c][j] += v;
            }
        }
    }
    // An empty segment (possible when a model is applied) gets means of 0: it has no customers to
    // average, and JSON has no NaN.
    let segment_means: Vec<Vec<f64>> = sums
        .into_iter()
        .zip(&segment_sizes)
        .map(|(s, &size)| s.into_iter().map(|v| if size > 0 { v / size as f64 } else { 0.0 }).collect())
        .collect();
    let profiles = profiles(&spec.features, &yes_no, &segment_sizes, &segment_means);
    let overall_means = if n > 0 { totals.iter().map(|t| t / n as f64).collect() } else { Vec::new() };

    AnalysisResult {
        spec: spec.clone(),
        cleaning,
        rows_used: n,
        noise,
        labels: labels.iter().map(|l| l.map_or(-1, |c| c as i32)).collect(),
        segment_sizes,
        segment_means,
        overall_means,
        profiles,
        scores,
        pca: PcaMap {
            explained_variance_ratio: pca.explained_variance_ratio,
            components: pca.components,
            dims,
            coords,
        },
        explore: Default::default(),
        membership: None,
        density_tree: None,
        rule_fidelity: None,
        rule_price: None,
        gamma: None,
    }
}

/// The silhouette of a segmentation's rows (a result's `labels` per row, -1 for noise; `n_segments`
/// of them) as a job in steps: the same rows, labels and sample as a result scored at once. None: it
/// has no silhouette.
pub(crate) fn silhouette_job(
    x_scaled: ArrayView2<f64>,
    labels: &[i32],
    n_segments: usize,
    spec: &AnalysisSpec,
) -> Option<SilhouetteJob> {
    let options = spec.silhouette_options();
    let space = scoring_rows(spec, x_scaled);
    let x_scaled = space.view();
    match gaps_closed(labels.iter().filter_map(|&l| usize::try_from(l).ok()), n_segments) {
        None => SilhouetteJob::new(x_scaled, labels, options),
        Some(new_id) => SilhouetteJob::new(x_scaled, &Renumbered { labels, new_id }, options),
    }
}

/// When some of `n_segments` segments have no row: each segment's id once the empty ones are skipped.
/// None when every segment has rows.
fn gaps_closed(segments: impl Iterator<Item = usize>, n_segments: usize) -> Option<Vec<usize>> {
    let mut used = vec![false; n_segments];
    segments.for_each(|s| used[s] = true);
    if used.iter().all(|u| *u) {
        return None;
    }
    let mut next = 0;
    Some(
        used.iter()
            .map(|&u| {
                let id = next;
                next += usize::from(u);
                id
            })
            .collect(),
    )
}

/// Segment ids without gaps (empty segments skipped), as the scores expect: the labels as they are
/// when no segment is empty (no copy).
fn compact(labels: &[Option<usize>], n_segments: usize) -> std::borrow::Cow<'_, [Option<usize>]> {
    match gaps_closed(labels.iter().flatten().copied(), n_segments) {
        None => std::borrow::Cow::Borrowed(labels),
        Some(new_id) => std::borrow::Cow::Owned(labels.iter().map(|l| l.map(|s| new_id[s])).collect()),
    }
}

/// The rows where the spec's method measures distance: the scaled rows, or for k-prototypes their
/// categories as one column per value ([`crate::cluster::ClusterMethod::scoring_space`]). Every score
/// of a segmentation is measured there.
pub(crate) fn scoring_rows<'a>(
    spec: &AnalysisSpec,
    x_scaled: ArrayView2<'a, f64>,
) -> ndarray::CowArray<'a, f64, ndarray::Ix2> {
    match spec.method_settings().scoring_space(x_scaled, &spec.features) {
        Some(space) => space.into(),
        None => x_scaled.into(),
    }
}

/// The scores of `labels` on rows already where the method measures distance ([`scoring_rows`]).
pub(crate) fn score_all(
    space: ArrayView2<f64>,
    labels: &[Option<usize>],
    spec: &AnalysisSpec,
    scoring: Scoring,
) -> Scores {
    let x_scaled = space;
    let deferred = scoring == Scoring::Deferred;
    Scores {
        silhouette: if deferred { None } else { silhouette(x_scaled, labels, spec.silhouette_options()) },
        davies_bouldin: davies_bouldin(x_scaled, labels),
        calinski_harabasz: calinski_harabasz(x_scaled, labels),
        silhouette_pending: deferred,
    }
}

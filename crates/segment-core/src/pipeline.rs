//! The whole analysis, from a [`Table`] and an [`AnalysisSpec`] to an [`AnalysisResult`]. The Web Worker,
//! the tests and (later) the command line all call [`run`]; none of them re-implements a step.

use crate::clean::{clean_with, CleaningReport};
use crate::cluster::{canonical_labels, Dbscan, GaussianMixture, KMeans, Ward, WardTree};
use crate::distance::dist2;
use crate::error::{CoreError, Result};
use crate::features::{x_model, x_raw_filled, FittedScaler};
use crate::ingest::{ColumnInfo, Table};
use crate::model::Assignment;
use crate::profile::{profiles, SegmentProfile};
use crate::reduce::Pca;
use crate::rng::SplitMix64;
use crate::score::{
    calinski_harabasz, davies_bouldin, silhouette, Scores, SilhouetteOptions, Stability, SUBSAMPLE_SHARE,
};
use crate::spec::{is_original_layout, AnalysisSpec, Method};
use linfa::ParamGuard;
use ndarray::{Array2, ArrayView2, Axis};
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

/// What the page shows after loading a file, before any run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetSummary {
    pub n_rows: usize,
    /// What the file was read as (encoding, or spreadsheet sheet) and its delimiter.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub delimiter: String,
    pub columns: Vec<ColumnInfo>,
    /// The starting settings for this file.
    pub suggested: AnalysisSpec,
    /// Set when the file has the original project's layout and its settings were applied.
    pub preset: Option<String>,
    pub k_distance: Option<KDistance>,
    /// Set when the file looks like one row per purchase: the columns to aggregate per customer.
    #[serde(default)]
    pub transactions: Option<crate::transactions::TransactionColumns>,
    /// Set when the file was a transaction file and the table is its customers (see
    /// [`crate::transactions::read_customers`]).
    #[serde(default)]
    pub aggregated: Option<crate::transactions::Aggregated>,
    /// Why each column is or is not a default feature (and why it gets log), in column order.
    #[serde(default)]
    pub advice: Vec<crate::features::ColumnAdvice>,
}

/// The sorted distances to the k-th nearest neighbour (the point itself counted first) of a sample of
/// rows, and the eps at the knee of that curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KDistance {
    pub k: usize,
    pub distances: Vec<f64>,
    pub knee_eps: f64,
    pub rows_sampled: usize,
    /// Set at load on files up to 200,000 rows: the multiple of the knee whose segments scored best.
    #[serde(default)]
    pub tuned_eps: Option<f64>,
}

impl KDistance {
    /// The eps the page suggests: the tuned one when there is one, else the knee.
    pub fn suggested_eps(&self) -> f64 {
        self.tuned_eps.unwrap_or(self.knee_eps)
    }
}

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
    /// Per used row: its row in the table (0 = first data row). Kept by the worker for exports; the
    /// page does not need it.
    #[serde(skip)]
    pub kept_rows: Vec<usize>,
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
    /// What assigning new rows needs (DBSCAN core points or k-means centres), for saving a model. Kept
    /// by the worker; not sent to the page.
    #[serde(skip)]
    pub assignment: Option<Assignment>,
}

/// Files up to this many rows get their k-distance curve at load; bigger ones when it is asked for.
pub const K_DISTANCE_AT_LOAD_ROWS: usize = 200_000;

/// Rows sampled for the k-distance curve: each is exact (compared with every row), and 400 draw the
/// curve's shape and knee well while costing ~20 M distances at 55k rows.
pub const K_DISTANCE_QUERIES: usize = 400;

/// Summarises a freshly read table and suggests settings. A table without a numeric column cannot be
/// segmented: that is an error here, at load, where the message can name the columns it did find.
pub fn summarize(table: &Table) -> Result<DatasetSummary> {
    if table.numeric_names().is_empty() {
        return Err(CoreError::NoNumericColumn { columns: table.names().join(", ") });
    }
    let suggested = AnalysisSpec::default_for(table);
    let preset = is_original_layout(table).then(|| {
        "the original project's e-commerce layout: its cleaning rules, features and DBSCAN settings"
            .to_string()
    });
    // The curve guides DBSCAN by hand; on big files its k-d tree over every row costs seconds at load,
    // so it is computed when asked for (Request::KDistance) instead.
    let k_distance =
        (table.n_rows <= K_DISTANCE_AT_LOAD_ROWS).then(|| k_distance_for(table, &suggested)).flatten();
    Ok(DatasetSummary {
        n_rows: table.n_rows,
        source: table.source.clone(),
        delimiter: delimiter_name(table.delimiter),
        columns: table.info(),
        suggested,
        preset,
        k_distance,
        transactions: crate::transactions::detect(table),
        aggregated: None,
        advice: crate::features::advise(table),
    })
}

/// [`summarize`] for a file read by [`crate::transactions::read_customers`]: when it was aggregated, the
/// settings say so (a saved model aggregates next month's file the same way).
pub fn summarize_customers(customers: &crate::transactions::Customers) -> Result<DatasetSummary> {
    let mut summary = summarize(&customers.table)?;
    if let Some(aggregated) = &customers.aggregated {
        summary.suggested.transactions = Some(aggregated.columns.clone());
        summary.aggregated = Some(aggregated.clone());
    }
    Ok(summary)
}

/// The summary of a table that arrives with its settings (a saved model applied to it): its columns
/// and those settings, without the k-distance curve (which costs seconds at a million rows and only
/// guides a new fit).
pub fn summarize_with(table: &Table, spec: &AnalysisSpec) -> DatasetSummary {
    DatasetSummary {
        n_rows: table.n_rows,
        source: table.source.clone(),
        delimiter: delimiter_name(table.delimiter),
        columns: table.info(),
        suggested: spec.clone(),
        preset: None,
        k_distance: None,
        transactions: None,
        aggregated: None,
        advice: Vec::new(),
    }
}

fn delimiter_name(d: u8) -> String {
    match d {
        b',' => "comma".into(),
        b';' => "semicolon".into(),
        b'\t' => "tab".into(),
        b'|' => "pipe".into(),
        other => format!("{:?}", other as char),
    }
}

/// Multiples of the knee tried by [`tune_eps_on`].
const EPS_CANDIDATES: [f64; 8] = [1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0];

/// The knee of the k-distance curve is where dense groups end, but on small or noisy files it often
/// splits real groups into many small ones. Tries a few multiples of it on scaled rows and keeps the one
/// whose segments score best: silhouette (on a 2,000-row sample) times the share of rows not left as
/// noise, among runs with 2 to 10 segments. Returns that eps and its labels; None when no multiple
/// qualifies.
pub(crate) fn tune_eps_on(
    x: ArrayView2<f64>,
    min_samples: usize,
    knee: f64,
    seed: u64,
) -> Option<(f64, Vec<Option<usize>>)> {
    let options = SilhouetteOptions { max_exact: 2_000, sample_size: 2_000, seed };
    let rows: Vec<f64> = x.iter().copied().collect();
    let mut best: Option<(f64, f64, Vec<Option<usize>>)> = None;
    for factor in EPS_CANDIDATES {
        let eps = knee * factor;
        let Ok(params) = Dbscan::params(eps, min_samples).check() else { continue };
        let labels = params.fit_rows(&rows, x.nrows(), x.ncols(), &mut |_| {}).labels;
        let k = labels.iter().flatten().map(|&c| c + 1).max().unwrap_or(0);
        // A wider radius only merges clusters further: once one segment holds the clustered rows,
        // the larger candidates (the slowest runs) cannot do better.
        if k == 1 {
            break;
        }
        if !(2..=10).contains(&k) {
            continue;
        }
        let clustered = labels.iter().filter(|l| l.is_some()).count() as f64 / labels.len().max(1) as f64;
        let Some(sil) = silhouette(x, &labels, options) else { continue };
        let score = sil.mean * clustered;
        if best.as_ref().is_none_or(|b| score > b.1) {
            best = Some((eps, score, labels));
        }
    }
    best.map(|(eps, _, labels)| (eps, labels))
}

/// The k-distance curve for the spec's features, cleaning, scaler and min_samples (the page redraws it
/// when min_samples changes). None when the data cannot be prepared.
pub fn k_distance_for(table: &Table, spec: &AnalysisSpec) -> Option<KDistance> {
    let min_samples = spec.dbscan.min_samples;
    let (kept, _, raw) = cleaned(table, spec).ok()?;
    if kept.len() <= min_samples || spec.features.is_empty() {
        return None;
    }
    let input = x_model(&raw, &spec.features, &spec.transforms);
    let (_, x_scaled) = FittedScaler::fit_transform(spec.scaler, input);
    Some(k_distance(x_scaled.view(), min_samples, K_DISTANCE_QUERIES, spec.seed))
}

pub(crate) fn round_sig(v: f64, digits: i32) -> f64 {
    if v <= 0.0 || !v.is_finite() {
        return v;
    }
    let scale = 10f64.powi(digits - 1 - v.log10().floor() as i32);
    (v * scale).round() / scale
}

/// k-distance curve on up to `max_queries` sampled rows: each query's exact distance to its k-th
/// nearest row (itself included), found with a k-d tree over all rows.
pub fn k_distance(x: ArrayView2<f64>, k: usize, max_queries: usize, seed: u64) -> KDistance {
    let (n, d) = x.dim();
    let queries = SplitMix64::new(seed).sample_indices(n, max_queries);
    let k = k.clamp(1, n.max(1));
    let rows: Vec<f64> = x.iter().copied().collect();
    let tree = crate::cluster::kdtree::KdTree::build(&rows, n, d);
    let mut distances: Vec<f64> =
        queries.iter().map(|&q| tree.kth_nearest_dist2(&rows[q * d..(q + 1) * d], k).sqrt()).collect();
    distances.sort_by(f64::total_cmp);
    let knee_eps = knee(&distances);
    KDistance { k, rows_sampled: distances.len(), distances, knee_eps, tuned_eps: None }
}

/// The knee of an ascending curve (Kneedle): the point farthest below the chord from the first point to
/// the 99th percentile, where the curve turns from flat to steep.
pub fn knee(sorted: &[f64]) -> f64 {
    let m = ((sorted.len() as f64) * 0.99).ceil() as usize;
    let curve = &sorted[..m.min(sorted.len())];
    if curve.len() < 3 {
        return sorted.last().copied().unwrap_or(0.0);
    }
    let (y0, y1) = (curve[0], curve[curve.len() - 1]);
    if y1 <= y0 {
        return y1;
    }
    let last = (curve.len() - 1) as f64;
    let best = curve
        .iter()
        .enumerate()
        .map(|(i, &y)| (i, i as f64 / last - (y - y0) / (y1 - y0)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(curve.len() - 1, |(i, _)| i);
    curve[best]
}

/// Cleans with the spec's rules (duplicated ids by the spec's id column, else the detected one) and
/// returns the kept rows, the report and their features with missing values filled as cleaning says.
pub(crate) fn cleaned(
    table: &Table,
    spec: &AnalysisSpec,
) -> Result<(Vec<usize>, CleaningReport, Array2<f64>)> {
    let (kept, report) = clean_with(table, &spec.features, &spec.cleaning, spec.id_column.as_deref(), None)?;
    let x = x_raw_filled(table, &spec.features, &kept, &report.fitted.fill);
    Ok((kept, report, x))
}

/// The rows and matrices every method starts from.
pub struct Prepared {
    pub kept: Vec<usize>,
    pub cleaning: CleaningReport,
    pub x_raw: Array2<f64>,
    pub x_scaled: Array2<f64>,
}

/// Cleans, picks the features and scales: the steps every method and the k sweep share.
pub fn prepare(table: &Table, spec: &AnalysisSpec, needed: usize, progress: Progress) -> Result<Prepared> {
    spec.validate()?;
    if spec.features.is_empty() {
        return Err(CoreError::NoFeatures);
    }
    progress(Stage::Cleaning, 0.0);
    let (kept, cleaning, x_raw) = cleaned(table, spec)?;
    if kept.len() < needed {
        return Err(CoreError::TooFewRows { rows: kept.len(), needed });
    }
    progress(Stage::Scaling, 0.0);
    let input = x_model(&x_raw, &spec.features, &spec.transforms);
    let (_, x_scaled) = FittedScaler::fit_transform(spec.scaler, input);
    Ok(Prepared { kept, cleaning, x_raw, x_scaled })
}

/// Checks the method's parameters (so a typo fails before any work) and returns the rows it needs.
fn rows_needed(spec: &AnalysisSpec) -> Result<usize> {
    spec.validate()?;
    let k = spec.k().unwrap_or(0);
    Ok(match spec.method {
        Method::Dbscan => Dbscan::params(spec.dbscan.eps, spec.dbscan.min_samples).check_ref()?.min_samples(),
        Method::KMeans => KMeans::params(k, spec.seed).n_init(spec.kmeans.n_init).check_ref()?.k(),
        Method::GaussianMixture => GaussianMixture::params(k, spec.seed).check_ref()?.k(),
        Method::Ward => Ward::params(k).check_ref()?.k(),
        Method::Rfm => {
            rfm_columns(spec)?;
            5
        }
    }
    .max(3))
}

/// The positions of RFM's recency, frequency and monetary columns among the spec's features.
fn rfm_columns(spec: &AnalysisSpec) -> Result<[usize; 3]> {
    let at = |name: &str| {
        spec.features.iter().position(|f| f == name).ok_or_else(|| CoreError::InvalidParameter {
            name: "method".into(),
            value: "RFM scores".into(),
            reason: format!(
                "RFM scores need the column \"{name}\" among the features (recency, frequency and monetary, as a \
                 file of purchase lines aggregated per customer has)"
            ),
        })
    };
    Ok([at(&spec.rfm.recency)?, at(&spec.rfm.frequency)?, at(&spec.rfm.monetary)?])
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

/// Fits the spec's method on `x_scaled`: canonical labels (0 = largest segment) and what assigning new
/// rows to the segments needs (for a saved model).
pub fn fit_method(
    spec: &AnalysisSpec,
    x_scaled: ArrayView2<f64>,
    on_progress: &mut dyn FnMut(f64),
) -> Result<(Vec<Option<usize>>, Assignment)> {
    let (n, d) = x_scaled.dim();
    let k = spec.k().unwrap_or(0);
    Ok(match spec.method {
        Method::Dbscan => {
            let rows: Vec<f64> = x_scaled.iter().copied().collect();
            let params = Dbscan::params(spec.dbscan.eps, spec.dbscan.min_samples).check()?;
            let fit = params.fit_rows(&rows, n, d, on_progress);
            let (labels, _) = canonical_labels(&fit.labels);
            let assignment = Assignment::from_dbscan(spec.dbscan.eps, d, &rows, &fit.core_mask, &labels);
            (labels, assignment)
        }
        Method::KMeans => {
            let fit = KMeans::params(k, spec.seed).n_init(spec.kmeans.n_init).check()?.fit(x_scaled);
            (fit.labels, Assignment::Centroids { centroids: fit.centroids })
        }
        Method::GaussianMixture => {
            let fit = GaussianMixture::params(k, spec.seed).check()?.fit(x_scaled);
            let assignment =
                Assignment::Mixture { weights: fit.weights, means: fit.means, covariances: fit.covariances };
            (fit.labels, assignment)
        }
        Method::Ward => {
            let labels = Ward::params(k).check()?.fit(x_scaled, on_progress)?;
            let centroids = segment_centres(x_scaled, &labels);
            (labels, Assignment::Centroids { centroids })
        }
        Method::Rfm => {
            let fit = crate::cluster::rfm::fit(x_scaled, rfm_columns(spec)?);
            let assignment = Assignment::Rfm {
                columns: fit.columns,
                edges: fit.edges,
                segment_of_group: fit.segment_of_group.iter().map(|s| s.map(|s| s as u32)).collect(),
                names: fit.names,
            };
            (fit.labels, assignment)
        }
    })
}

/// The mean of each segment's rows (segments numbered 0..).
fn segment_centres(x: ArrayView2<f64>, labels: &[Option<usize>]) -> Vec<Vec<f64>> {
    let k = labels.iter().flatten().map(|&s| s + 1).max().unwrap_or(0);
    let mut sums = vec![vec![0.0; x.ncols()]; k];
    let mut counts = vec![0usize; k];
    for (row, label) in x.outer_iter().zip(labels) {
        if let Some(s) = *label {
            counts[s] += 1;
            sums[s].iter_mut().zip(row).for_each(|(a, v)| *a += v);
        }
    }
    sums.into_iter().zip(counts).map(|(s, c)| s.into_iter().map(|v| v / c.max(1) as f64).collect()).collect()
}

/// Runs the analysis the spec describes on the table.
pub fn run(table: &Table, spec: &AnalysisSpec, progress: Progress) -> Result<AnalysisResult> {
    let needed = rows_needed(spec)?;
    let Prepared { kept, cleaning, x_raw, x_scaled } = prepare(table, spec, needed, progress)?;

    crate::limits::check_work(spec, x_scaled.nrows(), x_scaled.ncols())?;
    check_distinct(spec, x_scaled.view())?;
    progress(Stage::Clustering, 0.0);
    let (labels, assignment) = fit_method(spec, x_scaled.view(), &mut |f| progress(Stage::Clustering, f))?;
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
    let fitted = Fitted { kept, cleaning, x_raw, x_scaled, labels, segment_sizes };
    let mut result = describe(spec, fitted, progress);
    // Rule-based segments carry their own names.
    if let Assignment::Rfm { names, .. } = &assignment {
        for (profile, name) in result.profiles.iter_mut().zip(names) {
            profile.suggested_name = name.clone();
        }
    }
    result.assignment = Some(assignment);
    result.explore = explore_result(table, &result);
    Ok(result)
}

/// The dashboard's figures for a result's rows and segments.
pub(crate) fn explore_result(table: &Table, result: &AnalysisResult) -> crate::explore::Explore {
    crate::explore::explore(
        table,
        &result.spec.features,
        &result.kept_rows,
        &result.labels,
        result.segment_sizes.len(),
        result.spec.seed,
    )
}

/// Rows with their segments, before the figures that describe them.
pub(crate) struct Fitted {
    pub kept: Vec<usize>,
    pub cleaning: CleaningReport,
    pub x_raw: Array2<f64>,
    pub x_scaled: Array2<f64>,
    /// Per kept row; segment ids index `segment_sizes` (a size may be 0 when a model is applied).
    pub labels: Vec<Option<usize>>,
    pub segment_sizes: Vec<usize>,
}

/// The figures of a segmentation: PCA map, scores, means and profiles. Shared by [`run`] and by
/// applying a saved model, so a new month's file is described exactly like the training file.
pub(crate) fn describe(spec: &AnalysisSpec, fitted: Fitted, progress: Progress) -> AnalysisResult {
    let Fitted { kept, cleaning, x_raw, x_scaled, labels, segment_sizes } = fitted;
    let (n, d) = x_scaled.dim();
    let noise = labels.iter().filter(|l| l.is_none()).count();

    progress(Stage::Reducing, 0.0);
    let pca = Pca::fit(x_scaled.view());
    let dims = d.clamp(1, 3);
    let coords = pca.transform(x_scaled.view(), dims).into_iter().map(crate::serde_nan::to_f32).collect();

    progress(Stage::Scoring, 0.0);
    let scores = score_all(x_scaled.view(), &compact(&labels, segment_sizes.len()), spec);
    progress(Stage::Scoring, 1.0);

    let mut sums = vec![vec![0.0; d]; segment_sizes.len()];
    for (row, label) in x_raw.outer_iter().zip(&labels) {
        if let Some(c) = *label {
            sums[c].iter_mut().zip(row).for_each(|(s, v)| *s += v);
        }
    }
    // An empty segment (possible when a model is applied) gets means of 0: it has no customers to
    // average, and JSON has no NaN.
    let segment_means: Vec<Vec<f64>> = sums
        .into_iter()
        .zip(&segment_sizes)
        .map(|(s, &size)| s.into_iter().map(|v| if size > 0 { v / size as f64 } else { 0.0 }).collect())
        .collect();
    let profiles = profiles(&spec.features, &segment_sizes, &segment_means);
    let overall_means = x_raw.mean_axis(ndarray::Axis(0)).map(|m| m.to_vec()).unwrap_or_default();

    AnalysisResult {
        spec: spec.clone(),
        cleaning,
        rows_used: n,
        noise,
        labels: labels.iter().map(|l| l.map_or(-1, |c| c as i32)).collect(),
        kept_rows: kept,
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
        assignment: None,
    }
}

/// Segment ids without gaps (empty segments skipped), as the scores expect.
fn compact(labels: &[Option<usize>], n_segments: usize) -> Vec<Option<usize>> {
    let mut used = vec![false; n_segments];
    labels.iter().flatten().for_each(|&s| used[s] = true);
    if used.iter().all(|u| *u) {
        return labels.to_vec();
    }
    let mut new_id = vec![0usize; n_segments];
    let mut next = 0;
    for (s, u) in used.iter().enumerate() {
        new_id[s] = next;
        next += usize::from(*u);
    }
    labels.iter().map(|l| l.map(|s| new_id[s])).collect()
}

fn score_all(x_scaled: ArrayView2<f64>, labels: &[Option<usize>], spec: &AnalysisSpec) -> Scores {
    Scores {
        silhouette: silhouette(x_scaled, labels, spec.silhouette_options()),
        davies_bouldin: davies_bouldin(x_scaled, labels),
        calinski_harabasz: calinski_harabasz(x_scaled, labels),
    }
}

/// Ward's stability (5 more quadratic fits) is measured up to this many rows.
pub const WARD_STABILITY_MAX_ROWS: usize = 20_000;

/// Subsample runs behind the stability score.
pub const STABILITY_RUNS: usize = 5;

/// How stable a result's segments are: the same method and settings on 80 % subsamples, compared with
/// the result by the adjusted Rand index (see [`crate::score::stability`]).
pub fn stability_of(table: &Table, result: &AnalysisResult, progress: Progress) -> Result<Stability> {
    let mut job = match StabilityJob::new(table, result)? {
        Ok(job) => job,
        Err(skipped) => return Ok(skipped),
    };
    loop {
        progress(Stage::Scoring, job.plan.done_runs() as f64 / STABILITY_RUNS as f64);
        if let Some(done) = job.step() {
            return Ok(done);
        }
    }
}

/// A stability measurement one fit at a time ([`StabilityJob::step`]), so the worker can answer a new
/// request between two fits.
pub struct StabilityJob {
    spec: AnalysisSpec,
    x_scaled: Array2<f64>,
    plan: crate::score::StabilityPlan,
}

impl StabilityJob {
    /// The job for a result, or (Err) the answer at once when it is not measured.
    pub fn new(table: &Table, result: &AnalysisResult) -> Result<std::result::Result<Self, Stability>> {
        let spec = &result.spec;
        if spec.method == Method::Ward && result.rows_used > WARD_STABILITY_MAX_ROWS {
            return Ok(Err(Stability {
                mean_ari: 0.0,
                min_ari: 0.0,
                runs: 0,
                subsample_share: SUBSAMPLE_SHARE,
                seed: spec.seed,
                skipped: Some(format!(
                    "not measured: Ward on {} rows would need {STABILITY_RUNS} more trees; it is measured up to {} rows",
                    result.rows_used, WARD_STABILITY_MAX_ROWS
                )),
            }));
        }
        let Prepared { x_scaled, .. } = prepare(table, spec, 1, &mut |_, _| {})?;
        let labels: Vec<Option<usize>> = result.labels.iter().map(|&l| usize::try_from(l).ok()).collect();
        let plan = crate::score::StabilityPlan::new(&labels, STABILITY_RUNS, spec.seed);
        Ok(Ok(Self { spec: spec.clone(), x_scaled, plan }))
    }

    /// Runs the next subsample fit; the stability once the last is done.
    pub fn step(&mut self) -> Option<Stability> {
        let Some(rows) = self.plan.next_rows() else { return Some(self.plan.finish()) };
        let run_index = self.plan.done_runs() as u64 + 1;
        let sub = self.x_scaled.select(Axis(0), rows);
        let run_spec = subsample_spec(&self.spec, run_index);
        let labels = fit_method(&run_spec, sub.view(), &mut |_| {}).map(|(labels, _)| labels);
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

/// Sum of squared distances of rows to their segment's mean (k-means' inertia, for any method).
fn within_sse(x: ArrayView2<f64>, labels: &[Option<usize>]) -> f64 {
    let centres = segment_centres(x, labels);
    x.outer_iter().zip(labels).filter_map(|(row, l)| l.map(|s| dist2(row, &centres[s]))).sum()
}

/// One k of the sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    pub k: usize,
    pub inertia: f64,
    pub scores: Scores,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KSweep {
    pub rows: Vec<SweepRow>,
    /// The k with the highest silhouette.
    pub best_k: Option<usize>,
}

pub const SWEEP_KS: std::ops::RangeInclusive<usize> = 2..=10;

/// The spec's method (k-means for DBSCAN specs) for each k in `ks`, on the spec's features, scaling and
/// cleaning, with all three scores.
pub fn k_sweep(
    table: &Table,
    spec: &AnalysisSpec,
    ks: std::ops::RangeInclusive<usize>,
    progress: Progress,
) -> Result<KSweep> {
    let needed = (*ks.end()).max(3);
    let Prepared { x_scaled, .. } = prepare(table, spec, needed, progress)?;
    let mut largest = spec.clone();
    largest.method = if spec.method == Method::Dbscan { Method::KMeans } else { spec.method };
    largest.set_k(*ks.end());
    crate::limits::check_work(&largest, x_scaled.nrows(), x_scaled.ncols())?;
    let count = ks.clone().count().max(1);
    let mut rows = Vec::with_capacity(count);
    // Ward's tree is built once and cut at each k.
    let tree = if spec.method == Method::Ward {
        Some(WardTree::build(x_scaled.view(), &mut |f| progress(Stage::Clustering, 0.5 * f))?)
    } else {
        None
    };
    for (i, k) in ks.enumerate() {
        progress(Stage::Clustering, i as f64 / count as f64);
        let labels = match (&tree, spec.method) {
            (Some(tree), _) => tree.cut(k),
            (None, Method::GaussianMixture) => {
                GaussianMixture::params(k, spec.seed).check()?.fit(x_scaled.view()).labels
            }
            _ => KMeans::params(k, spec.seed).n_init(spec.kmeans.n_init).check()?.fit(x_scaled.view()).labels,
        };
        rows.push(SweepRow {
            k,
            inertia: within_sse(x_scaled.view(), &labels),
            scores: score_all(x_scaled.view(), &labels, spec),
        });
    }
    let best_k = rows
        .iter()
        .filter_map(|r| r.scores.silhouette.as_ref().map(|s| (r.k, s.mean)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(k, _)| k);
    Ok(KSweep { rows, best_k })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_without_numbers_is_refused_at_load() {
        let table = crate::ingest::read_csv(b"name,city\nann,paris\nbob,rome\n", &mut |_| {});
        let table = table.unwrap_or_else(|e| panic!("{e}"));
        let err = summarize(&table).err();
        assert_eq!(err, Some(CoreError::NoNumericColumn { columns: "name, city".into() }));
    }

    #[test]
    fn knee_of_a_hockey_stick() {
        let mut curve: Vec<f64> = (0..90).map(|i| 0.01 + i as f64 * 0.0001).collect();
        curve.extend((0..10).map(|i| 0.02 + i as f64 * 0.1));
        let k = knee(&curve);
        assert!(k > 0.015 && k < 0.2, "{k}");
    }

    #[test]
    fn round_to_two_significant_digits() {
        assert_eq!(round_sig(0.04567, 2), 0.046);
        assert_eq!(round_sig(1.234, 2), 1.2);
    }
}

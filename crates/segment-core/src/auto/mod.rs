//! The automatic choice: which segmentation a new file gets with no setting touched, and why.
//!
//! The file's rows are cleaned once with the default features ([`crate::advice::advise`]); then each
//! candidate segmentation is fitted on the same rows (a seeded sample of [`SearchOptions::sample_rows`]
//! on bigger files) and scored on the same [`SearchOptions::silhouette_rows`] of them: k-means for
//! k = 2..10, the Gaussian mixture for the best k-means ks, Ward where the file is small, DBSCAN at the
//! eps tuned on the k-distance knee. Each is tried on the skewed amounts as logs and as they are, z-score
//! and min-max scaled. When the features hold category columns (the person ticked them), the
//! candidates are k-prototypes at k = 2..10, the categories compared by value and every candidate
//! scored in k-prototypes' own distance ([`mixed_view`]). [`rule`] picks one; the pick is then fitted
//! on every row ([`choose`]).

pub mod rule;
mod tiers;

pub use tiers::tier_names;

use crate::cluster::{GaussianMixture, KMeans, WardTree, WARD_MAX_ROWS};
use crate::error::{CoreError, Result};
use crate::features::{RawRows, ScalerKind, Transform};
use crate::ingest::{looks_like_id, Table};
use crate::pipeline::{
    cleaned, fit_method, k_distance, round_sig, run, scaled_rows, subsample_spec, tune_eps_on,
    AnalysisResult, MethodFit, Progress, Segmentation, Stage, K_DISTANCE_QUERIES,
};
use crate::rng::SplitMix64;
use crate::score::{calinski_harabasz, davies_bouldin, PairwiseDistances, SegmentLabels};
use crate::spec::{AnalysisSpec, HdbscanSettings, Method};
use linfa::ParamGuard;
use ndarray::{Array2, ArrayView1, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// How much work the search does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SearchOptions {
    /// Files with more rows (after cleaning) are searched on a seeded sample of this many.
    pub sample_rows: usize,
    /// Every candidate's silhouette is measured on the same this-many rows of the search rows.
    pub silhouette_rows: usize,
    /// k-means initialisations per candidate in the search (the chosen fit uses the spec's n_init).
    pub search_n_init: usize,
    /// Ward is tried when the cleaned file has at most this many rows (its tree is quadratic).
    pub ward_max_rows: usize,
    /// The Gaussian mixture (full covariances) is tried up to this many features.
    pub mixture_max_features: usize,
    /// The mixture is tried at this many of the best k-means ks.
    pub mixture_ks: usize,
    /// Subsample refits behind each shortlisted candidate's stability.
    pub stability_runs: usize,
    /// k-means initialisations in the stability fits of the shortlisted (more than the sweep's: a
    /// single initialisation's own variance would read as instability).
    pub stability_n_init: usize,
    /// DBSCAN is tried up to this many features: beyond, distances concentrate (every customer is about
    /// as far from every other) and density stops telling groups apart.
    pub dbscan_max_features: usize,
}

/// The defaults keep the search to about a second natively whatever the file's size (the page's first
/// result waits on it): candidates are compared on 5,000 rows with one k-means initialisation each, and
/// only the pick is fitted on every row with the spec's n_init. Against 10,000 rows and 3 inits, on
/// nine public customer files and the sample, every pick kept its method, k and segments (one file's
/// pick moved from the z-scored to the min-max view of the same columns, silhouette 0.464 and 0.461),
/// and the search took 1.0-2.8x less time, more on bigger files (files under 5,000 rows are not sampled;
/// the 100,000-row export: 2.2 s to 0.8 s).
impl Default for SearchOptions {
    fn default() -> Self {
        Self {
            sample_rows: 5_000,
            silhouette_rows: 2_000,
            search_n_init: 1,
            ward_max_rows: 5_000,
            mixture_max_features: 12,
            mixture_ks: 2,
            stability_runs: 3,
            stability_n_init: 3,
            dbscan_max_features: 6,
        }
    }
}

/// One segmentation tried: the settings that reproduce it on the whole file, and its figures on the
/// search rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub spec: AnalysisSpec,
    /// The data the method saw, in words ("skewed amounts as logs, z-scores").
    pub representation: String,
    pub segments: usize,
    /// The smallest and largest segment's share of the customers (noise counted in the whole).
    pub smallest_share: f64,
    pub largest_share: f64,
    pub noise_share: f64,
    pub silhouette: Option<f64>,
    pub davies_bouldin: Option<f64>,
    pub calinski_harabasz: Option<f64>,
    /// Mean adjusted Rand index of refits on 80% subsamples (measured for the shortlisted).
    pub stability: Option<f64>,
    /// Why it does not qualify under [`rule`]; None when it does.
    pub rejected: Option<String>,
    /// Its k is more than the customers' distinct values can fill (some segments came out empty, or
    /// there are fewer distinct rows than k): the fit on every row would refuse it, so it is never
    /// taken, not even as the most balanced.
    #[serde(default)]
    pub unfillable: bool,
    /// Offered for the person to pick, never chosen automatically (rule-based segments such as RFM).
    #[serde(default)]
    pub manual_only: bool,
    /// Which view of the data it was fitted on, in the order tried (0: the advised columns, z-scores).
    #[serde(default)]
    pub view: usize,
}

impl Candidate {
    /// "k-means, k 5" / "DBSCAN, eps 0.31, min_samples 12".
    pub fn method_words(&self) -> String {
        method_words(&self.spec)
    }
}

/// The method and its parameters in a few words.
pub fn method_words(spec: &AnalysisSpec) -> String {
    spec.method_settings().words()
}

/// The search and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutoChoice {
    pub candidates: Vec<Candidate>,
    /// The candidate fitted on the whole file.
    pub chosen: Option<usize>,
    /// Whether the best qualifying silhouette reaches [`rule::CLEAR`].
    pub clear: bool,
    /// Whether any candidate met the rule (else the most balanced one was taken).
    pub qualified: bool,
    /// Rows after cleaning, rows the candidates were fitted on, rows their silhouettes were measured on.
    pub rows_total: usize,
    pub rows_searched: usize,
    pub silhouette_rows: usize,
    /// One or two sentences: what was chosen and why (set by [`choose`] once the pick is fitted).
    pub explanation: String,
    /// The rule in words.
    pub rule: String,
}

/// One way of showing the customers to the methods: which columns, their logs, the scaler.
#[derive(Clone)]
struct View {
    spec: AnalysisSpec,
    words: String,
}

/// The columns a plain scikit-learn sweep would take: every column of numbers that measures something
/// (not an identifier, a row number, a code or a yes/no flag), as it is; constant and near-constant
/// ones left out.
fn plain_features(table: &Table) -> Vec<String> {
    let advice = crate::advice::advise(table);
    table
        .columns
        .iter()
        .zip(&advice)
        .filter(|(c, a)| {
            c.is_numeric()
                && a.role == crate::advice::ColumnRole::Measure
                && a.varies
                && c.distinct > 1
                && !looks_like_id(c, table.n_rows)
        })
        .map(|(c, _)| c.name.clone())
        .collect()
}

/// The views tried: the advised columns (their logs included), z-scores and min-max scaled; and, when
/// it differs, every numeric column as it is, both scaled.
fn views(table: &Table, base: &AnalysisSpec) -> Vec<View> {
    let scalers = [(ScalerKind::Standard, "z-scores"), (ScalerKind::MinMax, "min-max scaled")];
    let advised = if base.transforms.is_empty() {
        "the advised columns".to_string()
    } else {
        "the advised columns, skewed amounts as logs".to_string()
    };
    // Categories the person ticked are compared by value, as they asked (k-prototypes, the one method
    // that can): as value counts, the other methods would separate common from rare values, crisply
    // apart by construction, whatever the customers do; and every numeric column alone would drop them.
    if let Some(view) = mixed_view(table, base) {
        return vec![view];
    }
    let mut out: Vec<View> = scalers
        .iter()
        .map(|&(scaler, words)| {
            let mut spec = base.clone();
            spec.scaler = scaler;
            View { spec, words: format!("{advised}, {words}") }
        })
        .collect();
    // Customers aggregated from purchase lines: recency, frequency and monetary all as logs, the usual
    // form of an RFM table (its amounts and counts are always skewed).
    if base.transactions.is_some() {
        let all_logs: std::collections::BTreeMap<String, Transform> =
            base.features.iter().map(|f| (f.clone(), Transform::Log1p)).collect();
        if all_logs != base.transforms {
            for &(scaler, words) in &scalers {
                let mut spec = base.clone();
                spec.transforms = all_logs.clone();
                spec.scaler = scaler;
                out.push(View { spec, words: format!("recency, frequency and monetary as logs, {words}") });
            }
        }
        return out;
    }
    let plain = plain_features(table);
    if !plain.is_empty() && (plain != base.features || !base.transforms.is_empty()) {
        for &(scaler, words) in &scalers {
            let mut spec = base.clone();
            spec.features = plain.clone();
            spec.transforms.clear();
            spec.cleaning = crate::clean::CleaningRules::features_only();
            spec.dbscan.min_samples = crate::spec::default_min_samples(plain.len());
            spec.scaler = scaler;
            out.push(View { spec, words: format!("every numeric column as it is, {words}") });
        }
    }
    out
}

/// When the features hold category columns beside numbers (the person ticked them), the first view:
/// k-prototypes on them, the numbers z-scored, each category compared by value (its own distance, in
/// which the candidates are scored too).
fn mixed_view(table: &Table, base: &AnalysisSpec) -> Option<View> {
    let mut spec = base.clone();
    spec.method = Method::KPrototypes;
    spec.scaler = ScalerKind::Standard;
    let spec = spec.with_categories_of(table);
    let categories = &spec.kprototypes.categories;
    if categories.is_empty() || categories.len() == spec.features.len() {
        return None;
    }
    let words = format!(
        "the chosen columns with {} compared by value (k-prototypes' distance), numbers as z-scores",
        and_list(categories)
    );
    Some(View { spec, words })
}

/// The views of `base` without the `dropped` features, z-scored and min-max scaled.
fn salient_views(base: &AnalysisSpec, salient: &[String], dropped: &[String]) -> Vec<View> {
    [(ScalerKind::Standard, "z-scores"), (ScalerKind::MinMax, "min-max scaled")]
        .iter()
        .map(|&(scaler, words)| {
            let mut spec = base.clone();
            spec.transforms.retain(|f, _| salient.contains(f));
            spec.cleaning.impute_columns.retain(|f, _| salient.contains(f));
            spec.dbscan.min_samples = crate::spec::default_min_samples(salient.len());
            spec.features = salient.to_vec();
            spec.scaler = scaler;
            View {
                spec,
                words: format!(
                    "the advised columns that differ between segments ({} left out: alike in every segment), {words}",
                    and_list(dropped)
                ),
            }
        })
        .collect()
}

/// The features that tell a fitted segmentation's segments apart most: those whose variance the
/// segments explain most (eta squared on the scaled rows, noise left out), at most three, each
/// explaining at least [`SALIENT`].
fn drivers(fitted: &Segmentation) -> Vec<String> {
    let labels: Vec<Option<usize>> = fitted.labels.iter().map(|&l| usize::try_from(l).ok()).collect();
    let x = fitted.x_scaled.view();
    let mut explained: Vec<(f64, &String)> = fitted
        .spec
        .features
        .iter()
        .enumerate()
        .take(x.ncols())
        .map(|(j, f)| (eta_squared(x, j, &labels), f))
        .filter(|(e, _)| *e >= SALIENT)
        .collect();
    explained.sort_by(|a, b| b.0.total_cmp(&a.0));
    explained.into_iter().take(3).map(|(_, f)| f.clone()).collect()
}

/// "a", "a and b", "a, b and c".
fn and_list(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A feature whose segment means explain less than this share of its variance (eta squared) under the
/// first view's best k-means ([`salient_split`]) is alike in every segment: noise to the segmentation.
pub const SALIENT: f64 = 0.1;

/// The share of column `j`'s variance that the segments explain (eta squared, the correlation ratio).
fn eta_squared(x: ArrayView2<f64>, j: usize, labels: &[Option<usize>]) -> f64 {
    let k = labels.iter().flatten().max().map_or(0, |&m| m + 1);
    let (mut sums, mut counts) = (vec![0.0; k], vec![0usize; k]);
    let (mut total, mut n) = (0.0, 0usize);
    for (v, l) in x.column(j).iter().zip(labels) {
        if let Some(l) = *l {
            sums[l] += v;
            counts[l] += 1;
            total += v;
            n += 1;
        }
    }
    if n == 0 {
        return 0.0;
    }
    let mean = total / n as f64;
    let mut within = 0.0;
    let mut all = 0.0;
    for (v, l) in x.column(j).iter().zip(labels) {
        if let Some(l) = *l {
            let m = sums[l] / counts[l].max(1) as f64;
            within += (v - m) * (v - m);
            all += (v - mean) * (v - mean);
        }
    }
    if all <= 0.0 {
        0.0
    } else {
        1.0 - within / all
    }
}

/// The advised features that carry the segments, when some do not: under the best k-means of the first
/// view (the advised columns, z-scored; the best of k = 2..10 by silhouette among those the rule lets
/// qualify, or its refinement by one segment, on the search rows), a feature whose variance the segments explain by less than [`SALIENT`] is alike in every segment (an
/// age or a signup date spread evenly over customers of every kind). Such columns only blur the segments
/// the other columns draw, so a view without them is tried beside the others. Returns the kept features
/// and the left-out ones; None when every feature counts (or fewer than two would be left).
fn salient_split(
    x: ArrayView2<f64>,
    features: &[String],
    labels: &[Option<usize>],
) -> Option<(Vec<String>, Vec<String>)> {
    if features.len() < 3 {
        return None;
    }
    let (mut salient, mut dropped) = (Vec::new(), Vec::new());
    for (j, f) in features.iter().enumerate() {
        if eta_squared(x, j, labels) >= SALIENT {
            salient.push(f.clone());
        } else {
            dropped.push(f.clone());
        }
    }
    (salient.len() >= 2 && !dropped.is_empty()).then_some((salient, dropped))
}

/// The labels' figures on the search rows.
struct Figures {
    segments: usize,
    smallest: f64,
    largest: f64,
    noise: f64,
}

fn figures<L: SegmentLabels + ?Sized>(labels: &L) -> Figures {
    let segments = || (0..labels.rows()).filter_map(|r| labels.segment(r));
    let k = segments().map(|c| c + 1).max().unwrap_or(0);
    let mut sizes = vec![0usize; k];
    segments().for_each(|c| sizes[c] += 1);
    let n = labels.rows().max(1) as f64;
    let present: Vec<usize> = sizes.into_iter().filter(|&s| s > 0).collect();
    Figures {
        segments: present.len(),
        smallest: present.iter().min().map_or(0.0, |&s| s as f64 / n),
        largest: present.iter().max().map_or(0.0, |&s| s as f64 / n),
        noise: (labels.rows() - segments().count()) as f64 / n,
    }
}

/// A view's columns after cleaning: the features, the rows kept and cleaning's fill values (the raw
/// features are read from the table), the search sample (None: every row) and the search rows the
/// silhouettes are measured on.
struct CleanedRows {
    kept: Vec<usize>,
    fill: Vec<Option<f64>>,
    sample: Option<Vec<usize>>,
    silhouette_at: Vec<usize>,
}

/// A candidate scored on the search rows, with the spec it was fitted with there and its labels.
type Scored = (Candidate, AnalysisSpec, Vec<Option<usize>>);

/// The search rows of one representation, with what scoring a labeling of them needs.
struct SearchRows {
    x: Array2<f64>,
    silhouette_at: Vec<usize>,
    pairwise: PairwiseDistances,
    /// The features of few levels (a yes/no flag, a level of at most [`rule::FEW_LEVELS`] values),
    /// each as its name and a level number per search row.
    discrete: Vec<(String, Vec<u8>)>,
    /// How many of `discrete` are features of few levels (the rest are flags hidden in features of more
    /// values: at a value most rows hold or not).
    few_levels: usize,
    /// Distinct rows of the search rows (counted up to [`rule::MAX_SEGMENTS`] + 1).
    distinct_rows: usize,
    /// How many features the discrete ones were looked for among.
    features: usize,
    /// The name of each column of `x`, when its columns are features (not k-prototypes' space).
    feature_names: Vec<String>,
}

/// The distinct rows of `x`, counted up to `cap`.
fn distinct_rows(x: ArrayView2<f64>, cap: usize) -> usize {
    let mut seen: std::collections::HashSet<Vec<u64>> = std::collections::HashSet::new();
    for row in x.rows() {
        seen.insert(row.iter().map(|v| (v + 0.0).to_bits()).collect());
        if seen.len() >= cap {
            break;
        }
    }
    seen.len()
}

/// The features that take at most [`rule::FEW_LEVELS`] values on the search rows, with each row's level,
/// then the flags hidden in the others: a feature of more values with one value held by at least
/// [`rule::POINT_MASS`] of the rows (a sentinel, a count that is mostly 0), as whether each row is at
/// it. Returns them and how many are of few levels (those come first).
fn discrete_features(x: ArrayView2<f64>, names: &[String]) -> (Vec<(String, Vec<u8>)>, usize) {
    let mut out = Vec::new();
    let mut masses = Vec::new();
    for (j, name) in names.iter().enumerate().take(x.ncols()) {
        let column = x.column(j);
        match few_levels(column) {
            Some(codes) => out.push((name.clone(), codes)),
            None => {
                if let Some(at) = point_mass(column) {
                    let codes = column.iter().map(|v| u8::from((v + 0.0).to_bits() == at)).collect();
                    masses.push((format!("{name} (at its most common value or not)"), codes));
                }
            }
        }
    }
    let few = out.len();
    out.extend(masses);
    (out, few)
}

/// Each row's level when the column takes 2 to [`rule::FEW_LEVELS`] values.
fn few_levels(column: ArrayView1<f64>) -> Option<Vec<u8>> {
    let mut levels: Vec<f64> = Vec::new();
    let mut codes = Vec::with_capacity(column.len());
    for &v in column {
        let code = match levels.iter().position(|&l| l.to_bits() == v.to_bits()) {
            Some(c) => c,
            None if levels.len() < rule::FEW_LEVELS => {
                levels.push(v);
                levels.len() - 1
            }
            None => return None,
        };
        codes.push(code as u8);
    }
    (levels.len() >= 2).then_some(codes)
}

/// The bits of the value at least [`rule::POINT_MASS`] of the column's rows hold, if one does.
fn point_mass(column: ArrayView1<f64>) -> Option<u64> {
    let mut bits: Vec<u64> = column.iter().map(|v| (v + 0.0).to_bits()).collect();
    bits.sort_unstable();
    let need = (rule::POINT_MASS * bits.len() as f64).ceil().max(1.0) as usize;
    // A constant column splits nothing.
    bits.chunk_by(|a, b| a == b).find(|run| run.len() >= need && run.len() < bits.len()).map(|run| run[0])
}

/// The share of rows whose segment is the most common one among the rows with the same `levels`: 1
/// when the segments are a function of those levels.
fn purity(labels: &[Option<usize>], levels: impl Fn(usize) -> usize, groups: usize) -> f64 {
    let width = labels.iter().flatten().max().map_or(1, |&m| m + 2);
    let mut counts = vec![0usize; groups * width];
    for (r, l) in labels.iter().enumerate() {
        counts[levels(r) * width + l.map_or(width - 1, |l| l)] += 1;
    }
    let agreeing: usize = counts.chunks(width).map(|c| c.iter().copied().max().unwrap_or(0)).sum();
    agreeing as f64 / labels.len().max(1) as f64
}

/// For rows sorted by one feature's value (with their segments): whether thresholds on the feature
/// reproduce the segments in at least [`rule::REPRODUCED`] of the rows while the rows are as dense at
/// every threshold (within a tenth of the feature's middle 90% spread) as at [`rule::NO_GAP`] of the
/// thinner neighbouring segment's median. None when the feature does not reproduce the segments.
fn one_feature_cuts(points: &[(f64, usize)], segments: usize) -> Option<bool> {
    let n = points.len();
    let value = |q: f64| points[((n - 1) as f64 * q).round() as usize].0;
    let h = (value(0.95) - value(0.05)) / 20.0;
    if h <= 0.0 {
        return None;
    }
    // Each segment's median; the segments in the order of their medians.
    let mut medians: Vec<(f64, usize)> = (0..segments)
        .filter_map(|s| {
            let of: Vec<f64> = points.iter().filter(|p| p.1 == s).map(|p| p.0).collect();
            of.get(of.len() / 2).map(|&m| (m, s))
        })
        .collect();
    medians.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Between neighbours, the threshold that misplaces the fewest of their rows.
    let mut thresholds = Vec::new();
    for pair in medians.windows(2) {
        let (lo, hi) = (pair[0].1, pair[1].1);
        let two: Vec<&(f64, usize)> = points.iter().filter(|p| p.1 == lo || p.1 == hi).collect();
        let mut wrong = two.iter().filter(|p| p.1 == lo).count() as i64; // threshold below everything
        let (mut best, mut at) = (wrong, f64::NEG_INFINITY);
        for (i, p) in two.iter().enumerate() {
            wrong += if p.1 == lo { -1 } else { 1 };
            let next = two.get(i + 1).map_or(f64::INFINITY, |q| q.0);
            if wrong < best && next > p.0 {
                (best, at) = (wrong, (p.0 + next) / 2.0);
            }
        }
        thresholds.push(at);
    }
    let placed =
        points.iter().filter(|p| medians[thresholds.iter().filter(|&&t| p.0 > t).count()].1 == p.1).count();
    if (placed as f64) < rule::REPRODUCED * n as f64 {
        return None;
    }
    let near = |x: f64| {
        let from = points.partition_point(|p| p.0 < x - h);
        let to = points.partition_point(|p| p.0 <= x + h);
        (to - from) as f64
    };
    Some(
        thresholds
            .iter()
            .zip(medians.windows(2))
            .all(|(&t, pair)| near(t) >= rule::NO_GAP * near(pair[0].0).min(near(pair[1].0))),
    )
}

impl SearchRows {
    /// Why a labeling is only the values of one or two features of few levels (a flag, a pair of flags):
    /// the rows' segments follow those values in at least [`rule::REPRODUCED`] of the rows. A split any
    /// filter gives, whatever its silhouette (discrete values are crisply apart by construction).
    fn reproduced(&self, labels: &[Option<usize>]) -> Option<String> {
        let segments = labels.iter().flatten().collect::<std::collections::BTreeSet<_>>().len();
        // When every feature is of few levels, their values are all there is to segment on.
        if segments < 2 || self.few_levels >= self.features {
            return None;
        }
        let f = rule::FEW_LEVELS;
        for (name, codes) in &self.discrete {
            if purity(labels, |r| usize::from(codes[r]), f) >= rule::REPRODUCED {
                return Some(format!("the segments are only the values of {name}"));
            }
        }
        for (a, (name_a, codes_a)) in self.discrete.iter().enumerate() {
            for (name_b, codes_b) in &self.discrete[a + 1..] {
                let levels = |r: usize| usize::from(codes_a[r]) * f + usize::from(codes_b[r]);
                if purity(labels, levels, f * f) >= rule::REPRODUCED {
                    return Some(format!("the segments are only the values of {name_a} and {name_b}"));
                }
            }
        }
        None
    }

    /// Why a labeling is only one feature cut into ranges where customers are as common as anywhere:
    /// one feature's thresholds put [`rule::REPRODUCED`] of the rows (those the silhouette is measured
    /// on) in their segment, no other feature differs between the segments (each explains less than
    /// [`SALIENT`] of its variance), and at every threshold the rows are at least [`rule::NO_GAP`] as
    /// dense as around the median of the thinner segment beside it. Any continuum (a uniform day of the
    /// month, a spread of days since a visit) cuts into ranges with a fair silhouette; segments are
    /// groups with fewer customers between them than within, or that differ in more than one column.
    fn cut_without_gap(&self, labels: &[Option<usize>]) -> Option<String> {
        if self.feature_names.is_empty() {
            return None;
        }
        let at: Vec<(usize, usize)> =
            self.silhouette_at.iter().filter_map(|&r| labels[r].map(|l| (r, l))).collect();
        let segments = at.iter().map(|&(_, l)| l + 1).max().unwrap_or(0);
        if segments < 2 || at.len() < 20 * segments {
            return None;
        }
        let salient: Vec<bool> =
            (0..self.x.ncols()).map(|j| eta_squared(self.x.view(), j, labels) >= SALIENT).collect();
        if salient.iter().filter(|&&s| s).count() != 1 {
            return None;
        }
        self.feature_names.iter().enumerate().take(self.x.ncols()).find_map(|(j, name)| {
            if !salient[j] {
                return None;
            }
            let mut points: Vec<(f64, usize)> = at.iter().map(|&(r, l)| (self.x[[r, j]], l)).collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            one_feature_cuts(&points, segments)?
                .then(|| format!("the segments are only {name} cut into ranges, with no gap between them"))
        })
    }

    fn candidate(&self, spec: AnalysisSpec, representation: &str, labels: &[Option<usize>]) -> Candidate {
        let f = figures(labels);
        let at: Vec<Option<usize>> = self.silhouette_at.iter().map(|&r| labels[r]).collect();
        let unfillable = spec.k().is_some_and(|k| f.segments < k || k > self.distinct_rows);
        Candidate {
            unfillable,
            representation: representation.to_string(),
            segments: f.segments,
            smallest_share: f.smallest,
            largest_share: f.largest,
            noise_share: f.noise,
            silhouette: self.pairwise.silhouette(&at),
            davies_bouldin: davies_bouldin(self.x.view(), labels),
            calinski_harabasz: calinski_harabasz(self.x.view(), labels),
            stability: None,
            rejected: rule::rejection(f.segments, f.smallest, f.largest, f.noise)
                .or_else(|| {
                    unfillable.then(|| {
                        format!("more segments asked for than the {} distinct customers", self.distinct_rows)
                    })
                })
                .or_else(|| self.reproduced(labels))
                .or_else(|| self.cut_without_gap(labels)),
            manual_only: false,
            view: 0,
            spec,
        }
    }
}

/// Tries the candidate segmentations of `base`'s features and cleaning (its transforms are the logs
/// tried; its scaler is replaced by each tried) and picks one by [`rule`]. `progress` gets the share
/// of the search done.
///
/// Each view (a representation of the customers: columns, logs, scaler) is cleaned and sampled
/// ([`clean_view`]), then each method proposes its candidates on the view's rows ([`Proposals`]: k-means
/// at every k, mixtures at the best ks, Ward's tree cut at every k, DBSCAN and HDBSCAN on the first
/// view, RFM for customers aggregated from purchases); the rule ranks them, and the shortlist's
/// stability settles the pick ([`pick`]).
pub fn search(
    table: &Table,
    base: &AnalysisSpec,
    options: SearchOptions,
    progress: &mut dyn FnMut(f64),
) -> Result<AutoChoice> {
    base.validate()?;
    if base.features.is_empty() {
        return Err(CoreError::NoFeatures);
    }
    let mut views = views(table, base);
    let steps_per = |v: &View, n: usize| {
        if v.spec.method == Method::KPrototypes {
            return SEARCHED_KS.count();
        }
        let d = v.spec.features.len();
        let mixtures = if d <= options.mixture_max_features { options.mixture_ks } else { 0 };
        SEARCHED_KS.count() + mixtures + usize::from(n <= options.ward_max_rows.min(WARD_MAX_ROWS))
    };
    let total = views.iter().map(|v| steps_per(v, table.n_rows)).sum::<usize>() + 1 + rule::SHORTLIST;
    let mut progress = SearchProgress { done: 0, total: total as f64, report: progress };
    let first = clean_view(table, &views[0].spec, options, base.seed)?;
    // (rows kept, rows searched, silhouette rows) of the first view.
    let sizes = (first.kept.len(), first.searched(), first.silhouette_at.len());
    let on_first = Searching { table, base, options, cleaned: &first };
    if views[0].spec.method == Method::KPrototypes {
        // Categories ticked: k-prototypes' view is the only one.
        let found = on_first.propose(&views[0], 0, 1, &mut progress)?;
        return Ok(pick(found, sizes, base, options, &mut progress));
    }
    // The first view's k-means first: its best segments say which advised columns are alike in every
    // segment, and a view without them is tried too (not for customers aggregated from purchases: RFM
    // is all behaviour).
    let first_rows = first.search_rows(table, &views[0].spec);
    let first_view = views[0].clone();
    let on = OnView { rows: &first_rows, view: &first_view, vi: 0, n: first.kept.len() };
    let mut found = Proposals::default();
    let by_k = found.kmeans(&on, base, options, &mut progress)?;
    if let Some((_, labels)) = by_k.best_labels.filter(|_| base.transactions.is_none()) {
        if let Some((salient, dropped)) = salient_split(first_rows.x.view(), &views[0].spec.features, &labels)
        {
            views.extend(salient_views(base, &salient, &dropped));
        }
    }
    // Then the rest of the first view and every other view side by side ([`crate::par`]). Views on the
    // same columns share their cleaning and sample; a view whose cleaning leaves too few rows is
    // skipped.
    let (views, n_views) = (&views, views.len());
    let columns: Vec<&Vec<String>> = views.iter().map(|v| &v.spec.features).collect();
    let own_cleaning: Vec<usize> =
        (1..n_views).filter(|&vi| *columns[vi] != *columns[0] && columns[vi] != columns[vi - 1]).collect();
    let cleanings =
        crate::par::map(&own_cleaning, |&vi| clean_view(table, &views[vi].spec, options, base.seed).ok());
    let cleaned_for = |vi: usize| -> Option<&CleanedRows> {
        if *columns[vi] == *columns[0] {
            return Some(&first);
        }
        // The view's own cleaning, or that of the nearest view before it on the same columns.
        let at = own_cleaning.iter().rposition(|&c| c <= vi)?;
        cleanings[at].as_ref()
    };
    let tasks: Vec<usize> = (0..n_views).collect();
    let proposed = crate::par::map_reporting(
        &tasks,
        |&vi| -> Result<Proposals> {
            let mut quiet = SearchProgress { done: 0, total: 1.0, report: &mut |_| {} };
            if vi == 0 {
                let mut found = Proposals::default();
                on_first.rest(&on, by_k.silhouettes.clone(), &mut found, &mut quiet)?;
                return Ok(found);
            }
            let Some(cleaned) = cleaned_for(vi) else { return Ok(Proposals::default()) };
            let on = Searching { table, base, options, cleaned };
            on.propose(&views[vi], vi, n_views, &mut quiet)
        },
        &mut |vi| {
            let steps = steps_per(&views[vi], table.n_rows) - if vi == 0 { SEARCHED_KS.count() } else { 0 };
            (0..steps).for_each(|_| progress.step());
        },
    );
    for view in proposed {
        found.merge(view?);
    }
    found.keep_rows(0, n_views, first_rows.x);
    Ok(pick(found, sizes, base, options, &mut progress))
}

/// What proposing one view's candidates needs: the file, the base settings, the search's options, and
/// the view's cleaned rows.
struct Searching<'a> {
    table: &'a Table,
    base: &'a AnalysisSpec,
    options: SearchOptions,
    cleaned: &'a CleanedRows,
}

impl Searching<'_> {
    /// The candidates of view `vi` (of `views`).
    fn propose(
        &self,
        view: &View,
        vi: usize,
        views: usize,
        progress: &mut SearchProgress,
    ) -> Result<Proposals> {
        let cleaned = self.cleaned;
        let mut found = Proposals::default();
        let n = cleaned.kept.len();
        if view.spec.method == Method::KPrototypes {
            let (codes, rows) = cleaned.mixed_rows(self.table, &view.spec);
            let on = OnView { rows: &rows, view, vi, n };
            found.kprototypes(&on, codes.view(), progress);
            found.keep_rows(vi, views, codes);
            return Ok(found);
        }
        let rows = cleaned.search_rows(self.table, &view.spec);
        let on = OnView { rows: &rows, view, vi, n };
        let by_k = found.kmeans(&on, self.base, self.options, progress)?;
        self.rest(&on, by_k.silhouettes, &mut found, progress)?;
        found.keep_rows(vi, views, rows.x);
        Ok(found)
    }

    /// After a view's k-means (each k's silhouette in `by_k`): the mixtures at the best ks, Ward, and
    /// on the first view the density methods and RFM.
    fn rest(
        &self,
        on: &OnView,
        by_k: Vec<(usize, f64)>,
        found: &mut Proposals,
        progress: &mut SearchProgress,
    ) -> Result<()> {
        let (base, options) = (self.base, self.options);
        found.mixtures(on, by_k, base, options, progress)?;
        if on.n <= options.ward_max_rows.min(WARD_MAX_ROWS) {
            found.ward(on)?;
            progress.step();
        }
        if on.vi == 0 {
            found.density(on, base, options);
            progress.step();
            found.rfm(on);
        }
        Ok(())
    }
}

/// The ks every k-clustering is tried at.
const SEARCHED_KS: std::ops::RangeInclusive<usize> = 2..=rule::MAX_SEGMENTS;

/// The search's progress: steps done of the total, reported as a share.
struct SearchProgress<'p> {
    done: usize,
    total: f64,
    report: &'p mut dyn FnMut(f64),
}

impl SearchProgress<'_> {
    fn step(&mut self) {
        self.done += 1;
        (self.report)((self.done as f64 / self.total).min(1.0));
    }
}

/// The views' rows cleaned (a view's first when it is the first on its columns), sampled, and the rows
/// the silhouette is measured at: an error when too few rows are left.
fn clean_view(table: &Table, spec: &AnalysisSpec, options: SearchOptions, seed: u64) -> Result<CleanedRows> {
    let (kept, report) = cleaned(table, spec, None)?;
    let n = kept.len();
    let needed = 2 * rule::MAX_SEGMENTS;
    if n < needed {
        return Err(CoreError::TooFewRows { rows: n, needed });
    }
    let mut rng = SplitMix64::new(seed ^ 0xA070);
    let sample: Option<Vec<usize>> = (n > options.sample_rows).then(|| {
        let mut rows = rng.sample_indices(n, options.sample_rows);
        rows.sort_unstable();
        rows
    });
    let searched = sample.as_ref().map_or(n, Vec::len);
    let mut at = rng.sample_indices(searched, options.silhouette_rows.min(searched));
    at.sort_unstable();
    Ok(CleanedRows { kept, fill: report.fitted.fill, sample, silhouette_at: at })
}

impl CleanedRows {
    /// How many rows the search fits on: the sample's, else every kept row.
    fn searched(&self) -> usize {
        self.sample.as_ref().map_or(self.kept.len(), Vec::len)
    }

    /// The view's search rows, scaled (only the sample, with the scaler of every kept row, as a run
    /// fits it), with what scoring a labeling of them needs.
    fn search_rows(&self, table: &Table, spec: &AnalysisSpec) -> SearchRows {
        let x = self.scaled(table, spec);
        let discrete = discrete_features(x.view(), &spec.features);
        self.scored_in(x, discrete, spec.features.len(), spec.features.clone())
    }

    /// The search rows scaled as `spec` scales them (only the sample, with the scaler of every kept row).
    fn scaled(&self, table: &Table, spec: &AnalysisSpec) -> Array2<f64> {
        let raw = RawRows::new(table, &spec.features, &self.kept, &self.fill);
        scaled_rows(&raw, spec, None, self.sample.as_deref()).1
    }

    /// What scoring a labeling needs, with distances in `x`.
    fn scored_in(
        &self,
        x: Array2<f64>,
        (discrete, few_levels): (Vec<(String, Vec<u8>)>, usize),
        features: usize,
        feature_names: Vec<String>,
    ) -> SearchRows {
        let pairwise = PairwiseDistances::new(x.select(Axis(0), &self.silhouette_at).view());
        let distinct_rows = distinct_rows(x.view(), rule::MAX_SEGMENTS + 1);
        SearchRows {
            x,
            silhouette_at: self.silhouette_at.clone(),
            pairwise,
            discrete,
            few_levels,
            distinct_rows,
            features,
            feature_names,
        }
    }

    /// For k-prototypes' view: the rows it fits on (numbers scaled, categories as codes), and the rows
    /// scored in its own distance ([`crate::cluster::kprototypes::metric_space`], with the gamma the fit
    /// estimates on them). A segmentation that follows a category's values is what the person asked
    /// for by ticking it: only the numbers' flags and levels are checked as discrete splits.
    fn mixed_rows(&self, table: &Table, spec: &AnalysisSpec) -> (Array2<f64>, SearchRows) {
        let codes = self.scaled(table, spec);
        let categorical = spec.category_mask();
        let gamma = spec.kprototypes.gamma_for(codes.view(), &categorical);
        let space = crate::cluster::kprototypes::metric_space(codes.view(), &categorical, gamma);
        let numbers: Vec<usize> = (0..codes.ncols()).filter(|&j| !categorical[j]).collect();
        let names: Vec<String> = numbers.iter().map(|&j| spec.features[j].clone()).collect();
        let discrete = discrete_features(codes.select(Axis(1), &numbers).view(), &names);
        let rows = self.scored_in(space, discrete, numbers.len(), Vec::new());
        (codes, rows)
    }
}

/// One view's search rows, as the methods propose candidates on them: the view, its index among the
/// views, and its number of kept rows (the search rows may be a sample of them).
struct OnView<'a> {
    rows: &'a SearchRows,
    view: &'a View,
    vi: usize,
    n: usize,
}

/// What k-means found on a view: each k's silhouette, and the best labels of the first view.
struct KMeansSweep {
    silhouettes: Vec<(usize, f64)>,
    best_labels: Option<(f64, Vec<Option<usize>>)>,
}

/// The candidates every method proposed, with what the pick needs of each: the spec it was fitted
/// with on the search rows (n_init, a sample's min_samples), its view, its labels on the search rows
/// (u8::MAX: noise), and each view's rows kept for the shortlist's stability (each view's pairwise
/// distances, 8 MB at 2,000 silhouette rows, are dropped once its candidates are scored).
#[derive(Default)]
struct Proposals {
    candidates: Vec<Candidate>,
    search_specs: Vec<AnalysisSpec>,
    of_view: Vec<usize>,
    labels_of: Vec<Vec<u8>>,
    rows_of_view: Vec<Option<Array2<f64>>>,
}

impl Proposals {
    /// A candidate `full` (the settings for every row) fitted as `searched` on the search rows.
    fn push(
        &mut self,
        mut candidate: Candidate,
        searched: AnalysisSpec,
        vi: usize,
        labels: &[Option<usize>],
    ) {
        candidate.view = vi;
        self.candidates.push(candidate);
        self.search_specs.push(searched);
        self.of_view.push(vi);
        self.labels_of.push(labels.iter().map(|l| l.map_or(u8::MAX, |l| l.min(254) as u8)).collect());
    }

    /// Candidates fitted and scored side by side ([`crate::par`]), pushed in their order, a progress
    /// step each.
    fn push_all(&mut self, on: &OnView, fitted: Vec<Scored>, progress: &mut SearchProgress) {
        for (candidate, searched, labels) in fitted {
            self.push(candidate, searched, on.vi, &labels);
            progress.step();
        }
    }

    /// k-means at every k.
    fn kmeans(
        &mut self,
        on: &OnView,
        base: &AnalysisSpec,
        options: SearchOptions,
        progress: &mut SearchProgress,
    ) -> Result<KMeansSweep> {
        let mut sweep = KMeansSweep { silhouettes: Vec::new(), best_labels: None };
        let ks: Vec<usize> = SEARCHED_KS.collect();
        let fitted = crate::par::map(&ks, |&k| -> Result<Scored> {
            let full = with_k(&on.view.spec, Method::KMeans, k, on.n);
            let mut searched = full.clone();
            searched.kmeans.n_init = options.search_n_init;
            let fit =
                KMeans::params(k, base.seed).n_init(options.search_n_init).check()?.fit(on.rows.x.view());
            Ok((on.rows.candidate(full, &on.view.words, &fit.labels), searched, fit.labels))
        });
        let fitted = fitted.into_iter().collect::<Result<Vec<Scored>>>()?;
        let mut best: Option<(f64, usize)> = None;
        for (i, (&k, (candidate, _, _))) in ks.iter().zip(&fitted).enumerate() {
            if let Some(s) = candidate.silhouette {
                sweep.silhouettes.push((k, s));
                // The columns that carry the segments are read from a segmentation that qualifies.
                if on.vi == 0 && candidate.rejected.is_none() && best.is_none_or(|b| s > b.0) {
                    best = Some((s, i));
                }
            }
        }
        let start = self.candidates.len();
        self.push_all(on, fitted, progress);
        // One segment more when it only divides one of the best's segments ([`refined`]): two groups
        // the best k merges because a third lies far from both still differ in the columns that tell
        // them apart, and those columns must stay. One step only: further steps, each within the
        // margin of the first, end up cutting noise columns into ranges.
        if let Some((s, i)) = best {
            // k-means leaves no noise: each stored code is the segment.
            let at = refined_at_most(&self.candidates, &self.labels_of, start + i, 1);
            sweep.best_labels =
                self.labels_of.get(at).map(|l| (s, l.iter().map(|&c| Some(usize::from(c))).collect()));
        }
        Ok(sweep)
    }

    /// The Gaussian mixture at the best k-means ks.
    fn mixtures(
        &mut self,
        on: &OnView,
        mut by_k: Vec<(usize, f64)>,
        base: &AnalysisSpec,
        options: SearchOptions,
        progress: &mut SearchProgress,
    ) -> Result<()> {
        by_k.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mixtures =
            if on.view.spec.features.len() <= options.mixture_max_features { options.mixture_ks } else { 0 };
        let ks: Vec<usize> = by_k.iter().take(mixtures).map(|&(k, _)| k).collect();
        let fitted = crate::par::map(&ks, |&k| -> Result<Scored> {
            let full = with_k(&on.view.spec, Method::GaussianMixture, k, on.n);
            let fit = GaussianMixture::params(k, base.seed).check()?.fit(on.rows.x.view());
            Ok((on.rows.candidate(full.clone(), &on.view.words, &fit.labels), full, fit.labels))
        });
        let fitted = fitted.into_iter().collect::<Result<Vec<Scored>>>()?;
        self.push_all(on, fitted, progress);
        Ok(())
    }

    /// Ward: one tree, cut at every k.
    fn ward(&mut self, on: &OnView) -> Result<()> {
        let tree = WardTree::build(on.rows.x.view(), &mut |_| {})?;
        let ks: Vec<usize> = SEARCHED_KS.collect();
        let scored = crate::par::map(&ks, |&k| {
            let full = with_k(&on.view.spec, Method::Ward, k, on.n);
            let labels = tree.cut(k);
            (on.rows.candidate(full.clone(), &on.view.words, &labels), full, labels)
        });
        for (candidate, searched, labels) in scored {
            self.push(candidate, searched, on.vi, &labels);
        }
        Ok(())
    }

    /// The density methods, on the first view only (the file's advised form, z-scores): DBSCAN at the
    /// eps tuned on the knee of the k-distance curve (its tuning is the costliest step of the search
    /// and it rarely meets the size rule), and HDBSCAN with the settings suggested for the file's size
    /// (density segments of different densities, which DBSCAN's single eps misses). On a sample,
    /// min_samples and the sizes are scaled to the sample's share, so the density threshold stays that
    /// of the whole file.
    fn density(&mut self, on: &OnView, base: &AnalysisSpec, options: SearchOptions) {
        let (spec, n) = (&on.view.spec, on.n);
        if spec.features.len() > options.dbscan_max_features {
            return;
        }
        let share = on.rows.x.nrows() as f64 / n as f64;
        let min_samples_full = spec.dbscan.min_samples;
        let min_samples_searched =
            ((min_samples_full as f64 * share).round() as usize).max(3).min(min_samples_full);
        // DBSCAN's tuning and HDBSCAN side by side ([`crate::par`]).
        let dbscan = || -> Option<Scored> {
            let curve = k_distance(on.rows.x.view(), min_samples_searched, K_DISTANCE_QUERIES, base.seed);
            if curve.knee_eps <= 0.0 {
                return None;
            }
            let (eps, labels) =
                tune_eps_on(on.rows.x.view(), min_samples_searched, curve.knee_eps, base.seed)?;
            let mut full = spec.clone();
            full.method = Method::Dbscan;
            full.dbscan.eps = round_sig(eps, 2);
            full.dbscan.min_samples = min_samples_full;
            let mut searched = full.clone();
            searched.dbscan.min_samples = min_samples_searched;
            searched.dbscan.eps = eps;
            Some((on.rows.candidate(full, &on.view.words, &labels), searched, labels))
        };
        let hdbscan = || -> Option<Scored> {
            let mut full = spec.clone();
            full.method = Method::Hdbscan;
            full.hdbscan = HdbscanSettings::suggested(n);
            let mut searched = full.clone();
            let scaled = |v: usize, floor: usize| ((v as f64 * share).round() as usize).max(floor).min(v);
            searched.hdbscan.min_cluster_size = scaled(full.hdbscan.min_cluster_size, 5);
            searched.hdbscan.min_samples = Some(scaled(full.hdbscan.min_samples(), 3));
            let MethodFit { labels, .. } = fit_method(&searched, on.rows.x.view(), &mut |_| {}).ok()?;
            Some((on.rows.candidate(full, &on.view.words, &labels), searched, labels))
        };
        let (dbscan, hdbscan) = crate::par::join(dbscan, hdbscan);
        for (candidate, searched, labels) in dbscan.into_iter().chain(hdbscan) {
            self.push(candidate, searched, on.vi, &labels);
        }
    }

    /// k-prototypes at every k, fitted on the view's codes and scored in its own distance.
    fn kprototypes(&mut self, on: &OnView, codes: ArrayView2<f64>, progress: &mut SearchProgress) {
        let ks: Vec<usize> = SEARCHED_KS.collect();
        let fitted = crate::par::map(&ks, |&k| {
            let full = with_k(&on.view.spec, Method::KPrototypes, k, on.n);
            let fit = fit_method(&full, codes, &mut |_| {}).ok()?;
            Some((on.rows.candidate(full.clone(), &on.view.words, &fit.labels), full, fit.labels))
        });
        for (candidate, searched, labels) in fitted.into_iter().flatten() {
            self.push(candidate, searched, on.vi, &labels);
        }
        (0..ks.len()).for_each(|_| progress.step());
    }

    /// For customers aggregated from purchases (first view), the classic RFM scores, offered beside
    /// the clusterings for the person to pick (rules, never chosen automatically).
    fn rfm(&mut self, on: &OnView) {
        if on.view.spec.transactions.is_none() {
            return;
        }
        let mut rfm = on.view.spec.clone();
        rfm.method = Method::Rfm;
        if let Ok(MethodFit { labels, .. }) = fit_method(&rfm, on.rows.x.view(), &mut |_| {}) {
            let mut candidate = on.rows.candidate(rfm.clone(), &on.view.words, &labels);
            candidate.manual_only = true;
            candidate.rejected = None;
            self.push(candidate, rfm, 0, &labels);
        }
    }

    /// Another view's proposals after these.
    fn merge(&mut self, other: Proposals) {
        self.candidates.extend(other.candidates);
        self.search_specs.extend(other.search_specs);
        self.of_view.extend(other.of_view);
        self.labels_of.extend(other.labels_of);
        for (vi, rows) in other.rows_of_view.into_iter().enumerate() {
            if let Some(rows) = rows {
                self.keep_rows(vi, vi + 1, rows);
            }
        }
    }

    fn keep_rows(&mut self, vi: usize, views: usize, x: Array2<f64>) {
        if self.rows_of_view.len() < views {
            self.rows_of_view.resize_with(views, || None);
        }
        self.rows_of_view[vi] = Some(x);
    }
}

/// The rule's ranking of the candidates, the stability of the shortlisted, and the pick; the chosen
/// settings keep the tuned DBSCAN of their representation and one k for every method, so switching
/// method in the page starts from sensible values.
fn pick(
    mut found: Proposals,
    (rows_total, rows_searched, silhouette_rows): (usize, usize, usize),
    base: &AnalysisSpec,
    options: SearchOptions,
    progress: &mut SearchProgress,
) -> AutoChoice {
    let order = rule::ranking(&found.candidates);
    // The shortlist's stabilities side by side ([`crate::par`]), each with its refits side by side.
    let shortlist: Vec<usize> = order.iter().take(rule::SHORTLIST).copied().collect();
    let stabilities = crate::par::map(&shortlist, |&i| {
        let Some(Some(x)) = found.rows_of_view.get(found.of_view[i]) else { return None };
        let mut spec = found.search_specs[i].clone();
        spec.kmeans.n_init = spec.kmeans.n_init.max(options.stability_n_init);
        Some(stability_on(&spec, x.view(), options, base.seed))
    });
    for (&i, stability) in shortlist.iter().zip(stabilities) {
        found.candidates[i].stability = stability;
        progress.step();
    }
    let candidates = &mut found.candidates;
    let qualified = !order.is_empty();
    let chosen =
        if qualified { rule::pick_stable(candidates, &order) } else { rule::most_balanced(candidates) };
    let chosen = chosen.map(|c| if qualified { refined(candidates, &found.labels_of, c) } else { c });
    let clear = order.first().and_then(|&i| candidates[i].silhouette).is_some_and(|s| s >= rule::CLEAR);
    if let Some(c) = chosen {
        let view = found.of_view[c];
        let tuned = candidates
            .iter()
            .zip(&found.of_view)
            .find(|(x, &v)| v == view && x.spec.method == Method::Dbscan)
            .map(|(x, _)| x.spec.dbscan);
        if let Some(tuned) = tuned {
            candidates[c].spec.dbscan = tuned;
        }
        if candidates[c].spec.method != Method::Hdbscan {
            candidates[c].spec.hdbscan = HdbscanSettings::suggested(rows_total);
        }
    }
    AutoChoice {
        candidates: found.candidates,
        chosen,
        clear,
        qualified,
        rows_total,
        rows_searched,
        silhouette_rows,
        explanation: String::new(),
        rule: rule::rule_text(),
    }
}

/// The share of rows whose `coarse` segment is the most common one among the rows of their `fine`
/// segment: 1 when every fine segment lies inside one coarse segment.
fn nested(coarse: &[u8], fine: &[u8]) -> f64 {
    let mut counts: std::collections::HashMap<(u8, u8), usize> = std::collections::HashMap::new();
    for (&c, &f) in coarse.iter().zip(fine) {
        *counts.entry((f, c)).or_default() += 1;
    }
    let mut best: std::collections::HashMap<u8, usize> = std::collections::HashMap::new();
    for (&(f, _), &n) in &counts {
        let b = best.entry(f).or_default();
        *b = (*b).max(n);
    }
    best.values().sum::<usize>() as f64 / coarse.len().max(1) as f64
}

/// The pick, or a finer segmentation that only divides one of its segments cleanly: a qualifying
/// candidate of the same method (k-means or the mixture, whose fits at k and k + 1 are independent, so
/// nesting is evidence) and view with one segment more, whose segments each lie inside one of
/// the pick's ([`rule::NESTED`] of the customers) and whose silhouette stays within
/// [`rule::REFINE_MARGIN`] of the pick's. Two groups close to each other and far from a third are
/// merged by the silhouette's best k; a segment that splits in two without blurring is two segments.
/// Repeated while such a candidate exists.
fn refined(candidates: &[Candidate], labels_of: &[Vec<u8>], pick: usize) -> usize {
    refined_at_most(candidates, labels_of, pick, usize::MAX)
}

/// [`refined`], in at most `steps` steps of one segment more.
fn refined_at_most(candidates: &[Candidate], labels_of: &[Vec<u8>], mut pick: usize, steps: usize) -> usize {
    // Measured against the first pick, so a chain of small losses cannot add up.
    let Some(s) = rule::separation(&candidates[pick]) else { return pick };
    for _ in 0..steps {
        let c = &candidates[pick];
        let finer = candidates.iter().enumerate().find(|(j, f)| {
            f.view == c.view
                && f.spec.method == c.spec.method
                // Cuts nested by construction (Ward's) say nothing.
                && c.spec.method.info().independent_ks
                && f.segments == c.segments + 1
                && f.rejected.is_none()
                && !f.manual_only
                && rule::separation(f).is_some_and(|fs| fs >= s - rule::REFINE_MARGIN)
                && labels_of
                    .get(*j)
                    .zip(labels_of.get(pick))
                    .is_some_and(|(fine, coarse)| nested(coarse, fine) >= rule::NESTED)
        });
        match finer {
            Some((j, _)) => pick = j,
            None => return pick,
        }
    }
    pick
}

/// k-means initialisations in the chosen fit: scikit-learn's 10, and 3 beyond this many rows.
pub const FULL_N_INIT_ROWS: usize = 20_000;

fn with_k(spec: &AnalysisSpec, method: Method, k: usize, n: usize) -> AnalysisSpec {
    let mut s = spec.clone();
    s.method = method;
    // Every k-based method at k, so switching method keeps the chosen k.
    for m in Method::ALL {
        s.settings_of_mut(m).set_k(k);
    }
    s.kmeans.n_init = if n > FULL_N_INIT_ROWS { 3 } else { 10 };
    s
}

/// Mean adjusted Rand index of `runs` refits on 80% subsamples of the search rows against the fit on
/// all of them.
fn stability_on(spec: &AnalysisSpec, x: ArrayView2<f64>, options: SearchOptions, seed: u64) -> f64 {
    let Ok(MethodFit { labels, .. }) = fit_method(spec, x, &mut |_| {}) else { return 0.0 };
    let stability = crate::score::stability(&labels, options.stability_runs, seed, |run, rows| {
        let sub = x.select(Axis(0), rows);
        let run_spec = subsample_spec(spec, run);
        fit_method(&run_spec, sub.view(), &mut |_| {})
            .map_or_else(|_| vec![None; rows.len()], |fit| fit.labels)
    });
    stability.mean_ari
}

/// The automatic choice fitted on the whole file: the search, then the pick run as any spec runs (if
/// the whole file breaks the rule where the search rows did not, the next candidate is tried).
pub fn choose(table: &Table, base: &AnalysisSpec, progress: Progress) -> Result<(AutoChoice, Segmentation)> {
    progress(Stage::Choosing, 0.0);
    let choice = search(table, base, SearchOptions::default(), &mut |f| progress(Stage::Choosing, f))?;
    fit_choice(choice, base, &mut |spec| run(table, spec, progress))
}

/// Fits the pick of a search with `run` (a session's, which keeps the rows it prepares), trying the next
/// candidates when the whole file breaks the rule; names tiers when nothing separates clearly; explains.
pub fn fit_choice(
    mut choice: AutoChoice,
    base: &AnalysisSpec,
    run: &mut dyn FnMut(&AnalysisSpec) -> Result<Segmentation>,
) -> Result<(AutoChoice, Segmentation)> {
    let order: Vec<usize> = choice.chosen.into_iter().chain(rule::ranking(&choice.candidates)).collect();
    let mut tried = Vec::new();
    let mut last = None;
    let mut refused: Option<CoreError> = None;
    for i in order {
        if tried.contains(&i) || tried.len() >= 3 {
            continue;
        }
        tried.push(i);
        // A candidate the fit on every row refuses gives way to the next one; the error stands only
        // when no candidate could be fitted.
        let fitted = match run(&choice.candidates[i].spec) {
            Ok(fitted) => fitted,
            Err(e) if matches!(e, CoreError::InvalidParameter { .. }) => {
                refused.get_or_insert(e);
                continue;
            }
            Err(e) => return Err(e),
        };
        let f = figures(fitted.labels.as_slice());
        let fits = rule::rejection(f.segments, f.smallest, f.largest, f.noise).is_none();
        last = Some((i, fitted));
        if fits || !choice.qualified {
            break;
        }
    }
    let Some((i, mut fitted)) = last else {
        return Err(refused.unwrap_or_else(|| CoreError::InvalidParameter {
            name: "features".into(),
            value: base.features.join(", "),
            reason: "no segmentation could be fitted on these columns".into(),
        }));
    };
    choice.chosen = Some(i);
    if !choice.clear {
        let names = tier_names(&fitted);
        std::sync::Arc::make_mut(&mut fitted.result).spec.segment_names = names.clone();
        choice.candidates[i].spec.segment_names = names;
    }
    choice.explanation = explain(&choice, &fitted);
    let drivers = drivers(&fitted);
    if !drivers.is_empty() {
        choice.explanation.push_str(&format!(" The segments differ most in {}.", and_list(&drivers)));
    }
    Ok((choice, fitted))
}

/// A share in whole percents, with a decimal where rounding would say 0% or 100% of something that is
/// neither (1 customer in 1,000 is 0.1%, not 0%).
fn percent(share: f64) -> String {
    let p = share * 100.0;
    match p {
        p if p > 0.0 && p < 0.05 => "under 0.1%".into(),
        p if p > 99.95 && p < 100.0 => "over 99.9%".into(),
        p if (p > 0.0 && p < 0.5) || (p > 99.5 && p < 100.0) => format!("{p:.1}%"),
        p => format!("{p:.0}%"),
    }
}

/// What was chosen and why, in one or two sentences, with the whole file's figures.
pub fn explain(choice: &AutoChoice, result: &AnalysisResult) -> String {
    let Some(chosen) = choice.chosen.and_then(|i| choice.candidates.get(i)) else { return String::new() };
    let f = figures(result.labels.as_slice());
    let k = f.segments;
    let tried = choice.candidates.iter().filter(|c| !c.manual_only).count();
    let what = format!("{} with {k} segments", method_words(&result.spec));
    let range = if percent(f.smallest) == percent(f.largest) {
        format!("about {}", percent(f.largest))
    } else {
        format!("{}-{}", percent(f.smallest), percent(f.largest))
    };
    let sizes = if f.noise > 0.0 {
        format!("each segment holds {range} of customers and {} are left as noise", percent(f.noise))
    } else {
        format!("each segment holds {range} of customers")
    };
    // The best qualifying candidate of another method, compared on the same rows as the chosen one. The
    // search's figures are of its sample, not of the result on screen (whose silhouette the scores
    // beside this text show, measured on the whole file, often after it), so the comparison is said in
    // words and no silhouette is quoted: the text is the same whether the silhouette is known yet or not.
    let other = choice
        .candidates
        .iter()
        .filter(|c| c.rejected.is_none() && !c.manual_only && c.spec.method != chosen.spec.method)
        .filter_map(|c| rule::separation(c).map(|s| (c, s)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    let compared = rule::separation(chosen).unwrap_or(f64::NEG_INFINITY);
    let (lead, versus) = match other {
        Some((c, s)) if s > compared + rule::MARGIN && c.segments > k => (
            "as clear a separation as any for its number of segments",
            format!(
                " ({} separated more clearly with {} segments, but by less than the {} of silhouette each segment \
                 more must add)",
                method_words(&c.spec),
                c.segments,
                rule::PER_SEGMENT
            ),
        ),
        Some((c, s)) if s > compared => (
            "as clear a separation as any",
            format!(
                " ({} scored within {} of it, with as many segments or more)",
                method_words(&c.spec),
                rule::MARGIN
            ),
        ),
        Some((c, _)) => ("the clearest separation", format!(" (ahead of {})", method_words(&c.spec))),
        None => ("the clearest separation", String::new()),
    };
    let sampled = if choice.rows_searched < choice.rows_total {
        format!(
            " Candidates were compared on a random sample of {} of the {} customers, then the choice was fitted on all.",
            choice.rows_searched, choice.rows_total
        )
    } else {
        String::new()
    };
    let data = format!(" Data: {}.", chosen.representation);
    if !choice.qualified {
        return format!(
            "{what}: no segmentation of the {tried} tried met the rule (see below), so this is the most balanced \
             one; {sizes}.{data}{sampled}"
        );
    }
    if choice.clear {
        format!("{what}: {lead} of the {tried} segmentations tried{versus}; {sizes}.{data}{sampled}")
    } else {
        format!(
            "No clear natural groups: the best of the {tried} segmentations tried separates these customers only \
             weakly (under a silhouette of {}). The {k} segments of {what} are tiers, from the highest to the lowest values, \
             rather than distinct types of customer; {sizes}.{data}{sampled}",
            rule::CLEAR
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{discrete_features, one_feature_cuts, percent};
    use ndarray::Array2;

    #[test]
    fn a_value_most_rows_hold_is_a_flag_and_a_continuum_cut_in_ranges_has_no_gap() {
        // Columns: a level of 3 values, 60% at -1 and spread otherwise, spread evenly, constant.
        let x = Array2::from_shape_fn((100, 4), |(i, j)| match j {
            0 => (i % 3) as f64,
            1 => {
                if i % 5 < 3 {
                    -1.0
                } else {
                    i as f64
                }
            }
            2 => i as f64,
            _ => 7.0,
        });
        let names: Vec<String> = ["level", "days", "even", "same"].map(String::from).to_vec();
        let (discrete, few) = discrete_features(x.view(), &names);
        let found: Vec<&str> = discrete.iter().map(|d| d.0.as_str()).collect();
        assert_eq!(found, ["level", "days (at its most common value or not)"]);
        assert_eq!(few, 1);
        assert_eq!(discrete[1].1.iter().filter(|&&c| c == 1).count(), 60);
        // An even spread cut in two: the cut reproduces the segments, with no gap at it.
        let even: Vec<(f64, usize)> = (0..1_000).map(|i| (i as f64, usize::from(i >= 500))).collect();
        assert_eq!(one_feature_cuts(&even, 2), Some(true));
        // Two groups far apart: a gap.
        let apart: Vec<(f64, usize)> = (0..1_000)
            .map(|i| if i < 500 { (i as f64 / 5.0, 0) } else { (300.0 + i as f64 / 5.0, 1) })
            .collect();
        assert_eq!(one_feature_cuts(&apart, 2), Some(false));
        // Segments the feature does not order: no cut reproduces them.
        let mixed: Vec<(f64, usize)> = (0..1_000).map(|i| (i as f64, i % 2)).collect();
        assert_eq!(one_feature_cuts(&mixed, 2), None);
    }

    #[test]
    fn a_share_that_is_neither_none_nor_all_never_reads_0_or_100_percent() {
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.001), "0.1%");
        assert_eq!(percent(0.999), "99.9%");
        assert_eq!(percent(0.000_001), "under 0.1%");
        assert_eq!(percent(0.999_999), "over 99.9%");
        assert_eq!(percent(0.214), "21%");
    }
}

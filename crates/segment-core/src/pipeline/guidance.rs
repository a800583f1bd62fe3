//! Help choosing parameters: the k-distance curve and its knee for DBSCAN's eps (and the multiple of
//! the knee that scores best), and the k sweep for the methods that take a number of segments.

use super::describe::{score_all, scoring_rows};
use super::fit::fit_method;
use super::{Progress, Stage};
use crate::cluster::Dbscan;
use crate::error::{CoreError, Result};
use crate::rng::SplitMix64;
use crate::score::{silhouette, Scores, SilhouetteOptions};
use crate::spec::{AnalysisSpec, Method};
use linfa::ParamGuard;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

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

/// Files up to this many rows whose settings start on DBSCAN get their k-distance curve at load; the
/// others when it is asked for.
pub const K_DISTANCE_AT_LOAD_ROWS: usize = 200_000;

/// Rows sampled for the k-distance curve: each is exact (compared with every row), and 400 draw the
/// curve's shape and knee well while costing ~20 M distances at 55k rows.
pub const K_DISTANCE_QUERIES: usize = 400;

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

/// The k-distance curve for the spec's min_samples on rows prepared for the spec (the page redraws it
/// when min_samples changes). None when there are too few rows.
pub fn k_distance_for(spec: &AnalysisSpec, x_scaled: ArrayView2<f64>) -> Option<KDistance> {
    let min_samples = spec.dbscan.min_samples;
    if x_scaled.nrows() <= min_samples || x_scaled.ncols() == 0 {
        return None;
    }
    Some(k_distance(x_scaled, min_samples, K_DISTANCE_QUERIES, spec.seed))
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
    distances.sort_unstable_by(f64::total_cmp);
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

/// One value of the sweep: `k` is the swept parameter's value (k, or HDBSCAN's min_cluster_size).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    pub k: usize,
    pub inertia: f64,
    pub scores: Scores,
    /// Segments found and rows left as noise (for k methods, k and 0).
    #[serde(default)]
    pub segments: usize,
    #[serde(default)]
    pub noise: usize,
}

/// A sweep's row: `space` is the rows where the method measures distance ([`scoring_rows`]), built once
/// for the whole sweep.
fn sweep_row(
    value: usize,
    space: ArrayView2<f64>,
    labels: &[Option<usize>],
    spec: &AnalysisSpec,
) -> SweepRow {
    SweepRow {
        k: value,
        inertia: crate::score::within_sse(space, labels),
        scores: score_all(space, labels, spec, super::Scoring::Now),
        segments: labels.iter().flatten().map(|&s| s + 1).max().unwrap_or(0),
        noise: labels.iter().filter(|l| l.is_none()).count(),
    }
}

/// What a sweep varies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Swept {
    /// The number of segments (k-means, the Gaussian mixture, Ward).
    #[default]
    K,
    /// HDBSCAN's smallest segment.
    MinClusterSize,
}

impl Swept {
    /// The parameter's name, as the settings call it.
    pub fn name(self) -> &'static str {
        match self {
            Swept::K => "k",
            Swept::MinClusterSize => "min_cluster_size",
        }
    }

    /// The parameter with what it means, for a chart's axis.
    pub fn axis_label(self) -> &'static str {
        match self {
            Swept::K => "k (number of segments)",
            Swept::MinClusterSize => "min_cluster_size (smallest segment)",
        }
    }

    /// Sets the swept parameter of `spec` to `value`.
    pub fn set(self, spec: &mut AnalysisSpec, value: usize) {
        match self {
            Swept::K => spec.set_k(value),
            Swept::MinClusterSize => spec.hdbscan.min_cluster_size = value,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KSweep {
    /// What was swept: k, or min_cluster_size for HDBSCAN.
    #[serde(default)]
    pub parameter: Swept,
    pub rows: Vec<SweepRow>,
    /// The k with the highest silhouette.
    pub best_k: Option<usize>,
}

pub const SWEEP_KS: std::ops::RangeInclusive<usize> = 2..=10;

/// The spec's method (k-means for DBSCAN and RFM specs) for each k in `ks`, on rows prepared for the
/// spec's features, cleaning and scaling, with all three scores.
pub fn k_sweep(
    spec: &AnalysisSpec,
    x_scaled: ArrayView2<f64>,
    ks: std::ops::RangeInclusive<usize>,
    progress: Progress,
) -> Result<KSweep> {
    let needed = (*ks.end()).max(3);
    if x_scaled.nrows() < needed {
        return Err(CoreError::TooFewRows { rows: x_scaled.nrows(), needed });
    }
    let mut swept = spec.clone();
    swept.method = if spec.method.uses_k() { spec.method } else { Method::KMeans };
    let mut largest = swept.clone();
    largest.set_k(*ks.end());
    largest.check_work(x_scaled.nrows(), x_scaled.ncols())?;
    let count = ks.clone().count().max(1);
    let mut rows = Vec::with_capacity(count);
    // A method that cuts one tree at each k (Ward) builds it once.
    let cuts = swept.method_settings().cuts(x_scaled, &mut |f| progress(Stage::Clustering, 0.5 * f))?;
    let space = scoring_rows(spec, x_scaled);
    for (i, k) in ks.enumerate() {
        progress(Stage::Clustering, i as f64 / count as f64);
        let labels = match &cuts {
            Some(cut) => cut(k),
            None => {
                swept.set_k(k);
                fit_method(&swept, x_scaled, &mut |_| {})?.labels
            }
        };
        rows.push(sweep_row(k, space.view(), &labels, spec));
    }
    let best_k = rows
        .iter()
        .filter_map(|r| r.scores.silhouette.as_ref().map(|s| (r.k, s.mean)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(k, _)| k);
    Ok(KSweep { parameter: Swept::K, rows, best_k })
}

/// HDBSCAN's min_cluster_size from a quarter of a percent to a tenth of the rows (and the spec's own
/// value), each with its segments, noise and scores. The density hierarchy depends only on
/// min_samples, so it is built once and each value only condenses and selects. The best value has
/// the highest silhouette among those giving 2 to 12 segments with at most half the rows noise.
pub fn density_sweep(spec: &AnalysisSpec, x_scaled: ArrayView2<f64>, progress: Progress) -> Result<KSweep> {
    use crate::cluster::hdbscan::{DensityHierarchy, Hdbscan};
    let (n, d) = x_scaled.dim();
    spec.check_work(n, d)?;
    let min_samples = spec.hdbscan.min_samples();
    let needed = min_samples.max(3);
    if n < needed {
        return Err(CoreError::TooFewRows { rows: n, needed });
    }
    let rows_major: Vec<f64> = x_scaled.iter().copied().collect();
    progress(Stage::Clustering, 0.0);
    let hierarchy = DensityHierarchy::build(&rows_major, n, d, min_samples, &mut |f| {
        progress(Stage::Clustering, 0.5 * f)
    })?;
    let mut sizes: Vec<usize> = [0.0025, 0.005, 0.01, 0.02, 0.05, 0.1]
        .iter()
        .map(|share| ((n as f64 * share).round() as usize).max(5))
        .chain(std::iter::once(spec.hdbscan.min_cluster_size))
        .filter(|&m| (2..=n).contains(&m))
        .collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut rows = Vec::with_capacity(sizes.len());
    let space = scoring_rows(spec, x_scaled);
    for (i, &size) in sizes.iter().enumerate() {
        progress(Stage::Scoring, i as f64 / sizes.len() as f64);
        let params = Hdbscan::params(size, Some(min_samples)).selection(spec.hdbscan.selection).check()?;
        let fit = params.extract(&hierarchy);
        let (labels, _) = crate::cluster::canonical_labels(&fit.labels);
        rows.push(sweep_row(size, space.view(), &labels, spec));
    }
    let best_k = rows
        .iter()
        .filter(|r| (2..=12).contains(&r.segments) && r.noise * 2 <= n)
        .filter_map(|r| r.scores.silhouette.as_ref().map(|s| (r.k, s.mean)))
        // The smallest value among equal silhouettes (often the same segments): the finer setting.
        .fold(None, |best: Option<(usize, f64)>, (k, s)| match best {
            Some((_, b)) if b >= s => best,
            _ => Some((k, s)),
        })
        .map(|(k, _)| k);
    Ok(KSweep { parameter: Swept::MinClusterSize, rows, best_k })
}

#[cfg(test)]
mod tests {
    use super::*;

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

//! Score: how good a segmentation is, with scikit-learn's definitions. Noise rows (label None) are left
//! out of every score, as in the original project; callers report the noise share beside them.

mod pairwise;
mod silhouette;
mod stability;

pub use pairwise::PairwiseDistances;
pub use silhouette::{silhouette, SilhouetteJob, SilhouetteOptions, SilhouetteScore};
pub use stability::{
    adjusted_rand_index, stability, Stability, StabilityPlan, STABILITY_MAX_ROWS, SUBSAMPLE_SHARE,
};

use crate::distance::{dist, dist2};
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// Each row's segment (None: noise), however the caller holds them: `[Option<usize>]` as a fit gives
/// them, `[i32]` as a result keeps them (-1: noise). The silhouette reads labels through it, so a
/// result's labels are scored without a copy of a million `Option`s.
pub trait SegmentLabels {
    fn rows(&self) -> usize;
    fn segment(&self, row: usize) -> Option<usize>;
}

impl SegmentLabels for [Option<usize>] {
    fn rows(&self) -> usize {
        self.len()
    }
    fn segment(&self, row: usize) -> Option<usize> {
        self[row]
    }
}

impl SegmentLabels for [i32] {
    fn rows(&self) -> usize {
        self.len()
    }
    fn segment(&self, row: usize) -> Option<usize> {
        usize::try_from(self[row]).ok()
    }
}

/// Labels with their segment ids mapped (`new_id[s]`), e.g. to close the gaps empty segments leave.
pub struct Renumbered<'a, L: ?Sized> {
    pub labels: &'a L,
    pub new_id: Vec<usize>,
}

impl<L: SegmentLabels + ?Sized> SegmentLabels for Renumbered<'_, L> {
    fn rows(&self) -> usize {
        self.labels.rows()
    }
    fn segment(&self, row: usize) -> Option<usize> {
        self.labels.segment(row).map(|s| self.new_id[s])
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub silhouette: Option<SilhouetteScore>,
    pub davies_bouldin: Option<f64>,
    pub calinski_harabasz: Option<f64>,
    /// The silhouette is being measured after the segmentation was shown (see
    /// [`Scoring::Deferred`](crate::pipeline::Scoring)); `silhouette` is None until it is filled in.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub silhouette_pending: bool,
}

/// The scores in a sentence a marketer can act on: how clearly the segments are apart (the silhouette's
/// mean, Rousseeuw's reading of its ranges; None: fewer than two segments) and, once measured, whether
/// they come back on other samples (stability, the adjusted Rand index of subsample refits).
pub fn scores_in_words(silhouette: Option<f64>, stability: Option<f64>) -> String {
    let apart = match silhouette {
        Some(s) if s >= 0.5 => "The segments are clearly apart: most customers are much closer to their own segment than to any other.",
        Some(s) if s >= 0.25 => "The segments are apart but touch: customers at the edges could belong to a neighbour, so read them as tendencies at the margins.",
        Some(s) if s.is_finite() => "The segments overlap a lot: treat them as broad tendencies, not sharp groups, or try fewer segments.",
        _ => "With fewer than two segments there is nothing to compare: try another method or settings.",
    };
    let again = match stability {
        Some(a) if a >= 0.9 => " They come back almost unchanged on random subsamples: safe to build on.",
        Some(a) if a >= 0.75 => " They mostly come back on random subsamples: sound, with some customers moving between neighbours.",
        Some(a) if a.is_finite() => " They change noticeably on random subsamples: check them before acting on them.",
        _ => "",
    };
    format!("{apart}{again}")
}

/// Sum of squared distances of rows to their segment's mean (k-means' inertia, for any method; noise
/// left out).
pub(crate) fn within_sse(x: ArrayView2<f64>, labels: &[Option<usize>]) -> f64 {
    let (centers, _) = centroids(x, labels, n_clusters(labels));
    within_of(x, labels, &centers)
}

fn within_of(x: ArrayView2<f64>, labels: &[Option<usize>], centers: &[Vec<f64>]) -> f64 {
    x.outer_iter().zip(labels).filter_map(|(row, l)| l.map(|c| dist2(&centers[c], row))).sum()
}

/// Centroids and sizes of the clusters (noise left out). `k` = number of clusters.
pub(crate) fn centroids(
    x: ArrayView2<f64>,
    labels: &[Option<usize>],
    k: usize,
) -> (Vec<Vec<f64>>, Vec<usize>) {
    let d = x.ncols();
    let mut sums = vec![vec![0.0; d]; k];
    let mut sizes = vec![0usize; k];
    for (row, label) in x.outer_iter().zip(labels) {
        if let Some(c) = *label {
            sizes[c] += 1;
            for (s, v) in sums[c].iter_mut().zip(row) {
                *s += v;
            }
        }
    }
    for (sum, &size) in sums.iter_mut().zip(&sizes) {
        sum.iter_mut().for_each(|s| *s /= size.max(1) as f64);
    }
    (sums, sizes)
}

pub(crate) fn n_clusters(labels: &[Option<usize>]) -> usize {
    labels.iter().flatten().map(|&c| c + 1).max().unwrap_or(0)
}

/// Davies-Bouldin index (lower is better); None with fewer than 2 clusters.
pub fn davies_bouldin(x: ArrayView2<f64>, labels: &[Option<usize>]) -> Option<f64> {
    let k = n_clusters(labels);
    if k < 2 {
        return None;
    }
    let (centers, sizes) = centroids(x, labels, k);
    let mut scatter = vec![0.0; k];
    for (row, label) in x.outer_iter().zip(labels) {
        if let Some(c) = *label {
            scatter[c] += dist(&centers[c], row);
        }
    }
    for (s, &n) in scatter.iter_mut().zip(&sizes) {
        *s /= n.max(1) as f64;
    }
    let mut total = 0.0;
    for i in 0..k {
        let mut worst = 0.0f64;
        for j in 0..k {
            if i != j {
                let sep = dist(&centers[i], &centers[j]);
                // scikit-learn counts coinciding centres as infinitely far apart (a ratio of 0).
                let r = if sep > 0.0 { (scatter[i] + scatter[j]) / sep } else { 0.0 };
                worst = worst.max(r);
            }
        }
        total += worst;
    }
    Some(total / k as f64).filter(|v| v.is_finite())
}

/// Calinski-Harabasz index (higher is better); None with fewer than 2 clusters or no spare rows.
pub fn calinski_harabasz(x: ArrayView2<f64>, labels: &[Option<usize>]) -> Option<f64> {
    let k = n_clusters(labels);
    let (centers, sizes) = centroids(x, labels, k);
    let n: usize = sizes.iter().sum();
    if k < 2 || n <= k {
        return None;
    }
    let d = x.ncols();
    let mut overall = vec![0.0; d];
    for (c, &size) in centers.iter().zip(&sizes) {
        for (o, v) in overall.iter_mut().zip(c) {
            *o += v * size as f64 / n as f64;
        }
    }
    let between: f64 = centers.iter().zip(&sizes).map(|(c, &size)| size as f64 * dist2(c, &overall)).sum();
    let within = within_of(x, labels, &centers);
    if within == 0.0 {
        return Some(1.0);
    }
    Some(between * (n - k) as f64 / (within * (k - 1) as f64)).filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {

    #[test]
    fn scores_in_words_follow_the_silhouette_and_stability_bands() {
        assert!(scores_in_words(Some(0.66), None).starts_with("The segments are clearly apart"));
        assert!(scores_in_words(Some(0.3), None).contains("touch"));
        assert!(scores_in_words(Some(0.1), None).contains("overlap"));
        assert!(scores_in_words(None, None).contains("fewer than two"));
        assert!(scores_in_words(Some(0.66), Some(0.95)).ends_with("safe to build on."));
        assert!(scores_in_words(Some(0.66), Some(0.5)).contains("change noticeably"));
        assert!(!scores_in_words(Some(0.66), Some(f64::NAN)).contains("subsamples"));
    }
    use super::*;
    use ndarray::array;

    #[test]
    fn two_tight_pairs() {
        let x = array![[0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 1.0], [50.0, 50.0]];
        let labels = vec![Some(0), Some(0), Some(1), Some(1), None];
        // scatter 0.5 each, centroid distance 10: R = 0.1.
        assert!((davies_bouldin(x.view(), &labels).unwrap_or(0.0) - 0.1).abs() < 1e-12);
        // between = 4 * 25 = 100, within = 4 * 0.25 = 1: (100 / 1) * (4 - 2) / (2 - 1) = 200.
        assert!((calinski_harabasz(x.view(), &labels).unwrap_or(0.0) - 200.0).abs() < 1e-9);
        assert_eq!(davies_bouldin(x.view(), &[Some(0), Some(0), Some(0), None, None]), None);
    }
}

//! Silhouette: exact up to `max_exact` rows; above, on a stratified sample (each segment keeps its
//! share) of `sample_size` rows drawn with a seed, as scikit-learn's `sample_size` does without strata.
//! The result says whether it was sampled and on how many rows, so the page can say so.

use super::SegmentLabels;
use crate::rng::SplitMix64;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SilhouetteOptions {
    pub max_exact: usize,
    pub sample_size: usize,
    pub seed: u64,
}

impl Default for SilhouetteOptions {
    fn default() -> Self {
        Self { max_exact: 10_000, sample_size: 10_000, seed: 42 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SilhouetteScore {
    pub mean: f64,
    /// Mean silhouette of each segment's rows (in the sample when sampled).
    pub per_segment: Vec<f64>,
    /// Rows the score was computed on (noise excluded).
    pub rows_scored: usize,
    pub sampled: bool,
    pub seed: u64,
    /// Standard error of the mean over the rows scored: the spread of a sampled estimate.
    #[serde(default)]
    pub std_error: f64,
    /// For the silhouette plot: each segment's values, highest first, thinned to at most
    /// [`PROFILE_POINTS`] evenly spaced ranks.
    #[serde(default)]
    pub profile: Vec<Vec<f32>>,
}

/// Values kept per segment for the silhouette plot.
pub const PROFILE_POINTS: usize = 200;

/// None when fewer than 2 segments have rows.
pub fn silhouette(
    x: ArrayView2<f64>,
    labels: &[Option<usize>],
    options: SilhouetteOptions,
) -> Option<SilhouetteScore> {
    let mut job = SilhouetteJob::new(x, labels, options)?;
    while !job.step(usize::MAX) {}
    Some(job.finish())
}

/// The silhouette in steps, so a worker can answer other requests between them (the page draws a
/// new segmentation first and fills its silhouette in after): [`SilhouetteJob::step`] sums the
/// distances of a share of the pairs, [`SilhouetteJob::finish`] turns the sums into the score.
/// [`silhouette`] is this job run in one step. The job owns the (sampled) rows it scores.
#[derive(Debug, Clone)]
pub struct SilhouetteJob {
    /// The scored rows' coordinates by column, rows sorted by segment.
    columns: Vec<Vec<f64>>,
    /// Each scored row's segment.
    seg: Vec<usize>,
    size: Vec<usize>,
    /// Segment c's rows are `seg_start[c]..seg_start[c + 1]`.
    seg_start: Vec<usize>,
    /// `to_segment[c * m + i]`: the sum of distances from row i to the rows of segment c.
    to_segment: Vec<f64>,
    /// The next row whose pairs (i, j > i) are summed.
    next: usize,
    sampled: bool,
    seed: u64,
}

impl SilhouetteJob {
    /// None when fewer than 2 segments have rows, or more segments than a silhouette can be held for.
    pub fn new<L: SegmentLabels + ?Sized>(
        x: ArrayView2<f64>,
        labels: &L,
        options: SilhouetteOptions,
    ) -> Option<Self> {
        let n = labels.rows();
        let k = (0..n).filter_map(|i| labels.segment(i)).map(|c| c + 1).max().unwrap_or(0);
        if k < 2 {
            return None;
        }
        let clustered = (0..n).filter(|&i| labels.segment(i).is_some()).count();
        let sampled = clustered > options.max_exact;
        let mut rows = if sampled {
            stratified_sample(labels, k, clustered, options.sample_size, options.seed)
        } else {
            (0..n).filter(|&i| labels.segment(i).is_some()).collect()
        };
        // Rows sorted by segment, coordinates by column: every distance is computed once (pair i < j)
        // in loops over contiguous memory that the compiler can vectorise.
        rows.sort_by_key(|&r| (labels.segment(r), r));
        let seg: Vec<usize> = rows.iter().filter_map(|&r| labels.segment(r)).collect();
        let m = rows.len();
        if k.saturating_mul(m) > crate::limits::MAX_SILHOUETTE_CELLS {
            return None; // more segments than a silhouette can be held for (see limits)
        }
        let columns: Vec<Vec<f64>> =
            (0..x.ncols()).map(|j| rows.iter().map(|&r| x[[r, j]]).collect()).collect();
        let mut size = vec![0usize; k];
        seg.iter().for_each(|&c| size[c] += 1);
        if size.iter().filter(|&&s| s > 0).count() < 2 {
            return None;
        }
        let mut seg_start = vec![0usize; k + 1];
        for c in 0..k {
            seg_start[c + 1] = seg_start[c] + size[c];
        }
        Some(Self {
            columns,
            seg,
            size,
            seg_start,
            to_segment: vec![0.0f64; k * m],
            next: 0,
            sampled,
            seed: options.seed,
        })
    }

    /// Sums the distances of the next rows' pairs, about `max_pairs` of them (at least one row's);
    /// true once every pair is summed.
    pub fn step(&mut self, max_pairs: usize) -> bool {
        let m = self.seg.len();
        let k = self.size.len();
        let mut dist = vec![0.0f64; m];
        let mut pairs = 0usize;
        while self.next < m && pairs < max_pairs.max(1) {
            let i = self.next;
            self.next += 1;
            let rest = i + 1..m;
            pairs = pairs.saturating_add(rest.len().max(1));
            let dist = &mut dist[rest.clone()];
            dist.iter_mut().for_each(|v| *v = 0.0);
            for col in &self.columns {
                let p = col[i];
                for (v, q) in dist.iter_mut().zip(&col[rest.clone()]) {
                    *v += (q - p) * (q - p);
                }
            }
            dist.iter_mut().for_each(|v| *v = v.sqrt());
            let own = self.seg[i];
            for c in own..k {
                let lo = self.seg_start[c].max(i + 1);
                let hi = self.seg_start[c + 1];
                if lo >= hi {
                    continue;
                }
                let block = &dist[lo - i - 1..hi - i - 1];
                self.to_segment[c * m + i] += block.iter().sum::<f64>();
                for (acc, v) in self.to_segment[own * m + lo..own * m + hi].iter_mut().zip(block) {
                    *acc += v;
                }
            }
        }
        self.next >= m
    }

    /// The share of the pairs summed so far (0 to 1), for progress reports.
    pub fn fraction(&self) -> f64 {
        let m = self.seg.len() as f64;
        let done = self.next as f64;
        // Row i has m - 1 - i pairs: the pairs of the first `done` rows over all m (m - 1) / 2.
        if m < 2.0 {
            1.0
        } else {
            (done * (2.0 * m - done - 1.0) / (m * (m - 1.0))).clamp(0.0, 1.0)
        }
    }

    /// The score from the sums (call after [`SilhouetteJob::step`] returned true; rows not yet
    /// summed would count with partial sums).
    pub fn finish(self) -> SilhouetteScore {
        let Self { seg, size, to_segment, sampled, seed, .. } = self;
        let m = seg.len();
        let k = size.len();
        let mut seg_total = vec![0.0f64; k];
        let mut total = 0.0;
        let mut total2 = 0.0;
        let mut values: Vec<Vec<f64>> = size.iter().map(|&s| Vec::with_capacity(s)).collect();
        for (i, &own) in seg.iter().enumerate() {
            let s = if size[own] <= 1 {
                0.0
            } else {
                let a = to_segment[own * m + i] / (size[own] - 1) as f64;
                let b = (0..k)
                    .filter(|&c| c != own && size[c] > 0)
                    .map(|c| to_segment[c * m + i] / size[c] as f64)
                    .fold(f64::INFINITY, f64::min);
                let denom = a.max(b);
                if denom > 0.0 {
                    (b - a) / denom
                } else {
                    0.0
                }
            };
            total += s;
            total2 += s * s;
            seg_total[own] += s;
            values[own].push(s);
        }
        let per_segment =
            seg_total.iter().zip(&size).map(|(t, &s)| if s > 0 { t / s as f64 } else { 0.0 }).collect();
        let mean = total / m as f64;
        let variance = (total2 / m as f64 - mean * mean).max(0.0);
        let profile = values
            .into_iter()
            .map(|mut v| {
                v.sort_by(|a, b| b.total_cmp(a));
                let keep = v.len().min(PROFILE_POINTS);
                (0..keep).map(|i| v[i * v.len() / keep.max(1)] as f32).collect()
            })
            .collect();
        SilhouetteScore {
            mean,
            per_segment,
            rows_scored: m,
            sampled,
            seed,
            std_error: (variance / m as f64).sqrt(),
            profile,
        }
    }
}

/// `size` rows from `rows`, each segment keeping its share (at least 2 rows per segment when it has them).
fn stratified_sample<L: SegmentLabels + ?Sized>(
    labels: &L,
    k: usize,
    clustered: usize,
    size: usize,
    seed: u64,
) -> Vec<usize> {
    // Each segment draws its share of its members (by their order in the file), segment by segment
    // from one seeded stream; a second pass finds the drawn members' rows (no list of every member).
    let mut members = vec![0usize; k];
    for r in 0..labels.rows() {
        if let Some(c) = labels.segment(r) {
            members[c] += 1;
        }
    }
    let mut rng = SplitMix64::new(seed);
    let n = clustered as f64;
    let drawn: Vec<Vec<usize>> = members
        .iter()
        .map(|&len| {
            let want = ((len as f64 / n) * size as f64).round() as usize;
            rng.sample_indices(len, want.max(2.min(len)))
        })
        .collect();
    let mut out = Vec::with_capacity(drawn.iter().map(Vec::len).sum());
    let (mut seen, mut next) = (vec![0usize; k], vec![0usize; k]);
    for r in 0..labels.rows() {
        if let Some(c) = labels.segment(r) {
            if drawn[c].get(next[c]) == Some(&seen[c]) {
                out.push(r);
                next[c] += 1;
            }
            seen[c] += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_job_in_small_steps_gives_the_score_of_one_step() {
        let mut rng = SplitMix64::new(7);
        let x = ndarray::Array2::from_shape_fn((900, 3), |_| rng.unit());
        let labels: Vec<Option<usize>> =
            (0..900).map(|i| if i % 11 == 0 { None } else { Some(i % 4) }).collect();
        let options = SilhouetteOptions { max_exact: 500, sample_size: 400, seed: 3 };
        let whole = silhouette(x.view(), &labels, options).unwrap_or_else(|| panic!("none"));
        let mut job =
            SilhouetteJob::new(x.view(), labels.as_slice(), options).unwrap_or_else(|| panic!("none"));
        let mut steps = 0;
        let mut last_fraction = 0.0;
        while !job.step(1_000) {
            steps += 1;
            assert!(job.fraction() > last_fraction && job.fraction() < 1.0);
            last_fraction = job.fraction();
        }
        assert!(steps > 50, "{steps} steps");
        assert_eq!(job.fraction(), 1.0);
        assert_eq!(job.finish(), whole);
        assert!(whole.sampled && whole.rows_scored >= 400);
    }

    #[test]
    fn matches_hand_computation() {
        // Points 0, 1 in A and 4 in B on a line.
        let x = array![[0.0], [1.0], [4.0]];
        let labels = vec![Some(0), Some(0), Some(1)];
        let s = silhouette(x.view(), &labels, SilhouetteOptions::default()).unwrap_or_else(|| panic!("none"));
        // s0 = (4 - 1) / 4, s1 = (3 - 1) / 3, s2 = 0 (singleton).
        let expected = (0.75 + 2.0 / 3.0 + 0.0) / 3.0;
        assert!((s.mean - expected).abs() < 1e-12);
        assert!(!s.sampled);
        // The plot's profile: each segment's values, highest first.
        assert_eq!(s.profile, vec![vec![0.75f32, (2.0f64 / 3.0) as f32], vec![0.0]]);
        assert!(s.std_error > 0.0);
    }
}

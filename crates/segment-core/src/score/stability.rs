//! Stability: do the segments survive small changes to the data? The method runs again on `runs`
//! random subsamples of 80 % of the rows (seeded; DBSCAN's min_samples scaled by 0.8 so the density
//! threshold stays the same), and each run's labels are compared with the full run's on the same rows
//! by the adjusted Rand index (1 = the same partition, 0 = chance agreement). Noise counts as a group.

use crate::rng::SplitMix64;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub const SUBSAMPLE_SHARE: f64 = 0.8;
/// Rows a stability measurement of a k-based method draws its subsamples from: beyond this many, a
/// seeded sample of them (the refits' agreement is as well measured on 200,000 rows as on a million,
/// in a fifth of the time and without copying 80% of a million rows for each refit). Density methods
/// use every row: their settings (min_samples) are those of the whole file's density.
pub const STABILITY_MAX_ROWS: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stability {
    pub mean_ari: f64,
    pub min_ari: f64,
    pub runs: usize,
    pub subsample_share: f64,
    pub seed: u64,
    /// Why stability was not measured (then `runs` is 0 and the figures mean nothing).
    #[serde(default)]
    pub skipped: Option<String>,
    /// When the rows were more than [`STABILITY_MAX_ROWS`]: the rows of the seeded sample the
    /// subsamples were drawn from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sampled_rows: Option<usize>,
}

/// Adjusted Rand index of two labelings of the same rows (None = noise, a group of its own).
pub fn adjusted_rand_index(a: &[Option<usize>], b: &[Option<usize>]) -> f64 {
    let n = a.len().min(b.len());
    if n < 2 {
        return 1.0;
    }
    let mut pairs: HashMap<(Option<usize>, Option<usize>), u64> = HashMap::new();
    let mut rows: HashMap<Option<usize>, u64> = HashMap::new();
    let mut cols: HashMap<Option<usize>, u64> = HashMap::new();
    for (&x, &y) in a.iter().zip(b).take(n) {
        *pairs.entry((x, y)).or_default() += 1;
        *rows.entry(x).or_default() += 1;
        *cols.entry(y).or_default() += 1;
    }
    let c2 = |v: u64| (v * v.saturating_sub(1)) as f64 / 2.0;
    let index: f64 = pairs.values().map(|&v| c2(v)).sum();
    let sum_a: f64 = rows.values().map(|&v| c2(v)).sum();
    let sum_b: f64 = cols.values().map(|&v| c2(v)).sum();
    let expected = sum_a * sum_b / c2(n as u64);
    let max = (sum_a + sum_b) / 2.0;
    if (max - expected).abs() < f64::EPSILON {
        return 1.0; // both labelings are trivial (one group, or all singletons) and agree
    }
    (index - expected) / (max - expected)
}

/// The subsamples of a stability measurement, each drawn when its run comes (the same draws, in the
/// same order, as drawing them all up front: one subsample is held at a time, 6.4 MB for a million
/// rows instead of 32), and the scores of the runs done so far: the worker runs one fit at a time, so a
/// new request never waits behind all five.
#[derive(Debug, Clone, PartialEq)]
pub struct StabilityPlan {
    /// The full run's segment of each row, as a result keeps them (-1: noise).
    labels: Vec<i32>,
    /// The rows the subsamples are drawn from when there are more than [`STABILITY_MAX_ROWS`] (a
    /// seeded sample, in order); None: all of them.
    base: Option<Vec<usize>>,
    runs: usize,
    rng: SplitMix64,
    /// The rows of the next run (None once every run is done).
    next: Option<Vec<usize>>,
    scores: Vec<f64>,
    seed: u64,
}

impl StabilityPlan {
    /// `max_rows`: beyond this many rows, the subsamples come from a seeded sample of this many.
    /// `labels`: the full run's, as a result keeps them (-1: noise).
    pub fn new(labels: Vec<i32>, runs: usize, seed: u64, max_rows: usize) -> Self {
        let mut rng = SplitMix64::new(seed ^ 0x5EED_57AB);
        let base = (labels.len() > max_rows).then(|| {
            let mut rows = rng.sample_indices(labels.len(), max_rows);
            rows.sort_unstable();
            rows
        });
        let mut plan = Self { labels, base, runs, rng, next: None, scores: Vec::with_capacity(runs), seed };
        plan.draw();
        plan
    }

    /// Draws the next run's rows, if a run is left.
    fn draw(&mut self) {
        let n = self.base.as_ref().map_or(self.labels.len(), Vec::len);
        let k = ((n as f64) * SUBSAMPLE_SHARE).round() as usize;
        self.next = (self.scores.len() < self.runs).then(|| {
            let drawn = self.rng.sample_indices(n, k);
            match &self.base {
                Some(base) => drawn.into_iter().map(|i| base[i]).collect(),
                None => drawn,
            }
        });
    }

    /// The rows of the next run, or None when every run is done.
    pub fn next_rows(&self) -> Option<&[usize]> {
        self.next.as_deref()
    }

    /// Every run's rows still to fit, in the order one run at a time draws them.
    fn remaining_rows(&self) -> Vec<Vec<usize>> {
        let mut ahead = self.clone();
        let mut out = Vec::new();
        while let Some(rows) = ahead.next.take() {
            out.push(rows);
            ahead.scores.push(0.0);
            ahead.draw();
        }
        out
    }

    /// Runs done so far (the next run's number, from 0).
    pub fn done_runs(&self) -> usize {
        self.scores.len()
    }

    /// Records the labels the next run gave its rows.
    pub fn record(&mut self, sub: &[Option<usize>]) {
        let Some(rows) = self.next.take() else { return };
        let reference: Vec<Option<usize>> =
            rows.iter().map(|&r| usize::try_from(self.labels[r]).ok()).collect();
        drop(rows);
        let ari = adjusted_rand_index(&reference, sub);
        self.scores.push(ari);
        self.draw();
    }

    pub fn finish(&self) -> Stability {
        let runs = self.scores.len();
        let mean_ari = self.scores.iter().sum::<f64>() / runs.max(1) as f64;
        let min_ari = self.scores.iter().copied().fold(f64::INFINITY, f64::min);
        Stability {
            skipped: None,
            mean_ari,
            min_ari: if runs == 0 { 1.0 } else { min_ari },
            runs,
            subsample_share: SUBSAMPLE_SHARE,
            seed: self.seed,
            sampled_rows: self.base.as_ref().map(Vec::len),
        }
    }
}

/// Runs `fit` on `runs` seeded subsamples (it gets the row indices and returns their labels) and
/// compares each with `labels` on those rows.
///
/// The runs are fitted side by side ([`crate::par`]): `fit` gets each run's number (from 1) with its
/// rows, and the runs' rows are those one run at a time would draw, so the answer is the same.
pub fn stability(
    labels: &[Option<usize>],
    runs: usize,
    seed: u64,
    fit: impl Fn(u64, &[usize]) -> Vec<Option<usize>> + Sync + Send,
) -> Stability {
    let labels = labels.iter().map(|l| l.map_or(-1, |c| c as i32)).collect();
    let mut plan = StabilityPlan::new(labels, runs, seed, usize::MAX);
    let rows = plan.remaining_rows();
    let numbered: Vec<(u64, &Vec<usize>)> = (1..).zip(&rows).collect();
    let fitted = crate::par::map(&numbered, |&(run, rows)| fit(run, rows));
    for sub in fitted {
        plan.record(&sub);
    }
    plan.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_file_is_measured_on_a_sample_of_its_rows() {
        let labels: Vec<i32> = (0..1_000).map(|i| i % 3).collect();
        let mut plan = StabilityPlan::new(labels.clone(), 3, 7, 100);
        let mut seen = std::collections::BTreeSet::new();
        while let Some(rows) = plan.next_rows() {
            assert_eq!(rows.len(), 80);
            seen.extend(rows.iter().copied());
            let sub: Vec<Option<usize>> = rows.iter().map(|&r| usize::try_from(labels[r]).ok()).collect();
            plan.record(&sub);
        }
        assert!(seen.len() <= 100, "{} rows drawn from a sample of 100", seen.len());
        let done = plan.finish();
        assert_eq!((done.runs, done.sampled_rows, done.mean_ari), (3, Some(100), 1.0));
        // At or under the limit: every row, as before.
        let all = StabilityPlan::new(labels, 3, 7, 1_000);
        assert_eq!(all.next_rows().map(<[usize]>::len), Some(800));
        assert_eq!(all.finish().sampled_rows, None);
    }

    #[test]
    fn ari_known_values() {
        let a = [Some(0), Some(0), Some(1), Some(1)];
        assert!((adjusted_rand_index(&a, &[Some(5), Some(5), Some(2), Some(2)]) - 1.0).abs() < 1e-12);
        // scikit-learn: adjusted_rand_score([0, 0, 1, 1], [0, 1, 0, 1]) = -0.5
        assert!((adjusted_rand_index(&a, &[Some(0), Some(1), Some(0), Some(1)]) + 0.5).abs() < 1e-12);
        // scikit-learn: adjusted_rand_score([0, 0, 1, 2], [0, 0, 1, 1]) = 0.5714285714285715
        let b = [Some(0), Some(0), Some(1), Some(2)];
        assert!(
            (adjusted_rand_index(&b, &[Some(0), Some(0), Some(1), Some(1)]) - 0.571_428_571_428_571_5).abs()
                < 1e-12
        );
    }
}

//! k-medoids: k segments, each around one of its own customers (the medoid), the one whose summed
//! distance to the segment's others is least. Outliers pull a medoid far less than they pull a mean,
//! and each segment has a real customer as its example.
//!
//! The fit is scikit-learn-extra's `KMedoids(metric="euclidean", method="alternate", init="build")`:
//! the BUILD start (Kaufman & Rousseeuw: the most central row, then each next medoid where it lowers
//! the total distance most), then alternate between assigning rows to the nearest medoid and moving
//! each medoid to its segment's most central row, until no medoid moves. Distances are computed as
//! needed (no n x n matrix), so memory stays linear; the work is quadratic in the rows, hence the work
//! budget ([`WORK`]).

use super::canonical_ids;
use crate::distance::dist;
use crate::error::CoreError;
use linfa::ParamGuard;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// The most work a fit may take: pairs of rows times features times (k + 1), about 10,000 rows of 5
/// features at k 5 (some seconds natively).
pub const WORK: f64 = 3e9;

/// Checked parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KMedoidsValidParams {
    k: usize,
    max_iter: usize,
}

/// Unchecked parameters (linfa's `ParamGuard` pattern).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KMedoidsParams(KMedoidsValidParams);

pub struct KMedoids;

impl KMedoids {
    /// k medoids, at most 300 alternations (scikit-learn-extra's default).
    pub fn params(k: usize) -> KMedoidsParams {
        KMedoidsParams(KMedoidsValidParams { k, max_iter: 300 })
    }
}

impl KMedoidsParams {
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.0.max_iter = max_iter;
        self
    }
}

super::params::param_guard!(KMedoidsParams, KMedoidsValidParams, |p| {
    super::params::k("k", p.k)?;
});

/// A k-medoids fit.
#[derive(Debug, Clone, PartialEq)]
pub struct KMedoidsFit {
    /// Canonical labels (0 = largest segment).
    pub labels: Vec<Option<usize>>,
    /// Each segment's medoid: its row, in the labels' order.
    pub medoids: Vec<usize>,
    /// The sum of each row's distance to its medoid.
    pub cost: f64,
    pub iterations: usize,
}

/// Rows of a row-major matrix.
struct Rows<'a> {
    x: &'a [f64],
    d: usize,
}

impl Rows<'_> {
    fn dist(&self, i: usize, j: usize) -> f64 {
        dist(&self.x[i * self.d..(i + 1) * self.d], &self.x[j * self.d..(j + 1) * self.d])
    }

    /// The nearest medoid of row `j` (the first of equals) and its distance.
    fn nearest(&self, medoids: &[usize], j: usize) -> (usize, f64) {
        let mut best = (0, f64::INFINITY);
        for (c, &m) in medoids.iter().enumerate() {
            let dm = self.dist(m, j);
            if dm < best.1 {
                best = (c, dm);
            }
        }
        best
    }

    /// BUILD: the row with the least summed distance to all, then, k - 1 times, the row that lowers the
    /// rows' distance to their nearest medoid the most (the last of equals, as scikit-learn-extra).
    fn build(&self, n: usize, k: usize) -> Vec<usize> {
        let mut sums = vec![0.0; n];
        for i in 0..n {
            for j in i + 1..n {
                let dij = self.dist(i, j);
                sums[i] += dij;
                sums[j] += dij;
            }
        }
        let first = (0..n).fold(0, |best, i| if sums[i] < sums[best] { i } else { best });
        let mut medoids = vec![first];
        let mut nearest: Vec<f64> = (0..n).map(|j| self.dist(first, j)).collect();
        while medoids.len() < k {
            let (mut best, mut best_gain) = (first, 0.0);
            for i in (0..n).filter(|i| !medoids.contains(i)) {
                let gain: f64 = (0..n).map(|j| (nearest[j] - self.dist(i, j)).max(0.0)).sum();
                if gain >= best_gain {
                    (best, best_gain) = (i, gain);
                }
            }
            medoids.push(best);
            for (j, near) in nearest.iter_mut().enumerate() {
                *near = near.min(self.dist(best, j));
            }
        }
        medoids
    }

    /// Moves each medoid to its segment's row of least summed distance to the others, if that is less
    /// than the medoid's own (ties keep the medoid). Returns whether a medoid moved.
    fn update(&self, medoids: &mut [usize], labels: &[usize]) -> bool {
        let mut moved = false;
        for (c, medoid) in medoids.iter_mut().enumerate() {
            let members: Vec<usize> = (0..labels.len()).filter(|&j| labels[j] == c).collect();
            if members.is_empty() {
                continue;
            }
            let mut cost = vec![0.0; members.len()];
            for a in 0..members.len() {
                for b in a + 1..members.len() {
                    let dab = self.dist(members[a], members[b]);
                    cost[a] += dab;
                    cost[b] += dab;
                }
            }
            let best = (0..members.len()).fold(0, |best, a| if cost[a] < cost[best] { a } else { best });
            let current = members.iter().position(|&j| j == *medoid).unwrap_or(0);
            if cost[best] < cost[current] {
                *medoid = members[best];
                moved = true;
            }
        }
        moved
    }
}

impl KMedoidsValidParams {
    pub fn k(&self) -> usize {
        self.k
    }

    /// Fits row-major `x` (n rows of `d` values) from the BUILD start.
    pub fn fit(&self, x: ArrayView2<f64>) -> KMedoidsFit {
        let (n, d) = x.dim();
        let data: std::borrow::Cow<[f64]> = x
            .as_slice()
            .map_or_else(|| std::borrow::Cow::Owned(x.iter().copied().collect()), std::borrow::Cow::Borrowed);
        let rows = Rows { x: &data, d };
        if n == 0 {
            return KMedoidsFit { labels: Vec::new(), medoids: Vec::new(), cost: 0.0, iterations: 0 };
        }
        let k = self.k.min(n);
        let medoids = rows.build(n, k);
        self.fit_from(&rows, n, medoids)
    }

    fn fit_from(&self, rows: &Rows, n: usize, mut medoids: Vec<usize>) -> KMedoidsFit {
        let assign =
            |medoids: &[usize]| -> Vec<usize> { (0..n).map(|j| rows.nearest(medoids, j).0).collect() };
        // Each row's nearest medoid, assigned again only when a medoid moved.
        let (mut labels, mut iterations) = (assign(&medoids), 0);
        while iterations < self.max_iter {
            iterations += 1;
            if !rows.update(&mut medoids, &labels) {
                break;
            }
            labels = assign(&medoids);
        }
        let cost = (0..n).map(|j| rows.dist(medoids[labels[j]], j)).sum();
        let (new_id, _) = canonical_ids(labels.iter().map(|&l| Some(l)));
        let mut canonical = vec![usize::MAX; new_id.iter().filter(|&&c| c != usize::MAX).count()];
        for (c, &id) in new_id.iter().enumerate() {
            if id != usize::MAX {
                canonical[id] = medoids[c];
            }
        }
        KMedoidsFit {
            labels: labels.iter().map(|&l| Some(new_id[l])).collect(),
            medoids: canonical,
            cost,
            iterations,
        }
    }
}

// ---- The method: k-medoids' settings and what the rest of the code knows of it. ----

/// k-medoids' settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KMedoidsSettings {
    pub k: usize,
}

impl Default for KMedoidsSettings {
    fn default() -> Self {
        Self { k: 3 }
    }
}

pub const INFO: super::MethodInfo = super::MethodInfo {
    key: "kmedoids",
    label: "k-medoids (k segments around real customers; up to about 10,000 rows)",
    name: "k-medoids",
    uses_k: true,
    independent_ks: true,
};

impl super::ClusterMethod for KMedoidsSettings {
    super::method::method_basics!(INFO, k);

    fn validate(&self) -> Result<(), CoreError> {
        super::params::k("k (k-medoids)", self.k)
    }

    fn check_work(&self, n: usize, d: usize) -> Result<(), CoreError> {
        // BUILD reads every pair of rows k times.
        if (n as f64).powi(2) * d.max(1) as f64 * (self.k + 1) as f64 > WORK {
            return self.refuse(format!(
                "k-medoids compares every pair of customers, so on {n} rows of {d} features with k {} it would run \
                 for minutes; use k-means, which gives similar segments on most customer files, or a smaller file",
                self.k
            ));
        }
        Ok(())
    }

    fn rows_needed(&self, _: &super::FitInputs) -> Result<usize, CoreError> {
        Ok(KMedoids::params(self.k).check_ref()?.k())
    }

    fn fit(
        &self,
        x: ArrayView2<f64>,
        _: &super::FitInputs,
        _: &mut dyn FnMut(f64),
    ) -> Result<super::MethodFit, CoreError> {
        let fit = KMedoids::params(self.k).check()?.fit(x);
        let centroids = fit.medoids.iter().map(|&m| x.row(m).to_vec()).collect();
        // A new customer joins the nearest medoid, as the rows did.
        Ok((fit.labels, super::Assignment::Centroids { centroids }).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn an_outlier_does_not_move_a_medoid() {
        // Two groups and one far customer: the far one joins the nearer segment without pulling its
        // centre (a mean would move to (7.5, 7.5)).
        let x = array![[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [5.0, 5.0], [5.1, 5.0], [5.0, 5.1], [15.0, 15.0]];
        let fit = KMedoids::params(2).check().map(|p| p.fit(x.view()));
        let Ok(fit) = fit else { panic!("valid parameters") };
        assert_eq!(fit.labels[..3], [fit.labels[0]; 3]);
        assert_eq!(fit.labels[3..6], [fit.labels[3]; 3]);
        assert_ne!(fit.labels[0], fit.labels[3]);
        assert_eq!(fit.labels[6], fit.labels[3]);
        // Each medoid is a row of its own group, not a point pulled towards the outlier.
        for &m in &fit.medoids {
            assert!(m < 6, "medoid row {m}");
        }
        assert_eq!(
            fit.labels,
            KMedoids::params(2).check().map(|p| p.fit(x.view()).labels).unwrap_or_default()
        );
    }

    #[test]
    fn k_is_checked_and_big_files_are_refused_before_any_work() {
        use crate::cluster::ClusterMethod;
        assert!(KMedoids::params(0).check().is_err());
        let settings = KMedoidsSettings { k: 5 };
        assert!(settings.check_work(5_000, 5).is_ok());
        let refused = settings.check_work(100_000, 5).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("use k-means"), "{refused}");
    }
}

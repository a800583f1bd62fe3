//! k-means: greedy k-means++ seeding (as scikit-learn: 2 + ln k candidates per centre), Lloyd iterations,
//! the best of `n_init` seeded runs by inertia. An empty cluster is re-seeded with the point farthest
//! from its centre. Convergence: total squared centre shift <= `tol` x the mean feature variance, as
//! scikit-learn defines it.

use super::canonical_ids;
use crate::distance::dist2;
use crate::rng::SplitMix64;
use linfa::ParamGuard;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KMeansValidParams {
    pub(crate) k: usize,
    pub(crate) n_init: usize,
    pub(crate) max_iter: usize,
    pub(crate) tol: f64,
    pub(crate) seed: u64,
}

/// Unchecked k-means parameters; `check()` gives [`KMeansValidParams`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KMeansParams(KMeansValidParams);

pub struct KMeans;

impl KMeans {
    /// scikit-learn's defaults: 10 inits, 300 iterations, tol 1e-4.
    pub fn params(k: usize, seed: u64) -> KMeansParams {
        KMeansParams(KMeansValidParams { k, n_init: 10, max_iter: 300, tol: 1e-4, seed })
    }
}

impl KMeansParams {
    pub fn n_init(mut self, n_init: usize) -> Self {
        self.0.n_init = n_init;
        self
    }
}

super::params::param_guard!(KMeansParams, KMeansValidParams, |p| {
    super::params::k("k", p.k)?;
    super::params::n_init(p.n_init)?;
    super::params::tol(p.tol)?;
});

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KMeansFit {
    /// Canonical labels (0 = largest segment).
    pub labels: Vec<Option<usize>>,
    /// Centres in the same order as the labels, in the space of the data given.
    pub centroids: Vec<Vec<f64>>,
    pub inertia: f64,
    pub iterations: usize,
}

impl KMeansValidParams {
    pub fn k(&self) -> usize {
        self.k
    }

    /// Fits on `x` (rows = points). Needs at least `k` rows; callers check that first.
    /// Fits on the rows as they lie in memory (a copy only when they are not one contiguous row-major
    /// block: a million rows of ten features are 80 MB).
    pub fn fit(&self, x: ArrayView2<f64>) -> KMeansFit {
        let (n, d) = x.dim();
        let copy;
        let points = match x.as_slice() {
            Some(points) => points,
            None => {
                copy = x.iter().copied().collect::<Vec<f64>>();
                &copy
            }
        };
        let mut run = Inits::new(self, points, n, d);
        while !run.next(points) {}
        run.finish()
    }

    /// The same fit in steps of one initialisation each ([`KMeansJob::step`]), so a worker can run it
    /// between requests; the job shares the rows (`x`), it does not copy them.
    pub fn start(&self, x: Arc<Array2<f64>>) -> KMeansJob {
        let x = if x.is_standard_layout() { x } else { Arc::new(x.as_standard_layout().into_owned()) };
        let (n, d) = x.dim();
        let run = Inits::new(self, x.as_slice().unwrap_or_default(), n, d);
        KMeansJob { x, run }
    }
}

/// The initialisations of one fit: its settings, the seeded generator and the best run so far.
struct Inits {
    params: KMeansValidParams,
    n: usize,
    d: usize,
    k: usize,
    tol: f64,
    rng: SplitMix64,
    inits_done: usize,
    /// Assignments, centres, inertia and iterations of the lowest inertia so far.
    best: Option<(Vec<usize>, Vec<f64>, f64, usize)>,
}

impl Inits {
    /// `points`: n rows of d values, row-major.
    fn new(params: &KMeansValidParams, points: &[f64], n: usize, d: usize) -> Self {
        let k = params.k.min(n.max(1));
        let variance_mean = (0..d)
            .map(|j| {
                let mean = (0..n).map(|i| points[i * d + j]).sum::<f64>() / n.max(1) as f64;
                (0..n).map(|i| (points[i * d + j] - mean).powi(2)).sum::<f64>() / n.max(1) as f64
            })
            .sum::<f64>()
            / d.max(1) as f64;
        Self {
            params: *params,
            n,
            d,
            k,
            tol: params.tol * variance_mean,
            rng: SplitMix64::new(params.seed),
            inits_done: 0,
            best: None,
        }
    }

    /// Runs the next initialisation on the same `points`; true once all `n_init` have run.
    fn next(&mut self, points: &[f64]) -> bool {
        // No rows: nothing to start from (the fit gives no labels).
        if self.n == 0 {
            return true;
        }
        if self.inits_done < self.params.n_init {
            let (n, d) = (self.n, self.d);
            let centres = kmeans_plus_plus(points, n, d, self.k, &mut self.rng);
            let (assign, centres, inertia, iterations) =
                lloyd(points, n, d, centres, self.params.max_iter, self.tol);
            if self.best.as_ref().is_none_or(|b| inertia < b.2) {
                self.best = Some((assign, centres, inertia, iterations));
            }
            self.inits_done += 1;
        }
        self.inits_done >= self.params.n_init
    }

    /// The fit: the initialisation of lowest inertia, segments numbered canonically.
    fn finish(self) -> KMeansFit {
        let (n, d) = (self.n, self.d);
        let Some((assign, centres, inertia, iterations)) = self.best else {
            return KMeansFit { labels: vec![None; n], centroids: Vec::new(), inertia: 0.0, iterations: 0 };
        };
        let (new_id, sizes) = canonical_ids(assign.iter().map(|&c| Some(c)));
        // The centres in canonical order (centres no row is assigned to are dropped).
        let mut centroids = vec![Vec::new(); sizes.len()];
        for (old, &new) in new_id.iter().enumerate() {
            if let Some(centre) = centroids.get_mut(new) {
                *centre = centres[old * d..(old + 1) * d].to_vec();
            }
        }
        let labels = assign.iter().map(|&c| Some(new_id[c])).collect();
        KMeansFit { labels, centroids, inertia, iterations }
    }
}

/// A k-means fit under way on rows it shares: the best of the initialisations run so far.
pub struct KMeansJob {
    x: Arc<Array2<f64>>,
    run: Inits,
}

impl KMeansJob {
    /// Runs the next initialisation; true once all `n_init` have run.
    pub fn step(&mut self) -> bool {
        self.run.next(self.x.as_slice().unwrap_or_default())
    }

    /// The fit: the initialisation of lowest inertia, segments numbered canonically.
    pub fn finish(self) -> KMeansFit {
        self.run.finish()
    }
}

/// Greedy k-means++: each new centre is the best (lowest potential) of 2 + ln k candidates drawn with
/// probability proportional to the squared distance to the nearest chosen centre.
fn kmeans_plus_plus(points: &[f64], n: usize, d: usize, k: usize, rng: &mut SplitMix64) -> Vec<f64> {
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centres = Vec::with_capacity(k * d);
    let first = rng.below(n);
    centres.extend_from_slice(&points[first * d..(first + 1) * d]);
    let mut closest: Vec<f64> = (0..n).map(|i| dist2(&points[i * d..(i + 1) * d], &centres[..d])).collect();
    let mut potential: f64 = closest.iter().sum();
    for _ in 1..k {
        let mut best: Option<(usize, f64, Vec<f64>)> = None;
        for _ in 0..trials {
            let candidate = if potential > 0.0 {
                let target = rng.unit() * potential;
                let mut acc = 0.0;
                closest
                    .iter()
                    .position(|&c| {
                        acc += c;
                        acc > target
                    })
                    .unwrap_or(n - 1)
            } else {
                rng.below(n)
            };
            let cp = &points[candidate * d..(candidate + 1) * d];
            let updated: Vec<f64> =
                (0..n).map(|i| closest[i].min(dist2(&points[i * d..(i + 1) * d], cp))).collect();
            let pot: f64 = updated.iter().sum();
            if best.as_ref().is_none_or(|b| pot < b.1) {
                best = Some((candidate, pot, updated));
            }
        }
        if let Some((c, pot, updated)) = best {
            centres.extend_from_slice(&points[c * d..(c + 1) * d]);
            closest = updated;
            potential = pot;
        }
    }
    centres
}

/// Lloyd's iterations with Hamerly's bounds (2010): each row keeps an upper bound on the distance to its
/// centre and a lower bound on the distance to any other centre; a row whose upper bound is below both
/// its lower bound and half the distance from its centre to the nearest other centre cannot change
/// segment, so its distances are not computed. The assignments are Lloyd's, iteration by iteration.
fn lloyd(
    points: &[f64],
    n: usize,
    d: usize,
    mut centres: Vec<f64>,
    max_iter: usize,
    tol: f64,
) -> (Vec<usize>, Vec<f64>, f64, usize) {
    let k = centres.len() / d;
    let mut assign = vec![0usize; n];
    let mut upper = vec![f64::INFINITY; n];
    let mut lower = vec![0.0f64; n];
    let mut fresh = true;
    let mut iterations = 0;
    let mut half_gap = vec![0.0f64; k];
    let mut moved = vec![0.0f64; k];
    for _ in 0..max_iter {
        iterations += 1;
        if fresh {
            for i in 0..n {
                let (best, second, c) = two_nearest(&points[i * d..(i + 1) * d], &centres, d);
                assign[i] = c;
                upper[i] = best;
                lower[i] = second;
            }
            fresh = false;
        } else {
            // Half the distance from each centre to its nearest other centre.
            for a in 0..k {
                let ca = &centres[a * d..(a + 1) * d];
                half_gap[a] = (0..k)
                    .filter(|&b| b != a)
                    .map(|b| dist2(ca, &centres[b * d..(b + 1) * d]))
                    .fold(f64::INFINITY, f64::min)
                    .sqrt()
                    / 2.0;
            }
            for i in 0..n {
                let a = assign[i];
                let bound = half_gap[a].max(lower[i]);
                if upper[i] <= bound {
                    continue;
                }
                let p = &points[i * d..(i + 1) * d];
                upper[i] = dist2(p, &centres[a * d..(a + 1) * d]).sqrt();
                if upper[i] <= bound {
                    continue;
                }
                let (best, second, c) = two_nearest(p, &centres, d);
                assign[i] = c;
                upper[i] = best;
                lower[i] = second;
            }
        }
        let mut sums = vec![0.0; k * d];
        let mut counts = vec![0usize; k];
        for i in 0..n {
            let c = assign[i];
            counts[c] += 1;
            for j in 0..d {
                sums[c * d + j] += points[i * d + j];
            }
        }
        for c in 0..k {
            if counts[c] == 0 {
                // Re-seed an empty cluster with the point farthest from its current centre.
                let far = (0..n)
                    .map(|i| {
                        (i, dist2(&points[i * d..(i + 1) * d], &centres[assign[i] * d..(assign[i] + 1) * d]))
                    })
                    .max_by(|a, b| a.1.total_cmp(&b.1))
                    .map_or(0, |(i, _)| i);
                sums[c * d..(c + 1) * d].copy_from_slice(&points[far * d..(far + 1) * d]);
                counts[c] = 1;
                fresh = true; // the bounds no longer hold
            }
        }
        let mut shift = 0.0;
        for c in 0..k {
            let mut moved2 = 0.0;
            for j in 0..d {
                let new = sums[c * d + j] / counts[c] as f64;
                moved2 += (new - centres[c * d + j]).powi(2);
                centres[c * d + j] = new;
            }
            shift += moved2;
            moved[c] = moved2.sqrt();
        }
        if shift <= tol {
            break;
        }
        // Move the bounds with the centres: a row's centre moved by moved[a]; any other centre by at
        // most the largest move among the others.
        let (mut first, mut second, mut first_at) = (0.0f64, 0.0f64, usize::MAX);
        for (c, &m) in moved.iter().enumerate() {
            if m > first {
                second = first;
                first = m;
                first_at = c;
            } else if m > second {
                second = m;
            }
        }
        for i in 0..n {
            let a = assign[i];
            upper[i] += moved[a];
            lower[i] -= if a == first_at { second } else { first };
        }
    }
    assign_nearest(points, n, d, &centres, &mut assign);
    let inertia = (0..n)
        .map(|i| dist2(&points[i * d..(i + 1) * d], &centres[assign[i] * d..(assign[i] + 1) * d]))
        .sum();
    (assign, centres, inertia, iterations)
}

/// The distances to the nearest and second nearest centre, and the nearest's index (ties: the lower).
fn two_nearest(p: &[f64], centres: &[f64], d: usize) -> (f64, f64, usize) {
    let (mut best, mut second, mut at) = (f64::INFINITY, f64::INFINITY, 0);
    for (c, centre) in centres.chunks_exact(d).enumerate() {
        let dist = dist2(p, centre);
        if dist < best {
            second = best;
            best = dist;
            at = c;
        } else if dist < second {
            second = dist;
        }
    }
    (best.sqrt(), second.sqrt(), at)
}

fn assign_nearest(points: &[f64], n: usize, d: usize, centres: &[f64], assign: &mut [usize]) {
    let k = centres.len() / d;
    for i in 0..n {
        let p = &points[i * d..(i + 1) * d];
        let mut best = (0, f64::INFINITY);
        for c in 0..k {
            let dist = dist2(p, &centres[c * d..(c + 1) * d]);
            if dist < best.1 {
                best = (c, dist);
            }
        }
        assign[i] = best.0;
    }
}

// ---- The method: k-means' settings and what the rest of the code knows of it. ----

/// k-means' settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KMeansSettings {
    pub k: usize,
    pub n_init: usize,
}

pub const INFO: super::MethodInfo = super::MethodInfo {
    key: "kmeans",
    label: "k-means (k round groups)",
    name: "k-means",
    uses_k: true,
    independent_ks: true,
};

impl KMeansSettings {
    /// k-means as these settings set it: the one place its parameters are read, so a fit made ahead
    /// of a run (the session's) is the run's fit.
    pub fn params(&self, seed: u64) -> Result<KMeansValidParams, crate::error::CoreError> {
        KMeans::params(self.k, seed).n_init(self.n_init).check()
    }
}

impl super::ClusterMethod for KMeansSettings {
    super::method::method_basics!(INFO, k);

    fn validate(&self) -> Result<(), crate::error::CoreError> {
        super::params::k("k (k-means)", self.k)?;
        super::params::n_init(self.n_init)
    }

    fn check_work(&self, n: usize, d: usize) -> Result<(), crate::error::CoreError> {
        if n as f64 * self.k as f64 * d as f64 * self.n_init as f64 > crate::limits::KMEANS_WORK {
            return self.refuse(format!(
                "k-means with k {} and {} initialisations on {n} rows of {d} features would run for minutes; lower k \
                 or n_init, or segment on fewer features",
                self.k, self.n_init
            ));
        }
        Ok(())
    }

    fn rows_needed(&self, inputs: &super::FitInputs) -> Result<usize, crate::error::CoreError> {
        Ok(self.params(inputs.seed)?.k())
    }

    fn fit(
        &self,
        x: ArrayView2<f64>,
        inputs: &super::FitInputs,
        _: &mut dyn FnMut(f64),
    ) -> Result<super::MethodFit, crate::error::CoreError> {
        Ok(self.params(inputs.seed)?.fit(x).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::ParamGuard;
    use ndarray::array;

    #[test]
    fn two_obvious_groups() {
        let x = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [10.0, 10.0], [10.0, 11.0]];
        let fit = KMeans::params(2, 1).check().map(|p| p.fit(x.view())).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fit.labels, vec![Some(0), Some(0), Some(0), Some(1), Some(1)]);
        assert!((fit.centroids[1][1] - 10.5).abs() < 1e-12);
        // inertia: group 0 around (1/3, 1/3): 2/9 + 5/9 + 5/9 = 4/3; group 1: 0.5.
        assert!((fit.inertia - (4.0 / 3.0 + 0.5)).abs() < 1e-12);
        assert!(KMeans::params(0, 1).check().is_err());
    }
}

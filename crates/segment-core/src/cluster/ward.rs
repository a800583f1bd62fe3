//! Agglomerative clustering with Ward linkage, exact: the nearest-neighbour chain algorithm (the one
//! scipy's `ward` and so scikit-learn's `AgglomerativeClustering(linkage="ward")` use). Memory is linear
//! (centroids and sizes, no distance matrix); time is quadratic, so it runs up to [`WARD_MAX_ROWS`] rows
//! and refuses more with a message, rather than freezing for minutes.
//!
//! Ward's cost of merging clusters A and B is the rise in within-cluster squared error,
//! |A||B| / (|A| + |B|) * |c_A - c_B|^2. The chain follows nearest neighbours until two clusters are each
//! other's nearest, merges them, and goes on; for Ward (a reducible linkage) the merges sorted by cost
//! give the same tree as merging the globally closest pair each time. Cutting the tree at k clusters
//! applies the n - k cheapest merges.

use super::canonical_labels;
use crate::error::CoreError;
use linfa::ParamGuard;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// The largest input Ward runs on: ~1.2e9 pair costs, a few seconds natively, about 10 s in a browser.
pub const WARD_MAX_ROWS: usize = 60_000;

/// Ward's stability (5 more quadratic fits) is measured up to this many rows.
pub const WARD_STABILITY_MAX_ROWS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WardValidParams {
    pub(crate) k: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WardParams(WardValidParams);

pub struct Ward;

impl Ward {
    pub fn params(k: usize) -> WardParams {
        WardParams(WardValidParams { k })
    }
}

super::params::param_guard!(WardParams, WardValidParams, |p| {
    super::params::k("k", p.k)?;
});

impl WardValidParams {
    pub fn k(&self) -> usize {
        self.k
    }

    /// Canonical labels of `x` cut at k clusters. Errors beyond [`WARD_MAX_ROWS`] rows.
    pub fn fit(
        &self,
        x: ArrayView2<f64>,
        on_progress: &mut dyn FnMut(f64),
    ) -> Result<Vec<Option<usize>>, CoreError> {
        Ok(WardTree::build(x, on_progress)?.cut(self.k))
    }
}

/// The slot nearest to slot `sa` (centroid `pa`, size `na`) by Ward's cost; `previous` wins ties.
fn nearest(
    centroid: &[f64],
    size: &[f64],
    d: usize,
    sa: usize,
    pa: &[f64],
    na: f64,
    previous: Option<usize>,
) -> (f64, usize) {
    // The scan is the whole cost of Ward: a fixed dimension lets the compiler unroll the distance.
    let found = match d {
        1 => scan::<1>(centroid, size, sa, pa, na, previous),
        2 => scan::<2>(centroid, size, sa, pa, na, previous),
        3 => scan::<3>(centroid, size, sa, pa, na, previous),
        4 => scan::<4>(centroid, size, sa, pa, na, previous),
        5 => scan::<5>(centroid, size, sa, pa, na, previous),
        6 => scan::<6>(centroid, size, sa, pa, na, previous),
        _ => scan_dyn(centroid, size, d, sa, pa, na, previous),
    };
    // Costs that are not numbers (values no distance can hold) compare as nothing: take another slot
    // rather than none, so the chain always moves.
    if found.1 == usize::MAX || found.1 == sa {
        let other = (0..size.len()).find(|&s| s != sa).unwrap_or(sa);
        return (f64::INFINITY, other);
    }
    found
}

fn scan<const D: usize>(
    centroid: &[f64],
    size: &[f64],
    sa: usize,
    pa: &[f64],
    na: f64,
    previous: Option<usize>,
) -> (f64, usize) {
    let mut a = [0.0; D];
    a.copy_from_slice(&pa[..D]);
    let cost = |s: usize, p: &[f64]| -> f64 {
        let mut d2 = 0.0;
        for j in 0..D {
            let t = a[j] - p[j];
            d2 += t * t;
        }
        na * size[s] / (na + size[s]) * d2
    };
    let mut best =
        previous.map_or((f64::INFINITY, usize::MAX), |p| (cost(p, &centroid[p * D..(p + 1) * D]), p));
    for (s, p) in centroid.chunks_exact(D).enumerate() {
        let c = cost(s, p);
        if c < best.0 && s != sa {
            best = (c, s);
        }
    }
    best
}

fn scan_dyn(
    centroid: &[f64],
    size: &[f64],
    d: usize,
    sa: usize,
    pa: &[f64],
    na: f64,
    previous: Option<usize>,
) -> (f64, usize) {
    let cost = |s: usize| -> f64 {
        let d2: f64 = pa.iter().zip(&centroid[s * d..(s + 1) * d]).map(|(p, q)| (p - q) * (p - q)).sum();
        na * size[s] / (na + size[s]) * d2
    };
    let mut best = previous.map_or((f64::INFINITY, usize::MAX), |p| (cost(p), p));
    for s in 0..size.len() {
        if s != sa {
            let c = cost(s);
            if c < best.0 {
                best = (c, s);
            }
        }
    }
    best
}

/// The whole merge tree: cut it at any k without building it again (the k sweep does).
#[derive(Debug, Clone, PartialEq)]
pub struct WardTree {
    n: usize,
    /// (cost, a point of one cluster, a point of the other), sorted by cost.
    merges: Vec<(f64, usize, usize)>,
}

/// Ward's row limit for `d` features ([`crate::limits::ward_max_rows`]), with why and what to use.
fn within_rows(n: usize, d: usize) -> Result<(), CoreError> {
    let max = crate::limits::ward_max_rows(d);
    if n > max {
        return Err(CoreError::TooManyRows {
            method: "Ward linkage".into(),
            rows: n,
            max,
            why: format!(
                "it compares every pair of groups, so its time grows with the square of the rows (and with the {d} \
                 features). Use k-means or a Gaussian mixture, which give similar segments on most customer files"
            ),
        });
    }
    Ok(())
}

impl WardTree {
    /// Builds the tree of `x`. Errors beyond [`WARD_MAX_ROWS`] rows.
    pub fn build(x: ArrayView2<f64>, on_progress: &mut dyn FnMut(f64)) -> Result<Self, CoreError> {
        let (n, d) = x.dim();
        within_rows(n, d)?;
        if n == 0 {
            return Ok(Self { n, merges: Vec::new() });
        }
        // Active clusters in slots, compacted so the nearest-neighbour scan reads contiguous memory:
        // slot s holds cluster id[s] (the smallest point index it contains), its centroid and size.
        let mut centroid: Vec<f64> = x.iter().copied().collect();
        let mut size: Vec<f64> = vec![1.0; n];
        let mut id: Vec<usize> = (0..n).collect();
        let mut slot_of: Vec<usize> = (0..n).collect();
        let mut merges: Vec<(f64, usize, usize)> = Vec::with_capacity(n.saturating_sub(1));
        let mut chain: Vec<usize> = Vec::with_capacity(64); // cluster ids
        while id.len() > 1 {
            if chain.is_empty() {
                chain.push(id[0]);
            }
            let a = chain[chain.len() - 1];
            let previous = chain.len().checked_sub(2).map(|i| chain[i]);
            let sa = slot_of[a];
            let (na, pa) = (size[sa], centroid[sa * d..(sa + 1) * d].to_vec());
            // Nearest cluster to a; the previous link of the chain wins ties (the algorithm needs it).
            let previous_slot = previous.map(|p| slot_of[p]);
            let best = nearest(&centroid, &size, d, sa, &pa, na, previous_slot);
            let b = id[best.1];
            if Some(b) != previous {
                chain.push(b);
                continue;
            }
            chain.truncate(chain.len() - 2);
            let (sb, total) = (best.1, na + size[best.1]);
            let (keep, gone) = if a < b { (sa, sb) } else { (sb, sa) };
            merges.push((best.0, id[keep], id[gone]));
            for j in 0..d {
                centroid[keep * d + j] = (pa[j] * na + centroid[sb * d + j] * size[sb]) / total;
            }
            size[keep] = total;
            // Remove slot `gone`: the last slot moves into it.
            let last = id.len() - 1;
            if gone != last {
                id[gone] = id[last];
                size[gone] = size[last];
                centroid.copy_within(last * d..(last + 1) * d, gone * d);
                slot_of[id[gone]] = gone;
            }
            id.pop();
            size.pop();
            centroid.truncate(last * d);
            if merges.len().is_multiple_of(512) {
                on_progress(merges.len() as f64 / (n - 1) as f64);
            }
        }
        merges.sort_by(|p, q| p.0.total_cmp(&q.0));
        Ok(Self { n, merges })
    }

    /// Canonical labels at k clusters: the n - k cheapest merges, joined with a union-find over points.
    pub fn cut(&self, k: usize) -> Vec<Option<usize>> {
        let (n, merges) = (self.n, &self.merges);
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for &(_, a, b) in merges.iter().take(n.saturating_sub(k.max(1))) {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
        let mut root_id = vec![usize::MAX; n];
        let mut next = 0;
        let raw: Vec<Option<usize>> = (0..n)
            .map(|i| {
                let r = find(&mut parent, i);
                if root_id[r] == usize::MAX {
                    root_id[r] = next;
                    next += 1;
                }
                Some(root_id[r])
            })
            .collect();
        canonical_labels(&raw).0
    }
}

// ---- The method: Ward's settings and what the rest of the code knows of it. ----

/// Where Ward's tree is cut: k segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WardSettings {
    pub k: usize,
}

impl Default for WardSettings {
    fn default() -> Self {
        Self { k: 3 }
    }
}

pub const INFO: super::MethodInfo = super::MethodInfo {
    key: "ward",
    label: "Ward linkage (hierarchical; up to 60,000 rows)",
    name: "Ward linkage",
    uses_k: true,
    // Its cuts are nested by construction: nesting says nothing there.
    independent_ks: false,
};

impl super::ClusterMethod for WardSettings {
    super::method::method_basics!(INFO, k);

    fn validate(&self) -> Result<(), crate::error::CoreError> {
        super::params::k("k (Ward)", self.k)
    }

    fn check_work(&self, n: usize, d: usize) -> Result<(), crate::error::CoreError> {
        within_rows(n, d)
    }

    fn rows_needed(&self, _: &super::FitInputs) -> Result<usize, CoreError> {
        Ok(Ward::params(self.k).check_ref()?.k())
    }

    fn fit(
        &self,
        x: ArrayView2<f64>,
        _: &super::FitInputs,
        on_progress: &mut dyn FnMut(f64),
    ) -> Result<super::MethodFit, CoreError> {
        let labels = Ward::params(self.k).check()?.fit(x, on_progress)?;
        let centroids = super::method::segment_centres(x, &labels);
        Ok((labels, super::Assignment::Centroids { centroids }).into())
    }

    fn cuts(
        &self,
        x: ArrayView2<f64>,
        on_progress: &mut dyn FnMut(f64),
    ) -> Result<Option<super::method::Cuts>, CoreError> {
        let tree = WardTree::build(x, on_progress)?;
        Ok(Some(Box::new(move |k| tree.cut(k))))
    }

    fn stability_max_rows(&self) -> Option<usize> {
        Some(WARD_STABILITY_MAX_ROWS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::ParamGuard;
    use ndarray::Array2;

    /// The textbook greedy algorithm (merge the cheapest pair, repeat), O(n^3): the reference.
    fn greedy(x: &Array2<f64>, k: usize) -> Vec<Option<usize>> {
        let (n, d) = x.dim();
        let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
        let centre = |m: &[usize]| -> Vec<f64> {
            (0..d).map(|j| m.iter().map(|&i| x[[i, j]]).sum::<f64>() / m.len() as f64).collect()
        };
        while members.len() > k {
            let mut best = (f64::INFINITY, 0, 0);
            for a in 0..members.len() {
                for b in a + 1..members.len() {
                    let (ca, cb) = (centre(&members[a]), centre(&members[b]));
                    let (na, nb) = (members[a].len() as f64, members[b].len() as f64);
                    let c =
                        na * nb / (na + nb) * ca.iter().zip(&cb).map(|(p, q)| (p - q).powi(2)).sum::<f64>();
                    if c < best.0 {
                        best = (c, a, b);
                    }
                }
            }
            let gone = members.remove(best.2);
            members[best.1].extend(gone);
        }
        let mut raw = vec![None; n];
        for (c, m) in members.iter().enumerate() {
            for &i in m {
                raw[i] = Some(c);
            }
        }
        canonical_labels(&raw).0
    }

    #[test]
    fn chain_gives_the_greedy_tree() {
        let mut rng = crate::rng::SplitMix64::new(5);
        for (n, d, k) in [(40, 2, 3), (60, 3, 4), (25, 5, 2), (50, 1, 5)] {
            let x = Array2::from_shape_fn((n, d), |_| rng.unit() * 10.0);
            let ours = Ward::params(k).check().unwrap_or_else(|e| panic!("{e}")).fit(x.view(), &mut |_| {});
            assert_eq!(ours.ok(), Some(greedy(&x, k)), "n={n} d={d} k={k}");
        }
    }

    #[test]
    fn too_many_rows_is_a_clear_error() {
        let x = Array2::<f64>::zeros((WARD_MAX_ROWS + 1, 1));
        let err = Ward::params(3).check().unwrap_or_else(|e| panic!("{e}")).fit(x.view(), &mut |_| {}).err();
        assert!(err.is_some_and(|e| e.to_string().contains("60000")));
    }
}

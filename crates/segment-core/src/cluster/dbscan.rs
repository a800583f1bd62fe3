//! DBSCAN on a grid, with the labels scikit-learn and linfa-clustering give.
//!
//! Why not linfa-clustering's `Dbscan`: it stores every neighbourhood and re-queries a kd-tree per point,
//! which takes seconds at 55k rows and minutes at 1M. This version:
//! 1. puts the points in a grid of cell side `eps / sqrt(d)` for up to three dimensions (see
//!    [`super::grid`]), or in a k-d tree above that (see [`super::kdtree`]), where whole boxes
//!    inside a ball or narrower than eps are counted and joined without a distance per point;
//! 2. marks core points, stopping each count as soon as it reaches `min_samples`;
//! 3. joins core points within `eps` of each other with a union-find, each pair of cells scanned once;
//! 4. numbers the clusters in the order of their first core point, as scikit-learn's scan does, and
//!    gives each border point the first cluster (in that order) with a core point within `eps`: exactly
//!    the cluster scikit-learn's and linfa's expansion reaches it from first.
//!
//! A point is core when at least `min_samples` points, itself included, lie within distance `<= eps`.
//! linfa-clustering's `Dbscan` (with `tolerance = eps`) stays the reference in the tests.

use super::grid::{Grid, MAX_GRID_DIMS};
use super::kdtree::KdTree;
use super::reachability::Reachability;
use super::union_find::UnionFind;
use crate::distance::dist2;
use linfa::traits::Transformer;
use linfa::ParamGuard;
use ndarray::{Array1, ArrayBase, Data, Ix2};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// DBSCAN's settings as the person gave them: `eps` (neighbourhood radius, in scaled units) and
/// `min_samples` (points within `eps`, the point itself included, that make a point core).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DbscanValidParams {
    pub(crate) eps: f64,
    pub(crate) min_samples: usize,
}

/// Unchecked parameters (linfa's `ParamGuard` pattern): `check()` gives [`DbscanValidParams`], the only
/// type that runs, so the algorithm never sees a bad value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DbscanParams(DbscanValidParams);

pub struct Dbscan;

impl Dbscan {
    pub fn params(eps: f64, min_samples: usize) -> DbscanParams {
        DbscanParams(DbscanValidParams { eps, min_samples })
    }
}

super::params::param_guard!(DbscanParams, DbscanValidParams, |p| {
    super::params::eps(p.eps)?;
    super::check_min_samples(p.min_samples)?;
});

/// The result of a fit: raw cluster ids in scikit-learn's order (first core point first), and which
/// rows are core points.
#[derive(Debug, Clone, PartialEq)]
pub struct DbscanFit {
    pub labels: Vec<Option<usize>>,
    pub core_mask: Vec<bool>,
}

impl DbscanValidParams {
    pub fn eps(&self) -> f64 {
        self.eps
    }

    pub fn min_samples(&self) -> usize {
        self.min_samples
    }

    #[allow(
        clippy::needless_range_loop,
        reason = "a sorted position indexes several parallel arrays (core, order, cell_of) and the grid"
    )]
    /// Fits on row-major data `x` (`n * d`, finite). `on_progress` gets 0..1.
    pub fn fit_rows(&self, x: &[f64], n: usize, d: usize, on_progress: &mut dyn FnMut(f64)) -> DbscanFit {
        if n == 0 {
            return DbscanFit { labels: Vec::new(), core_mask: Vec::new() };
        }
        if d > MAX_GRID_DIMS {
            return self.fit_tree(x, n, d, on_progress);
        }
        let eps2 = self.eps * self.eps;
        let grid = Grid::build(x, n, d, self.eps);
        let small = grid.small_cells();
        let n_cells = grid.n_cells();
        on_progress(0.1);

        // 2. Core points, in sorted order. In small cells a cell's own points all count without a
        //    distance, and a cell holding min_samples points is all core.
        let mut core = vec![false; n];
        for c in 0..n_cells {
            let members = grid.cell_range(c as u32);
            let own = if small { members.len() } else { 0 };
            if own >= self.min_samples {
                core[members].iter_mut().for_each(|v| *v = true);
                continue;
            }
            let cells = grid.neighbour_cells(c);
            let others = if small { &cells[1..] } else { cells };
            for s in members {
                let p = grid.point(s);
                let mut count = own;
                'scan: for &nc in others {
                    for t in grid.cell_range(nc) {
                        if dist2(p, grid.point(t)) <= eps2 {
                            count += 1;
                            if count >= self.min_samples {
                                break 'scan;
                            }
                        }
                    }
                }
                core[s] = count >= self.min_samples;
            }
            if c % 4096 == 0 {
                on_progress(0.1 + 0.4 * c as f64 / n_cells as f64);
            }
        }

        // 3. Union-find over core points; each unordered pair of cells once (nc > c).
        let mut uf = UnionFind::new(n);
        if small {
            // A cell's cores are mutual neighbours: one set. Two cells join as soon as one pair of
            // their cores is within eps, and are skipped when already joined.
            let first_core: Vec<Option<usize>> =
                (0..n_cells).map(|c| grid.cell_range(c as u32).find(|&s| core[s])).collect();
            for c in 0..n_cells {
                let Some(a) = first_core[c] else { continue };
                for s in grid.cell_range(c as u32).filter(|&s| core[s]) {
                    uf.union(a, s);
                }
            }
            for c in 0..n_cells {
                let Some(a) = first_core[c] else { continue };
                for &nc in &grid.neighbour_cells(c)[1..] {
                    let Some(b) = first_core[nc as usize] else {
                        continue;
                    };
                    if (nc as usize) < c || uf.find(a) == uf.find(b) {
                        continue;
                    }
                    if any_core_pair_within(&grid, &core, c as u32, nc, eps2) {
                        uf.union(a, b);
                    }
                }
                if c % 4096 == 0 {
                    on_progress(0.5 + 0.35 * c as f64 / n_cells as f64);
                }
            }
        } else {
            for c in 0..n_cells {
                let cells = grid.neighbour_cells(c);
                for s in grid.cell_range(c as u32) {
                    if !core[s] {
                        continue;
                    }
                    let p = grid.point(s);
                    for &nc in cells {
                        if (nc as usize) < c {
                            continue;
                        }
                        let range = grid.cell_range(nc);
                        let start = if nc as usize == c { s + 1 } else { range.start };
                        for t in start..range.end {
                            if core[t] && uf.find(s) != uf.find(t) && dist2(p, grid.point(t)) <= eps2 {
                                uf.union(s, t);
                            }
                        }
                    }
                }
                if c % 4096 == 0 {
                    on_progress(0.5 + 0.35 * c as f64 / n_cells as f64);
                }
            }
        }

        let fit = label_rows(&grid.order, &core, &mut uf, |s, emit| {
            let p = grid.point(s);
            for &nc in grid.neighbour_cells(grid.cell_of[s] as usize) {
                grid.cell_range(nc)
                    .filter(|&t| core[t] && dist2(p, grid.point(t)) <= eps2)
                    .for_each(&mut *emit);
            }
        });
        on_progress(1.0);
        fit
    }

    /// Above three dimensions: the same steps on a k-d tree over all dimensions (see
    /// [`super::kdtree`] for why the grid is not used there).
    #[allow(clippy::needless_range_loop, reason = "a tree position indexes core, order and the tree")]
    fn fit_tree(&self, x: &[f64], n: usize, d: usize, on_progress: &mut dyn FnMut(f64)) -> DbscanFit {
        let eps2 = self.eps * self.eps;
        let min_samples = self.min_samples;
        let tree = KdTree::build(x, n, d);
        let within = |s: usize, t: usize| dist2(tree.point(s), tree.point(t)) <= eps2;
        on_progress(0.1);
        let report = (n / 50).max(1);

        // Core points: count until min_samples, whole boxes inside the ball without a distance.
        let mut core = vec![false; n];
        for s in 0..n {
            let mut count = 0;
            tree.visit(tree.point(s), eps2, &mut |range, inside, _| {
                if inside {
                    count += range.len();
                } else {
                    for t in range {
                        if within(s, t) {
                            count += 1;
                            if count >= min_samples {
                                break;
                            }
                        }
                    }
                }
                count < min_samples
            });
            core[s] = count >= min_samples;
            if s % report == 0 {
                on_progress(0.1 + 0.4 * s as f64 / n as f64);
            }
        }
        // The first core at or after each position, to find a range's first core at once.
        let mut next_core = vec![n; n + 1];
        for s in (0..n).rev() {
            next_core[s] = if core[s] { s } else { next_core[s + 1] };
        }
        // The first core of `range` within eps of `s`: in a compact range one is enough, since all its
        // cores are joined below.
        let first_core_within = |s: usize, range: Range<usize>, inside: bool| -> Option<usize> {
            let end = range.end;
            let mut t = next_core[range.start];
            while t < end {
                if inside || within(s, t) {
                    return Some(t);
                }
                t = next_core[t + 1];
            }
            None
        };

        // Union: the cores of a compact range are mutual neighbours (one set); then each core joins
        // the cores within eps, one per compact range. A pair is joined from its earlier core, so
        // each core skips the tree positions before it (whether reached directly or through a
        // compact range, the earlier core already joined it).
        let mut uf = UnionFind::new(n);
        for range in tree.compact_ranges(eps2) {
            let mut cores = range.filter(|&t| core[t]);
            if let Some(a) = cores.next() {
                cores.for_each(|t| {
                    uf.union(a, t);
                });
            }
        }
        for s in 0..n {
            if !core[s] {
                continue;
            }
            tree.visit_from(tree.point(s), eps2, s + 1, &mut |range, inside, compact| {
                if compact {
                    if let Some(t) = first_core_within(s, range, inside) {
                        uf.union(s, t);
                    }
                } else {
                    for t in range.filter(|&t| t > s && core[t]) {
                        if within(s, t) {
                            uf.union(s, t);
                        }
                    }
                }
                true
            });
            if s % report == 0 {
                on_progress(0.5 + 0.35 * s as f64 / n as f64);
            }
        }

        // A border point needs one core per compact range: all of that range's cores share a cluster.
        let fit = label_rows(&tree.order, &core, &mut uf, |s, emit| {
            tree.visit(tree.point(s), eps2, &mut |range, inside, compact| {
                if compact {
                    first_core_within(s, range, inside).into_iter().for_each(&mut *emit);
                } else {
                    range.filter(|&t| core[t] && within(s, t)).for_each(&mut *emit);
                }
                true
            });
        });
        on_progress(1.0);
        fit
    }
}

/// DBSCAN at any eps for one `min_samples`, from what does not depend on eps: each row's core distance
/// and the minimum spanning tree of the mutual-reachability graph ([`super::reachability`]). A point is
/// core at eps when its core distance is at most eps, and two core points within eps of each other are
/// joined by an edge of weight at most eps; so DBSCAN's clusters of core points are the components of
/// the spanning tree's edges of weight at most eps (a minimum spanning tree joins two points below a
/// weight exactly when the graph's edges below it do). A fit at a new eps is then a union-find pass over
/// the sorted edges and a search around each non-core point for its cluster: the same labels as
/// [`DbscanValidParams::fit_rows`], in milliseconds instead of a neighbour count per point.
pub struct EpsIndex {
    tree: KdTree,
    min_samples: usize,
    /// Squared core distances, per tree position.
    core2: Vec<f64>,
    /// The spanning tree's edges as (squared weight, tree positions), lightest first.
    edges: Vec<(f64, u32, u32)>,
}

impl EpsIndex {
    /// From a finished [`Reachability`] build (None while it is not done).
    pub(crate) fn new(built: Reachability) -> Option<Self> {
        if !built.done() {
            return None;
        }
        let Reachability { tree, min_samples, core2, edges, .. } = built;
        let mut position = vec![0u32; tree.order.len()];
        for (s, &row) in tree.order.iter().enumerate() {
            position[row] = s as u32;
        }
        let mut edges: Vec<(f64, u32, u32)> =
            edges.iter().map(|e| (e.w2, position[e.lo as usize], position[e.hi as usize])).collect();
        edges.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        Some(Self { tree, min_samples, core2, edges })
    }

    /// Builds it at once on row-major `x` (`n * d`, finite).
    pub fn build(x: &[f64], n: usize, d: usize, min_samples: usize) -> Option<Self> {
        Self::new(Reachability::build(x, n, d, min_samples, &mut |_| {}))
    }

    /// Starts building it in steps (see [`EpsIndexBuild`]).
    pub fn start(x: &[f64], n: usize, d: usize, min_samples: usize) -> EpsIndexBuild {
        EpsIndexBuild(Reachability::new(x, n, d, min_samples))
    }

    pub fn min_samples(&self) -> usize {
        self.min_samples
    }

    pub fn rows(&self) -> usize {
        self.core2.len()
    }

    /// DBSCAN's fit at `eps` (positive, finite): the labels and core points
    /// [`DbscanValidParams::fit_rows`] gives with this index's `min_samples`.
    pub fn fit(&self, eps: f64) -> DbscanFit {
        let eps2 = eps * eps;
        let n = self.rows();
        let core: Vec<bool> = self.core2.iter().map(|&c| c <= eps2).collect();
        let mut uf = UnionFind::new(n);
        for &(w2, a, b) in &self.edges {
            if w2 > eps2 {
                break;
            }
            uf.union(a as usize, b as usize);
        }
        let tree = &self.tree;
        label_rows(&tree.order, &core, &mut uf, |s, emit| {
            let p = tree.point(s);
            tree.visit(p, eps2, &mut |range, _, _| {
                range.filter(|&t| core[t] && dist2(p, tree.point(t)) <= eps2).for_each(&mut *emit);
                true
            });
        })
    }
}

/// An [`EpsIndex`] being built, a few points' searches a step, so a worker builds it between requests.
pub struct EpsIndexBuild(Reachability);

impl EpsIndexBuild {
    /// Goes on for about `points` points' neighbour searches; true once it is built.
    pub fn step(&mut self, points: usize) -> bool {
        self.0.step(points)
    }

    pub fn min_samples(&self) -> usize {
        self.0.min_samples
    }

    /// The index, once [`EpsIndexBuild::step`] said it is built.
    pub fn finish(self) -> Option<EpsIndex> {
        EpsIndex::new(self.0)
    }
}

/// Step 4: the labels in the file's row order (`order` maps grid or tree positions to rows). Clusters are
/// numbered by the smallest original row among their core points, as scikit-learn's scan finds them;
/// a border point takes the lowest-numbered cluster among the core points `core_neighbours(s, emit)`
/// reports within eps of it (one per cluster is enough), else it is noise.
fn label_rows(
    order: &[usize],
    core: &[bool],
    uf: &mut UnionFind,
    mut core_neighbours: impl FnMut(usize, &mut dyn FnMut(usize)),
) -> DbscanFit {
    let n = order.len();
    let mut first_row = vec![usize::MAX; n];
    for s in 0..n {
        if core[s] {
            let r = uf.find(s);
            first_row[r] = first_row[r].min(order[s]);
        }
    }
    let mut roots: Vec<usize> = (0..n).filter(|&s| core[s] && uf.find(s) == s).collect();
    roots.sort_by_key(|&r| first_row[r]);
    let mut cluster_of_root = vec![usize::MAX; n];
    for (id, &r) in roots.iter().enumerate() {
        cluster_of_root[r] = id;
    }

    let mut labels = vec![None; n];
    let mut core_mask = vec![false; n];
    for s in 0..n {
        let row = order[s];
        if core[s] {
            labels[row] = Some(cluster_of_root[uf.find(s)]);
            core_mask[row] = true;
            continue;
        }
        let mut best: Option<usize> = None;
        core_neighbours(s, &mut |t| {
            let id = cluster_of_root[uf.find(t)];
            best = Some(best.map_or(id, |b| b.min(id)));
        });
        labels[row] = best;
    }
    DbscanFit { labels, core_mask }
}

/// Whether some core of cell `a` lies within eps of some core of cell `b`.
fn any_core_pair_within(grid: &Grid, core: &[bool], a: u32, b: u32, eps2: f64) -> bool {
    grid.cell_range(a).filter(|&s| core[s]).any(|s| {
        let p = grid.point(s);
        grid.cell_range(b).any(|t| core[t] && dist2(p, grid.point(t)) <= eps2)
    })
}

impl<D: Data<Elem = f64>> Transformer<&ArrayBase<D, Ix2>, Array1<Option<usize>>> for DbscanValidParams {
    fn transform(&self, x: &ArrayBase<D, Ix2>) -> Array1<Option<usize>> {
        let (n, d) = x.dim();
        let rows: Vec<f64> = x.iter().copied().collect();
        Array1::from(self.fit_rows(&rows, n, d, &mut |_| {}).labels)
    }
}

// ---- The method: DBSCAN's settings and what the rest of the code knows of it. ----

/// DBSCAN's settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DbscanSettings {
    /// Neighbourhood radius in scaled units.
    pub eps: f64,
    /// Points within eps, the point itself included, that make a point core.
    pub min_samples: usize,
}

pub const INFO: super::MethodInfo = super::MethodInfo {
    key: "dbscan",
    label: "DBSCAN (density; finds noise)",
    name: "DBSCAN",
    uses_k: false,
    independent_ks: false,
};

impl super::ClusterMethod for DbscanSettings {
    super::method::method_basics!(INFO);

    fn parameters(&self) -> String {
        format!("eps {}, min_samples {}", eps_words(self.eps), self.min_samples)
    }

    fn validate(&self) -> Result<(), crate::error::CoreError> {
        super::params::eps(self.eps)?;
        super::params::min_samples("min_samples", self.min_samples, crate::limits::MIN_MIN_SAMPLES)
    }

    fn check_work(&self, n: usize, d: usize) -> Result<(), crate::error::CoreError> {
        // Up to 8 features the grid and the k-d tree prune well; beyond, every row is compared with
        // most others.
        if d > 8 && (n as f64).powi(2) * d as f64 > crate::limits::DBSCAN_WORK {
            return self.refuse(format!(
                "DBSCAN on {n} rows of {d} features compares nearly every pair of rows (distances concentrate in \
                 many dimensions) and would run for minutes; use k-means, or fewer features"
            ));
        }
        Ok(())
    }

    fn rows_needed(&self, _: &super::FitInputs) -> Result<usize, crate::error::CoreError> {
        Ok(Dbscan::params(self.eps, self.min_samples).check()?.min_samples())
    }

    fn fit(
        &self,
        x: ndarray::ArrayView2<f64>,
        inputs: &super::FitInputs,
        on_progress: &mut dyn FnMut(f64),
    ) -> Result<super::MethodFit, crate::error::CoreError> {
        let (n, d) = x.dim();
        // Row-major rows as they are (prepared rows are): no copy of a million rows.
        let rows: std::borrow::Cow<[f64]> = x
            .as_slice()
            .map_or_else(|| std::borrow::Cow::Owned(x.iter().copied().collect()), std::borrow::Cow::Borrowed);
        let params = Dbscan::params(self.eps, self.min_samples).check()?;
        let fit = match inputs.eps_index.filter(|i| i.min_samples() == params.min_samples() && i.rows() == n)
        {
            Some(index) => index.fit(params.eps()),
            None => params.fit_rows(&rows, n, d, on_progress),
        };
        let (labels, _) = super::canonical_labels(&fit.labels);
        let assignment = super::Assignment::from_dbscan(self.eps, d, &rows, &fit.core_mask, &labels);
        Ok((labels, assignment).into())
    }
}

/// eps as tables show it: four decimals at most (the automatic choice rounds it to two significant
/// digits), all of a smaller value.
fn eps_words(eps: f64) -> String {
    if eps.abs() >= 1e-3 {
        crate::numbers::fixed(eps, 4)
    } else {
        eps.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linfa::ParamGuard;
    use ndarray::array;

    #[test]
    fn two_blobs_and_noise() {
        let x = array![[0.0, 0.0], [0.0, 0.1], [0.1, 0.0], [5.0, 5.0], [5.0, 5.1], [5.1, 5.0], [9.0, 0.0]];
        let labels =
            Dbscan::params(0.2, 3).check().map(|p| p.transform(&x)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(labels.to_vec(), vec![Some(0), Some(0), Some(0), Some(1), Some(1), Some(1), None]);
    }

    #[test]
    fn the_index_gives_dbscans_labels_at_every_eps() {
        use crate::rng::SplitMix64;
        let mut rng = SplitMix64::new(21);
        for case in 0..16 {
            let n = 50 + rng.below(600);
            let d = 1 + rng.below(5);
            // A lattice: duplicates, and distances exactly eps apart.
            let lattice = case % 4 == 0;
            let x: Vec<f64> =
                (0..n * d).map(|_| if lattice { rng.below(6) as f64 * 0.25 } else { rng.unit() }).collect();
            let min_samples = 1 + rng.below(12);
            let index = EpsIndex::build(&x, n, d, min_samples).unwrap_or_else(|| panic!("built"));
            for eps in [0.01, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 3.0] {
                let direct = Dbscan::params(eps, min_samples)
                    .check()
                    .map(|p| p.fit_rows(&x, n, d, &mut |_| {}))
                    .unwrap_or_else(|e| panic!("{e}"));
                assert_eq!(
                    index.fit(eps),
                    direct,
                    "case {case}: n {n}, d {d}, min_samples {min_samples}, eps {eps}"
                );
            }
        }
        // More min_samples than rows: every row noise, as DBSCAN.
        let x = [0.0, 0.1, 0.2];
        let index = EpsIndex::build(&x, 3, 1, 5).unwrap_or_else(|| panic!("built"));
        assert_eq!(index.fit(1.0).labels, vec![None; 3]);
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(Dbscan::params(0.0, 5).check().is_err());
        assert!(Dbscan::params(f64::NAN, 5).check().is_err());
        assert!(Dbscan::params(0.1, 0).check().is_err());
    }

    #[test]
    fn border_point_goes_to_the_first_cluster() {
        // Two chains of cores, 0.5..2.0 and 4.0..5.5 (eps 1.0, min_samples 4); the point at 3.0 has only
        // 3 neighbours (itself included), so it is a border point within eps of both chains: the chain
        // whose first core comes first in the file (cluster 0) takes it, as in scikit-learn.
        let xs = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 4.5, 5.0, 5.5, 6.0];
        let x = ndarray::Array2::from_shape_fn((xs.len(), 1), |(i, _)| xs[i]);
        let labels =
            Dbscan::params(1.0, 4).check().map(|p| p.transform(&x)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(labels[5], Some(0));
        assert_eq!(labels[0], Some(0));
        assert_eq!(labels[10], Some(1));
    }
}

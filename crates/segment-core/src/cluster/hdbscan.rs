//! HDBSCAN: density segments without an eps, with the labels and membership probabilities
//! scikit-learn's `HDBSCAN` gives.
//!
//! The steps are scikit-learn's (after Campello, Moulavi & Sander 2013 and the `hdbscan` library):
//! 1. each point's core distance: the distance to its `min_samples`-th nearest point, itself counted;
//! 2. the minimum spanning tree of the mutual-reachability graph, where two points are
//!    `max(core_a, core_b, distance)` apart;
//! 3. the single-linkage hierarchy of that tree, condensed: a split where one side has fewer than
//!    `min_cluster_size` points is points leaving the cluster, not a new cluster;
//! 4. each cluster's stability (the sum, over its points, of how long in `lambda = 1 / distance` they
//!    stay in it), and the selection: excess of mass (`eom`: a cluster is kept unless its children
//!    together are more stable) or the leaves of the condensed tree (`leaf`);
//! 5. labels (a point belongs to the selected cluster it fell out of, or of an ancestor; else noise)
//!    and membership probabilities (the point's lambda over its cluster's largest lambda).
//!
//! Why not scikit-learn's step 2: it runs Prim's algorithm over the full distance matrix, n² distances
//! (48 s for the 55k sample on two cores). Here the tree comes from Borůvka's algorithm on a k-d tree
//! ([`super::reachability`], which DBSCAN at any eps shares): a minimum spanning tree for any ties, so
//! the hierarchy (which depends only on the weights) is the same.
//! Steps 3-5 follow scikit-learn's `_tree.pyx` line by line, including its order of rows in the
//! condensed tree, on which its membership probabilities depend.

use super::kdtree::KdTree;
use super::reachability::{min_core_per_node, Edge, Reachability};
use crate::distance::dist2;
use crate::error::CoreError;
use linfa::traits::Transformer;
use linfa::ParamGuard;
use ndarray::{Array1, ArrayBase, Data, Ix2};
use serde::{Deserialize, Serialize};

/// How clusters are chosen from the condensed tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// Excess of mass: the most stable clusters, large and few (scikit-learn's default).
    #[default]
    Eom,
    /// The leaves of the condensed tree: the smallest dense groups, many and homogeneous.
    Leaf,
}

impl Selection {
    pub fn as_str(self) -> &'static str {
        match self {
            Selection::Eom => "eom",
            Selection::Leaf => "leaf",
        }
    }
}

/// HDBSCAN's settings: `min_cluster_size` (the smallest group worth calling a segment) and
/// `min_samples` (the neighbours, the point itself counted, that make a point's neighbourhood dense;
/// scikit-learn's default is `min_cluster_size`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HdbscanValidParams {
    pub(crate) min_cluster_size: usize,
    pub(crate) min_samples: usize,
    pub(crate) selection: Selection,
}

/// Unchecked parameters (linfa's `ParamGuard` pattern).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HdbscanParams(HdbscanValidParams);

pub struct Hdbscan;

impl Hdbscan {
    /// `min_samples: None` takes `min_cluster_size`, as scikit-learn does.
    pub fn params(min_cluster_size: usize, min_samples: Option<usize>) -> HdbscanParams {
        HdbscanParams(HdbscanValidParams {
            min_cluster_size,
            min_samples: min_samples.unwrap_or(min_cluster_size),
            selection: Selection::Eom,
        })
    }
}

impl HdbscanParams {
    pub fn selection(mut self, selection: Selection) -> Self {
        self.0.selection = selection;
        self
    }
}

super::params::param_guard!(HdbscanParams, HdbscanValidParams, |p| {
    super::params::min_cluster_size(p.min_cluster_size)?;
    super::check_min_samples(p.min_samples)?;
});

/// One row of the condensed tree, as scikit-learn stores it: `child` is a point (`< n`) or a cluster
/// (`>= n`; the root is `n`), leaving or splitting from `parent` at `lambda = 1 / distance`; `size`
/// is 1 for a point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CondensedRow {
    pub parent: u32,
    pub child: u32,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub lambda: f64,
    pub size: u32,
}

pub use super::tree::TreeCluster;

/// The result of a fit: raw cluster ids (scikit-learn's: selected clusters numbered by their id in
/// the condensed tree), membership probabilities (0 for noise), core distances, and the condensed
/// tree.
#[derive(Debug, Clone, PartialEq)]
pub struct HdbscanFit {
    pub labels: Vec<Option<usize>>,
    pub probabilities: Vec<f64>,
    pub core_distances: Vec<f64>,
    pub condensed: Vec<CondensedRow>,
    pub clusters: Vec<TreeCluster>,
    /// Per selected cluster (by raw label): the lambda scikit-learn divides by for probabilities.
    pub max_lambdas: Vec<f64>,
}

impl HdbscanValidParams {
    pub fn min_cluster_size(&self) -> usize {
        self.min_cluster_size
    }

    pub fn min_samples(&self) -> usize {
        self.min_samples
    }

    pub fn selection_method(&self) -> Selection {
        self.selection
    }

    /// Fits on row-major data `x` (`n * d`, finite). `on_progress` gets 0..1. Refuses fewer than two
    /// rows, or fewer rows than `min_samples` (as scikit-learn does).
    pub fn fit_rows(
        &self,
        x: &[f64],
        n: usize,
        d: usize,
        on_progress: &mut dyn FnMut(f64),
    ) -> Result<HdbscanFit, CoreError> {
        let hierarchy = DensityHierarchy::build(x, n, d, self.min_samples, &mut |f| on_progress(0.95 * f))?;
        let fit = self.extract(&hierarchy);
        on_progress(1.0);
        Ok(fit)
    }

    /// Segments from a hierarchy built with this `min_samples`: the condensed tree for this
    /// `min_cluster_size`, the selection, labels and probabilities. Cheap next to the hierarchy, so a
    /// sweep over `min_cluster_size` builds the hierarchy once.
    pub fn extract(&self, hierarchy: &DensityHierarchy) -> HdbscanFit {
        let condensed = condense(&hierarchy.merges, hierarchy.n, self.min_cluster_size);
        select(condensed, hierarchy.n, self.selection, hierarchy.core_distances.clone())
    }
}

/// The single-linkage hierarchy of the mutual-reachability graph for one `min_samples`: everything
/// HDBSCAN computes before `min_cluster_size` and the selection come in.
#[derive(Debug, Clone)]
pub struct DensityHierarchy {
    n: usize,
    min_samples: usize,
    merges: Vec<Merge>,
    core_distances: Vec<f64>,
}

impl DensityHierarchy {
    /// Core distances, the minimum spanning tree and its single-linkage hierarchy on row-major `x`.
    pub fn build(
        x: &[f64],
        n: usize,
        d: usize,
        min_samples: usize,
        on_progress: &mut dyn FnMut(f64),
    ) -> Result<Self, CoreError> {
        if n < 2 {
            return Err(CoreError::InvalidParameter {
                name: "rows".into(),
                value: n.to_string(),
                reason: "HDBSCAN needs at least two rows".into(),
            });
        }
        if min_samples > n || min_samples == 0 {
            return Err(CoreError::InvalidParameter {
                name: "min_samples".into(),
                value: min_samples.to_string(),
                reason: format!("min_samples must be between 1 and the number of rows ({n})"),
            });
        }
        let Reachability { tree, core2, edges, .. } = Reachability::build(x, n, d, min_samples, on_progress);
        let merges = single_linkage(edges, n);
        let mut core_distances = vec![0.0; n];
        for (s, &r) in tree.order.iter().enumerate() {
            core_distances[r] = core2[s].sqrt();
        }
        on_progress(1.0);
        Ok(Self { n, min_samples, merges, core_distances })
    }

    pub fn min_samples(&self) -> usize {
        self.min_samples
    }

    pub fn rows(&self) -> usize {
        self.n
    }
}

impl<D: Data<Elem = f64>> Transformer<&ArrayBase<D, Ix2>, Array1<Option<usize>>> for HdbscanValidParams {
    /// Labels, or every row noise when the data is too small for the settings (see
    /// [`HdbscanValidParams::fit_rows`] for the error).
    fn transform(&self, x: &ArrayBase<D, Ix2>) -> Array1<Option<usize>> {
        let (n, d) = x.dim();
        let rows: Vec<f64> = x.iter().copied().collect();
        match self.fit_rows(&rows, n, d, &mut |_| {}) {
            Ok(fit) => Array1::from(fit.labels),
            Err(_) => Array1::from(vec![None; n]),
        }
    }
}

/// One merge of the single-linkage hierarchy (scipy's format): clusters `left` and `right` (ids below
/// `n` are rows, `n + i` is the cluster made by merge `i`) join at `distance` into `size` rows.
#[derive(Debug, Clone, Copy)]
struct Merge {
    left: usize,
    right: usize,
    distance: f64,
    size: usize,
}

/// scikit-learn's `make_single_linkage` on the edges sorted by weight (ties by rows).
fn single_linkage(mut edges: Vec<Edge>, n: usize) -> Vec<Merge> {
    edges.sort_unstable_by(|a, b| {
        let (a, b) = (a.key(), b.key());
        a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
    });
    // Union-find over 2n - 1 ids where each union makes a new id, with sizes.
    let mut parent: Vec<usize> = (0..2 * n).collect();
    let mut size = vec![1usize; 2 * n];
    let mut next = n;
    let find = |parent: &mut Vec<usize>, mut a: usize| {
        let mut root = a;
        while parent[root] != root {
            root = parent[root];
        }
        while parent[a] != root {
            let up = parent[a];
            parent[a] = root;
            a = up;
        }
        root
    };
    let mut merges = Vec::with_capacity(edges.len());
    for e in edges {
        let a = find(&mut parent, e.lo as usize);
        let b = find(&mut parent, e.hi as usize);
        let merged = size[a] + size[b];
        merges.push(Merge { left: a, right: b, distance: e.w2.sqrt(), size: merged });
        parent[a] = next;
        parent[b] = next;
        size[next] = merged;
        next += 1;
    }
    merges
}

/// Node ids of the subtree under `root`, breadth first (scikit-learn's `bfs_from_hierarchy`).
fn bfs_from_hierarchy(hierarchy: &[Merge], n: usize, root: usize, out: &mut Vec<usize>) {
    out.clear();
    out.push(root);
    let mut i = 0;
    while i < out.len() {
        let node = out[i];
        if node >= n {
            let m = hierarchy[node - n];
            out.push(m.left);
            out.push(m.right);
        }
        i += 1;
    }
}

/// scikit-learn's `_condense_tree`, rows in its order.
fn condense(hierarchy: &[Merge], n: usize, min_cluster_size: usize) -> Vec<CondensedRow> {
    let root = 2 * hierarchy.len();
    let mut nodes = Vec::new();
    bfs_from_hierarchy(hierarchy, n, root, &mut nodes);
    let mut relabel = vec![0u32; root + 1];
    relabel[root] = n as u32;
    let mut next_label = n as u32 + 1;
    let mut ignore = vec![false; root + 1];
    let mut rows = Vec::with_capacity(n + 2 * (n / min_cluster_size.max(1)));
    let count = |id: usize| if id >= n { hierarchy[id - n].size } else { 1 };
    let mut sub = Vec::new();
    let mut fall_out =
        |rows: &mut Vec<CondensedRow>, ignore: &mut [bool], from: usize, parent: u32, lambda: f64| {
            bfs_from_hierarchy(hierarchy, n, from, &mut sub);
            for &s in &sub {
                if s < n {
                    rows.push(CondensedRow { parent, child: s as u32, lambda, size: 1 });
                }
                ignore[s] = true;
            }
        };
    for &node in &nodes {
        if ignore[node] || node < n {
            continue;
        }
        let m = hierarchy[node - n];
        let lambda = if m.distance > 0.0 { 1.0 / m.distance } else { f64::INFINITY };
        let (lc, rc) = (count(m.left), count(m.right));
        let parent = relabel[node];
        if lc >= min_cluster_size && rc >= min_cluster_size {
            relabel[m.left] = next_label;
            next_label += 1;
            rows.push(CondensedRow { parent, child: relabel[m.left], lambda, size: lc as u32 });
            relabel[m.right] = next_label;
            next_label += 1;
            rows.push(CondensedRow { parent, child: relabel[m.right], lambda, size: rc as u32 });
        } else if lc < min_cluster_size && rc < min_cluster_size {
            fall_out(&mut rows, &mut ignore, m.left, parent, lambda);
            fall_out(&mut rows, &mut ignore, m.right, parent, lambda);
        } else if lc < min_cluster_size {
            relabel[m.right] = parent;
            fall_out(&mut rows, &mut ignore, m.left, parent, lambda);
        } else {
            relabel[m.left] = parent;
            fall_out(&mut rows, &mut ignore, m.right, parent, lambda);
        }
    }
    rows
}

/// Stability, selection, labels and probabilities: scikit-learn's `_compute_stability`,
/// `_get_clusters`, `_do_labelling` and `get_probabilities` (without `allow_single_cluster`,
/// `cluster_selection_epsilon` or `max_cluster_size`, which keep their defaults).
fn select(rows: Vec<CondensedRow>, n: usize, selection: Selection, core_distances: Vec<f64>) -> HdbscanFit {
    let root = n;
    let n_clusters = rows.iter().map(|r| r.child as usize + 1).max().unwrap_or(0).max(root + 1) - root;
    // Cluster k (0-based) is id root + k.
    let mut parent_of: Vec<Option<u32>> = vec![None; n_clusters];
    let mut birth = vec![f64::NAN; n_clusters];
    let mut size_of = vec![n as u32; n_clusters];
    birth[0] = 0.0;
    for r in &rows {
        if r.child as usize >= root {
            let k = r.child as usize - root;
            birth[k] = r.lambda;
            parent_of[k] = Some(r.parent);
            size_of[k] = r.size;
        }
    }
    let mut stability = vec![0.0f64; n_clusters];
    for r in &rows {
        let k = r.parent as usize - root;
        stability[k] += (r.lambda - birth[k]) * f64::from(r.size);
    }
    let raw_stability = stability.clone();
    // Children (clusters only) per cluster, in row order.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n_clusters];
    for r in &rows {
        if r.child as usize >= root {
            children[r.parent as usize - root].push(r.child as usize - root);
        }
    }
    // Every cluster but the root is a candidate (allow_single_cluster = false).
    let mut is_cluster = vec![true; n_clusters];
    is_cluster[0] = false;
    match selection {
        Selection::Eom => {
            // Descending ids: children before parents.
            for k in (1..n_clusters).rev() {
                let subtree: f64 = children[k].iter().map(|&c| stability[c]).sum();
                if subtree > stability[k] {
                    is_cluster[k] = false;
                    stability[k] = subtree;
                } else {
                    let mut queue = children[k].clone();
                    while let Some(c) = queue.pop() {
                        is_cluster[c] = false;
                        queue.extend_from_slice(&children[c]);
                    }
                }
            }
        }
        Selection::Leaf => {
            for k in 1..n_clusters {
                is_cluster[k] = children[k].is_empty();
            }
        }
    }
    // Raw labels: selected clusters by increasing id.
    let mut label_of_cluster = vec![None; n_clusters];
    let mut n_selected = 0;
    for k in 0..n_clusters {
        if is_cluster[k] {
            label_of_cluster[k] = Some(n_selected);
            n_selected += 1;
        }
    }
    // The selected cluster each cluster lies in (itself or an ancestor); ids grow downwards.
    let mut segment_of: Vec<Option<usize>> = vec![None; n_clusters];
    for k in 1..n_clusters {
        segment_of[k] =
            label_of_cluster[k].or_else(|| parent_of[k].and_then(|p| segment_of[p as usize - root]));
    }
    // scikit-learn's `max_lambdas`: per parent, the largest lambda of its last contiguous run of rows.
    let mut deaths = vec![0.0f64; n_clusters];
    let mut i = 0;
    while i < rows.len() {
        let p = rows[i].parent;
        let mut max = rows[i].lambda;
        let mut j = i + 1;
        while j < rows.len() && rows[j].parent == p {
            max = max.max(rows[j].lambda);
            j += 1;
        }
        deaths[p as usize - root] = max;
        i = j;
    }
    let mut labels = vec![None; n];
    let mut probabilities = vec![0.0; n];
    for r in &rows {
        let point = r.child as usize;
        if point >= root {
            continue;
        }
        let Some(label) = segment_of[r.parent as usize - root] else { continue };
        labels[point] = Some(label);
    }
    let selected: Vec<usize> = (0..n_clusters).filter(|&k| is_cluster[k]).collect();
    for r in &rows {
        let point = r.child as usize;
        if point >= root {
            continue;
        }
        let Some(label) = labels[point] else { continue };
        let max_lambda = deaths[selected[label]];
        probabilities[point] = if max_lambda == 0.0 || r.lambda.is_infinite() {
            1.0
        } else {
            r.lambda.min(max_lambda) / max_lambda
        };
    }
    let clusters = (0..n_clusters)
        .map(|k| TreeCluster {
            id: (root + k) as u32,
            parent: parent_of[k],
            birth: birth[k],
            size: size_of[k],
            stability: raw_stability[k],
            selected: is_cluster[k],
            segment: None,
        })
        .collect();
    let max_lambdas = selected.iter().map(|&k| deaths[k]).collect();
    HdbscanFit { labels, probabilities, core_distances, condensed: rows, clusters, max_lambdas }
}

/// What assigning new rows needs from a fit: every training row with its core distance and place in
/// the condensed tree (serialised in a saved model as `Assignment::Hdbscan`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DensityModel {
    pub dims: usize,
    pub min_samples: usize,
    /// Training rows, row-major (`dims` values each).
    pub points: Vec<f64>,
    pub core_distances: Vec<f64>,
    /// Each training row's condensed-tree cluster (an index into `cluster_parent`) and the lambda
    /// (1 / distance; `f64::MAX` for infinity) at which it left that cluster.
    pub point_cluster: Vec<u32>,
    pub point_lambda: Vec<f64>,
    /// Per condensed-tree cluster (0 = the root): its parent (the root's is 0), the lambda it was
    /// born at, and the segment it lies in (its own or a selected ancestor's; None: noise).
    pub cluster_parent: Vec<u32>,
    pub cluster_birth: Vec<f64>,
    pub cluster_segment: Vec<Option<u32>>,
}

impl DensityModel {
    /// What makes the model's parts disagree in shape, if anything: lengths per training row,
    /// min_samples within the rows, a tree whose parents come before their children and that every row
    /// points into. A saved model is checked with this (and for its values and size) when read; an
    /// index is only built on a model that passes.
    pub fn shape_problem(&self) -> Option<&'static str> {
        let n = self.core_distances.len();
        let clusters = self.cluster_parent.len();
        if self.dims == 0
            || self.points.len() != n * self.dims
            || self.point_cluster.len() != n
            || self.point_lambda.len() != n
        {
            return Some("the training rows do not match the features");
        }
        if !(1..=n).contains(&self.min_samples) {
            return Some("min_samples is not between 1 and the training rows");
        }
        let tree_ok = clusters > 0
            && self.cluster_birth.len() == clusters
            && self.cluster_segment.len() == clusters
            && self.cluster_parent.iter().enumerate().all(|(i, &p)| (p as usize) < i.max(1))
            && self.point_cluster.iter().all(|&c| (c as usize) < clusters);
        if !tree_ok {
            return Some("the density tree is not a tree over the training rows");
        }
        None
    }

    /// From a fit on `x_scaled` (row-major, `dims` columns) whose labels were renumbered to the
    /// canonical `labels`.
    pub fn from_fit(
        fit: &HdbscanFit,
        min_samples: usize,
        dims: usize,
        x_scaled: Vec<f64>,
        labels: &[Option<usize>],
    ) -> Self {
        let n = fit.labels.len();
        let finite = |l: f64| l.min(f64::MAX);
        // Raw label -> canonical segment.
        let mut canonical: Vec<Option<u32>> = vec![None; fit.max_lambdas.len()];
        for (raw, ours) in fit.labels.iter().zip(labels) {
            if let (Some(r), Some(c)) = (raw, ours) {
                canonical[*r] = Some(*c as u32);
            }
        }
        let clusters = &fit.clusters;
        let index = |id: u32| id as usize - n;
        let mut cluster_parent = Vec::with_capacity(clusters.len());
        let mut cluster_birth = Vec::with_capacity(clusters.len());
        let mut cluster_segment: Vec<Option<u32>> = Vec::with_capacity(clusters.len());
        let mut raw_label = 0;
        for c in clusters {
            let parent = c.parent.map_or(0, index);
            let own = if c.selected {
                raw_label += 1;
                canonical.get(raw_label - 1).copied().flatten()
            } else {
                None
            };
            let inherited =
                if c.parent.is_some() { cluster_segment.get(parent).copied().flatten() } else { None };
            cluster_parent.push(parent as u32);
            cluster_birth.push(finite(c.birth));
            cluster_segment.push(own.or(inherited));
        }
        let mut point_cluster = vec![0u32; n];
        let mut point_lambda = vec![0.0; n];
        for r in fit.condensed.iter().filter(|r| (r.child as usize) < n) {
            point_cluster[r.child as usize] = index(r.parent) as u32;
            point_lambda[r.child as usize] = finite(r.lambda);
        }
        Self {
            dims,
            min_samples,
            points: x_scaled,
            core_distances: fit.core_distances.clone(),
            point_cluster,
            point_lambda,
            cluster_parent,
            cluster_birth,
            cluster_segment,
        }
    }
}

/// A saved HDBSCAN model's training rows in a k-d tree, for assigning new rows (see
/// `crate::model::Assignment::Hdbscan` for the rule).
pub struct HdbscanIndex {
    tree: KdTree,
    /// Core distances per tree position, and their minimum per node. Not squared: the model stores
    /// distances, and a training row must meet its own core distance exactly (see `assign`).
    core: Vec<f64>,
    min_core: Vec<f64>,
    min_samples: usize,
    point_cluster: Vec<u32>,
    point_lambda: Vec<f64>,
    cluster_parent: Vec<u32>,
    cluster_birth: Vec<f64>,
    cluster_segment: Vec<Option<u32>>,
}

impl HdbscanIndex {
    /// None unless the model's parts agree in shape ([`DensityModel::shape_problem`]; a model file is
    /// checked before).
    pub fn new(model: &DensityModel) -> Option<Self> {
        if model.shape_problem().is_some() {
            return None;
        }
        let DensityModel {
            dims,
            min_samples,
            points,
            core_distances,
            point_cluster,
            point_lambda,
            cluster_parent,
            cluster_birth,
            cluster_segment,
        } = model;
        let n = core_distances.len();
        let tree = KdTree::build(points, n, *dims);
        let core: Vec<f64> = tree.order.iter().map(|&r| core_distances[r]).collect();
        let min_core = min_core_per_node(&tree, &core);
        Some(Self {
            tree,
            core,
            min_core,
            min_samples: *min_samples,
            point_cluster: point_cluster.clone(),
            point_lambda: point_lambda.clone(),
            cluster_parent: cluster_parent.clone(),
            cluster_birth: cluster_birth.clone(),
            cluster_segment: cluster_segment.clone(),
        })
    }

    /// The segment of one scaled row (None: noise, or a value that is not a finite number).
    pub fn assign(&self, x: &[f64]) -> Option<usize> {
        if x.len() != self.tree.d || x.iter().any(|v| !v.is_finite()) {
            return None;
        }
        // Distances, not squares, as the fit's were: a training row applied to its own model has the
        // core distance the fit gave it (the same k-th nearest, square-rooted the same way).
        let core_x = self.tree.kth_nearest_dist2(x, self.min_samples).sqrt();
        // The nearest training row in mutual reachability: (weight, distance², row), smallest first.
        let mut best: Option<(f64, f64, usize)> = None;
        let mut stack = vec![(0usize, self.tree.near2(0, x))];
        while let Some((i, near2)) = stack.pop() {
            let lower = core_x.max(self.min_core[i]).max(near2.sqrt());
            if let Some((w, d2, _)) = best {
                if lower > w || (lower == w && near2 > d2) {
                    continue;
                }
            }
            if !self.tree.push_children(i, x, &mut stack) {
                for t in self.tree.range(i) {
                    let d2 = dist2(x, self.tree.point(t));
                    let w = core_x.max(self.core[t]).max(d2.sqrt());
                    let row = self.tree.order[t];
                    let better = best.is_none_or(|(bw, bd, br)| {
                        w.total_cmp(&bw).then(d2.total_cmp(&bd)).then(row.cmp(&br)).is_lt()
                    });
                    if better {
                        best = Some((w, d2, row));
                    }
                }
            }
        }
        let (w, _, row) = best?;
        let lambda = if w > 0.0 { (1.0 / w).min(f64::MAX) } else { f64::MAX };
        let mut cluster = self.point_cluster[row] as usize;
        if self.point_lambda[row] > lambda {
            // The row was still in a larger cluster at this level: go up to the one alive then.
            while cluster != 0 && self.cluster_birth[cluster] >= lambda {
                cluster = self.cluster_parent[cluster] as usize;
            }
        }
        self.cluster_segment[cluster].map(|s| s as usize)
    }
}

// ---- The method: HDBSCAN's settings and what the rest of the code knows of it. ----

/// HDBSCAN's settings: the smallest group worth calling a segment, the neighbours that make a
/// neighbourhood dense (None: `min_cluster_size`, scikit-learn's default), and how clusters are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HdbscanSettings {
    pub min_cluster_size: usize,
    #[serde(default)]
    pub min_samples: Option<usize>,
    #[serde(default)]
    pub selection: Selection,
}

impl Default for HdbscanSettings {
    fn default() -> Self {
        Self { min_cluster_size: 15, min_samples: None, selection: Default::default() }
    }
}

impl HdbscanSettings {
    /// For `n` customers: a segment is at least 1% of them (at least 10, at most 1,000), and a
    /// neighbourhood is dense with a tenth of that (at least 5, at most 50), which keeps the core
    /// distances cheap on a million rows and the noise to the truly isolated.
    pub fn suggested(n: usize) -> Self {
        let min_cluster_size = (n / 100).clamp(10, 1_000);
        let min_samples = (min_cluster_size / 10).clamp(5, 50);
        Self { min_cluster_size, min_samples: Some(min_samples), selection: Default::default() }
    }

    /// The min_samples in force.
    pub fn min_samples(&self) -> usize {
        self.min_samples.unwrap_or(self.min_cluster_size)
    }
}

pub const INFO: super::MethodInfo = super::MethodInfo {
    key: "hdbscan",
    label: "HDBSCAN (density of any level; finds noise; no eps)",
    name: "HDBSCAN",
    uses_k: false,
    independent_ks: false,
};

impl super::ClusterMethod for HdbscanSettings {
    super::method::method_basics!(INFO);

    fn parameters(&self) -> String {
        format!(
            "min_cluster_size {}, min_samples {}, {}",
            self.min_cluster_size,
            self.min_samples(),
            self.selection.as_str()
        )
    }

    fn words(&self) -> String {
        format!("HDBSCAN (min_cluster_size {}, min_samples {})", self.min_cluster_size, self.min_samples())
    }

    fn validate(&self) -> Result<(), CoreError> {
        super::params::min_cluster_size(self.min_cluster_size)?;
        super::params::min_samples("min_samples (HDBSCAN)", self.min_samples(), 1)
    }

    fn check_work(&self, n: usize, d: usize) -> Result<(), CoreError> {
        use crate::limits::{DBSCAN_WORK, HDBSCAN_WORK};
        // Core distances and the spanning tree query the k-d tree min_samples deep per row; in many
        // dimensions every query reads most rows.
        let (nf, df, ms) = (n as f64, d as f64, self.min_samples() as f64);
        if (d > 8 && nf * nf * df > DBSCAN_WORK) || nf * ms * df > HDBSCAN_WORK {
            return self.refuse(format!(
                "HDBSCAN on {n} rows of {d} features with min_samples {} would run for minutes; lower min_samples, \
                 use fewer features, or use k-means",
                self.min_samples()
            ));
        }
        Ok(())
    }

    fn rows_needed(&self, _: &super::FitInputs) -> Result<usize, CoreError> {
        let p = Hdbscan::params(self.min_cluster_size, self.min_samples).check()?;
        Ok(p.min_cluster_size().max(p.min_samples()))
    }

    fn fit(
        &self,
        x: ndarray::ArrayView2<f64>,
        _: &super::FitInputs,
        on_progress: &mut dyn FnMut(f64),
    ) -> Result<super::MethodFit, CoreError> {
        let (n, d) = x.dim();
        let rows: Vec<f64> = x.iter().copied().collect();
        let params =
            Hdbscan::params(self.min_cluster_size, self.min_samples).selection(self.selection).check()?;
        let fit = params.fit_rows(&rows, n, d, on_progress)?;
        let (labels, _) = super::canonical_labels(&fit.labels);
        let model = DensityModel::from_fit(&fit, params.min_samples(), d, rows, &labels);
        let tree = fit
            .clusters
            .iter()
            .enumerate()
            .map(|(i, c)| TreeCluster {
                birth: c.birth.min(f64::MAX),
                stability: c.stability.min(f64::MAX),
                segment: if c.selected { model.cluster_segment.get(i).copied().flatten() } else { None },
                ..c.clone()
            })
            .collect();
        Ok(super::MethodFit {
            labels,
            assignment: super::Assignment::Hdbscan(model),
            membership: Some(fit.probabilities),
            tree: Some(tree),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;
    use linfa::ParamGuard;

    #[test]
    fn two_blobs_and_an_outlier() {
        let mut rng = SplitMix64::new(5);
        let mut x = Vec::new();
        for i in 0..60 {
            let c = if i < 30 { 0.0 } else { 10.0 };
            x.push(c + rng.unit());
            x.push(c + rng.unit());
        }
        x.extend_from_slice(&[5.0, 5.0]);
        let p = Hdbscan::params(5, None).check().unwrap_or_else(|e| panic!("{e}"));
        let fit = p.fit_rows(&x, 61, 2, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        // The outlier leaves a blob's cluster long before its points do: the weakest member.
        let weakest = fit.probabilities.iter().cloned().fold(f64::INFINITY, f64::min);
        assert!(fit.labels[60].is_none() || fit.probabilities[60] == weakest);
        assert!(fit.labels[..30].iter().all(|&l| l == fit.labels[0] && l.is_some()));
        assert!(fit.labels[30..60].iter().all(|&l| l == fit.labels[30] && l.is_some()));
        assert_ne!(fit.labels[0], fit.labels[30]);
        assert!(fit.probabilities.iter().all(|p| (0.0..=1.0).contains(p)));
    }

    #[test]
    fn bad_settings_and_tiny_data_are_refused() {
        assert!(Hdbscan::params(1, None).check().is_err());
        assert!(Hdbscan::params(5, Some(0)).check().is_err());
        let p = Hdbscan::params(5, None).check().unwrap_or_else(|e| panic!("{e}"));
        assert!(p.fit_rows(&[0.0], 1, 1, &mut |_| {}).is_err());
        assert!(p.fit_rows(&[0.0, 1.0, 2.0], 3, 1, &mut |_| {}).is_err());
    }

    #[test]
    fn identical_points_do_not_break_it() {
        let x = vec![0.5; 200];
        let p = Hdbscan::params(5, None).check().unwrap_or_else(|e| panic!("{e}"));
        let fit = p.fit_rows(&x, 100, 2, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fit.labels.len(), 100);
        assert!(fit.probabilities.iter().all(|p| p.is_finite()));
    }
}

//! The minimum spanning tree of the mutual-reachability graph for one `min_samples`: HDBSCAN's
//! hierarchy is built on it, and so is DBSCAN at any eps ([`super::dbscan::EpsIndex`]).
//!
//! A point's core distance is the distance to its `min_samples`-th nearest point, itself counted; two
//! points are `max(core_a, core_b, distance)` apart in mutual reachability. The tree comes from
//! Borůvka's algorithm on a k-d tree: each round, every point looks for its nearest point (in mutual
//! reachability) in another component, skipping every box whose points all lie in its own component or
//! that cannot beat the component's best edge so far. Edges of equal weight are ordered by their row
//! numbers, so the tree is a minimum spanning tree for any ties.
//!
//! Built in steps of a given number of points ([`Reachability::step`]), so a worker can build it between
//! requests; [`Reachability::build`] runs the steps to the end.

use super::kdtree::KdTree;
use super::union_find::UnionFind;
use crate::distance::dist2;

/// An edge of the spanning tree, ordered by (squared weight, rows).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Edge {
    pub w2: f64,
    /// The two rows (original indices), smaller first: the tie-break.
    pub lo: u32,
    pub hi: u32,
}

impl Edge {
    pub fn key(&self) -> (f64, u32, u32) {
        (self.w2, self.lo, self.hi)
    }

    pub fn less(&self, other: &Edge) -> bool {
        let (a, b) = (self.key(), other.key());
        a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)).is_lt()
    }
}

const NONE: u32 = u32::MAX;

/// The k-d tree, the core distances and the spanning tree, or as much of them as the steps so far built.
pub(crate) struct Reachability {
    pub tree: KdTree,
    pub min_samples: usize,
    /// Squared core distances, per tree position (complete once the tree phase starts).
    pub core2: Vec<f64>,
    /// The spanning tree's edges between rows (complete when [`Reachability::done`]).
    pub edges: Vec<Edge>,
    phase: Phase,
}

enum Phase {
    /// Core distances computed for tree positions `..next`.
    Core {
        next: usize,
    },
    Tree(Boruvka),
    Done,
}

/// Borůvka's state between steps.
struct Boruvka {
    /// Per tree node, the smallest squared core distance of its points.
    min_core2: Vec<f64>,
    components: UnionFind,
    /// Per tree position, its component (a root of `components`) in the round under way.
    comp: Vec<u32>,
    /// Per tree node, the component all its points are in, or NONE.
    node_comp: Vec<u32>,
    /// Per component, its lightest edge out so far this round (with the two tree positions).
    best: Vec<Option<(Edge, u32, u32)>>,
    stack: Vec<(usize, f64)>,
    remaining: usize,
    /// The next point of the round under way; None between rounds.
    next: Option<usize>,
}

impl Reachability {
    /// Starts the build on row-major `x` (`n * d`, finite): the k-d tree now, the rest in steps.
    /// `min_samples` above `n` gives infinite core distances (no point is dense).
    pub fn new(x: &[f64], n: usize, d: usize, min_samples: usize) -> Self {
        Self {
            tree: KdTree::build(x, n, d),
            min_samples,
            core2: Vec::with_capacity(n),
            edges: Vec::with_capacity(n.saturating_sub(1)),
            phase: Phase::Core { next: 0 },
        }
    }

    /// Builds everything at once; `on_progress` gets 0..1.
    pub fn build(
        x: &[f64],
        n: usize,
        d: usize,
        min_samples: usize,
        on_progress: &mut dyn FnMut(f64),
    ) -> Self {
        let mut build = Self::new(x, n, d, min_samples);
        let points = (n / 20).max(1);
        while !build.step(points) {
            on_progress(build.fraction());
        }
        build
    }

    pub fn rows(&self) -> usize {
        self.tree.order.len()
    }

    pub fn done(&self) -> bool {
        matches!(self.phase, Phase::Done)
    }

    /// How far the build is, 0..1 (core distances the first 30%).
    pub fn fraction(&self) -> f64 {
        let n = self.rows().max(1) as f64;
        match &self.phase {
            Phase::Core { next } => 0.3 * *next as f64 / n,
            Phase::Tree(b) => 0.3 + 0.7 * (1.0 - (b.remaining as f64).ln_1p() / n.ln_1p()),
            Phase::Done => 1.0,
        }
    }

    /// Goes on with the build for about `points` points' worth of searches; true once it is done.
    pub fn step(&mut self, points: usize) -> bool {
        let Self { tree, min_samples, core2, edges, phase } = self;
        let n = tree.order.len();
        let mut budget = points.max(1);
        loop {
            match phase {
                Phase::Core { next } => {
                    let end = next.saturating_add(budget).min(n);
                    core2.extend((*next..end).map(|s| tree.kth_nearest_dist2(tree.point(s), *min_samples)));
                    budget -= end - *next;
                    if end < n {
                        *next = end;
                        return false;
                    }
                    // No point is dense (min_samples above the rows): no finite edge to join anything.
                    *phase = if core2.iter().all(|c| c.is_finite()) {
                        Phase::Tree(Boruvka::new(tree, core2))
                    } else {
                        Phase::Done
                    };
                }
                Phase::Tree(boruvka) => {
                    if !boruvka.advance(tree, core2, edges, &mut budget) {
                        return false;
                    }
                    *phase = Phase::Done;
                }
                Phase::Done => return true,
            }
            if budget == 0 {
                return matches!(phase, Phase::Done);
            }
        }
    }
}

impl Boruvka {
    fn new(tree: &KdTree, core2: &[f64]) -> Self {
        let n = tree.order.len();
        let nodes = tree.node_count();
        Self {
            min_core2: min_core_per_node(tree, core2),
            components: UnionFind::new(n),
            comp: vec![0; n],
            node_comp: vec![NONE; nodes],
            best: vec![None; n],
            stack: Vec::with_capacity(64),
            remaining: n,
            next: None,
        }
    }

    /// Each point's and each box's component, at the start of a round.
    fn begin_round(&mut self, tree: &KdTree) {
        for (s, c) in self.comp.iter_mut().enumerate() {
            *c = self.components.find(s) as u32;
        }
        for i in (0..tree.node_count()).rev() {
            self.node_comp[i] = match tree.children(i) {
                Some((a, b)) if self.node_comp[a] == self.node_comp[b] => self.node_comp[a],
                Some(_) => NONE,
                None => {
                    let mut range = tree.range(i);
                    let first = range.next().map_or(NONE, |s| self.comp[s]);
                    if range.all(|s| self.comp[s] == first) {
                        first
                    } else {
                        NONE
                    }
                }
            };
        }
        self.best.iter_mut().for_each(|b| *b = None);
    }

    /// Searches from up to `budget` points (taking them off it), ending rounds as their last point is
    /// searched from; true once one component remains.
    fn advance(&mut self, tree: &KdTree, core2: &[f64], edges: &mut Vec<Edge>, budget: &mut usize) -> bool {
        let n = tree.order.len();
        while self.remaining > 1 {
            if *budget == 0 {
                return false;
            }
            let start = match self.next {
                Some(s) => s,
                None => {
                    self.begin_round(tree);
                    0
                }
            };
            let end = start.saturating_add(*budget).min(n);
            for s in start..end {
                self.search_from(tree, core2, s);
            }
            *budget -= end - start;
            if end < n {
                self.next = Some(end);
                return false;
            }
            self.next = None;
            let before = self.remaining;
            for &(edge, s, t) in self.best.iter().flatten() {
                if self.components.union(s as usize, t as usize) {
                    edges.push(edge);
                    self.remaining -= 1;
                }
            }
            if self.remaining == before {
                break; // cannot happen with finite data: every component has an edge out
            }
        }
        true
    }

    /// The lightest edge from tree position `s` to another component, kept if it beats its component's.
    fn search_from(&mut self, tree: &KdTree, core2: &[f64], s: usize) {
        let c = self.comp[s];
        let p = tree.point(s);
        let cs = core2[s];
        let row_s = tree.order[s] as u32;
        let bound = |best: &Option<(Edge, u32, u32)>| best.map_or(f64::INFINITY, |b| b.0.w2);
        if cs > bound(&self.best[c as usize]) {
            return; // every edge from s weighs at least its core distance
        }
        self.stack.clear();
        self.stack.push((0, tree.near2(0, p)));
        while let Some((i, near2)) = self.stack.pop() {
            if self.node_comp[i] == c {
                continue;
            }
            let lower = cs.max(self.min_core2[i]).max(near2);
            if lower > bound(&self.best[c as usize]) {
                continue;
            }
            if !tree.push_children(i, p, &mut self.stack) {
                for t in tree.range(i) {
                    if self.comp[t] == c {
                        continue;
                    }
                    let w2 = cs.max(core2[t]).max(dist2(p, tree.point(t)));
                    let row_t = tree.order[t] as u32;
                    let edge = Edge { w2, lo: row_s.min(row_t), hi: row_s.max(row_t) };
                    if self.best[c as usize].is_none_or(|b| edge.less(&b.0)) {
                        self.best[c as usize] = Some((edge, s as u32, t as u32));
                    }
                }
            }
        }
    }
}

/// Per node of the tree, the smallest core distance (or square) of its points (children come after
/// their parent, so one backward pass).
pub(crate) fn min_core_per_node(tree: &KdTree, core2: &[f64]) -> Vec<f64> {
    let nodes = tree.node_count();
    let mut min_core2 = vec![f64::INFINITY; nodes];
    for i in (0..nodes).rev() {
        min_core2[i] = match tree.children(i) {
            Some((a, b)) => min_core2[a].min(min_core2[b]),
            None => tree.range(i).map(|s| core2[s]).fold(f64::INFINITY, f64::min),
        };
    }
    min_core2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    /// Prim's algorithm on the full mutual-reachability matrix (scikit-learn's way), for the weights.
    fn prim_weights(x: &[f64], n: usize, d: usize, core: &[f64]) -> Vec<f64> {
        let mut in_tree = vec![false; n];
        let mut reach = vec![f64::INFINITY; n];
        let mut current = 0;
        let mut out = Vec::new();
        for _ in 1..n {
            in_tree[current] = true;
            let mut next = usize::MAX;
            for j in 0..n {
                if in_tree[j] {
                    continue;
                }
                let d2 = dist2(&x[current * d..(current + 1) * d], &x[j * d..(j + 1) * d]);
                let w = core[current].max(core[j]).max(d2.sqrt());
                reach[j] = reach[j].min(w);
                if next == usize::MAX || reach[j] < reach[next] {
                    next = j;
                }
            }
            out.push(reach[next]);
            current = next;
        }
        out.sort_unstable_by(f64::total_cmp);
        out
    }

    #[test]
    fn spanning_tree_weights_equal_prims() {
        let mut rng = SplitMix64::new(11);
        for case in 0..12 {
            let n = 2 + rng.below(400);
            let d = 1 + rng.below(5);
            let lattice = case % 3 == 0;
            let x: Vec<f64> =
                (0..n * d).map(|_| if lattice { rng.below(4) as f64 * 0.5 } else { rng.unit() }).collect();
            let min_samples = 1 + rng.below(n.min(8));
            let built = Reachability::build(&x, n, d, min_samples, &mut |_| {});
            let mut core = vec![0.0; n];
            for (s, &r) in built.tree.order.iter().enumerate() {
                core[r] = built.core2[s].sqrt();
            }
            let mut ours: Vec<f64> = built.edges.iter().map(|e| e.w2.sqrt()).collect();
            ours.sort_unstable_by(f64::total_cmp);
            assert_eq!(ours.len(), n - 1, "case {case}");
            assert_eq!(ours, prim_weights(&x, n, d, &core), "case {case}");
        }
    }

    #[test]
    fn any_step_size_builds_the_same_tree() {
        let mut rng = SplitMix64::new(3);
        let (n, d) = (300, 2);
        let x: Vec<f64> = (0..n * d).map(|_| rng.unit()).collect();
        let key = |r: &Reachability| r.edges.iter().map(Edge::key).collect::<Vec<_>>();
        let whole = Reachability::build(&x, n, d, 5, &mut |_| {});
        for points in [1, 7, 299, 300, 10_000] {
            let mut stepped = Reachability::new(&x, n, d, 5);
            let mut steps = 0;
            while !stepped.step(points) {
                steps += 1;
                assert!(steps < 100_000, "the build ends");
            }
            assert!(stepped.done());
            assert_eq!(key(&stepped), key(&whole), "{points} points a step");
            assert_eq!(stepped.core2, whole.core2);
        }
    }

    #[test]
    fn too_few_rows_for_min_samples_joins_nothing() {
        let x = [0.0, 1.0, 2.0];
        let built = Reachability::build(&x, 3, 1, 5, &mut |_| {});
        assert!(built.done());
        assert!(built.edges.is_empty());
        assert!(built.core2.iter().all(|c| c.is_infinite()));
    }
}

//! The one k-d tree: over all dimensions, for DBSCAN above three dimensions, exact k-nearest-neighbour
//! distances (the k-distance curve, HDBSCAN's core distances), HDBSCAN's spanning tree, and a saved
//! model's nearest core or training row.
//!
//! Why a tree there and not the grid: the grid cuts space along the first three dimensions only (a
//! grid in six dimensions has 3^6 = 729 neighbour cells, most empty), so in more dimensions its cells
//! gather points that are far apart in the other ones and every neighbourhood scan reads thousands of
//! them. A tree splits on whichever dimension is widest, so its boxes stay small in all of them, and a
//! query skips every box farther than the radius.
//!
//! Points are stored in tree order, contiguously (like the grid's cell order), each node owning a range
//! of them and its bounding box.

use crate::distance::dist2;
use std::ops::Range;

/// Points per leaf: small enough to prune well, large enough that box tests do not dominate.
const LEAF: usize = 24;

pub(crate) struct KdTree {
    pub d: usize,
    /// Coordinates in tree order, row-major, `n * d`.
    pub points: Vec<f64>,
    /// `order[s]` is the original row of the point at tree position `s`.
    pub order: Vec<usize>,
    nodes: Vec<Node>,
    /// Per node, `d` lower bounds then `d` upper bounds.
    bounds: Vec<f64>,
    /// Per node, the squared length of its box's diagonal, summed like `dist2`.
    diag2: Vec<f64>,
}

#[derive(Clone, Copy)]
struct Node {
    start: u32,
    end: u32,
    /// Index of the first child; the second is `left + 1`. 0 for a leaf (node 0 is the root).
    left: u32,
}

impl KdTree {
    /// `x` is row-major `n * d`, all finite.
    pub fn build(x: &[f64], n: usize, d: usize) -> KdTree {
        let mut order: Vec<usize> = (0..n).collect();
        let mut nodes = vec![Node { start: 0, end: n as u32, left: 0 }];
        let mut bounds = Vec::new();
        let mut diag2 = Vec::new();
        let mut i = 0;
        while i < nodes.len() {
            let Node { start, end, .. } = nodes[i];
            let (lo, hi) = bounding_box(x, d, &order[start as usize..end as usize]);
            let widest = (0..d).max_by(|&a, &b| (hi[a] - lo[a]).total_cmp(&(hi[b] - lo[b]))).unwrap_or(0);
            let wide = d > 0 && hi[widest] > lo[widest];
            diag2.push(dist2(&hi, &lo));
            bounds.extend_from_slice(&lo);
            bounds.extend_from_slice(&hi);
            if (end - start) as usize > LEAF && wide {
                let slice = &mut order[start as usize..end as usize];
                let mid = slice.len() / 2;
                slice.select_nth_unstable_by(mid, |&a, &b| x[a * d + widest].total_cmp(&x[b * d + widest]));
                let split = start + mid as u32;
                nodes[i].left = nodes.len() as u32;
                nodes.push(Node { start, end: split, left: 0 });
                nodes.push(Node { start: split, end, left: 0 });
            }
            i += 1;
        }
        let mut points = Vec::with_capacity(n * d);
        for &r in &order {
            points.extend_from_slice(&x[r * d..(r + 1) * d]);
        }
        KdTree { d, points, order, nodes, bounds, diag2 }
    }

    pub fn point(&self, s: usize) -> &[f64] {
        &self.points[s * self.d..(s + 1) * self.d]
    }

    /// Nodes in the tree; node 0 is the root, and children come after their parent.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The tree positions node `i` holds.
    pub fn range(&self, i: usize) -> Range<usize> {
        let node = self.nodes[i];
        node.start as usize..node.end as usize
    }

    /// Node `i`'s two children, or `None` for a leaf.
    pub fn children(&self, i: usize) -> Option<(usize, usize)> {
        let left = self.nodes[i].left as usize;
        (left != 0).then_some((left, left + 1))
    }

    /// Pushes node `i`'s children on a depth-first `stack` of (node, squared distance to its box),
    /// the nearer last so that it is visited first. False for a leaf (nothing pushed).
    pub fn push_children(&self, i: usize, p: &[f64], stack: &mut Vec<(usize, f64)>) -> bool {
        let Some((a, b)) = self.children(i) else { return false };
        let (na, nb) = (self.near2(a, p), self.near2(b, p));
        if na <= nb {
            stack.push((b, nb));
            stack.push((a, na));
        } else {
            stack.push((a, na));
            stack.push((b, nb));
        }
        true
    }

    /// The squared distance from `p` to node `i`'s box (0 inside it).
    pub fn near2(&self, i: usize, p: &[f64]) -> f64 {
        let b = &self.bounds[2 * self.d * i..2 * self.d * (i + 1)];
        let (lo, hi) = b.split_at(self.d);
        let mut near = 0.0;
        for j in 0..self.d {
            let gap = (lo[j] - p[j]).max(p[j] - hi[j]).max(0.0);
            near += gap * gap;
        }
        near
    }

    /// Squared distances from `p` to the nearest and farthest points of node `i`'s box.
    fn box_dist2(&self, i: usize, p: &[f64]) -> (f64, f64) {
        let b = &self.bounds[2 * self.d * i..2 * self.d * (i + 1)];
        let (lo, hi) = b.split_at(self.d);
        let mut near = 0.0;
        let mut far = 0.0;
        for j in 0..self.d {
            let below = lo[j] - p[j];
            let above = p[j] - hi[j];
            let gap = below.max(above).max(0.0);
            near += gap * gap;
            let reach = (p[j] - lo[j]).abs().max((hi[j] - p[j]).abs());
            far += reach * reach;
        }
        (near, far)
    }

    /// Visits the parts of the tree that can hold points within `eps2` (squared distance, inclusive)
    /// of `p`, as ranges of tree positions, until `f` returns false (then returns false). Each call
    /// gets `(range, inside, compact)`: `inside` when every point of the range is within `eps2` of
    /// `p`; `compact` when every two points of the range are within `eps2` of each other (the node's
    /// box diagonal is at most eps), so a caller that only needs one of them can stop at the first.
    /// Ranges that are neither are leaves whose points the caller must test one by one.
    pub fn visit(&self, p: &[f64], eps2: f64, f: &mut impl FnMut(Range<usize>, bool, bool) -> bool) -> bool {
        self.visit_from(p, eps2, 0, f)
    }

    /// [`Self::visit`] restricted to nodes holding some position at or after `from`.
    pub fn visit_from(
        &self,
        p: &[f64],
        eps2: f64,
        from: usize,
        f: &mut impl FnMut(Range<usize>, bool, bool) -> bool,
    ) -> bool {
        let mut stack = vec![(0usize, self.box_dist2(0, p))];
        while let Some((i, (near, far))) = stack.pop() {
            let node = self.nodes[i];
            if near > eps2 || (node.end as usize) <= from {
                continue;
            }
            // The bounds are exact arithmetic on the same coordinates in the same order as `dist2`, so
            // `inside` and `compact` never admit a pair farther than eps.
            let inside = far <= eps2;
            let compact = self.diag2[i] <= eps2;
            if node.left == 0 || inside || compact {
                if !f(node.start as usize..node.end as usize, inside, compact) {
                    return false;
                }
            } else {
                // Nearer child last, so it is visited first (a count that stops early stops sooner).
                let (a, b) = (node.left as usize, node.left as usize + 1);
                let (da, db) = (self.box_dist2(a, p), self.box_dist2(b, p));
                if da.0 <= db.0 {
                    stack.push((b, db));
                    stack.push((a, da));
                } else {
                    stack.push((a, da));
                    stack.push((b, db));
                }
            }
        }
        true
    }

    /// The largest nodes whose points are all within `eps2` of each other, covering every point that
    /// lies in such a node: the ranges [`Self::visit`] reports as compact.
    pub fn compact_ranges(&self, eps2: f64) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut stack = vec![0usize];
        while let Some(i) = stack.pop() {
            let node = self.nodes[i];
            if self.diag2[i] <= eps2 {
                out.push(node.start as usize..node.end as usize);
            } else if node.left != 0 {
                stack.push(node.left as usize);
                stack.push(node.left as usize + 1);
            }
        }
        out
    }

    /// Calls `f` with the tree position of every point within `eps2` of `p`, until `f` returns false.
    #[cfg(test)]
    pub fn for_each_within(&self, p: &[f64], eps2: f64, f: &mut impl FnMut(usize) -> bool) -> bool {
        self.visit(p, eps2, &mut |range, inside, _| {
            range.into_iter().all(|s| !(inside || dist2(p, self.point(s)) <= eps2) || f(s))
        })
    }

    /// The row (original index) of the point nearest `p` within `limit2` (squared distance, inclusive);
    /// ties go to the smaller row. None when no point is that close.
    pub fn nearest_within(&self, p: &[f64], limit2: f64) -> Option<usize> {
        let mut limit = limit2;
        let mut best: Option<(f64, usize)> = None;
        let mut stack = vec![(0usize, self.near2(0, p))];
        while let Some((i, near)) = stack.pop() {
            if near > limit {
                continue;
            }
            if !self.push_children(i, p, &mut stack) {
                for s in self.range(i) {
                    let d2 = dist2(p, self.point(s));
                    let row = self.order[s];
                    if d2 <= limit && best.is_none_or(|(bd, br)| d2 < bd || (d2 == bd && row < br)) {
                        best = Some((d2, row));
                        limit = d2;
                    }
                }
            }
        }
        best.map(|(_, row)| row)
    }

    /// The squared distance from `p` to its `k`-th nearest point (`k >= 1`, counting a point at `p`
    /// itself), exact. Infinity when the tree holds fewer than `k` points.
    pub fn kth_nearest_dist2(&self, p: &[f64], k: usize) -> f64 {
        // The k best so far, as a max-heap on distance.
        let mut best: std::collections::BinaryHeap<Ordered> =
            std::collections::BinaryHeap::with_capacity(k + 1);
        let bound = |best: &std::collections::BinaryHeap<Ordered>| {
            if best.len() < k {
                f64::INFINITY
            } else {
                best.peek().map_or(f64::INFINITY, |o| o.0)
            }
        };
        // The k-th best distance so far (infinity until there are k), kept beside the heap.
        let mut limit = f64::INFINITY;
        let mut stack = vec![(0usize, 0.0f64)];
        while let Some((i, near)) = stack.pop() {
            if near > limit {
                continue;
            }
            let node = self.nodes[i];
            if node.left == 0 {
                for s in node.start as usize..node.end as usize {
                    let d2 = dist2(p, self.point(s));
                    if d2 < limit {
                        best.push(Ordered(d2));
                        if best.len() > k {
                            best.pop();
                        }
                        if best.len() == k {
                            limit = bound(&best);
                        }
                    }
                }
            } else {
                self.push_children(i, p, &mut stack);
            }
        }
        if best.len() < k {
            f64::INFINITY
        } else {
            best.peek().map_or(f64::INFINITY, |o| o.0)
        }
    }
}

fn bounding_box(x: &[f64], d: usize, rows: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let mut lo = vec![f64::INFINITY; d];
    let mut hi = vec![f64::NEG_INFINITY; d];
    for &r in rows {
        for j in 0..d {
            let v = x[r * d + j];
            lo[j] = lo[j].min(v);
            hi[j] = hi[j].max(v);
        }
    }
    (lo, hi)
}

/// A finite f64 ordered for the heap.
#[derive(PartialEq)]
struct Ordered(f64);
impl Eq for Ordered {}
impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;

    #[test]
    fn range_and_knn_equal_brute_force() {
        let mut rng = SplitMix64::new(3);
        for case in 0..20 {
            let n = 1 + rng.below(600);
            let d = 1 + rng.below(7);
            let lattice = case % 3 == 0;
            let x: Vec<f64> =
                (0..n * d).map(|_| if lattice { rng.below(5) as f64 * 0.25 } else { rng.unit() }).collect();
            let tree = KdTree::build(&x, n, d);
            for q in 0..n.min(30) {
                let p = &x[q * d..(q + 1) * d];
                let eps2 = if lattice { 0.0625 } else { 0.01 + rng.unit() * 0.2 };
                let mut ours: Vec<usize> = Vec::new();
                tree.for_each_within(p, eps2, &mut |s| {
                    ours.push(tree.order[s]);
                    true
                });
                ours.sort_unstable();
                let brute: Vec<usize> =
                    (0..n).filter(|&r| dist2(p, &x[r * d..(r + 1) * d]) <= eps2).collect();
                assert_eq!(ours, brute, "case {case} query {q}");

                let k = 1 + rng.below(n.min(12));
                let mut all: Vec<f64> = (0..n).map(|r| dist2(p, &x[r * d..(r + 1) * d])).collect();
                all.sort_unstable_by(f64::total_cmp);
                assert_eq!(tree.kth_nearest_dist2(p, k), all[k - 1], "case {case} k {k}");
            }
        }
    }

    #[test]
    fn stops_when_asked() {
        let x: Vec<f64> = (0..100).map(|i| i as f64 * 0.01).collect();
        let tree = KdTree::build(&x, 100, 1);
        let mut seen = 0;
        assert!(!tree.for_each_within(&[0.5], 1.0, &mut |_| {
            seen += 1;
            seen < 5
        }));
        assert_eq!(seen, 5);
    }
}

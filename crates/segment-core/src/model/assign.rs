//! Assignment: which segment a new row belongs to, from what a fit leaves behind.
//!
//! - DBSCAN: the segment of the nearest core point within `eps` (distance `<= eps`, as in the fit), else
//!   noise. A training core point is its own nearest core point, so it keeps its segment; a training
//!   border point gets the segment of its nearest core point, which is the one DBSCAN gave it unless cores
//!   of two segments lie within `eps` of it (DBSCAN then gives it the first segment that reached it).
//! - k-means: the nearest centroid (ties: the lower segment id).
//!
//! Core points are indexed in a hash grid of cell side `eps` over their first three dimensions, so a
//! query scans the 3^p cells around it instead of every core point.

use crate::distance::dist2;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Dimensions the grid index uses (the rest are checked by the distance).
const GRID_DIMS: usize = 3;

/// The fitted state assignment needs, in scaled units. Serialised into the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Assignment {
    Dbscan {
        eps: f64,
        /// Number of features (the length of each point).
        dims: usize,
        /// Core points, row-major (`dims` values each).
        core_points: Vec<f64>,
        /// The segment of each core point (canonical ids, 0 = largest).
        core_segments: Vec<u32>,
    },
    KMeans {
        /// One centre per segment, in segment-id order.
        centroids: Vec<Vec<f64>>,
    },
}

impl Assignment {
    /// DBSCAN's state from a fit: the core rows of `x_scaled` (row-major, `dims` columns) with their
    /// canonical segments.
    pub fn from_dbscan(
        eps: f64,
        dims: usize,
        x_scaled: &[f64],
        core_mask: &[bool],
        labels: &[Option<usize>],
    ) -> Self {
        let mut core_points = Vec::new();
        let mut core_segments = Vec::new();
        for (i, (&core, label)) in core_mask.iter().zip(labels).enumerate() {
            if let (true, Some(segment)) = (core, label) {
                core_points.extend_from_slice(&x_scaled[i * dims..(i + 1) * dims]);
                core_segments.push(*segment as u32);
            }
        }
        Assignment::Dbscan { eps, dims, core_points, core_segments }
    }

    /// The number of values each point must have.
    pub fn dims(&self) -> usize {
        match self {
            Assignment::Dbscan { dims, .. } => *dims,
            Assignment::KMeans { centroids } => centroids.first().map_or(0, Vec::len),
        }
    }

    /// The largest segment id it can give, plus one.
    pub fn n_segments(&self) -> usize {
        match self {
            Assignment::Dbscan { core_segments, .. } => {
                core_segments.iter().map(|&s| s as usize + 1).max().unwrap_or(0)
            }
            Assignment::KMeans { centroids } => centroids.len(),
        }
    }

    /// How the rule reads, for the page and the command line.
    pub fn rule(&self) -> String {
        match self {
            Assignment::Dbscan { eps, core_segments, .. } => format!(
                "each row joins the segment of its nearest core point (of {}) within eps = {eps}; rows with no \
                 core point that close are noise. Training border points get their nearest core point's segment.",
                core_segments.len()
            ),
            Assignment::KMeans { centroids } => {
                format!("each row joins the segment of its nearest centre (of {})", centroids.len())
            }
        }
    }

    /// An index for fast queries.
    pub fn assigner(&self) -> Assigner<'_> {
        match self {
            Assignment::Dbscan { eps, dims, core_points, core_segments } => {
                Assigner::Grid(GridIndex::build(*eps, *dims, core_points, core_segments))
            }
            Assignment::KMeans { centroids } => Assigner::Centroids(centroids),
        }
    }
}

/// A built index: use [`Assigner::assign`] per scaled row.
pub enum Assigner<'a> {
    Grid(GridIndex),
    Centroids(&'a [Vec<f64>]),
}

impl Assigner<'_> {
    /// The segment of one scaled row (`None` = noise).
    pub fn assign(&self, x: &[f64]) -> Option<usize> {
        match self {
            Assigner::Grid(grid) => grid.nearest(x),
            Assigner::Centroids(centroids) => centroids
                .iter()
                .enumerate()
                .map(|(s, c)| (s, dist2(c.as_slice(), x)))
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                .map(|(s, _)| s),
        }
    }
}

/// Core points sorted by grid cell, with each cell's range.
pub struct GridIndex {
    eps: f64,
    dims: usize,
    grid_dims: usize,
    /// Sorted by cell: the points (row-major), their segments and their index in the model file.
    points: Vec<f64>,
    segments: Vec<u32>,
    original: Vec<u32>,
    cells: HashMap<[i64; GRID_DIMS], (u32, u32)>,
    offsets: Vec<[i64; GRID_DIMS]>,
}

impl GridIndex {
    fn build(eps: f64, dims: usize, core_points: &[f64], core_segments: &[u32]) -> Self {
        let grid_dims = dims.min(GRID_DIMS);
        let n = core_segments.len().min(core_points.len() / dims.max(1));
        let key = |p: &[f64]| cell_key(p, grid_dims, eps);
        let mut order: Vec<u32> = (0..n as u32).collect();
        let keys: Vec<[i64; GRID_DIMS]> =
            (0..n).map(|i| key(&core_points[i * dims..(i + 1) * dims])).collect();
        order.sort_by_key(|&i| (keys[i as usize], i));
        let mut points = Vec::with_capacity(n * dims);
        let mut segments = Vec::with_capacity(n);
        let mut cells: HashMap<[i64; GRID_DIMS], (u32, u32)> = HashMap::new();
        for (pos, &i) in order.iter().enumerate() {
            let i = i as usize;
            points.extend_from_slice(&core_points[i * dims..(i + 1) * dims]);
            segments.push(core_segments[i]);
            let range = cells.entry(keys[i]).or_insert((pos as u32, pos as u32));
            range.1 = pos as u32 + 1;
        }
        let mut offsets = vec![[0i64; GRID_DIMS]];
        for j in 0..grid_dims {
            offsets = offsets
                .iter()
                .flat_map(|o| {
                    (-1..=1).map(move |delta| {
                        let mut o2 = *o;
                        o2[j] = delta;
                        o2
                    })
                })
                .collect();
        }
        Self { eps, dims, grid_dims, points, segments, original: order, cells, offsets }
    }

    /// The segment of the nearest core point within eps (ties: the core point listed first in the model).
    fn nearest(&self, x: &[f64]) -> Option<usize> {
        if x.len() != self.dims {
            return None;
        }
        let centre = cell_key(x, self.grid_dims, self.eps);
        let eps2 = self.eps * self.eps;
        let mut best: Option<(f64, u32, u32)> = None; // (distance², original index, segment)
        for o in &self.offsets {
            let mut k = centre;
            for j in 0..self.grid_dims {
                k[j] = k[j].saturating_add(o[j]);
            }
            let Some(&(start, end)) = self.cells.get(&k) else { continue };
            for pos in start as usize..end as usize {
                let d2 = dist2(&self.points[pos * self.dims..(pos + 1) * self.dims], x);
                if d2 > eps2 {
                    continue;
                }
                let candidate = (d2, self.original[pos], self.segments[pos]);
                let better = best.is_none_or(|b| d2 < b.0 || (d2 == b.0 && candidate.1 < b.1));
                if better {
                    best = Some(candidate);
                }
            }
        }
        best.map(|(_, _, s)| s as usize)
    }
}

fn cell_key(p: &[f64], grid_dims: usize, eps: f64) -> [i64; GRID_DIMS] {
    let mut k = [0i64; GRID_DIMS];
    for j in 0..grid_dims {
        // `as` saturates: a value far outside the training range lands in an edge cell, found by nobody.
        k[j] = (p[j] / eps).floor() as i64;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_core_within_eps_else_noise() {
        let points = vec![0.0, 0.0, 1.0, 0.0, 5.0, 5.0];
        let a = Assignment::Dbscan { eps: 0.6, dims: 2, core_points: points, core_segments: vec![0, 1, 2] };
        let idx = a.assigner();
        assert_eq!(idx.assign(&[0.1, 0.0]), Some(0));
        assert_eq!(idx.assign(&[0.9, 0.1]), Some(1));
        assert_eq!(idx.assign(&[0.5, 0.0]), Some(0)); // tie: the core listed first
        assert_eq!(idx.assign(&[5.0, 5.6]), Some(2)); // exactly eps away counts
        assert_eq!(idx.assign(&[3.0, 3.0]), None);
        assert_eq!(idx.assign(&[1e300, -1e300]), None);
        assert_eq!(a.n_segments(), 3);
    }

    #[test]
    fn brute_force_agrees_in_five_dimensions() {
        let mut rng = crate::rng::SplitMix64::new(7);
        let dims = 5;
        let core: Vec<f64> = (0..400 * dims).map(|_| rng.unit()).collect();
        let segments: Vec<u32> = (0..400).map(|i| (i % 4) as u32).collect();
        let eps = 0.3;
        let a = Assignment::Dbscan { eps, dims, core_points: core.clone(), core_segments: segments.clone() };
        let idx = a.assigner();
        for _ in 0..500 {
            let q: Vec<f64> = (0..dims).map(|_| rng.unit() * 1.2 - 0.1).collect();
            let brute = (0..400)
                .map(|i| (dist2(&core[i * dims..(i + 1) * dims], q.as_slice()), i))
                .filter(|(d2, _)| *d2 <= eps * eps)
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .map(|(_, i)| segments[i] as usize);
            assert_eq!(idx.assign(&q), brute);
        }
    }

    #[test]
    fn kmeans_takes_the_nearest_centre() {
        let a = Assignment::KMeans { centroids: vec![vec![0.0, 0.0], vec![2.0, 2.0]] };
        let idx = a.assigner();
        assert_eq!(idx.assign(&[0.4, 0.2]), Some(0));
        assert_eq!(idx.assign(&[1.5, 1.9]), Some(1));
        assert_eq!(idx.assign(&[1.0, 1.0]), Some(0));
    }
}

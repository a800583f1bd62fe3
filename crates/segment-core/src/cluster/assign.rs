//! Assignment: which segment a new row belongs to, from what a fit leaves behind.
//!
//! - DBSCAN: the segment of the nearest core point within `eps` (distance `<= eps`, as in the fit), else
//!   noise. A training core point is its own nearest core point, so it keeps its segment; a training
//!   border point gets the segment of its nearest core point, which is the one DBSCAN gave it unless cores
//!   of two segments lie within `eps` of it (DBSCAN then gives it the first segment that reached it).
//! - k-means and Ward: the nearest segment centre (ties: the lower segment id).
//! - Gaussian mixture: the most likely component.
//! - k-prototypes: the nearest prototype by squared distance on the numbers plus gamma per category
//!   that differs from the prototype's (ties: the lower segment id).
//! - HDBSCAN: the `hdbscan` library's approximate predict, with one documented difference. A new row
//!   gets a core distance among the training rows (its `min_samples`-th nearest, an identical training
//!   row counted as itself), then its nearest training row in mutual reachability (ties: the nearer,
//!   then the first listed) at level `lambda = 1 / that distance`; it joins the condensed-tree cluster
//!   that row was in at that level (or, when the row had left its cluster before it, the cluster it
//!   left), and the segment is the selected cluster that cluster lies in. The library gives noise when
//!   that cluster is below a selected one; here it gets the selected one, so every training row applied
//!   to its own model keeps its segment (its own row is its nearest, at its own core distance).
//!
//! Core points are indexed in a k-d tree ([`KdIndex`]), so a query looks at a few dozen core points
//! instead of all of them.

use crate::cluster::hdbscan::{DensityModel, HdbscanIndex};
use crate::cluster::kdtree::KdTree;
use crate::cluster::Mixture;
use crate::distance::dist2;
use serde::{Deserialize, Serialize};

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
    /// k-means and Ward: the nearest segment centre (the mean of the segment's training rows).
    Centroids {
        /// One centre per segment, in segment-id order.
        centroids: Vec<Vec<f64>>,
    },
    /// k-prototypes: the nearest prototype by squared distance on the numbers plus `gamma` per category
    /// whose value differs from the prototype's.
    Prototypes {
        /// Per segment, in segment-id order, one value per feature: a number's mean (scaled), a
        /// category's most common value (its code among the model's levels, see
        /// [`crate::features::FittedScaler::levels`]).
        prototypes: Vec<Vec<f64>>,
        /// Which features are categories.
        categorical: Vec<bool>,
        gamma: f64,
    },
    /// Gaussian mixture: the most likely component.
    Mixture {
        weights: Vec<f64>,
        means: Vec<Vec<f64>>,
        /// Row-major d x d covariance of each component.
        covariances: Vec<Vec<f64>>,
    },
    /// HDBSCAN: every training row with its core distance and place in the condensed tree.
    Hdbscan(DensityModel),
    /// RFM scores: quintile edges of recency, frequency and monetary, and the segment of each group of
    /// the RFM map (see [`crate::cluster::rfm`]).
    Rfm {
        /// The positions of recency, frequency and monetary among the features.
        columns: [usize; 3],
        edges: [[f64; 4]; 3],
        /// For each group of the map, its segment (None: no training customer was in it).
        segment_of_group: Vec<Option<u32>>,
        /// Each segment's group name, in segment-id order.
        names: Vec<String>,
    },
    /// A rule model (the segments' rules used as the segmentation): a row joins the first segment in
    /// `order` whose conditions all hold, else no segment.
    Rules {
        /// Per segment, in segment-id order, its conditions with thresholds in scaled units (scaled as
        /// the values are, so a value equal to a threshold stays equal); empty for a segment no rule
        /// describes.
        conditions: Vec<Vec<ScaledCondition>>,
        /// Per segment, a second set of conditions: the rule holds when every condition of either set
        /// does (empty: the first set alone).
        #[serde(default)]
        alternatives: Vec<Vec<ScaledCondition>>,
        /// Per segment, its further sets, the third on (empty for every segment: none); model version 2
        /// on.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        more: Vec<Vec<Vec<ScaledCondition>>>,
        /// The segments in the order their rules are tried: the most precise first.
        order: Vec<u32>,
    },
}

impl Assignment {
    /// What in the assignment does not fit a model of `d` features and `segments` segments (a
    /// hand-edited or truncated model file), if anything: each method's saved state is checked here,
    /// beside its definition.
    pub fn problem(&self, d: usize, segments: usize) -> Option<&'static str> {
        let sane = crate::limits::within_magnitude;
        match self {
            Assignment::Dbscan { eps, dims, core_points, core_segments } => {
                if *dims != d || core_points.len() != dims * core_segments.len() {
                    return Some("the core points do not match the features");
                }
                if core_segments.len() > crate::limits::MAX_CORE_POINTS {
                    return Some("more core points than a model may hold");
                }
                if !(sane(eps) && *eps > 0.0) {
                    return Some("eps is not a positive number up to 1e100");
                }
                if !core_points.iter().all(sane) {
                    return Some("a core point that is not a number, or beyond 1e100");
                }
            }
            Assignment::Hdbscan(model) => {
                if model.dims != d {
                    return Some("the training rows do not match the features");
                }
                if let Some(why) = model.shape_problem() {
                    return Some(why);
                }
                if model.core_distances.len() > crate::limits::MAX_CORE_POINTS {
                    return Some("more training rows than a model may hold");
                }
                if !model.points.iter().all(sane)
                    || !model.core_distances.iter().all(|v| sane(v) && *v >= 0.0)
                    || !model
                        .point_lambda
                        .iter()
                        .chain(&model.cluster_birth)
                        .all(|v| !v.is_nan() && *v >= 0.0)
                {
                    return Some("a training row, core distance or level that is not a number");
                }
                if model.cluster_segment.iter().flatten().any(|&s| s as usize >= crate::limits::MAX_SEGMENTS)
                {
                    return Some("the density tree is not a tree over the training rows");
                }
            }
            Assignment::Centroids { centroids } => {
                if centroids.is_empty() || centroids.iter().any(|c| c.len() != d) {
                    return Some("the centres do not match the features");
                }
                if !centroids.iter().flatten().all(sane) {
                    return Some("a centre that is not a number, or beyond 1e100");
                }
            }
            Assignment::Prototypes { prototypes, categorical, gamma } => {
                if prototypes.is_empty() || categorical.len() != d || prototypes.iter().any(|c| c.len() != d)
                {
                    return Some("the prototypes do not match the features");
                }
                if !(prototypes.iter().flatten().all(sane) && sane(gamma) && *gamma >= 0.0) {
                    return Some("a prototype or gamma that is not a number, or beyond 1e100");
                }
            }
            Assignment::Mixture { weights, means, covariances } => {
                let shapes = !weights.is_empty()
                    && means.len() == weights.len()
                    && covariances.len() == weights.len()
                    && means.iter().all(|m| m.len() == d)
                    && covariances.iter().all(|c| c.len() == d * d);
                if !shapes {
                    return Some("the mixture's components do not match the features");
                }
                let weights_ok = weights.iter().all(|w| w.is_finite() && *w >= 0.0)
                    && (weights.iter().sum::<f64>() - 1.0).abs() < 1e-6;
                if !weights_ok || !means.iter().flatten().chain(covariances.iter().flatten()).all(sane) {
                    return Some(
                        "mixture weights that are negative or do not sum to 1, or values beyond 1e100",
                    );
                }
                if crate::cluster::Mixture::new(weights.clone(), means.clone(), covariances.clone()).is_none()
                {
                    return Some("a covariance of the mixture is not positive definite");
                }
            }
            Assignment::Rfm { columns, edges, segment_of_group, names } => {
                if columns.iter().any(|&c| c >= d) {
                    return Some("the RFM columns are not among the features");
                }
                if edges.iter().flatten().any(|e| !e.is_finite()) {
                    return Some("an RFM edge is not a number");
                }
                let groups = crate::cluster::rfm::GROUPS.len();
                if segment_of_group.len() != groups
                    || segment_of_group.iter().flatten().any(|&s| s as usize >= names.len())
                {
                    return Some("the RFM groups do not match the segments");
                }
            }
            Assignment::Rules { conditions, alternatives, more, order } => {
                let n = segments;
                let mut seen = vec![false; n];
                let order_ok = order.iter().all(|&s| {
                    let s = s as usize;
                    s < n && !std::mem::replace(&mut seen[s], true)
                });
                let per_segment = |sets: usize| sets == 0 || sets == n;
                // At most 2k sets for k segments, as the rules they were made from (a decision tree's
                // 2k leaves): a crafted file cannot make each row try thousands.
                let sets = conditions
                    .iter()
                    .chain(alternatives)
                    .chain(more.iter().flatten())
                    .filter(|s| !s.is_empty());
                if conditions.len() != n
                    || !per_segment(alternatives.len())
                    || !per_segment(more.len())
                    || !order_ok
                    || sets.count() > 2 * n
                {
                    return Some("the rules do not match the segments");
                }
                if conditions
                    .iter()
                    .chain(alternatives)
                    .chain(more.iter().flatten())
                    .flatten()
                    .any(|c| c.feature >= d || !sane(&c.threshold))
                {
                    return Some("a rule's feature or threshold is out of range");
                }
            }
        }
        None
    }
}

/// One condition of a rule model, on a scaled feature.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScaledCondition {
    /// The feature's position.
    pub feature: usize,
    /// True: the value is above the threshold; false: at most the threshold. With `equals`: is not /
    /// is the threshold.
    pub above: bool,
    pub threshold: f64,
    /// A category compared by value: the threshold is a value's code (a saved model's numbering).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub equals: bool,
}

impl ScaledCondition {
    fn holds(&self, x: &[f64]) -> bool {
        x.get(self.feature).is_some_and(|&v| match (self.equals, self.above) {
            (true, not) => v.is_finite() && (v == self.threshold) != not,
            (false, true) => v > self.threshold,
            (false, false) => v <= self.threshold,
        })
    }
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
            Assignment::Hdbscan(m) => m.dims,
            Assignment::Centroids { centroids } => centroids.first().map_or(0, Vec::len),
            Assignment::Prototypes { categorical, .. } => categorical.len(),
            Assignment::Mixture { means, .. } => means.first().map_or(0, Vec::len),
            Assignment::Rfm { columns, .. } => columns.iter().max().map_or(0, |&c| c + 1),
            Assignment::Rules { conditions, alternatives, more, .. } => conditions
                .iter()
                .chain(alternatives)
                .chain(more.iter().flatten())
                .flatten()
                .map(|c| c.feature + 1)
                .max()
                .unwrap_or(0),
        }
    }

    /// The largest segment id it can give, plus one.
    pub fn n_segments(&self) -> usize {
        match self {
            Assignment::Dbscan { core_segments, .. } => {
                core_segments.iter().map(|&s| s as usize + 1).max().unwrap_or(0)
            }
            Assignment::Hdbscan(m) => {
                m.cluster_segment.iter().flatten().map(|&s| s as usize + 1).max().unwrap_or(0)
            }
            Assignment::Centroids { centroids } => centroids.len(),
            Assignment::Prototypes { prototypes, .. } => prototypes.len(),
            Assignment::Mixture { weights, .. } => weights.len(),
            Assignment::Rfm { names, .. } => names.len(),
            Assignment::Rules { conditions, .. } => conditions.len(),
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
            Assignment::Hdbscan(DensityModel { points, dims, min_samples, .. }) => format!(
                "each row joins the segment of its nearest training row in mutual reachability (of {}; core \
                 distance: its {min_samples}-th nearest training row), at the density where it would have joined \
                 the tree; rows nearest a noise row are noise",
                points.len() / (*dims).max(1)
            ),
            Assignment::Centroids { centroids } => format!(
                "each row joins the segment whose centre (the mean of its training rows; {} segments) is nearest",
                centroids.len()
            ),
            Assignment::Prototypes { prototypes, gamma, .. } => format!(
                "each row joins the segment whose prototype ({} segments: the mean of each number, the most common \
                 value of each category) is nearest, counting squared differences on the numbers and {gamma} for \
                 each category that differs",
                prototypes.len()
            ),
            Assignment::Mixture { weights, .. } => format!(
                "each row joins its most likely component of the mixture ({} components)",
                weights.len()
            ),
            Assignment::Rfm { names, .. } => format!(
                "each customer scores 1-5 on recency, frequency and monetary by the training file's quintiles, \
                 and its recency and frequency scores name its segment ({} segments); a customer whose group had \
                 no training customer is noise",
                names.len()
            ),
            Assignment::Rules { order, .. } => format!(
                "each customer joins the first segment whose rule holds, the most precise rule first ({} \
                 rules); a customer no rule describes is in no segment",
                order.len()
            ),
        }
    }

    /// An index for fast queries.
    pub fn assigner(&self) -> Assigner<'_> {
        match self {
            Assignment::Dbscan { eps, dims, core_points, core_segments } => {
                Assigner::Tree(KdIndex::build(*eps, *dims, core_points, core_segments))
            }
            Assignment::Hdbscan(m) => match HdbscanIndex::new(m) {
                Some(index) => Assigner::Density(Box::new(index)),
                None => Assigner::Nothing,
            },
            Assignment::Centroids { centroids } => Assigner::Centroids(centroids),
            Assignment::Prototypes { prototypes, categorical, gamma } => {
                Assigner::Prototypes { prototypes, categorical, gamma: *gamma }
            }
            Assignment::Mixture { weights, means, covariances } => {
                match Mixture::new(weights.clone(), means.clone(), covariances.clone()) {
                    Some(m) => Assigner::Mixture(m),
                    None => Assigner::Nothing,
                }
            }
            Assignment::Rfm { columns, edges, segment_of_group, .. } => {
                Assigner::Rfm { columns: *columns, edges, segment_of_group }
            }
            Assignment::Rules { conditions, alternatives, more, order } => {
                Assigner::Rules { conditions, alternatives, more, order }
            }
        }
    }
}

/// A built index: use [`Assigner::assign`] per scaled row.
pub enum Assigner<'a> {
    Tree(KdIndex),
    Density(Box<HdbscanIndex>),
    Centroids(&'a [Vec<f64>]),
    Prototypes {
        prototypes: &'a [Vec<f64>],
        categorical: &'a [bool],
        gamma: f64,
    },
    Mixture(Mixture),
    Rfm {
        columns: [usize; 3],
        edges: &'a [[f64; 4]; 3],
        segment_of_group: &'a [Option<u32>],
    },
    Rules {
        conditions: &'a [Vec<ScaledCondition>],
        alternatives: &'a [Vec<ScaledCondition>],
        more: &'a [Vec<Vec<ScaledCondition>>],
        order: &'a [u32],
    },
    /// A mixture whose covariances are not positive definite (refused when a model file is read).
    Nothing,
}

impl Assigner<'_> {
    /// The segment of one scaled row (`None` = noise).
    pub fn assign(&self, x: &[f64]) -> Option<usize> {
        match self {
            Assigner::Tree(tree) => tree.nearest(x),
            Assigner::Density(index) => index.assign(x),
            Assigner::Centroids(centroids) => centroids
                .iter()
                .enumerate()
                .map(|(s, c)| (s, dist2(c.as_slice(), x)))
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                .map(|(s, _)| s),
            Assigner::Prototypes { prototypes, categorical, gamma } => prototypes
                .iter()
                .enumerate()
                .map(|(s, p)| (s, crate::cluster::kprototypes::cost(p, x, categorical, *gamma)))
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                .map(|(s, _)| s),
            Assigner::Mixture(m) => m.most_likely(x),
            Assigner::Rfm { columns, edges, segment_of_group } => {
                if columns.iter().any(|&c| x.get(c).is_none_or(|v| !v.is_finite())) {
                    return None;
                }
                let [r, f, _] = crate::cluster::rfm::scores(x, *columns, edges);
                segment_of_group.get(crate::cluster::rfm::group(r, f)).copied().flatten().map(|s| s as usize)
            }
            Assigner::Rules { conditions, alternatives, more, order } => {
                let holds = |set: Option<&Vec<ScaledCondition>>| {
                    set.is_some_and(|set| !set.is_empty() && set.iter().all(|c| c.holds(x)))
                };
                order.iter().map(|&s| s as usize).find(|&s| {
                    holds(conditions.get(s))
                        || holds(alternatives.get(s))
                        || more.get(s).is_some_and(|sets| sets.iter().any(|set| holds(Some(set))))
                })
            }
            Assigner::Nothing => None,
        }
    }
}

/// DBSCAN's core points in the k-d tree the fit uses ([`KdTree`]): a query descends to its own leaf,
/// then visits only the boxes closer than the best core found so far (at most `eps`). Dense regions
/// end after a few leaves; a noise point, with no core within `eps`, prunes almost every box at once.
/// (A hash grid of cell side eps was tried first: 2.2 s per million rows on the seed-like benchmark,
/// where clusters hold hundreds of cores per cell.)
pub struct KdIndex {
    eps2: f64,
    tree: KdTree,
    /// The segment of each core point, in the model's order.
    segments: Vec<u32>,
}

impl KdIndex {
    fn build(eps: f64, dims: usize, core_points: &[f64], core_segments: &[u32]) -> Self {
        let n = core_segments.len().min(core_points.len() / dims.max(1));
        let tree = KdTree::build(&core_points[..n * dims], n, dims);
        Self { eps2: eps * eps, tree, segments: core_segments[..n].to_vec() }
    }

    /// The segment of the nearest core point within eps (ties: the core point listed first in the model).
    fn nearest(&self, x: &[f64]) -> Option<usize> {
        if x.len() != self.tree.d || self.segments.is_empty() || x.iter().any(|v| !v.is_finite()) {
            return None;
        }
        self.tree.nearest_within(x, self.eps2).map(|row| self.segments[row] as usize)
    }
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
    fn equal_core_points_resolve_to_the_first_listed() {
        // 40 copies of one point (segment 3 listed first), forcing splits among equal values.
        let mut points = Vec::new();
        let mut segments = Vec::new();
        for i in 0..40u32 {
            points.extend_from_slice(&[0.5, 0.5]);
            segments.push(if i == 0 { 3 } else { i % 3 });
            points.extend_from_slice(&[f64::from(i) * 0.01, 0.0]);
            segments.push(1);
        }
        let a = Assignment::Dbscan { eps: 0.2, dims: 2, core_points: points, core_segments: segments };
        assert_eq!(a.assigner().assign(&[0.5, 0.55]), Some(3));
    }

    #[test]
    fn kmeans_takes_the_nearest_centre() {
        let a = Assignment::Centroids { centroids: vec![vec![0.0, 0.0], vec![2.0, 2.0]] };
        let idx = a.assigner();
        assert_eq!(idx.assign(&[0.4, 0.2]), Some(0));
        assert_eq!(idx.assign(&[1.5, 1.9]), Some(1));
        assert_eq!(idx.assign(&[1.0, 1.0]), Some(0));
    }
}

//! Cluster: segment the scaled rows. Labels are `Option<usize>` (None = noise), canonical: segment 0 is
//! the largest, ties broken by the earliest row, so the same settings always give the same ids.

pub mod assign;
pub mod dbscan;
pub mod gmm;
mod grid;
pub mod hdbscan;
pub use hdbscan::HdbscanSettings;
pub(crate) mod kdtree;
pub mod kmeans;
pub mod kmedoids;
pub mod kprototypes;
pub mod method;
pub mod params;
mod reachability;
pub mod rfm;
mod tree;
mod union_find;
pub mod ward;

pub use assign::{Assigner, Assignment, ScaledCondition};
pub use dbscan::{Dbscan, DbscanParams, DbscanSettings, DbscanValidParams, EpsIndex, EpsIndexBuild};
pub use gmm::{GaussianMixture, GmmFit, GmmParams, GmmValidParams, Mixture, MixtureSettings};
pub use kmeans::{KMeans, KMeansFit, KMeansJob, KMeansParams, KMeansSettings, KMeansValidParams};
pub use method::{ClusterMethod, FitInputs, MethodFit, MethodInfo};
pub use rfm::RfmColumns;
pub use ward::{Ward, WardParams, WardSettings, WardTree, WardValidParams, WARD_MAX_ROWS};

/// DBSCAN's and HDBSCAN's min_samples counts the point itself, so it is at least 1.
pub(crate) fn check_min_samples(min_samples: usize) -> Result<(), crate::error::CoreError> {
    params::min_samples("min_samples", min_samples, 1)
}

/// Renumbers cluster ids so that 0 is the largest cluster (ties: the one whose first row comes first).
/// Returns the new labels and the sizes, largest first.
pub fn canonical_labels(labels: &[Option<usize>]) -> (Vec<Option<usize>>, Vec<usize>) {
    let (new_id, sizes) = canonical_ids(labels.iter().copied());
    let relabeled = labels.iter().map(|l| l.map(|c| new_id[c])).collect();
    (relabeled, sizes)
}

/// The canonical id of each cluster id in `labels` (usize::MAX for ids no row has) and the canonical
/// segments' sizes, largest first (ties: the segment whose first row comes first). A fit maps its own
/// labels with it, without an `Option` copy of them.
pub fn canonical_ids(labels: impl Iterator<Item = Option<usize>> + Clone) -> (Vec<usize>, Vec<usize>) {
    let n_clusters = labels.clone().flatten().map(|l| l + 1).max().unwrap_or(0);
    let mut size = vec![0usize; n_clusters];
    let mut first = vec![usize::MAX; n_clusters];
    for (i, l) in labels.enumerate() {
        if let Some(l) = l {
            size[l] += 1;
            first[l] = first[l].min(i);
        }
    }
    let mut order: Vec<usize> = (0..n_clusters).filter(|&c| size[c] > 0).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(size[c]), first[c]));
    let mut new_id = vec![usize::MAX; n_clusters];
    for (rank, &c) in order.iter().enumerate() {
        new_id[c] = rank;
    }
    (new_id, order.iter().map(|&c| size[c]).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_first_ties_by_first_row() {
        let labels = vec![Some(3), None, Some(1), Some(1), Some(3), Some(0), Some(1)];
        let (relabeled, sizes) = canonical_labels(&labels);
        assert_eq!(sizes, vec![3, 2, 1]);
        assert_eq!(relabeled, vec![Some(1), None, Some(0), Some(0), Some(1), Some(2), Some(0)]);
    }
}

//! Exact PCA: one pass for the covariance matrix, then its eigen-decomposition (a d x d matrix, d the
//! number of features, solved by cyclic Jacobi rotations, exact to machine precision).
//!
//! As in scikit-learn, `explained_variance_ratio` is each component's variance over the *total* variance
//! (linfa-reduction divides by the kept components only). Signs are fixed so that each component's
//! largest-magnitude loading is positive: the map does not flip between runs or platforms.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pca {
    pub mean: Vec<f64>,
    /// Rows are components, strongest first.
    pub components: Vec<Vec<f64>>,
    /// Variance along each component (denominator n - 1, as scikit-learn).
    pub explained_variance: Vec<f64>,
    pub explained_variance_ratio: Vec<f64>,
}

impl Pca {
    pub fn fit(x: ArrayView2<f64>) -> Pca {
        let (n, d) = x.dim();
        let mean: Array1<f64> = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(d));
        let mut cov = Array2::<f64>::zeros((d, d));
        let mut centered = vec![0.0; d];
        for row in x.outer_iter() {
            for j in 0..d {
                centered[j] = row[j] - mean[j];
            }
            for a in 0..d {
                let ca = centered[a];
                for b in a..d {
                    cov[[a, b]] += ca * centered[b];
                }
            }
        }
        let denom = (n.max(2) - 1) as f64;
        for a in 0..d {
            for b in a..d {
                cov[[a, b]] /= denom;
                cov[[b, a]] = cov[[a, b]];
            }
        }
        let (values, vectors) = symmetric_eigen(&cov);
        let mut idx: Vec<usize> = (0..d).collect();
        idx.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
        let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
        let mut components = Vec::with_capacity(d);
        let mut explained_variance = Vec::with_capacity(d);
        for &k in &idx {
            let mut v: Vec<f64> = vectors.column(k).to_vec();
            let lead = v.iter().copied().fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
            if lead < 0.0 {
                v.iter_mut().for_each(|x| *x = -*x);
            }
            components.push(v);
            explained_variance.push(values[k].max(0.0));
        }
        let explained_variance_ratio =
            explained_variance.iter().map(|v| if total > 0.0 { v / total } else { 0.0 }).collect();
        Pca { mean: mean.to_vec(), components, explained_variance, explained_variance_ratio }
    }

    /// Scores on the first `k` components, row-major `n * k`.
    pub fn transform(&self, x: ArrayView2<f64>, k: usize) -> Vec<f64> {
        self.transform_as(x, k, |v| v)
    }

    /// [`Self::transform`] with each score passed through `map` as it is computed (the map keeps
    /// single precision: no double-precision copy of the scores is made on the way).
    pub fn transform_as<T>(&self, x: ArrayView2<f64>, k: usize, map: impl Fn(f64) -> T) -> Vec<T> {
        let k = k.min(self.components.len());
        let mut out = Vec::with_capacity(x.nrows() * k);
        for row in x.outer_iter() {
            for comp in &self.components[..k] {
                out.push(map(row.iter().zip(&self.mean).zip(comp).map(|((v, m), c)| (v - m) * c).sum()));
            }
        }
        out
    }
}

/// Eigenvalues and eigenvectors (as columns) of a symmetric matrix, by cyclic Jacobi rotations.
pub fn symmetric_eigen(a: &Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let d = a.nrows();
    let mut m = a.clone();
    let mut v = Array2::<f64>::eye(d);
    for _sweep in 0..100 {
        let off: f64 =
            (0..d).flat_map(|p| ((p + 1)..d).map(move |q| (p, q))).map(|(p, q)| m[[p, q]].powi(2)).sum();
        let scale: f64 = (0..d).map(|p| m[[p, p]].powi(2)).sum::<f64>().max(f64::MIN_POSITIVE);
        if off <= 1e-30 * scale {
            break;
        }
        for p in 0..d {
            for q in (p + 1)..d {
                let apq = m[[p, q]];
                if apq.abs() <= f64::MIN_POSITIVE {
                    continue;
                }
                let theta = (m[[q, q]] - m[[p, p]]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (mkp, mkq) = (m[[k, p]], m[[k, q]]);
                    m[[k, p]] = c * mkp - s * mkq;
                    m[[k, q]] = s * mkp + c * mkq;
                }
                for k in 0..d {
                    let (mpk, mqk) = (m[[p, k]], m[[q, k]]);
                    m[[p, k]] = c * mpk - s * mqk;
                    m[[q, k]] = s * mpk + c * mqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[[k, p]], v[[k, q]]);
                    v[[k, p]] = c * vkp - s * vkq;
                    v[[k, q]] = s * vkp + c * vkq;
                }
            }
        }
    }
    ((0..d).map(|i| m[[i, i]]).collect(), v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn eigen_of_a_known_matrix() {
        let a = array![[2.0, 1.0], [1.0, 2.0]];
        let (mut values, _) = symmetric_eigen(&a);
        values.sort_unstable_by(f64::total_cmp);
        assert!((values[0] - 1.0).abs() < 1e-12 && (values[1] - 3.0).abs() < 1e-12);
    }

    #[test]
    fn ratio_is_over_total_variance() {
        let x = array![[1.0, 0.0], [2.0, 0.1], [3.0, -0.1], [4.0, 0.0]];
        let pca = Pca::fit(x.view());
        let sum: f64 = pca.explained_variance_ratio.iter().sum();
        assert!((sum - 1.0).abs() < 1e-12);
        assert!(pca.components[0][0] > 0.99);
    }
}

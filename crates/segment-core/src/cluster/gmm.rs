//! Gaussian mixture with full covariances, fitted by EM, with scikit-learn's `GaussianMixture` defaults:
//! responsibilities initialised from k-means (one seeded run), `reg_covar` 1e-6 added to each
//! covariance diagonal, stop when the mean log-likelihood changes by less than `tol` = 1e-3, at most 100
//! iterations, and a final E-step so the labels agree with the fitted parameters. A row's segment is its
//! most likely component; ids are canonical (largest first).

use super::{canonical_labels, KMeans};
use linfa::ParamGuard;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GmmValidParams {
    pub(crate) k: usize,
    pub(crate) max_iter: usize,
    pub(crate) tol: f64,
    pub(crate) reg_covar: f64,
    pub(crate) seed: u64,
}

/// Unchecked parameters; `check()` gives [`GmmValidParams`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GmmParams(GmmValidParams);

pub struct GaussianMixture;

impl GaussianMixture {
    pub fn params(k: usize, seed: u64) -> GmmParams {
        GmmParams(GmmValidParams { k, max_iter: 100, tol: 1e-3, reg_covar: 1e-6, seed })
    }
}

super::params::param_guard!(GmmParams, GmmValidParams, |p| {
    super::params::k("k", p.k)?;
});

/// A fitted mixture, components in canonical order (0 = the largest segment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GmmFit {
    pub labels: Vec<Option<usize>>,
    pub weights: Vec<f64>,
    pub means: Vec<Vec<f64>>,
    /// Row-major d x d covariance of each component.
    pub covariances: Vec<Vec<f64>>,
    /// Mean log-likelihood per row at the end.
    pub lower_bound: f64,
    pub iterations: usize,
    pub converged: bool,
}

impl GmmValidParams {
    pub fn k(&self) -> usize {
        self.k
    }

    /// Fits on `x` (rows = points); needs at least `k` rows (callers check).
    pub fn fit(&self, x: ArrayView2<f64>) -> GmmFit {
        let (n, d) = x.dim();
        let k = self.k.min(n.max(1));
        let points: Vec<f64> = x.iter().copied().collect();
        // Initial responsibilities: one seeded k-means run, as scikit-learn's init_params="kmeans".
        let init =
            KMeans::params(k, self.seed).n_init(1).check().map(|p| p.fit(x).labels).unwrap_or_default();
        let mut resp = vec![0.0; n * k];
        for (i, l) in init.iter().enumerate() {
            resp[i * k + l.unwrap_or(0).min(k - 1)] = 1.0;
        }
        let mut model = m_step(&points, n, d, k, &resp, self.reg_covar);
        let mut lower_bound = f64::NEG_INFINITY;
        let mut converged = false;
        let mut iterations = 0;
        for it in 1..=self.max_iter {
            iterations = it;
            let bound = model.e_step(&points, n, &mut resp);
            model = m_step(&points, n, d, k, &resp, self.reg_covar);
            let change = bound - lower_bound;
            lower_bound = bound;
            if change.abs() < self.tol {
                converged = true;
                break;
            }
        }
        // Final E-step: labels that agree with the returned parameters.
        model.e_step(&points, n, &mut resp);
        let raw: Vec<Option<usize>> = (0..n)
            .map(|i| {
                let row = &resp[i * k..(i + 1) * k];
                (0..k).max_by(|&a, &b| row[a].total_cmp(&row[b]).then(b.cmp(&a)))
            })
            .collect();
        let (labels, _) = canonical_labels(&raw);
        // Reorder the components to the canonical ids; components with no row are dropped.
        let mut order = vec![usize::MAX; k];
        for (old, new) in raw.iter().zip(&labels) {
            if let (Some(old), Some(new)) = (old, new) {
                order[*new] = *old;
            }
        }
        order.retain(|&c| c != usize::MAX);
        GmmFit {
            labels,
            weights: order.iter().map(|&c| model.weights[c]).collect(),
            means: order.iter().map(|&c| model.means[c].clone()).collect(),
            covariances: order.iter().map(|&c| model.covariances[c].clone()).collect(),
            lower_bound,
            iterations,
            converged,
        }
    }
}

/// Mixture parameters with each covariance's Cholesky factor, ready to score rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Mixture {
    pub d: usize,
    pub weights: Vec<f64>,
    pub means: Vec<Vec<f64>>,
    pub covariances: Vec<Vec<f64>>,
    /// Lower-triangular Cholesky factor L (cov = L L^T) and log det(cov), per component.
    chol: Vec<Vec<f64>>,
    log_det: Vec<f64>,
}

impl Mixture {
    /// None when a covariance is not positive definite (a damaged model file).
    pub fn new(weights: Vec<f64>, means: Vec<Vec<f64>>, covariances: Vec<Vec<f64>>) -> Option<Self> {
        let d = means.first().map_or(0, Vec::len);
        let mut chol = Vec::with_capacity(covariances.len());
        let mut log_det = Vec::with_capacity(covariances.len());
        for cov in &covariances {
            let l = cholesky(cov, d)?;
            log_det.push(2.0 * (0..d).map(|i| l[i * d + i].ln()).sum::<f64>());
            chol.push(l);
        }
        Some(Self { d, weights, means, covariances, chol, log_det })
    }

    /// k components of equal weight, at the origin, with unit covariances: the fit's last resort.
    fn unit(d: usize, k: usize) -> Self {
        let unit: Vec<f64> = (0..d * d).map(|i| if i % (d + 1) == 0 { 1.0 } else { 0.0 }).collect();
        Self {
            d,
            weights: vec![1.0 / k.max(1) as f64; k],
            means: vec![vec![0.0; d]; k],
            covariances: vec![unit.clone(); k],
            chol: vec![unit; k],
            log_det: vec![0.0; k],
        }
    }

    /// log(weight_c) + log N(x; mean_c, cov_c) for each component.
    pub fn log_weighted(&self, x: &[f64], out: &mut [f64]) {
        let d = self.d;
        let mut y = vec![0.0; d];
        let log_2pi = (2.0 * std::f64::consts::PI).ln();
        for (c, slot) in out.iter_mut().enumerate().take(self.weights.len()) {
            let (l, mean) = (&self.chol[c], &self.means[c]);
            // Solve L y = x - mean (forward substitution); |y|^2 is the Mahalanobis distance.
            let mut m2 = 0.0;
            for i in 0..d {
                let mut s = x[i] - mean[i];
                for j in 0..i {
                    s -= l[i * d + j] * y[j];
                }
                y[i] = s / l[i * d + i];
                m2 += y[i] * y[i];
            }
            *slot = self.weights[c].ln() - 0.5 * (d as f64 * log_2pi + self.log_det[c] + m2);
        }
    }

    /// Component `c`'s lower Cholesky factor (row-major d x d) and the log-determinant of its covariance:
    /// what `log_weighted` uses, for writing the same computation elsewhere (SQL).
    pub fn cholesky(&self, c: usize) -> &[f64] {
        &self.chol[c]
    }

    pub fn log_det(&self, c: usize) -> f64 {
        self.log_det[c]
    }

    /// The most likely component of `x` (ties: the lower id).
    pub fn most_likely(&self, x: &[f64]) -> Option<usize> {
        let mut scores = vec![0.0; self.weights.len()];
        self.log_weighted(x, &mut scores);
        (0..scores.len()).max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)))
    }

    /// Fills the responsibilities and returns the mean log-likelihood.
    fn e_step(&self, points: &[f64], n: usize, resp: &mut [f64]) -> f64 {
        let k = self.weights.len();
        let d = self.d;
        let mut total = 0.0;
        for i in 0..n {
            let row = &mut resp[i * k..(i + 1) * k];
            self.log_weighted(&points[i * d..(i + 1) * d], row);
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let sum: f64 = row.iter().map(|v| (v - max).exp()).sum();
            let log_norm = max + sum.ln();
            row.iter_mut().for_each(|v| *v = (*v - log_norm).exp());
            total += log_norm;
        }
        total / n.max(1) as f64
    }
}

fn m_step(points: &[f64], n: usize, d: usize, k: usize, resp: &[f64], reg_covar: f64) -> Mixture {
    let tiny = 10.0 * f64::EPSILON;
    let mut nk = vec![tiny; k];
    let mut means = vec![vec![0.0; d]; k];
    for i in 0..n {
        let p = &points[i * d..(i + 1) * d];
        for c in 0..k {
            let r = resp[i * k + c];
            nk[c] += r;
            means[c].iter_mut().zip(p).for_each(|(m, v)| *m += r * v);
        }
    }
    for c in 0..k {
        means[c].iter_mut().for_each(|m| *m /= nk[c]);
    }
    let mut covariances = vec![vec![0.0; d * d]; k];
    let mut diff = vec![0.0; d];
    for i in 0..n {
        let p = &points[i * d..(i + 1) * d];
        for c in 0..k {
            let r = resp[i * k + c];
            if r == 0.0 {
                continue;
            }
            diff.iter_mut().zip(p.iter().zip(&means[c])).for_each(|(df, (v, m))| *df = v - m);
            let cov = &mut covariances[c];
            for a in 0..d {
                for b in 0..=a {
                    cov[a * d + b] += r * diff[a] * diff[b];
                }
            }
        }
    }
    for c in 0..k {
        let cov = &mut covariances[c];
        for a in 0..d {
            for b in 0..=a {
                let v = cov[a * d + b] / nk[c];
                cov[a * d + b] = v;
                cov[b * d + a] = v;
            }
            cov[a * d + a] += reg_covar;
        }
    }
    let total: f64 = nk.iter().sum();
    let weights: Vec<f64> = nk.iter().map(|w| w / total).collect();
    // A covariance made singular by a collapsed component gets more regularisation rather than failing,
    // up to a point; past it (values a covariance cannot hold), the component falls back to a unit
    // covariance around a finite mean, so the fit always ends.
    let mut reg = reg_covar.max(1e-12);
    for _ in 0..40 {
        if let Some(m) = Mixture::new(weights.clone(), means.clone(), covariances.clone()) {
            return m;
        }
        reg *= 10.0;
        for cov in &mut covariances {
            for a in 0..d {
                cov[a * d + a] += reg;
            }
        }
    }
    let unit: Vec<f64> = Mixture::unit(d, 1).covariances.swap_remove(0);
    let means: Vec<Vec<f64>> = means
        .into_iter()
        .map(|m| m.into_iter().map(|v| if v.is_finite() { v } else { 0.0 }).collect())
        .collect();
    let weights: Vec<f64> =
        weights.iter().map(|w| if w.is_finite() && *w > 0.0 { *w } else { 1.0 / k as f64 }).collect();
    Mixture::new(weights, means, vec![unit; k]).unwrap_or_else(|| Mixture::unit(d, k))
}

/// Cholesky factor of a symmetric positive-definite d x d matrix; None when it is not positive definite.
fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    if a.len() != d * d {
        return None;
    }
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let mut s = a[i * d + j];
            for p in 0..j {
                s -= l[i * d + p] * l[j * d + p];
            }
            if i == j {
                if !(s > 0.0 && s.is_finite()) {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

// ---- The method: the mixture's settings and what the rest of the code knows of it. ----

/// The number of components of a Gaussian mixture (full covariances).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MixtureSettings {
    pub k: usize,
}

impl Default for MixtureSettings {
    fn default() -> Self {
        Self { k: 3 }
    }
}

pub const INFO: super::MethodInfo = super::MethodInfo {
    key: "gmm",
    label: "Gaussian mixture (k elliptical groups)",
    name: "Gaussian mixture",
    uses_k: true,
    independent_ks: true,
};

impl super::ClusterMethod for MixtureSettings {
    super::method::method_basics!(INFO, k);

    fn validate(&self) -> Result<(), crate::error::CoreError> {
        super::params::k("k (mixture)", self.k)
    }

    fn check_work(&self, n: usize, d: usize) -> Result<(), crate::error::CoreError> {
        use crate::limits::{MAX_MIXTURE_FEATURES, MIXTURE_WORK};
        if d > MAX_MIXTURE_FEATURES {
            return self.refuse(format!(
                "the Gaussian mixture estimates a {d} x {d} covariance per segment; it runs on up to \
                 {MAX_MIXTURE_FEATURES} features: use k-means"
            ));
        }
        if n as f64 * self.k as f64 * (d as f64).powi(2) > MIXTURE_WORK {
            return self.refuse(format!(
                "the Gaussian mixture with k {} on {n} rows of {d} features would run for minutes; use k-means",
                self.k
            ));
        }
        Ok(())
    }

    fn rows_needed(&self, inputs: &super::FitInputs) -> Result<usize, crate::error::CoreError> {
        Ok(GaussianMixture::params(self.k, inputs.seed).check_ref()?.k())
    }

    fn fit(
        &self,
        x: ArrayView2<f64>,
        inputs: &super::FitInputs,
        _: &mut dyn FnMut(f64),
    ) -> Result<super::MethodFit, crate::error::CoreError> {
        let fit = GaussianMixture::params(self.k, inputs.seed).check()?.fit(x);
        let assignment = super::Assignment::Mixture {
            weights: fit.weights,
            means: fit.means,
            covariances: fit.covariances,
        };
        Ok((fit.labels, assignment).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn two_gaussians_are_found_with_their_parameters() {
        let mut rng = crate::rng::SplitMix64::new(3);
        let mut rows = Vec::new();
        for i in 0..600 {
            let (mx, my, s) = if i < 400 { (0.0, 0.0, 1.0) } else { (8.0, 8.0, 0.5) };
            rows.push(mx + s * rng.normal());
            rows.push(my + s * rng.normal());
        }
        let x = Array2::from_shape_vec((600, 2), rows).unwrap_or_else(|e| panic!("{e}"));
        let fit = GaussianMixture::params(2, 1).check().unwrap_or_else(|e| panic!("{e}")).fit(x.view());
        assert!(fit.converged);
        let sizes: Vec<usize> =
            (0..2).map(|c| fit.labels.iter().filter(|l| **l == Some(c)).count()).collect();
        assert_eq!(sizes, vec![400, 200]);
        assert!((fit.weights[0] - 2.0 / 3.0).abs() < 0.01);
        assert!(fit.means[1].iter().all(|m| (m - 8.0).abs() < 0.2), "{:?}", fit.means);
        assert!((fit.covariances[1][0] - 0.25).abs() < 0.08, "{:?}", fit.covariances[1]);
        let m = Mixture::new(fit.weights.clone(), fit.means.clone(), fit.covariances.clone());
        assert_eq!(m.and_then(|m| m.most_likely(&[7.5, 8.2])), Some(1));
    }
}

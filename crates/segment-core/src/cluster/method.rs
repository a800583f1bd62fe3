//! What the rest of the code knows of a clustering method, in one trait that each method's settings
//! implement in the method's own module: its name and words, its parameters' one check, its work
//! budget, the rows it needs, its fit (labels and the [`Assignment`] a saved model keeps) and what the
//! automatic choice and the stability measure need to know of it.
//!
//! The spec holds every method's settings (switching method and back keeps what the person set) and
//! dispatches on its `method` in one place, [`crate::spec::AnalysisSpec::settings_of`]; everything else
//! goes through [`ClusterMethod`]. Adding a method: its module (settings, `INFO`, this trait), a
//! variant with its arm in `settings_of` / `settings_of_mut` and its settings field in the spec.

use super::tree::TreeCluster;
use super::{Assignment, EpsIndex, KMeansFit};
use crate::error::{CoreError, Result};
use ndarray::ArrayView2;

/// A method's fixed facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodInfo {
    /// The settings' key ("kmeans"): share links, model files and the command line use it.
    pub key: &'static str,
    /// The method list's entry ("k-means (k round groups)").
    pub label: &'static str,
    /// Its name in a sentence ("k-means").
    pub name: &'static str,
    /// Whether its main parameter is the number of segments k.
    pub uses_k: bool,
    /// Whether its fits at k and k + 1 are separate fits, so that one nesting in the other says the
    /// finer split is real (k-means, mixtures); Ward's cuts nest by construction.
    pub independent_ks: bool,
}

/// What a fit reads beside the rows and the method's settings.
#[derive(Clone, Copy)]
pub struct FitInputs<'a> {
    /// Seeds every random choice.
    pub seed: u64,
    /// The rows' columns, in order (RFM finds its three among them).
    pub features: &'a [String],
    /// DBSCAN at any eps on these rows, when a session has built it.
    pub eps_index: Option<&'a EpsIndex>,
}

/// What a method's fit leaves: canonical labels (0 = largest segment), what assigning new rows to the
/// segments needs (for a saved model), and for HDBSCAN each row's membership strength and the
/// condensed tree.
#[derive(Debug, Clone)]
pub struct MethodFit {
    pub labels: Vec<Option<usize>>,
    pub assignment: Assignment,
    pub membership: Option<Vec<f64>>,
    pub tree: Option<Vec<TreeCluster>>,
}

impl From<KMeansFit> for MethodFit {
    fn from(fit: KMeansFit) -> Self {
        (fit.labels, Assignment::Centroids { centroids: fit.centroids }).into()
    }
}

impl From<(Vec<Option<usize>>, Assignment)> for MethodFit {
    fn from((labels, assignment): (Vec<Option<usize>>, Assignment)) -> Self {
        Self { labels, assignment, membership: None, tree: None }
    }
}

/// The labels at k, for any k, from one pass ([`ClusterMethod::cuts`]).
pub type Cuts = Box<dyn Fn(usize) -> Vec<Option<usize>>>;

/// A clustering method as its settings define it.
pub trait ClusterMethod {
    fn info(&self) -> &'static MethodInfo;

    /// The parameters in a few words, for tables ("eps 0.31, min_samples 12").
    fn parameters(&self) -> String;

    /// The method in a phrase for the choice's reasons ("DBSCAN (eps 0.31, min_samples 12)"; for a
    /// k-based method its name, k being said beside it).
    fn words(&self) -> String {
        if self.info().uses_k {
            self.info().name.to_string()
        } else {
            format!("{} ({})", self.info().name, self.parameters())
        }
    }

    /// The number of segments, for a k-based method.
    fn k(&self) -> Option<usize> {
        None
    }

    /// Sets k (nothing for a method without k).
    fn set_k(&mut self, _k: usize) {}

    /// Checks every parameter against its range ([`super::params`]), one message per parameter.
    fn validate(&self) -> Result<()>;

    /// Whether a fit on `n` rows of `d` features stays within the work budgets ([`crate::limits`]);
    /// else why not.
    fn check_work(&self, _n: usize, _d: usize) -> Result<()> {
        Ok(())
    }

    /// The rows a fit needs at least (the parameters already checked).
    fn rows_needed(&self, inputs: &FitInputs) -> Result<usize>;

    /// Fits the rows (scaled, row-major).
    fn fit(
        &self,
        x: ArrayView2<f64>,
        inputs: &FitInputs,
        on_progress: &mut dyn FnMut(f64),
    ) -> Result<MethodFit>;

    /// The settings as written in a spec (JSON): kept fits are keyed by them.
    fn settings_key(&self) -> String;

    /// The labels at any k from one pass over the rows, when the method makes them so (Ward: one tree,
    /// cut at each k); None: a sweep fits each k.
    fn cuts(&self, _x: ArrayView2<f64>, _on_progress: &mut dyn FnMut(f64)) -> Result<Option<Cuts>> {
        Ok(None)
    }

    /// The features this method compares as categories (codes of their values, by whether they
    /// match) rather than as numbers: k-prototypes' ticked categories; none for the others.
    fn categories(&self) -> &[String] {
        &[]
    }

    /// The rows in the space where Euclidean distance is this method's distance, when it is not the
    /// scaled rows' own (k-prototypes: categories as one column per value): the scores and the
    /// scatter are measured there. None: the scaled rows.
    fn scoring_space(&self, _x: ArrayView2<f64>, _features: &[String]) -> Option<ndarray::Array2<f64>> {
        None
    }

    /// Stability (refits on subsamples) is measured up to this many rows (None: always).
    fn stability_max_rows(&self) -> Option<usize> {
        None
    }

    /// The refusal of these settings for a reason (`why`), naming the method and its parameters.
    fn refuse(&self, why: String) -> Result<()> {
        Err(CoreError::InvalidParameter {
            name: self.info().key.into(),
            value: self.parameters(),
            reason: why,
        })
    }
}

/// The mean of each segment's rows (segments numbered 0..).
pub(crate) fn segment_centres(x: ArrayView2<f64>, labels: &[Option<usize>]) -> Vec<Vec<f64>> {
    crate::score::centroids(x, labels, crate::score::n_clusters(labels)).0
}

/// Inside an `impl ClusterMethod`: what every method writes alike, its facts (`$info`) and its
/// settings as a key; with `k`, also what every k-based method writes alike (settings with a `k`
/// field): its parameters ("k 4"), k and set_k.
macro_rules! method_basics {
    ($info:expr) => {
        fn info(&self) -> &'static $crate::cluster::MethodInfo {
            &$info
        }

        fn settings_key(&self) -> String {
            $crate::cluster::params::settings_key(self)
        }
    };
    ($info:expr, k) => {
        $crate::cluster::method::method_basics!($info);

        fn parameters(&self) -> String {
            format!("k {}", self.k)
        }

        fn k(&self) -> Option<usize> {
            Some(self.k)
        }

        fn set_k(&mut self, k: usize) {
            self.k = k;
        }
    };
}
pub(crate) use method_basics;

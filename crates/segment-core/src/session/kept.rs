//! What a session keeps of its fits on the prepared rows, so a setting seen before, or guessed ahead,
//! is not fitted again:
//! - DBSCAN at any eps for the min_samples of the last DBSCAN run ([`EpsIndex`], built in steps after
//!   it): a new eps is a union-find pass;
//! - the k-based methods' fits by their settings, made by runs, and by k-means ahead of a k change
//!   (k + 1 and k - 1 after a k-means run, one initialisation a step): going back to a k, or one
//!   step up or down, describes a kept fit.
//!
//! Everything here belongs to one [`Prepared`]: the session clears it when the data settings change.

use crate::cluster::{EpsIndex, EpsIndexBuild, KMeansJob};
use crate::pipeline::{check_prepared, MethodFit, Prepared, SWEEP_KS};
use crate::spec::{AnalysisSpec, Method};

/// Points searched from per step of building the [`EpsIndex`] (a neighbour or spanning-tree search
/// each): some 10-30 ms of work in the browser.
pub const EPS_INDEX_STEP_POINTS: usize = 2_000;

/// The [`EpsIndex`] is built, and fits are kept or made ahead, on up to this many prepared rows: beyond,
/// the index's build (seconds) would cost more than the fits it saves (DBSCAN itself is about a second
/// on a million rows), and kept labels would hold tens of megabytes.
pub const KEPT_MAX_ROWS: usize = 200_000;

/// The index is built on up to this many features: in more dimensions the k-d tree's searches lose
/// their pruning.
pub const EPS_INDEX_MAX_FEATURES: usize = 5;

/// Fits kept at most (the oldest is dropped first).
pub const KEPT_FITS: usize = 10;

#[derive(Default)]
enum EpsLevels {
    #[default]
    None,
    Building(EpsIndexBuild),
    Ready(EpsIndex),
}

/// A fit's settings beyond the rows: the method, its settings as written and the seed (None if they
/// cannot be written, then nothing is kept). Another method's settings do not enter: changing DBSCAN's
/// eps keeps the k-means fits.
fn fit_key(spec: &AnalysisSpec) -> Option<String> {
    let settings = spec.method_settings().settings_key();
    (!settings.is_empty()).then(|| format!("{} {} {settings}", spec.method.key(), spec.seed))
}

#[derive(Default)]
pub(super) struct KeptFits {
    eps: EpsLevels,
    /// (settings, fit), oldest first.
    fits: Vec<(String, MethodFit)>,
    /// k-means settings to fit ahead, next first.
    ahead: Vec<AnalysisSpec>,
    /// The fit ahead under way, with its settings' key.
    ahead_job: Option<(String, KMeansJob)>,
}

impl KeptFits {
    pub fn eps_index(&self) -> Option<&EpsIndex> {
        match &self.eps {
            EpsLevels::Ready(index) => Some(index),
            _ => None,
        }
    }

    /// The fit kept for `spec`'s settings.
    pub fn get(&self, spec: &AnalysisSpec) -> Option<&MethodFit> {
        let key = fit_key(spec)?;
        self.fits.iter().find(|(k, _)| *k == key).map(|(_, fit)| fit)
    }

    /// Whether a fit with `spec`'s settings on `prepared` is kept: the k-based methods' (DBSCAN has its
    /// index; the others' fits are large), on rows few enough.
    pub fn keeps(spec: &AnalysisSpec, prepared: &Prepared) -> bool {
        spec.k().is_some() && prepared.kept.len() <= KEPT_MAX_ROWS
    }

    fn keep(&mut self, key: String, fit: MethodFit) {
        if self.fits.iter().any(|(k, _)| *k == key) {
            return;
        }
        if self.fits.len() >= KEPT_FITS {
            self.fits.remove(0);
        }
        self.fits.push((key, fit));
    }

    /// After a run of `spec` on `prepared` that fitted `fit` (given when [`KeptFits::keeps`]): keeps
    /// it, and plans the work ahead: DBSCAN's index for its min_samples, or k-means at k + 1 and k - 1.
    pub fn after_run(&mut self, spec: &AnalysisSpec, prepared: &Prepared, fit: Option<MethodFit>) {
        if let (Some(fit), Some(key)) = (fit, fit_key(spec)) {
            self.keep(key, fit);
        }
        if prepared.x_scaled.nrows() > KEPT_MAX_ROWS {
            return;
        }
        match spec.method {
            Method::Dbscan => self.plan_eps_index(spec.dbscan.min_samples, prepared),
            Method::KMeans => {
                let k = spec.kmeans.k;
                self.ahead = [k + 1, k.saturating_sub(1)]
                    .into_iter()
                    .filter(|k| SWEEP_KS.contains(k))
                    .map(|k| {
                        let mut next = spec.clone();
                        next.kmeans.k = k;
                        next
                    })
                    .filter(|next| self.get(next).is_none())
                    .collect();
                // A fit ahead for other settings is of no use now.
                if self
                    .ahead_job
                    .as_ref()
                    .is_some_and(|(key, _)| !self.ahead.iter().any(|s| fit_key(s).as_ref() == Some(key)))
                {
                    self.ahead_job = None;
                }
            }
            _ => {}
        }
    }

    fn plan_eps_index(&mut self, min_samples: usize, prepared: &Prepared) {
        let planned = match &self.eps {
            EpsLevels::None => None,
            EpsLevels::Building(build) => Some(build.min_samples()),
            EpsLevels::Ready(index) => Some(index.min_samples()),
        };
        if planned == Some(min_samples) {
            return;
        }
        let (n, d) = prepared.x_scaled.dim();
        self.eps = match prepared.x_scaled.as_slice() {
            Some(rows) if d <= EPS_INDEX_MAX_FEATURES => {
                EpsLevels::Building(EpsIndex::start(rows, n, d, min_samples))
            }
            _ => EpsLevels::None,
        };
    }

    /// Whether work ahead waits for [`KeptFits::step`].
    pub fn has_work(&self) -> bool {
        matches!(self.eps, EpsLevels::Building(_)) || self.ahead_job.is_some() || !self.ahead.is_empty()
    }

    /// One step of the work ahead on `prepared`: of the index, else of a k-means fit.
    pub fn step(&mut self, prepared: &Prepared) {
        if let EpsLevels::Building(build) = &mut self.eps {
            if build.step(EPS_INDEX_STEP_POINTS) {
                self.eps = match std::mem::take(&mut self.eps) {
                    EpsLevels::Building(build) => build.finish().map_or(EpsLevels::None, EpsLevels::Ready),
                    other => other,
                };
            }
            return;
        }
        if self.ahead_job.is_none() {
            self.start_ahead(prepared);
            return;
        }
        if let Some((_, job)) = self.ahead_job.as_mut() {
            if job.step() {
                if let Some((key, job)) = self.ahead_job.take() {
                    self.keep(key, job.finish().into());
                }
            }
        }
    }

    /// Starts the next fit ahead whose settings pass the run's checks (one that fails them is left to
    /// a run, which says why).
    fn start_ahead(&mut self, prepared: &Prepared) {
        while !self.ahead.is_empty() {
            let spec = self.ahead.remove(0);
            let Some(key) = fit_key(&spec) else { continue };
            if self.get(&spec).is_some() || check_prepared(&spec, prepared).is_err() {
                continue;
            }
            let Ok(params) = spec.kmeans.params(spec.seed) else { continue };
            self.ahead_job = Some((key, params.start(std::sync::Arc::clone(&prepared.x_scaled))));
            return;
        }
    }
}

//! Each clustering parameter's range and message, written once: the methods' linfa `ParamGuard`s and
//! the spec's validation (the page, share links, settings files, models) check through these, so a
//! value is refused with the same words wherever it enters. The ranges are in [`crate::limits`].

use crate::error::CoreError;
use crate::limits::{MAX_K, MAX_MAGNITUDE, MAX_MIN_CLUSTER_SIZE, MAX_MIN_SAMPLES, MAX_N_INIT};

/// The linfa `ParamGuard` of a method's parameters (`$params($valid)`): `$checks` run each
/// parameter's check (this module's) on the valid parameters `$p`, so every method's guard is the same
/// few lines, written once.
macro_rules! param_guard {
    ($params:ident, $valid:ident, |$p:ident| $checks:block) => {
        impl linfa::ParamGuard for $params {
            type Checked = $valid;
            type Error = crate::error::CoreError;

            fn check_ref(&self) -> Result<&Self::Checked, Self::Error> {
                let $p = &self.0;
                $checks
                Ok(&self.0)
            }

            fn check(self) -> Result<Self::Checked, Self::Error> {
                linfa::ParamGuard::check_ref(&self)?;
                Ok(self.0)
            }
        }
    };
}
pub(crate) use param_guard;

/// k-means' convergence tolerance.
pub fn tol(tol: f64) -> Result<(), CoreError> {
    if tol.is_finite() && tol >= 0.0 {
        return Ok(());
    }
    invalid("tol", tol, "the tolerance must be a non-negative number".into())
}

fn invalid(name: &str, value: impl ToString, reason: String) -> Result<(), CoreError> {
    Err(CoreError::InvalidParameter { name: name.into(), value: value.to_string(), reason })
}

/// DBSCAN's neighbourhood radius: a distance between scaled values.
pub fn eps(eps: f64) -> Result<(), CoreError> {
    if eps.is_finite() && eps > 0.0 && eps <= MAX_MAGNITUDE {
        return Ok(());
    }
    invalid(
        "eps",
        eps,
        "eps must be a positive number up to 1e100: a distance between scaled values (e.g. 0.05 after min-max \
         scaling, 0.5 after z-scores)"
            .into(),
    )
}

/// The neighbours, the point itself included, that make a point core (DBSCAN, HDBSCAN), from `least`:
/// 1 for the algorithms, more where a setting of 1 would make every point core.
pub fn min_samples(name: &str, min_samples: usize, least: usize) -> Result<(), CoreError> {
    if (least..=MAX_MIN_SAMPLES).contains(&min_samples) {
        return Ok(());
    }
    invalid(
        name,
        min_samples,
        format!("min_samples must be between {least} and {MAX_MIN_SAMPLES} (it counts the point itself)"),
    )
}

/// The number of segments of a k-based method.
pub fn k(name: &str, k: usize) -> Result<(), CoreError> {
    if (1..=MAX_K).contains(&k) {
        return Ok(());
    }
    invalid(
        name,
        k,
        format!("the number of segments must be between 1 and {MAX_K} (2 or more to compare segments)"),
    )
}

/// k-means initialisations.
pub fn n_init(n_init: usize) -> Result<(), CoreError> {
    if (1..=MAX_N_INIT).contains(&n_init) {
        return Ok(());
    }
    invalid("n_init", n_init, format!("k-means initialisations must be between 1 and {MAX_N_INIT}"))
}

/// k-prototypes' weight of one differing category against squared distance on the scaled numbers.
pub fn gamma(gamma: f64) -> Result<(), CoreError> {
    if (0.0..=MAX_MAGNITUDE).contains(&gamma) {
        return Ok(());
    }
    invalid(
        "gamma",
        gamma,
        "gamma must be a number from 0 (categories ignored) up to 1e100; about half the numbers' standard \
         deviation weighs a differing category like a typical difference in the numbers"
            .into(),
    )
}

/// HDBSCAN's smallest segment.
pub fn min_cluster_size(size: usize) -> Result<(), CoreError> {
    if (2..=MAX_MIN_CLUSTER_SIZE).contains(&size) {
        return Ok(());
    }
    invalid(
        "min_cluster_size",
        size,
        format!(
            "the smallest segment (min_cluster_size) must be between 2 and {MAX_MIN_CLUSTER_SIZE} customers"
        ),
    )
}

/// The settings of a serialisable method as a key (empty if they cannot be written: then no fit is
/// kept under it, as before).
pub(crate) fn settings_key<T: serde::Serialize>(settings: &T) -> String {
    serde_json::to_string(settings).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_range_says_its_bounds() {
        assert!(eps(0.04).is_ok() && eps(0.0).is_err() && eps(f64::NAN).is_err() && eps(1e200).is_err());
        assert!(min_samples("min_samples", 1, 1).is_ok() && min_samples("min_samples", 1, 2).is_err());
        assert!(k("k", 100).is_ok() && k("k", 0).is_err() && k("k", 101).is_err());
        assert!(n_init(10).is_ok() && n_init(0).is_err());
        assert!(min_cluster_size(2).is_ok() && min_cluster_size(1).is_err());
        let message = min_samples("min_samples", 0, 2).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("min_samples must be between 2 and 100000"), "{message}");
    }
}

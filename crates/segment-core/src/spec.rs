//! The one analysis spec: every setting that shapes a result, versioned and serialisable. It drives the
//! page, the worker, re-runs and tests; it never holds a data value, so it is safe to share.

use crate::clean::CleaningRules;
use crate::error::{CoreError, Result};
use crate::features::ScalerKind;
use crate::ingest::Table;
use crate::score::SilhouetteOptions;
use serde::{Deserialize, Serialize};

pub const SPEC_VERSION: u32 = 1;

/// The clustering method a run uses. The parameters of every method stay in the spec, so switching
/// method and back keeps what the person set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    #[default]
    Dbscan,
    KMeans,
    GaussianMixture,
    Ward,
    /// HDBSCAN: density segments of different densities, no eps to choose; finds noise.
    Hdbscan,
    /// RFM scores: rules on recency, frequency and monetary (customers aggregated from purchases).
    Rfm,
}

impl Method {
    pub const ALL: [Method; 6] =
        [Method::Dbscan, Method::Hdbscan, Method::KMeans, Method::GaussianMixture, Method::Ward, Method::Rfm];

    pub fn key(self) -> &'static str {
        match self {
            Method::Dbscan => "dbscan",
            Method::KMeans => "kmeans",
            Method::GaussianMixture => "gmm",
            Method::Ward => "ward",
            Method::Hdbscan => "hdbscan",
            Method::Rfm => "rfm",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Method::Dbscan => "DBSCAN (density; finds noise)",
            Method::KMeans => "k-means (k round groups)",
            Method::GaussianMixture => "Gaussian mixture (k elliptical groups)",
            Method::Ward => "Ward linkage (hierarchical; up to 60,000 rows)",
            Method::Hdbscan => "HDBSCAN (density of any level; finds noise; no eps)",
            Method::Rfm => "RFM scores (rules on recency, frequency, monetary)",
        }
    }

    /// Methods whose main parameter is the number of segments k.
    pub fn uses_k(self) -> bool {
        matches!(self, Method::KMeans | Method::GaussianMixture | Method::Ward)
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.key() == key)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DbscanSettings {
    /// Neighbourhood radius in scaled units.
    pub eps: f64,
    /// Points within eps, the point itself included, that make a point core.
    pub min_samples: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KMeansSettings {
    pub k: usize,
    pub n_init: usize,
}

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

/// HDBSCAN's settings: the smallest group worth calling a segment, the neighbours that make a
/// neighbourhood dense (None: `min_cluster_size`, scikit-learn's default), and how clusters are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HdbscanSettings {
    pub min_cluster_size: usize,
    #[serde(default)]
    pub min_samples: Option<usize>,
    #[serde(default)]
    pub selection: crate::cluster::hdbscan::Selection,
}

impl Default for HdbscanSettings {
    fn default() -> Self {
        Self { min_cluster_size: 15, min_samples: None, selection: Default::default() }
    }
}

impl HdbscanSettings {
    /// For `n` customers: a segment is at least 1% of them (at least 10, at most 1,000), and a
    /// neighbourhood is dense with a tenth of that (at least 5, at most 50), which keeps the core
    /// distances cheap on a million rows and the noise to the truly isolated.
    pub fn suggested(n: usize) -> Self {
        let min_cluster_size = (n / 100).clamp(10, 1_000);
        let min_samples = (min_cluster_size / 10).clamp(5, 50);
        Self { min_cluster_size, min_samples: Some(min_samples), selection: Default::default() }
    }

    /// The min_samples in force.
    pub fn min_samples(&self) -> usize {
        self.min_samples.unwrap_or(self.min_cluster_size)
    }
}

/// Where Ward's tree is cut: k segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WardSettings {
    pub k: usize,
}

impl Default for WardSettings {
    fn default() -> Self {
        Self { k: 3 }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisSpec {
    pub version: u32,
    pub features: Vec<String>,
    pub cleaning: CleaningRules,
    pub scaler: ScalerKind,
    pub method: Method,
    pub dbscan: DbscanSettings,
    pub kmeans: KMeansSettings,
    /// Added after version 1 was published: older settings read with the defaults.
    #[serde(default)]
    pub gmm: MixtureSettings,
    #[serde(default)]
    pub ward: WardSettings,
    #[serde(default)]
    pub hdbscan: HdbscanSettings,
    /// Seeds every random choice (the silhouette sample today).
    pub seed: u64,
    pub silhouette_max_exact: usize,
    pub silhouette_sample_size: usize,
    /// Names the person gave the segments, by segment id (empty: the suggested names).
    #[serde(default)]
    pub segment_names: Vec<String>,
    /// The column that identifies a customer, when the person chose one in the schema table (else it is
    /// detected); saved models use it for the movement table.
    #[serde(default)]
    pub id_column: Option<String>,
    /// Transforms applied to features before scaling (e.g. log1p on a skewed amount).
    #[serde(default)]
    pub transforms: std::collections::BTreeMap<String, crate::features::Transform>,
    /// Set when the segments are of customers aggregated from a file of purchase lines (recency,
    /// frequency, monetary): the columns that were aggregated. A saved model aggregates next month's
    /// file the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transactions: Option<crate::transactions::TransactionColumns>,
    /// The columns RFM scores read (method `rfm`).
    #[serde(default)]
    pub rfm: crate::cluster::RfmColumns,
}

/// The original project's e-commerce layout: a file with these columns gets its cleaning rules,
/// features and DBSCAN settings, so the sample reproduces the published figures.
pub const ORIGINAL_COLUMNS: [&str; 7] = [
    "ID",
    "n_clicks",
    "n_visitas",
    "monto_compras",
    "monto_descuentos",
    "dias_primera_compra",
    "info_perfil",
];
pub const ORIGINAL_FEATURES: [&str; 3] = ["n_visitas", "monto_compras", "monto_descuentos"];

impl AnalysisSpec {
    /// The original project's settings: its cleaning, min-max scaling, DBSCAN eps 0.04, min_samples 50.
    pub fn original_project() -> Self {
        Self {
            version: SPEC_VERSION,
            features: ORIGINAL_FEATURES.iter().map(|s| s.to_string()).collect(),
            cleaning: CleaningRules::original_project(),
            scaler: ScalerKind::MinMax,
            method: Method::Dbscan,
            dbscan: DbscanSettings { eps: 0.04, min_samples: 50 },
            kmeans: KMeansSettings { k: 3, n_init: 10 },
            gmm: MixtureSettings::default(),
            ward: WardSettings::default(),
            hdbscan: HdbscanSettings::default(),
            seed: 42,
            silhouette_max_exact: SilhouetteOptions::default().max_exact,
            silhouette_sample_size: SilhouetteOptions::default().sample_size,
            segment_names: Vec::new(),
            id_column: None,
            transforms: Default::default(),
            transactions: None,
            rfm: Default::default(),
        }
    }

    /// Starting settings for a table: the original project's for its layout; otherwise the columns an
    /// analyst would pick ([`crate::advice::advise`]: their logs and median fills included),
    /// features-only cleaning and z-scores. The method and its parameters here are a starting point that
    /// the automatic choice ([`crate::auto::choose`]) replaces.
    pub fn default_for(table: &Table) -> Self {
        if is_original_layout(table) {
            return Self::original_project();
        }
        let advice = crate::advice::advise(table);
        let mut features: Vec<String> = advice.iter().filter(|a| a.feature).map(|a| a.name.clone()).collect();
        if features.is_empty() {
            // No measure or date: the flags that vary, so a file of yes/no columns is still segmented
            // (on them, since nothing else is there); else every number that varies, so the page can
            // still say what it finds.
            use crate::advice::ColumnRole;
            features = advice
                .iter()
                .filter(|a| matches!(a.role, ColumnRole::Flag | ColumnRole::Level) && a.varies)
                .map(|a| a.name.clone())
                .collect();
            if features.is_empty() {
                features = table
                    .columns
                    .iter()
                    .filter(|c| c.is_numeric() && c.distinct > 1)
                    .map(|c| c.name.clone())
                    .collect();
            }
        }
        let transforms = advice
            .iter()
            .filter(|a| a.feature && a.log.is_some())
            .map(|a| (a.name.clone(), crate::features::Transform::Log1p))
            .collect();
        let mut cleaning = CleaningRules::features_only();
        cleaning.impute_columns =
            advice.iter().filter(|a| a.feature).filter_map(|a| a.fill.map(|f| (a.name.clone(), f))).collect();
        let min_samples = default_min_samples(features.len());
        Self {
            features,
            cleaning,
            scaler: ScalerKind::Standard,
            method: Method::KMeans,
            kmeans: KMeansSettings { k: 4, n_init: 10 },
            dbscan: DbscanSettings { eps: 0.5, min_samples },
            transforms,
            ..Self::original_project()
        }
    }

    /// The number of segments a k-based method is set to (None for DBSCAN).
    pub fn k(&self) -> Option<usize> {
        match self.method {
            Method::Dbscan | Method::Hdbscan | Method::Rfm => None,
            Method::KMeans => Some(self.kmeans.k),
            Method::GaussianMixture => Some(self.gmm.k),
            Method::Ward => Some(self.ward.k),
        }
    }

    /// Sets k of the current method (nothing for DBSCAN).
    pub fn set_k(&mut self, k: usize) {
        match self.method {
            Method::Dbscan | Method::Hdbscan | Method::Rfm => {}
            Method::KMeans => self.kmeans.k = k,
            Method::GaussianMixture => self.gmm.k = k,
            Method::Ward => self.ward.k = k,
        }
    }

    /// The method's parameters in a few words, for tables.
    pub fn parameters(&self) -> String {
        match self.method {
            Method::Dbscan => format!("eps {}, min_samples {}", self.dbscan.eps, self.dbscan.min_samples),
            Method::Hdbscan => format!(
                "min_cluster_size {}, min_samples {}, {}",
                self.hdbscan.min_cluster_size,
                self.hdbscan.min_samples(),
                self.hdbscan.selection.as_str()
            ),
            Method::Rfm => format!("{}, {}, {}", self.rfm.recency, self.rfm.frequency, self.rfm.monetary),
            _ => format!("k {}", self.k().unwrap_or_default()),
        }
    }

    pub fn silhouette_options(&self) -> SilhouetteOptions {
        SilhouetteOptions {
            max_exact: self.silhouette_max_exact,
            sample_size: self.silhouette_sample_size,
            seed: self.seed,
        }
    }

    /// Checks every setting against its range ([`crate::limits`]), so settings from a share link, a
    /// settings file or a model are refused with a message before any work, never run.
    pub fn validate(&self) -> Result<()> {
        use crate::limits::*;
        let bad = |name: &str, value: String, reason: String| {
            Err(CoreError::InvalidParameter { name: name.into(), value, reason })
        };
        if self.features.len() > MAX_FEATURES {
            return bad(
                "features",
                self.features.len().to_string(),
                format!("at most {MAX_FEATURES} features can be segmented on; choose the ones that matter"),
            );
        }
        use crate::cluster::params;
        params::eps(self.dbscan.eps)?;
        params::min_samples("min_samples", self.dbscan.min_samples, MIN_MIN_SAMPLES)?;
        params::min_cluster_size(self.hdbscan.min_cluster_size)?;
        params::min_samples("min_samples (HDBSCAN)", self.hdbscan.min_samples(), 1)?;
        for (name, k) in
            [("k (k-means)", self.kmeans.k), ("k (mixture)", self.gmm.k), ("k (Ward)", self.ward.k)]
        {
            params::k(name, k)?;
        }
        params::n_init(self.kmeans.n_init)?;
        if self.silhouette_max_exact > MAX_SILHOUETTE_ROWS
            || !(2..=MAX_SILHOUETTE_ROWS).contains(&self.silhouette_sample_size)
        {
            return bad(
                "silhouette rows",
                format!("{} / {}", self.silhouette_max_exact, self.silhouette_sample_size),
                format!("the silhouette is measured on at most {MAX_SILHOUETTE_ROWS} rows (its cost is their square)"),
            );
        }
        if self.segment_names.len() > 10 * MAX_K || self.segment_names.iter().any(|n| n.len() > 1_000) {
            return bad(
                "segment names",
                self.segment_names.len().to_string(),
                "too many or too long names".into(),
            );
        }
        Ok(())
    }

    /// Whether a method with these settings fits the budgets on `n` rows of `d` features; else why not.
    pub fn check_work(&self, n: usize, d: usize) -> Result<()> {
        use crate::limits::*;
        let spec = self;
        let (nf, df) = (n as f64, d as f64);
        let refuse = |why: String| {
            Err(CoreError::InvalidParameter {
                name: spec.method.key().into(),
                value: spec.parameters(),
                reason: why,
            })
        };
        match spec.method {
            Method::KMeans => {
                if nf * spec.kmeans.k as f64 * df * spec.kmeans.n_init as f64 > KMEANS_WORK {
                    return refuse(format!(
                        "k-means with k {} and {} initialisations on {n} rows of {d} features would run for minutes; \
                         lower k or n_init, or segment on fewer features",
                        spec.kmeans.k, spec.kmeans.n_init
                    ));
                }
            }
            Method::GaussianMixture => {
                if d > MAX_MIXTURE_FEATURES {
                    return refuse(format!(
                        "the Gaussian mixture estimates a {d} x {d} covariance per segment; it runs on up to \
                         {MAX_MIXTURE_FEATURES} features: use k-means"
                    ));
                }
                if nf * spec.gmm.k as f64 * df * df > MIXTURE_WORK {
                    return refuse(format!(
                        "the Gaussian mixture with k {} on {n} rows of {d} features would run for minutes; use k-means",
                        spec.gmm.k
                    ));
                }
            }
            Method::Ward => {
                let max = ward_max_rows(d);
                if n > max {
                    return Err(CoreError::TooManyRows {
                        method: "Ward linkage".into(),
                        rows: n,
                        max,
                        why: format!(
                            "it compares every pair of groups, so its time grows with the square of the rows (and \
                             with the {d} features). Use k-means or a Gaussian mixture, which give similar segments on \
                             most customer files"
                        ),
                    });
                }
            }
            Method::Dbscan => {
                // Up to 8 features the grid and the k-d tree prune well; beyond, every row is compared with
                // most others.
                if d > 8 && nf * nf * df > DBSCAN_WORK {
                    return refuse(format!(
                        "DBSCAN on {n} rows of {d} features compares nearly every pair of rows (distances concentrate \
                         in many dimensions) and would run for minutes; use k-means, or fewer features"
                    ));
                }
            }
            Method::Hdbscan => {
                // Core distances and the spanning tree query the k-d tree min_samples deep per row; in
                // many dimensions every query reads most rows.
                let ms = spec.hdbscan.min_samples() as f64;
                if (d > 8 && nf * nf * df > DBSCAN_WORK) || nf * ms * df > HDBSCAN_WORK {
                    return refuse(format!(
                        "HDBSCAN on {n} rows of {d} features with min_samples {} would run for minutes; lower                          min_samples, use fewer features, or use k-means",
                        spec.hdbscan.min_samples()
                    ));
                }
            }
            Method::Rfm => {}
        }
        Ok(())
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> Result<Self> {
        #[derive(Deserialize)]
        struct Versioned {
            version: u32,
        }
        let v: Versioned = serde_json::from_str(text).map_err(|e| CoreError::BadSpec(e.to_string()))?;
        if v.version != SPEC_VERSION {
            return Err(CoreError::BadSpec(format!(
                "settings version {} is not supported (this app reads version {SPEC_VERSION})",
                v.version
            )));
        }
        let spec: Self = serde_json::from_str(text).map_err(|e| {
            let e = e.to_string();
            CoreError::BadSpec(if e.contains("null") {
                format!("a setting is missing or not a number ({e})")
            } else {
                e
            })
        })?;
        spec.validate().map_err(|e| CoreError::BadSpec(e.to_string()))?;
        Ok(spec)
    }
}

/// min_samples rule: twice the number of features (Sander et al.'s rule of thumb), at least 5.
pub fn default_min_samples(n_features: usize) -> usize {
    (2 * n_features).max(5)
}

pub fn is_original_layout(table: &Table) -> bool {
    ORIGINAL_COLUMNS.iter().all(|c| table.column(c).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_version_check() {
        let spec = AnalysisSpec::original_project();
        assert_eq!(AnalysisSpec::from_json(&spec.to_json()), Ok(spec.clone()));
        let newer = spec.to_json().replace("\"version\":1", "\"version\":99");
        assert!(matches!(AnalysisSpec::from_json(&newer), Err(CoreError::BadSpec(_))));
        assert!(AnalysisSpec::from_json("{not json").is_err());
        // Settings saved before the mixture and Ward were added still read, with their defaults.
        let older = spec.to_json().replace(",\"gmm\":{\"k\":3},\"ward\":{\"k\":3}", "");
        assert!(!older.contains("gmm"));
        assert_eq!(AnalysisSpec::from_json(&older), Ok(spec));
    }
}

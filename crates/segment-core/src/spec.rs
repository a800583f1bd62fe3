//! The one analysis spec: every setting that shapes a result, versioned and serialisable. It drives the
//! page, the worker, re-runs and tests; it never holds a data value, so it is safe to share.

use crate::clean::CleaningRules;
use crate::cluster::{ClusterMethod, MethodInfo};
use crate::error::{CoreError, Result};
use crate::features::ScalerKind;
use crate::ingest::Table;
use crate::score::SilhouetteOptions;
use serde::{Deserialize, Serialize};

pub use crate::cluster::kmedoids::KMedoidsSettings;
pub use crate::cluster::kprototypes::KPrototypesSettings;
pub use crate::cluster::{DbscanSettings, HdbscanSettings, KMeansSettings, MixtureSettings, WardSettings};

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
    KMedoids,
    /// k-prototypes: numbers and categories together.
    KPrototypes,
}

impl Method {
    pub const ALL: [Method; 8] = [
        Method::Dbscan,
        Method::Hdbscan,
        Method::KMeans,
        Method::KMedoids,
        Method::KPrototypes,
        Method::GaussianMixture,
        Method::Ward,
        Method::Rfm,
    ];

    /// The method's fixed facts, as its module states them.
    pub fn info(self) -> &'static MethodInfo {
        use crate::cluster::{dbscan, gmm, hdbscan, kmeans, kmedoids, kprototypes, rfm, ward};
        match self {
            Method::Dbscan => &dbscan::INFO,
            Method::KMeans => &kmeans::INFO,
            Method::GaussianMixture => &gmm::INFO,
            Method::Ward => &ward::INFO,
            Method::Hdbscan => &hdbscan::INFO,
            Method::Rfm => &rfm::INFO,
            Method::KMedoids => &kmedoids::INFO,
            Method::KPrototypes => &kprototypes::INFO,
        }
    }

    pub fn key(self) -> &'static str {
        self.info().key
    }

    pub fn label(self) -> &'static str {
        self.info().label
    }

    /// Methods whose main parameter is the number of segments k.
    pub fn uses_k(self) -> bool {
        self.info().uses_k
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.key() == key)
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
    #[serde(default)]
    pub kmedoids: KMedoidsSettings,
    #[serde(default)]
    pub kprototypes: KPrototypesSettings,
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
            kmedoids: KMedoidsSettings::default(),
            kprototypes: KPrototypesSettings::default(),
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

    /// The settings of `method`, as its module defines them: the one dispatch on the method.
    pub fn settings_of(&self, method: Method) -> &dyn ClusterMethod {
        match method {
            Method::Dbscan => &self.dbscan,
            Method::KMeans => &self.kmeans,
            Method::GaussianMixture => &self.gmm,
            Method::Ward => &self.ward,
            Method::Hdbscan => &self.hdbscan,
            Method::Rfm => &self.rfm,
            Method::KMedoids => &self.kmedoids,
            Method::KPrototypes => &self.kprototypes,
        }
    }

    /// [`AnalysisSpec::settings_of`], to change them.
    pub fn settings_of_mut(&mut self, method: Method) -> &mut dyn ClusterMethod {
        match method {
            Method::Dbscan => &mut self.dbscan,
            Method::KMeans => &mut self.kmeans,
            Method::GaussianMixture => &mut self.gmm,
            Method::Ward => &mut self.ward,
            Method::Hdbscan => &mut self.hdbscan,
            Method::Rfm => &mut self.rfm,
            Method::KMedoids => &mut self.kmedoids,
            Method::KPrototypes => &mut self.kprototypes,
        }
    }

    /// k-prototypes compares as categories the features that are category columns of `table` (a
    /// plan, a country): the entry points that hold the table (the page's session, the command line)
    /// set them so before a run, and the spec then says which they were.
    pub fn with_categories_of(mut self, table: &Table) -> Self {
        self.kprototypes.categories = self
            .features
            .iter()
            .filter(|f| table.column(f).is_some_and(|c| c.kind == crate::ingest::ColumnKind::Categorical))
            .cloned()
            .collect();
        self
    }

    /// Per feature, whether the method compares it as a category, by value (k-prototypes).
    pub fn category_mask(&self) -> Vec<bool> {
        let categories = self.method_settings().categories();
        self.features.iter().map(|f| categories.contains(f)).collect()
    }

    /// The features said as numbers (means, spreads, traits): all but the categories the method
    /// compares by value, whose values the profiles say instead.
    pub fn measured_features(&self) -> Vec<String> {
        let categories = self.method_settings().categories();
        self.features.iter().filter(|f| !categories.contains(f)).cloned().collect()
    }

    /// The settings of the method in use.
    pub fn method_settings(&self) -> &dyn ClusterMethod {
        self.settings_of(self.method)
    }

    /// The number of segments a k-based method is set to (None for the others).
    pub fn k(&self) -> Option<usize> {
        self.method_settings().k()
    }

    /// Sets k of the current method (nothing for a method without k).
    pub fn set_k(&mut self, k: usize) {
        self.settings_of_mut(self.method).set_k(k)
    }

    /// The method's parameters in a few words, for tables.
    pub fn parameters(&self) -> String {
        self.method_settings().parameters()
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
        // Every method's settings, not only the one in use: a share link's other settings are used
        // when the person switches method.
        for method in Method::ALL {
            self.settings_of(method).validate()?;
        }
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

    /// Whether the method with these settings fits the budgets on `n` rows of `d` features; else why not.
    pub fn check_work(&self, n: usize, d: usize) -> Result<()> {
        self.method_settings().check_work(n, d)
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

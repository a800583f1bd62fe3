//! The rows and matrices every method starts from: the rows cleaning keeps (with its report), their
//! features (`x_raw`, missing values filled as cleaning says), and the same scaled (`x_scaled`, after
//! each feature's transform). The one place rows are cleaned and a scaler is fitted: for a run (learned
//! from these rows) or for a saved model applied to a new file (given by the model).

use super::{Progress, Stage};
use crate::clean::{clean_with, CleaningReport, CleaningRules, FittedCleaning};
use crate::error::{CoreError, Result};
use crate::features::{x_model, x_raw_filled, FittedScaler, RawRows, ScalerKind, Transform};
use crate::ingest::Table;
use crate::spec::AnalysisSpec;
use ndarray::Array2;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The settings that shape the prepared rows. Two specs with the same key share them: changing eps, k
/// or the method neither cleans nor scales again.
#[derive(Debug, Clone, PartialEq)]
pub struct DataKey {
    features: Vec<String>,
    cleaning: CleaningRules,
    transforms: BTreeMap<String, Transform>,
    scaler: ScalerKind,
    id_column: Option<String>,
}

impl DataKey {
    pub fn of(spec: &AnalysisSpec) -> Self {
        Self {
            features: spec.features.clone(),
            cleaning: spec.cleaning.clone(),
            transforms: spec.transforms.clone(),
            scaler: spec.scaler,
            id_column: spec.id_column.clone(),
        }
    }
}

/// Where the fill values, outlier bounds and scaler come from.
#[derive(Debug, Clone, Copy)]
pub enum Fitting<'a> {
    /// Fitted on the rows being prepared (a run).
    Learn,
    /// A saved model's, applied as they are to a new file.
    Given { cleaning: &'a FittedCleaning, scaler: &'a FittedScaler },
}

/// The prepared rows of one [`DataKey`].
#[derive(Debug, Clone)]
pub struct Prepared {
    pub key: DataKey,
    /// The table rows kept by cleaning (0 = first data row), in order.
    pub kept: Vec<usize>,
    /// The report, with the fill values that (with `kept`) give the raw features back
    /// ([`Prepared::raw`]): they are read from the table when needed, not kept as a matrix.
    pub cleaning: CleaningReport,
    pub scaler: FittedScaler,
    pub x_scaled: Arc<Array2<f64>>,
}

impl Prepared {
    /// The kept rows' features before transforms and scaling, as cleaning filled them.
    pub fn raw<'a>(&'a self, table: &'a Table, spec: &AnalysisSpec) -> RawRows<'a> {
        RawRows::new(table, &spec.features, &self.kept, &self.cleaning.fitted.fill)
    }
}

/// Cleans with the spec's rules (duplicated ids by the spec's id column, else the detected one) and
/// returns the kept rows, the report and their features with missing values filled as cleaning says.
pub(crate) fn cleaned(
    table: &Table,
    spec: &AnalysisSpec,
    fitted: Option<&FittedCleaning>,
) -> Result<(Vec<usize>, CleaningReport, Array2<f64>)> {
    let (kept, report) =
        clean_with(table, &spec.features, &spec.cleaning, spec.id_column.as_deref(), fitted)?;
    let x = x_raw_filled(table, &spec.features, &kept, &report.fitted.fill);
    Ok((kept, report, x))
}

/// `x_raw` in the space the methods see: each feature's transform, then the scaler (learned from these
/// rows, or given), in place.
pub fn scale(
    x_raw: &Array2<f64>,
    spec: &AnalysisSpec,
    given: Option<&FittedScaler>,
) -> (FittedScaler, Array2<f64>) {
    scale_owned(x_raw.clone(), spec, given)
}

/// [`scale`] in place: `x_raw` becomes `x_scaled`, so the rows are held once.
fn scale_owned(
    x_raw: Array2<f64>,
    spec: &AnalysisSpec,
    given: Option<&FittedScaler>,
) -> (FittedScaler, Array2<f64>) {
    let input = x_model(x_raw, &spec.features, &spec.transforms);
    match given {
        Some(scaler) => (scaler.clone(), scaler.transform_owned(input)),
        None => FittedScaler::fit_transform(spec.scaler, input),
    }
}

/// Cleans, picks the features and scales: the steps every method, the k sweep, the stability and a
/// saved model's apply share. At least `needed` rows must remain.
pub fn prepare(
    table: &Table,
    spec: &AnalysisSpec,
    fitting: Fitting,
    needed: usize,
    progress: Progress,
) -> Result<Prepared> {
    spec.validate()?;
    if spec.features.is_empty() {
        return Err(CoreError::NoFeatures);
    }
    progress(Stage::Cleaning, 0.0);
    let (given_cleaning, given_scaler) = match fitting {
        Fitting::Learn => (None, None),
        Fitting::Given { cleaning, scaler } => (Some(cleaning).filter(|c| !c.fill.is_empty()), Some(scaler)),
    };
    let (kept, cleaning, x_raw) = cleaned(table, spec, given_cleaning)?;
    if kept.len() < needed {
        return Err(CoreError::TooFewRows { rows: kept.len(), needed });
    }
    progress(Stage::Scaling, 0.0);
    let (scaler, x_scaled) = scale_owned(x_raw, spec, given_scaler);
    Ok(Prepared { key: DataKey::of(spec), kept, cleaning, scaler, x_scaled: Arc::new(x_scaled) })
}

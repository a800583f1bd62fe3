//! The rows and matrix every method starts from: the rows cleaning keeps (with its report), their
//! features as read from the table ([`RawRows`], missing values filled as cleaning says), and the same
//! scaled (`x_scaled`, after each feature's transform). The one place rows are cleaned and a scaler is
//! fitted: for a run (learned from these rows) or for a saved model applied to a new file (given by the
//! model).

use super::{Progress, Stage};
use crate::clean::{clean_with, CleaningReport, CleaningRules, FittedCleaning};
use crate::error::{CoreError, Result};
use crate::features::{FittedScaler, RawRows, ScalerKind, Transform};
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
    /// The features compared as categories (k-prototypes): their columns hold codes.
    categories: Vec<String>,
}

impl DataKey {
    pub fn of(spec: &AnalysisSpec) -> Self {
        Self {
            features: spec.features.clone(),
            cleaning: spec.cleaning.clone(),
            transforms: spec.transforms.clone(),
            scaler: spec.scaler,
            id_column: spec.id_column.clone(),
            categories: spec.method_settings().categories().to_vec(),
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
    /// The table rows kept by cleaning (0 = first data row), in order: shared with the segmentations
    /// fitted on them, never copied.
    pub kept: Arc<[usize]>,
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

/// Cleans with the spec's rules (duplicated ids by the spec's id column, else the detected one): the
/// kept rows and the report, whose fill values (with the kept rows) give the raw features
/// ([`RawRows`]).
pub(crate) fn cleaned(
    table: &Table,
    spec: &AnalysisSpec,
    fitted: Option<&FittedCleaning>,
) -> Result<(Vec<usize>, CleaningReport)> {
    clean_with(table, &spec.features, &spec.cleaning, spec.id_column.as_deref(), fitted)
}

/// The raw features in the space the methods see: each feature's transform, then the scaler (learned
/// from every row of `raw`, one column at a time, or given). The matrix holds the rows `at` of `raw`
/// (every row when None): the automatic choice scales only its sample, a run every kept row, and
/// neither builds the unscaled matrix first.
pub(crate) fn scaled_rows(
    raw: &RawRows,
    spec: &AnalysisSpec,
    given: Option<&FittedScaler>,
    at: Option<&[usize]>,
) -> (FittedScaler, Array2<f64>) {
    let transforms: Vec<Option<Transform>> =
        spec.features.iter().map(|f| spec.transforms.get(f).copied()).collect();
    let levels = category_codes(raw, spec, given);
    let model = |i: usize, j: usize| match levels.get(j).and_then(Option::as_ref) {
        // A category compared by value: its code (a missing cell, kept by a fill, the most common value).
        Some((_, codes)) => raw.level(i, j).map_or(0.0, |l| codes.get(l).copied().unwrap_or(0.0)),
        None => {
            let v = raw.value(i, j);
            transforms.get(j).copied().flatten().map_or(v, |t| t.apply(v))
        }
    };
    let d = raw.features();
    let scaler = match given {
        Some(scaler) => scaler.clone(),
        None => {
            let mut scaler = FittedScaler::fit_columns(
                spec.scaler,
                (0..d).map(|j| {
                    if levels[j].is_some() {
                        Vec::new()
                    } else {
                        (0..raw.rows()).map(|i| model(i, j)).collect()
                    }
                }),
            );
            if levels.iter().any(Option::is_some) {
                for (j, l) in levels.iter().enumerate() {
                    if l.is_some() {
                        (scaler.offset[j], scaler.scale[j]) = (0.0, 1.0);
                    }
                }
                scaler.levels = levels.iter().map(|l| l.as_ref().map(|(names, _)| names.clone())).collect();
            }
            scaler
        }
    };
    let n = at.map_or(raw.rows(), <[usize]>::len);
    let x = Array2::from_shape_fn((n, d), |(r, j)| {
        let i = at.map_or(r, |at| at[r]);
        scaler.scale_value(j, model(i, j))
    });
    (scaler, x)
}

/// Per feature, for a category the method compares by value: its values by name (the given model's, else
/// the table's) and, per value of the table, its code among them (a value the model never saw: one past
/// the last, which matches no prototype). None for the other features.
type Codes = Option<(Vec<String>, Vec<f64>)>;

fn category_codes(raw: &RawRows, spec: &AnalysisSpec, given: Option<&FittedScaler>) -> Vec<Codes> {
    let categories = spec.method_settings().categories();
    (0..raw.features())
        .map(|j| {
            let feature = spec.features.get(j)?;
            if !categories.contains(feature) {
                return None;
            }
            let table = raw.level_names(j)?;
            let names = given.and_then(|s| s.levels_of(j)).unwrap_or(table).to_vec();
            let codes = table
                .iter()
                .map(|t| names.iter().position(|n| n == t).unwrap_or(names.len()) as f64)
                .collect();
            Some((names, codes))
        })
        .collect()
}

/// Every category the method compares by value is a feature and a category column of the table.
fn check_categories(table: &Table, spec: &AnalysisSpec) -> Result<()> {
    for c in spec.method_settings().categories() {
        let column = table.column(c);
        let is_category =
            column.is_some_and(|c| c.kind == crate::ingest::ColumnKind::Categorical && c.levels.is_some());
        if !spec.features.contains(c) || !is_category {
            return Err(CoreError::InvalidParameter {
                name: c.clone(),
                value: column.map_or("no such column".into(), |c| format!("{:?}", c.kind).to_lowercase()),
                reason: "k-prototypes compares categories by value: this must be a feature and a column of few \
                         distinct texts (a plan, a country); untick it as a category, or choose another column"
                    .into(),
            });
        }
    }
    Ok(())
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
    check_categories(table, spec)?;
    progress(Stage::Cleaning, 0.0);
    let (given_cleaning, given_scaler) = match fitting {
        Fitting::Learn => (None, None),
        Fitting::Given { cleaning, scaler } => (Some(cleaning).filter(|c| !c.fill.is_empty()), Some(scaler)),
    };
    let (kept, cleaning) = cleaned(table, spec, given_cleaning)?;
    if kept.len() < needed {
        return Err(CoreError::TooFewRows { rows: kept.len(), needed });
    }
    progress(Stage::Scaling, 0.0);
    let raw = RawRows::new(table, &spec.features, &kept, &cleaning.fitted.fill);
    let (scaler, x_scaled) = scaled_rows(&raw, spec, given_scaler, None);
    Ok(Prepared { key: DataKey::of(spec), kept: kept.into(), cleaning, scaler, x_scaled: Arc::new(x_scaled) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::read_csv;

    #[test]
    fn transforms_apply_where_asked_and_a_sample_is_scaled_as_every_row() {
        let table = read_csv(b"a,b\n0,9\n1.718281828459045,99\n3,1\n7,5\n", &mut |_| {})
            .unwrap_or_else(|e| panic!("{e}"));
        let kept: Vec<usize> = (0..4).collect();
        let mut spec = AnalysisSpec::default_for(&table);
        spec.features = vec!["a".into(), "b".into()];
        spec.transforms.clear();
        spec.transforms.insert("a".into(), Transform::Log1p);
        let raw = RawRows::new(&table, &spec.features, &kept, &[]);
        spec.scaler = ScalerKind::None;
        let (_, x) = scaled_rows(&raw, &spec, None, None);
        assert_eq!(x[[0, 0]], 0.0);
        assert!((x[[1, 0]] - 1.0).abs() < 1e-12);
        assert_eq!(x.column(1).to_vec(), vec![9.0, 99.0, 1.0, 5.0]);
        spec.scaler = ScalerKind::Standard;
        let (scaler, all) = scaled_rows(&raw, &spec, None, None);
        let (sample_scaler, sample) = scaled_rows(&raw, &spec, None, Some(&[1, 3]));
        assert_eq!(scaler, sample_scaler);
        assert_eq!(sample.row(0), all.row(1));
        assert_eq!(sample.row(1), all.row(3));
        let (given, again) = scaled_rows(&raw, &spec, Some(&scaler), Some(&[2]));
        assert_eq!(given, scaler);
        assert_eq!(again.row(0), all.row(2));
    }
}

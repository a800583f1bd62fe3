//! Features: the chosen columns of the kept rows as a matrix (`x_raw`), and the scaler that turns it into
//! the space the clustering sees (`x_scaled`).

pub mod advice;
mod scale;
mod transform;

pub use advice::{advise, ColumnAdvice};
pub use scale::{quantile_sorted as quantile, FittedScaler, ScalerKind};
pub use transform::{x_model, Transform};

use crate::ingest::Table;
use ndarray::Array2;

/// The rows × features matrix of raw values. `kept` rows must have finite values in every feature
/// (cleaning guarantees it).
pub fn x_raw(table: &Table, features: &[String], kept: &[usize]) -> Array2<f64> {
    x_raw_filled(table, features, kept, &[])
}

/// [`x_raw`] with missing values of feature j replaced by `fill[j]` (cleaning's imputation).
/// A date feature enters as days before the column's latest date in the file (see
/// [`crate::ingest::Column::feature_value`]).
pub fn x_raw_filled(table: &Table, features: &[String], kept: &[usize], fill: &[Option<f64>]) -> Array2<f64> {
    let columns: Vec<(&[f64], Option<f64>)> = features
        .iter()
        .filter_map(|f| table.column(f))
        .map(|c| (c.values.as_slice(), c.latest_date()))
        .collect();
    Array2::from_shape_fn((kept.len(), columns.len()), |(i, j)| {
        let (values, latest) = columns[j];
        let v = values[kept[i]];
        let v = if v.is_nan() { fill.get(j).copied().flatten().unwrap_or(v) } else { v };
        latest.map_or(v, |l| l - v)
    })
}

//! Features: the chosen columns of the kept rows as a matrix (`x_raw`), and the scaler that turns it into
//! the space the clustering sees (`x_scaled`).

mod scale;

pub use scale::{quantile_sorted as quantile, FittedScaler, ScalerKind};

use crate::ingest::Table;
use ndarray::Array2;

/// The rows × features matrix of raw values. `kept` rows must have finite values in every feature
/// (cleaning guarantees it).
pub fn x_raw(table: &Table, features: &[String], kept: &[usize]) -> Array2<f64> {
    let columns: Vec<&[f64]> =
        features.iter().filter_map(|f| table.column(f)).map(|c| c.values.as_slice()).collect();
    Array2::from_shape_fn((kept.len(), columns.len()), |(i, j)| columns[j][kept[i]])
}

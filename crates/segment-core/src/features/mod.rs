//! Features: the chosen columns of the kept rows as a matrix (`x_raw`), and the scaler that turns it into
//! the space the clustering sees (`x_scaled`).

mod scale;
mod transform;

pub use scale::{quantile_sorted as quantile, FittedScaler, ScalerKind};
pub use transform::Transform;

use crate::ingest::values::Values;
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
    let raw = RawRows::new(table, features, kept, fill);
    Array2::from_shape_fn((raw.rows(), raw.features()), |(i, j)| raw.value(i, j))
}

/// The values of [`x_raw_filled`] read from the table's columns when asked, so what only sums or ranges
/// them (segment means, a saved model's feature ranges, drift) needs no rows x features matrix: for a
/// million rows of ten features that matrix is 80 MB.
pub struct RawRows<'a> {
    /// Per feature: the column's values, its latest date (date features), its fill value.
    columns: Vec<(&'a Values, Option<f64>, Option<f64>)>,
    /// Per feature, a category column's values by name (None for the others).
    levels: Vec<Option<&'a crate::ingest::Levels>>,
    kept: &'a [usize],
}

impl<'a> RawRows<'a> {
    pub fn new(table: &'a Table, features: &[String], kept: &'a [usize], fill: &[Option<f64>]) -> Self {
        let found: Vec<&crate::ingest::Column> = features.iter().filter_map(|f| table.column(f)).collect();
        let columns = found
            .iter()
            .enumerate()
            .map(|(j, c)| (&c.values, c.latest_date(), fill.get(j).copied().flatten()))
            .collect();
        let levels = found.iter().map(|c| c.levels.as_ref()).collect();
        Self { columns, levels, kept }
    }

    /// The names of feature `j`'s values, for a category column.
    pub fn level_names(&self, j: usize) -> Option<&'a [String]> {
        self.levels.get(j).copied().flatten().map(|l| l.names.as_slice())
    }

    /// The value (its position in [`Self::level_names`]) of feature `j` in the `i`-th kept row, for a
    /// category column; None where the cell is missing.
    pub fn level(&self, i: usize, j: usize) -> Option<usize> {
        self.levels.get(j).copied().flatten().and_then(|l| l.at(self.kept[i]))
    }

    pub fn rows(&self) -> usize {
        self.kept.len()
    }

    pub fn features(&self) -> usize {
        self.columns.len()
    }

    /// Feature `j` of the `i`-th kept row.
    pub fn value(&self, i: usize, j: usize) -> f64 {
        let (values, latest, fill) = self.columns[j];
        let v = values.at(self.kept[i]);
        // The fill is in the feature's units (a date's: days before the latest date).
        if v.is_nan() {
            return fill.unwrap_or(v);
        }
        latest.map_or(v, |l| l - v)
    }

    /// Feature `j` of every kept row, in order.
    pub fn column(&self, j: usize) -> impl Iterator<Item = f64> + '_ {
        (0..self.rows()).map(move |i| self.value(i, j))
    }
}

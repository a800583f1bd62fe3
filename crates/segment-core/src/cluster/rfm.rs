//! RFM scores: the classic marketing segmentation of customers aggregated from purchases. Each customer
//! scores 1 to 5 on Recency (5 = bought most recently), Frequency and Monetary (5 = most), by the
//! quintiles of the file (a value equal to an edge scores as below it, so ties share a score); the
//! Recency and Frequency scores then name the segment with the usual map:
//!
//! | R \ F | 1 | 2 | 3 | 4 | 5 |
//! |---|---|---|---|---|---|
//! | 5 | New customers | Potential loyalists | Potential loyalists | Champions | Champions |
//! | 4 | Promising | Potential loyalists | Potential loyalists | Loyal customers | Loyal customers |
//! | 3 | About to sleep | About to sleep | Need attention | Loyal customers | Loyal customers |
//! | 2 | Hibernating | Hibernating | At risk | At risk | Can't lose them |
//! | 1 | Lost | Lost | At risk | At risk | Can't lose them |
//!
//! The scores are rules, not a fit: the same edges give next month's customers their segment. The
//! edges are kept in the scaled space the other methods see; scaling and `log` never change an order,
//! so a customer's scores are the same in either space.

use super::canonical_labels;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// The customer table's columns that RFM scores (the names [`crate::transactions::aggregate`] writes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmColumns {
    pub recency: String,
    pub frequency: String,
    pub monetary: String,
}

impl Default for RfmColumns {
    fn default() -> Self {
        Self { recency: "recency_days".into(), frequency: "frequency".into(), monetary: "monetary".into() }
    }
}

/// The groups of the map, in the order the map lists them.
pub const GROUPS: [&str; 11] = [
    "Champions",
    "Loyal customers",
    "Potential loyalists",
    "New customers",
    "Promising",
    "Need attention",
    "About to sleep",
    "At risk",
    "Can't lose them",
    "Hibernating",
    "Lost",
];

/// The group of a Recency and a Frequency score (each 1..=5), an index into [`GROUPS`].
pub fn group(r: u8, f: u8) -> usize {
    match (r, f) {
        (5, 4..=5) => 0,
        (3..=4, 4..=5) => 1,
        (4..=5, 2..=3) => 2,
        (5, _) => 3,
        (4, _) => 4,
        (3, 3) => 5,
        (3, _) => 6,
        (1..=2, 5) => 8,
        (1..=2, 3..=4) => 7,
        (2, _) => 9,
        _ => 10,
    }
}

/// The four quintile edges of a column's values (20%, 40%, 60%, 80%).
pub fn quintile_edges(values: impl Iterator<Item = f64>) -> [f64; 4] {
    let mut sorted: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    [0.2, 0.4, 0.6, 0.8].map(|p| crate::features::quantile(&sorted, p))
}

/// A score of 1..=5: how many edges lie strictly below `v`, plus one; reversed for recency (fewer days
/// since the last purchase is better).
pub fn score(v: f64, edges: &[f64; 4], reversed: bool) -> u8 {
    let below = edges.iter().filter(|&&e| e < v).count() as u8;
    if reversed {
        5 - below
    } else {
        below + 1
    }
}

/// The fitted rule: the edges of each letter and which segment each group became.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RfmFit {
    /// Canonical labels (0 = largest segment).
    pub labels: Vec<Option<usize>>,
    /// The positions of recency, frequency and monetary among the features.
    pub columns: [usize; 3],
    /// Quintile edges of recency, frequency and monetary, in the space the rows were given in.
    pub edges: [[f64; 4]; 3],
    /// For each group of [`GROUPS`], its segment id (None when no customer is in it).
    pub segment_of_group: Vec<Option<usize>>,
    /// The group name of each segment, in segment-id order.
    pub names: Vec<String>,
}

/// The R, F and M scores of one row of features.
pub fn scores(row: &[f64], columns: [usize; 3], edges: &[[f64; 4]; 3]) -> [u8; 3] {
    [
        score(row[columns[0]], &edges[0], true),
        score(row[columns[1]], &edges[1], false),
        score(row[columns[2]], &edges[2], false),
    ]
}

/// Scores every row of `x` (features in `columns` order) and labels it with its group's segment.
pub fn fit(x: ArrayView2<f64>, columns: [usize; 3]) -> RfmFit {
    let edges = columns.map(|j| quintile_edges(x.column(j).iter().copied()));
    let groups: Vec<Option<usize>> = x
        .outer_iter()
        .map(|row| {
            let row = row.to_vec();
            let [r, f, _] = scores(&row, columns, &edges);
            Some(group(r, f))
        })
        .collect();
    let (labels, _) = canonical_labels(&groups);
    let mut segment_of_group = vec![None; GROUPS.len()];
    for (g, l) in groups.iter().zip(&labels) {
        if let (Some(g), Some(l)) = (g, l) {
            segment_of_group[*g] = Some(*l);
        }
    }
    let segments = labels.iter().flatten().map(|&l| l + 1).max().unwrap_or(0);
    let mut names = vec![String::new(); segments];
    for (g, s) in segment_of_group.iter().enumerate() {
        if let Some(s) = s {
            names[*s] = GROUPS[g].to_string();
        }
    }
    RfmFit { labels, columns, edges, segment_of_group, names }
}

// ---- The method: RFM's settings (its columns) and what the rest of the code knows of it. ----

pub const INFO: super::MethodInfo = super::MethodInfo {
    key: "rfm",
    label: "RFM scores (rules on recency, frequency, monetary)",
    name: "RFM scores",
    uses_k: false,
    independent_ks: false,
};

impl RfmColumns {
    /// The positions of recency, frequency and monetary among the rows' columns.
    fn positions(&self, features: &[String]) -> Result<[usize; 3], crate::error::CoreError> {
        let at = |name: &str| {
            features.iter().position(|f| f == name).ok_or_else(|| crate::error::CoreError::InvalidParameter {
                name: "method".into(),
                value: "RFM scores".into(),
                reason: format!(
                    "RFM scores need the column \"{name}\" among the features (recency, frequency and monetary, as a \
                     file of purchase lines aggregated per customer has)"
                ),
            })
        };
        Ok([at(&self.recency)?, at(&self.frequency)?, at(&self.monetary)?])
    }
}

impl super::ClusterMethod for RfmColumns {
    super::method::method_basics!(INFO);

    fn parameters(&self) -> String {
        format!("{}, {}, {}", self.recency, self.frequency, self.monetary)
    }

    fn words(&self) -> String {
        INFO.name.into()
    }

    fn validate(&self) -> Result<(), crate::error::CoreError> {
        Ok(())
    }

    fn rows_needed(&self, inputs: &super::FitInputs) -> Result<usize, crate::error::CoreError> {
        self.positions(inputs.features)?;
        Ok(5)
    }

    fn fit(
        &self,
        x: ArrayView2<f64>,
        inputs: &super::FitInputs,
        _: &mut dyn FnMut(f64),
    ) -> Result<super::MethodFit, crate::error::CoreError> {
        let fit = fit(x, self.positions(inputs.features)?);
        let assignment = super::Assignment::Rfm {
            columns: fit.columns,
            edges: fit.edges,
            segment_of_group: fit.segment_of_group.iter().map(|s| s.map(|s| s as u32)).collect(),
            names: fit.names,
        };
        Ok((fit.labels, assignment).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_covers_every_pair_of_scores() {
        let name = |r, f| GROUPS[group(r, f)];
        assert_eq!(name(5, 5), "Champions");
        assert_eq!(name(4, 4), "Loyal customers");
        assert_eq!(name(3, 5), "Loyal customers");
        assert_eq!(name(5, 2), "Potential loyalists");
        assert_eq!(name(5, 1), "New customers");
        assert_eq!(name(4, 1), "Promising");
        assert_eq!(name(3, 3), "Need attention");
        assert_eq!(name(3, 1), "About to sleep");
        assert_eq!(name(2, 3), "At risk");
        assert_eq!(name(1, 5), "Can't lose them");
        assert_eq!(name(2, 2), "Hibernating");
        assert_eq!(name(1, 1), "Lost");
        // Every one of the 25 pairs lands in a group, and every group is reached.
        let mut seen = [false; GROUPS.len()];
        for r in 1..=5 {
            for f in 1..=5 {
                seen[group(r, f)] = true;
            }
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn quintile_scores_with_ties() {
        let edges = quintile_edges((1..=10).map(f64::from));
        assert_eq!(score(1.0, &edges, false), 1);
        assert_eq!(score(10.0, &edges, false), 5);
        assert_eq!(score(1.0, &edges, true), 5); // the most recent
                                                 // Most customers bought once: they share the lowest frequency score.
        let freq = quintile_edges([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 3.0, 5.0, 9.0].into_iter());
        assert_eq!(score(1.0, &freq, false), 1);
        assert_eq!(score(9.0, &freq, false), 5);
    }

    #[test]
    fn customers_get_their_group() {
        // recency, frequency, monetary: a recent frequent big spender, a lapsed one-off, ...
        let mut rows = Vec::new();
        for i in 0..50 {
            let i = f64::from(i);
            rows.extend_from_slice(&[i, 50.0 - i, (50.0 - i) * 10.0]);
        }
        let x = ndarray::Array2::from_shape_vec((50, 3), rows).unwrap_or_else(|e| panic!("{e}"));
        let fit = fit(x.view(), [0, 1, 2]);
        let name_of = |row: usize| fit.labels[row].map(|s| fit.names[s].clone());
        assert_eq!(name_of(0).as_deref(), Some("Champions"));
        assert_eq!(name_of(49).as_deref(), Some("Lost"));
        assert_eq!(fit.names.len(), fit.labels.iter().flatten().map(|l| l + 1).max().unwrap_or(0));
    }
}

//! Saved models: fit once, apply the same cleaning, scaling and segments to next month's file.
//!
//! A [`SegmentModel`] is one versioned JSON file: the analysis spec (features, cleaning rules, scaler
//! kind, method, parameters, names), the fitted scaler, what assignment needs (DBSCAN core points or
//! k-means centres, see [`assign`]), the training range of each feature (for drift warnings), and, when
//! the file has an id column, each training customer's segment (for the movement table).
//! [`apply::apply`] runs it on a loaded table (the page); [`stream::apply_stream`] on a file of any size
//! (the command line). Both call the same cell parser, cleaning rules and [`Assigner`].

pub mod apply;
pub mod sql;
pub mod stream;

pub use crate::cluster::{Assigner, Assignment};
pub use apply::{
    apply, apply_text, match_columns, movers_csv, Applied, AppliedRun, ColumnDrift, ColumnMatch, Movement,
};
pub use stream::{
    apply_framed, apply_stream, scan_dates, scan_dates_framed, Framing, StreamDate, StreamSummary,
};

use crate::error::{CoreError, Result};
use crate::features::FittedScaler;
use crate::ingest::{walk, Table, Text};
use crate::pipeline::Segmentation;
use crate::spec::AnalysisSpec;
use serde::{Deserialize, Serialize};

/// Written in every model file, so another JSON file is refused with a clear message.
pub const MODEL_FORMAT: &str = "client-segmentation-model";
/// The label of a row cleaning dropped, where labels are `i32` (-1 is noise).
pub const DROPPED_LABEL: i32 = -2;

/// The newest model file layout this build reads and writes. Version 2 added rules of more than two
/// sets of conditions (a threshold tree's leaves); a model is written with the oldest version that
/// holds it ([`SegmentModel::needed_version`]), so a build that reads version 1 still reads every
/// model without them.
pub const MODEL_VERSION: u32 = 2;
/// The oldest model file layout this build reads.
pub const FIRST_MODEL_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentModel {
    pub format: String,
    pub version: u32,
    /// The settings the model was fitted with; `spec.features` are the columns it needs.
    pub spec: AnalysisSpec,
    pub segments: Vec<ModelSegment>,
    /// The training range and spread of each feature, in the file's units.
    pub features: Vec<FeatureRange>,
    /// The columns that were numeric in the training file: the rules "in any numeric column" look at
    /// these when a file is streamed.
    pub numeric_columns: Vec<String>,
    /// The decimal separator of each numeric column of the training file (`.` when absent): the
    /// streaming apply reads numbers with it.
    #[serde(default)]
    pub decimals: std::collections::BTreeMap<String, char>,
    /// Features that are dates, entering as days before the file's latest date (each file's own:
    /// next month's file is measured from its own latest date, as a recency is).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub date_features: Vec<String>,
    /// How the training file wrote each date feature: a streamed file whose cells do not settle
    /// day-first against month-first is read with it.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub date_formats: std::collections::BTreeMap<String, crate::ingest::date::DateFormat>,
    /// Category features, entering as how common each value is in the file (each file's own shares).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category_features: Vec<String>,
    pub scaler: FittedScaler,
    /// Fill values and outlier bounds fitted on the training rows (cleaning applies them as they are).
    #[serde(default)]
    pub cleaning_fit: crate::clean::FittedCleaning,
    pub assignment: Assignment,
    pub training: TrainingInfo,
    /// The segments' rules together on the training rows: the share of customers they put in the
    /// model's segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_fidelity: Option<f64>,
    /// The rules' price of explainability on the training rows (their segments' within-segment sum of
    /// squares over the model's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_price: Option<f64>,
    /// For customers aggregated from purchase lines (`spec.transactions`): how the training lines were
    /// written, which the SQL export reads a table of lines with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<crate::transactions::LineFormat>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSegment {
    pub id: usize,
    pub name: String,
    /// Training rows in the segment.
    pub size: usize,
    /// Training mean of each feature (NaN when too large to average).
    #[serde(deserialize_with = "crate::serde_nan::vec_or_nan")]
    pub means: Vec<f64>,
    /// Who is in the segment as a rule in the training file's units, with how well it matched there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<crate::rules::SegmentRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureRange {
    pub name: String,
    pub min: f64,
    pub max: f64,
    /// NaN (null in the file) when the values are too large to average.
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub mean: f64,
    /// Population standard deviation (NaN, as `mean`, when it overflows).
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub sd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    pub file_name: String,
    pub rows_in: usize,
    pub rows_used: usize,
    pub noise: usize,
    /// The id column, when the training file had one with a distinct value per row.
    pub id_column: Option<String>,
    /// Per training row: its id and its segment (-1 = noise, -2 = dropped by cleaning). For the movement
    /// table.
    pub ids: Vec<String>,
    pub id_segments: Vec<i32>,
}

impl SegmentModel {
    /// The columns the model knows a file of its kind has: its features, the training file's numeric
    /// columns and its id column (what `export-sql` assumes when not told the table's columns).
    pub fn known_columns(&self) -> Vec<String> {
        // A model of customers aggregated from purchase lines reads lines.
        if let (Some(_), Some(lines)) = (&self.spec.transactions, &self.lines) {
            return lines.columns.clone();
        }
        let mut columns: Vec<String> = Vec::new();
        for c in self.training.id_column.iter().chain(&self.numeric_columns).chain(&self.spec.features) {
            if !columns.contains(c) {
                columns.push(c.clone());
            }
        }
        columns
    }

    /// The model of a result: `bytes` and `table` are the file it was computed on, `names` the segment
    /// names to save (the person's or the suggested ones).
    pub fn from_result(
        bytes: &[u8],
        table: &Table,
        result: &Segmentation,
        names: &[String],
        file_name: &str,
    ) -> Result<Self> {
        let (text, _) = crate::ingest::source_text(bytes)?;
        Self::from_result_text(&Text::Held(&text), table, result, names, file_name)
    }

    /// [`SegmentModel::from_result`] of the file's `text`, held or read again in chunks as the id
    /// column is collected (a session's file is never read back whole for it).
    pub fn from_result_text(
        text: &Text<'_>,
        table: &Table,
        result: &Segmentation,
        names: &[String],
        file_name: &str,
    ) -> Result<Self> {
        let assignment = result.assignment.clone().ok_or_else(|| {
            CoreError::BadModel("this result has no fitted state to save; run the segmentation again".into())
        })?;
        let spec = &result.spec;
        // The training rows as the fit saw them (for the feature ranges), and the scaler it fitted.
        let raw = result.raw(table);
        let scaler = result.scaler.clone();
        let features = spec
            .features
            .iter()
            .enumerate()
            .take(raw.features())
            .map(|(j, name)| {
                let n = raw.rows().max(1) as f64;
                let mean = raw.column(j).sum::<f64>() / n;
                FeatureRange {
                    name: name.clone(),
                    min: raw.column(j).fold(f64::INFINITY, f64::min),
                    max: raw.column(j).fold(f64::NEG_INFINITY, f64::max),
                    mean,
                    sd: (raw.column(j).map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt(),
                }
            })
            .collect();
        let segments = result
            .segment_sizes
            .iter()
            .enumerate()
            .map(|(id, &size)| ModelSegment {
                id,
                name: segment_name(names, result, id),
                size,
                means: result.segment_means.get(id).cloned().unwrap_or_default(),
                rule: result.profiles.get(id).and_then(|p| p.rule.clone()),
            })
            .collect();
        let id_column =
            spec.id_column.clone().filter(|c| table.column(c).is_some()).or_else(|| table.id_column());
        let (mut ids, mut id_segments) = (Vec::new(), Vec::new());
        if let Some(column) = &id_column {
            ids = column_text(text, table, column)?;
            id_segments = vec![DROPPED_LABEL; ids.len()];
            for (&row, &label) in result.kept_rows.iter().zip(&result.labels) {
                if let Some(slot) = id_segments.get_mut(row) {
                    *slot = label;
                }
            }
        }
        let stored = match &assignment {
            Assignment::Dbscan { core_points, .. } => core_points.as_slice(),
            Assignment::Hdbscan(m) => m.points.as_slice(),
            Assignment::Centroids { .. }
            | Assignment::Prototypes { .. }
            | Assignment::Mixture { .. }
            | Assignment::Rfm { .. }
            | Assignment::Rules { .. } => &[][..],
        };
        let finite = |v: &f64| v.is_finite();
        let centroids_finite = match &assignment {
            Assignment::Centroids { centroids } => centroids.iter().flatten().all(finite),
            Assignment::Prototypes { prototypes, gamma, .. } => {
                prototypes.iter().flatten().all(finite) && gamma.is_finite()
            }
            Assignment::Mixture { weights, means, covariances } => {
                weights.iter().chain(means.iter().flatten()).chain(covariances.iter().flatten()).all(finite)
            }
            Assignment::Rfm { edges, .. } => edges.iter().flatten().all(finite),
            Assignment::Rules { conditions, alternatives, more, .. } => conditions
                .iter()
                .chain(alternatives)
                .chain(more.iter().flatten())
                .flatten()
                .all(|c| c.threshold.is_finite()),
            Assignment::Dbscan { .. } => true,
            Assignment::Hdbscan(m) => m.core_distances.iter().all(finite),
        };
        if !(stored.iter().all(finite)
            && centroids_finite
            && scaler.offset.iter().chain(&scaler.scale).all(finite))
        {
            return Err(CoreError::BadModel(
                "the data holds values too large to save in a model (near the limit of floating-point \
                 numbers, about 1e308). Check the features for such values and drop or rescale them"
                    .into(),
            ));
        }
        let of_kind = |kind: crate::ingest::ColumnKind| -> Vec<String> {
            spec.features
                .iter()
                .filter(|f| table.column(f).is_some_and(|c| c.kind == kind))
                .cloned()
                .collect()
        };
        let date_features = of_kind(crate::ingest::ColumnKind::Date);
        let category_features = of_kind(crate::ingest::ColumnKind::Categorical);
        let mut spec = spec.clone();
        spec.segment_names = names.to_vec();
        let mut model = Self {
            format: MODEL_FORMAT.to_string(),
            version: MODEL_VERSION,
            spec,
            segments,
            features,
            numeric_columns: table.numeric_names(),
            decimals: table
                .columns
                .iter()
                .filter_map(|c| c.number_format.map(|f| (c.name.clone(), f.decimal)))
                .collect(),
            date_formats: date_features
                .iter()
                .filter_map(|f| table.column(f).and_then(|c| c.date_format).map(|d| (f.clone(), d)))
                .collect(),
            date_features,
            category_features,
            scaler,
            cleaning_fit: result.cleaning.fitted.clone(),
            assignment,
            training: TrainingInfo {
                file_name: file_name.to_string(),
                rows_in: table.n_rows,
                rows_used: result.rows_used,
                noise: result.noise,
                id_column,
                ids,
                id_segments,
            },
            rule_fidelity: result.rule_fidelity,
            rule_price: result.rule_price,
            lines: None,
        };
        model.version = model.needed_version();
        Ok(model)
    }

    /// The oldest model file version that holds this model: 2 when a rule has more than two sets of
    /// conditions, else 1.
    pub fn needed_version(&self) -> u32 {
        let rules_more = self.segments.iter().filter_map(|s| s.rule.as_ref()).any(|r| !r.more.is_empty());
        let assigned_more =
            matches!(&self.assignment, Assignment::Rules { more, .. } if more.iter().any(|m| !m.is_empty()));
        if rules_more || assigned_more {
            2
        } else {
            FIRST_MODEL_VERSION
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a model file: refuses other JSON, other versions and damaged files with a clear message.
    pub fn from_json(text: &str) -> Result<Self> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            version: Option<u32>,
        }
        let bad = |why: String| CoreError::BadModel(why);
        let header: Header = serde_json::from_str(text)
            .map_err(|e| bad(format!("it is not a model file saved by this app (not valid JSON: {e})")))?;
        if header.format.as_deref() != Some(MODEL_FORMAT) {
            return Err(bad("it is not a model file saved by this app (for example, a settings file or \
                            another JSON file). Save a model with \"Save model\" or `segment fit`"
                .into()));
        }
        match header.version {
            Some(FIRST_MODEL_VERSION..=MODEL_VERSION) => {}
            Some(v) => {
                return Err(bad(format!(
                    "it is model version {v}, and this app reads versions {FIRST_MODEL_VERSION} to \
                     {MODEL_VERSION}. Fit the model again with this version"
                )))
            }
            None => return Err(bad("it has no version number; the file is damaged".into())),
        }
        if text.len() > crate::limits::MAX_MODEL_BYTES {
            return Err(bad(format!(
                "it is {} MB, beyond the {} MB a model file may have",
                text.len() >> 20,
                crate::limits::MAX_MODEL_BYTES >> 20
            )));
        }
        let model: SegmentModel =
            serde_json::from_str(text).map_err(|e| bad(format!("the file is damaged ({e})")))?;
        model.validate()?;
        Ok(model)
    }

    /// Checks that the parts fit together (a hand-edited or truncated file is refused, not half-used).
    fn validate(&self) -> Result<()> {
        let d = self.spec.features.len();
        let bad = |why: &str| Err(CoreError::BadModel(format!("the file is damaged ({why})")));
        if d == 0 {
            return bad("no features");
        }
        if self.scaler.offset.len() != d || self.scaler.scale.len() != d || self.features.len() != d {
            return bad("the scaler or feature ranges do not match the features");
        }
        self.spec
            .validate()
            .map_err(|e| CoreError::BadModel(format!("its settings are out of range ({e})")))?;
        let sane = crate::limits::within_magnitude;
        if !self.scaler.scale.iter().chain(&self.scaler.offset).all(sane) {
            return bad("the scaler holds a value that is not a number, or beyond 1e100");
        }
        // A scale divides every value: positive and not vanishingly small (a subnormal scale turns
        // ordinary values into infinities).
        if self.scaler.scale.iter().any(|&s| s.is_nan() || s < f64::MIN_POSITIVE) {
            return bad("a scale that is zero, negative or too small");
        }
        let fit = &self.cleaning_fit;
        if (!fit.fill.is_empty() && fit.fill.len() != d) || (!fit.bounds.is_empty() && fit.bounds.len() != d)
        {
            return bad("the fill values or outlier bounds do not match the features");
        }
        if fit.fill.iter().flatten().any(|v| !sane(v)) {
            return bad("a fill value that is not a number");
        }
        if fit.bounds.iter().flatten().any(|(lo, hi)| !(sane(lo) && sane(hi) && lo <= hi)) {
            return bad("outlier bounds that are not numbers or are inverted");
        }
        let share = |v: f64| (0.0..=1.0).contains(&v);
        // Each set reads as at most MAX_CONDITIONS conditions (a range on one number is one), and the
        // k segments' rules have at most 2k sets together (a decision tree's 2k leaves).
        let max = crate::rules::MAX_CONDITIONS;
        let set_ok = |set: &[crate::rules::Condition]| {
            set.len() <= 2 * max && crate::rules::condition_count(set) <= max
        };
        let rules = || self.segments.iter().filter_map(|s| s.rule.as_ref());
        if rules().map(|r| r.clauses().count()).sum::<usize>() > 2 * self.segments.len() {
            return bad("more sets of rule conditions than twice the segments");
        }
        if self.version < self.needed_version() {
            return bad("rules of more than two sets of conditions in a version 1 model");
        }
        let rule_ok = |r: &crate::rules::SegmentRule| {
            r.clauses().all(set_ok)
                && share(r.caught)
                && share(r.wrongly)
                && share(r.unplaced)
                && r.all_conditions().all(|c| sane(&c.threshold) && self.spec.features.contains(&c.feature))
        };
        if !self.segments.iter().filter_map(|s| s.rule.as_ref()).all(rule_ok)
            || self.rule_fidelity.is_some_and(|f| !share(f))
            || self.rule_price.is_some_and(|p| !(p.is_finite() && p >= 0.0))
        {
            return bad(
                "a segment's rule names a column the model does not use, or holds a value out of range",
            );
        }
        if self.segments.iter().enumerate().any(|(i, s)| s.id != i)
            || self.segments.len() > crate::limits::MAX_SEGMENTS
        {
            return bad("segment ids out of order or too many segments");
        }
        if let Some(why) = self.assignment.problem(d, self.segments.len()) {
            return bad(why);
        }
        if self.assignment.n_segments() > self.segments.len() {
            return bad("segment ids beyond the list of segments");
        }
        if self.training.ids.len() != self.training.id_segments.len() {
            return bad("the training ids and their segments differ in length");
        }
        Ok(())
    }

    /// The first category feature that enters as how common its value is in the file (known only once
    /// the whole file is read), if any; categories compared by value (k-prototypes) are read row by row.
    pub fn category_by_frequency(&self) -> Option<&String> {
        self.category_features.iter().find(|c| {
            let j = self.spec.features.iter().position(|f| f == *c);
            j.and_then(|j| self.scaler.levels_of(j)).is_none()
        })
    }

    /// The rule model of this model: its segments' rules used as the segmentation (each customer to
    /// the first segment whose rule holds, the most precise first; customers no rule describes in no
    /// segment). The cleaning, scaler, names and rules stay; the training customers' segments (the
    /// movement table's reference) go, since they were the model's, not the rules'.
    pub fn rules_model(&self) -> Result<SegmentModel> {
        if matches!(self.assignment, Assignment::Rules { .. }) {
            return Ok(self.clone());
        }
        let features = &self.spec.features;
        let scale = |set: &[crate::rules::Condition]| -> Result<Vec<crate::cluster::ScaledCondition>> {
            let scaled: Option<Vec<crate::cluster::ScaledCondition>> = set
                .iter()
                .map(|c| {
                    let j = features.iter().position(|f| f == &c.feature)?;
                    if let Some(value) = &c.value {
                        // A category's value: its code among the model's values.
                        let names = self.scaler.levels_of(j)?;
                        let code = names.iter().position(|n| n == value)?;
                        return Some(crate::cluster::ScaledCondition {
                            feature: j,
                            above: c.above,
                            threshold: code as f64,
                            equals: true,
                        });
                    }
                    let t =
                        self.spec.transforms.get(&c.feature).map_or(c.threshold, |t| t.apply(c.threshold));
                    let threshold = self.scaler.scale_value(j, t);
                    threshold.is_finite().then_some(crate::cluster::ScaledCondition {
                        feature: j,
                        above: c.above,
                        threshold,
                        equals: false,
                    })
                })
                .collect();
            scaled.ok_or_else(|| {
                CoreError::BadModel("a rule's threshold cannot be scaled as the model's values are".into())
            })
        };
        let mut conditions = Vec::with_capacity(self.segments.len());
        let mut alternatives = Vec::with_capacity(self.segments.len());
        let mut more = Vec::with_capacity(self.segments.len());
        for segment in &self.segments {
            let (first, second, further) = segment
                .rule
                .as_ref()
                .map_or((&[][..], &[][..], &[][..]), |r| (&r.conditions[..], &r.or[..], &r.more[..]));
            conditions.push(scale(first)?);
            alternatives.push(scale(second)?);
            more.push(further.iter().map(|set| scale(set)).collect::<Result<Vec<_>>>()?);
        }
        if more.iter().all(Vec::is_empty) {
            more.clear();
        }
        if conditions.iter().all(Vec::is_empty) {
            return Err(CoreError::BadModel(
                "it has no rules to use as segments (no segment is described by a rule of at most three \
                 conditions)"
                    .into(),
            ));
        }
        // The most precise rules first, as the rules' fidelity counts them.
        let mut order: Vec<u32> =
            (0..self.segments.len() as u32).filter(|&s| !conditions[s as usize].is_empty()).collect();
        let wrongly = |s: u32| self.segments[s as usize].rule.as_ref().map_or(1.0, |r| r.wrongly);
        order.sort_by(|&a, &b| wrongly(a).total_cmp(&wrongly(b)).then(a.cmp(&b)));
        let mut model = self.clone();
        model.assignment = Assignment::Rules { conditions, alternatives, more, order };
        model.version = model.needed_version();
        model.training.ids.clear();
        model.training.id_segments.clear();
        model.validate()?;
        Ok(model)
    }

    /// What the page shows about a loaded model (no training values).
    pub fn info(&self) -> ModelInfo {
        let method = match self.assignment {
            Assignment::Rules { .. } => format!("Rules of {}", self.spec.method.label()),
            _ => self.spec.method.label().to_string(),
        };
        ModelInfo {
            file_name: self.training.file_name.clone(),
            method,
            features: self.spec.features.clone(),
            segments: self.segments.iter().map(|s| (s.name.clone(), s.size)).collect(),
            noise: self.training.noise,
            rows_used: self.training.rows_used,
            // Without the training customers' segments (a rule model) there is nothing to move from.
            id_column: self.training.id_column.clone().filter(|_| !self.training.ids.is_empty()),
            rule: self.assignment.rule(),
        }
    }

    pub fn names(&self) -> Vec<String> {
        self.segments.iter().map(|s| s.name.clone()).collect()
    }
}

/// A loaded model, as the page describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelInfo {
    pub file_name: String,
    pub method: String,
    pub features: Vec<String>,
    /// Name and training size of each segment.
    pub segments: Vec<(String, usize)>,
    pub noise: usize,
    pub rows_used: usize,
    pub id_column: Option<String>,
    pub rule: String,
}

fn segment_name(names: &[String], result: &Segmentation, id: usize) -> String {
    names
        .get(id)
        .filter(|n| !n.trim().is_empty())
        .cloned()
        .or_else(|| result.profiles.get(id).map(|p| p.suggested_name.clone()))
        .unwrap_or_else(|| format!("Segment {}", id + 1))
}

/// Where `column` is among the table's columns (its cell in each record).
pub(crate) fn column_at(table: &Table, column: &str) -> Result<usize> {
    table.columns.iter().position(|c| c.name == column).ok_or_else(|| CoreError::UnknownColumn {
        column: column.to_string(),
        available: table.names().join(", "),
    })
}

/// The trimmed text of one column, per row of the table.
pub fn column_text(text: &Text<'_>, table: &Table, column: &str) -> Result<Vec<String>> {
    let index = column_at(table, column)?;
    let mut out = Vec::with_capacity(table.n_rows);
    walk(text, &mut |_| {}, &mut |record, _, _| {
        out.push(record.get(index).unwrap_or("").trim().to_string())
    })?;
    Ok(out)
}

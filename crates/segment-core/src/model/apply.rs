//! Applying a saved model to a loaded table: match the columns, clean with the model's rules, scale with
//! the training scaler, assign each row, then describe the result exactly like a fresh run (sizes, means,
//! profiles, scores, PCA) with the model's segment ids and names. Adds what a monthly re-run needs: drift
//! per feature and, when both files share an id column, who moved between segments.

use super::{SegmentModel, DROPPED_LABEL};
use crate::error::{CoreError, Result};
use crate::export::spreadsheet_safe;
use crate::ingest::{walk, ColumnKind, Table};
use crate::pipeline::{
    describe, describe_from_table, prepare, Fitted, Fitting, Progress, Segmentation, Stage,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A feature with more than this share of rows outside its training range gets a drift warning.
pub const DRIFT_SHARE: f64 = 0.05;
/// ... and so does one whose mean moved more than this many training standard deviations.
pub const DRIFT_SHIFT_SD: f64 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchHow {
    /// The same name.
    Same,
    /// The same letters and digits, ignoring case, spaces and punctuation ("Monto Compras").
    SimilarName,
    /// Chosen by the person.
    Mapped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnMatch {
    /// The column's name in the model.
    pub model: String,
    /// The column of this file used for it.
    pub file: String,
    pub how: MatchHow,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnDrift {
    pub feature: String,
    pub training_min: f64,
    pub training_max: f64,
    pub below: usize,
    pub above: usize,
    /// Share of used rows outside the training range.
    pub share_outside: f64,
    pub mean: f64,
    pub training_mean: f64,
    /// (mean - training mean) / training sd.
    pub shift_sd: f64,
    /// Set when the drift passes [`DRIFT_SHARE`] or [`DRIFT_SHIFT_SD`]: what it means, in plain words.
    pub warning: Option<String>,
}

/// Customers found in both files (by the id column), by segment in the model (rows) and in this file
/// (columns); both list the segments, then noise, then dropped by cleaning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Movement {
    pub id_column: String,
    /// The names of the rows and columns of `counts`.
    pub labels: Vec<String>,
    pub counts: Vec<Vec<usize>>,
    pub matched: usize,
    pub moved: usize,
    /// Ids in this file that the training file did not have.
    pub new_customers: usize,
    /// Training ids not found in this file.
    pub not_seen_again: usize,
    /// Each mover: id, segment in the model, segment now (-1 noise, [`DROPPED_LABEL`]). Kept by
    /// the worker for the movers download.
    #[serde(skip)]
    pub movers: Vec<(String, i32, i32)>,
}

/// What applying a model found besides the segmentation of the new file (which is described like a
/// fresh run, in the model's segment ids).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Applied {
    pub columns: Vec<ColumnMatch>,
    pub drift: Vec<ColumnDrift>,
    /// How rows were assigned, in plain words.
    pub rule: String,
    pub movement: Option<Movement>,
    /// The model's own rules measured on this file (per segment: the share of its customers here the
    /// rule catches, and of those it catches, the share in other segments; conditions under this
    /// file's column names): whether the rules still say who is in each segment.
    #[serde(default)]
    pub model_rules: Vec<Option<crate::rules::SegmentRule>>,
    /// Those rules together on this file: the share of customers they put in the model's segment.
    #[serde(default)]
    pub model_rule_fidelity: Option<f64>,
    /// The same on the training file (stored in the model).
    #[serde(default)]
    pub training_rule_fidelity: Option<f64>,
}

impl Applied {
    /// Whether the model's rules still describe its segments on this file, in one sentence; None for a
    /// model without rules.
    pub fn rules_words(&self) -> Option<String> {
        let here = self.model_rule_fidelity?;
        let training = self
            .training_rule_fidelity
            .map_or(String::new(), |t| format!(" ({:.0}% on the training file)", t * 100.0));
        Some(format!(
            "The model's rules put {:.0}% of these customers in their segment{training}.",
            here * 100.0
        ))
    }
}

/// A model applied to a file: what the page is told ([`Applied`]) and the segmentation it made, which
/// stays with the data (exports, previews). Reads as its [`Applied`] (`run.drift`).
#[derive(Debug, Clone)]
pub struct AppliedRun {
    pub applied: Applied,
    pub result: Segmentation,
}

impl std::ops::Deref for AppliedRun {
    type Target = Applied;
    fn deref(&self) -> &Applied {
        &self.applied
    }
}

impl Applied {
    pub fn drift_warnings(&self) -> Vec<&str> {
        self.drift.iter().filter_map(|d| d.warning.as_deref()).collect()
    }
}

/// Lower-case letters and digits only: "Monto Compras" and "monto_compras" match.
fn normalized(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Finds the column of `table` for each of the model's `wanted` columns: the person's `mapping` (model
/// name -> file name) first, then the same name, then a similar name. Missing ones are one error naming
/// them all.
pub fn match_columns(
    wanted: &[String],
    names: &[String],
    mapping: &[(String, String)],
) -> Result<Vec<ColumnMatch>> {
    let has = |name: &str| names.iter().any(|n| n == name);
    let mut out = Vec::with_capacity(wanted.len());
    let mut missing = Vec::new();
    for name in wanted {
        let mapped = mapping.iter().find(|(m, _)| m == name).map(|(_, f)| f);
        let found = if let Some(f) = mapped.filter(|f| has(f)) {
            Some((f.clone(), MatchHow::Mapped))
        } else if has(name) {
            Some((name.clone(), MatchHow::Same))
        } else {
            let key = normalized(name);
            names.iter().find(|n| normalized(n) == key).map(|n| (n.clone(), MatchHow::SimilarName))
        };
        match found {
            Some((file, how)) => out.push(ColumnMatch { model: name.clone(), file, how }),
            None => missing.push(name.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(CoreError::MissingColumns { missing: missing.join(", "), available: names.join(", ") });
    }
    Ok(out)
}

/// Applies `model` to `table` (read from `bytes`). `mapping` maps model column names to this file's.
pub fn apply(
    model: &SegmentModel,
    bytes: &[u8],
    table: &Table,
    mapping: &[(String, String)],
    progress: Progress,
) -> Result<AppliedRun> {
    let (text, _) = crate::ingest::source_text(bytes)?;
    apply_text(model, &crate::ingest::Text::Held(&text), table, mapping, progress)
}

/// [`apply`] to the table of the file's `text`, held or read again in chunks (for the ids of who
/// moved).
pub fn apply_text(
    model: &SegmentModel,
    text: &crate::ingest::Text<'_>,
    table: &Table,
    mapping: &[(String, String)],
    progress: Progress,
) -> Result<AppliedRun> {
    let columns = match_columns(&model.spec.features, &table.names(), mapping)?;
    // Each column must hold what the model was fitted on: numbers, dates or categories.
    for c in &columns {
        let Some(column) = table.column(&c.file) else { continue };
        let expected_date = model.date_features.contains(&c.model);
        let expected_category = model.category_features.contains(&c.model);
        let fits = match column.kind {
            ColumnKind::Date => expected_date,
            ColumnKind::Categorical => expected_category,
            ColumnKind::Numeric | ColumnKind::Boolean => !expected_date && !expected_category,
            ColumnKind::Text | ColumnKind::Empty => false,
        };
        if !fits {
            if !expected_date && !expected_category {
                return Err(CoreError::NotNumeric { column: c.file.clone() });
            }
            let want = if expected_date { "dates" } else { "categories (a few distinct values)" };
            return Err(CoreError::InvalidParameter {
                name: c.file.clone(),
                value: column_kind_words(column.kind).into(),
                reason: format!("the model was fitted on {want} in this column; check that it is the right file or map another column"),
            });
        }
    }
    let mut spec = model.spec.clone();
    spec.features = columns.iter().map(|c| c.file.clone()).collect();
    // Per-feature cleaning choices and transforms follow their columns under this file's names.
    let renamed = |name: &String| columns.iter().find(|c| &c.model == name).map(|c| c.file.clone());
    spec.cleaning.impute_columns = model
        .spec
        .cleaning
        .impute_columns
        .iter()
        .filter_map(|(name, &how)| renamed(name).map(|f| (f, how)))
        .collect();
    spec.transforms =
        model.spec.transforms.iter().filter_map(|(name, &t)| renamed(name).map(|f| (f, t))).collect();
    spec.segment_names = model.names();
    spec.id_column = model.training.id_column.as_deref().and_then(|id| {
        match_columns(&[id.to_string()], &table.names(), mapping)
            .ok()
            .and_then(|m| m.first().map(|c| c.file.clone()))
    });

    let fitting = Fitting::Given { cleaning: &model.cleaning_fit, scaler: &model.scaler };
    let prepared = prepare(table, &spec, fitting, 1, progress).map_err(|e| match e {
        CoreError::NotNumeric { column } => CoreError::InvalidParameter {
            name: column,
            value: "text".into(),
            reason: "the model was fitted on numbers in this column, but here it holds text. Check the \
                 column, or map another one"
                .into(),
        },
        e => e,
    })?;

    progress(Stage::Clustering, 0.0);
    let assigner = model.assignment.assigner();
    let n_segments = model.segments.len();
    let mut segment_sizes = vec![0usize; n_segments];
    let labels: Vec<Option<usize>> = prepared
        .x_scaled
        .outer_iter()
        .map(|row| {
            let label = row.as_slice().map_or_else(|| assigner.assign(&row.to_vec()), |r| assigner.assign(r));
            if let Some(s) = label.filter(|&s| s < n_segments) {
                segment_sizes[s] += 1;
            }
            label.filter(|&s| s < n_segments)
        })
        .collect();
    let raw = prepared.raw(table, &spec);
    let drift = drift(model, &raw);
    let fitted = Fitted {
        cleaning: prepared.cleaning.clone(),
        raw,
        x_scaled: prepared.x_scaled.view(),
        labels: &labels,
        segment_sizes,
        scoring: crate::pipeline::Scoring::Now,
    };
    // The model's rules, under this file's names, on the rows used here (a rule model's rules are its
    // segments: nothing to measure).
    let is_rule_model = matches!(model.assignment, crate::cluster::Assignment::Rules { .. });
    let stored: Vec<Option<crate::rules::SegmentRule>> = model
        .segments
        .iter()
        .filter(|_| !is_rule_model)
        .map(|segment| {
            segment.rule.clone().map(|mut rule| {
                for c in rule.conditions_mut() {
                    c.feature = renamed(&c.feature).unwrap_or_else(|| c.feature.clone());
                }
                rule
            })
        })
        .collect();
    let label_ids: Vec<i32> = labels.iter().map(|l| l.map_or(-1, |s| s as i32)).collect();
    let measured = crate::rules::measure_rules(
        table,
        &spec.features,
        &prepared.kept,
        &prepared.cleaning.fitted.fill,
        &label_ids,
        &stored,
    );
    let model_rules: Vec<Option<crate::rules::SegmentRule>> =
        measured.rules.into_iter().zip(stored).map(|(here, stored)| stored.and(here)).collect();
    let mut result = describe(&spec, fitted, progress);
    describe_from_table(table, &mut result, &prepared.kept, prepared.x_scaled.view());
    let segmentation = Segmentation {
        result: std::sync::Arc::new(result),
        kept_rows: prepared.kept,
        scaler: prepared.scaler,
        assignment: None,
        x_scaled: prepared.x_scaled,
    };
    let movement = movement(model, text, table, &segmentation)?;
    Ok(AppliedRun {
        applied: Applied {
            columns,
            drift,
            rule: model.assignment.rule(),
            movement,
            model_rules,
            model_rule_fidelity: measured.fidelity.filter(|_| !is_rule_model),
            training_rule_fidelity: model.rule_fidelity,
        },
        result: segmentation,
    })
}

fn column_kind_words(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::Numeric => "numbers",
        ColumnKind::Boolean => "yes/no values",
        ColumnKind::Date => "dates",
        ColumnKind::Categorical => "categories",
        ColumnKind::Text => "text",
        ColumnKind::Empty => "nothing",
    }
}

fn drift(model: &SegmentModel, raw: &crate::features::RawRows) -> Vec<ColumnDrift> {
    let mut counter = DriftCounter::new(model.features.len());
    for i in 0..raw.rows() {
        (0..raw.features()).for_each(|j| {
            // A category compared by value: its drift is not measured (how common a value is in this
            // file says nothing of the segments).
            let by_value = model.scaler.levels_of(j).is_some();
            counter.add(model, j, if by_value { model.features[j].mean } else { raw.value(i, j) })
        });
    }
    counter.finish(model)
}

/// Drift counted one value at a time (the streaming `apply` never holds the whole file).
#[derive(Debug, Clone, Default)]
pub(crate) struct DriftCounter {
    below: Vec<usize>,
    above: Vec<usize>,
    sum: Vec<f64>,
    n: usize,
}

impl DriftCounter {
    pub(crate) fn new(d: usize) -> Self {
        Self { below: vec![0; d], above: vec![0; d], sum: vec![0.0; d], n: 0 }
    }

    /// Feature `j`'s value of the next used row (call for each j, then the row is counted at j = 0).
    pub(crate) fn add(&mut self, model: &SegmentModel, j: usize, v: f64) {
        let f = &model.features[j];
        self.below[j] += usize::from(v < f.min);
        self.above[j] += usize::from(v > f.max);
        self.sum[j] += v;
        self.n += usize::from(j == 0);
    }

    pub(crate) fn finish(&self, model: &SegmentModel) -> Vec<ColumnDrift> {
        let n = self.n.max(1) as f64;
        model
            .features
            .iter()
            .enumerate()
            .map(|(j, f)| {
                let (below, above) = (self.below[j], self.above[j]);
                let share_outside = (below + above) as f64 / n;
                let mean = self.sum[j] / n;
                let shift_sd = if f.sd > 0.0 { (mean - f.mean) / f.sd } else { 0.0 };
                let warning = (share_outside > DRIFT_SHARE || shift_sd.abs() > DRIFT_SHIFT_SD).then(|| {
                    format!(
                        "{}: {:.1}% of rows fall outside the training range {} to {} ({} below, {} above) \
                         and the mean moved {:.2} training standard deviations {}. Segments for these \
                         customers are less certain; consider fitting a new model.",
                        f.name,
                        share_outside * 100.0,
                        f.min,
                        f.max,
                        below,
                        above,
                        shift_sd.abs(),
                        if shift_sd >= 0.0 { "up" } else { "down" }
                    )
                });
                ColumnDrift {
                    feature: f.name.clone(),
                    training_min: f.min,
                    training_max: f.max,
                    below,
                    above,
                    share_outside,
                    mean,
                    training_mean: f.mean,
                    shift_sd,
                    warning,
                }
            })
            .collect()
    }
}

fn movement(
    model: &SegmentModel,
    text: &crate::ingest::Text<'_>,
    table: &Table,
    result: &Segmentation,
) -> Result<Option<Movement>> {
    let Some(id_name) = &model.training.id_column else { return Ok(None) };
    if model.training.ids.is_empty() {
        return Ok(None);
    }
    let Ok(matched_column) = match_columns(std::slice::from_ref(id_name), &table.names(), &[]) else {
        return Ok(None);
    };
    let file_column = &matched_column[0].file;
    let id_at = super::column_at(table, file_column)?;
    let before: HashMap<&str, i32> = model
        .training
        .ids
        .iter()
        .map(String::as_str)
        .zip(model.training.id_segments.iter().copied())
        .collect();
    let mut now: Vec<i32> = vec![DROPPED_LABEL; table.n_rows];
    for (&row, &label) in result.kept_rows.iter().zip(&result.labels) {
        now[row] = label;
    }
    let k = model.segments.len();
    let index = |l: i32| match l {
        DROPPED_LABEL => k + 1,
        l => usize::try_from(l).ok().filter(|&s| s < k).unwrap_or(k),
    };
    let mut counts = vec![vec![0usize; k + 2]; k + 2];
    let (mut matched, mut new_customers) = (0, 0);
    let mut movers = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Each row's id read as the file is walked (never a list of every id: a million of them).
    let mut rows = now.iter();
    walk(text, &mut |_| {}, &mut |record, _, _| {
        let Some(&label_now) = rows.next() else { return };
        let id = record.get(id_at).unwrap_or("").trim();
        match before.get_key_value(id) {
            Some((&known, &label_before)) => {
                matched += 1;
                seen.insert(known);
                counts[index(label_before)][index(label_now)] += 1;
                if label_before != label_now {
                    movers.push((id.to_string(), label_before, label_now));
                }
            }
            None => new_customers += 1,
        }
    })?;
    let names = model.names();
    let mut labels = names;
    labels.push(crate::export::NOISE.to_string());
    labels.push(crate::export::DROPPED.to_string());
    Ok(Some(Movement {
        id_column: file_column.clone(),
        labels,
        counts,
        matched,
        moved: movers.len(),
        new_customers,
        not_seen_again: before.len() - seen.len(),
        movers,
    }))
}

/// The customers who moved, as CSV: id, segment in the model, segment now (names made spreadsheet-safe;
/// "noise", "dropped by cleaning").
pub fn movers_csv(model: &SegmentModel, movement: &Movement) -> String {
    let name = |l: i32| match l {
        DROPPED_LABEL => crate::export::DROPPED.to_string(),
        l => usize::try_from(l)
            .ok()
            .and_then(|s| model.segments.get(s))
            .map_or_else(|| crate::export::NOISE.to_string(), |s| spreadsheet_safe(&s.name).into_owned()),
    };
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([&spreadsheet_safe(&movement.id_column), "segment_before", "segment_now"]);
    for (id, before, now) in &movement.movers {
        let _ = w.write_record([id.clone(), name(*before), name(*now)]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

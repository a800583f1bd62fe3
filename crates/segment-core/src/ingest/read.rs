//! The two passes of [`super::read_csv`]: [`ColumnScan`] sees every cell of a column once to settle
//! its type (numbers in which format, booleans, dates in which order, a category, text), keeping only
//! counts and up to [`SMALL_DISTINCT`] distinct values; [`ColumnBuilder`] then stores each cell as that
//! type. No cell's text is kept: a column of a million numbers costs 9 bytes a row.

use super::date::{parse_date, DateEvidence, DateFormat};
use super::number::{parse_number, DecimalEvidence, NumberFormat};
use super::values::{Flags, Values, ValuesBuilder};
use super::{boolean_value, is_missing_marker, text_hash, Column, ColumnKind, Levels};
use std::collections::{HashMap, HashSet};

/// Share of filled cells that must parse (as numbers, or as dates) for a column to be of that type.
const TYPED_SHARE: f64 = 0.95;
/// A text column with at most this many distinct values (and at most a fifth of its filled cells) is a
/// category.
const MAX_CATEGORIES: usize = 50;
/// Distinct values counted exactly during the first pass (enough for booleans and categories).
pub const SMALL_DISTINCT: usize = 64;

/// What the first pass learns of a column.
#[derive(Default)]
pub struct ColumnScan {
    filled: usize,
    decimal: DecimalEvidence,
    parsed_point: usize,
    parsed_comma: usize,
    date: DateEvidence,
    not_boolean: bool,
    /// Each distinct filled text's hash and count, until there are more than [`SMALL_DISTINCT`].
    small: Option<HashMap<u64, u32>>,
    /// The text of each of those values (cut to [`MAX_LEVEL_CHARS`]): a category's level names.
    names: HashMap<u64, String>,
    overflowed: bool,
}

/// A category level's name is kept up to this many characters.
const MAX_LEVEL_CHARS: usize = 60;
/// A row's level code where the cell is missing.
pub const NO_LEVEL: u8 = u8::MAX;

impl ColumnScan {
    /// One trimmed cell.
    pub fn see(&mut self, cell: &str) {
        if is_missing_marker(cell) {
            return;
        }
        self.filled += 1;
        self.decimal.see(cell);
        let as_point = parse_number(cell, '.').is_some();
        self.parsed_point += usize::from(as_point);
        // The decimal separator matters only to a cell holding a point or a comma.
        self.parsed_comma +=
            usize::from(if cell.contains(['.', ',']) { parse_number(cell, ',').is_some() } else { as_point });
        self.date.see(cell);
        if !self.not_boolean && boolean_value(cell).is_none() {
            self.not_boolean = true;
        }
        if !self.overflowed {
            let small = self.small.get_or_insert_with(HashMap::new);
            let hash = text_hash(cell);
            let count = small.entry(hash).or_insert(0);
            if *count == 0 {
                self.names.insert(hash, cell.chars().take(MAX_LEVEL_CHARS).collect());
            }
            *count += 1;
            if small.len() > SMALL_DISTINCT {
                self.small = None;
                self.names = HashMap::new();
                self.overflowed = true;
            }
        }
    }

    fn enough(&self, n: usize) -> bool {
        n as f64 >= TYPED_SHARE * self.filled as f64
    }

    /// The second pass's plan for this column.
    pub fn plan(self, n_rows: usize) -> ColumnBuilder {
        let small_distinct = self.small.as_ref().map(HashMap::len);
        let decimal = self.decimal.decimal();
        let parsed = if decimal == ',' { self.parsed_comma } else { self.parsed_point };
        let plan = if self.filled == 0 {
            Plan::Empty
        } else if let Some(format) = self.date.compact_format() {
            Plan::Date(format)
        } else if self.enough(parsed) {
            Plan::Number(decimal)
        } else if !self.not_boolean && small_distinct == Some(2) {
            Plan::BooleanWords
        } else if let Some(format) = self.date.format() {
            Plan::Date(format)
        } else {
            Plan::TextOrCategory
        };
        // A date plan may fall back to a category or text when too few cells are dates.
        let hashes = matches!(plan, Plan::TextOrCategory | Plan::Date(_)) && self.overflowed;
        // A category's levels, the most common first (ties by name): each row's code is stored.
        let mut level_names = Vec::new();
        let mut level_of = HashMap::new();
        if let (Some(small), Plan::TextOrCategory | Plan::Date(_)) = (&self.small, plan) {
            if small.len() <= MAX_CATEGORIES {
                let mut levels: Vec<(u32, &String, u64)> =
                    small.iter().filter_map(|(h, &n)| self.names.get(h).map(|name| (n, name, *h))).collect();
                levels.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
                for (code, (_, name, hash)) in levels.into_iter().enumerate() {
                    level_of.insert(hash, code as u8);
                    level_names.push(name.clone());
                }
            }
        }
        ColumnBuilder {
            plan,
            scan_filled: self.filled,
            codes: Vec::with_capacity(if level_of.is_empty() { 0 } else { n_rows }),
            level_of,
            level_names,
            small: self.small,
            missing: Flags::with_capacity(n_rows),
            values: ValuesBuilder::with_capacity(if matches!(plan, Plan::Empty | Plan::TextOrCategory) {
                0
            } else {
                n_rows
            }),
            category: ValuesBuilder::with_capacity(0),
            hashes: if hashes { Vec::with_capacity(n_rows) } else { Vec::new() },
            collect_hashes: hashes,
            format: NumberFormat { decimal, ..NumberFormat::POINT },
            parsed: 0,
            bad: 0,
            first_bad: None,
            bad_texts: HashSet::new(),
        }
    }
}

#[derive(Clone, Copy)]
enum Plan {
    Empty,
    Number(char),
    BooleanWords,
    Date(DateFormat),
    TextOrCategory,
}

/// The second pass: each cell stored as the plan says.
pub struct ColumnBuilder {
    plan: Plan,
    scan_filled: usize,
    small: Option<HashMap<u64, u32>>,
    missing: Flags,
    values: ValuesBuilder,
    /// For a column that may turn out a category: each cell's share (a date plan's fallback).
    category: ValuesBuilder,
    /// ...each cell's level ([`NO_LEVEL`] where missing), the level of each text's hash, their names.
    codes: Vec<u8>,
    level_of: HashMap<u64, u8>,
    level_names: Vec<String>,
    hashes: Vec<u64>,
    collect_hashes: bool,
    format: NumberFormat,
    parsed: usize,
    bad: usize,
    first_bad: Option<(usize, String)>,
    bad_texts: HashSet<u64>,
}

impl ColumnBuilder {
    fn share(&self, cell: &str) -> f64 {
        let filled = self.scan_filled.max(1) as f64;
        self.small.as_ref().and_then(|m| m.get(&text_hash(cell))).map_or(f64::NAN, |&n| f64::from(n) / filled)
    }

    /// The cell of data row `row` (trimmed).
    pub fn push(&mut self, row: usize, cell: &str) {
        let missing = is_missing_marker(cell);
        self.missing.push(missing);
        if self.collect_hashes {
            self.hashes.push(text_hash(cell));
        }
        if !self.level_of.is_empty() {
            let code = if missing { None } else { self.level_of.get(&text_hash(cell)) };
            self.codes.push(code.copied().unwrap_or(NO_LEVEL));
        }
        match self.plan {
            Plan::Empty => {}
            Plan::Number(decimal) => {
                if missing {
                    self.values.push(f64::NAN);
                    return;
                }
                match parse_number(cell, decimal) {
                    Some((v, f)) => {
                        self.parsed += 1;
                        self.format.currency |= f.currency;
                        self.format.percent |= f.percent;
                        self.format.parentheses |= f.parentheses;
                        self.format.grouped |= f.grouped;
                        self.values.push(v);
                    }
                    None => self.not_a_number(row, cell),
                }
            }
            Plan::BooleanWords => {
                self.values.push(if missing { f64::NAN } else { boolean_value(cell).unwrap_or(f64::NAN) });
            }
            Plan::Date(format) => {
                let day = if missing { None } else { parse_date(cell, format) };
                self.parsed += usize::from(day.is_some());
                self.values.push(day.map_or(f64::NAN, |d| d as f64));
                if self.small.is_some() {
                    let share = if missing { f64::NAN } else { self.share(cell) };
                    self.category.push(share);
                }
            }
            Plan::TextOrCategory => {
                if self.small.is_some() {
                    let share = if missing { f64::NAN } else { self.share(cell) };
                    self.category.push(share);
                }
            }
        }
    }

    fn not_a_number(&mut self, row: usize, cell: &str) {
        self.bad += 1;
        self.bad_texts.insert(text_hash(cell));
        self.first_bad.get_or_insert_with(|| (row + 2, cell.to_string()));
        self.values.push(f64::NAN);
    }

    /// The typed column.
    pub fn finish(self, name: String) -> Column {
        let filled = self.scan_filled;
        let enough = |n: usize| n as f64 >= TYPED_SHARE * filled as f64;
        let small_distinct = self.small.as_ref().map(HashMap::len);
        let values = self.values.finish();
        let mut column = Column {
            name,
            kind: ColumnKind::Empty,
            missing: self.missing,
            values: Values::default(),
            not_a_number: 0,
            first_not_a_number: None,
            distinct: 0,
            number_format: None,
            date_format: None,
            cell_hash: None,
            levels: None,
        };
        match self.plan {
            Plan::Empty => {}
            Plan::Number(_) => {
                let distinct =
                    small_distinct.unwrap_or_else(|| distinct_values(&values) + self.bad_texts.len());
                let zero_one = values.iter().all(|v| v.is_nan() || v == 0.0 || v == 1.0);
                column.kind =
                    if zero_one && distinct == 2 { ColumnKind::Boolean } else { ColumnKind::Numeric };
                column.values = values;
                column.not_a_number = self.bad;
                column.first_not_a_number = self.first_bad;
                column.number_format = Some(self.format);
                column.distinct = distinct;
            }
            Plan::BooleanWords => {
                column.kind = ColumnKind::Boolean;
                column.values = values;
                column.distinct = 2;
            }
            Plan::Date(format) if enough(self.parsed) => {
                column.kind = ColumnKind::Date;
                column.distinct =
                    small_distinct.unwrap_or_else(|| distinct_hashes(&self.hashes, &column.missing));
                column.values = values;
                column.date_format = Some(format);
            }
            Plan::Date(_) | Plan::TextOrCategory => {
                let distinct =
                    small_distinct.unwrap_or_else(|| distinct_hashes(&self.hashes, &column.missing));
                column.distinct = distinct;
                if distinct <= MAX_CATEGORIES && distinct * 5 <= filled {
                    column.kind = ColumnKind::Categorical;
                    column.values = self.category.finish();
                    if self.codes.len() == column.missing.len() && !self.level_names.is_empty() {
                        column.levels = Some(Levels { names: self.level_names, codes: self.codes });
                    }
                } else {
                    column.kind = ColumnKind::Text;
                    // Ids and keys written as codes or names: each cell's hash, for the duplicate-id
                    // rule and for telling a purchase log's customer key from its order key.
                    if !self.hashes.is_empty() {
                        column.cell_hash = Some(self.hashes);
                    }
                }
            }
        }
        column
    }
}

/// Distinct finite values (a sorted copy, one column at a time).
fn distinct_values(values: &Values) -> usize {
    // A coded column's table holds each of its values once (by bits): the same count from it alone.
    let mut finite: Vec<f64> = match values {
        Values::Coded { table, .. } => table.iter().copied().filter(|v| v.is_finite()).collect(),
        _ => values.iter().filter(|v| v.is_finite()).collect(),
    };
    finite.sort_unstable_by(f64::total_cmp);
    finite.dedup_by(|a, b| a == b);
    finite.len()
}

/// Distinct texts of the filled cells, from their hashes (a sorted copy: a third of a hash set's memory).
fn distinct_hashes(hashes: &[u64], missing: &Flags) -> usize {
    let mut filled: Vec<u64> =
        hashes.iter().zip(missing.iter()).filter(|(_, m)| !*m).map(|(h, _)| *h).collect();
    filled.sort_unstable();
    filled.dedup();
    filled.len()
}

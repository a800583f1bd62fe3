//! Ingest: CSV bytes to a [`Table`] of typed columns.
//!
//! Every column keeps, per row, whether the cell was missing. A column whose filled cells are (nearly) all
//! numbers becomes numeric; the cells of a numeric column that are not numbers are kept as NaN and
//! counted, so cleaning can drop those rows and say so instead of losing them silently.

mod sniff;

use crate::error::{CoreError, Result};
use serde::{Deserialize, Serialize};

pub use sniff::{decode_text, detect_delimiter};

/// Share of filled cells that must parse as numbers for a column to count as numeric.
const NUMERIC_SHARE: f64 = 0.95;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    Numeric,
    Text,
    Empty,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
    /// `missing[row]`: the cell was empty or a missing-value marker (NA, NaN, null, ...).
    pub missing: Vec<bool>,
    /// For numeric columns, the value of each row; NaN where missing or not a number.
    pub values: Vec<f64>,
    /// Filled cells of a numeric column that did not parse as a number.
    pub not_a_number: usize,
    /// The first such cell: (row number in the file, counting the header as row 1; its text).
    pub first_not_a_number: Option<(usize, String)>,
    /// Distinct filled values, counted up to a cap (enough to tell an id column from a category).
    pub distinct: usize,
}

impl Column {
    pub fn is_numeric(&self) -> bool {
        self.kind == ColumnKind::Numeric
    }
}

#[derive(Debug, Clone)]
pub struct Table {
    pub columns: Vec<Column>,
    pub n_rows: usize,
    pub delimiter: u8,
    /// Rows whose field count differed from the header's (padded or cut to fit, and counted).
    pub ragged_rows: usize,
    /// `#` comment lines before the header and repeated header rows, skipped.
    pub comment_lines: usize,
    pub repeated_headers: usize,
    /// `line_of_row[r]`: the line of the file where row `r` starts (header = line 1 without comments).
    pub line_of_row: Vec<u32>,
}

/// A summary of a column for the page: its name, kind and what the ingest saw.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnInfo {
    pub name: String,
    pub kind: ColumnKind,
    pub missing: usize,
    pub not_a_number: usize,
    pub distinct: usize,
    pub looks_like_id: bool,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn names(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name.clone()).collect()
    }

    pub fn numeric_names(&self) -> Vec<String> {
        self.columns.iter().filter(|c| c.is_numeric()).map(|c| c.name.clone()).collect()
    }

    pub fn info(&self) -> Vec<ColumnInfo> {
        self.columns
            .iter()
            .map(|c| ColumnInfo {
                name: c.name.clone(),
                kind: c.kind,
                missing: c.missing.iter().filter(|m| **m).count(),
                not_a_number: c.not_a_number,
                distinct: c.distinct,
                looks_like_id: looks_like_id(c, self.n_rows),
            })
            .collect()
    }

    /// The numeric columns that are not identifiers: the default features for a new file.
    pub fn default_features(&self) -> Vec<String> {
        self.columns
            .iter()
            .filter(|c| c.is_numeric() && !looks_like_id(c, self.n_rows))
            .map(|c| c.name.clone())
            .collect()
    }
}

/// An id column: named like one, or numeric with a distinct value in every row of a large enough file.
pub fn looks_like_id(column: &Column, n_rows: usize) -> bool {
    let name = column.name.trim().to_ascii_lowercase();
    let named_id = name == "id"
        || name.ends_with("_id")
        || name.ends_with(" id")
        || name.starts_with("id_")
        || name.ends_with("id") && name.len() > 2 && name[..name.len() - 2].ends_with(['_', ' ', '-'])
        || matches!(name.as_str(), "customerid" | "clientid" | "userid" | "uuid" | "key" | "index");
    let unique_integers = column.is_numeric()
        && n_rows >= 20
        && column.distinct >= n_rows
        && column.values.iter().all(|v| v.is_nan() || v.fract() == 0.0);
    named_id || unique_integers
}

/// One cell as the reader sees it. Every reader (the table, the streaming `apply`) goes through here, so a
/// cell means the same to all of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    Missing,
    Number(f64),
    Text,
}

/// Parses a trimmed cell: a missing marker, a finite number, or text.
pub fn parse_cell(cell: &str) -> Cell {
    if is_missing_marker(cell) {
        return Cell::Missing;
    }
    match cell.parse::<f64>() {
        Ok(v) if v.is_finite() => Cell::Number(v),
        _ => Cell::Text,
    }
}

fn is_missing_marker(cell: &str) -> bool {
    matches!(
        cell,
        "" | "NA"
            | "N/A"
            | "na"
            | "n/a"
            | "NaN"
            | "nan"
            | "NAN"
            | "null"
            | "NULL"
            | "None"
            | "none"
            | "-"
            | "?"
    )
}

/// What walking a file found besides its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WalkInfo {
    pub delimiter: u8,
    /// `#` comment lines before the header, skipped.
    pub comment_lines: usize,
    /// Rows equal to the header (a header repeated mid-file, as concatenated exports have), skipped.
    pub repeated_headers: usize,
}

/// Walks a CSV file: decodes it, skips `#` comment lines before the header, detects the delimiter,
/// passes the header record to `on_header` and each data row (blank lines and repeated headers skipped)
/// with its line number in the file and the share of bytes read to `on_row`. Every reader of the file
/// goes through here, so row `i` means the same row to the table, the cleaning report and the export.
pub fn walk_csv(
    bytes: &[u8],
    on_header: &mut dyn FnMut(&csv::StringRecord),
    on_row: &mut dyn FnMut(&csv::StringRecord, u64, f64),
) -> Result<WalkInfo> {
    let text = decode_text(bytes)?;
    if text.trim().is_empty() {
        return Err(CoreError::EmptyFile);
    }
    let mut body: &str = &text;
    let mut comment_lines = 0usize;
    while body.trim_start_matches([' ', '\t']).starts_with('#') {
        body = body.split_once('\n').map_or("", |(_, rest)| rest);
        comment_lines += 1;
    }
    if body.trim().is_empty() {
        return Err(CoreError::EmptyFile);
    }
    let delimiter = detect_delimiter(body);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(body.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(h)) => h,
        Some(Err(e)) => return Err(malformed(&e)),
        None => return Err(CoreError::EmptyFile),
    };
    on_header(&header);
    let same_as_header = |r: &csv::StringRecord| {
        r.len() == header.len() && r.iter().zip(header.iter()).all(|(a, b)| a.trim() == b.trim())
    };
    let total = body.len().max(1) as f64;
    let mut repeated_headers = 0usize;
    for record in records {
        let record = record.map_err(|e| malformed(&e))?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue; // blank line
        }
        if same_as_header(&record) {
            repeated_headers += 1;
            continue;
        }
        let (line, byte) = record.position().map_or((0, 0), |p| (p.line(), p.byte()));
        on_row(&record, line + comment_lines as u64, byte as f64 / total);
    }
    Ok(WalkInfo { delimiter, comment_lines, repeated_headers })
}

/// Reads CSV bytes into a table. `on_progress` receives the share of bytes read so far (0..1).
pub fn read_csv(bytes: &[u8], on_progress: &mut dyn FnMut(f64)) -> Result<Table> {
    let mut names = Vec::new();
    let n_cols = std::cell::Cell::new(0);
    let mut cells: Vec<Vec<String>> = Vec::new();
    let mut ragged_rows = 0usize;
    let mut n_rows = 0usize;
    let mut line_of_row = Vec::new();
    let info = walk_csv(
        bytes,
        &mut |header| {
            names = header_names(header.iter());
            n_cols.set(names.len());
        },
        &mut |record, line, read| {
            line_of_row.push(u32::try_from(line).unwrap_or(u32::MAX));
            if cells.is_empty() {
                cells = vec![Vec::new(); n_cols.get()];
            }
            if record.len() != cells.len() {
                ragged_rows += 1;
            }
            for (c, column) in cells.iter_mut().enumerate() {
                column.push(record.get(c).unwrap_or("").trim().to_string());
            }
            n_rows += 1;
            if n_rows.is_multiple_of(65_536) {
                on_progress(read);
            }
        },
    )?;
    if n_rows == 0 {
        return Err(CoreError::HeaderOnly);
    }
    on_progress(1.0);
    let columns =
        names.into_iter().zip(cells).map(|(name, column_cells)| type_column(name, &column_cells)).collect();
    Ok(Table {
        columns,
        n_rows,
        delimiter: info.delimiter,
        ragged_rows,
        comment_lines: info.comment_lines,
        repeated_headers: info.repeated_headers,
        line_of_row,
    })
}

fn malformed(e: &csv::Error) -> CoreError {
    let line = e.position().map_or(0, |p| p.line());
    CoreError::Malformed { line, reason: e.to_string() }
}

/// Header cells, trimmed; an empty cell becomes `column_N` and a repeated name gets a `_2`, `_3` suffix.
pub fn header_names<'a>(header: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (i, raw) in header.into_iter().enumerate() {
        let base = raw.trim().trim_start_matches('\u{feff}').to_string();
        let base = if base.is_empty() { format!("column_{}", i + 1) } else { base };
        let mut name = base.clone();
        let mut k = 2;
        while names.contains(&name) {
            name = format!("{base}_{k}");
            k += 1;
        }
        names.push(name);
    }
    names
}

fn type_column(name: String, cells: &[String]) -> Column {
    let mut missing: Vec<bool> = Vec::with_capacity(cells.len());
    let mut values = Vec::with_capacity(cells.len());
    let mut parsed = 0usize;
    let mut filled = 0usize;
    let mut first_bad = None;
    let mut bad = 0usize;
    for (row, cell) in cells.iter().enumerate() {
        let parsed_cell = parse_cell(cell);
        missing.push(parsed_cell == Cell::Missing);
        match parsed_cell {
            Cell::Missing => values.push(f64::NAN),
            Cell::Number(v) => {
                filled += 1;
                parsed += 1;
                values.push(v);
            }
            Cell::Text => {
                filled += 1;
                bad += 1;
                if first_bad.is_none() {
                    first_bad = Some((row + 2, cell.clone()));
                }
                values.push(f64::NAN);
            }
        }
    }
    let distinct = count_distinct(cells, &missing);
    let kind = if filled == 0 {
        ColumnKind::Empty
    } else if parsed as f64 >= NUMERIC_SHARE * filled as f64 {
        ColumnKind::Numeric
    } else {
        ColumnKind::Text
    };
    if kind != ColumnKind::Numeric {
        values.clear();
        bad = 0;
        first_bad = None;
    }
    Column { name, kind, missing, values, not_a_number: bad, first_not_a_number: first_bad, distinct }
}

fn count_distinct(cells: &[String], missing: &[bool]) -> usize {
    let mut seen = std::collections::HashSet::new();
    for (cell, m) in cells.iter().zip(missing) {
        if !m {
            seen.insert(cell.as_str());
        }
    }
    seen.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Table> {
        read_csv(text.as_bytes(), &mut |_| {})
    }

    #[test]
    fn types_columns_and_counts_bad_cells() {
        let t = read("id,a,b,name\n1,1.5,x,ann\n2,2,3,bob\n3,,4,cy\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.n_rows, 3);
        let a = t.column("a").unwrap_or_else(|| panic!("a"));
        assert!(a.is_numeric());
        assert_eq!(a.missing, vec![false, false, true]);
        // b: 2 of 3 filled cells parse, below the numeric share: text.
        assert_eq!(t.column("b").map(|c| c.kind), Some(ColumnKind::Text));
        assert_eq!(t.column("name").map(|c| c.kind), Some(ColumnKind::Text));
    }

    #[test]
    fn semicolons_duplicates_and_empty_headers() {
        let t = read("x;x;;y\n1;2;3;4\n5;6;7;8\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.names(), vec!["x", "x_2", "column_3", "y"]);
    }

    #[test]
    fn errors_are_typed() {
        assert_eq!(read("").err(), Some(CoreError::EmptyFile));
        assert_eq!(read("   \n").err(), Some(CoreError::EmptyFile));
        assert_eq!(read("a,b\n").err(), Some(CoreError::HeaderOnly));
        let png = [0x89u8, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0];
        assert!(matches!(read_csv(&png, &mut |_| {}), Err(CoreError::NotText { .. })));
    }

    #[test]
    fn comments_before_the_header_and_repeated_headers_are_skipped_and_counted() {
        let t = read("# exported 2026-11-01\n# shop: demo\na,b\n1,2\n\na,b\n3,4\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.names(), vec!["a", "b"]);
        assert_eq!(t.n_rows, 2);
        assert_eq!((t.comment_lines, t.repeated_headers), (2, 1));
        assert_eq!(t.line_of_row, vec![4, 7]);
        assert_eq!(t.column("a").map(|c| c.values.clone()), Some(vec![1.0, 3.0]));
    }

    #[test]
    fn ragged_rows_are_counted_not_fatal() {
        let t = read("a,b\n1,2\n3\n4,5,6\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.n_rows, 3);
        assert_eq!(t.ragged_rows, 2);
    }
}

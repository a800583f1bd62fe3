//! Ingest: CSV bytes to a [`Table`] of typed columns.
//!
//! Every column keeps, per row, whether the cell was missing. A column whose filled cells are (nearly) all
//! numbers becomes numeric; the cells of a numeric column that are not numbers are kept as NaN and
//! counted, so cleaning can drop those rows and say so instead of losing them silently.

pub mod date;
pub mod number;
mod sniff;
pub mod spreadsheet;

use crate::error::{CoreError, Result};
use crate::limits;
use date::{infer_date, parse_date, DateFormat};
use number::{infer_decimal, parse_number, NumberFormat};
use serde::{Deserialize, Serialize};

pub use sniff::{decode, decode_text, detect_delimiter, sniff_encoding, Utf8Reader, SNIFF_BYTES};

/// Share of filled cells that must parse as numbers for a column to count as numeric.
const NUMERIC_SHARE: f64 = 0.95;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Numbers (in the column's inferred format); `values` holds them.
    Numeric,
    /// Two values (true/false, yes/no, 1/0...); `values` holds 1 and 0.
    Boolean,
    /// Dates; `values` holds day numbers (days since 1970-01-01).
    Date,
    /// Text with few distinct values (a category); `values` holds each cell's frequency in the file.
    Categorical,
    /// Other text: names, notes, codes.
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
    /// How a numeric column writes its numbers.
    pub number_format: Option<NumberFormat>,
    /// How a date column writes its dates.
    pub date_format: Option<DateFormat>,
    /// For columns with a distinct value in at least half the rows (id candidates): a hash of each cell, so
    /// duplicated ids can be found; None otherwise.
    pub cell_hash: Option<Vec<u64>>,
}

impl Column {
    pub fn is_numeric(&self) -> bool {
        self.kind == ColumnKind::Numeric
    }

    /// Numeric, boolean (0/1), date (as days before the column's latest date) or category (as how
    /// common its value is in the file, see `frequency_encoding`): a column that can be a segmentation
    /// feature.
    pub fn is_feature_kind(&self) -> bool {
        matches!(
            self.kind,
            ColumnKind::Numeric | ColumnKind::Boolean | ColumnKind::Date | ColumnKind::Categorical
        )
    }

    /// For a date column, its latest date (day number) in the file: the reference of the "days before
    /// the latest date" a date feature becomes. None for other columns or when no date is filled.
    pub fn latest_date(&self) -> Option<f64> {
        (self.kind == ColumnKind::Date)
            .then(|| self.values.iter().copied().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max))
            .filter(|v| v.is_finite())
    }

    /// The value a feature takes in row `r`: the cell's number, or for a date the days from it to the
    /// column's latest date (`latest`, from [`Self::latest_date`]), so recent dates are small numbers.
    pub fn feature_value(&self, r: usize, latest: Option<f64>) -> f64 {
        let v = self.values[r];
        latest.map_or(v, |l| l - v)
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
    /// What the file was read as: "UTF-8", "windows-1252", "UTF-16LE", or a spreadsheet's first sheet.
    pub source: String,
    /// A hash of each row's trimmed cells: equal rows have equal hashes (duplicate detection).
    pub row_hash: Vec<u64>,
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
    /// Plain words for the column's type, as the schema table shows it: "numeric (decimal comma,
    /// currency)", "categorical (4 values)", "date (dd/mm/yyyy)", "id", "constant"...
    #[serde(default)]
    pub type_label: String,
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
                type_label: type_label(c, self.n_rows),
            })
            .collect()
    }
}

/// The schema's words for a column's type.
pub fn type_label(c: &Column, n_rows: usize) -> String {
    if c.kind == ColumnKind::Empty {
        return "empty".into();
    }
    if looks_like_id(c, n_rows) {
        return "id".into();
    }
    if c.distinct == 1 {
        return "constant".into();
    }
    match c.kind {
        ColumnKind::Numeric => {
            let format = c.number_format.map(|f| f.describe()).unwrap_or_default();
            if format == "decimal point" {
                "numeric".into()
            } else {
                format!("numeric ({format})")
            }
        }
        ColumnKind::Boolean => "boolean".into(),
        ColumnKind::Date => format!("date ({})", c.date_format.map(|f| f.describe()).unwrap_or_default()),
        ColumnKind::Categorical => format!("categorical ({} values)", c.distinct),
        ColumnKind::Text => "text".into(),
        ColumnKind::Empty => "empty".into(),
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
    let unique_codes = column.kind == ColumnKind::Text && n_rows >= 20 && column.distinct >= n_rows;
    named_id || unique_integers || unique_codes
}

/// One cell as the reader sees it. Every reader (the table, the streaming `apply`) goes through here, so a
/// cell means the same to all of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    Missing,
    Number(f64),
    Text,
}

/// Parses a trimmed cell of a column whose decimal separator is `decimal`: a missing marker, a finite
/// number, or text.
pub fn parse_cell(cell: &str, decimal: char) -> Cell {
    if is_missing_marker(cell) {
        return Cell::Missing;
    }
    match parse_number(cell, decimal) {
        Some((v, _)) => Cell::Number(v),
        None => Cell::Text,
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

/// The file as text, and what it was read as: the text encoding, or the spreadsheet's first sheet.
pub fn source_text(bytes: &[u8]) -> Result<(std::borrow::Cow<'_, str>, String)> {
    if spreadsheet::is_spreadsheet(bytes) {
        let (text, sheet) = spreadsheet::to_csv(bytes)?;
        return Ok((std::borrow::Cow::Owned(text), format!("spreadsheet, first sheet \"{sheet}\"")));
    }
    decode(bytes)
}

/// What walking a file found besides its rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WalkInfo {
    pub delimiter: u8,
    /// `#` comment lines before the header, skipped.
    pub comment_lines: usize,
    /// Rows equal to the header (a header repeated mid-file, as concatenated exports have), skipped.
    pub repeated_headers: usize,
    /// What the file was read as: its text encoding, or the spreadsheet sheet.
    pub source: String,
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
    let (text, source) = source_text(bytes)?;
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
    check_header(&header)?;
    // A first line of numbers is data, not a header: the columns are named column_1, column_2, ...
    let headerless = is_headerless(header.iter());
    let first = headerless.then(|| header.clone());
    let header = if headerless { numbered_header(header.len()) } else { header };
    on_header(&header);
    let same_as_header = |r: &csv::StringRecord| {
        !headerless
            && r.len() == header.len()
            && r.iter().zip(header.iter()).all(|(a, b)| a.trim() == b.trim())
    };
    let total = body.len().max(1) as f64;
    let mut repeated_headers = 0usize;
    if let Some(first) = first {
        on_row(&first, 1 + comment_lines as u64, 0.0);
    }
    for record in records {
        let record = record.map_err(|e| malformed(&e))?;
        if let Some((column, cell)) =
            record.iter().enumerate().find(|(_, f)| f.len() > limits::MAX_CELL_BYTES)
        {
            let line = record.position().map_or(0, |p| p.line()) + comment_lines as u64;
            return Err(CoreError::TooLarge {
                what: format!("The cell at line {line}, column {}", column + 1),
                found: format!("{} KB", cell.len() / 1024),
                limit: format!("{} KB per cell", limits::MAX_CELL_BYTES / 1024),
                hint: "An unbalanced quote (\") can swallow the rest of the file into one cell: check that line."
                    .into(),
            });
        }
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
    let source = if headerless {
        format!("{source}, no header row (columns named column_1, column_2, ...)")
    } else {
        source
    };
    Ok(WalkInfo { delimiter, comment_lines, repeated_headers, source })
}

/// A first line whose every cell is a number is data: the file has no header row.
pub fn is_headerless<'a>(cells: impl Iterator<Item = &'a str>) -> bool {
    let mut any = false;
    for cell in cells {
        let cell = cell.trim();
        if cell.is_empty()
            || number::parse_number(cell, '.').is_none() && number::parse_number(cell, ',').is_none()
        {
            return false;
        }
        any = true;
    }
    any
}

/// The header of a file without one: column_1, column_2, ...
pub fn numbered_header(n: usize) -> csv::StringRecord {
    (1..=n).map(|i| format!("column_{i}")).collect()
}

/// Reads CSV bytes into a table. `on_progress` receives the share of bytes read so far (0..1).
pub fn read_csv(bytes: &[u8], on_progress: &mut dyn FnMut(f64)) -> Result<Table> {
    let mut names = Vec::new();
    let n_cols = std::cell::Cell::new(0);
    let mut cells: Vec<Vec<String>> = Vec::new();
    let mut ragged_rows = 0usize;
    let mut n_rows = 0usize;
    let mut line_of_row = Vec::new();
    let mut row_hash = Vec::new();
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
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            for (c, column) in cells.iter_mut().enumerate() {
                let cell = record.get(c).unwrap_or("").trim();
                std::hash::Hash::hash(cell, &mut hasher);
                column.push(cell.to_string());
            }
            row_hash.push(std::hash::Hasher::finish(&hasher));
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
        source: info.source,
        row_hash,
    })
}

/// The header within the limits: columns and bytes.
fn check_header(header: &csv::StringRecord) -> Result<()> {
    if header.len() > limits::MAX_COLUMNS {
        return Err(CoreError::TooLarge {
            what: "The file's columns".into(),
            found: header.len().to_string(),
            limit: format!("{} columns", limits::MAX_COLUMNS),
            hint: "Export the columns that describe customers (ids, amounts, counts, dates), or check the delimiter."
                .into(),
        });
    }
    let bytes: usize = header.iter().map(str::len).sum();
    if bytes > limits::MAX_HEADER_BYTES {
        return Err(CoreError::TooLarge {
            what: "The header row".into(),
            found: format!("{} KB", bytes / 1024),
            limit: format!("{} KB", limits::MAX_HEADER_BYTES / 1024),
            hint: "Check that the first line is the header (column names), not data.".into(),
        });
    }
    Ok(())
}

fn malformed(e: &csv::Error) -> CoreError {
    let line = e.position().map_or(0, |p| p.line());
    CoreError::Malformed { line, reason: e.to_string() }
}

/// Header cells, trimmed; an empty cell becomes `column_N` and a repeated name gets a `_2`, `_3` suffix.
pub fn header_names<'a>(header: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
    // The next suffix to try for each repeated name: 10,000 copies of one name stay linear.
    let mut next: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, raw) in header.into_iter().enumerate() {
        let base = raw.trim().trim_start_matches('\u{feff}').to_string();
        let base = if base.is_empty() { format!("column_{}", i + 1) } else { base };
        let mut name = base.clone();
        if taken.contains(&name) {
            let k = next.entry(base.clone()).or_insert(2);
            loop {
                name = format!("{base}_{k}");
                *k += 1;
                if !taken.contains(&name) {
                    break;
                }
            }
        }
        taken.insert(name.clone());
        names.push(name);
    }
    names
}

/// Words read as booleans (lower case), true first.
const BOOLEAN_WORDS: [(&str, &str); 8] = [
    ("true", "false"),
    ("yes", "no"),
    ("y", "n"),
    ("t", "f"),
    ("si", "no"),
    ("sí", "no"),
    ("ja", "nein"),
    ("oui", "non"),
];

/// A boolean word's value (1 for true, 0 for false), else None.
pub fn boolean_value(cell: &str) -> Option<f64> {
    if cell.len() > 5 {
        return None; // longer than any boolean word: no allocation for ordinary text
    }
    let lower = cell.to_lowercase();
    BOOLEAN_WORDS.iter().find_map(|(t, f)| {
        if lower == *t {
            Some(1.0)
        } else if lower == *f {
            Some(0.0)
        } else {
            None
        }
    })
}

/// A text column with at most this many distinct values (and at most a fifth of its filled cells) is a
/// category.
const MAX_CATEGORIES: usize = 50;

/// Types a column from its trimmed cells: numbers (in the format the cells settle), booleans, dates,
/// categories or text. Cells of a numeric column that are not numbers stay NaN and are counted.
fn type_column(name: String, cells: &[String]) -> Column {
    let missing: Vec<bool> = cells.iter().map(|c| is_missing_marker(c)).collect();
    let filled: Vec<&str> =
        cells.iter().zip(&missing).filter(|(_, m)| !**m).map(|(c, _)| c.as_str()).collect();
    let distinct = count_distinct(cells, &missing);
    let mut column = Column {
        name,
        kind: ColumnKind::Empty,
        missing,
        values: Vec::new(),
        not_a_number: 0,
        first_not_a_number: None,
        distinct,
        number_format: None,
        date_format: None,
        cell_hash: (distinct * 2 >= filled.len() && !filled.is_empty())
            .then(|| cells.iter().map(|c| text_hash(c)).collect()),
    };
    if filled.is_empty() {
        return column;
    }
    let enough = |parsed: usize| parsed as f64 >= NUMERIC_SHARE * filled.len() as f64;

    // Numbers, with the column's decimal separator.
    let decimal = infer_decimal(filled.iter().copied());
    let mut format = NumberFormat { decimal, ..NumberFormat::POINT };
    let mut values = Vec::with_capacity(cells.len());
    let (mut parsed, mut bad, mut first_bad) = (0usize, 0usize, None);
    for (row, (cell, &is_missing)) in cells.iter().zip(&column.missing).enumerate() {
        if is_missing {
            values.push(f64::NAN);
            continue;
        }
        match parse_number(cell, decimal) {
            Some((v, f)) => {
                parsed += 1;
                format.currency |= f.currency;
                format.percent |= f.percent;
                format.parentheses |= f.parentheses;
                format.grouped |= f.grouped;
                values.push(v);
            }
            None => {
                bad += 1;
                first_bad.get_or_insert_with(|| (row + 2, cell.clone()));
                values.push(f64::NAN);
            }
        }
    }
    if enough(parsed) {
        let zero_one = values.iter().all(|v| v.is_nan() || *v == 0.0 || *v == 1.0);
        column.kind = if zero_one && distinct == 2 { ColumnKind::Boolean } else { ColumnKind::Numeric };
        column.values = values;
        column.not_a_number = bad;
        column.first_not_a_number = first_bad;
        column.number_format = Some(format);
        return column;
    }
    // Booleans written as words.
    if distinct == 2 && filled.iter().all(|c| boolean_value(c).is_some()) {
        column.kind = ColumnKind::Boolean;
        column.values = cells.iter().map(|c| boolean_value(c).unwrap_or(f64::NAN)).collect();
        return column;
    }
    // Dates.
    if let Some(date_format) = infer_date(filled.iter().copied()) {
        let values: Vec<f64> = cells
            .iter()
            .zip(&column.missing)
            .map(|(c, &m)| if m { None } else { parse_date(c, date_format) }.map_or(f64::NAN, |d| d as f64))
            .collect();
        let dated = values.iter().filter(|v| !v.is_nan()).count();
        if enough(dated) {
            column.kind = ColumnKind::Date;
            column.values = values;
            column.date_format = Some(date_format);
            return column;
        }
    }
    column.kind = if distinct <= MAX_CATEGORIES && distinct * 5 <= filled.len() {
        ColumnKind::Categorical
    } else {
        ColumnKind::Text
    };
    if column.kind == ColumnKind::Categorical {
        column.values = frequency_encoding(cells, &column.missing);
    }
    column
}

/// Frequency encoding of a category column: each filled cell becomes the share of the filled cells that
/// hold the same value (NaN where missing), so a category can be a feature. It says how common a
/// customer's value is, not which value it is: two values as common look the same.
fn frequency_encoding(cells: &[String], missing: &[bool]) -> Vec<f64> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (cell, &m) in cells.iter().zip(missing) {
        if !m {
            *counts.entry(cell.as_str()).or_insert(0) += 1;
        }
    }
    let filled = counts.values().sum::<usize>().max(1) as f64;
    cells
        .iter()
        .zip(missing)
        .map(
            |(cell, &m)| {
                if m {
                    f64::NAN
                } else {
                    counts.get(cell.as_str()).map_or(f64::NAN, |&n| n as f64 / filled)
                }
            },
        )
        .collect()
}

/// The hash of a cell's trimmed text (duplicate ids).
/// SipHash (the standard library's): a 64-bit digest where an accidental equal hash would drop a good
/// row as a duplicate. (An FxHash-style hasher was tried for speed: on wasm32 its digests collided in
/// hash sets and made reading a million rows 6x slower.)
pub fn text_hash(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(text, &mut h);
    std::hash::Hasher::finish(&h)
}

fn count_distinct(cells: &[String], missing: &[bool]) -> usize {
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
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
    fn a_category_is_encoded_by_how_common_its_value_is() {
        let mut text = String::from("plan,x\n");
        for (i, plan) in [
            "gold", "basic", "basic", "basic", "", "gold", "basic", "basic", "basic", "basic", "basic",
            "basic", "basic",
        ]
        .iter()
        .enumerate()
        {
            text.push_str(&format!("{plan},{i}\n"));
        }
        let t = read(&text).unwrap_or_else(|e| panic!("{e}"));
        let plan = t.column("plan").unwrap_or_else(|| panic!("plan"));
        assert_eq!(plan.kind, ColumnKind::Categorical);
        assert!(plan.is_feature_kind());
        // 12 filled cells: gold 2/12, basic 10/12, the empty cell missing.
        assert_eq!(plan.values[0], 2.0 / 12.0);
        assert_eq!(plan.values[1], 10.0 / 12.0);
        assert!(plan.values[4].is_nan() && plan.missing[4]);
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

//! Ingest: CSV bytes to a [`Table`] of typed columns.
//!
//! Every column keeps, per row, whether the cell was missing. A column whose filled cells are (nearly) all
//! numbers becomes numeric; the cells of a numeric column that are not numbers are kept as NaN and
//! counted, so cleaning can drop those rows and say so instead of losing them silently.

pub mod date;
pub mod number;
#[cfg(feature = "parquet")]
pub mod parquet;
#[cfg(feature = "parquet")]
mod parquet_footer;
mod read;
mod rows;
mod sniff;
pub mod source;
pub mod spreadsheet;
pub mod values;

use crate::error::{CoreError, Result};
use crate::limits;
use date::DateFormat;
use number::{parse_number, NumberFormat};
use serde::{Deserialize, Serialize};
use source::{ChunkError, ChunkReader, FileSource};
use values::{Flags, Values};

pub use rows::{into_text, RowIndex};
pub use sniff::{decode, decode_text, detect_delimiter, sniff_encoding, Utf8Reader, ALIGNED, SNIFF_BYTES};

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
    /// `missing.get(row)`: the cell was empty or a missing-value marker (NA, NaN, null, ...).
    pub missing: Flags,
    /// For typed columns, the value of each row (NaN where missing or not a number), each held in the
    /// fewest bytes that give it back exactly ([`Values`]); none for text.
    pub values: Values,
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
    /// For text columns of more than 64 distinct values (ids, keys, names): a hash of each
    /// cell, so duplicated ids can be found and rows grouped by key; None otherwise.
    pub cell_hash: Option<Vec<u64>>,
    /// For a category: its values' names and each row's.
    pub levels: Option<Levels>,
}

/// A category's values by name: `names[codes[row]]` is the row's (a code of [`read::NO_LEVEL`]: missing).
#[derive(Debug, Clone, Default)]
pub struct Levels {
    /// The most common first.
    pub names: Vec<String>,
    pub codes: Vec<u8>,
}

impl Levels {
    /// The level of `row`, if any.
    pub fn at(&self, row: usize) -> Option<usize> {
        self.code(row).map(usize::from)
    }

    /// The level of `row` as stored (one byte), if any.
    pub fn code(&self, row: usize) -> Option<u8> {
        self.codes.get(row).copied().filter(|&c| c != read::NO_LEVEL)
    }
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

    /// One key per row that is equal exactly when the cells are (the duplicate-id rule): a text
    /// column's cell hashes, or a typed column's values (missing cells share one key, as empty cells
    /// do). None for a text column whose hashes were not kept (too few distinct values to be an id).
    pub fn id_keys(&self) -> Option<std::borrow::Cow<'_, [u64]>> {
        if let Some(hashes) = &self.cell_hash {
            return Some(std::borrow::Cow::Borrowed(hashes));
        }
        (!self.values.is_empty()).then(|| {
            std::borrow::Cow::Owned(
                self.values.iter().map(|v| if v.is_nan() { u64::MAX } else { (v + 0.0).to_bits() }).collect(),
            )
        })
    }

    /// For a date column, its latest date (day number) in the file: the reference of the "days before
    /// the latest date" a date feature becomes. None for other columns or when no date is filled.
    pub fn latest_date(&self) -> Option<f64> {
        (self.kind == ColumnKind::Date)
            .then(|| self.values.iter().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max))
            .filter(|v| v.is_finite())
    }

    /// The value a feature takes in row `r`: the cell's number, or for a date the days from it to the
    /// column's latest date (`latest`, from [`Self::latest_date`]), so recent dates are small numbers.
    pub fn feature_value(&self, r: usize, latest: Option<f64>) -> f64 {
        let v = self.values.at(r);
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
    /// Rows whose every cell is empty (",,,", or a Parquet row of nulls turned to text), skipped.
    pub empty_rows: usize,
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

    /// The first column that looks like an id and holds a distinct value in every row.
    pub fn id_column(&self) -> Option<String> {
        self.columns
            .iter()
            .find(|c| looks_like_id(c, self.n_rows) && c.distinct == self.n_rows && c.missing.count() == 0)
            .map(|c| c.name.clone())
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
                missing: c.missing.count(),
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

pub(crate) fn is_missing_marker(cell: &str) -> bool {
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

/// A Parquet file starts (and ends) with `PAR1`.
pub fn is_parquet(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PAR1")
}

/// The file as text, and what it was read as: the text encoding, or the spreadsheet's first sheet.
/// A Parquet file is turned into text before it gets here, where its reader is (`parquet::to_csv`, the
/// `parquet` feature: in the command line and the page's Parquet worker), so the analysis worker does
/// not carry the Parquet decoder in its download.
pub fn source_text(bytes: &[u8]) -> Result<(std::borrow::Cow<'_, str>, String)> {
    if is_parquet(bytes) {
        return Err(CoreError::Parquet {
            reason: "it reached the text reader as it is".into(),
            hint: "Open it in the page or with the command line (`segment`), which read Parquet first."
                .into(),
        });
    }
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
    /// Rows whose every cell is empty, skipped.
    pub empty_rows: usize,
    /// What the file was read as: its text encoding, or the spreadsheet sheet.
    pub source: String,
    /// The first line was data (all numbers): the columns are named column_1, column_2, ...
    pub headerless: bool,
}

/// A record as the file means it: in a whitespace-aligned file (delimiter [`ALIGNED`]) the runs of
/// spaces between fields read as empty fields, dropped here; any other record as it is.
pub fn aligned_record(record: csv::StringRecord, delimiter: u8) -> csv::StringRecord {
    if delimiter != ALIGNED {
        return record;
    }
    let mut out: csv::StringRecord = record.iter().filter(|f| !f.is_empty()).collect();
    out.set_position(record.position().cloned());
    out
}

/// [`aligned_record`] for a record of bytes.
pub fn aligned_bytes(record: &mut csv::ByteRecord, delimiter: u8) {
    if delimiter == ALIGNED && record.iter().any(<[u8]>::is_empty) {
        let position = record.position().cloned();
        *record = record.iter().filter(|f| !f.is_empty()).collect();
        record.set_position(position);
    }
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
    walk_text(&text, source, on_header, on_row)
}

/// The text a walk reads: all in memory, or read from a source in chunks (UTF-8 as it is).
pub enum Text<'a> {
    Held(&'a str),
    Streamed(Streamed<'a>),
}

/// A UTF-8 file read from `source` in chunks: its text is bytes `offset..offset + len` (past a BOM).
pub struct Streamed<'a> {
    source: &'a dyn FileSource,
    offset: u64,
    len: u64,
    /// The text's first bytes (whole characters): enough for the comment lines, the header and the
    /// lines the delimiter is found from ([`head_is_enough`]).
    head: String,
    /// A walk met bytes that are not UTF-8: the file is to be decoded whole instead.
    not_utf8: std::cell::Cell<bool>,
}

impl<'a> Text<'a> {
    /// The UTF-8 text of `source`, bytes `offset..offset + len`, read again in chunks as a walk goes
    /// (an export walks it without holding it). Its first megabyte is read at once; when that does not
    /// hold what the walk reads first ([`head_is_enough`]: a megabyte of comment lines), the whole text
    /// is.
    pub fn streamed(source: &'a dyn FileSource, offset: u64, len: u64) -> Result<Self> {
        let unreadable = |reason: String| CoreError::FileChanged { name: source.name(), reason };
        if source.size() != offset + len {
            return Err(unreadable("its size changed".into()));
        }
        let mut head = source.read(offset, offset + len.min(SNIFF_BYTES as u64)).map_err(unreadable)?;
        if head.len() as u64 != len && !head_is_enough(&String::from_utf8_lossy(&head)) {
            head = source.read(offset, offset + len).map_err(unreadable)?;
        }
        let changed = || unreadable("it is no longer the same text".into());
        head.truncate(utf8_prefix(&head, head.len() as u64 == len).ok_or_else(changed)?);
        let head = String::from_utf8(head).map_err(|_| changed())?;
        Ok(Text::Streamed(Streamed { source, offset, len, head, not_utf8: std::cell::Cell::new(false) }))
    }

    fn head(&self) -> &str {
        match self {
            Text::Held(text) => text,
            Text::Streamed(s) => &s.head,
        }
    }

    fn len(&self) -> usize {
        match self {
            Text::Held(text) => text.len(),
            Text::Streamed(s) => usize::try_from(s.len).unwrap_or(usize::MAX),
        }
    }

    /// The text from byte `start` on.
    fn reader_from(&self, start: usize) -> Box<dyn std::io::Read + '_> {
        match self {
            Text::Held(text) => Box::new(text.as_bytes().get(start..).unwrap_or_default()),
            // A head that holds the whole text is read from memory.
            Text::Streamed(s) if s.head.len() as u64 == s.len => {
                Box::new(s.head.as_bytes().get(start..).unwrap_or_default())
            }
            Text::Streamed(s) => {
                Box::new(ChunkReader::new(s.source, s.offset + start as u64, s.offset + s.len))
            }
        }
    }

    /// A csv error of a walk over this text, as the person reads it.
    fn error(&self, e: &csv::Error) -> CoreError {
        if let (Text::Streamed(s), csv::ErrorKind::Io(io)) = (self, e.kind()) {
            match ChunkReader::failure(io) {
                Some(ChunkError::NotUtf8) => {
                    s.not_utf8.set(true);
                    return CoreError::FileChanged {
                        name: s.source.name(),
                        reason: "it is no longer the same text".into(),
                    };
                }
                Some(ChunkError::Unreadable(reason)) => {
                    return CoreError::FileChanged { name: s.source.name(), reason: reason.clone() }
                }
                None => {}
            }
        }
        malformed(e)
    }
}

/// `#` comment lines at the start of `text`: how many, and the text after them.
fn skip_comments(text: &str) -> (usize, &str) {
    let mut body: &str = text;
    let mut comment_lines = 0usize;
    while body.trim_start_matches([' ', '\t']).starts_with('#') {
        body = body.split_once('\n').map_or("", |(_, rest)| rest);
        comment_lines += 1;
    }
    (comment_lines, body)
}

/// Lines the delimiter is found from ([`detect_delimiter`] reads the first 20 that are not blank).
const DELIMITER_LINES: usize = 20;

/// Whether the first bytes of a longer text decide what the whole text would: after the comment
/// lines, more lines than the delimiter is found from (so those are whole).
fn head_is_enough(head: &str) -> bool {
    skip_comments(head).1.lines().filter(|l| !l.trim().is_empty()).nth(DELIMITER_LINES).is_some()
}

/// [`walk_csv`] over a [`Text`], held or streamed: each data row with its line and its byte offset.
pub fn walk(
    text: &Text<'_>,
    on_header: &mut dyn FnMut(&csv::StringRecord),
    on_row: &mut dyn FnMut(&csv::StringRecord, u64, usize),
) -> Result<WalkInfo> {
    walk_at(text, String::new(), on_header, on_row)
}

/// [`walk_csv`] over text already decoded (read twice by [`read_csv`] without decoding twice).
fn walk_text(
    text: &str,
    source: String,
    on_header: &mut dyn FnMut(&csv::StringRecord),
    on_row: &mut dyn FnMut(&csv::StringRecord, u64, f64),
) -> Result<WalkInfo> {
    let total = text.len().max(1) as f64;
    walk_at(&Text::Held(text), source, on_header, &mut |record, line, at| {
        on_row(record, line, at as f64 / total)
    })
}

/// [`walk_text`] over a [`Text`], passing each row's byte offset in the text (where the row starts)
/// instead of a share.
fn walk_at(
    text: &Text<'_>,
    source: String,
    on_header: &mut dyn FnMut(&csv::StringRecord),
    on_row: &mut dyn FnMut(&csv::StringRecord, u64, usize),
) -> Result<WalkInfo> {
    let head = text.head();
    if head.trim().is_empty() {
        return Err(CoreError::EmptyFile);
    }
    let (comment_lines, body) = skip_comments(head);
    if body.trim().is_empty() {
        return Err(CoreError::EmptyFile);
    }
    let delimiter = detect_delimiter(body);
    let body_start = head.len() - body.len();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(text.reader_from(body_start));
    // One record read into again and again (a record a row took an allocation and a free each).
    let mut read = csv::StringRecord::new();
    let header = match reader.read_record(&mut read) {
        Ok(true) => aligned_record(read.clone(), delimiter),
        Ok(false) => return Err(CoreError::EmptyFile),
        Err(e) => return Err(text.error(&e)),
    };
    check_header(&header)?;
    // A first line of numbers is data, not a header: the columns are named column_1, column_2, ...
    let headerless = is_headerless(header.iter());
    let first = headerless.then(|| header.clone());
    let header = if headerless { numbered_header(header.len()) } else { header };
    on_header(&header);
    let same_as_header = |r: &csv::StringRecord| !headerless && repeats_header(r, header.iter());
    let (mut repeated_headers, mut empty_rows) = (0usize, 0usize);
    if let Some(first) = first {
        on_row(&first, 1 + comment_lines as u64, body_start);
    }
    while reader.read_record(&mut read).map_err(|e| text.error(&e))? {
        let aligned;
        let record = if delimiter == ALIGNED {
            aligned = aligned_record(read.clone(), delimiter);
            &aligned
        } else {
            &read
        };
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
        if is_blank(record) {
            empty_rows += 1;
            continue;
        }
        if same_as_header(record) {
            repeated_headers += 1;
            continue;
        }
        let (line, byte) = record.position().map_or((0, 0), |p| (p.line(), p.byte()));
        on_row(record, line + comment_lines as u64, body_start + byte as usize);
    }
    let source = if headerless {
        format!("{source}, no header row (columns named column_1, column_2, ...)")
    } else {
        source
    };
    Ok(WalkInfo { delimiter, comment_lines, repeated_headers, empty_rows, source, headerless })
}

/// A blank line: every cell empty once trimmed. The walk passes over it (and so does every reader of a
/// row by its offset).
pub(crate) fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|f| f.trim().is_empty())
}

/// A row equal to the header cell for cell (trimmed): a header repeated mid-file, as concatenated
/// exports have. The walk passes over it in a file with a header row.
pub(crate) fn repeats_header<'a>(
    record: &csv::StringRecord,
    header: impl IntoIterator<Item = &'a str>,
) -> bool {
    let mut header = header.into_iter();
    record.iter().all(|a| header.next().is_some_and(|b| a.trim() == b.trim())) && header.next().is_none()
}

/// How many of `bytes` are whole UTF-8 characters: all of them, or, when more bytes follow (`whole` is
/// false), those before a character the end cut. None when they are not UTF-8.
fn utf8_prefix(bytes: &[u8], whole: bool) -> Option<usize> {
    match std::str::from_utf8(bytes) {
        Ok(_) => Some(bytes.len()),
        Err(e) if e.error_len().is_none() && !whole => Some(e.valid_up_to()),
        Err(_) => None,
    }
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
///
/// Two passes over the decoded text, and no string kept per cell: the first reads what each column's
/// cells look like (missing markers, number formats, dates, booleans, a few distinct values); the
/// second stores each cell as the column's type says (a number, a day, 1 / 0, a category's share, or
/// for a column of text only whether it is missing and, when it may be an id, a hash). The cells
/// themselves stay in the file's bytes, which every export and preview reads again.
pub fn read_csv(bytes: &[u8], on_progress: &mut dyn FnMut(f64)) -> Result<Table> {
    read_csv_indexed(bytes, on_progress).map(|(table, _)| table)
}

/// [`read_csv`], with where each row starts in the file's text (found by the first pass: no walk of
/// its own), so a preview page or the row behind a point reads only that row again.
pub fn read_csv_indexed(bytes: &[u8], on_progress: &mut dyn FnMut(f64)) -> Result<(Table, RowIndex)> {
    let (text, source) = source_text(bytes)?;
    read_text(&Text::Held(&text), source, on_progress)
}

/// [`read_csv_indexed`] for a file read from `source` in chunks, never held whole (a UTF-8 file, as
/// nearly every export is), with the byte offset of its text in the source (past a BOM). The same
/// table as reading the file's bytes gives. None when the file is not UTF-8 text as it is (another
/// encoding, a spreadsheet, a Parquet file, bytes that are not UTF-8, which are decoded whole) or its
/// first megabyte does not hold the header and the lines the delimiter is found from: read its bytes
/// with [`read_csv_indexed`] instead.
pub fn read_csv_source(
    source: &dyn FileSource,
    on_progress: &mut dyn FnMut(f64),
) -> Result<Option<(Table, RowIndex, u64)>> {
    let size = source.size();
    let unreadable = |reason: String| CoreError::FileChanged { name: source.name(), reason };
    let head = source.read(0, size.min(SNIFF_BYTES as u64)).map_err(unreadable)?;
    if is_parquet(&head) || spreadsheet::is_spreadsheet(&head) {
        return Ok(None);
    }
    let (encoding, bom) = sniff_encoding(&head)?;
    if encoding != encoding_rs::UTF_8 {
        return Ok(None);
    }
    let whole = head.len() as u64 == size;
    let Some(text) =
        utf8_prefix(&head[bom..], whole).and_then(|n| std::str::from_utf8(&head[bom..bom + n]).ok())
    else {
        return Ok(None);
    };
    if !whole && !head_is_enough(text) {
        return Ok(None);
    }
    let streamed = Text::Streamed(Streamed {
        source,
        offset: bom as u64,
        len: size - bom as u64,
        head: text.to_string(),
        not_utf8: std::cell::Cell::new(false),
    });
    match read_text(&streamed, "UTF-8".to_string(), on_progress) {
        Ok((table, rows)) => Ok(Some((table, rows, bom as u64))),
        Err(_) if matches!(&streamed, Text::Streamed(s) if s.not_utf8.get()) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The two passes of [`read_csv_indexed`] over `text`, read as `source` says.
fn read_text(text: &Text<'_>, source: String, on_progress: &mut dyn FnMut(f64)) -> Result<(Table, RowIndex)> {
    let total = text.len().max(1) as f64;
    let mut raw_header = Vec::new();
    let mut index = RowIndex::new();
    let mut names = Vec::new();
    let n_cols = std::cell::Cell::new(0);
    let mut scans: Vec<read::ColumnScan> = Vec::new();
    let mut ragged_rows = 0usize;
    let mut n_rows = 0usize;
    let mut line_of_row = Vec::new();
    let mut row_hash = Vec::new();
    let info = walk_at(
        text,
        source.clone(),
        &mut |header| {
            names = header_names(header.iter());
            raw_header = header.iter().map(str::to_string).collect();
            n_cols.set(names.len());
        },
        &mut |record, line, at| {
            let read = at as f64 / total;
            index.push(at);
            if scans.is_empty() {
                scans = (0..n_cols.get()).map(|_| read::ColumnScan::default()).collect();
            }
            line_of_row.push(u32::try_from(line).unwrap_or(u32::MAX));
            if record.len() != scans.len() {
                ragged_rows += 1;
            }
            let cell = |c: usize| trim(record.get(c).unwrap_or(""));
            for (c, scan) in scans.iter_mut().enumerate() {
                scan.see(cell(c));
            }
            row_hash.push(self::row_hash((0..scans.len()).map(cell)));
            n_rows += 1;
            if n_rows.is_multiple_of(65_536) {
                on_progress(0.5 * read);
            }
        },
    )?;
    if n_rows == 0 {
        return Err(CoreError::HeaderOnly);
    }
    let mut builders: Vec<read::ColumnBuilder> = scans.into_iter().map(|s| s.plan(n_rows)).collect();
    let mut row = 0usize;
    walk_at(text, source, &mut |_| {}, &mut |record, _, at| {
        for (c, builder) in builders.iter_mut().enumerate() {
            builder.push(row, trim(record.get(c).unwrap_or("")));
        }
        row += 1;
        if row.is_multiple_of(65_536) {
            on_progress(0.5 + 0.5 * (at as f64 / total));
        }
    })?;
    on_progress(1.0);
    // Each column typed on its own (its distinct values counted on a sorted copy): side by side.
    let columns =
        crate::par::map_owned(names.into_iter().zip(builders).collect(), |(name, b)| b.finish(name));
    let rows = index.finish(info.delimiter, raw_header, info.headerless);
    let table = Table {
        columns,
        n_rows,
        delimiter: info.delimiter,
        ragged_rows,
        comment_lines: info.comment_lines,
        repeated_headers: info.repeated_headers,
        empty_rows: info.empty_rows,
        line_of_row,
        source: info.source,
        row_hash,
    };
    Ok((table, rows))
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
    if let Some(carried) = crate::error::carried(e) {
        return carried;
    }
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
pub(crate) const BOOLEAN_WORDS: [(&str, &str); 8] = [
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

/// `s.trim()`, fast for the usual cell: ASCII spaces trimmed by bytes, and `str::trim` (which decodes
/// characters from both ends to test Unicode whitespace) only when an end is not plain ASCII or is a
/// vertical tab (whitespace to `trim`, not to `trim_ascii`).
pub fn trim(s: &str) -> &str {
    let t = s.trim_ascii();
    let plain = |b: Option<&u8>| b.is_none_or(|&b| b < 0x80 && b != 0x0B);
    if plain(t.as_bytes().first()) && plain(t.as_bytes().last()) {
        t
    } else {
        t.trim()
    }
}

/// The hash of a cell's trimmed text (distinct values, levels, duplicate ids): XXH3, a 64-bit digest
/// on every target, where an accidental equal hash would drop a good row as a duplicate. (An
/// FxHash-style hasher was tried for speed: on wasm32 its 32-bit digests collided in hash sets and made
/// reading a million rows 6x slower.)
pub fn text_hash(text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// The hash of a row: its trimmed cells in order, each hashed with the hash of those before as the
/// seed (so cells that split the same text differently, "a","bc" and "ab","c", hash apart). The reader
/// and the streaming apply hash a row with it alike.
pub fn row_hash<'a>(cells: impl IntoIterator<Item = &'a str>) -> u64 {
    cells.into_iter().fold(0, row_hash_step)
}

/// One step of [`row_hash`]: the hash of the cells so far, `h`, with the next cell.
pub fn row_hash_step(h: u64, cell: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(cell.as_bytes(), h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            " a ",
            "\t1,5\r",
            "\u{a0}x\u{a0}",
            "\u{b}7\u{b}",
            "é ",
            " 12 €",
            "\u{2003}",
            "a\u{3000}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn rows_that_split_the_same_text_differently_hash_apart() {
        assert_ne!(row_hash(["a", "bc"]), row_hash(["ab", "c"]));
        assert_ne!(row_hash(["", "x"]), row_hash(["x", ""]));
        assert_eq!(row_hash(["1", "2"]), row_hash(["1", "2"]));
    }

    fn read(text: &str) -> Result<Table> {
        read_csv(text.as_bytes(), &mut |_| {})
    }

    #[test]
    fn a_date_column_with_a_few_cells_that_are_no_date_stays_dates() {
        // 2 of 100 cells no date ("unknown", a typo): dates, those cells unreadable (NaN), as a numeric
        // column holds a few cells that are no number. Before, one such cell made the column text, and
        // a purchase log with it was segmented line by line.
        let mut text = String::from("customer,day,amount\n");
        for i in 0..100 {
            let day = match i {
                10 => "unknown".to_string(),
                50 => "12-Fbe-24".to_string(),
                _ => format!("{:02}-Mar-24", 1 + i % 28),
            };
            text.push_str(&format!("c{},{day},{}\n", i % 7, 10 + i));
        }
        let t = read(&text).unwrap_or_else(|e| panic!("{e}"));
        let day = t.column("day").unwrap_or_else(|| panic!("day"));
        assert_eq!(day.kind, ColumnKind::Date);
        assert!(day.values.at(10).is_nan() && day.values.at(50).is_nan() && !day.values.at(11).is_nan());
        // 10 of 100: not a date column.
        let mut text = String::from("customer,day\n");
        for i in 0..100 {
            let day = if i % 10 == 0 { "later".to_string() } else { format!("{:02}-Mar-24", 1 + i % 28) };
            text.push_str(&format!("c{},{day}\n", i % 7));
        }
        let t = read(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_ne!(t.column("day").map(|c| c.kind), Some(ColumnKind::Date));
    }

    #[test]
    fn types_columns_and_counts_bad_cells() {
        let t = read("id,a,b,name\n1,1.5,x,ann\n2,2,3,bob\n3,,4,cy\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.n_rows, 3);
        let a = t.column("a").unwrap_or_else(|| panic!("a"));
        assert!(a.is_numeric());
        assert_eq!(a.missing.iter().collect::<Vec<_>>(), vec![false, false, true]);
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
        assert_eq!(plan.values.at(0), 2.0 / 12.0);
        assert_eq!(plan.values.at(1), 10.0 / 12.0);
        assert!(plan.values.at(4).is_nan() && plan.missing.get(4));
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
    fn rows_of_empty_cells_are_skipped_and_counted_and_empty_lines_are_not_rows() {
        // A row of empty cells (",,", or a Parquet row of nulls as text) is counted; an empty line is
        // no row at all.
        let t = read("a,b,c\n1,2,3\n,,\n\n , ,\n4,5,6\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((t.n_rows, t.empty_rows), (2, 2));
        let report =
            crate::clean::clean(&t, &["a".to_string()], &crate::clean::CleaningRules::features_only())
                .map(|(_, r)| r.empty_rows);
        assert_eq!(report, Ok(2));
    }

    #[test]
    fn comments_before_the_header_and_repeated_headers_are_skipped_and_counted() {
        let t = read("# exported 2026-11-01\n# shop: demo\na,b\n1,2\n\na,b\n3,4\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.names(), vec!["a", "b"]);
        assert_eq!(t.n_rows, 2);
        assert_eq!((t.comment_lines, t.repeated_headers), (2, 1));
        assert_eq!(t.line_of_row, vec![4, 7]);
        assert_eq!(t.column("a").map(|c| c.values.to_vec()), Some(vec![1.0, 3.0]));
    }

    #[test]
    fn ragged_rows_are_counted_not_fatal() {
        let t = read("a,b\n1,2\n3\n4,5,6\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.n_rows, 3);
        assert_eq!(t.ragged_rows, 2);
    }
}

//! Applying a model to a file of any size, one row at a time: the command line's `apply`. Memory stays
//! flat (one row plus the model), and each row goes out as it came in, with `segment` and
//! `segment_name` added, exactly as the page's export writes it.
//!
//! Same steps as [`super::apply`]: the same cell parser, the cleaning rules in the same order, the
//! training scaler and the same [`super::Assigner`]. Two differences, stated: the rules "in any numeric
//! column" look at the columns that were numeric in the training file, and numbers are read with the
//! training file's decimal separator (a stream cannot look ahead to type a column).
//!
//! A date feature enters as days before a reference date: the file's latest date, found by
//! [`scan_dates`] in a first pass over the file (still one row at a time), or an as-of date the person
//! gives. A cell that is not a date in the column's format is missing (the page, typing the whole
//! column, would refuse the column instead).

use super::apply::{match_columns, ColumnDrift, ColumnMatch, DriftCounter};
use super::SegmentModel;
use crate::clean::{filled, is_missing, is_outlier, Impute, Rule, Scope};
use crate::error::{CoreError, Result};
use crate::export::{DROPPED, NOISE};
use crate::ingest::date::{parse_date, DateEvidence, DateFormat, DateOrder};
use crate::ingest::{
    detect_delimiter, header_names, parse_cell, sniff_encoding, Cell, Utf8Reader, SNIFF_BYTES,
};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};

/// What streaming a file did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamSummary {
    pub rows_in: usize,
    pub rows_used: usize,
    /// Each cleaning rule with the rows it removed.
    pub dropped: Vec<(String, usize)>,
    /// Rows per segment, in the model's segment ids.
    pub segment_sizes: Vec<usize>,
    pub noise: usize,
    pub columns: Vec<ColumnMatch>,
    pub drift: Vec<ColumnDrift>,
    pub ragged_rows: usize,
    pub comment_lines: usize,
    pub repeated_headers: usize,
    /// Rows whose every cell is empty, skipped (a file read by lines; in a Parquet file's text every
    /// row is kept).
    #[serde(default)]
    pub empty_rows: usize,
}

/// Counts bytes as they are read, for the progress bar.
struct Counting<R> {
    inner: R,
    read: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

fn io_error(e: impl std::fmt::Display) -> CoreError {
    CoreError::Malformed { line: 0, reason: e.to_string() }
}

/// A failure to write the output, told apart from a bad input (and a closed pipe from a full disk).
fn write_error(e: csv::Error) -> CoreError {
    let closed = matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe);
    CoreError::Output { reason: e.to_string(), closed }
}

/// Rows between two progress reports.
const PROGRESS_EVERY: usize = 16_384;

/// How a stream's text is cut into rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Framing {
    /// As the page reads a file: the delimiter sniffed, comment lines before the header, blank lines
    /// and repeated header rows skipped, a first line of numbers taken as data.
    #[default]
    Sniffed,
    /// Comma-separated text whose first line is the header and every other line one row, as the
    /// Parquet reader writes it: a row of empty cells, or one that repeats the column names, is a row.
    Exact,
}

/// A file opened for streaming as the page reads it: the encoding sniffed from the same first bytes
/// (binary files refused, a BOM skipped, any encoding read as UTF-8 text), `#` comment lines skipped,
/// the delimiter picked, the header read (a first line of numbers is data: the columns are numbered).
struct Opened<'a> {
    csv_in: csv::Reader<BufReader<Box<dyn Read + 'a>>>,
    header: csv::ByteRecord,
    /// The first row, when the first line was data.
    first_row: Option<csv::ByteRecord>,
    headerless: bool,
    delimiter: u8,
    comment_lines: usize,
    repeated_headers: usize,
    empty_rows: usize,
    framing: Framing,
    /// Bytes read so far.
    read: std::rc::Rc<std::cell::Cell<u64>>,
}

impl<'a> Opened<'a> {
    fn new(input: impl Read + 'a, framing: Framing) -> Result<Self> {
        let read = std::rc::Rc::new(std::cell::Cell::new(0u64));
        let mut raw = BufReader::with_capacity(SNIFF_BYTES, Counting { inner: input, read: read.clone() });
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        while head.len() < SNIFF_BYTES {
            let buf = raw.fill_buf().map_err(io_error)?;
            if buf.is_empty() {
                break;
            }
            let take = buf.len().min(SNIFF_BYTES - head.len());
            head.extend_from_slice(&buf[..take]);
            raw.consume(take);
        }
        let (encoding, bom) = sniff_encoding(&head)?;
        let body = head.split_off(bom.min(head.len()));
        let text: Box<dyn Read + 'a> =
            Box::new(Utf8Reader::new(std::io::Read::chain(std::io::Cursor::new(body), raw), encoding));
        let mut reader = BufReader::with_capacity(1 << 20, text);

        let mut comment_lines = 0usize;
        loop {
            let buf = reader.fill_buf().map_err(io_error)?;
            let start = buf.iter().position(|&b| b != b' ' && b != b'\t').unwrap_or(buf.len());
            if framing == Framing::Exact || buf.get(start) != Some(&b'#') {
                break;
            }
            let mut line = Vec::new();
            reader.read_until(b'\n', &mut line).map_err(io_error)?;
            comment_lines += 1;
        }
        let body_head = reader.fill_buf().map_err(io_error)?;
        if body_head.iter().all(u8::is_ascii_whitespace) {
            return Err(CoreError::EmptyFile);
        }
        let delimiter = match framing {
            Framing::Sniffed => detect_delimiter(&String::from_utf8_lossy(body_head)),
            Framing::Exact => b',',
        };
        let mut csv_in = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(reader);
        let mut header = csv::ByteRecord::new();
        if !csv_in.read_byte_record(&mut header).map_err(io_error)? {
            return Err(CoreError::EmptyFile);
        }
        let mut headerless = false;
        if framing == Framing::Sniffed {
            crate::ingest::aligned_bytes(&mut header, delimiter);
            headerless =
                crate::ingest::is_headerless(header.iter().map(|c| std::str::from_utf8(c).unwrap_or("")));
        }
        let mut first_row = None;
        if headerless {
            first_row = Some(header.clone());
            header = crate::ingest::numbered_header(header.len()).into_byte_record();
        }
        Ok(Self {
            csv_in,
            header,
            first_row,
            headerless,
            delimiter,
            comment_lines,
            repeated_headers: 0,
            empty_rows: 0,
            framing,
            read,
        })
    }

    /// The column names as the page names them.
    fn names(&self) -> Vec<String> {
        let header_text: Vec<String> = self.header.iter().map(text_of).collect();
        header_names(header_text.iter().map(String::as_str))
    }

    /// The next row of data into `record` (blank lines skipped, repeated headers skipped and counted);
    /// false at the end.
    fn next_row(&mut self, record: &mut csv::ByteRecord) -> Result<bool> {
        loop {
            if let Some(first) = self.first_row.take() {
                *record = first;
            } else {
                let more = self.csv_in.read_byte_record(record).map_err(|e| {
                    if let Some(carried) = crate::error::carried(&e) {
                        return carried;
                    }
                    let line = e.position().map_or(0, |p| p.line()) + self.comment_lines as u64;
                    CoreError::Malformed { line, reason: e.to_string() }
                })?;
                if !more {
                    return Ok(false);
                }
                if self.framing == Framing::Exact {
                    return Ok(true);
                }
                crate::ingest::aligned_bytes(record, self.delimiter);
            }
            if record.iter().all(|f| f.trim_ascii().is_empty()) {
                self.empty_rows += 1;
                continue;
            }
            if !self.headerless
                && record.len() == self.header.len()
                && record.iter().zip(self.header.iter()).all(|(a, b)| a.trim_ascii() == b.trim_ascii())
            {
                self.repeated_headers += 1;
                continue;
            }
            return Ok(true);
        }
    }
}

/// How a date feature is read in a stream: its format, and the day its "days before" count from (the
/// file's latest date, or the as-of date the person gives).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StreamDate {
    pub format: DateFormat,
    /// Day number (days since 1970-01-01).
    pub reference: i64,
}

/// The model's date features as this file writes them, in one pass over it (memory stays flat): each
/// column's date format (the file's own when its cells settle it, else the training file's) and its
/// latest date, or `as_of` when given. Empty when the model has no date feature.
pub fn scan_dates(
    model: &SegmentModel,
    mapping: &[(String, String)],
    input: impl Read,
    as_of: Option<i64>,
) -> Result<Vec<StreamDate>> {
    scan_dates_framed(model, mapping, input, Framing::Sniffed, as_of)
}

/// [`scan_dates`] over text cut into rows as `framing` says.
pub fn scan_dates_framed(
    model: &SegmentModel,
    mapping: &[(String, String)],
    input: impl Read,
    framing: Framing,
    as_of: Option<i64>,
) -> Result<Vec<StreamDate>> {
    if model.date_features.is_empty() {
        return Ok(Vec::new());
    }
    let mut opened = Opened::new(input, framing)?;
    let names = opened.names();
    let columns = match_columns(&model.date_features, &names, mapping)?;
    let index: Vec<usize> = columns.iter().filter_map(|c| names.iter().position(|n| n == &c.file)).collect();
    let mut evidence = vec![DateEvidence::default(); index.len()];
    // The latest day under each order a column may turn out to have (the order is known at the end).
    const ORDERS: [DateOrder; 4] =
        [DateOrder::Iso, DateOrder::Compact, DateOrder::DayFirst, DateOrder::MonthFirst];
    let mut latest = vec![[i64::MIN; 4]; index.len()];
    let mut record = csv::ByteRecord::new();
    while opened.next_row(&mut record)? {
        for (k, &i) in index.iter().enumerate() {
            let Some(cell) = record.get(i).and_then(|f| std::str::from_utf8(f.trim_ascii()).ok()) else {
                continue;
            };
            let cell = cell.trim();
            if cell.is_empty() || crate::ingest::is_missing_marker(cell) {
                continue;
            }
            let days = evidence[k].see_days(cell);
            if as_of.is_none() {
                for (latest, day) in latest[k].iter_mut().zip(days) {
                    if let Some(day) = day {
                        *latest = (*latest).max(day);
                    }
                }
            }
        }
    }
    let mut dates = Vec::with_capacity(index.len());
    for (k, c) in columns.iter().enumerate() {
        let settled = evidence[k].format().or_else(|| evidence[k].compact_format()).filter(|f| !f.ambiguous);
        let Some(format) =
            settled.or_else(|| model.date_formats.get(&c.model).copied()).or(evidence[k].format())
        else {
            return Err(CoreError::BadModel(format!(
                "the model reads \"{}\" as dates, and this file's column \"{}\" holds no dates it can read",
                c.model, c.file
            )));
        };
        let o = ORDERS.iter().position(|&order| order == format.order).unwrap_or(0);
        let reference = match as_of {
            Some(day) => day,
            None if latest[k][o] > i64::MIN => latest[k][o],
            None => {
                return Err(CoreError::BadModel(format!(
                    "the model reads \"{}\" as dates ({}), and this file's column \"{}\" holds none in \
                     that format, so there is no latest date to count from",
                    c.model,
                    format.describe(),
                    c.file
                )))
            }
        };
        dates.push(StreamDate { format, reference });
    }
    Ok(dates)
}

/// Streams `input` through `model` into `output`. `mapping` maps model column names to this file's;
/// `dates` says how each date feature is read ([`scan_dates`]); `on_progress` gets the bytes read and
/// rows done, now and then.
pub fn apply_stream(
    model: &SegmentModel,
    mapping: &[(String, String)],
    dates: &[StreamDate],
    input: impl Read,
    output: impl Write,
    on_progress: &mut dyn FnMut(u64, usize),
) -> Result<StreamSummary> {
    apply_framed(model, mapping, dates, input, Framing::Sniffed, output, on_progress)
}

/// [`apply_stream`] over text cut into rows as `framing` says.
pub fn apply_framed(
    model: &SegmentModel,
    mapping: &[(String, String)],
    dates: &[StreamDate],
    input: impl Read,
    framing: Framing,
    output: impl Write,
    on_progress: &mut dyn FnMut(u64, usize),
) -> Result<StreamSummary> {
    // Category features as how common their value is are relative to the whole file (each value's
    // share of it); categories compared by value (k-prototypes) are read row by row.
    if let Some(column) = model.category_by_frequency() {
        return Err(CoreError::BadModel(format!(
            "it segments on the category column \"{column}\" as how common each value is in the file, \
             which is only known once the whole file is read, so it cannot be applied while streaming. \
             Apply it in the page (Load a saved model, then Apply it to a CSV file)"
        )));
    }
    if dates.len() != model.date_features.len() {
        return Err(CoreError::BadModel(format!(
            "it segments on the date column \"{}\" as days before a reference date, which was not given \
             (scan the file for its latest date first, or give an as-of date)",
            model.date_features.first().map_or("", String::as_str)
        )));
    }
    let mut opened = Opened::new(input, framing)?;
    let mut csv_out = csv::WriterBuilder::new().flexible(true).from_writer(output);
    let header = opened.header.clone();
    let names = opened.names();
    let plan = RowPlan::new(model, mapping, dates, &names)?;
    let mut out_header = header.clone();
    out_header.push_field(b"segment");
    out_header.push_field(b"segment_name");
    csv_out.write_byte_record(&out_header).map_err(write_error)?;

    let d = plan.features.len();
    let assigner = model.assignment.assigner();
    let segment_names: Vec<String> =
        model.names().iter().map(|n| crate::export::spreadsheet_safe(n).into_owned()).collect();
    let labels_text: Vec<String> = (1..=segment_names.len()).map(|s| s.to_string()).collect();
    let n_segments = model.segments.len();
    let id_name = plan.id_index.map_or("", |i| names[i].as_str());
    let mut summary = StreamSummary {
        rows_in: 0,
        rows_used: 0,
        dropped: plan
            .steps
            .iter()
            .map(|rule| (rule.words(plan.rules, &model.spec.features, id_name), 0))
            .collect(),
        segment_sizes: vec![0; n_segments],
        noise: 0,
        columns: plan.columns.clone(),
        drift: Vec::new(),
        ragged_rows: 0,
        comment_lines: opened.comment_lines,
        repeated_headers: 0,
        empty_rows: 0,
    };
    let mut seen = Seen::default();
    let mut drift = DriftCounter::new(d);
    let mut cells: Vec<Cell> = Vec::with_capacity(names.len());
    let mut x_scaled = vec![0.0; d];
    let mut input = csv::ByteRecord::new();
    let mut out = csv::ByteRecord::new();
    while opened.next_row(&mut input)? {
        let record = &input;
        summary.rows_in += 1;
        summary.ragged_rows += usize::from(record.len() != header.len());
        cells.clear();
        cells.extend((0..names.len()).map(|i| {
            let field = record.get(i).unwrap_or(b"");
            std::str::from_utf8(field.trim_ascii())
                .map_or(Cell::Text, |f| parse_cell(f.trim(), plan.decimals[i]))
        }));
        let values = plan.values(record, &cells);
        // Filled values (the training file's fill when imputing).
        let values_filled: Vec<f64> = values
            .iter()
            .enumerate()
            .map(|(j, v)| match plan.levels[j] {
                // A category's missing value, kept by a fill, is its most common one (code 0).
                Some(_) => v.unwrap_or(if plan.imputing[j] { 0.0 } else { f64::NAN }),
                None => filled(v.unwrap_or(f64::NAN), model.cleaning_fit.fill.get(j).copied().flatten()),
            })
            .collect();
        let added: [&[u8]; 2] = match plan.dropped_by(record, &cells, &values, &values_filled, &mut seen) {
            Some(rule) => {
                summary.dropped[rule].1 += 1;
                [b"", DROPPED.as_bytes()]
            }
            None => {
                summary.rows_used += 1;
                for (j, &v) in values_filled.iter().enumerate() {
                    if plan.levels[j].is_some() {
                        // A category's code, unscaled; its drift is not measured (see the page's apply).
                        x_scaled[j] = v;
                        drift.add(model, j, model.features[j].mean);
                        continue;
                    }
                    x_scaled[j] = model.scaler.scale_value(j, plan.transforms[j].map_or(v, |t| t.apply(v)));
                    drift.add(model, j, v);
                }
                match assigner.assign(&x_scaled).filter(|&s| s < n_segments) {
                    Some(s) => {
                        summary.segment_sizes[s] += 1;
                        [labels_text[s].as_bytes(), segment_names[s].as_bytes()]
                    }
                    None => {
                        summary.noise += 1;
                        [b"", NOISE.as_bytes()]
                    }
                }
            }
        };
        crate::export::labeled_record(record, header.len(), added, &mut out);
        csv_out.write_byte_record(&out).map_err(write_error)?;
        if summary.rows_in.is_multiple_of(PROGRESS_EVERY) {
            on_progress(opened.read.get(), summary.rows_in);
        }
    }
    csv_out.flush().map_err(|e| CoreError::Output {
        reason: e.to_string(),
        closed: e.kind() == std::io::ErrorKind::BrokenPipe,
    })?;
    summary.repeated_headers = opened.repeated_headers;
    summary.empty_rows = opened.empty_rows;
    on_progress(opened.read.get(), summary.rows_in);
    if summary.rows_in == 0 {
        return Err(CoreError::HeaderOnly);
    }
    summary.drift = drift.finish(model);
    Ok(summary)
}

/// The rows and ids seen so far, for the duplicate rules.
#[derive(Default)]
struct Seen {
    rows: std::collections::HashSet<u64>,
    ids: std::collections::HashSet<u64>,
}

/// How the streaming apply reads each row of one file for one model: which columns are the features
/// (and how a date feature is read), which are numbers and with which decimal separator, the id
/// column, and the cleaning rules to run.
struct RowPlan<'m> {
    model: &'m SegmentModel,
    rules: &'m crate::clean::CleaningRules,
    columns: Vec<ColumnMatch>,
    /// The features' column indices, in the model's order.
    features: Vec<usize>,
    /// Per feature: how it is read when it is a date.
    date_of: Vec<Option<&'m StreamDate>>,
    /// The columns read as numbers (a date column is not one, even written as 20261124).
    numeric: Vec<usize>,
    decimals: Vec<char>,
    transforms: Vec<Option<crate::features::Transform>>,
    /// Per model feature: whether its missing values are filled.
    imputing: Vec<bool>,
    /// Per model feature, for a category compared by value: the model's values by name (a value's code
    /// is its position; one the model never saw, one past the last).
    levels: Vec<Option<&'m [String]>>,
    /// The id column duplicates are checked in: the model's (as this file names it).
    id_index: Option<usize>,
    id_numeric: bool,
    /// The rules, in the order every engine runs them, less those with nothing to do here.
    steps: Vec<Rule>,
    n_columns: usize,
}

impl<'m> RowPlan<'m> {
    fn new(
        model: &'m SegmentModel,
        mapping: &[(String, String)],
        dates: &'m [StreamDate],
        names: &[String],
    ) -> Result<Self> {
        let columns = match_columns(&model.spec.features, names, mapping)?;
        let index_of = |name: &str| names.iter().position(|n| n == name);
        let features: Vec<usize> = columns.iter().filter_map(|c| index_of(&c.file)).collect();
        let feature_names: Vec<&str> = columns.iter().map(|c| c.file.as_str()).collect();
        let date_of: Vec<Option<&StreamDate>> = model
            .spec
            .features
            .iter()
            .map(|f| model.date_features.iter().position(|d| d == f).and_then(|k| dates.get(k)))
            .collect();
        let date_files: Vec<&str> =
            columns.iter().zip(&date_of).filter(|(_, d)| d.is_some()).map(|(c, _)| c.file.as_str()).collect();
        let numeric: Vec<usize> = names
            .iter()
            .enumerate()
            .filter(|(_, n)| !date_files.contains(&n.as_str()))
            .filter(|(_, n)| feature_names.contains(&n.as_str()) || model.numeric_columns.contains(n))
            .map(|(i, _)| i)
            .collect();
        // Each column's decimal separator as in the training file (a feature mapped to another name
        // keeps its feature's); '.' for columns the training file did not have as numbers.
        let decimals: Vec<char> = names
            .iter()
            .map(|n| {
                let model_name =
                    columns.iter().find(|c| &c.file == n).map_or(n.as_str(), |c| c.model.as_str());
                model.decimals.get(model_name).copied().unwrap_or('.')
            })
            .collect();
        let rules = &model.spec.cleaning;
        let imputing: Vec<bool> =
            model.spec.features.iter().map(|f| rules.impute_for(f) != Impute::Drop).collect();
        let id_index = model
            .training
            .id_column
            .as_deref()
            .and_then(|id| match_columns(&[id.to_string()], names, mapping).ok())
            .and_then(|m| m.first().and_then(|c| index_of(&c.file)));
        let unfillable = imputing
            .iter()
            .enumerate()
            .any(|(j, &on)| on && model.cleaning_fit.fill.get(j).copied().flatten().is_none());
        let steps: Vec<Rule> = rules
            .in_order(&model.spec.features)
            .into_iter()
            .filter(|rule| match rule {
                Rule::DuplicateIds => id_index.is_some(),
                Rule::Unfillable => unfillable,
                _ => true,
            })
            .collect();
        Ok(RowPlan {
            model,
            rules,
            columns,
            features,
            date_of,
            id_numeric: id_index.is_some_and(|i| numeric.contains(&i)),
            numeric,
            decimals,
            transforms: model.spec.features.iter().map(|f| model.spec.transforms.get(f).copied()).collect(),
            imputing,
            levels: (0..model.spec.features.len()).map(|j| model.scaler.levels_of(j)).collect(),
            id_index,
            steps,
            n_columns: names.len(),
        })
    }

    fn in_scope(&self, scope: Scope, i: usize) -> bool {
        scope == Scope::AllColumns || self.features.contains(&i)
    }

    /// Each feature's value in a row: a number, a boolean written as a word (1 / 0), or a date as the
    /// days from it to the reference date (a cell that is no date in the column's format is missing).
    fn values(&self, record: &csv::ByteRecord, cells: &[Cell]) -> Vec<Option<f64>> {
        let text = |i: usize| record.get(i).and_then(|f| std::str::from_utf8(f.trim_ascii()).ok());
        self.features
            .iter()
            .zip(&self.date_of)
            .zip(&self.levels)
            .map(|((&i, date), levels)| match (date, cells[i]) {
                (_, Cell::Missing) => None,
                _ if levels.is_some() => {
                    let names = levels.unwrap_or(&[]);
                    let cell = text(i)?.trim();
                    Some(names.iter().position(|n| n == cell).unwrap_or(names.len()) as f64)
                }
                (Some(date), _) => {
                    let day = parse_date(text(i)?.trim(), date.format)?;
                    Some((date.reference - day) as f64)
                }
                (None, Cell::Number(v)) => Some(v),
                (None, Cell::Text) => text(i).and_then(crate::ingest::boolean_value),
            })
            .collect()
    }

    /// The id's key, as the page's duplicate-id rule keys it: a numeric id by its value (missing and
    /// unreadable cells share one key), any other by its text.
    fn id_key(&self, i: usize, cells: &[Cell], field: &[u8]) -> u64 {
        if self.id_numeric {
            match cells.get(i) {
                Some(Cell::Number(v)) => (v + 0.0).to_bits(),
                _ => u64::MAX,
            }
        } else {
            cell_hash(field)
        }
    }

    /// The first rule that drops the row (in the order every engine runs them, with the tests of
    /// `crate::clean::rules`), as its index in the plan's steps; a rule after it does not see the row
    /// (no id is remembered). A feature not filled is missing without a value (empty, or text that is
    /// not a yes/no word), whatever the rule's scope.
    fn dropped_by(
        &self,
        record: &csv::ByteRecord,
        cells: &[Cell],
        values: &[Option<f64>],
        values_filled: &[f64],
        seen: &mut Seen,
    ) -> Option<usize> {
        let number = |i: usize| if let Cell::Number(v) = cells[i] { v } else { f64::NAN };
        let missing = |scope: Scope| {
            (0..self.n_columns).any(|i| {
                !self.features.contains(&i)
                    && self.in_scope(scope, i)
                    && is_missing(matches!(cells[i], Cell::Missing), self.numeric.contains(&i), number(i))
            }) || values
                .iter()
                .zip(&self.imputing)
                .any(|(v, &on)| !on && is_missing(v.is_none(), true, v.unwrap_or(f64::NAN)))
        };
        let bounds = &self.model.cleaning_fit.bounds;
        self.steps.iter().position(|&rule| match rule {
            Rule::Missing(scope) => missing(scope),
            Rule::DuplicateRows => !seen.rows.insert(row_hash(record, self.n_columns)),
            Rule::DuplicateIds => self
                .id_index
                .is_some_and(|i| !seen.ids.insert(self.id_key(i, cells, record.get(i).unwrap_or(b"")))),
            Rule::Negative(_) | Rule::Zero(_) => rule.numeric_test().is_some_and(|(scope, hit)| {
                self.numeric
                    .iter()
                    .any(|&i| self.in_scope(scope, i) && matches!(cells[i], Cell::Number(v) if hit(v)))
            }),
            Rule::Fill => false,
            Rule::Unfillable => values_filled.iter().zip(&self.imputing).any(|(v, &on)| on && v.is_nan()),
            Rule::Outliers(_) => values_filled
                .iter()
                .enumerate()
                .any(|(j, &v)| is_outlier(v, bounds.get(j).copied().flatten())),
        })
    }
}

/// The hash read_csv gives a row: its trimmed cells (empty ones for missing fields), in order.
fn row_hash(record: &csv::ByteRecord, n: usize) -> u64 {
    (0..n).fold(0, |h, i| {
        let text = String::from_utf8_lossy(record.get(i).unwrap_or(b"").trim_ascii());
        crate::ingest::row_hash_step(h, text.trim())
    })
}

fn cell_hash(field: &[u8]) -> u64 {
    crate::ingest::text_hash(String::from_utf8_lossy(field.trim_ascii()).trim())
}

/// A header cell as text: UTF-8, else Latin-1 (each byte its own code point).
fn text_of(bytes: &[u8]) -> String {
    std::str::from_utf8(bytes).map_or_else(|_| bytes.iter().map(|&b| b as char).collect(), str::to_string)
}

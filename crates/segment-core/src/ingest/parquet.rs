//! Parquet files (the `parquet` feature): read with the arrow-rs `parquet` crate, batch by batch, and
//! handed on as CSV text, so every reader of a file (the table, the cleaning report, the streaming
//! apply) sees a Parquet file exactly as it would see its CSV twin: one header line of the column
//! names, one line per row, nulls as empty cells.
//!
//! Cells are written so that they read back as the same value: numbers with the shortest digits that
//! give back the exact value, booleans `true` / `false`, dates `YYYY-MM-DD`, timestamps
//! `YYYY-MM-DD HH:MM:SS[.fff]` (`Z` after an instant's, in UTC), decimals with their scale. Nested columns (lists, structs, maps)
//! and raw bytes are not customer attributes a segmentation reads: the file is refused with their names.
//!
//! Limits: the row groups' uncompressed size as the file declares it ([`limits::MAX_UNZIPPED_BYTES`]
//! in all for a file read into memory, per row group for a stream) and [`limits::MAX_COLUMNS`].

use crate::error::{CoreError, Result};
use crate::limits;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema, TimeUnit};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::file::reader::ChunkReader;
use std::fmt::Write as _;
use std::io::Read;
use std::sync::Arc;

/// The in-memory file type the functions here take (`bytes::Bytes`).
pub use bytes::Bytes;

/// Rows decoded at a time.
const BATCH_ROWS: usize = 8_192;

fn unreadable(why: impl std::fmt::Display) -> CoreError {
    CoreError::Parquet {
        reason: why.to_string(),
        hint: "Check that the file is whole (a download or copy cut short leaves a damaged file), or \
               export the table again."
            .into(),
    }
}

/// Refuses a compression this build lacks (ZSTD and Brotli in the page: they need C or weigh the
/// download), before reading a row, saying how to go on.
fn check_compression(meta: &parquet::file::metadata::ParquetMetaData) -> Result<()> {
    use parquet::basic::Compression;
    let readable = |c: Compression| match c {
        Compression::UNCOMPRESSED | Compression::SNAPPY | Compression::GZIP(_) | Compression::LZ4 => true,
        Compression::LZ4_RAW => true,
        Compression::ZSTD(_) => cfg!(feature = "parquet-zstd"),
        Compression::BROTLI(_) | Compression::LZO => false,
    };
    let lacking =
        meta.row_groups().iter().flat_map(|g| g.columns()).map(|c| c.compression()).find(|c| !readable(*c));
    match lacking {
        None => Ok(()),
        Some(c) => Err(CoreError::Parquet {
            reason: format!("it is compressed with {c}, which this build does not read (it reads snappy, gzip, LZ4 or none)"),
            hint: "Apply a saved model to it with the command line (`segment apply`, which reads ZSTD), or \
                   write it again with snappy, e.g. in DuckDB: COPY (SELECT * FROM 'file.parquet') TO \
                   'file-snappy.parquet' (FORMAT parquet, COMPRESSION snappy)."
                .into(),
        }),
    }
}

thread_local! {
    static DECODING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread is decoding Parquet, where a panic of the `parquet` crate becomes an error: a
/// panic hook can stay quiet about it (the command line's does).
pub fn decoding() -> bool {
    DECODING.with(|d| d.get())
}

/// Runs the `parquet` crate's decoding, turning a panic into an error: the crate asserts on some
/// damaged pages (a bit width past 64, ...). Natively the panic unwinds to here; in the page, where a
/// panic aborts, the Parquet worker is a worker of its own that ends in a message.
fn guarded<T>(work: impl FnOnce() -> Result<T>) -> Result<T> {
    let outer = DECODING.with(|d| d.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
    DECODING.with(|d| d.set(outer));
    result.unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(unreadable(format!("the Parquet decoder failed on damaged data ({what})")))
    })
}

/// Refuses column chunks that lie outside the file (the crate asserts, a panic, on negative ones).
fn check_chunks(meta: &parquet::file::metadata::ParquetMetaData, file_len: u64) -> Result<()> {
    for (g, group) in meta.row_groups().iter().enumerate() {
        for column in group.columns() {
            let start = column.dictionary_page_offset().unwrap_or(column.data_page_offset());
            let length = column.compressed_size();
            let inside = start >= 0
                && length >= 0
                && column.data_page_offset() >= 0
                && (start as u64).checked_add(length as u64).is_some_and(|end| end <= file_len);
            if !inside {
                return Err(unreadable(format!(
                    "row group {} says its column \"{}\" lies at bytes {start} to {start}+{length}, outside \
                     the file's {file_len} bytes",
                    g + 1,
                    column.column_path()
                )));
            }
        }
    }
    Ok(())
}

fn too_large(what: &str, found: String) -> CoreError {
    CoreError::TooLarge {
        what: what.into(),
        found,
        limit: format!("{} MB", limits::MAX_UNZIPPED_BYTES / 1_000_000),
        hint: "Keep the customer columns only, or apply a saved model to it with the command line \
               (`segment apply`), which streams it."
            .into(),
    }
}

/// A Parquet file read as CSV text, a batch of rows at a time. Memory: one batch of Arrow arrays, in
/// which text stored once in a column chunk's dictionary stays stored once (read as an Arrow
/// dictionary, however many rows repeat it), and at most [`TEXT_CHUNK`] of text (plus one row).
pub struct ParquetCsv {
    batches: ParquetRecordBatchReader,
    /// The batch being written as text, from row `row`.
    current: Option<Current>,
    /// CSV text decoded and not yet read.
    pending: Vec<u8>,
    at: usize,
    done: bool,
    /// The Arrow schema of the file's columns, as the file declares them (the types a Parquet output
    /// keeps; text the reader keeps as a dictionary is the file's text type here).
    schema: Arc<Schema>,
    /// Text decoded so far (the header included), and the most it may come to
    /// ([`limits::parquet_text_limit`]): counted as decoded, whatever sizes the file declares.
    decoded: u64,
    decoded_limit: u64,
    /// Held in memory whole (the limit's message differs).
    whole: bool,
}

/// The error for text past `decoded_limit`.
fn over_limit(decoded_limit: u64, whole: bool) -> CoreError {
    let limit = decoded_limit / 1_000_000;
    if whole {
        return too_large("The Parquet file as text", format!("more than {limit} MB"));
    }
    CoreError::TooLarge {
        what: "The Parquet file's rows as text".into(),
        found: format!("more than {limit} MB"),
        limit: format!(
            "{} MB, or {} times the file's size for a file applied in a stream",
            limits::MAX_UNZIPPED_BYTES / 1_000_000,
            limits::PARQUET_EXPANSION
        ),
        hint: "A file this small does not hold that much data unless it repeats one value over \
                   and over: check where it comes from, or keep the customer columns only."
            .into(),
    }
}

/// A batch being written as text: its rows from `row`, and each dictionary column's keys.
struct Current {
    batch: RecordBatch,
    row: usize,
    keys: Vec<Option<Vec<usize>>>,
}

/// Text written before it is handed on (a row is never split).
const TEXT_CHUNK: usize = 1 << 20;

/// How a file is read: its own schema, and the reading schema in which each text column stored with
/// a dictionary is read as an Arrow dictionary (its rows as keys into it). A dictionary page of one
/// long value repeated on every row then costs its length once per batch, not once per row.
fn reading_schemas(builder_schema: &Schema, meta: &parquet::file::metadata::ParquetMetaData) -> Arc<Schema> {
    let fields: Vec<arrow_schema::FieldRef> = builder_schema
        .fields()
        .iter()
        .enumerate()
        .map(|(j, f)| {
            let text = matches!(f.data_type(), DataType::Utf8 | DataType::LargeUtf8);
            let dictionary = meta
                .row_groups()
                .iter()
                .any(|g| g.columns().get(j).is_some_and(|c| c.dictionary_page_offset().is_some()));
            if text && dictionary {
                let t = DataType::Dictionary(Box::new(DataType::Int32), Box::new(f.data_type().clone()));
                Arc::new(f.as_ref().clone().with_data_type(t))
            } else {
                Arc::clone(f)
            }
        })
        .collect();
    Arc::new(Schema::new_with_metadata(fields, builder_schema.metadata().clone()))
}

/// Opens `file` for reading batches of `batch_rows` rows: the reader, the file's own schema and its
/// metadata. Nested columns, compressions this build lacks and too many columns are refused here.
///
/// The schema is the one the Parquet types give, unless `arrow_schema`: then the Arrow schema the
/// writer stored beside them (time zones as named, 64-bit dates, large text), decoded by arrow-ipc,
/// which panics on some damaged schemas. Only a caller that can survive a panic asks for it (the
/// command line, within `catch_unwind`); the page and the readers never do.
pub fn open_batches<R: ChunkReader + 'static>(
    file: R,
    batch_rows: usize,
    arrow_schema: bool,
) -> Result<(ParquetRecordBatchReader, Arc<Schema>, Arc<parquet::file::metadata::ParquetMetaData>)> {
    guarded(|| open_unguarded(file, batch_rows, arrow_schema))
}

/// The next batch of `batches`, a panic of the decoder an error.
pub fn next_batch(batches: &mut ParquetRecordBatchReader) -> Result<Option<RecordBatch>> {
    guarded(|| batches.next().transpose().map_err(unreadable))
}

fn open_unguarded<R: ChunkReader + 'static>(
    file: R,
    batch_rows: usize,
    arrow_schema: bool,
) -> Result<(ParquetRecordBatchReader, Arc<Schema>, Arc<parquet::file::metadata::ParquetMetaData>)> {
    use parquet::arrow::arrow_reader::{ArrowReaderMetadata, ArrowReaderOptions};
    super::parquet_footer::check(&file)?;
    let options = ArrowReaderOptions::new().with_skip_arrow_metadata(!arrow_schema);
    let plain = ArrowReaderMetadata::load(&file, options).map_err(unreadable)?;
    let schema = Arc::clone(plain.schema());
    check_columns(&schema)?;
    let meta = Arc::clone(plain.metadata());
    check_compression(&meta)?;
    check_chunks(&meta, file.len())?;
    let options = ArrowReaderOptions::new().with_schema(reading_schemas(&schema, &meta));
    let reading = ArrowReaderMetadata::try_new(Arc::clone(&meta), options).map_err(unreadable)?;
    let batches = ParquetRecordBatchReaderBuilder::new_with_metadata(file, reading)
        .with_batch_size(batch_rows)
        .build()
        .map_err(unreadable)?;
    Ok((batches, schema, meta))
}

impl ParquetCsv {
    /// Opens `file`. `whole` when it will be held in memory whole (the page, `segment fit`): its
    /// uncompressed size in all is limited; a stream's per row group.
    pub fn new<R: ChunkReader + 'static>(file: R, whole: bool) -> Result<Self> {
        let decoded_limit = limits::parquet_text_limit(file.len(), whole);
        let (batches, schema, meta) = open_batches(file, BATCH_ROWS, false)?;
        let sizes = meta.row_groups().iter().map(|g| g.total_byte_size().max(0) as u64);
        let size = if whole { sizes.sum() } else { sizes.max().unwrap_or(0) };
        if size > limits::MAX_UNZIPPED_BYTES {
            return Err(too_large(
                "The Parquet file's uncompressed data",
                format!("{} MB", size / 1_000_000),
            ));
        }
        let mut pending = Vec::new();
        write_header(&schema, &mut pending);
        let decoded = pending.len() as u64;
        Ok(ParquetCsv {
            batches,
            current: None,
            pending,
            at: 0,
            done: false,
            schema,
            decoded,
            decoded_limit,
            whole,
        })
    }

    /// The Arrow schema of the file's columns.
    pub fn schema(&self) -> Arc<Schema> {
        Arc::clone(&self.schema)
    }

    /// The next text into `pending` (up to [`TEXT_CHUNK`], whole rows); false at the end.
    fn refill(&mut self) -> Result<bool> {
        self.pending.clear();
        self.at = 0;
        loop {
            if !matches!(&self.current, Some(c) if c.row < c.batch.num_rows()) {
                match next_batch(&mut self.batches)? {
                    None => return Ok(false),
                    Some(batch) => {
                        let keys = batch
                            .columns()
                            .iter()
                            .map(|c| c.as_any_dictionary_opt().map(normalized_keys))
                            .collect();
                        self.current = Some(Current { batch, row: 0, keys });
                    }
                }
            }
            let Some(current) = self.current.as_mut() else { return Ok(false) };
            let mut line = String::new();
            let mut text = String::new();
            let single = current.batch.num_columns() == 1;
            while current.row < current.batch.num_rows() && self.pending.len() < TEXT_CHUNK {
                line.clear();
                for (j, column) in current.batch.columns().iter().enumerate() {
                    if j > 0 {
                        line.push(',');
                    }
                    text.clear();
                    cell_of(column.as_ref(), current.keys[j].as_deref(), current.row, &mut text)?;
                    quoted(&text, &mut line);
                    if self.decoded + (line.len() as u64) > self.decoded_limit {
                        return Err(over_limit(self.decoded_limit, self.whole));
                    }
                }
                if single && line.is_empty() {
                    // A row whose one cell is empty is a row, not a blank line.
                    line.push_str("\"\"");
                }
                line.push('\n');
                self.decoded += line.len() as u64;
                self.pending.extend_from_slice(line.as_bytes());
                current.row += 1;
            }
            if !self.pending.is_empty() {
                return Ok(true);
            }
        }
    }
}

impl Read for ParquetCsv {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.pending.len() {
            if self.done {
                return Ok(0);
            }
            match self.refill() {
                Ok(true) => {}
                Ok(false) => self.done = true,
                Err(e) => return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, e)),
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A whole Parquet file (in memory) as CSV text, at most [`limits::MAX_UNZIPPED_BYTES`] of it.
pub fn to_csv(bytes: &[u8]) -> Result<String> {
    let mut reader = ParquetCsv::new(Bytes::copy_from_slice(bytes), true)?;
    // The header, then each batch's text as it is decoded.
    let mut text = std::mem::take(&mut reader.pending);
    // (`refill` stops at the limit on text held whole.)
    while reader.refill()? {
        text.extend_from_slice(&reader.pending);
    }
    String::from_utf8(text).map_err(|_| unreadable("a text column is not UTF-8"))
}

/// The column names of a Parquet file (its schema, without reading the rows).
pub fn column_names<R: ChunkReader + 'static>(file: R) -> Result<Vec<String>> {
    super::parquet_footer::check(&file)?;
    let options = parquet::arrow::arrow_reader::ArrowReaderOptions::new().with_skip_arrow_metadata(true);
    let meta = guarded(|| {
        parquet::arrow::arrow_reader::ArrowReaderMetadata::load(&file, options).map_err(unreadable)
    })?;
    Ok(meta.schema().fields().iter().map(|f| f.name().clone()).collect())
}

/// Refuses what cannot be a cell of text: nested columns, raw bytes, too many columns.
fn check_columns(schema: &Schema) -> Result<()> {
    if schema.fields().len() > limits::MAX_COLUMNS {
        return Err(CoreError::TooLarge {
            what: "The Parquet file's columns".into(),
            found: schema.fields().len().to_string(),
            limit: limits::MAX_COLUMNS.to_string(),
            hint: "Keep the customer columns only.".into(),
        });
    }
    let odd: Vec<String> = schema
        .fields()
        .iter()
        .filter(|f| !flat(f.data_type()))
        .map(|f| format!("\"{}\" ({})", f.name(), f.data_type()))
        .collect();
    if odd.is_empty() {
        Ok(())
    } else {
        Err(CoreError::Parquet {
            reason: format!(
                "column(s) {} hold lists, structures or raw bytes, not one value per cell",
                odd.join(", ")
            ),
            hint: "Select the flat columns into a new file, e.g. in DuckDB: COPY (SELECT ... FROM \
                   'file.parquet') TO 'flat.parquet'."
                .into(),
        })
    }
}

/// A type whose cells [`cell`] writes as text.
fn flat(t: &DataType) -> bool {
    match t {
        DataType::Dictionary(_, values) => flat(values),
        DataType::Null
        | DataType::Boolean
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Float16
        | DataType::Float32
        | DataType::Float64
        | DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Date32
        | DataType::Date64
        | DataType::Timestamp(_, _)
        | DataType::Decimal32(_, _)
        | DataType::Decimal64(_, _)
        | DataType::Decimal128(_, _)
        | DataType::Decimal256(_, _) => true,
        _ => false,
    }
}

fn write_header(schema: &Schema, out: &mut Vec<u8>) {
    let mut line = String::new();
    for (i, f) in schema.fields().iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        quoted(f.name(), &mut line);
    }
    line.push('\n');
    out.extend_from_slice(line.as_bytes());
}

/// A field as CSV: quoted when it holds a delimiter, quote, line break or edge space.
fn quoted(text: &str, out: &mut String) {
    let needs = text.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r' | b';' | b'\t'))
        || text.starts_with([' ', '#'])
        || text.ends_with(' ');
    if needs {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// Row `r` of `array` as text; `keys` a dictionary column's keys, normalized (computed once a batch).
fn cell_of(array: &dyn Array, keys: Option<&[usize]>, r: usize, out: &mut String) -> Result<()> {
    match keys {
        Some(keys) if !array.is_null(r) => {
            let values = array.as_any_dictionary().values();
            match keys.get(r) {
                Some(&key) if key < values.len() => cell(values.as_ref(), key, out),
                _ => Ok(()),
            }
        }
        _ => cell(array, r, out),
    }
}

/// A dictionary column's keys as indices into its values (the crate's own panics on a dictionary of
/// no values, which a column of nulls only has).
pub fn normalized_keys(dict: &dyn arrow_array::AnyDictionaryArray) -> Vec<usize> {
    if dict.values().is_empty() {
        vec![0; dict.keys().len()]
    } else {
        dict.normalized_keys()
    }
}

/// Row `r` of `array` as text (nothing for a null).
fn cell(array: &dyn Array, r: usize, out: &mut String) -> Result<()> {
    if array.is_null(r) {
        return Ok(());
    }
    match array.data_type() {
        DataType::Null => {}
        DataType::Boolean => out.push_str(if array.as_boolean().value(r) { "true" } else { "false" }),
        DataType::Int8 => push(out, array.as_primitive::<Int8Type>().value(r)),
        DataType::Int16 => push(out, array.as_primitive::<Int16Type>().value(r)),
        DataType::Int32 => push(out, array.as_primitive::<Int32Type>().value(r)),
        DataType::Int64 => push(out, array.as_primitive::<Int64Type>().value(r)),
        DataType::UInt8 => push(out, array.as_primitive::<UInt8Type>().value(r)),
        DataType::UInt16 => push(out, array.as_primitive::<UInt16Type>().value(r)),
        DataType::UInt32 => push(out, array.as_primitive::<UInt32Type>().value(r)),
        DataType::UInt64 => push(out, array.as_primitive::<UInt64Type>().value(r)),
        DataType::Float16 => push(out, array.as_primitive::<Float16Type>().value(r).to_f32()),
        DataType::Float32 => push(out, array.as_primitive::<Float32Type>().value(r)),
        DataType::Float64 => push(out, array.as_primitive::<Float64Type>().value(r)),
        DataType::Utf8 => out.push_str(array.as_string::<i32>().value(r)),
        DataType::LargeUtf8 => out.push_str(array.as_string::<i64>().value(r)),
        DataType::Utf8View => out.push_str(array.as_string_view().value(r)),
        DataType::Date32 => {
            out.push_str(&super::date::iso_date(array.as_primitive::<Date32Type>().value(r) as i64))
        }
        DataType::Date64 => {
            timestamp(array.as_primitive::<Date64Type>().value(r) as i128, 1_000, out);
        }
        DataType::Timestamp(unit, zone) => {
            let (v, per_second) = match unit {
                TimeUnit::Second => (array.as_primitive::<TimestampSecondType>().value(r), 1),
                TimeUnit::Millisecond => (array.as_primitive::<TimestampMillisecondType>().value(r), 1_000),
                TimeUnit::Microsecond => {
                    (array.as_primitive::<TimestampMicrosecondType>().value(r), 1_000_000)
                }
                TimeUnit::Nanosecond => {
                    (array.as_primitive::<TimestampNanosecondType>().value(r), 1_000_000_000)
                }
            };
            timestamp(v as i128, per_second, out);
            if zone.is_some() {
                // An instant (its zone only says how to show it), written in UTC.
                out.push('Z');
            }
        }
        DataType::Decimal32(_, scale) => {
            decimal(array.as_primitive::<Decimal32Type>().value(r).to_string(), *scale, out)
        }
        DataType::Decimal64(_, scale) => {
            decimal(array.as_primitive::<Decimal64Type>().value(r).to_string(), *scale, out)
        }
        DataType::Decimal128(_, scale) => {
            decimal(array.as_primitive::<Decimal128Type>().value(r).to_string(), *scale, out)
        }
        DataType::Decimal256(_, scale) => {
            decimal(array.as_primitive::<Decimal256Type>().value(r).to_string(), *scale, out)
        }
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            let keys = normalized_keys(dict);
            cell_of(array, Some(&keys), r, out)?;
        }
        other => return Err(unreadable(format!("a column of type {other} is not read"))),
    }
    Ok(())
}

fn push(out: &mut String, v: impl std::fmt::Display) {
    let _ = write!(out, "{v}");
}

/// `digits` (an integer's text, maybe negative) with `scale` digits after the point.
fn decimal(digits: String, scale: i8, out: &mut String) {
    if scale <= 0 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', scale.unsigned_abs() as usize));
        return;
    }
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits.as_str()),
    };
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    let _ = write!(out, "{sign}{whole}.{fraction}");
}

/// `ticks` of 1/`per_second` s since 1970-01-01 UTC as `YYYY-MM-DD HH:MM:SS[.fraction]`.
fn timestamp(ticks: i128, per_second: i128, out: &mut String) {
    let seconds = ticks.div_euclid(per_second);
    let fraction = ticks.rem_euclid(per_second);
    let days = seconds.div_euclid(86_400) as i64;
    let of_day = seconds.rem_euclid(86_400);
    let _ = write!(
        out,
        "{} {:02}:{:02}:{:02}",
        super::date::iso_date(days),
        of_day / 3_600,
        of_day / 60 % 60,
        of_day % 60
    );
    if fraction != 0 {
        let width = per_second.ilog10() as usize;
        let digits = format!("{fraction:0width$}");
        let _ = write!(out, ".{}", digits.trim_end_matches('0'));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_and_timestamps_read_as_their_values() {
        let mut s = String::new();
        decimal("-5".into(), 2, &mut s);
        assert_eq!(s, "-0.05");
        s.clear();
        decimal("123456".into(), 3, &mut s);
        assert_eq!(s, "123.456");
        s.clear();
        decimal("12".into(), -2, &mut s);
        assert_eq!(s, "1200");
        s.clear();
        timestamp(1_700_000_000_123, 1_000, &mut s);
        assert_eq!(s, "2023-11-14 22:13:20.123");
        s.clear();
        timestamp(-1, 1, &mut s);
        assert_eq!(s, "1969-12-31 23:59:59");
    }

    #[test]
    fn fields_that_need_quotes_get_them() {
        let mut s = String::new();
        quoted("a,\"b\"", &mut s);
        assert_eq!(s, "\"a,\"\"b\"\"\"");
    }
}

//! `segment apply ... -o out.parquet`: the labeled rows the streaming apply writes as CSV text, parsed
//! back a batch at a time (arrow-csv's push decoder) and written as Parquet (snappy), so memory stays
//! one batch whatever the file's size.
//!
//! Types: a Parquet input's columns are copied from the input itself, read a second time beside the
//! labeled text (one row of text for each of its rows), so each keeps its type and every value exactly:
//! empty text apart from null, 16-bit floats, time zones as named, dates of any year. A CSV input's
//! columns stay text, exactly as they were in the file. `segment` is a nullable 64-bit integer (null
//! for noise and dropped rows, as the CSV's empty cell), `segment_name` text.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_csv::reader::Decoder;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReader;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use segment_core::ingest::parquet::next_batch;
use segment_core::CoreError;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// Rows per batch written.
const BATCH_ROWS: usize = 8_192;
/// Text a write may turn from a dictionary's keys into values at once (at least one row).
const WRITE_BYTES: usize = 16 << 20;
/// Encoded data held before a row group is written out.
const ROW_GROUP_BYTES: usize = 64 << 20;

/// A Parquet input's own rows, read again beside the labeled text.
pub struct InputColumns {
    batches: ParquetRecordBatchReader,
    /// The file's columns as it declares them (text it stores with a dictionary is read as an Arrow
    /// dictionary, and written back as the text type declared here).
    schema: SchemaRef,
    /// Rows read and not yet written.
    left: Option<RecordBatch>,
}

impl InputColumns {
    /// Opens the Parquet file at `path` with the Arrow schema its writer stored, or, when that schema
    /// is damaged (arrow-ipc panics on some), the one its Parquet types give.
    pub fn open(path: &Path) -> Result<Self, CoreError> {
        let open = |arrow_schema: bool| {
            let file = std::fs::File::open(path).map_err(|e| CoreError::Output {
                reason: format!("cannot read {}: {e}", path.display()),
                closed: false,
            })?;
            segment_core::ingest::parquet::open_batches(file, BATCH_ROWS, arrow_schema)
        };
        // (A panic of arrow-ipc on a damaged schema is an error of `open_batches`.)
        let (batches, schema, _) = match open(true) {
            Ok(opened) => opened,
            Err(_) => open(false)?,
        };
        Ok(InputColumns { batches, schema, left: None })
    }

    /// The next `n` rows (as read: dictionary text still keys into its dictionary).
    fn take(&mut self, n: usize) -> std::io::Result<Vec<ArrayRef>> {
        let mut parts: Vec<RecordBatch> = Vec::new();
        let mut need = n;
        while need > 0 {
            let batch = match self.left.take() {
                Some(b) => b,
                None => match next_batch(&mut self.batches).map_err(io)? {
                    Some(b) => b,
                    None => return Err(misaligned()),
                },
            };
            if batch.num_rows() > need {
                self.left = Some(batch.slice(need, batch.num_rows() - need));
                parts.push(batch.slice(0, need));
                need = 0;
            } else {
                need -= batch.num_rows();
                parts.push(batch);
            }
        }
        match parts.as_slice() {
            [one] => Ok(one.columns().to_vec()),
            _ => {
                let schema = parts.first().map(|b| b.schema()).unwrap_or_else(|| Arc::clone(&self.schema));
                let batch = arrow_select::concat::concat_batches(&schema, &parts).map_err(io)?;
                Ok(batch.columns().to_vec())
            }
        }
    }

    /// Whether every row was taken.
    fn at_end(&mut self) -> std::io::Result<bool> {
        if self.left.as_ref().is_some_and(|b| b.num_rows() > 0) {
            return Ok(false);
        }
        match next_batch(&mut self.batches).map_err(io)? {
            None => Ok(true),
            Some(b) => Ok(b.num_rows() == 0 && self.at_end()?),
        }
    }
}

fn misaligned() -> std::io::Error {
    io("the labeled rows do not line up with the Parquet file's rows (it was changed while being read?)")
}

pub struct ParquetSink<W: Write + Send> {
    /// The input's own columns, when it is a Parquet file (else every column is text).
    input: Option<InputColumns>,
    /// The header line, until it is whole.
    header: Vec<u8>,
    state: Option<(Decoder, ArrowWriter<W>)>,
    /// The schema written.
    schema: Option<SchemaRef>,
    out: Option<W>,
}

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl<W: Write + Send> ParquetSink<W> {
    pub fn new(out: W, input: Option<InputColumns>) -> Self {
        ParquetSink { input, header: Vec::new(), state: None, schema: None, out: Some(out) }
    }

    /// The schema from the header line: the input's columns, then segment and segment_name.
    fn start(&mut self, header: &[u8]) -> std::io::Result<()> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(header);
        let names = reader.records().next().transpose().map_err(io)?.unwrap_or_default();
        let n = names.len();
        if n < 2 {
            return Err(io("the labeled output has no segment columns"));
        }
        let segment = [
            Field::new(&names[n - 2], DataType::Int64, true),
            Field::new(&names[n - 1], DataType::Utf8, true),
        ];
        // What the text decoder reads: every column, or (the input's columns copied) the last two.
        let mut text_fields: Vec<Field> =
            names.iter().take(n - 2).map(|name| Field::new(name, DataType::Utf8, true)).collect();
        text_fields.extend(segment.iter().cloned());
        let mut builder = arrow_csv::ReaderBuilder::new(Arc::new(Schema::new(text_fields.clone())))
            .with_header(false)
            .with_batch_size(BATCH_ROWS);
        let fields: Vec<Field> = match &self.input {
            Some(input) => {
                if input.schema.fields().len() != n - 2 {
                    return Err(misaligned());
                }
                builder = builder.with_projection(vec![n - 2, n - 1]);
                let mut fields: Vec<Field> =
                    input.schema.fields().iter().map(|f| f.as_ref().clone()).collect();
                fields.extend(segment);
                fields
            }
            None => text_fields,
        };
        let schema = Arc::new(Schema::new(fields));
        let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
        let out = self.out.take().ok_or_else(|| io("the output was already closed"))?;
        let writer = ArrowWriter::try_new(out, Arc::clone(&schema), Some(props)).map_err(io)?;
        self.state = Some((builder.build_decoder(), writer));
        self.schema = Some(schema);
        Ok(())
    }

    /// Writes the rows decoded so far.
    fn flush_batch(&mut self) -> std::io::Result<()> {
        let (Some((decoder, writer)), Some(schema)) = (self.state.as_mut(), self.schema.as_ref()) else {
            return Err(io("the output was not started"));
        };
        let Some(batch) = decoder.flush().map_err(io)? else { return Ok(()) };
        let Some(input) = self.input.as_mut() else {
            return writer.write(&batch).map_err(io);
        };
        let mut columns = input.take(batch.num_rows())?;
        columns.extend(batch.columns().iter().cloned());
        write_bounded(writer, schema, &columns)
    }

    /// Writes the last rows and the file's footer; the output back.
    pub fn finish(mut self) -> std::io::Result<W> {
        if self.state.is_none() && !self.header.is_empty() {
            let header = std::mem::take(&mut self.header);
            self.start(&header)?;
        }
        self.flush_batch()?;
        if let Some(input) = self.input.as_mut() {
            if !input.at_end()? {
                return Err(misaligned());
            }
        }
        match self.state.take() {
            Some((_, writer)) => writer.into_inner().map_err(io),
            None => Err(io("nothing was written")),
        }
    }
}

/// Writes `columns` (as read) with `schema`'s types, a slice of rows at a time so that text kept as a
/// dictionary's keys turns into at most [`WRITE_BYTES`] of values at once, and the row group is written
/// out once its encoded data passes [`ROW_GROUP_BYTES`].
fn write_bounded<W: Write + Send>(
    writer: &mut ArrowWriter<W>,
    schema: &SchemaRef,
    columns: &[ArrayRef],
) -> std::io::Result<()> {
    let rows = columns.first().map_or(0, |c| c.len());
    let lengths: Vec<Vec<usize>> =
        columns.iter().filter_map(|c| dictionary_text_lengths(c.as_ref())).collect();
    let mut start = 0;
    while start < rows {
        let mut end = start;
        let mut bytes = 0usize;
        while end < rows && (end == start || bytes < WRITE_BYTES) {
            bytes += lengths.iter().map(|l| l[end]).sum::<usize>();
            end += 1;
        }
        let mut slice = Vec::with_capacity(columns.len());
        for (column, field) in columns.iter().zip(schema.fields()) {
            let part = column.slice(start, end - start);
            slice.push(if part.data_type() == field.data_type() {
                part
            } else {
                arrow_cast::cast(&part, field.data_type()).map_err(io)?
            });
        }
        let batch = RecordBatch::try_new(Arc::clone(schema), slice).map_err(io)?;
        writer.write(&batch).map_err(io)?;
        if writer.in_progress_size() > ROW_GROUP_BYTES {
            writer.flush().map_err(io)?;
        }
        start = end;
    }
    Ok(())
}

/// Each row's text length when `array` is text kept as a dictionary (None otherwise).
fn dictionary_text_lengths(array: &dyn Array) -> Option<Vec<usize>> {
    let dict = array.as_any_dictionary_opt()?;
    let values = dict.values();
    let length = |key: usize| match values.data_type() {
        _ if key >= values.len() => 0,
        DataType::Utf8 => values.as_string::<i32>().value_length(key).max(0) as usize,
        DataType::LargeUtf8 => values.as_string::<i64>().value_length(key).max(0) as usize,
        _ => 0,
    };
    let keys = segment_core::ingest::parquet::normalized_keys(dict);
    Some((0..array.len()).map(|r| if dict.keys().is_null(r) { 0 } else { length(keys[r]) }).collect())
}

impl<W: Write + Send> Write for ParquetSink<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        if self.state.is_none() {
            // The header ends at the first line break outside quotes.
            let mut quoted = self.header.iter().filter(|&&b| b == b'"').count() % 2 == 1;
            let end = rest.iter().position(|&b| {
                if b == b'"' {
                    quoted = !quoted;
                }
                b == b'\n' && !quoted
            });
            match end {
                None => {
                    self.header.extend_from_slice(rest);
                    return Ok(buf.len());
                }
                Some(i) => {
                    self.header.extend_from_slice(&rest[..=i]);
                    rest = &rest[i + 1..];
                    let header = std::mem::take(&mut self.header);
                    self.start(&header)?;
                }
            }
        }
        while !rest.is_empty() {
            let Some((decoder, _)) = self.state.as_mut() else {
                return Err(io("the output was not started"));
            };
            let n = decoder.decode(rest).map_err(io)?;
            rest = &rest[n..];
            if decoder.capacity() == 0 {
                self.flush_batch()?;
            } else if n == 0 {
                break;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

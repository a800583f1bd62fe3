//! `segment apply ... -o out.parquet`: the labeled rows the streaming apply writes as CSV text, parsed
//! back a batch at a time (arrow-csv's push decoder) and written as Parquet (snappy), so memory stays
//! one batch whatever the file's size.
//!
//! Types: a Parquet input's columns keep their types (the apply copies each cell's text, which the
//! reader wrote so that it parses back to the same value); a CSV input's columns stay text, exactly as
//! they were in the file. `segment` is a nullable 64-bit integer (null for noise and dropped rows, as
//! the CSV's empty cell), `segment_name` text.

use arrow_csv::reader::Decoder;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::io::Write;
use std::sync::Arc;

/// Rows per batch written.
const BATCH_ROWS: usize = 8_192;

pub struct ParquetSink<W: Write + Send> {
    /// The input's column types, when it is a Parquet file (else every column is text).
    input: Option<SchemaRef>,
    /// The header line, until it is whole.
    header: Vec<u8>,
    state: Option<(Decoder, ArrowWriter<W>)>,
    out: Option<W>,
}

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

/// The type a column is written with: what the CSV decoder parses, and what the reader's text gives
/// back exactly (dictionary text as plain text, 16-bit floats as 32-bit, Date64 as milliseconds).
fn written(t: &DataType) -> DataType {
    match t {
        DataType::Dictionary(_, values) => written(values),
        DataType::Float16 => DataType::Float32,
        DataType::Utf8View => DataType::Utf8,
        DataType::Date64 => DataType::Timestamp(TimeUnit::Millisecond, None),
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) => DataType::Decimal128(*p, *s),
        DataType::Null => DataType::Utf8,
        // The reader writes an instant in UTC (`...Z`); a zone named rather than given as an offset
        // ("UTC", "Europe/Paris": pandas' and pyarrow's default) is written as the same instant at
        // +00:00, which the CSV decoder parses without a time-zone database.
        DataType::Timestamp(unit, Some(tz)) if !is_offset(tz) => {
            DataType::Timestamp(*unit, Some("+00:00".into()))
        }
        other => other.clone(),
    }
}

/// A zone written as an offset (`+01:00`, `-0530`), which arrow parses without a zone database.
fn is_offset(tz: &str) -> bool {
    tz.len() > 1 && tz.starts_with(['+', '-']) && tz[1..].chars().all(|c| c.is_ascii_digit() || c == ':')
}

impl<W: Write + Send> ParquetSink<W> {
    pub fn new(out: W, input: Option<SchemaRef>) -> Self {
        ParquetSink { input, header: Vec::new(), state: None, out: Some(out) }
    }

    /// The schema from the header line: the input's columns, then segment and segment_name.
    fn start(&mut self, header: &[u8]) -> std::io::Result<()> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(header);
        let names = reader.records().next().transpose().map_err(io)?.unwrap_or_default();
        let n = names.len();
        if n < 2 {
            return Err(io("the labeled output has no segment columns"));
        }
        let mut fields: Vec<Field> = Vec::with_capacity(n);
        for (j, name) in names.iter().enumerate().take(n - 2) {
            let t = match &self.input {
                Some(schema) if schema.fields().len() == n - 2 => written(schema.field(j).data_type()),
                _ => DataType::Utf8,
            };
            fields.push(Field::new(name, t, true));
        }
        fields.push(Field::new(&names[n - 2], DataType::Int64, true));
        fields.push(Field::new(&names[n - 1], DataType::Utf8, true));
        let schema = Arc::new(Schema::new(fields));
        let decoder = arrow_csv::ReaderBuilder::new(schema.clone())
            .with_header(false)
            .with_batch_size(BATCH_ROWS)
            .build_decoder();
        let props = WriterProperties::builder().set_compression(Compression::SNAPPY).build();
        let out = self.out.take().ok_or_else(|| io("the output was already closed"))?;
        let writer = ArrowWriter::try_new(out, schema, Some(props)).map_err(io)?;
        self.state = Some((decoder, writer));
        Ok(())
    }

    fn flush_batch(decoder: &mut Decoder, writer: &mut ArrowWriter<W>) -> std::io::Result<()> {
        if let Some(batch) = decoder.flush().map_err(io)? {
            writer.write(&batch).map_err(io)?;
        }
        Ok(())
    }

    /// Writes the last rows and the file's footer; the output back.
    pub fn finish(mut self) -> std::io::Result<W> {
        if self.state.is_none() && !self.header.is_empty() {
            let header = std::mem::take(&mut self.header);
            self.start(&header)?;
        }
        match self.state.take() {
            Some((mut decoder, mut writer)) => {
                Self::flush_batch(&mut decoder, &mut writer)?;
                writer.into_inner().map_err(io)
            }
            None => Err(io("nothing was written")),
        }
    }
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
        let Some((decoder, writer)) = self.state.as_mut() else {
            return Err(io("the output was not started"));
        };
        while !rest.is_empty() {
            let n = decoder.decode(rest).map_err(io)?;
            rest = &rest[n..];
            if decoder.capacity() == 0 {
                Self::flush_batch(decoder, writer)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_zones_are_written_as_the_same_instant_at_utc() {
        let utc = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
        assert_eq!(written(&utc), DataType::Timestamp(TimeUnit::Microsecond, Some("+00:00".into())));
        let offset = DataType::Timestamp(TimeUnit::Millisecond, Some("+05:30".into()));
        assert_eq!(written(&offset), offset);
        assert!(is_offset("-0800") && !is_offset("Europe/Paris") && !is_offset("+"));
    }
}

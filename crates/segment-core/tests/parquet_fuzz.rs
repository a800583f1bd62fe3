//! Parquet fuzzing: random schemas (every flat type, nested and byte columns that must be refused,
//! nulls, extreme values, text that needs quoting), written with random writer settings (compression,
//! dictionary, page and row-group sizes, page format), then damaged (bytes flipped, inserted, cut,
//! mostly in the footer). Every file must end in text or a clear error, never a panic; the text of a
//! whole file has exactly one record per row, each with one field per column, as the streaming apply
//! reads it. `FUZZ_CASES` cases each (300 in the test command; `scripts/fuzz.sh` runs more).
#![cfg(all(feature = "parquet", not(target_arch = "wasm32")))]

use arrow_array::builder::StringDictionaryBuilder;
use arrow_array::types::Int32Type;
use arrow_array::*;
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_writer::{ArrowWriter, ArrowWriterOptions};
use parquet::basic::{Compression, GzipLevel};
use parquet::file::properties::{WriterProperties, WriterVersion};
use segment_core::ingest::parquet::to_csv;
use segment_core::rng::SplitMix64;
use std::sync::Arc;

fn cases() -> u64 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

const TEXT: [&str; 12] =
    ["", "a", "x,y", "say \"hi\"", "line\nbreak", " edge ", "#hash", "ünï", "1e308", "NaN", "null", "a;b\tc"];

/// A column of `n` rows of a random type; `nested` when the type is one a reader must refuse.
fn column(rng: &mut SplitMix64, n: usize) -> (DataType, ArrayRef, bool) {
    let null = |rng: &mut SplitMix64| rng.below(5) == 0;
    let pick = |rng: &mut SplitMix64, values: &[i64]| values[rng.below(values.len())];
    let ints = [0, 1, -1, i64::MIN, i64::MAX, 42, 1_700_000_000_000];
    let text = |rng: &mut SplitMix64| -> Option<String> {
        (!null(rng)).then(|| TEXT[rng.below(TEXT.len())].to_string())
    };
    let array: ArrayRef = match rng.below(17) {
        0 => Arc::new(Int64Array::from_iter((0..n).map(|_| (!null(rng)).then(|| pick(rng, &ints))))),
        1 => Arc::new(Int8Array::from_iter((0..n).map(|_| (!null(rng)).then(|| pick(rng, &ints) as i8)))),
        2 => Arc::new(UInt64Array::from_iter((0..n).map(|_| (!null(rng)).then(|| pick(rng, &ints) as u64)))),
        3 => {
            let floats = [0.0, -0.0, f64::NAN, f64::INFINITY, f64::MIN_POSITIVE, 1e300, -2.5];
            Arc::new(Float64Array::from_iter((0..n).map(|_| (!null(rng)).then(|| floats[rng.below(7)]))))
        }
        4 => {
            let floats =
                Float32Array::from_iter((0..n).map(|_| (!null(rng)).then(|| rng.unit() as f32 * 7e4)));
            arrow_cast::cast(&floats, &DataType::Float16).unwrap_or_else(|e| panic!("{e}"))
        }
        5 => Arc::new(StringArray::from_iter((0..n).map(|_| text(rng)))),
        6 => Arc::new(LargeStringArray::from_iter((0..n).map(|_| text(rng)))),
        7 => Arc::new(StringViewArray::from_iter((0..n).map(|_| text(rng)))),
        8 => {
            let mut b = StringDictionaryBuilder::<Int32Type>::new();
            for _ in 0..n {
                match text(rng) {
                    Some(t) => b.append_value(t),
                    None => b.append_null(),
                }
            }
            Arc::new(b.finish())
        }
        9 => Arc::new(BooleanArray::from_iter((0..n).map(|_| (!null(rng)).then(|| rng.below(2) == 0)))),
        10 => Arc::new(Date32Array::from_iter(
            (0..n).map(|_| (!null(rng)).then(|| pick(rng, &[0, -719_162, 2_932_896, 19_000, -1]) as i32)),
        )),
        11 => {
            Arc::new(Date64Array::from_iter((0..n).map(|_| (!null(rng)).then(|| pick(rng, &ints) / 1_000))))
        }
        12 => {
            let zone = ["UTC", "+05:30", "Europe/Paris"][rng.below(3)];
            let values = (0..n).map(|_| (!null(rng)).then(|| pick(rng, &ints) / 1_000_000));
            Arc::new(TimestampMicrosecondArray::from_iter(values).with_timezone(zone))
        }
        13 => Arc::new(TimestampSecondArray::from_iter(
            (0..n).map(|_| (!null(rng)).then(|| pick(rng, &[0, -62_135_596_800, 253_402_300_799, 1]))),
        )),
        14 => {
            let values = (0..n).map(|_| (!null(rng)).then(|| pick(rng, &ints) as i128));
            let decimals =
                Decimal128Array::from_iter(values).with_precision_and_scale(38, rng.below(10) as i8);
            Arc::new(decimals.unwrap_or_else(|e| panic!("{e}")))
        }
        15 => Arc::new(NullArray::new(n)),
        _ => {
            let values: Vec<Option<Vec<Option<i32>>>> =
                (0..n).map(|_| (!null(rng)).then(|| vec![Some(1), None])).collect();
            Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(values))
        }
    };
    let nested = matches!(array.data_type(), DataType::List(_));
    (array.data_type().clone(), array, nested)
}

/// A random table written as Parquet with random settings: the bytes, its rows and columns, and
/// whether it holds a column a reader must refuse.
fn random_file(rng: &mut SplitMix64) -> (Vec<u8>, usize, usize, bool) {
    let n = rng.below(40);
    let k = 1 + rng.below(6);
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    let mut refused = false;
    for j in 0..k {
        let (t, array, nested) = column(rng, n);
        refused |= nested;
        let name = if rng.below(6) == 0 { TEXT[rng.below(TEXT.len())].to_string() } else { format!("c{j}") };
        fields.push(Field::new(format!("{name}{j}"), t, true));
        columns.push(array);
    }
    let batch =
        RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap_or_else(|e| panic!("{e}"));
    let compression = [
        Compression::UNCOMPRESSED,
        Compression::SNAPPY,
        Compression::GZIP(GzipLevel::default()),
        Compression::LZ4_RAW,
    ][rng.below(4)];
    let props = WriterProperties::builder()
        .set_compression(compression)
        .set_dictionary_enabled(rng.below(2) == 0)
        .set_max_row_group_row_count(Some(1 + rng.below(20)))
        .set_data_page_row_count_limit(1 + rng.below(8))
        .set_writer_version(if rng.below(2) == 0 {
            WriterVersion::PARQUET_1_0
        } else {
            WriterVersion::PARQUET_2_0
        })
        .build();
    let options =
        ArrowWriterOptions::new().with_properties(props).with_skip_arrow_metadata(rng.below(3) == 0);
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new_with_options(&mut bytes, batch.schema(), options)
        .unwrap_or_else(|e| panic!("{e}"));
    writer.write(&batch).unwrap_or_else(|e| panic!("{e}"));
    writer.close().unwrap_or_else(|e| panic!("{e}"));
    (bytes, n, k, refused)
}

/// Random edits, most of them in the last 300 bytes (the footer and the pages before it).
fn damage(rng: &mut SplitMix64, bytes: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(6) {
        let len = bytes.len().max(1);
        let at = if rng.below(4) > 0 { len - 1 - rng.below(len.min(300)) } else { rng.below(len) };
        let at = at.min(bytes.len());
        match rng.below(5) {
            0 if at < bytes.len() => bytes[at] = rng.next_u64() as u8,
            1 => bytes.insert(at, rng.next_u64() as u8),
            2 if at < bytes.len() => {
                bytes.remove(at);
            }
            3 if at + 4 <= bytes.len() => {
                bytes[at..at + 4].copy_from_slice(&(rng.next_u64() as u32).to_le_bytes())
            }
            _ => bytes.truncate(at.max(1)),
        }
    }
}

#[test]
fn random_parquet_schemas_read_as_one_text_record_per_row() {
    let mut rng = SplitMix64::new(0x5eed_0a11);
    let (mut read, mut refused) = (0, 0);
    for case in 0..cases() {
        let (bytes, n, k, nested) = random_file(&mut rng);
        match to_csv(&bytes) {
            Ok(text) => {
                assert!(!nested, "case {case}: a nested column was read");
                let mut reader =
                    csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
                let records: Vec<csv::StringRecord> =
                    reader.records().map(|r| r.unwrap_or_else(|e| panic!("case {case}: {e}"))).collect();
                assert_eq!(records.len(), n + 1, "case {case}: one record per row and the header\n{text}");
                assert!(records.iter().all(|r| r.len() == k), "case {case}: {k} fields each\n{text}");
                read += 1;
            }
            Err(e) => {
                assert!(nested, "case {case}: a flat file was refused: {e}");
                assert!(e.to_string().contains("lists"), "case {case}: {e}");
                refused += 1;
            }
        }
    }
    eprintln!("{read} files read, {refused} refused for a nested column");
    assert!(read > 0 && refused > 0);
}

#[test]
fn damaged_parquet_files_end_in_text_or_an_error() {
    let mut rng = SplitMix64::new(0x0da3_a6ed);
    let (mut read, mut refused) = (0, 0);
    for _ in 0..cases() {
        let (mut bytes, _, _, _) = random_file(&mut rng);
        damage(&mut rng, &mut bytes);
        match to_csv(&bytes) {
            Ok(_) => read += 1,
            Err(e) => {
                assert!(!e.to_string().is_empty());
                refused += 1;
            }
        }
    }
    eprintln!("{read} damaged files read, {refused} refused");
    assert!(refused > 0);
}

//! Parquet in and out of the `segment` binary: a file with every flat column type a customer table has
//! (integers, floats with nulls, text with commas and quotes, booleans, dates, timestamps, decimals,
//! dictionary text) is fitted and applied like its CSV twin, and the labeled Parquet keeps the input's
//! types and values; damaged and nested files end in a clear message, never a panic.

use arrow_array::builder::{Decimal128Builder, StringDictionaryBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Date64Array, Float32Array, Float64Array, Int64Array,
    LargeStringArray, ListArray, RecordBatch, StringArray, StringViewArray, TimestampMillisecondArray,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::Arc;

fn segment(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_segment")).args(args).output().unwrap_or_else(|e| panic!("{e}"))
}

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("segment-parquet-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write_parquet(path: &PathBuf, batch: &RecordBatch) {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{e}"));
    let mut writer = ArrowWriter::try_new(file, batch.schema(), None).unwrap_or_else(|e| panic!("{e}"));
    writer.write(batch).unwrap_or_else(|e| panic!("{e}"));
    writer.close().unwrap_or_else(|e| panic!("{e}"));
}

fn read_parquet(path: &PathBuf) -> RecordBatch {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{e}"));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(1 << 20).build())
        .unwrap_or_else(|e| panic!("{e}"));
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap_or_else(|e| panic!("{e}"))).collect();
    arrow_select_concat(&batches)
}

fn arrow_select_concat(batches: &[RecordBatch]) -> RecordBatch {
    assert_eq!(batches.len(), 1, "one batch expected");
    batches[0].clone()
}

/// 600 customers in three groups, every column type, and their CSV twin written by hand.
fn customers(dir: &std::path::Path) -> (PathBuf, PathBuf) {
    let n = 600;
    let group = |i: usize| i % 3;
    let ids: Vec<String> = (0..n).map(|i| format!("C{i:04}")).collect();
    let visits: Vec<i64> = (0..n).map(|i| [3, 20, 45][group(i)] + (i % 7) as i64).collect();
    let spend: Vec<Option<f64>> = (0..n)
        .map(|i| {
            if i % 41 == 0 {
                None
            } else {
                Some([40.5, 600.25, 2500.125][group(i)] + (i % 11) as f64 * 0.1)
            }
        })
        .collect();
    let member: Vec<bool> = (0..n).map(|i| i % 2 == 0).collect();
    let joined: Vec<i32> = (0..n).map(|i| 19_000 + i as i32).collect();
    let seen: Vec<i64> = (0..n).map(|i| 1_700_000_000_000 + i as i64 * 86_400_123).collect();
    let notes: Vec<String> = (0..n).map(|i| format!("note {i}, \"quoted\"")).collect();
    let mut balance =
        Decimal128Builder::new().with_precision_and_scale(12, 2).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..n {
        balance.append_value(((i * 137) % 10_000) as i128 - 500);
    }
    let mut region = StringDictionaryBuilder::<Int32Type>::new();
    for i in 0..n {
        region.append_value(["north", "south", "east"][i % 3]);
    }
    let columns: Vec<(&str, ArrayRef)> = vec![
        ("customer_id", Arc::new(StringArray::from(ids.clone()))),
        ("visits", Arc::new(Int64Array::from(visits.clone()))),
        ("spend", Arc::new(Float64Array::from(spend.clone()))),
        ("member", Arc::new(BooleanArray::from(member.clone()))),
        ("joined", Arc::new(Date32Array::from(joined.clone()))),
        ("last_seen", Arc::new(TimestampMillisecondArray::from(seen.clone()))),
        ("note", Arc::new(StringArray::from(notes.clone()))),
        ("balance", Arc::new(balance.finish())),
        ("region", Arc::new(region.finish())),
    ];
    let batch = RecordBatch::try_from_iter(columns).unwrap_or_else(|e| panic!("{e}"));
    let parquet = dir.join("customers.parquet");
    write_parquet(&parquet, &batch);

    let mut csv = String::from("customer_id,visits,spend,member,joined,last_seen,note,balance,region\n");
    for i in 0..n {
        let date = batch.column(4).as_any().downcast_ref::<Date32Array>().and_then(|a| a.value_as_date(i));
        let time = batch
            .column(5)
            .as_any()
            .downcast_ref::<TimestampMillisecondArray>()
            .and_then(|a| a.value_as_datetime(i));
        let cents = ((i * 137) % 10_000) as i64 - 500;
        let balance =
            format!("{}{}.{:02}", if cents < 0 { "-" } else { "" }, cents.abs() / 100, cents.abs() % 100);
        csv.push_str(&format!(
            "{},{},{},{},{},{},\"{}\",{balance},{}\n",
            ids[i],
            visits[i],
            spend[i].map(|v| v.to_string()).unwrap_or_default(),
            member[i],
            date.map(|d| d.to_string()).unwrap_or_default(),
            time.map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string()).unwrap_or_default(),
            notes[i].replace('"', "\"\""),
            ["north", "south", "east"][i % 3],
        ));
    }
    let twin = dir.join("customers.csv");
    std::fs::write(&twin, csv).unwrap_or_else(|e| panic!("{e}"));
    (parquet, twin)
}

#[test]
fn a_parquet_file_is_fitted_and_applied_like_its_csv_twin_and_keeps_its_types() {
    let dir = workdir("twin");
    let (parquet, twin) = customers(&dir);
    let (parquet_s, twin_s) = (parquet.to_string_lossy(), twin.to_string_lossy());
    let out = segment(&["suggest", &twin_s]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let settings = dir.join("settings.json");
    std::fs::write(&settings, &out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let suggested_from_parquet = segment(&["suggest", &parquet_s]);
    assert_eq!(text(&suggested_from_parquet.stdout), text(&out.stdout), "the same settings suggested");

    let (m_csv, m_parquet) = (dir.join("m-csv.json"), dir.join("m-parquet.json"));
    for (data, model) in [(&twin_s, &m_csv), (&parquet_s, &m_parquet)] {
        let out = segment(&[
            "fit",
            data,
            "--settings",
            &settings.to_string_lossy(),
            "-o",
            &model.to_string_lossy(),
        ]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let model = |p: &PathBuf| {
        let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        v["training"]["file_name"] = serde_json::Value::Null;
        v
    };
    assert_eq!(model(&m_csv), model(&m_parquet), "the Parquet file fits the CSV twin's model");

    let (out_csv, out_parquet) = (dir.join("out.csv"), dir.join("out.parquet"));
    let out = segment(&["apply", &m_csv.to_string_lossy(), &twin_s, "-o", &out_csv.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out =
        segment(&["apply", &m_parquet.to_string_lossy(), &parquet_s, "-o", &out_parquet.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let labeled = read_parquet(&out_parquet);
    let input = read_parquet(&parquet);
    assert_eq!(labeled.num_rows(), 600);
    // The input's columns come back with their types and values (dictionary text as a dictionary).
    for (j, field) in input.schema().fields().iter().enumerate() {
        let got = labeled.column(j);
        let want = input.column(j);
        assert_eq!(got.data_type(), field.data_type(), "{}", field.name());
        assert_eq!(got.to_data(), want.to_data(), "{} keeps its values", field.name());
    }
    assert!(input.schema().fields().iter().any(|f| matches!(f.data_type(), DataType::Dictionary(_, _))));
    // The segments equal the CSV twin's, row for row.
    let csv_text = std::fs::read_to_string(&out_csv).unwrap_or_default();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let want: Vec<(String, String)> = reader
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .map(|r| (r[r.len() - 2].to_string(), r[r.len() - 1].to_string()))
        .collect();
    let n = labeled.num_columns();
    let segment_ids =
        labeled.column(n - 2).as_any().downcast_ref::<Int64Array>().map(|a| a.iter().collect::<Vec<_>>());
    let name =
        labeled.column(n - 1).as_any().downcast_ref::<StringArray>().map(|a| a.iter().collect::<Vec<_>>());
    let (Some(segments), Some(name)) = (segment_ids, name) else {
        panic!("segment columns of the wrong type")
    };
    let got: Vec<(String, String)> = segments
        .iter()
        .zip(&name)
        .map(|(s, n)| (s.map(|s| s.to_string()).unwrap_or_default(), n.unwrap_or_default().to_string()))
        .collect();
    assert_eq!(got, want);
    assert!(got.iter().map(|g| &g.1).collect::<std::collections::HashSet<_>>().len() >= 2, "{got:?}");

    // A CSV input written as Parquet: its columns stay text, exactly as in the file.
    let from_csv = dir.join("from-csv.parquet");
    let out = segment(&["apply", &m_csv.to_string_lossy(), &twin_s, "-o", &from_csv.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let labeled = read_parquet(&from_csv);
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> =
        reader.records().map(|r| r.unwrap_or_else(|e| panic!("{e}"))).collect();
    for j in 0..labeled.num_columns() - 2 {
        let column = labeled.column(j).as_any().downcast_ref::<StringArray>();
        let Some(column) = column else { panic!("column {j} is not text") };
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(column.value(i), &row[j], "row {i} column {j}");
        }
    }
    assert_eq!(labeled.column(labeled.num_columns() - 2).data_type(), &DataType::Int64);
}

#[test]
fn damaged_and_nested_parquet_files_are_refused_clearly() {
    let dir = workdir("bad");
    let (parquet, _) = customers(&dir);
    let bytes = std::fs::read(&parquet).unwrap_or_default();
    let model = dir.join("m.json");
    let out = segment(&["fit", &parquet.to_string_lossy(), "-o", &model.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Cut short, or with bytes changed here and there: a message, an exit code, no panic.
    let cut = dir.join("cut.parquet");
    for (i, len) in [4, 100, bytes.len() / 2, bytes.len() - 9].into_iter().enumerate() {
        std::fs::write(&cut, &bytes[..len]).unwrap_or_else(|e| panic!("{e}"));
        for args in [
            vec!["fit", &*cut.to_string_lossy(), "-o", &*dir.join(format!("x{i}.json")).to_string_lossy()]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>(),
            vec![
                "apply".into(),
                model.to_string_lossy().into(),
                cut.to_string_lossy().into(),
                "-o".into(),
                "-".into(),
            ],
        ] {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = segment(&args);
            let log = text(&out.stderr);
            assert!(!out.status.success(), "{args:?} succeeded on a damaged file");
            assert!(!log.contains("panicked"), "{args:?}: {log}");
            assert!(log.contains("Parquet"), "{args:?}: {log}");
        }
    }
    let mut state = 7u64;
    for round in 0..40 {
        let mut damaged = bytes.clone();
        for _ in 0..8 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let at = 4 + (state >> 33) as usize % (damaged.len() - 8);
            damaged[at] = (state >> 13) as u8;
        }
        std::fs::write(&cut, &damaged).unwrap_or_else(|e| panic!("{e}"));
        let out = segment(&["apply", &model.to_string_lossy(), &cut.to_string_lossy(), "-o", "-"]);
        let log = text(&out.stderr);
        assert!(!log.contains("panicked"), "round {round}: {log}");
    }

    // A list column: refused with its name.
    let values = Int64Array::from(vec![1, 2, 3, 4]);
    let offsets = arrow_buffer_offsets(&[0, 2, 4]);
    let list = ListArray::try_new(
        Arc::new(Field::new("item", DataType::Int64, true)),
        offsets,
        Arc::new(values),
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let batch = RecordBatch::try_new(
        Arc::new(Schema::new(vec![
            Field::new("visits", DataType::Float64, true),
            Field::new("orders", list.data_type().clone(), true),
        ])),
        vec![Arc::new(Float64Array::from(vec![1.0, 2.0])), Arc::new(list)],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let nested = dir.join("nested.parquet");
    write_parquet(&nested, &batch);
    let out = segment(&["suggest", &nested.to_string_lossy()]);
    let log = text(&out.stderr);
    assert!(!out.status.success());
    assert!(log.contains("\"orders\"") && log.contains("lists"), "{log}");
}

fn arrow_buffer_offsets(offsets: &[i32]) -> arrow_buffer::OffsetBuffer<i32> {
    arrow_buffer::OffsetBuffer::new(offsets.to_vec().into())
}

/// A small dictionary-encoded file that decodes to far more text than it could hold (one 10 KB value
/// repeated 60,000 times: about 600 MB from a file of kilobytes) stops `apply` at the stated limit,
/// counted as decoded, and leaves no output behind.
#[test]
fn a_parquet_file_that_decodes_to_far_more_than_its_size_stops_apply_at_the_limit() {
    let dir = workdir("bomb");
    let model = visits_and_spend_model(&dir);

    let batch = one_note_repeated(60_000, 10_000);
    let bomb = dir.join("bomb.parquet");
    write_parquet(&bomb, &batch);
    let size = std::fs::metadata(&bomb).map(|m| m.len()).unwrap_or(u64::MAX);
    assert!(size < 1_000_000, "the file is small: {size} bytes");

    let output = dir.join("applied.csv");
    let out = segment(&[
        "apply",
        &model.to_string_lossy(),
        &bomb.to_string_lossy(),
        "-o",
        &output.to_string_lossy(),
    ]);
    let log = text(&out.stderr);
    assert!(!out.status.success(), "{log}");
    assert!(
        log.contains("The Parquet file's rows as text") && log.contains("536 MB") && !log.contains("CSV"),
        "{log}"
    );
    assert!(!output.exists(), "a failed apply leaves no output");
}

/// Timestamps with a named zone (pandas' and pyarrow's default, `timestamp[tz=UTC]`) go through
/// `apply -o x.parquet` as the same instants.
/// `n` customers in three groups by visits and spend, and one more column to carry through.
fn three_groups_with(n: usize, name: &str, column: ArrayRef) -> RecordBatch {
    RecordBatch::try_from_iter([
        (
            "visits",
            Arc::new(Int64Array::from(
                (0..n).map(|i| [3, 20, 45][i % 3] + (i % 5) as i64).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "spend",
            Arc::new(Float64Array::from(
                (0..n).map(|i| [10.0, 200.0, 900.0][i % 3] + i as f64).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (name, column),
    ])
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Writes `batch` as Parquet in `dir`, fits a model on it and applies the model to it with a Parquet
/// output: the output read back.
fn fit_and_apply(dir: &std::path::Path, batch: &RecordBatch) -> RecordBatch {
    let data = dir.join("data.parquet");
    write_parquet(&data, batch);
    let model = dir.join("model.json");
    let out = segment(&["fit", &data.to_string_lossy(), "-o", &model.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let output = dir.join("applied.parquet");
    apply_to(&model, &data, &output);
    read_parquet(&output)
}

/// `segment apply model data -o output`, which must succeed.
fn apply_to(model: &std::path::Path, data: &std::path::Path, output: &std::path::Path) {
    let args = ["apply", &model.to_string_lossy(), &data.to_string_lossy(), "-o", &output.to_string_lossy()];
    let out = segment(&args.iter().map(|a| a.as_ref()).collect::<Vec<&str>>());
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn timestamps_with_a_named_zone_are_applied_to_parquet_as_the_same_instants() {
    let dir = workdir("tz");
    let n = 90;
    let millis: Vec<i64> = (0..n).map(|i| 1_700_000_000_000 + i as i64 * 3_600_000).collect();
    let batch = three_groups_with(
        n,
        "seen",
        Arc::new(TimestampMillisecondArray::from(millis.clone()).with_timezone("UTC")),
    );
    let back = fit_and_apply(&dir, &batch);
    let seen = back.column(2);
    assert_eq!(
        seen.data_type(),
        &DataType::Timestamp(arrow_schema::TimeUnit::Millisecond, Some("UTC".into()))
    );
    let seen = seen
        .as_any()
        .downcast_ref::<TimestampMillisecondArray>()
        .unwrap_or_else(|| panic!("not milliseconds"));
    assert_eq!(seen.values().to_vec(), millis);
}

#[test]
fn dates_before_year_one_and_after_9999_are_applied_to_parquet_as_they_were() {
    let dir = workdir("old-dates");
    let n = 90;
    // 0001-01-01 is day -719,162 of the Unix epoch: a few days of year -1 and of year 0, one of 10000.
    let days: Vec<i32> =
        (0..n).map(|i| if i == 89 { 2_932_897 } else { -719_162 - 400 + i as i32 * 5 }).collect();
    let batch = three_groups_with(n, "founded", Arc::new(Date32Array::from(days.clone())));
    let back = fit_and_apply(&dir, &batch);
    let founded =
        back.column(2).as_any().downcast_ref::<Date32Array>().unwrap_or_else(|| panic!("not dates"));
    assert_eq!(founded.values().to_vec(), days);
}

/// Every value of a Parquet input comes back from `apply -o x.parquet` exactly as it was, in its own
/// type: empty text apart from null, 16-bit floats, a zone named, dates as milliseconds, large and
/// view text; a row of nulls stays a row (text framing would skip it as a blank line), and rows line up
/// across row groups and batches of different sizes.
#[test]
fn every_value_of_a_parquet_input_comes_back_exactly_and_no_row_is_skipped() {
    let dir = workdir("exact");
    let n = 20_000;
    let blank = |i: usize| i == 7 || i == 8_191 || i == 15_000;
    let visits: Vec<Option<i64>> =
        (0..n).map(|i| (!blank(i)).then(|| [3, 20, 45][i % 3] + (i % 5) as i64)).collect();
    let spend: Vec<Option<f64>> =
        (0..n).map(|i| (!blank(i)).then(|| [10.0, 200.0, 900.0][i % 3] + (i % 97) as f64)).collect();
    let note: Vec<Option<String>> = (0..n)
        .map(|i| match i % 4 {
            _ if blank(i) => None,
            0 => Some(String::new()),
            1 => None,
            2 => Some(format!("n{i}, \"quoted\"")),
            _ => Some("note".into()),
        })
        .collect();
    let half: Vec<Option<f32>> =
        (0..n).map(|i| (!blank(i)).then(|| [0.1f32, 65504.0, -2.5e-5][i % 3])).collect();
    let half =
        arrow_cast::cast(&Float32Array::from(half), &DataType::Float16).unwrap_or_else(|e| panic!("{e}"));
    let millis: Vec<Option<i64>> =
        (0..n).map(|i| (!blank(i)).then(|| 1_700_000_000_000 + i as i64)).collect();
    let large: Vec<Option<String>> =
        (0..n).map(|i| (!blank(i)).then(|| ["", "a"][i % 2].to_string())).collect();
    let batch = RecordBatch::try_from_iter([
        ("visits", Arc::new(Int64Array::from(visits)) as ArrayRef),
        ("spend", Arc::new(Float64Array::from(spend)) as ArrayRef),
        ("note", Arc::new(StringArray::from(note.clone())) as ArrayRef),
        ("half", half),
        (
            "seen",
            Arc::new(TimestampMillisecondArray::from(millis.clone()).with_timezone("Europe/Paris"))
                as ArrayRef,
        ),
        ("day", Arc::new(Date64Array::from(millis)) as ArrayRef),
        ("large", Arc::new(LargeStringArray::from(large)) as ArrayRef),
        ("view", Arc::new(StringViewArray::from(note)) as ArrayRef),
    ])
    .unwrap_or_else(|e| panic!("{e}"));
    let data = dir.join("data.parquet");
    let file = std::fs::File::create(&data).unwrap_or_else(|e| panic!("{e}"));
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(3_000))
        .build();
    let mut writer =
        ArrowWriter::try_new(file, batch.schema(), Some(props)).unwrap_or_else(|e| panic!("{e}"));
    writer.write(&batch).unwrap_or_else(|e| panic!("{e}"));
    writer.close().unwrap_or_else(|e| panic!("{e}"));

    let model = visits_and_spend_model(&dir);
    let (labeled, labeled_csv) = (dir.join("applied.parquet"), dir.join("applied.csv"));
    for output in [&labeled, &labeled_csv] {
        apply_to(&model, &data, output);
    }
    let back = read_all(&labeled);
    assert_eq!(back.num_rows(), n, "every row, the rows of nulls too");
    for (j, field) in batch.schema().fields().iter().enumerate() {
        assert_eq!(back.schema().field(j).data_type(), field.data_type(), "{}", field.name());
        assert_eq!(back.column(j).to_data(), batch.column(j).to_data(), "{} keeps its values", field.name());
    }
    // The segments are the labeled CSV's, row for row; a row of nulls has none.
    let csv_text = std::fs::read_to_string(&labeled_csv).unwrap_or_default();
    let want: Vec<Option<i64>> = csv::Reader::from_reader(csv_text.as_bytes())
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .map(|r| r[r.len() - 2].parse().ok())
        .collect();
    let segments = back.column(8).as_any().downcast_ref::<Int64Array>().map(|a| a.iter().collect::<Vec<_>>());
    assert_eq!(segments.as_ref(), Some(&want));
    assert_eq!(want.len(), n);
    assert!(want[7].is_none() && want[8_191].is_none() && want[1].is_some(), "{:?}", &want[..10]);
}

/// `n` rows of one customer (visits 5, spend 100) with a note of `len` bytes stored once in a
/// dictionary.
fn one_note_repeated(n: usize, len: usize) -> RecordBatch {
    let note = "y".repeat(len);
    let mut notes = StringDictionaryBuilder::<Int32Type>::new();
    for _ in 0..n {
        notes.append_value(&note);
    }
    RecordBatch::try_from_iter([
        ("visits", Arc::new(Int64Array::from(vec![5i64; n])) as ArrayRef),
        ("spend", Arc::new(Float64Array::from(vec![100.0; n])) as ArrayRef),
        ("note", Arc::new(notes.finish()) as ArrayRef),
    ])
    .unwrap_or_else(|e| panic!("{e}"))
}

/// A model fitted on 300 customers in three groups by visits and spend (a CSV file in `dir`).
fn visits_and_spend_model(dir: &std::path::Path) -> PathBuf {
    let train = dir.join("train.csv");
    let mut csv = String::from("visits,spend,note\n");
    for i in 0..300 {
        csv.push_str(&format!("{},{},x\n", [3, 20, 45][i % 3] + i % 7, [10, 200, 900][i % 3] + i % 11));
    }
    std::fs::write(&train, csv).unwrap_or_else(|e| panic!("{e}"));
    let model = dir.join("model.json");
    let out = segment(&["fit", &train.to_string_lossy(), "-o", &model.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    model
}

/// The whole file, however many batches.
fn read_all(path: &PathBuf) -> RecordBatch {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{e}"));
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .unwrap_or_else(|e| panic!("{e}"));
    let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap_or_else(|e| panic!("{e}"))).collect();
    let schema = batches.first().map(|b| b.schema()).unwrap_or_else(|| panic!("no rows"));
    arrow_select::concat::concat_batches(&schema, &batches).unwrap_or_else(|e| panic!("{e}"))
}

/// One 4 MB value stored once in a dictionary and repeated on 2,000 rows (8 GB as text, from a file of
/// a few hundred kilobytes that declares the column plain text): read as text a batch at a time, it
/// would take 8 GB at once. `apply` stops at the stated limit with a message, in far less memory, and
/// leaves no output.
#[test]
fn a_long_value_repeated_from_a_dictionary_stops_at_the_limit_without_running_out_of_memory() {
    let dir = workdir("dictionary-bomb");
    let model = visits_and_spend_model(&dir);

    let batch = one_note_repeated(2_000, 4_000_000);
    let bomb = dir.join("bomb.parquet");
    let file = std::fs::File::create(&bomb).unwrap_or_else(|e| panic!("{e}"));
    let props = parquet::file::properties::WriterProperties::builder()
        .set_compression(parquet::basic::Compression::SNAPPY)
        .set_dictionary_page_size_limit(8_000_000)
        .build();
    // Without the Arrow schema, the file says "text" (the reader finds the dictionary by itself).
    let options = parquet::arrow::arrow_writer::ArrowWriterOptions::new()
        .with_properties(props)
        .with_skip_arrow_metadata(true);
    let mut writer =
        ArrowWriter::try_new_with_options(file, batch.schema(), options).unwrap_or_else(|e| panic!("{e}"));
    writer.write(&batch).unwrap_or_else(|e| panic!("{e}"));
    writer.close().unwrap_or_else(|e| panic!("{e}"));
    let size = std::fs::metadata(&bomb).map(|m| m.len()).unwrap_or(u64::MAX);
    assert!(size < 2_000_000, "the file is small: {size} bytes");

    // Under a 3 GB address-space limit: a batch of the value as text would need 8 GB.
    for output in ["applied.csv", "applied.parquet"] {
        let output = dir.join(output);
        let command = format!(
            "ulimit -v 3000000; exec '{}' apply '{}' '{}' -o '{}'",
            env!("CARGO_BIN_EXE_segment"),
            model.display(),
            bomb.display(),
            output.display()
        );
        let out = Command::new("sh").arg("-c").arg(&command).output().unwrap_or_else(|e| panic!("{e}"));
        let log = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{log}");
        assert!(log.contains("The Parquet file's rows as text") && log.contains("536 MB"), "{log}");
        assert!(!output.exists(), "a failed apply leaves no output");
    }
}

/// A file the fuzz found (tests/data/damaged_page.parquet: a page whose bit width is past
/// 64) makes the parquet crate assert: `suggest` and `fit` end in the file's message and exit code 3,
/// without a panic's report.
#[test]
fn a_page_that_makes_the_decoder_panic_ends_in_a_message() {
    let dir = workdir("decoder-panic");
    let file = format!("{}/tests/data/damaged_page.parquet", env!("CARGO_MANIFEST_DIR"));
    let model = dir.join("m.json");
    for args in [vec!["suggest", &file], vec!["fit", &file, "-o", &*model.to_string_lossy()]] {
        let out = segment(&args);
        let log = text(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{log}");
        assert!(log.contains("the Parquet decoder failed on damaged data"), "{log}");
        assert!(!log.contains("panicked"), "{log}");
    }
}

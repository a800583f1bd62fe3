//! The corpus of nasty files under tests/fixtures/nasty: each file's expected schema (column types as
//! the schema table words them), rows, encoding and delimiter are in `expected.json`, written by hand
//! from what each file holds. Every file also segments by the automatic choice, and a file generated with
//! known groups gives exactly those groups.

use segment_core::auto::choose;
use segment_core::ingest::read_csv;
use segment_core::pipeline::summarize;
use serde_json::Value;

fn corpus() -> String {
    format!("{}/../../tests/fixtures/nasty", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_nasty_file_reads_as_expected() {
    let expected: Value = serde_json::from_slice(
        &std::fs::read(format!("{}/expected.json", corpus())).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or(Value::Null);
    let files = expected.as_object().unwrap_or_else(|| panic!("expected.json: an object per file"));
    assert!(files.len() >= 4);
    for (file, want) in files {
        let bytes = std::fs::read(format!("{}/{file}", corpus())).unwrap_or_else(|e| panic!("{file}: {e}"));
        let table = read_csv(&bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{file}: {e}"));
        let encoding = table.source.clone();
        let got: Vec<(String, String)> = table.info().into_iter().map(|c| (c.name, c.type_label)).collect();
        println!("{file}: {encoding}, {:?}, {} rows, {got:?}", table.delimiter as char, table.n_rows);
        assert_eq!(encoding, want["encoding"].as_str().unwrap_or_default(), "{file}");
        assert_eq!(
            (table.delimiter as char).to_string(),
            want["delimiter"].as_str().unwrap_or_default(),
            "{file}"
        );
        assert_eq!(table.n_rows as u64, want["rows"].as_u64().unwrap_or(0), "{file}");
        let want_types: Vec<(String, String)> = want["columns"]
            .as_array()
            .unwrap_or_else(|| panic!("{file}: columns"))
            .iter()
            .map(|c| (c[0].as_str().unwrap_or("").to_string(), c[1].as_str().unwrap_or("").to_string()))
            .collect();
        assert_eq!(got, want_types, "{file}");
        for (column, value) in want["first_values"].as_object().into_iter().flatten() {
            let c = table.column(column).unwrap_or_else(|| panic!("{file}: {column}"));
            assert_eq!(c.values.first(), value.as_f64(), "{file}: first value of {column}");
        }
        let summary = summarize(&table).unwrap_or_else(|e| panic!("{file}: {e}"));
        let (choice, r) =
            choose(&table, &summary.suggested, &mut |_, _| {}).unwrap_or_else(|e| panic!("{file}: {e}"));
        println!("  {}", choice.explanation);
        println!(
            "  features {:?} -> segments {:?}, noise {}",
            summary.suggested.features, r.segment_sizes, r.noise
        );
        assert!(r.segment_sizes.len() >= 2, "{file}: {:?}", r.segment_sizes);
        // Files generated with known groups must give exactly those groups by default.
        if let Some(sizes) = want["segments"].as_array() {
            let sizes: Vec<usize> = sizes.iter().filter_map(Value::as_u64).map(|v| v as usize).collect();
            assert_eq!(r.segment_sizes, sizes, "{file}");
        }
    }
}

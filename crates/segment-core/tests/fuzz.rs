//! Fuzzing (proptest): the reader, the workbook reader, the model loader and the settings a share link
//! carries, on generated and mutated inputs. Each input must end in a value or a clear error, never a
//! panic. Ignored in the regular test run; `scripts/fuzz.sh` runs 250,000 cases of each (10^6 inputs):
//! `FUZZ_CASES=250000 cargo test --release -p segment-core --test fuzz -- --ignored`.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use segment_core::ingest::{read_csv, spreadsheet};
use segment_core::model::SegmentModel;
use segment_core::spec::AnalysisSpec;

fn cases() -> u32 {
    std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000)
}

fn runner() -> TestRunner {
    TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() })
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_default()
}

/// A seed with random edits: bytes flipped, inserted, deleted, a cut at the end.
fn mutated(seed: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = seed.len().max(1);
    prop::collection::vec((0..len, any::<u8>(), 0u8..4), 1..12).prop_map(move |edits| {
        let mut bytes = seed.clone();
        for (at, byte, op) in edits {
            let at = at.min(bytes.len());
            match op {
                0 if at < bytes.len() => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                2 if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at.max(1)),
            }
        }
        bytes
    })
}

/// CSV-like text: cells from a vocabulary of what exports hold (and what breaks readers).
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let cell = prop::sample::select(vec![
        "",
        "1",
        "-2.5",
        "1,234.56",
        "1.234,56",
        "€ 12",
        "(3.5)",
        "45%",
        "1e308",
        "-1e309",
        "NaN",
        "inf",
        "NA",
        "?",
        "2024-02-30",
        "31/12/2023",
        "12/31/2023",
        "yes",
        "no",
        "ja",
        "\"a,b\"",
        "\"",
        "\"\"\"",
        "x\ny",
        "\u{feff}",
        "\u{0}",
        "é",
        "\u{fffd}",
        "=HYPERLINK(\"x\")",
        "#",
        "id",
        "0",
        "9999999999999999999999",
    ]);
    let sep = prop::sample::select(vec![",", ";", "\t", "|"]);
    let eol = prop::sample::select(vec!["\n", "\r\n", "\r"]);
    (sep, eol, prop::collection::vec(prop::collection::vec(cell, 0..7), 0..40)).prop_map(
        |(sep, eol, rows)| rows.iter().map(|r| r.join(sep)).collect::<Vec<_>>().join(eol).into_bytes(),
    )
}

/// The first 200 customers of a fixture: the file settings and models are tried on (small, so each
/// case runs in milliseconds).
fn small_file() -> Vec<u8> {
    let text = String::from_utf8(fixture("customers_2k.csv")).unwrap_or_default();
    text.lines().take(201).map(|l| format!("{l}\n")).collect::<String>().into_bytes()
}

fn read_everything(bytes: &[u8]) {
    if let Ok(table) = read_csv(bytes, &mut |_| {}) {
        let _ = segment_core::pipeline::summarize(&table);
    }
}

#[test]
#[ignore = "fuzzing: run by scripts/fuzz.sh"]
fn fuzz_the_reader() {
    let seeds = [
        "messy_export.csv",
        "customers_2k.csv",
        "nasty/eu_shop_cp1252.csv",
        "nasty/crm_utf16.tsv",
        "nasty/us_export.csv",
    ];
    let mut runner = runner();
    let strategy = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..600),
        csv_like(),
        prop::sample::select(seeds.to_vec())
            .prop_flat_map(|s| mutated(fixture(s)[..fixture(s).len().min(4_000)].to_vec())),
    ];
    runner
        .run(&strategy, |bytes| {
            read_everything(&bytes);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
#[ignore = "fuzzing: run by scripts/fuzz.sh"]
fn fuzz_the_workbook_reader() {
    let book = fixture("nasty/clientes.xlsx");
    let mut runner = runner();
    let strategy = prop_oneof![
        mutated(book.clone()),
        prop::collection::vec(any::<u8>(), 0..400).prop_map(|mut b| {
            b.splice(0..0, *b"PK\x03\x04");
            b
        }),
        prop::collection::vec(any::<u8>(), 0..400).prop_map(|mut b| {
            b.splice(0..0, *b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
            b
        }),
    ];
    runner
        .run(&strategy, |bytes| {
            let _ = spreadsheet::to_csv(&bytes);
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
#[ignore = "fuzzing: run by scripts/fuzz.sh"]
fn fuzz_the_model_loader() {
    let bytes = small_file();
    let table = read_csv(&bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut models = Vec::new();
    for method in segment_core::spec::Method::ALL {
        let mut spec = segment_core::pipeline::summarize(&table).unwrap_or_else(|e| panic!("{e}")).suggested;
        spec.method = method;
        spec.dbscan.eps = 0.5;
        if let Ok(result) = segment_core::pipeline::run(&table, &spec, &mut |_, _| {}) {
            if let Ok(model) = SegmentModel::from_result(&bytes, &table, &result, &[], "f.csv") {
                models.push(model.to_json().into_bytes());
            }
        }
    }
    assert!(models.len() >= 4);
    let mut runner = runner();
    let strategy = prop::sample::select(models).prop_flat_map(mutated);
    runner
        .run(&strategy, |json| {
            if let Ok(model) = SegmentModel::from_json(&String::from_utf8_lossy(&json)) {
                // A model that reads applies without a panic.
                let _ = segment_core::model::apply(&model, &bytes, &table, &[], &mut |_, _| {});
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
#[ignore = "fuzzing: run by scripts/fuzz.sh"]
fn fuzz_the_share_link_settings() {
    let bytes = small_file();
    let table = read_csv(&bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let spec = segment_core::pipeline::summarize(&table).unwrap_or_else(|e| panic!("{e}")).suggested;
    let seed = spec.to_json().into_bytes();
    let mut runner = runner();
    let numbers = prop::sample::select(vec![
        "0",
        "1",
        "-1",
        "1e308",
        "1e-320",
        "NaN",
        "null",
        "4294967296",
        "18446744073709551615",
        "99999",
    ]);
    let strategy = prop_oneof![
        mutated(seed.clone()),
        // A number of the settings replaced by an extreme one.
        (0..seed.len(), numbers).prop_map(move |(at, n)| {
            let text = String::from_utf8_lossy(&seed).into_owned();
            let digits: Vec<(usize, &str)> = text.match_indices(|c: char| c.is_ascii_digit()).collect();
            let (i, _) = digits[at % digits.len().max(1)];
            let end =
                text[i..].find(|c: char| !(c.is_ascii_digit() || c == '.')).map_or(text.len(), |e| i + e);
            format!("{}{n}{}", &text[..i], &text[end..]).into_bytes()
        }),
    ];
    runner
        .run(&strategy, |json| {
            if let Ok(spec) = AnalysisSpec::from_json(&String::from_utf8_lossy(&json)) {
                // Settings that read run, or say why not, on a real file.
                let _ = segment_core::pipeline::run(&table, &spec, &mut |_, _| {});
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

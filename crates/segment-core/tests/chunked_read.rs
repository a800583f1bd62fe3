//! Reading a file from where it lies, in chunks (`read_csv_source`: the page's `File`, the file on
//! disk), gives the table, row index and errors that reading its bytes gives, or declines (None) for a
//! file that is not UTF-8 as it is, which the session then reads whole. Every fixture, and files that
//! put characters, quoted line breaks and comment lines across the 1 MB chunks.

use segment_core::ingest::source::{FileSource, CHUNK_BYTES};
use segment_core::ingest::{read_csv_indexed, read_csv_source, walk, walk_csv, Text};
use segment_core::CoreError;

struct Memory(Vec<u8>);

impl FileSource for Memory {
    fn name(&self) -> String {
        "memory.csv".into()
    }
    fn size(&self) -> u64 {
        self.0.len() as u64
    }
    fn read(&self, start: u64, end: u64) -> Result<Vec<u8>, String> {
        self.0.get(start as usize..end as usize).map(<[u8]>::to_vec).ok_or_else(|| "past the end".into())
    }
}

/// Reads `bytes` both ways: Some(true) when the chunked read gave what the whole read gives, Some(false)
/// when it declined; a difference panics.
fn same_both_ways(what: &str, bytes: &[u8]) -> bool {
    let whole = read_csv_indexed(bytes, &mut |_| {}).map(|(table, rows)| format!("{table:?} {rows:?}"));
    let mut progress = Vec::new();
    let chunked = read_csv_source(&Memory(bytes.to_vec()), &mut |f| progress.push(f));
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{what}: progress {progress:?}");
    match chunked {
        Ok(Some((table, rows, offset))) => {
            let bom = if bytes.starts_with(b"\xef\xbb\xbf") { 3 } else { 0 };
            assert_eq!(offset, bom, "{what}");
            assert_eq!(Ok(format!("{table:?} {rows:?}")), whole.map_err(|e| e.to_string()), "{what}");
            true
        }
        Ok(None) => false,
        Err(e) => {
            assert_eq!(Err(e.to_string()), whole.map_err(|e| e.to_string()), "{what}");
            true
        }
    }
}

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let root = format!("{}/../../tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["", "/nasty", "/bad", "/hostile"] {
        let Ok(entries) = std::fs::read_dir(format!("{root}{dir}")) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() && path.extension().is_some_and(|e| e != "json") {
                let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                files.push((path.display().to_string(), bytes));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_fixture_reads_the_same_from_its_source() {
    let files = fixtures();
    assert!(files.len() >= 20, "{} fixtures", files.len());
    let mut declined = Vec::new();
    for (name, bytes) in &files {
        if !same_both_ways(name, bytes) {
            declined.push(name.rsplit('/').next().unwrap_or_default().to_string());
        }
    }
    // Declined: the files that are not UTF-8 as they are (read whole and decoded instead).
    declined.sort();
    let expected = [
        "clientes.xlsx",
        "crm_utf16.tsv",
        "eu_shop_cp1252.csv",
        "far_cell.xlsx",
        "repeated.ods",
        "stray_byte.csv",
        "string_bomb.xlsx",
    ];
    assert_eq!(declined, expected);
}

/// A file of `rows` customers, about 40 bytes a row, with a quoted line break and multi-byte characters
/// in every 97th row.
fn big_file(rows: usize, comments: usize, bom: bool) -> Vec<u8> {
    let mut text = String::new();
    if bom {
        text.push('\u{feff}');
    }
    for c in 0..comments {
        text.push_str(&format!("# export {c}\n"));
    }
    text.push_str("customer_id;name;spend;visits;joined\n");
    for r in 0..rows {
        let name = if r % 97 == 0 { format!("\"Zoë\nMüller €{r}\"") } else { format!("name {r}") };
        text.push_str(&format!(
            "C{r:07};{name};{},{:02};{};2024-{:02}-{:02}\n",
            r % 977,
            r % 100,
            r % 13,
            1 + r % 12,
            1 + r % 28
        ));
        if r % 5_000 == 4_999 {
            text.push('\n'); // a blank line now and then
        }
    }
    text.into_bytes()
}

#[test]
fn big_files_read_the_same_across_chunks() {
    for (rows, comments, bom) in [(60_000, 0, false), (60_000, 3, true), (55_000, 0, true)] {
        let bytes = big_file(rows, comments, bom);
        assert!(bytes.len() as u64 > 2 * CHUNK_BYTES, "{}", bytes.len());
        assert!(same_both_ways(&format!("{rows} rows"), &bytes));
    }
    // Every place a chunk can cut a multi-byte character: the file shifted by one to four bytes.
    for shift in 1..=4 {
        let mut bytes = big_file(55_000, 0, false);
        bytes.splice(0..0, std::iter::repeat_n(b' ', shift));
        assert!(same_both_ways(&format!("shift {shift}"), &bytes));
    }
}

#[test]
fn a_file_that_is_not_utf8_past_its_first_megabyte_is_declined_and_read_whole() {
    let mut bytes = big_file(60_000, 0, false);
    let at = bytes.len() - 100;
    bytes[at] = 0xe9; // a Latin-1 "é" near the end
    assert!(!same_both_ways("latin-1 at the end", &bytes));
    // Its whole read says what it found.
    let (table, _) = read_csv_indexed(&bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(table.source.contains('\u{FFFD}'), "{}", table.source);
}

#[test]
fn a_first_megabyte_of_comments_is_declined() {
    let mut bytes = Vec::new();
    while bytes.len() < 2 * CHUNK_BYTES as usize {
        bytes.extend_from_slice(b"# a very long preamble of comment lines\n");
    }
    bytes.extend_from_slice(&big_file(100, 0, false));
    assert!(!same_both_ways("comments", &bytes));
    assert!(read_csv_indexed(&bytes, &mut |_| {}).is_ok());
    // Read again from its source (an export): the same rows as from its bytes.
    let rows = |text: &Text<'_>| {
        let mut rows = Vec::new();
        walk(text, &mut |_| {}, &mut |r, line, at| rows.push((r.clone(), line, at))).map(|_| rows)
    };
    let source = Memory(bytes.clone());
    let streamed = Text::streamed(&source, 0, bytes.len() as u64).unwrap_or_else(|e| panic!("{e}"));
    let held = String::from_utf8(bytes.clone()).unwrap_or_default();
    let from_source = rows(&streamed).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(from_source.len(), 100);
    assert_eq!(Ok(from_source), rows(&Text::Held(&held)).map_err(|e| e.to_string()));
}

#[test]
fn an_export_reads_the_same_rows_from_the_source_as_from_the_bytes() {
    let bytes = big_file(60_000, 2, true);
    let source = Memory(bytes.clone());
    let streamed = Text::streamed(&source, 3, bytes.len() as u64 - 3).unwrap_or_else(|e| panic!("{e}"));
    let (mut a, mut b) = (Vec::new(), Vec::new());
    walk(&streamed, &mut |_| {}, &mut |r, line, at| a.push((r.clone(), line, at)))
        .unwrap_or_else(|e| panic!("{e}"));
    walk_csv(&bytes, &mut |_| {}, &mut |r, line, _| b.push((r.clone(), line)))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.len(), 60_000);
    assert!(a.iter().map(|(r, line, _)| (r, line)).eq(b.iter().map(|(r, line)| (r, line))));
    // A source whose size changed since: said, not read wrong.
    let grown = Memory([&bytes[..], b"\n"].concat());
    assert!(matches!(Text::streamed(&grown, 3, bytes.len() as u64 - 3), Err(CoreError::FileChanged { .. })));
}

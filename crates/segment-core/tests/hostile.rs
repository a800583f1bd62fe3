//! Hostile and extreme input: crafted files, settings and models end in a right result or a clear
//! message naming the problem, within the limits in `segment_core::limits`, never a panic, a hang or an
//! allocation the machine cannot hold. The page and the command line's streaming `apply` read every case
//! the same way (one decoder, one header rule, one row alignment).

use segment_core::auto::choose;
use segment_core::export::labeled_csv;
use segment_core::ingest::read_csv;
use segment_core::model::{apply_stream, sql, SegmentModel};
use segment_core::pipeline::{run, summarize};
use segment_core::spec::{AnalysisSpec, Method};
use segment_core::CoreError;

fn table(bytes: &[u8]) -> segment_core::ingest::Table {
    read_csv(bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"))
}

/// Three clear groups in `a` and `b`, `n` rows, with `extra` appended to each line.
fn groups_csv(n: usize) -> String {
    let mut text = String::from("id,a,b\n");
    for i in 0..n {
        let g = (i % 3) as f64;
        text.push_str(&format!(
            "c{i},{},{}\n",
            g * 10.0 + (i % 7) as f64 * 0.1,
            g * 5.0 + (i % 5) as f64 * 0.1
        ));
    }
    text
}

/// The page's export and the streaming apply of a model fitted by `spec` on `bytes`.
fn page_and_stream(bytes: &[u8], spec: &AnalysisSpec) -> (String, String) {
    let t = table(bytes);
    let result = run(&t, spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = result.profiles.iter().map(|p| p.suggested_name.clone()).collect();
    let page = labeled_csv(bytes, &result, &names).unwrap_or_else(|e| panic!("{e}"));
    let model =
        SegmentModel::from_result(bytes, &t, &result, &names, "f.csv").unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    apply_stream(&model, &[], &[], bytes, &mut out, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    (page, String::from_utf8(out).unwrap_or_else(|e| panic!("{e}")))
}

fn kmeans(features: &[&str], k: usize) -> AnalysisSpec {
    let mut spec = AnalysisSpec::original_project();
    spec.cleaning = segment_core::clean::CleaningRules::features_only();
    spec.features = features.iter().map(|f| f.to_string()).collect();
    spec.method = Method::KMeans;
    spec.kmeans.k = k;
    spec
}

#[test]
fn ragged_rows_keep_the_segment_columns_under_their_header() {
    let mut text = groups_csv(60);
    text.push_str("x1,0.1,0.2,surplus,more\n"); // 5 fields under 3
    text.push_str("x2,10.1\n"); // 2 fields under 3
    let (page, stream) = page_and_stream(text.as_bytes(), &kmeans(&["a", "b"], 3));
    assert_eq!(page, stream);
    let header: Vec<&str> = page.lines().next().unwrap_or_default().split(',').collect();
    assert_eq!(header, ["id", "a", "b", "segment", "segment_name"]);
    let rows: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(page.as_bytes())
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")))
        .collect();
    let long = rows.iter().find(|r| &r[0] == "x1").unwrap_or_else(|| panic!("x1"));
    assert_eq!(long.len(), 7, "{long:?}");
    assert!(long[3].parse::<usize>().is_ok(), "the segment under `segment`: {long:?}");
    assert_eq!((&long[5], &long[6]), ("surplus", "more"), "the surplus fields kept after: {long:?}");
    let short = rows.iter().find(|r| &r[0] == "x2").unwrap_or_else(|| panic!("x2"));
    assert_eq!(short.len(), 5, "{short:?}");
}

#[test]
fn a_file_without_a_header_keeps_every_row() {
    // Every data row equals the first line: none of them is a "repeated header".
    let mut text = String::new();
    for i in 0..30 {
        text.push_str(if i % 2 == 0 { "1.5,2.5,3\n" } else { "7.5,9.5,1\n" });
    }
    let t = table(text.as_bytes());
    assert_eq!(t.n_rows, 30);
    assert_eq!(t.repeated_headers, 0);
    assert_eq!(t.names(), ["column_1", "column_2", "column_3"]);
    assert!(t.source.contains("no header row"), "{}", t.source);
    let (page, stream) = page_and_stream(text.as_bytes(), &kmeans(&["column_1", "column_2"], 2));
    assert_eq!(page, stream);
    assert_eq!(page.lines().count(), 31);
    assert!(page.starts_with("column_1,column_2,column_3,segment,segment_name\n1.5,2.5,3,"));
}

#[test]
fn one_bad_byte_in_a_utf8_file_does_not_switch_its_encoding() {
    let mut bytes = b"name,amount,visits\n".to_vec();
    for i in 0..90 {
        bytes
            .extend_from_slice(format!("Zoë {i},\"€{},50\",{}\n", 10 + (i % 3) * 100, i % 3 * 10).as_bytes());
    }
    bytes.extend_from_slice(b"Stray \xff byte,\"\xe2\x82\xac12,50\",4\n");
    let t = table(&bytes);
    let amount = t.column("amount").unwrap_or_else(|| panic!("amount"));
    assert!(amount.is_numeric(), "{:?}", amount.kind);
    assert_eq!(amount.not_a_number, 0);
    assert_eq!(amount.values.at(90), 12.5);
    assert!(t.source.starts_with("UTF-8, 1 byte sequence"), "{}", t.source);
    let (page, stream) = page_and_stream(&bytes, &kmeans(&["amount", "visits"], 3));
    assert_eq!(page, stream);
    assert!(page.contains("Stray \u{FFFD} byte"));
}

#[test]
fn a_windows_1252_file_is_applied_as_the_page_reads_it() {
    let mut bytes = b"Kunde;Umsatz;Besuche\r\n".to_vec();
    for i in 0..300 {
        bytes.extend_from_slice(format!("K{i};").as_bytes());
        bytes.extend_from_slice(b"\x80 ");
        bytes.extend_from_slice(format!("{},50;{}\r\n", 100 + (i % 3) * 1000, i % 3 * 7).as_bytes());
    }
    let t = table(&bytes);
    assert_eq!(t.source, "windows-1252");
    let (page, stream) = page_and_stream(&bytes, &kmeans(&["Umsatz", "Besuche"], 3));
    assert_eq!(page, stream, "the command line writes what the page writes, in UTF-8");
    assert_eq!(stream.lines().filter(|l| !l.contains("dropped")).count(), 301);
    assert!(stream.contains("€ 100,50"));
}

#[test]
fn numbers_too_large_to_compute_with_are_reported_not_used() {
    let mut text = String::from("id,a,b\n");
    for i in 0..60 {
        let a = match i {
            5 => "1e160".to_string(),
            6 => "-1e308".to_string(),
            7 => "1e308".to_string(),
            _ => format!("{}", (i % 3) as f64 * 1e99),
        };
        text.push_str(&format!("c{i},{a},{}\n", (i % 3) * 4));
    }
    let t = table(text.as_bytes());
    let a = t.column("a").unwrap_or_else(|| panic!("a"));
    assert_eq!(a.not_a_number, 3);
    // Values up to 1e99, every method, every scaler: an answer or a message, never a panic or a loop.
    for scaler in segment_core::features::ScalerKind::ALL {
        // Every method but RFM's rules (which need its three columns).
        for method in Method::ALL.into_iter().filter(|&m| m != Method::Rfm) {
            let mut spec = kmeans(&["a", "b"], 3);
            spec.scaler = scaler;
            spec.method = method;
            spec.dbscan.eps = 0.5;
            spec.dbscan.min_samples = 3;
            match run(&t, &spec, &mut |_, _| {}) {
                Ok(r) => {
                    assert_eq!(r.rows_used, 57, "{method:?} {scaler:?}");
                    assert!(r.scores.davies_bouldin.is_none_or(f64::is_finite));
                    let json = serde_json::to_string(&r.result).unwrap_or_else(|e| panic!("{e}"));
                    let back = serde_json::from_str::<segment_core::pipeline::AnalysisResult>(&json);
                    assert!(back.is_ok(), "{method:?} {scaler:?}: {back:?}");
                }
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
    }
}

#[test]
fn identical_customers_cannot_make_more_segments_than_they_are() {
    let text: String =
        std::iter::once("a,b\n".to_string()).chain((0..500).map(|_| "3,4\n".to_string())).collect();
    let t = table(text.as_bytes());
    for method in Method::ALL.into_iter().filter(|m| m.uses_k()) {
        let mut spec = kmeans(&["a", "b"], 3);
        spec.method = method;
        spec.set_k(3);
        let err = run(&t, &spec, &mut |_, _| {}).err().unwrap_or_else(|| panic!("{method:?} ran"));
        assert!(err.to_string().contains("only 1 distinct combination"), "{err}");
    }
}

#[test]
fn settings_out_of_range_are_refused_before_any_work() {
    let t = table(groups_csv(90).as_bytes());
    let base = kmeans(&["a", "b"], 3);
    type Change = Box<dyn Fn(&mut AnalysisSpec)>;
    let cases: Vec<(&str, Change)> = vec![
        (
            "min_samples",
            Box::new(|s| {
                s.method = Method::Dbscan;
                s.dbscan.min_samples = 1;
                s.dbscan.eps = 1e-9;
            }),
        ),
        ("eps", Box::new(|s| s.dbscan.eps = f64::NAN)),
        ("n_init", Box::new(|s| s.kmeans.n_init = 100_000)),
        ("k (k-means)", Box::new(|s| s.kmeans.k = 5_000)),
        ("silhouette rows", Box::new(|s| s.silhouette_max_exact = 1_000_000_000)),
        ("features", Box::new(|s| s.features = (0..1_000).map(|i| format!("f{i}")).collect())),
    ];
    for (name, change) in cases {
        let mut spec = base.clone();
        change(&mut spec);
        match run(&t, &spec, &mut |_, _| {}) {
            Err(CoreError::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
            other => panic!("{name}: {other:?}"),
        }
        // From a share link or a settings file: refused when read, with the reason.
        let json = serde_json::to_string(&spec).unwrap_or_default();
        let read = AnalysisSpec::from_json(&json);
        // (A NaN eps is written as null: refused as not a number.)
        let named = |m: &str| m.contains(name) || (name == "eps" && m.contains("not a number"));
        assert!(matches!(read, Err(CoreError::BadSpec(ref m)) if named(m)), "{name}: {read:?}");
    }
}

#[test]
fn a_run_that_finds_too_many_segments_says_what_to_change() {
    // Pairs of equal rows far apart: a tiny eps and min_samples 2 make ~N/2 segments.
    let mut text = String::from("a,b\n");
    for i in 0..4_000 {
        let v = (i / 2) as f64;
        text.push_str(&format!("{v},{}\n", v * 3.0));
    }
    let t = table(text.as_bytes());
    let mut spec = kmeans(&["a", "b"], 3);
    spec.method = Method::Dbscan;
    spec.scaler = segment_core::features::ScalerKind::None;
    spec.dbscan.eps = 0.001;
    spec.dbscan.min_samples = 2;
    let err = run(&t, &spec, &mut |_, _| {}).err().unwrap_or_else(|| panic!("ran"));
    assert!(err.to_string().contains("2000 segments, more than the 1000"), "{err}");
}

#[test]
fn headers_and_cells_beyond_the_limits_are_refused_quickly() {
    // 10,000 copies of one name: refused by the column limit; 1,500 (under it) are renamed in linear time.
    let many = |n: usize| std::iter::repeat_n("x", n).collect::<Vec<_>>().join(",");
    let text = format!("{}\n{}\n", many(10_000), many(10_000).replace('x', "1"));
    assert!(matches!(read_csv(text.as_bytes(), &mut |_| {}), Err(CoreError::TooLarge { .. })));
    let text = format!("{}\n{}\n", many(1_500), many(1_500).replace('x', "1"));
    let t = table(text.as_bytes());
    assert_eq!(t.columns.len(), 1_500);
    assert_eq!(t.columns[1_499].name, "x_1500");
    // 100,000 distinct names.
    let names: Vec<String> = (0..100_000).map(|i| format!("c{i}")).collect();
    let text = format!("{}\n{}\n", names.join(","), vec!["1"; 100_000].join(","));
    let err = read_csv(text.as_bytes(), &mut |_| {}).err();
    assert!(err.as_ref().is_some_and(|e| e.to_string().contains("2000 columns")), "{err:?}");
    // A cell of 100 KB (an unbalanced quote swallowing lines).
    let text = format!("a,b\n1,2\n3,\"{}\n", "x\n".repeat(50_000));
    let err = read_csv(text.as_bytes(), &mut |_| {}).err();
    assert!(err.as_ref().is_some_and(|e| e.to_string().contains("unbalanced quote")), "{err:?}");
}

#[test]
fn wide_files_are_described_within_bounds() {
    // 1,500 numeric columns: the default features are capped, the dashboard describes at most 60.
    let cols = 1_500;
    let mut text = (0..cols).map(|i| format!("v{i}")).collect::<Vec<_>>().join(",");
    text.push('\n');
    for r in 0..40 {
        text.push_str(&(0..cols).map(|c| ((r * 7 + c * 3) % 11).to_string()).collect::<Vec<_>>().join(","));
        text.push('\n');
    }
    let t = table(text.as_bytes());
    let summary = summarize(&t).unwrap_or_else(|e| panic!("{e}"));
    assert!(summary.suggested.features.len() <= segment_core::limits::MAX_FEATURES);
    let (_, result) = choose(&t, &summary.suggested, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        result.explore.variables.len()
            <= segment_core::explore::EXPLORE_COLUMNS.max(result.spec.features.len())
    );
}

use segment_core::synth::{shared_strings as shared, workbook as xlsx};

#[test]
fn spreadsheet_bombs_are_refused_with_a_message() {
    // A well-formed workbook reads.
    let mut rows =
        String::from(r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>"#);
    for r in 2..=40 {
        rows.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}"><v>{}</v></c><c r="B{r}"><v>{}</v></c></row>"#,
            r % 3,
            r * 2
        ));
    }
    let book = xlsx(&rows, &mut shared(&["visits", "spend"]));
    let t = table(&book);
    assert_eq!((t.n_rows, t.names()), (39, vec!["visits".to_string(), "spend".to_string()]));

    // One cell at XFD1048576 (the farthest an .xlsx can reach): refused, not a 17-billion-cell grid.
    let err = read_csv(&hostile("far_cell.xlsx"), &mut |_| {}).err();
    assert!(err.as_ref().is_some_and(|e| e.to_string().contains("column 16384")), "{err:?}");
    // A shared string that decompresses to 600 MB from a file of 600 KB.
    let book = hostile("string_bomb.xlsx");
    assert!(book.len() < 1 << 20, "{} bytes", book.len());
    let err = read_csv(&book, &mut |_| {}).err();
    assert!(err.as_ref().is_some_and(|e| e.to_string().contains("decompressed")), "{err:?}");
    // An .ods row of 1,000 filled cells repeated a million times.
    let err = read_csv(&hostile("repeated.ods"), &mut |_| {}).err();
    assert!(err.as_ref().is_some_and(|e| e.to_string().contains("repeated rows and cells")), "{err:?}");
}

fn hostile(name: &str) -> Vec<u8> {
    segment_core::synth::hostile_files()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, b)| b)
        .unwrap_or_else(|| panic!("no hostile file {name}"))
}

#[test]
fn the_committed_hostile_fixtures_are_the_generated_ones() {
    // The browser tests upload tests/fixtures/hostile; examples/write_fixtures.rs writes them.
    for (name, bytes) in segment_core::synth::hostile_files() {
        let path = format!("{}/../../tests/fixtures/hostile/{name}", env!("CARGO_MANIFEST_DIR"));
        assert_eq!(
            std::fs::read(&path).ok(),
            Some(bytes),
            "{path}: run `cargo run -p segment-core --example write_fixtures -- tests/fixtures`"
        );
    }
}

#[test]
fn crafted_model_files_are_refused() {
    let bytes = groups_csv(90);
    let t = table(bytes.as_bytes());
    let fitted = |spec: AnalysisSpec| {
        let result = run(&t, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let model = SegmentModel::from_result(bytes.as_bytes(), &t, &result, &[], "f.csv")
            .unwrap_or_else(|e| panic!("{e}"));
        serde_json::to_value(&model).unwrap_or_else(|e| panic!("{e}"))
    };
    let kmeans_model = fitted(kmeans(&["a", "b"], 3));
    let mut mixture = kmeans(&["a", "b"], 3);
    mixture.method = Method::GaussianMixture;
    let mixture_model = fitted(mixture);
    let mut dbscan = kmeans(&["a", "b"], 3);
    dbscan.method = Method::Dbscan;
    dbscan.dbscan.eps = 0.2;
    dbscan.dbscan.min_samples = 3;
    let dbscan_model = fitted(dbscan);
    type Edit = fn(&mut serde_json::Value);
    let cases: [(&serde_json::Value, &str, Edit); 11] = [
        (&kmeans_model, "negative scale", |m| m["scaler"]["scale"][0] = (-1.0).into()),
        (&kmeans_model, "subnormal scale", |m| m["scaler"]["scale"][0] = 1e-310.into()),
        (&kmeans_model, "centre at 1e308", |m| m["assignment"]["centroids"][0][0] = 1e308.into()),
        (&kmeans_model, "inverted bounds", |m| {
            m["cleaning_fit"]["bounds"] = serde_json::json!([[5.0, 1.0], null])
        }),
        (&kmeans_model, "bounds of the wrong length", |m| {
            m["cleaning_fit"]["bounds"] = serde_json::json!([null])
        }),
        (&kmeans_model, "min_samples 0", |m| m["spec"]["dbscan"]["min_samples"] = 0.into()),
        (&mixture_model, "negative weight", |m| m["assignment"]["weights"][0] = (-0.5).into()),
        (&dbscan_model, "segment id out of range", |m| m["assignment"]["core_segments"][0] = 99.into()),
        (&dbscan_model, "segment ids out of order", |m| m["segments"][0]["id"] = 7.into()),
        // eps squared would be written as an infinity.
        (&dbscan_model, "eps 1e200", |m| m["assignment"]["eps"] = 1e200.into()),
        (&dbscan_model, "eps 1e308", |m| m["assignment"]["eps"] = 1e308.into()),
    ];
    for (model, what, edit) in cases {
        let mut m = model.clone();
        edit(&mut m);
        let read = SegmentModel::from_json(&m.to_string());
        assert!(matches!(read, Err(CoreError::BadModel(_))), "{what}: {read:?}");
    }
    // The untouched files read.
    for m in [&kmeans_model, &mixture_model, &dbscan_model] {
        assert!(SegmentModel::from_json(&m.to_string()).is_ok());
    }
    // Values the loader takes but SQL cannot hold are refused at export, with the reason; a mixture
    // component of weight 0 is left out of the query, not written as the logarithm of 0.
    let columns: Vec<String> = ["a", "b"].map(String::from).to_vec();
    let export = |m: &serde_json::Value| {
        let model = SegmentModel::from_json(&m.to_string()).unwrap_or_else(|e| panic!("{e}"));
        sql::export_sql(&model, sql::Dialect::DuckDb, "t", &columns, "cores.csv", sql::DateReference::Latest)
    };
    for tiny in [5e-324, 1e-200] {
        let mut m = dbscan_model.clone();
        m["assignment"]["eps"] = tiny.into();
        let err = export(&m);
        assert!(matches!(&err, Err(CoreError::BadModel(why)) if why.contains("eps")), "eps {tiny}: {err:?}");
    }
    let mut m = mixture_model.clone();
    let weights = m["assignment"]["weights"].as_array().cloned().unwrap_or_default();
    assert_eq!(weights.len(), 3);
    let first = weights[0].as_f64().unwrap_or(0.0);
    m["assignment"]["weights"][0] = 0.0.into();
    m["assignment"]["weights"][1] = (weights[1].as_f64().unwrap_or(0.0) + first).into();
    let query = export(&m).unwrap_or_else(|e| panic!("{e}")).query;
    // (`NaN` appears only quoted, as a missing marker.)
    assert!(
        !query.to_lowercase().contains("inf")
            && query.matches("NaN").count() == query.matches("'NaN'").count()
    );
    assert_eq!(query.matches("AS __score FROM mix").count(), 2, "two components of three: {query}");
}

/// Customers with only a few distinct value combinations: the automatic choice never proposes a k the
/// fit on every row refuses (more segments than distinct customers), and its answer is fitted.
#[test]
fn the_automatic_choice_never_proposes_a_k_the_fit_refuses() {
    let stray =
        std::fs::read(format!("{}/../../tests/fixtures/hostile/stray_byte.csv", env!("CARGO_MANIFEST_DIR")))
            .unwrap_or_else(|e| panic!("{e}"));
    let mut identical = String::from("id,spend,visits\n");
    for i in 0..999 {
        identical.push_str(&format!("c{i},10,3\n"));
    }
    identical.push_str("c999,500,40\n");
    let mut four = String::from("id,spend,visits\n");
    for i in 0..400 {
        four.push_str(&format!("c{i},{},{}\n", [10, 50, 90, 400][i % 4], [1, 7, 3, 20][i % 4]));
    }
    for bytes in [stray, identical.into_bytes(), four.into_bytes()] {
        let t = table(&bytes);
        let spec = summarize(&t).unwrap_or_else(|e| panic!("{e}")).suggested;
        let (choice, result) = choose(&t, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let chosen = &choice.candidates[choice.chosen.unwrap_or_else(|| panic!("no choice"))];
        assert!(!chosen.unfillable, "{}", choice.explanation);
        assert!(result.segment_sizes.len() >= 2, "{}", choice.explanation);
    }
}

/// Files that cannot be segmented get a sentence about the data, not about settings the person never
/// touched: one customer, or yes/no columns only.
#[test]
fn degenerate_files_are_told_why_in_words_about_the_data() {
    let one = table(b"id,spend,visits\nA,10,3\n");
    assert_eq!(summarize(&one).err(), Some(CoreError::TooFewCustomers { rows: 1 }));
    let flags = table(b"flag\n0\n1\n1\n0\n1\n0\n0\n1\n");
    assert_eq!(summarize(&flags).err(), Some(CoreError::OnlyFlags { columns: "flag".into() }));
    let text = table(b"name,city\nAda,Rome\nBo,Oslo\n");
    assert!(matches!(summarize(&text), Err(CoreError::NoNumericColumn { .. })));
}

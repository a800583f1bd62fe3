//! No input makes the core panic: random bytes, random CSV-like text and extreme parameters give a result
//! or a typed error. (A seeded generator, so a failure replays.)

use segment_core::clean::{Impute, Outliers, Scope};
use segment_core::ingest::read_csv;
use segment_core::model::{apply, apply_stream, SegmentModel};
use segment_core::pipeline::{run, summarize};
use segment_core::rng::SplitMix64;
use segment_core::spec::Method;

fn random_bytes(rng: &mut SplitMix64, len: usize) -> Vec<u8> {
    (0..len).map(|_| (rng.next_u64() & 0xff) as u8).collect()
}

fn random_csv(rng: &mut SplitMix64) -> String {
    const CELLS: [&str; 16] = [
        "1", "2.5", "-3", "0", "", "NA", "x", "\"a,b\"", "1e308", "-1e-300", "nan", "inf", " 7 ", "\"", "🙂",
        "1,5",
    ];
    const SEPS: [&str; 4] = [",", ";", "\t", "|"];
    let sep = SEPS[rng.below(SEPS.len())];
    let cols = 1 + rng.below(5);
    let rows = rng.below(60);
    let mut out = (0..cols).map(|c| format!("c{c}")).collect::<Vec<_>>().join(sep);
    for _ in 0..rows {
        out.push(if rng.below(10) == 0 { '\r' } else { '\n' });
        let n = if rng.below(8) == 0 { rng.below(cols + 2) } else { cols };
        let cells: Vec<&str> = (0..n).map(|_| CELLS[rng.below(CELLS.len())]).collect();
        out.push_str(&cells.join(sep));
    }
    out
}

fn analyse(bytes: &[u8], rng: &mut SplitMix64) {
    let Ok(table) = read_csv(bytes, &mut |_| {}) else { return };
    let Ok(summary) = summarize(&table) else { return };
    let mut spec = summary.suggested;
    spec.dbscan.eps = [1e-300, 1e-9, 0.05, 1.0, 1e300][rng.below(5)];
    spec.dbscan.min_samples = 1 + rng.below(6);
    spec.kmeans.k = 1 + rng.below(4);
    spec.method = if rng.below(2) == 0 { Method::Dbscan } else { Method::KMeans };
    // Every cleaning rule, on or off at random, with a feature's own missing-value choice at times.
    let own_choice = spec.features.last().cloned().filter(|_| rng.below(2) == 0);
    let c = &mut spec.cleaning;
    c.impute = [Impute::Drop, Impute::Median, Impute::MostFrequent][rng.below(3)];
    if let Some(feature) = own_choice {
        c.impute_columns.insert(feature, [Impute::Drop, Impute::Median, Impute::MostFrequent][rng.below(3)]);
    }
    c.drop_duplicate_rows = rng.below(2) == 0;
    c.drop_duplicate_ids = rng.below(2) == 0;
    c.outliers = [None, Some(Outliers::Iqr), Some(Outliers::ZScore)][rng.below(3)];
    c.drop_negative = [None, Some(Scope::Features), Some(Scope::AllColumns)][rng.below(3)];
    c.drop_zero = [None, Some(Scope::Features), Some(Scope::AllColumns)][rng.below(3)];
    c.drop_missing = [Scope::Features, Scope::AllColumns][rng.below(2)];
    if let Some(first) = spec.features.first().cloned().filter(|_| rng.below(2) == 0) {
        spec.transforms.insert(first, segment_core::features::Transform::Log1p);
    }
    if let Ok(r) = run(&table, &spec, &mut |_, _| {}) {
        assert_eq!(r.labels.len(), r.rows_used);
        assert_eq!(r.segment_sizes.iter().sum::<usize>() + r.noise, r.rows_used);
        // The result crosses to the page as JSON: it must read back whatever the values.
        let json = serde_json::to_string(&r.result).unwrap_or_else(|e| panic!("{e}"));
        let back: Result<segment_core::pipeline::AnalysisResult, _> = serde_json::from_str(&json);
        assert!(back.is_ok(), "{json}");
        apply_model(bytes, &table, &r);
    }
}

/// A model of the run, applied to its own file by the page's path and the streaming path: no panic, and
/// the two agree on the rows they use and the segments they give.
fn apply_model(bytes: &[u8], table: &segment_core::ingest::Table, r: &segment_core::pipeline::Segmentation) {
    let Ok(model) = SegmentModel::from_result(bytes, table, r, &[], "random.csv") else { return };
    let model =
        SegmentModel::from_json(&model.to_json()).unwrap_or_else(|e| panic!("{e}\n{}", model.to_json()));
    let page = apply(&model, bytes, table, &[], &mut |_, _| {});
    let stream = apply_stream(&model, &[], &[], bytes, std::io::sink(), &mut |_, _| {});
    assert_eq!(
        page.as_ref().err().map(|e| e.to_string()),
        stream.as_ref().err().map(|e| e.to_string()),
        "the page and the stream disagree on whether the file applies\n{}",
        String::from_utf8_lossy(bytes)
    );
    if let (Ok(page), Ok(stream)) = (&page, &stream) {
        COMPARED.with(|c| c.set(c.get() + 1));
        assert_eq!(
            page.result.rows_used,
            stream.rows_used,
            "{:?}\n{}",
            r.spec.cleaning,
            String::from_utf8_lossy(bytes)
        );
        assert_eq!(page.result.segment_sizes, stream.segment_sizes);
        let by_rule: Vec<usize> = page.result.cleaning.steps.iter().map(|s| s.rows_dropped).collect();
        let streamed: Vec<usize> = stream.dropped.iter().map(|d| d.1).collect();
        assert_eq!(by_rule, streamed, "{:?}\n{}", r.spec.cleaning, String::from_utf8_lossy(bytes));
    }
    // A damaged copy of the model file: refused or read, never a panic.
    let json = model.to_json();
    let cut = (0..=json.len() / 3).rev().find(|&i| json.is_char_boundary(i)).unwrap_or(0);
    assert!(SegmentModel::from_json(&json[..cut]).is_err(), "a third of a model file was read as a model");
}

thread_local! {
    /// How many runs the page's apply and the streaming apply were compared on (both gave a result),
    /// per test thread.
    static COMPARED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = SplitMix64::new(1);
    for i in 0..500 {
        let bytes = random_bytes(&mut rng, i % 300);
        analyse(&bytes, &mut rng);
    }
}

#[test]
fn random_csv_like_text_never_panics() {
    let mut rng = SplitMix64::new(2);
    for _ in 0..3000 {
        let text = random_csv(&mut rng);
        analyse(text.as_bytes(), &mut rng);
    }
}

/// Customers' numbers with what cleaning rules are for (missing cells, negatives, zeros, repeats, far
/// values, a text cell at times), each rule on or off at random: the page's apply and the streaming
/// apply agree, and most files get that far (the comparison is counted, not skipped away).
#[test]
fn the_page_and_the_stream_apply_numeric_files_alike_under_every_rule() {
    const ODD: [&str; 6] = ["", "NA", "x", "0", "-4", "1e9"];
    let mut rng = SplitMix64::new(3);
    let before = COMPARED.with(|c| c.get());
    for _ in 0..400 {
        let cols = 1 + rng.below(4);
        let rows = 20 + rng.below(60);
        let mut out = (0..cols).map(|c| format!("c{c}")).collect::<Vec<_>>().join(",");
        for _ in 0..rows {
            out.push('\n');
            let cells: Vec<String> = (0..cols)
                .map(|_| match rng.below(12) {
                    0 => ODD[rng.below(ODD.len())].to_string(),
                    1 => format!("{}", rng.below(3)),
                    _ => format!("{:.2}", (rng.next_u64() % 10_000) as f64 / 100.0),
                })
                .collect();
            out.push_str(&cells.join(","));
        }
        analyse(out.as_bytes(), &mut rng);
    }
    let compared = COMPARED.with(|c| c.get()) - before;
    assert!(compared >= 200, "only {compared} of 400 files were applied both ways");
}

#[test]
fn tiny_eps_on_wide_data_stays_exact() {
    // eps far below the data's resolution: no two distinct points are neighbours; duplicates are.
    let text = "a,b\n0,0\n0,0\n0,0\n1e12,5\n2e12,5\n";
    let table = read_csv(text.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = summarize(&table).unwrap_or_else(|e| panic!("{e}")).suggested;
    spec.scaler = segment_core::features::ScalerKind::None;
    spec.method = Method::Dbscan;
    spec.dbscan.eps = 1e-6;
    spec.dbscan.min_samples = 3;
    let r = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.segment_sizes, vec![3]);
    assert_eq!(r.noise, 2);
}

#[test]
fn suggested_settings_find_segments_on_every_test_file() {
    // For a new file the suggestions are the defaults: the first run must already give meaningful
    // segments (two or more, noise under half, no segment holding nearly everyone) on every file the
    // project tests with, not only the sample.
    let root = env!("CARGO_MANIFEST_DIR");
    for path in [
        format!("{root}/../../public/dataset_ecommerce.csv"),
        format!("{root}/tests/data/customers_2k.csv"),
        format!("{root}/tests/data/blobs6d_1500.csv"),
        format!("{root}/../../tests/fixtures/messy_export.csv"),
    ] {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let table = read_csv(&bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{path}: {e}"));
        let spec = summarize(&table).unwrap_or_else(|e| panic!("{path}: {e}")).suggested;
        let r = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{path}: {e}"));
        let clustered = r.rows_used - r.noise;
        println!("{path}: eps {} -> sizes {:?}, noise {}", spec.dbscan.eps, r.segment_sizes, r.noise);
        assert!(r.segment_sizes.len() >= 2, "{path}: {:?}", r.segment_sizes);
        assert!(r.noise * 2 < r.rows_used, "{path}: noise {} of {}", r.noise, r.rows_used);
        assert!(r.segment_sizes[0] * 100 < clustered * 95, "{path}: {:?}", r.segment_sizes);
    }
}

#[test]
fn a_result_with_filled_cells_crosses_to_the_page() {
    // Filled (imputed) cells stay missing in the table: the dashboard's row sample carries them as
    // null, and the page must read the result back.
    let path = format!("{}/../../tests/fixtures/messy_export.csv", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let table = read_csv(&bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = summarize(&table).unwrap_or_else(|e| panic!("{e}")).suggested;
    spec.cleaning.impute = Impute::Median;
    let r = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.explore.sample_values.iter().flatten().any(|v| v.is_nan()), "the fixture has filled cells");
    let json = serde_json::to_string(&r.result).unwrap_or_else(|e| panic!("{e}"));
    let back: segment_core::pipeline::AnalysisResult =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.explore.variables.len(), r.explore.variables.len());
}

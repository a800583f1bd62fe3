//! DBSCAN benchmark in wasm (Node), the same as `benches/dbscan.rs` natively: our grid DBSCAN against
//! linfa-clustering's Dbscan compiled to wasm, on seed-like customers, with identical partitions checked.
//! Not part of the test run; `scripts/bench.sh` runs it:
//! `cargo test --release --target wasm32-unknown-unknown -p segment-core --test wasm_bench -- --nocapture`
#![cfg(target_arch = "wasm32")]

use linfa::traits::Transformer;
use linfa::ParamGuard;
use segment_core::cluster::{canonical_labels, Dbscan};
use segment_core::features::{FittedScaler, ScalerKind};
use segment_core::synth::{bench_eps, seed_like_customers};
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

#[path = "../benches/common/rules_case.rs"]
mod rules_case;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The segments' rules in wasm (Node), as `benches/rules.rs` natively (the same case). Named to run
/// after the reading test (the runner takes the tests in reverse order of their names): the wasm memory
/// it grows would hide the reading test's growth.
#[wasm_bindgen_test]
fn explaining_rules_in_wasm() {
    console_log!("| customers (wasm) | features | segments | rules (ms, median of 3) | fidelity |");
    console_log!("|---:|---:|---:|---:|---:|");
    for n in [100_000usize, 1_000_000] {
        let case = rules_case::rules_case(n, &now_ms);
        let fidelity = rules_case::percent(case.fidelity);
        console_log!("| {n} | {} | {} | {:.0} | {fidelity} |", case.features, case.segments, case.median_ms);
    }
}

#[wasm_bindgen_test]
fn dbscan_in_wasm() {
    console_log!(
        "| rows (wasm) | eps | segments | noise | ours (ms) | linfa (ms) | linfa / ours | same partition |"
    );
    console_log!("|---:|---:|---:|---:|---:|---:|---:|:---:|");
    for n in [55_000usize, 100_000, 1_000_000] {
        let raw = seed_like_customers(n, 42);
        let x = FittedScaler::fit(ScalerKind::MinMax, raw.view()).transform(raw.view());
        let eps = bench_eps(n);
        let params = Dbscan::params(eps, 50).check().unwrap_or_else(|e| panic!("{e}"));
        // Median of 3 (the first run also warms the engine's compiled code).
        let mut ours = Vec::new();
        let mut times: Vec<f64> = (0..3)
            .map(|_| {
                let t = now_ms();
                ours = params.transform(&x).to_vec();
                now_ms() - t
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let ours_ms = times[1];
        let (ours, sizes) = canonical_labels(&ours);
        let noise = ours.iter().filter(|l| l.is_none()).count();
        let (linfa_ms, same) = if n <= 100_000 {
            let linfa =
                linfa_clustering::Dbscan::params(50).tolerance(eps).check().unwrap_or_else(|e| panic!("{e}"));
            let t = now_ms();
            let theirs = linfa.transform(&x).to_vec();
            let ms = now_ms() - t;
            let same = canonical_labels(&theirs).0 == ours;
            assert!(same, "linfa and ours differ at {n} rows");
            (format!("{ms:.0}"), format!("{:.0}x | yes", ms / ours_ms))
        } else {
            ("skipped".to_string(), " | ".to_string())
        };
        console_log!("| {n} | {eps:.4} | {} | {noise} | {ours_ms:.0} | {linfa_ms} | {same} |", sizes.len());
    }
}

/// Bytes of wasm linear memory (it only grows: after a step, its peak).
fn memory_bytes() -> usize {
    core::arch::wasm32::memory_size(0) * 65_536
}

#[wasm_bindgen_test]
fn reading_in_wasm() {
    use segment_core::ingest::read_csv;
    use segment_core::synth::customer_export;
    console_log!("| rows (wasm) | file (MB) | read_csv (ms) | memory growth (MB) | bytes per row |");
    console_log!("|---:|---:|---:|---:|---:|");
    for n in [100_000usize, 1_000_000] {
        let text = customer_export(n, 3);
        let before = memory_bytes();
        let t = now_ms();
        let table = read_csv(text.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let ms = now_ms() - t;
        let grown = memory_bytes().saturating_sub(before);
        assert_eq!(table.n_rows, n);
        console_log!(
            "| {n} | {:.0} | {ms:.0} | {:.0} | {:.0} |",
            text.len() as f64 / 1e6,
            grown as f64 / 1e6,
            grown as f64 / n as f64
        );
    }
}

/// HDBSCAN in wasm (Node): the reference's settings (min_cluster_size 500, min_samples 50) on the
/// sample-sized seed-like rows and on 1M; scikit-learn's times are in `benches/hdbscan.rs`'s table.
#[wasm_bindgen_test]
fn hdbscan_in_wasm() {
    use segment_core::cluster::hdbscan::Hdbscan;
    console_log!("| rows (wasm) | segments | noise | HDBSCAN (ms) |");
    console_log!("|---:|---:|---:|---:|");
    for n in [55_000usize, 100_000, 1_000_000] {
        let raw = seed_like_customers(n, 7);
        let x = FittedScaler::fit(ScalerKind::MinMax, raw.view()).transform(raw.view());
        let rows: Vec<f64> = x.iter().copied().collect();
        let params = Hdbscan::params(500, Some(50)).check().unwrap_or_else(|e| panic!("{e}"));
        let t = now_ms();
        let fit = params.fit_rows(&rows, n, 3, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let ms = now_ms() - t;
        let (labels, sizes) = canonical_labels(&fit.labels);
        let noise = labels.iter().filter(|l| l.is_none()).count();
        console_log!("| {n} | {} | {noise} | {ms:.0} |", sizes.len());
    }
}

/// k-prototypes in wasm (one thread, as in the page's worker): 100,000 customers with 10 numbers and
/// 10 categories, k 4, as the page runs it (10 starts, one after the other).
#[wasm_bindgen_test]
fn kprototypes_in_wasm() {
    use segment_core::pipeline::{prepare, Fitting};
    use segment_core::spec::{AnalysisSpec, Method};
    console_log!("| rows (wasm) | numbers | categories | k-prototypes, k 4, 10 starts (ms) |");
    console_log!("|---:|---:|---:|---:|");
    let n = 100_000;
    let (csv, _) = segment_core::synth::mixed_customers(n, 3, 15);
    let table = segment_core::ingest::read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = AnalysisSpec::default_for(&table);
    spec.features = table.names().into_iter().filter(|c| c != "customer_id").collect();
    spec.transforms.clear();
    spec.method = Method::KPrototypes;
    spec = spec.with_categories_of(&table);
    let prepared =
        prepare(&table, &spec, Fitting::Learn, 4, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let t = now_ms();
    let fit = segment_core::pipeline::fit_method(&spec, prepared.x_scaled.view(), &mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let ms = now_ms() - t;
    let q = spec.kprototypes.categories.len();
    assert_eq!(fit.labels.len(), n);
    console_log!("| {n} | {} | {q} | {ms:.0} |", spec.features.len() - q);
}

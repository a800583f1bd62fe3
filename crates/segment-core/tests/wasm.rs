//! The core compiled to wasm (as the worker runs it) gives the same answers as natively: run with
//! `wasm-bindgen-test-runner` in Node (scripts/test.sh). Data comes in with `include_bytes!`: there is
//! no file system in wasm.
#![cfg(target_arch = "wasm32")]

use segment_core::ingest::read_csv;
use segment_core::pipeline::{run, summarize};
use segment_core::spec::{AnalysisSpec, DbscanSettings};
use wasm_bindgen_test::wasm_bindgen_test;

const SAMPLE: &[u8] = include_bytes!("../../../public/dataset_ecommerce.csv");
const CUSTOMERS: &[u8] = include_bytes!("data/customers_2k.csv");

#[wasm_bindgen_test]
fn original_dataset_in_wasm() {
    let table = read_csv(SAMPLE, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let summary = summarize(&table).unwrap_or_else(|e| panic!("{e}"));
    // The original project's settings; HDBSCAN's sizes (not part of the original) follow the file's.
    let mut original = AnalysisSpec::original_project();
    original.hdbscan = segment_core::spec::HdbscanSettings::suggested(table.n_rows);
    assert_eq!(summary.suggested, original);
    let r = run(&table, &summary.suggested, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.rows_used, 55_002);
    assert_eq!(r.segment_sizes, vec![18_330, 18_273, 15_688]);
    assert_eq!(r.noise, 2_711);
    let db = r.scores.davies_bouldin.unwrap_or(f64::NAN);
    assert!((db - 0.467499).abs() < 5e-7, "{db}");
    let sil = r.scores.silhouette.as_ref().map_or(f64::NAN, |s| s.mean);
    assert!((sil - 0.659809).abs() < 0.01, "{sil}");
}

#[wasm_bindgen_test]
fn reference_dataset_in_wasm() {
    let table = read_csv(CUSTOMERS, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = summarize(&table).unwrap_or_else(|e| panic!("{e}")).suggested;
    // scikit-learn's reference: DBSCAN on min-max scaled rows.
    spec.method = segment_core::spec::Method::Dbscan;
    spec.scaler = segment_core::features::ScalerKind::MinMax;
    spec.transforms.clear();
    spec.dbscan = DbscanSettings { eps: 0.05, min_samples: 10 };
    let r = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.segment_sizes, vec![703, 499, 384, 198]);
    assert_eq!(r.noise, 116);
    let sil = r.scores.silhouette.as_ref().map_or(f64::NAN, |s| s.mean);
    assert!((sil - 0.816440744188491).abs() < 1e-6, "{sil}");
    let ch = r.scores.calinski_harabasz.unwrap_or(f64::NAN);
    assert!((ch - 19399.970397203484).abs() < 1e-6 * 19399.97, "{ch}");
}

#[wasm_bindgen_test]
fn saved_model_in_wasm_matches_the_streaming_apply() {
    use segment_core::export::labeled_csv;
    use segment_core::model::{apply, apply_stream, SegmentModel};
    let table = read_csv(CUSTOMERS, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = summarize(&table).unwrap_or_else(|e| panic!("{e}")).suggested;
    spec.dbscan = DbscanSettings { eps: 0.05, min_samples: 10 };
    let r = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let model = SegmentModel::from_result(CUSTOMERS, &table, &r, &[], "customers_2k.csv")
        .unwrap_or_else(|e| panic!("{e}"));
    let model = SegmentModel::from_json(&model.to_json()).unwrap_or_else(|e| panic!("{e}"));
    let applied = apply(&model, CUSTOMERS, &table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied.result.noise, r.noise);
    let mut streamed = Vec::new();
    apply_stream(&model, &[], &[], CUSTOMERS, &mut streamed, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let expected = labeled_csv(CUSTOMERS, &applied.result, &model.names()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(String::from_utf8_lossy(&streamed), expected);
}

/// The rules' thresholds on a big sample in wasm32, where `usize` is 32 bits: a feature of 70,000
/// distinct values takes the threshold tree's quantile path (q x len passes 2^32 there; a debug build
/// panics on the overflow, a release build wrapped and read the wrong quantiles). The planted split
/// comes back exactly, as natively.
#[wasm_bindgen_test]
fn rules_on_a_big_sample_in_wasm() {
    use segment_core::rules::segment_rules;
    let n = 70_000usize;
    let mut text = String::from("x,y\n");
    let mut labels = Vec::with_capacity(n);
    // x: distinct values in (0, 1) in a scrambled order, the segment x above 0.5; y: noise.
    for i in 0..n {
        let x = ((i as u64 * 7_919) % n as u64) as f64 / n as f64 + 1e-7;
        let y = ((i as u64 * 104_729) % 1_000) as f64;
        text.push_str(&format!("{x:.7},{y}\n"));
        labels.push(i32::from(x > 0.5));
    }
    let table = read_csv(text.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let kept: Vec<usize> = (0..n).collect();
    let features = ["x".to_string(), "y".to_string()];
    let rules = segment_rules(&table, &features, &[], &kept, &[], &labels, 2);
    assert_eq!(rules.fidelity, Some(1.0));
    assert_eq!(rules.assigned, labels);
}

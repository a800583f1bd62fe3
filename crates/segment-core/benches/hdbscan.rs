//! HDBSCAN benchmark: ours against scikit-learn's `HDBSCAN` in the same run, on the original project's
//! cleaned sample (55,002 rows, three features min-max scaled, min_cluster_size 500, min_samples 50:
//! the reference's settings) and on seed-like customers of growing size (same settings). Prints times,
//! the ratio, the peak memory of our fit (from /proc, Linux) and how many rows the two partitions
//! disagree on (rows on exact mutual-reachability ties; see tests/hdbscan.rs).
//!
//! `cargo bench -p segment-core --bench hdbscan -- [SIZES...]` (default: the sample, 100000, 1000000;
//! scikit-learn runs on the sample and up to 100,000 rows unless BENCH_SKLEARN_ALL=1: it computes n²
//! distances, 48 s on the sample on two cores, and would take hours at 1M).

mod common;
use linfa::ParamGuard;
use ndarray::Array2;
use segment_core::cluster::canonical_labels;
use segment_core::cluster::hdbscan::Hdbscan;
use segment_core::features::{FittedScaler, ScalerKind};
use segment_core::ingest::read_csv;
use segment_core::pipeline::{prepare, Fitting};
use segment_core::spec::AnalysisSpec;
use segment_core::synth::seed_like_customers;
use std::time::Instant;

const MIN_CLUSTER_SIZE: usize = 500;
const MIN_SAMPLES: usize = 50;

fn sklearn(x: &Array2<f64>) -> Option<(f64, Vec<Option<usize>>)> {
    let args = [MIN_CLUSTER_SIZE.to_string(), MIN_SAMPLES.to_string()];
    match common::python_reference("python3", "sklearn_hdbscan.py", "hdbscan", x, &args) {
        Ok((ms, lines)) => Some((
            ms,
            lines
                .iter()
                .map(|l| l.trim().parse::<i64>().ok().and_then(|v| usize::try_from(v).ok()))
                .collect(),
        )),
        Err(e) => {
            eprintln!("scikit-learn skipped: {e}");
            None
        }
    }
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let mut cases: Vec<(String, Array2<f64>)> = Vec::new();
    if sizes.is_empty() {
        let path = format!("{}/../../public/dataset_ecommerce.csv", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let table = read_csv(&bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let prepared = prepare(&table, &AnalysisSpec::original_project(), Fitting::Learn, 0, &mut |_, _| {})
            .unwrap_or_else(|e| panic!("{e}"));
        cases.push(("the sample (55,002 rows)".into(), (*prepared.x_scaled).clone()));
    }
    for n in if sizes.is_empty() { vec![100_000, 1_000_000] } else { sizes } {
        let raw = seed_like_customers(n, 7);
        let x = FittedScaler::fit(ScalerKind::MinMax, raw.view()).transform(raw.view());
        cases.push((format!("seed-like, {n} rows"), x));
    }
    let sklearn_all = std::env::var("BENCH_SKLEARN_ALL").is_ok_and(|v| v == "1");
    println!("HDBSCAN, min_cluster_size {MIN_CLUSTER_SIZE}, min_samples {MIN_SAMPLES}");
    println!("| data | ours (ms) | peak memory (MB) | scikit-learn (ms) | scikit-learn / ours | rows that differ |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, x) in cases {
        let (n, d) = x.dim();
        let rows: Vec<f64> = x.iter().copied().collect();
        let params =
            Hdbscan::params(MIN_CLUSTER_SIZE, Some(MIN_SAMPLES)).check().unwrap_or_else(|e| panic!("{e}"));
        let t = Instant::now();
        let fit = params.fit_rows(&rows, n, d, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let ours_ms = t.elapsed().as_secs_f64() * 1e3;
        let memory = common::peak_rss_mb();
        let (ours, _) = canonical_labels(&fit.labels);
        let reference = (n <= 100_000 || sklearn_all).then(|| sklearn(&x)).flatten();
        let (sk_ms, ratio, differ) = match reference {
            Some((ms, labels)) => {
                let (theirs, _) = canonical_labels(&labels);
                let differ = ours.iter().zip(&theirs).filter(|(a, b)| a != b).count();
                (format!("{ms:.0}"), format!("{:.1}x", ms / ours_ms), differ.to_string())
            }
            None => ("-".into(), "-".into(), "-".into()),
        };
        println!("| {name} | {ours_ms:.0} | {memory:.0} | {sk_ms} | {ratio} | {differ} |");
    }
}

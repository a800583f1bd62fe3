//! k-medoids benchmark: ours against scikit-learn-extra's `KMedoids(method="alternate",
//! init="build")` in the same run, on seed-like customers (three features, min-max scaled) of growing
//! size, k 4. Prints both times, the ratio, our peak memory and whether the medoids are the same rows.
//!
//! `cargo bench -p segment-core --bench kmedoids -- [SIZES...]` (default 1000 2000 5000). The Python
//! with scikit-learn-extra is `$KMEDOIDS_PYTHON` (scripts/bench.sh sets it; without it the reference is
//! skipped and said so).

mod common;
use linfa::ParamGuard;
use ndarray::Array2;
use segment_core::cluster::kmedoids::KMedoids;
use segment_core::features::{FittedScaler, ScalerKind};
use segment_core::synth::seed_like_customers;
use std::time::Instant;

const K: usize = 4;

fn reference(x: &Array2<f64>) -> Option<(f64, Vec<usize>)> {
    let python = std::env::var("KMEDOIDS_PYTHON").ok()?;
    match common::python_reference(&python, "sklearn_kmedoids.py", "kmedoids", x, &[K.to_string()]) {
        Ok((ms, lines)) => Some((ms, lines.iter().filter_map(|l| l.trim().parse().ok()).collect())),
        Err(e) => {
            eprintln!("scikit-learn-extra skipped: {e}");
            None
        }
    }
}

fn main() {
    let mut sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![1_000, 2_000, 5_000];
    }
    println!("k-medoids, k {K}, BUILD start, alternate; seed-like customers, three features, min-max scaled");
    println!("| rows | ours (ms) | peak memory (MB) | scikit-learn-extra (ms) | scikit-learn-extra / ours | same medoids |");
    println!("|---:|---:|---:|---:|---:|---|");
    for n in sizes {
        let raw = seed_like_customers(n, 7);
        let x = FittedScaler::fit(ScalerKind::MinMax, raw.view()).transform(raw.view());
        let params = KMedoids::params(K).check().unwrap_or_else(|e| panic!("{e}"));
        let t = Instant::now();
        let fit = params.fit(x.view());
        let ours_ms = t.elapsed().as_secs_f64() * 1e3;
        let memory = common::peak_rss_mb();
        let mut ours = fit.medoids.clone();
        ours.sort_unstable();
        let (sk_ms, ratio, same) = match reference(&x) {
            Some((ms, theirs)) => (
                format!("{ms:.0}"),
                format!("{:.1}x", ms / ours_ms),
                if ours == theirs { "yes" } else { "no" },
            ),
            None => ("-".into(), "-".into(), "-"),
        };
        println!("| {n} | {ours_ms:.0} | {memory:.0} | {sk_ms} | {ratio} | {same} |");
    }
}

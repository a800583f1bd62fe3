//! DBSCAN benchmark: our grid DBSCAN against linfa-clustering's Dbscan (the reference) on seed-like
//! customers, min-max scaled, min_samples 50, eps scaled with n (see `synth::bench_eps`). Checks that
//! both give the same partition, and prints times and the ratio measured in the same run.
//!
//! When Python has scikit-learn, its DBSCAN runs on the same scaled rows in the same run
//! (`sklearn_dbscan.py`), and its partition is compared too.
//!
//! `cargo bench -p segment-core --bench dbscan -- [SIZES...]`   (default: 55000 100000 1000000;
//! linfa and scikit-learn are skipped above 100,000 rows unless BENCH_LINFA_ALL=1 / BENCH_SKLEARN_ALL=1:
//! they take minutes there, and scikit-learn ~20 GB at 1M).

mod common;
use linfa::traits::Transformer;
use linfa::ParamGuard;
use segment_core::cluster::{canonical_labels, Dbscan};
use segment_core::features::{FittedScaler, ScalerKind};
use segment_core::pipeline::k_distance;
use segment_core::reduce::Pca;
use segment_core::score::{silhouette, SilhouetteOptions};
use segment_core::synth::{bench_eps, seed_like_customers};
use std::time::Instant;

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// scikit-learn's DBSCAN on the same rows (written with full precision): its fit time and labels.
fn sklearn_dbscan(x: &ndarray::Array2<f64>, eps: f64, min_samples: usize) -> (f64, Vec<Option<usize>>) {
    let args = [format!("{eps:?}"), min_samples.to_string()];
    let (ms, lines) = common::python_reference("python3", "sklearn_dbscan.py", "dbscan", x, &args)
        .unwrap_or_else(|e| panic!("scikit-learn's DBSCAN: {e}"));
    (ms, lines.iter().map(|l| l.trim().parse::<i64>().ok().and_then(|v| usize::try_from(v).ok())).collect())
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![55_000, 100_000, 1_000_000] } else { sizes };
    let linfa_all = std::env::var("BENCH_LINFA_ALL").is_ok_and(|v| v == "1");
    let sklearn_all = std::env::var("BENCH_SKLEARN_ALL").is_ok_and(|v| v == "1");
    let has_sklearn = std::process::Command::new("python3")
        .args(["-c", "import sklearn"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_sklearn {
        println!("(scikit-learn not found: `pip install scikit-learn` to time it in the same run)\n");
    }
    println!(
        "| rows | eps | segments | noise | ours (ms) | linfa (ms) | linfa / ours | scikit-learn (ms) | sklearn / ours | same partition |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|");
    for n in sizes {
        let raw = seed_like_customers(n, 42);
        let x = FittedScaler::fit(ScalerKind::MinMax, raw.view()).transform(raw.view());
        let eps = bench_eps(n);
        let params = Dbscan::params(eps, 50).check().unwrap_or_else(|e| panic!("{e}"));
        let mut ours = Vec::new();
        let runs = if n <= 100_000 { 5 } else { 3 };
        let ours_ms = median_ms(runs, || ours = params.transform(&x).to_vec());
        let (ours_canonical, sizes) = canonical_labels(&ours);
        let noise = ours.iter().filter(|l| l.is_none()).count();
        let (linfa_ms, same) = if n <= 100_000 || linfa_all {
            let linfa =
                linfa_clustering::Dbscan::params(50).tolerance(eps).check().unwrap_or_else(|e| panic!("{e}"));
            let t = Instant::now();
            let theirs = linfa.transform(&x).to_vec();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            (Some(ms), Some(canonical_labels(&theirs).0 == ours_canonical))
        } else {
            (None, None)
        };
        let sklearn = (has_sklearn && (n <= 100_000 || sklearn_all)).then(|| sklearn_dbscan(&x, eps, 50));
        let sklearn_same = sklearn.as_ref().map(|(_, labels)| canonical_labels(labels).0 == ours_canonical);
        let same = match (same, sklearn_same) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(true) && b.unwrap_or(true)),
        };
        println!(
            "| {n} | {eps:.4} | {} | {noise} | {ours_ms:.1} | {} | {} | {} | {} | {} |",
            sizes.len(),
            linfa_ms.map_or("skipped".into(), |v| format!("{v:.0}")),
            linfa_ms.map_or("".into(), |v| format!("{:.0}x", v / ours_ms)),
            sklearn.as_ref().map_or("skipped".into(), |(ms, _)| format!("{ms:.0}")),
            sklearn.as_ref().map_or("".into(), |(ms, _)| format!("{:.0}x", ms / ours_ms)),
            same.map_or("".into(), |s| if s { "yes".into() } else { "NO".to_string() }),
        );
        if n == 1_000_000 {
            let pca_ms = median_ms(5, || {
                let _ = Pca::fit(x.view());
            });
            println!("\nPCA fit on {n} x 3: {pca_ms:.1} ms");
        }
        if n == 55_000 {
            let labels = ours_canonical.clone();
            let options = SilhouetteOptions { max_exact: 0, sample_size: 10_000, seed: 42 };
            let sil_ms = median_ms(3, || {
                let _ = silhouette(x.view(), &labels, options);
            });
            let kd_ms = median_ms(3, || {
                let _ = k_distance(x.view(), 50, 400, 42);
            });
            println!("\nsilhouette on a 10,000-row sample: {sil_ms:.1} ms; k-distance (400 queries x {n}): {kd_ms:.1} ms\n");
        }
    }
}

//! DBSCAN benchmark: our grid DBSCAN against linfa-clustering's Dbscan (the reference) on seed-like
//! customers, min-max scaled, min_samples 50, eps scaled with n (see `synth::bench_eps`). Checks that
//! both give the same partition, and prints times and the ratio measured in the same run.
//!
//! `cargo bench -p segment-core --bench dbscan -- [SIZES...]`   (default: 55000 100000 1000000;
//! linfa is skipped above 100,000 rows unless BENCH_LINFA_ALL=1: it takes minutes there).

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

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![55_000, 100_000, 1_000_000] } else { sizes };
    let linfa_all = std::env::var("BENCH_LINFA_ALL").is_ok_and(|v| v == "1");
    println!("| rows | eps | segments | noise | ours (ms) | linfa (ms) | linfa / ours | same partition |");
    println!("|---:|---:|---:|---:|---:|---:|---:|:---:|");
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
        println!(
            "| {n} | {eps:.4} | {} | {noise} | {ours_ms:.1} | {} | {} | {} |",
            sizes.len(),
            linfa_ms.map_or("skipped".into(), |v| format!("{v:.0}")),
            linfa_ms.map_or("".into(), |v| format!("{:.0}x", v / ours_ms)),
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

//! k-prototypes benchmark: ours against the `kmodes` package's `KPrototypes` in the same run, on
//! customers with 10 numbers and 10 categories (synth::mixed_customers, four planted groups), k 4.
//! One run from the same start on each side (kmodes takes minutes beyond some thousands of rows, so it
//! runs on the smaller sizes only), then ours as the page runs it (Cao's start, 10 starts, gamma
//! estimated) on every size. Prints both times, the ratio, whether the costs agree, and the ARI of our
//! default fit against the planted groups.
//!
//! `cargo bench -p segment-core --bench kprototypes -- [SIZES...]` (default 2000 10000 100000; kmodes up
//! to 10000). The Python with kmodes is `$KMODES_PYTHON` (scripts/bench.sh sets it; without it the
//! reference is skipped and said so).

mod common;
use linfa::ParamGuard;
use ndarray::{Array2, Axis};
use segment_core::cluster::kprototypes::{cao_start, KPrototypes, Start};
use segment_core::ingest::read_csv;
use segment_core::pipeline::{prepare, Fitting};
use segment_core::score::adjusted_rand_index;
use segment_core::spec::{AnalysisSpec, Method};
use std::time::Instant;

const K: usize = 4;
/// kmodes runs up to this many rows.
const KMODES_MAX_ROWS: usize = 10_000;

fn main() {
    let mut sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = vec![2_000, 10_000, 100_000];
    }
    let python = std::env::var("KMODES_PYTHON").ok();
    if python.is_none() {
        eprintln!("kmodes skipped: KMODES_PYTHON is not set");
    }
    println!("k-prototypes, k {K}; customers with 10 numbers (z-scores) and 10 categories");
    println!(
        "| rows | one run, ours (ms) | one run, kmodes (ms) | kmodes / ours | same cost | as the page runs it: 10 starts (ms) | ARI vs planted |"
    );
    println!("|---:|---:|---:|---:|---|---:|---:|");
    for n in sizes {
        let (csv, truth) = segment_core::synth::mixed_customers(n, 3, 15);
        let table = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let mut spec = AnalysisSpec::default_for(&table);
        let names = table.names();
        spec.features = names.iter().filter(|c| c.as_str() != "customer_id").cloned().collect();
        spec.transforms.clear();
        spec.scaler = segment_core::features::ScalerKind::Standard;
        spec.method = Method::KPrototypes;
        spec.kprototypes.k = K;
        spec = spec.with_categories_of(&table);
        assert_eq!(spec.kprototypes.categories.len(), 10, "{:?}", spec.kprototypes.categories);
        let prepared =
            prepare(&table, &spec, Fitting::Learn, K, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let mask = spec.kprototypes.mask(&spec.features);
        let (numbers, categories): (Vec<usize>, Vec<usize>) = (0..mask.len()).partition(|&j| !mask[j]);
        let x = prepared.x_scaled.view();
        let num = x.select(Axis(1), &numbers);
        let cat = x.select(Axis(1), &categories).mapv(|v| v as u32);

        // One run from the same start on both sides.
        let t = Instant::now();
        let start_rows: Vec<usize> =
            (0..K).map(|i| ((i * (n - 1)) as f64 / (K - 1) as f64).round() as usize).collect();
        let start = Start::Given { means: num.select(Axis(0), &start_rows), modes: cao_start(cat.view(), K) };
        let one = KPrototypes::params(K)
            .start(start)
            .check()
            .and_then(|p| p.fit(num.view(), cat.view()))
            .unwrap_or_else(|e| panic!("{e}"));
        let one_ms = t.elapsed().as_secs_f64() * 1e3;
        let (kmodes_ms, ratio, same) = match python.as_deref().filter(|_| n <= KMODES_MAX_ROWS) {
            Some(python) => {
                let codes = cat.mapv(f64::from);
                let joined: Array2<f64> = ndarray::concatenate(Axis(1), &[num.view(), codes.view()])
                    .unwrap_or_else(|e| panic!("{e}"));
                let args = [numbers.len().to_string(), K.to_string()];
                match common::python_reference(python, "kmodes_kprototypes.py", "kprototypes", &joined, &args)
                {
                    Ok((ms, lines)) => {
                        let cost: f64 = lines.first().and_then(|l| l.trim().parse().ok()).unwrap_or(f64::NAN);
                        let same = (cost - one.cost).abs() <= 1e-9 * cost.abs();
                        (format!("{ms:.0}"), format!("{:.0}x", ms / one_ms), if same { "yes" } else { "no" })
                    }
                    Err(e) => {
                        eprintln!("kmodes failed: {e}");
                        ("-".into(), "-".into(), "-")
                    }
                }
            }
            None => ("-".into(), "-".into(), "-"),
        };

        // As the page runs it.
        let t = Instant::now();
        let fit = KPrototypes::params(K)
            .seed(spec.seed)
            .check()
            .and_then(|p| p.fit(num.view(), cat.view()))
            .unwrap_or_else(|e| panic!("{e}"));
        let full_ms = t.elapsed().as_secs_f64() * 1e3;
        if std::env::var("KP_DEBUG").is_ok() {
            eprintln!("one run passes {}, default fit passes {}", one.iterations, fit.iterations);
        }
        let planted: Vec<Option<usize>> = prepared.kept.iter().map(|&r| Some(truth[r])).collect();
        let ari = adjusted_rand_index(&fit.labels, &planted);
        println!("| {n} | {one_ms:.0} | {kmodes_ms} | {ratio} | {same} | {full_ms:.0} | {ari:.3} |");
    }
}

//! The automatic choice (its candidates and the shortlist's stability refits) on 1 and on 2 threads of
//! the same machine ([`segment_core::par`]: rayon's pool natively), and the stability of a fitted
//! result's segments (five refits on 80% subsamples), on the fixtures, a mixed file with ticked
//! categories and a 100,000-row export. Each timing is the median of 3 runs; the answers on 1 and on 2
//! threads must be identical (the benchmark fails otherwise), and the ratio is printed.
//!
//! `cargo bench -p segment-core --bench parallel`

use segment_core::auto::{search, SearchOptions};
use segment_core::pipeline::summarize_customers;
use segment_core::score::stability;
use segment_core::session::Session;
use segment_core::spec::{AnalysisSpec, Method};
use segment_core::transactions::{read_customers, LoadMode};
use std::time::Instant;

/// Median wall time (ms) of 3 runs of `f` on a pool of `threads`, and its last answer.
fn timed<R: Send>(threads: usize, f: &(dyn Fn() -> R + Sync)) -> (f64, R) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap_or_else(|e| panic!("{e}"));
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        last = Some(pool.install(f));
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    (times[1], last.unwrap_or_else(|| panic!("no run")))
}

fn row<R: PartialEq + Send>(name: &str, what: &str, f: &(dyn Fn() -> R + Sync)) {
    let (one, a) = timed(1, f);
    let (two, b) = timed(2, f);
    assert!(a == b, "{name}: {what} differs between 1 and 2 threads");
    println!("| {name} | {what} | {one:.0} | {two:.0} | {:.2}x | yes |", one / two);
}

/// A file: its name, its bytes, and the features to tick (None: the advised ones).
type File = (String, Vec<u8>, Option<Vec<&'static str>>);

fn main() {
    println!("| file | work | 1 thread (ms) | 2 threads (ms) | speed-up | same answer |");
    println!("|---|---|---:|---:|---:|---|");
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut files: Vec<File> = ["marketing_campaign.csv", "customers_2k.csv"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read(root.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")), None))
        .collect();
    files.push((
        "export, 100,000 rows".into(),
        segment_core::synth::customer_export(100_000, 3).into_bytes(),
        None,
    ));
    files.push((
        "mixed, 5,000 rows, categories ticked".into(),
        segment_core::synth::mixed_customers(5_000, 3, 0).0.into_bytes(),
        Some(vec!["spend", "tenure_months", "plan", "channel"]),
    ));
    for (name, bytes, features) in files {
        let customers =
            read_customers(bytes.clone(), &LoadMode::Auto, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let mut base = summarize_customers(&customers).unwrap_or_else(|e| panic!("{e}")).suggested;
        if let Some(features) = features {
            base.features = features.iter().map(|f| f.to_string()).collect();
            base.transforms.clear();
        }
        let table = &customers.table;
        row(&name, "automatic choice: candidates and shortlist stability", &|| {
            search(table, &base, SearchOptions::default(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"))
        });
        // The stability of a k-means result with k 4 on every row: five refits side by side.
        let mut session = Session::new();
        session.load(bytes, &LoadMode::Auto, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let mut spec: AnalysisSpec = base.clone();
        if spec.method != Method::KPrototypes {
            spec.method = Method::KMeans;
        }
        spec.set_k(4);
        session.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let Some(result) = session.segmentation() else { continue };
        let labels = result.labels();
        let x = result.x_scaled.view();
        let fitted_spec = result.spec.clone();
        row(&name, "stability of a k 4 result (5 refits)", &|| {
            stability(&labels, 5, 42, |run, rows| {
                let sub = x.select(ndarray::Axis(0), rows);
                let mut run_spec = fitted_spec.clone();
                run_spec.seed = run_spec.seed.wrapping_add(run);
                segment_core::pipeline::fit_method(&run_spec, sub.view(), &mut |_| {})
                    .map_or_else(|_| vec![None; rows.len()], |fit| fit.labels)
            })
        });
    }
}

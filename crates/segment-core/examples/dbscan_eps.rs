//! DBSCAN's time and result at multiples of the k-distance knee, on a file's suggested features:
//! `cargo run --release -p segment-core --example dbscan_eps -- DATA.csv`
use linfa::ParamGuard;
use segment_core::cluster::Dbscan;
use segment_core::ingest::read_csv;
use segment_core::pipeline::{k_distance, prepare, K_DISTANCE_QUERIES};
use segment_core::spec::AnalysisSpec;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(data) = args.get(1) else { return eprintln!("usage: dbscan_eps DATA.csv") };
    let bytes = std::fs::read(data).unwrap_or_default();
    let Ok(table) = read_csv(&bytes, &mut |_| {}) else { return eprintln!("unreadable") };
    let spec = AnalysisSpec::default_for(&table);
    let Ok(prepared) = prepare(&table, &spec, segment_core::pipeline::Fitting::Learn, 2, &mut |_, _| {})
    else {
        return eprintln!("cannot prepare");
    };
    let x = prepared.x_scaled;
    let (n, d) = x.dim();
    println!("{n} rows x {d} features {:?}, min_samples {}", spec.features, spec.dbscan.min_samples);
    let t = Instant::now();
    let kd = k_distance(x.view(), spec.dbscan.min_samples, K_DISTANCE_QUERIES, 0);
    println!("k-distance: {:.0} ms, knee {:.4}", t.elapsed().as_secs_f64() * 1e3, kd.knee_eps);
    let rows: Vec<f64> = x.iter().copied().collect();
    for factor in [1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0] {
        let eps = kd.knee_eps * factor;
        let Ok(params) = Dbscan::params(eps, spec.dbscan.min_samples).check() else { continue };
        let t = Instant::now();
        let labels = params.fit_rows(&rows, n, d, &mut |_| {}).labels;
        let k = labels.iter().flatten().map(|&c| c + 1).max().unwrap_or(0);
        let noise = labels.iter().filter(|l| l.is_none()).count();
        println!(
            "x{factor}: eps {eps:.4}: {:.0} ms, {k} segments, {noise} noise",
            t.elapsed().as_secs_f64() * 1e3
        );
    }
}

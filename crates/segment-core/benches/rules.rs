//! The segments' rules (greedy sets and the threshold tree, measured on every customer) computed for a
//! k-means result of 4 segments on the generated customer export, as `describe` computes them after
//! every fit. The same runs in wasm in `tests/wasm_bench.rs` (`rules_in_wasm`).
//!
//! `cargo bench -p segment-core --bench rules`

use segment_core::ingest::read_csv;
use segment_core::pipeline::run;
use segment_core::rules::segment_rules;
use segment_core::spec::{AnalysisSpec, Method};
use std::time::Instant;

fn main() {
    println!("| customers | features | segments | rules (ms, median of 3) | fidelity |");
    println!("|---:|---:|---:|---:|---:|");
    for n in [10_000usize, 100_000, 1_000_000] {
        let text = segment_core::synth::customer_export(n, 3);
        let table = read_csv(text.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let mut spec = AnalysisSpec::default_for(&table);
        spec.method = Method::KMeans;
        spec.kmeans.k = 4;
        let fit = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let k = fit.segment_sizes.len();
        let rules = || {
            segment_rules(
                &table,
                &fit.spec.features,
                &[],
                &fit.kept_rows,
                &fit.cleaning.fitted.fill,
                &fit.labels,
                k,
            )
        };
        let mut times = Vec::new();
        let mut fidelity = None;
        for _ in 0..3 {
            let t = Instant::now();
            fidelity = rules().fidelity;
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        times.sort_by(f64::total_cmp);
        let fidelity = fidelity.map_or("none".into(), |f| format!("{:.2}%", f * 100.0));
        println!("| {n} | {} | {k} | {:.0} | {fidelity} |", fit.spec.features.len(), times[1]);
    }
}

//! The rules benchmark's case, shared by `benches/rules.rs` (natively) and `tests/wasm_bench.rs` (in
//! wasm): a k-means result of 4 segments on the generated customer export, and its rules (greedy sets
//! and the threshold tree, measured on every customer) computed 3 times.

use segment_core::pipeline::run;
use segment_core::rules::segment_rules;
use segment_core::spec::{AnalysisSpec, Method};

/// What one size gave: features, segments, the median time of the rules (ms by `now_ms`), their
/// fidelity.
pub struct RulesCase {
    pub features: usize,
    pub segments: usize,
    pub median_ms: f64,
    pub fidelity: Option<f64>,
}

pub fn rules_case(n: usize, now_ms: &dyn Fn() -> f64) -> RulesCase {
    let table = {
        let text = segment_core::synth::customer_export(n, 3);
        segment_core::ingest::read_csv(text.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"))
    };
    let mut spec = AnalysisSpec::default_for(&table);
    spec.method = Method::KMeans;
    spec.kmeans.k = 4;
    let fit = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let k = fit.segment_sizes.len();
    let mut fidelity = None;
    let mut times: Vec<f64> = (0..3)
        .map(|_| {
            let t = now_ms();
            let rules = segment_rules(
                &table,
                &fit.spec.features,
                &[],
                &fit.kept_rows,
                &fit.cleaning.fitted.fill,
                &fit.labels,
                k,
            );
            fidelity = rules.fidelity;
            now_ms() - t
        })
        .collect();
    times.sort_by(f64::total_cmp);
    RulesCase { features: fit.spec.features.len(), segments: k, median_ms: times[1], fidelity }
}

/// A fidelity as a percentage ("none" without rules).
pub fn percent(fidelity: Option<f64>) -> String {
    fidelity.map_or("none".into(), |f| format!("{:.2}%", f * 100.0))
}

//! The segments' rules (greedy sets and the threshold tree, measured on every customer) computed for a
//! k-means result of 4 segments on the generated export, as `describe` computes them after every fit.
//! The same runs in wasm in `tests/wasm_bench.rs` (`explaining_rules_in_wasm`).
//!
//! `cargo bench -p segment-core --bench rules`

#[path = "common/rules_case.rs"]
mod rules_case;

fn main() {
    println!("| customers | features | segments | rules (ms, median of 3) | fidelity |");
    println!("|---:|---:|---:|---:|---:|");
    let start = std::time::Instant::now();
    let now_ms = || start.elapsed().as_secs_f64() * 1e3;
    for n in [10_000usize, 100_000, 1_000_000] {
        let case = rules_case::rules_case(n, &now_ms);
        let fidelity = rules_case::percent(case.fidelity);
        println!("| {n} | {} | {} | {:.0} | {fidelity} |", case.features, case.segments, case.median_ms);
    }
}

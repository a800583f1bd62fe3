//! Writes seed-like customers (the sample's shape, see `synth::seed_like_customers`) as CSV, for the
//! SQL benchmark: `cargo run --release -p segment-core --example write_seed_like -- ROWS SEED FILE`
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(rows), Some(seed), Some(path)) =
        (args.get(1).and_then(|r| r.parse().ok()), args.get(2).and_then(|s| s.parse().ok()), args.get(3))
    else {
        return eprintln!("usage: write_seed_like ROWS SEED FILE");
    };
    let csv = segment_core::synth::to_csv(&segment_core::synth::seed_like_customers(rows, seed));
    if let Err(e) = std::fs::write(path, csv) {
        eprintln!("{path}: {e}");
    }
}

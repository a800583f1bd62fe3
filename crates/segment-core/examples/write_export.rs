//! Writes the reading benchmark's 10-column customer export (see `synth::customer_export`):
//! `cargo run --release -p segment-core --example write_export -- ROWS FILE`
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(rows), Some(path)) = (args.get(1).and_then(|r| r.parse().ok()), args.get(2)) else {
        return eprintln!("usage: write_export ROWS FILE");
    };
    if let Err(e) = std::fs::write(path, segment_core::synth::customer_export(rows, 3)) {
        eprintln!("{path}: {e}");
    }
}

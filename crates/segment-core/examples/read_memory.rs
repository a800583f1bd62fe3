//! Reads a file the way the page does (decode, type every column) and prints the time and the peak
//! memory of the process against the file's size (Linux: VmHWM):
//! `cargo run --release -p segment-core --example read_memory -- FILE`
fn peak_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let Some(path) = std::env::args().nth(1) else { return eprintln!("usage: read_memory FILE") };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => return eprintln!("{path}: {e}"),
    };
    let size = bytes.len() as f64;
    let t = std::time::Instant::now();
    match segment_core::ingest::read_csv(&bytes, &mut |_| {}) {
        Ok(table) => {
            let peak = peak_kb() as f64 * 1024.0;
            println!(
                "{path}: {} rows x {} columns, {:.0} MB file; read in {:.2} s; peak memory {:.0} MB ({:.1}x the file, the file included)",
                table.n_rows,
                table.columns.len(),
                size / 1e6,
                t.elapsed().as_secs_f64(),
                peak / 1e6,
                peak / size
            );
        }
        Err(e) => eprintln!("{e}"),
    }
}

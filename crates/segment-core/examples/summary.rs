//! Prints the summary and a run with the suggested settings for a CSV file, with the time of each step:
//! `cargo run --release -p segment-core --example summary -- FILE`.
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let bytes = std::fs::read(&path).unwrap_or_default();
    let t = Instant::now();
    let table = match segment_core::ingest::read_csv(&bytes, &mut |_| {}) {
        Ok(table) => table,
        Err(e) => return println!("{e}"),
    };
    println!("read: {:?}", t.elapsed());
    let t = Instant::now();
    let summary = match segment_core::pipeline::summarize(&table) {
        Ok(s) => s,
        Err(e) => return println!("{e}"),
    };
    println!("summarize (k-distance): {:?}", t.elapsed());
    println!("{:?}", summary.suggested);
    let mut last = Instant::now();
    let mut stage = None;
    let outcome = segment_core::pipeline::run(&table, &summary.suggested, &mut |s, _| {
        if stage != Some(s) {
            if let Some(prev) = stage {
                println!("  {prev:?}: {:?}", last.elapsed());
            }
            stage = Some(s);
            last = Instant::now();
        }
    });
    println!("  last stage: {:?}", last.elapsed());
    match outcome {
        Ok(r) => println!("used {} sizes {:?} noise {}", r.rows_used, r.segment_sizes, r.noise),
        Err(e) => println!("{e}"),
    }
}

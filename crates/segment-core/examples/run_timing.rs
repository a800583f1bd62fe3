//! Where the time of a run goes, step by step (natively):
//! `cargo run --release -p segment-core --example run_timing -- DATA.csv [eps min_samples]`
use segment_core::ingest::read_csv;
use segment_core::pipeline::{run, summarize};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(data) = args.get(1) else { return eprintln!("usage: run_timing DATA.csv [eps min_samples]") };
    let bytes = std::fs::read(data).unwrap_or_default();
    let t = Instant::now();
    let table = match read_csv(&bytes, &mut |_| {}) {
        Ok(t) => t,
        Err(e) => return eprintln!("{e}"),
    };
    println!("read_csv: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let mut spec = match summarize(&table) {
        Ok(s) => s.suggested,
        Err(e) => return eprintln!("{e}"),
    };
    println!("summarize (k-distance): {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    if let (Some(eps), Some(min)) =
        (args.get(2).and_then(|v| v.parse().ok()), args.get(3).and_then(|v| v.parse().ok()))
    {
        spec.dbscan.eps = eps;
        spec.dbscan.min_samples = min;
    }
    let mut last = (Instant::now(), String::from("start"));
    let t = Instant::now();
    let result = run(&table, &spec, &mut |stage, _| {
        let label = format!("{stage:?}");
        if label != last.1 {
            println!("  {}: {:.0} ms", last.1, last.0.elapsed().as_secs_f64() * 1e3);
            last = (Instant::now(), label);
        }
    });
    println!("  {}: {:.0} ms", last.1, last.0.elapsed().as_secs_f64() * 1e3);
    println!("run: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    if let Ok(r) = result {
        let t = Instant::now();
        let json = serde_json::to_string(&r.result).unwrap_or_default();
        println!("result JSON: {:.0} ms, {:.1} MB", t.elapsed().as_secs_f64() * 1e3, json.len() as f64 / 1e6);
        let t = Instant::now();
        let back: Result<segment_core::pipeline::AnalysisResult, _> = serde_json::from_str(&json);
        println!("parse JSON: {:.0} ms ({})", t.elapsed().as_secs_f64() * 1e3, back.is_ok());
    }
}

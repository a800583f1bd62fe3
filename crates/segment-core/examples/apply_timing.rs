//! Where the time of applying a model to a big file goes, step by step (natively):
//! `cargo run --release -p segment-core --example apply_timing -- MODEL.json DATA.csv`
use segment_core::ingest::read_csv;
use segment_core::model::{apply, SegmentModel};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(model), Some(data)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: apply_timing MODEL.json DATA.csv");
        return;
    };
    let t = Instant::now();
    let model = std::fs::read_to_string(model)
        .map_err(|e| e.to_string())
        .and_then(|j| SegmentModel::from_json(&j).map_err(|e| e.to_string()));
    let model = match model {
        Ok(m) => m,
        Err(e) => return eprintln!("{e}"),
    };
    println!("model read: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let bytes = std::fs::read(data).unwrap_or_default();
    let t = Instant::now();
    let table = match read_csv(&bytes, &mut |_| {}) {
        Ok(t) => t,
        Err(e) => return eprintln!("{e}"),
    };
    println!("read_csv: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let mut last = (Instant::now(), String::from("start"));
    let t = Instant::now();
    let applied = apply(&model, &bytes, &table, &[], &mut |stage, _| {
        let label = format!("{stage:?}");
        if label != last.1 {
            println!("  {}: {:.0} ms", last.1, last.0.elapsed().as_secs_f64() * 1e3);
            last = (Instant::now(), label);
        }
    });
    println!("  {}: {:.0} ms", last.1, last.0.elapsed().as_secs_f64() * 1e3);
    println!("apply: {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    if let Ok(a) = applied {
        let t = Instant::now();
        let json = serde_json::to_string(&(&a.applied, &a.result.result)).unwrap_or_default();
        println!("result JSON: {:.0} ms, {:.1} MB", t.elapsed().as_secs_f64() * 1e3, json.len() as f64 / 1e6);
    }
}

//! Times each step of the automatic choice on a file: read, summary, search, fit of the pick.
//! `cargo run --release -p segment-core --example auto_timing -- FILE`
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else { return eprintln!("usage: auto_timing FILE") };
    let bytes = std::fs::read(&path).unwrap_or_default();
    let t = Instant::now();
    let customers = match segment_core::transactions::read_customers(bytes, &Default::default(), &mut |_| {})
    {
        Ok(c) => c,
        Err(e) => return eprintln!("{e}"),
    };
    println!("read: {:?}", t.elapsed());
    let t = Instant::now();
    let summary = match segment_core::pipeline::summarize_customers(&customers) {
        Ok(s) => s,
        Err(e) => return eprintln!("{e}"),
    };
    println!("summary: {:?}", t.elapsed());
    let t = Instant::now();
    let options = segment_core::auto::SearchOptions::default();
    let choice = match segment_core::auto::search(&customers.table, &summary.suggested, options, &mut |_| {})
    {
        Ok(c) => c,
        Err(e) => return eprintln!("{e}"),
    };
    println!(
        "search ({} candidates on {} rows): {:?}",
        choice.candidates.len(),
        choice.rows_searched,
        t.elapsed()
    );
    let Some(chosen) = choice.chosen.map(|i| &choice.candidates[i]) else { return };
    let mut last = (Instant::now(), String::new());
    let t = Instant::now();
    let result = segment_core::pipeline::run(&customers.table, &chosen.spec, &mut |stage, _| {
        if stage.label() != last.1 {
            if !last.1.is_empty() {
                println!("  {}: {:?}", last.1, last.0.elapsed());
            }
            last = (Instant::now(), stage.label().to_string());
        }
    });
    println!("  {}: {:?}", last.1, last.0.elapsed());
    println!(
        "fit of the pick ({}): {:?}; {} segments",
        chosen.method_words(),
        t.elapsed(),
        result.map_or(0, |r| r.segment_sizes.len())
    );
}

//! Prints the summary and a run with the suggested settings for a CSV file: `cargo run --example summary -- FILE`.
fn main() {
    let path = std::env::args().nth(1).unwrap_or_default();
    let bytes = std::fs::read(&path).unwrap_or_default();
    match segment_core::ingest::read_csv(&bytes, &mut |_| {}) {
        Ok(table) => {
            let Ok(s) = segment_core::pipeline::summarize(&table) else {
                return println!("no numeric column");
            };
            println!("{:?}\n{:?}", s.suggested, s.k_distance.map(|k| k.knee_eps));
            match segment_core::pipeline::run(&table, &s.suggested, &mut |_, _| {}) {
                Ok(r) => println!(
                    "used {} sizes {:?} noise {} {:?}",
                    r.rows_used, r.segment_sizes, r.noise, r.cleaning
                ),
                Err(e) => println!("{e}"),
            }
        }
        Err(e) => println!("{e}"),
    }
}

//! Prints a file's schema as the page's schema table shows it:
//! `cargo run -p segment-core --example schema -- FILE`
fn main() {
    let Some(path) = std::env::args().nth(1) else { return eprintln!("usage: schema FILE") };
    let bytes = std::fs::read(&path).unwrap_or_default();
    match segment_core::ingest::read_csv(&bytes, &mut |_| {}) {
        Ok(t) => {
            println!(
                "{path}: {}, delimiter {:?}, {} rows, {} ragged",
                t.source, t.delimiter as char, t.n_rows, t.ragged_rows
            );
            for c in t.info() {
                println!(
                    "  {:<14} {:<60} missing {:>3}  distinct {}",
                    c.name, c.type_label, c.missing, c.distinct
                );
            }
            for c in &t.columns {
                if let Some(v) = c.values.first() {
                    println!("  first {} = {v}", c.name);
                }
            }
        }
        Err(e) => eprintln!("{e}"),
    }
}

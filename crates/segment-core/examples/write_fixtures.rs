//! Writes the generated fixtures the tests read (deterministic; run again to regenerate them):
//! `cargo run -p segment-core --example write_fixtures -- tests/fixtures`
//! - marketing_campaign.csv: a 29-column campaign export of 2,240 customers of three kinds.
//! - purchases.csv: purchase lines of 500 customers of three kinds (loyal, occasional, lapsed).
fn main() {
    let Some(dir) = std::env::args().nth(1) else { return eprintln!("usage: write_fixtures DIR") };
    let (marketing, _) = segment_core::synth::marketing_export(2_240, 29);
    let (purchases, _) = segment_core::synth::planted_transactions(500, 17);
    for (name, text) in [("marketing_campaign.csv", marketing), ("purchases.csv", purchases)] {
        let path = format!("{dir}/{name}");
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("{path}: {e}");
        }
    }
}

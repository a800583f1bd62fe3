//! Writes the generated fixtures the tests read (deterministic; run again to regenerate them):
//! `cargo run -p segment-core --example write_fixtures -- tests/fixtures`
//! - marketing_campaign.csv: a 29-column campaign export of 2,240 customers of three kinds.
//! - purchases.csv: purchase lines of 500 customers of three kinds (loyal, occasional, lapsed).
//! - hostile/: crafted files (spreadsheet bombs, 10,000 columns, a swallowing quote, extreme numbers,
//!   a stray byte, ragged rows, no header), see `synth::hostile_files`.
fn main() {
    let Some(dir) = std::env::args().nth(1) else { return eprintln!("usage: write_fixtures DIR") };
    let (marketing, _) = segment_core::synth::marketing_export(2_240, 29);
    let (purchases, _) = segment_core::synth::planted_transactions(500, 17);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("marketing_campaign.csv".into(), marketing.into_bytes()),
        ("purchases.csv".into(), purchases.into_bytes()),
    ];
    files.extend(segment_core::synth::hostile_files().into_iter().map(|(n, b)| (format!("hostile/{n}"), b)));
    if let Err(e) = std::fs::create_dir_all(format!("{dir}/hostile")) {
        eprintln!("{dir}/hostile: {e}");
    }
    for (name, bytes) in files {
        let path = format!("{dir}/{name}");
        if let Err(e) = std::fs::write(&path, bytes) {
            eprintln!("{path}: {e}");
        }
    }
}

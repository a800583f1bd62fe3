//! Writes the generated fixtures the tests read (deterministic; run again to regenerate them):
//! `cargo run -p segment-core --example write_fixtures -- tests/fixtures`
//! - marketing_campaign.csv: a 29-column campaign export of 2,240 customers of three kinds.
//! - purchases.csv: purchase lines of 500 customers of three kinds (loyal, occasional, lapsed).
//! - hostile/: crafted files (spreadsheet bombs, 10,000 columns, a swallowing quote, extreme numbers,
//!   a stray byte, ragged rows, no header), see `synth::hostile_files`.
//! - corpus/: three files of the generated corpus (`segment_core::corpus`, 800 customers, seed 41): a
//!   CRM export with a newsletter flag, order lines whose customer is a company name, and a
//!   whitespace-aligned purchase log, each with `<name>.truth.json`: the planted groups' sizes.
fn main() {
    let Some(dir) = std::env::args().nth(1) else { return eprintln!("usage: write_fixtures DIR") };
    let (marketing, _) = segment_core::synth::marketing_export(2_240, 29);
    let (purchases, _) = segment_core::synth::planted_transactions(500, 17);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("marketing_campaign.csv".into(), marketing.into_bytes()),
        ("purchases.csv".into(), purchases.into_bytes()),
    ];
    files.extend(segment_core::synth::hostile_files().into_iter().map(|(n, b)| (format!("hostile/{n}"), b)));
    for file in segment_core::corpus::corpus(800, 41) {
        if !["crm", "log_company", "log_aligned"].contains(&file.name) {
            continue;
        }
        let groups = file.customers.iter().map(|c| c.1 + 1).max().unwrap_or(0);
        let mut sizes = vec![0usize; groups];
        file.customers.iter().for_each(|c| sizes[c.1] += 1);
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        let ext = if file.name == "log_aligned" { "txt" } else { "csv" };
        files.push((
            format!("corpus/{}.truth.json", file.name),
            format!("{{\"sizes\":{sizes:?}}}\n").into_bytes(),
        ));
        files.push((format!("corpus/{}.{ext}", file.name), file.bytes));
    }
    for sub in ["hostile", "corpus"] {
        if let Err(e) = std::fs::create_dir_all(format!("{dir}/{sub}")) {
            eprintln!("{dir}/{sub}: {e}");
        }
    }
    for (name, bytes) in files {
        let path = format!("{dir}/{name}");
        if let Err(e) = std::fs::write(&path, bytes) {
            eprintln!("{path}: {e}");
        }
    }
}

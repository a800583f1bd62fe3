//! The automatic choice, end to end (read, advise, try the candidates, fit the pick on every row), on
//! the generated fixtures and exports of 100,000 and 1,000,000 rows, against the reference it is held
//! to in the same run: a plain scikit-learn k-means sweep (`sklearn_sweep.py`: k = 2..10, z-scores and
//! min-max, numeric non-id columns; purchase lines aggregated per customer with log1p RFM). Prints both
//! times and silhouettes, and whether ours is at least 0.85 times the sweep's best.
//!
//! `cargo bench -p segment-core --bench auto -- [FILES...]` (default: the fixtures and two generated
//! exports; scikit-learn is skipped above 100,000 rows unless BENCH_SKLEARN_ALL=1).

use segment_core::auto::choose;
use segment_core::pipeline::summarize_customers;
use segment_core::transactions::{read_customers, LoadMode};
use std::path::PathBuf;
use std::time::Instant;

fn sklearn_sweep(path: &PathBuf) -> Option<(f64, f64)> {
    let script = format!("{}/benches/sklearn_sweep.py", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3").arg(script).arg(path).output().ok()?;
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some((json["ms"].as_f64()?, json["silhouette"].as_f64()?))
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
    let mut files: Vec<PathBuf> =
        std::env::args().skip(1).filter(|a| !a.starts_with('-')).map(PathBuf::from).collect();
    if files.is_empty() {
        files = ["marketing_campaign.csv", "purchases.csv", "customers_2k.csv"]
            .iter()
            .map(|f| root.join(f))
            .collect();
        for rows in [100_000usize, 1_000_000] {
            let path = std::env::temp_dir().join(format!("segment-bench-export-{rows}.csv"));
            if !path.exists() {
                std::fs::write(&path, segment_core::synth::customer_export(rows, 3))
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            files.push(path);
        }
    }
    let sklearn_all = std::env::var("BENCH_SKLEARN_ALL").is_ok_and(|v| v == "1");
    println!("| file | customers | ours (ms) | scikit-learn sweep (ms) | sweep / ours | our silhouette | sweep's best | ratio | choice |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for path in files {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let t = Instant::now();
        let customers = read_customers(bytes, &LoadMode::Auto, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let summary = summarize_customers(&customers).unwrap_or_else(|e| panic!("{e}"));
        let (choice, result) =
            choose(&customers.table, &summary.suggested, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let ours_ms = t.elapsed().as_secs_f64() * 1e3;
        let ours_sil = result.scores.silhouette.as_ref().map_or(f64::NAN, |s| s.mean);
        let sklearn =
            (customers.table.n_rows <= 100_000 || sklearn_all).then(|| sklearn_sweep(&path)).flatten();
        let name = path.file_name().map_or(String::new(), |n| n.to_string_lossy().into_owned());
        let chosen = choice.chosen.map(|i| &choice.candidates[i]);
        println!(
            "| {name} | {} | {ours_ms:.0} | {} | {} | {ours_sil:.3} | {} | {} | {} |",
            result.rows_used,
            sklearn.map_or("skipped".into(), |(ms, _)| format!("{ms:.0}")),
            sklearn.map_or(String::new(), |(ms, _)| format!("{:.1}x", ms / ours_ms)),
            sklearn.map_or("".into(), |(_, s)| format!("{s:.3}")),
            sklearn.map_or("".into(), |(_, s)| format!("{:.2}", ours_sil / s)),
            chosen.map_or(String::new(), |c| format!(
                "{}, {} segments ({}; {} tried on {} rows)",
                c.method_words(),
                result.segment_sizes.len(),
                c.representation,
                choice.candidates.len(),
                choice.rows_searched
            )),
        );
    }
}

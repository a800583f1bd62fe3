//! The automatic choice, end to end (read, advise, try the candidates, fit the pick on every row), on
//! the generated fixtures and exports of 100,000 and 1,000,000 rows, against the reference it is held
//! to in the same run: a plain scikit-learn k-means sweep (`sklearn_sweep.py`: k = 2..10, z-scores and
//! min-max, numeric non-id columns; purchase lines aggregated per customer with log1p RFM). Prints both
//! times and silhouettes, and whether ours is at least 0.85 times the sweep's best.
//!
//! Then the generated corpus (`segment_core::corpus`: six customer tables and six purchase-log shapes
//! with planted groups among nuisance columns): the default's adjusted Rand index against the planted
//! groups beside scikit-learn's k-means on the true behaviour columns (best k, `sklearn_truth.py`), and
//! whether ours is at least 0.85 times it.
//!
//! `cargo bench -p segment-core --bench auto -- [FILES...]` (default: the fixtures and two generated
//! exports; scikit-learn is skipped above 100,000 rows unless BENCH_SKLEARN_ALL=1). `-- --corpus N`:
//! only the corpus, N customers per table (default 10,000; purchase logs a quarter of it).

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

/// scikit-learn's best-k ARI on a corpus file's true behaviour columns.
fn sklearn_truth(file: &segment_core::corpus::CorpusFile) -> Option<(f64, u64)> {
    let path = std::env::temp_dir().join(format!("segment-bench-truth-{}.csv", file.name));
    std::fs::write(&path, segment_core::corpus::behaviour_csv(file)).ok()?;
    let script = format!("{}/benches/sklearn_truth.py", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3").arg(script).arg(&path).output().ok()?;
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some((json["ari"].as_f64()?, json["k"].as_u64()?))
}

fn corpus(n: usize) {
    println!("\n| corpus file | customers | our ARI | segments | scikit-learn k-means on the behaviour (best k) | ratio | at least 0.85 |");
    println!("|---|---:|---:|---:|---:|---:|---|");
    for file in segment_core::corpus::corpus(n, 29) {
        let t = Instant::now();
        let ours = segment_core::corpus::default_outcome(&file);
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let reference = sklearn_truth(&file);
        match ours {
            Ok(o) => println!(
                "| {} | {} | {:.3} ({ms:.0} ms) | {} | {} | {} | {} |",
                file.name,
                file.customers.len(),
                o.ari,
                o.segments,
                reference.map_or("skipped".into(), |(a, k)| format!("{a:.3} (k {k})")),
                reference.map_or(String::new(), |(a, _)| format!("{:.2}", o.ari / a)),
                reference.map_or(String::new(), |(a, _)| (if o.ari >= 0.85 * a { "yes" } else { "NO" })
                    .to_string()),
            ),
            Err(e) => println!("| {} | {} | failed: {e} | | | | NO |", file.name, file.customers.len()),
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = args.iter().position(|a| a == "--corpus") {
        let n = args.get(at + 1).and_then(|v| v.parse().ok()).unwrap_or(10_000);
        corpus(n);
        return;
    }
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
    corpus(10_000);
}

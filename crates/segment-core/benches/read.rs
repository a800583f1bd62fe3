//! Reading benchmark: `read_csv` (decode, delimiter, typing of every column with number formats,
//! booleans, dates and categories) on a 10-column customer export of 100k and 1M rows, against
//! pandas.read_csv on the same file in the same run when Python has pandas.
//!
//! `cargo bench -p segment-core --bench read -- [SIZES...]`   (default: 100000 1000000)

use segment_core::ingest::read_csv;
use segment_core::synth::customer_export;
use std::time::Instant;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![100_000, 1_000_000] } else { sizes };
    let has_pandas = std::process::Command::new("python3")
        .args(["-c", "import pandas"])
        .output()
        .is_ok_and(|o| o.status.success());
    println!("| rows | file (MB) | read_csv (ms) | pandas.read_csv (ms) | pandas / ours |");
    println!("|---:|---:|---:|---:|---:|");
    for n in sizes {
        let text = customer_export(n, 3);
        let t = Instant::now();
        let table = read_csv(text.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let ours = t.elapsed().as_secs_f64() * 1e3;
        assert_eq!(table.n_rows, n);
        let pandas = has_pandas.then(|| {
            let path = std::env::temp_dir().join("segment-bench-read.csv");
            std::fs::write(&path, &text).unwrap_or_else(|e| panic!("{e}"));
            let script = "import sys, time, pandas as pd\nt = time.perf_counter()\ndf = pd.read_csv(sys.argv[1])\nprint((time.perf_counter() - t) * 1e3)";
            let out = std::process::Command::new("python3")
                .args(["-c", script])
                .arg(&path)
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            String::from_utf8_lossy(&out.stdout).trim().parse::<f64>().unwrap_or(f64::NAN)
        });
        println!(
            "| {n} | {:.0} | {ours:.0} | {} | {} |",
            text.len() as f64 / 1e6,
            pandas.map_or("n/a".into(), |p| format!("{p:.0}")),
            pandas.map_or("".into(), |p| format!("{:.2}x", p / ours)),
        );
    }
}

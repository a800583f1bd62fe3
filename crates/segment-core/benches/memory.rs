//! Peak memory against the file's size, natively: reading a customer export (typed columns), and the
//! whole first result in a session (read, advise, the automatic choice, the chosen fit with its scores,
//! PCA and dashboard figures; the file read again from disk when asked, not kept). Each measurement runs in a fresh process (this binary again), whose peak
//! resident size (Linux VmHWM) includes the file's bytes.
//!
//! The same work in pandas + scikit-learn (`pandas_memory.py`: read, z-scores, k-means, scores) is
//! measured in the same run when python3 has them.
//!
//! `cargo bench -p segment-core --bench memory -- [ROWS...]` (default: 1000000 4000000)

use std::time::Instant;

fn peak_bytes() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb * 1024.0)
}

/// In the child: read (and, with `full`, segment) the file; print seconds and peak bytes.
fn child(path: &str, full: bool) {
    let t = Instant::now();
    if full {
        // As the page and the command line do: a session that reads the file in chunks from where it
        // lies, and again from there when asked, instead of holding its bytes.
        let mut session = segment_core::session::Session::new();
        let disk = segment_core::session::DiskFile::open(std::path::Path::new(path))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let summary = session
            .load_from(Box::new(disk), &Default::default(), &mut |_, _| {})
            .unwrap_or_else(|e| panic!("{e}"));
        let _ = session.choose(&summary.suggested, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    } else {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let _ = segment_core::transactions::read_customers(bytes, &Default::default(), &mut |_| {})
            .unwrap_or_else(|e| panic!("{e}"));
    }
    println!("{} {}", t.elapsed().as_secs_f64(), peak_bytes());
}

/// pandas + scikit-learn's seconds and peak bytes for the same file, when python3 has them.
fn pandas(path: &std::path::Path) -> Option<(f64, f64)> {
    let script = format!("{}/benches/pandas_memory.py", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("python3").arg(script).arg(path).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.split_whitespace().filter_map(|v| v.parse::<f64>().ok());
    Some((it.next()?, it.next()?))
}

fn main() {
    if let Ok(spec) = std::env::var("SEGMENT_MEMORY_CHILD") {
        let (mode, path) = spec.split_once(':').unwrap_or(("read", spec.as_str()));
        return child(path, mode == "full");
    }
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000_000, 4_000_000] } else { sizes };
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    println!("| rows | file | read: time | read: peak | peak / file | first result: time | first result: peak | peak / file | pandas + scikit-learn: time | peak | peak / file |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for rows in sizes {
        let path = std::env::temp_dir().join(format!("segment-bench-export-{rows}.csv"));
        if !path.exists() {
            std::fs::write(&path, segment_core::synth::customer_export(rows, 3))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let size = std::fs::metadata(&path).map_or(f64::NAN, |m| m.len() as f64);
        let measure = |mode: &str| -> (f64, f64) {
            let out = std::process::Command::new(&exe)
                .env("SEGMENT_MEMORY_CHILD", format!("{mode}:{}", path.display()))
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            let text = String::from_utf8_lossy(&out.stdout);
            let mut it = text.split_whitespace().map(|v| v.parse::<f64>().unwrap_or(f64::NAN));
            (it.next().unwrap_or(f64::NAN), it.next().unwrap_or(f64::NAN))
        };
        let (read_s, read_peak) = measure("read");
        let (full_s, full_peak) = measure("full");
        let reference = pandas(&path).map_or_else(
            || "(python3 without pandas / scikit-learn) | | ".to_string(),
            |(s, peak)| format!("{s:.1} s | {:.0} MB | {:.1}x", peak / 1e6, peak / size),
        );
        println!(
            "| {rows} | {:.0} MB | {read_s:.1} s | {:.0} MB | {:.1}x | {full_s:.1} s | {:.0} MB | {:.1}x | {reference} |",
            size / 1e6,
            read_peak / 1e6,
            read_peak / size,
            full_peak / 1e6,
            full_peak / size
        );
    }
}

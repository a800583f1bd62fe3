//! What the benchmarks share: our peak memory, and a reference in Python timed on the same rows.

use ndarray::Array2;

/// The process's peak resident memory in MB (Linux, /proc; NaN elsewhere).
#[allow(dead_code)]
pub fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Runs `python benches/SCRIPT X.csv ARGS... OUT` with `x` written at full precision (`name` keeps the
/// benchmarks' files apart): the time the script prints (ms) and the lines it wrote to OUT; else why not.
pub fn python_reference(
    python: &str,
    script: &str,
    name: &str,
    x: &Array2<f64>,
    args: &[String],
) -> Result<(f64, Vec<String>), String> {
    let dir = std::env::temp_dir();
    let (input, output) =
        (dir.join(format!("segment-bench-{name}.csv")), dir.join(format!("segment-bench-{name}.txt")));
    let mut text = String::with_capacity(x.nrows() * 60);
    for row in x.outer_iter() {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:?}")).collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    std::fs::write(&input, text).map_err(|e| e.to_string())?;
    let out = std::process::Command::new(python)
        .arg(format!("{}/benches/{script}", env!("CARGO_MANIFEST_DIR")))
        .arg(&input)
        .args(args)
        .arg(&output)
        .output()
        .map_err(|e| format!("{python}: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let ms = String::from_utf8_lossy(&out.stdout).trim().parse().map_err(|e| format!("{e}"))?;
    let lines =
        std::fs::read_to_string(&output).map_err(|e| e.to_string())?.lines().map(String::from).collect();
    Ok((ms, lines))
}

//! No input makes the core panic: random bytes, random CSV-like text and extreme parameters give a result
//! or a typed error. (A seeded generator, so a failure replays.)

use segment_core::ingest::read_csv;
use segment_core::pipeline::{run, summarize};
use segment_core::rng::SplitMix64;
use segment_core::spec::Method;

fn random_bytes(rng: &mut SplitMix64, len: usize) -> Vec<u8> {
    (0..len).map(|_| (rng.next_u64() & 0xff) as u8).collect()
}

fn random_csv(rng: &mut SplitMix64) -> String {
    const CELLS: [&str; 16] = [
        "1", "2.5", "-3", "0", "", "NA", "x", "\"a,b\"", "1e308", "-1e-300", "nan", "inf", " 7 ", "\"", "🙂",
        "1,5",
    ];
    const SEPS: [&str; 4] = [",", ";", "\t", "|"];
    let sep = SEPS[rng.below(SEPS.len())];
    let cols = 1 + rng.below(5);
    let rows = rng.below(60);
    let mut out = (0..cols).map(|c| format!("c{c}")).collect::<Vec<_>>().join(sep);
    for _ in 0..rows {
        out.push(if rng.below(10) == 0 { '\r' } else { '\n' });
        let n = if rng.below(8) == 0 { rng.below(cols + 2) } else { cols };
        let cells: Vec<&str> = (0..n).map(|_| CELLS[rng.below(CELLS.len())]).collect();
        out.push_str(&cells.join(sep));
    }
    out
}

fn analyse(bytes: &[u8], rng: &mut SplitMix64) {
    let Ok(table) = read_csv(bytes, &mut |_| {}) else { return };
    let Ok(summary) = summarize(&table) else { return };
    let mut spec = summary.suggested;
    spec.dbscan.eps = [1e-300, 1e-9, 0.05, 1.0, 1e300][rng.below(5)];
    spec.dbscan.min_samples = 1 + rng.below(6);
    spec.kmeans.k = 1 + rng.below(4);
    spec.method = if rng.below(2) == 0 { Method::Dbscan } else { Method::KMeans };
    if let Ok(r) = run(&table, &spec, &mut |_, _| {}) {
        assert_eq!(r.labels.len(), r.rows_used);
        assert_eq!(r.segment_sizes.iter().sum::<usize>() + r.noise, r.rows_used);
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = SplitMix64::new(1);
    for i in 0..500 {
        let bytes = random_bytes(&mut rng, i % 300);
        analyse(&bytes, &mut rng);
    }
}

#[test]
fn random_csv_like_text_never_panics() {
    let mut rng = SplitMix64::new(2);
    for _ in 0..3000 {
        let text = random_csv(&mut rng);
        analyse(text.as_bytes(), &mut rng);
    }
}

#[test]
fn tiny_eps_on_wide_data_stays_exact() {
    // eps far below the data's resolution: no two distinct points are neighbours; duplicates are.
    let text = "a,b\n0,0\n0,0\n0,0\n1e12,5\n2e12,5\n";
    let table = read_csv(text.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = summarize(&table).unwrap_or_else(|e| panic!("{e}")).suggested;
    spec.scaler = segment_core::features::ScalerKind::None;
    spec.dbscan.eps = 1e-6;
    spec.dbscan.min_samples = 3;
    let r = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.segment_sizes, vec![3]);
    assert_eq!(r.noise, 2);
}

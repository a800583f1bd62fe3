//! Applying a saved model, streaming: rows per second of `apply_stream` on seed-like customer files of
//! 1M and 10M rows (generated in memory), against a plain CSV copy (read every record, write it back with
//! two empty fields) measured in the same run: the ratio is what parsing, cleaning, scaling and the
//! nearest-core search add to the I/O floor.
//!
//! `cargo bench -p segment-core --bench apply -- [SIZES...]`   (default: 1000000 10000000)

use segment_core::ingest::read_csv;
use segment_core::model::{apply_stream, SegmentModel};
use segment_core::pipeline::{run, summarize};
use segment_core::synth::{seed_like_customers, to_csv};
use std::time::Instant;

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000_000, 10_000_000] } else { sizes };

    // The model: fitted on 55,000 seed-like customers with the suggested settings (DBSCAN).
    let train = to_csv(&seed_like_customers(55_000, 7));
    let table = read_csv(train.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = summarize(&table).unwrap_or_else(|e| panic!("{e}")).suggested;
    spec.dbscan.eps = 0.04;
    spec.dbscan.min_samples = 50;
    let fit = |spec: &segment_core::spec::AnalysisSpec| {
        let result = run(&table, spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        SegmentModel::from_result(train.as_bytes(), &table, &result, &[], "train.csv")
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let model = fit(&spec);
    spec.method = segment_core::spec::Method::KMeans;
    let kmeans = fit(&spec);
    let json = model.to_json();
    let t = Instant::now();
    let model = SegmentModel::from_json(&json).unwrap_or_else(|e| panic!("{e}"));
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    println!(
        "model: {} segments, {} core points, {:.1} MB JSON, loaded in {load_ms:.0} ms",
        model.segments.len(),
        model.training.rows_used - model.training.noise,
        json.len() as f64 / 1e6
    );
    println!(
        "| rows | file (MB) | apply DBSCAN (s) | rows/s | apply k-means (s) | CSV copy (s) | DBSCAN / copy |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for n in sizes {
        let file = to_csv(&seed_like_customers(n, 11));
        let t = Instant::now();
        let summary = apply_stream(&model, &[], &[], file.as_bytes(), std::io::sink(), &mut |_, _| {})
            .unwrap_or_else(|e| panic!("{e}"));
        let apply_s = t.elapsed().as_secs_f64();
        assert_eq!(summary.rows_in, n);
        let t = Instant::now();
        apply_stream(&kmeans, &[], &[], file.as_bytes(), std::io::sink(), &mut |_, _| {})
            .unwrap_or_else(|e| panic!("{e}"));
        let kmeans_s = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let mut reader = csv::ReaderBuilder::new().from_reader(file.as_bytes());
        let mut writer = csv::Writer::from_writer(std::io::sink());
        let mut record = csv::ByteRecord::new();
        while reader.read_byte_record(&mut record).unwrap_or(false) {
            record.push_field(b"");
            record.push_field(b"");
            writer.write_byte_record(&record).unwrap_or_else(|e| panic!("{e}"));
        }
        let copy_s = t.elapsed().as_secs_f64();
        println!(
            "| {n} | {:.0} | {apply_s:.2} | {:.2} M | {kmeans_s:.2} | {copy_s:.2} | {:.1}x |",
            file.len() as f64 / 1e6,
            n as f64 / apply_s / 1e6,
            apply_s / copy_s
        );
    }
}

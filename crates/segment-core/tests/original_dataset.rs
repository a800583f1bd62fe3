//! The original project's dataset (public/dataset_ecommerce.csv, the app's built-in sample) must give
//! the figures the original project reports (tests/data/dataset_ecommerce.expected.json).
//!
//! Tolerances: counts exact; Davies-Bouldin and Calinski-Harabasz 1e-6 relative (the expected values are
//! given to 6 and 2 decimals: we compare to those decimals); exact silhouette 1e-6; the page's sampled
//! silhouette within 0.01 of the exact value, as the expected file allows; cluster means to the 0.1 the
//! original reports.

use linfa::traits::Transformer;
use linfa::ParamGuard;
use segment_core::ingest::read_csv;
use segment_core::pipeline::{run, summarize, Fitting, Segmentation as AnalysisResult};
use segment_core::score::{silhouette, SilhouetteOptions};
use segment_core::spec::AnalysisSpec;
use serde_json::Value;

fn sample_bytes() -> Vec<u8> {
    let path = format!("{}/../../public/dataset_ecommerce.csv", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn expected() -> Value {
    let path = format!("{}/tests/data/dataset_ecommerce.expected.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .unwrap_or(Value::Null)
}

fn run_sample() -> (AnalysisResult, Value) {
    let table = read_csv(&sample_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let summary = summarize(&table).unwrap_or_else(|e| panic!("{e}"));
    assert!(summary.preset.is_some(), "the sample's layout must be recognised");
    // The original project's settings; HDBSCAN's sizes (not part of the original) follow the file's.
    let mut original = AnalysisSpec::original_project();
    original.hdbscan = segment_core::spec::HdbscanSettings::suggested(table.n_rows);
    assert_eq!(summary.suggested, original);
    let result = run(&table, &summary.suggested, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    (result, expected())
}

#[test]
fn cleaning_counts_match_the_original() {
    let (r, e) = run_sample();
    let c = &e["cleaning"];
    let after: Vec<usize> = r.cleaning.steps.iter().map(|s| s.rows_after).collect();
    assert_eq!(r.cleaning.rows_in as u64, c["rows_in"].as_u64().unwrap_or(0));
    assert_eq!(
        after.iter().map(|&v| v as u64).collect::<Vec<_>>(),
        vec![
            c["after_dropping_rows_with_a_missing_value"].as_u64().unwrap_or(0),
            c["after_dropping_rows_with_a_negative_numeric_value"].as_u64().unwrap_or(0),
            c["after_dropping_rows_with_a_zero_numeric_value"].as_u64().unwrap_or(0),
        ]
    );
    assert_eq!(r.rows_used, 55_002);
}

#[test]
fn segments_scores_and_means_match_the_original() {
    let (r, e) = run_sample();
    let db = &e["dbscan"];
    let sizes: Vec<u64> = r.segment_sizes.iter().map(|&s| s as u64).collect();
    let expected_sizes: Vec<u64> =
        db["cluster_sizes_desc"].as_array().map_or(vec![], |a| a.iter().filter_map(Value::as_u64).collect());
    assert_eq!(sizes, expected_sizes);
    assert_eq!(r.noise as u64, db["noise"].as_u64().unwrap_or(0));

    let m = &db["metrics_without_noise"];
    let dbi = r.scores.davies_bouldin.unwrap_or(f64::NAN);
    assert!((dbi - m["davies_bouldin"].as_f64().unwrap_or(0.0)).abs() < 5e-7, "DB {dbi}");
    let ch = r.scores.calinski_harabasz.unwrap_or(f64::NAN);
    assert!((ch - m["calinski_harabasz"].as_f64().unwrap_or(0.0)).abs() < 0.005, "CH {ch}");
    let exact = m["silhouette_exact"].as_f64().unwrap_or(0.0);
    let sil = r.scores.silhouette.clone().unwrap_or_else(|| panic!("no silhouette"));
    assert!(sil.sampled && sil.rows_scored >= 9_990 && sil.rows_scored <= 10_010, "{sil:?}");
    assert!((sil.mean - exact).abs() < 0.01, "sampled silhouette {} vs exact {exact}", sil.mean);

    // Stability: DBSCAN at eps 0.04 mostly keeps its three segments on 80 % subsamples (seeded: mean
    // adjusted Rand index 0.82), but one subsample in five bridges two of them (min 0.56): the page
    // reports both numbers. k-means' three segments are stable (checked in the k-means test).
    let st = segment_core::pipeline::stability_of(&r, &mut |_, _| {});
    assert_eq!(st.runs, 5);
    assert!((st.mean_ari - 0.822).abs() < 0.01 && (st.min_ari - 0.562).abs() < 0.01, "{st:?}");

    // The original project's names, suggested from the segments' relative levels.
    let names: Vec<&str> = r.profiles.iter().map(|p| p.suggested_name.as_str()).collect();
    assert_eq!(names, vec!["Balanced Users", "High Spenders", "Active Savers"]);

    // Cluster means in the original units, matched by size.
    let features = &r.spec.features;
    let cluster_means = e["cluster_means"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("the reference has no cluster_means"));
    assert_eq!(cluster_means.len(), r.segment_sizes.len(), "one reference mean per segment");
    for cm in cluster_means {
        let size = cm["size"].as_u64().unwrap_or(0) as usize;
        let seg = r.segment_sizes.iter().position(|&s| s == size).unwrap_or_else(|| panic!("size {size}"));
        for (j, f) in features.iter().enumerate() {
            let want = cm[f.as_str()].as_f64().unwrap_or(f64::NAN);
            assert!(
                (r.segment_means[seg][j] - want).abs() <= 0.051,
                "{f} of segment {seg}: {}",
                r.segment_means[seg][j]
            );
        }
    }
}

#[test]
fn exact_silhouette_on_all_rows_and_linfa_agree() {
    let (r, e) = run_sample();
    // The map holds three components per row; any two can be paired.
    assert_eq!(r.pca.dims, 3);
    assert_eq!(r.pca.coords.len(), 3 * r.rows_used);
    assert_eq!(r.pca.pair(0, 2).len(), 2 * r.rows_used);
    assert_eq!(r.pca.pair(0, 2)[1], r.pca.coords[2]);
    let exact = e["dbscan"]["metrics_without_noise"]["silhouette_exact"].as_f64().unwrap_or(0.0);
    // Rebuild x_scaled as the pipeline does, then score every clustered row.
    let table = read_csv(&sample_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let spec = AnalysisSpec::original_project();
    let (kept, _) =
        segment_core::clean::clean(&table, &spec.features, &spec.cleaning).unwrap_or_else(|e| panic!("{e}"));
    let raw = segment_core::features::x_raw(&table, &spec.features, &kept);
    let x = segment_core::features::FittedScaler::fit(spec.scaler, raw.view()).transform(raw.view());
    let labels: Vec<Option<usize>> = r.labels.iter().map(|&l| usize::try_from(l).ok()).collect();
    let options = SilhouetteOptions { max_exact: usize::MAX, ..SilhouetteOptions::default() };
    let sil = silhouette(x.view(), &labels, options).unwrap_or_else(|| panic!("silhouette"));
    assert!((sil.mean - exact).abs() < 1e-6, "exact silhouette {}", sil.mean);

    // linfa-clustering's Dbscan, the reference, gives the same partition.
    let theirs = linfa_clustering::Dbscan::params(50).tolerance(0.04).check().map(|p| p.transform(&x));
    let theirs = theirs.unwrap_or_else(|e| panic!("{e}"));
    let (theirs, sizes) = segment_core::cluster::canonical_labels(&theirs.to_vec());
    assert_eq!(sizes, r.segment_sizes);
    assert_eq!(theirs, labels);
}

#[test]
fn kmeans_on_the_original_dataset() {
    // The original project reports k-means (k = 3) silhouette 0.6373 and Davies-Bouldin 0.5026 (our exact
    // silhouette: 0.63730; the page's 10k-row sample: within 0.01), and a silhouette by k of
    // 0.490 / 0.638 / 0.552 / 0.456 for k = 2..5, to 3 decimals from a notebook whose sampling is not
    // stated. Our exact value at k = 2 is 0.5009 with the same inertia optimum, so the by-k figures
    // are compared within 0.015.
    let table = read_csv(&sample_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut spec = AnalysisSpec::original_project();
    spec.method = segment_core::spec::Method::KMeans;
    let r = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.segment_sizes.len(), 3);
    assert_eq!(r.noise, 0);
    let sil = r.scores.silhouette.as_ref().map_or(f64::NAN, |s| s.mean);
    assert!((sil - 0.6373).abs() < 0.01, "k-means silhouette {sil}");
    let db = r.scores.davies_bouldin.unwrap_or(f64::NAN);
    assert!((db - 0.5026).abs() < 0.005, "k-means davies-bouldin {db}");
    let st = segment_core::pipeline::stability_of(&r, &mut |_, _| {});
    assert!(st.min_ari > 0.99, "k-means stability {st:?}");

    let sweep = segment_core::pipeline::k_sweep(&spec, r.x_scaled.view(), 2..=5, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let by_k: Vec<f64> =
        sweep.rows.iter().map(|r| r.scores.silhouette.as_ref().map_or(f64::NAN, |s| s.mean)).collect();
    for (ours, theirs) in by_k.iter().zip([0.490, 0.638, 0.552, 0.456]) {
        assert!((ours - theirs).abs() < 0.015, "silhouette by k: {by_k:?}");
    }
    assert_eq!(sweep.best_k, Some(3));
}

/// The exact silhouette of a result on the sample (the page samples above 10,000 rows).
fn exact_silhouette(r: &AnalysisResult) -> f64 {
    let table = read_csv(&sample_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let prepared = segment_core::pipeline::prepare(&table, &r.spec, Fitting::Learn, 1, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let labels: Vec<Option<usize>> = r.labels.iter().map(|&l| usize::try_from(l).ok()).collect();
    let options = SilhouetteOptions { max_exact: usize::MAX, ..SilhouetteOptions::default() };
    silhouette(prepared.x_scaled.view(), &labels, options).map_or(f64::NAN, |s| s.mean)
}

#[test]
fn gaussian_mixture_and_ward_on_the_original_dataset() {
    // The original project reports, for 3 segments on the same cleaned, min-max scaled features:
    // Gaussian mixture silhouette 0.6319, Davies-Bouldin 0.5076; Ward silhouette 0.633, DB 0.5066.
    // Compared within 0.005 (the figures are rounded; EM's initialisation is seeded differently).
    let table = read_csv(&sample_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    for (method, sil_expected, db_expected) in [
        (segment_core::spec::Method::GaussianMixture, 0.6319, 0.5076),
        (segment_core::spec::Method::Ward, 0.633, 0.5066),
    ] {
        let mut spec = AnalysisSpec::original_project();
        spec.method = method;
        let t = std::time::Instant::now();
        let r = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let seconds = t.elapsed().as_secs_f64();
        let sil = exact_silhouette(&r);
        let db = r.scores.davies_bouldin.unwrap_or(f64::NAN);
        println!("{method:?}: sizes {:?}, silhouette {sil:.4}, DB {db:.4}, {seconds:.2} s", r.segment_sizes);
        assert_eq!(r.segment_sizes.len(), 3);
        assert!((sil - sil_expected).abs() < 0.005, "{method:?} silhouette {sil}");
        assert!((db - db_expected).abs() < 0.005, "{method:?} davies-bouldin {db}");
    }
}

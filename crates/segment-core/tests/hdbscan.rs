//! HDBSCAN against scikit-learn 1.9's `HDBSCAN` on every run in tests/data/*.hdbscan.json (copied from
//! ../shared/reference): labels must be the same partition with noise exactly the same rows, and
//! membership probabilities within 1e-6.

use linfa::ParamGuard;
use ndarray::Array2;
use segment_core::clean::{clean, CleaningRules};
use segment_core::cluster::hdbscan::{Hdbscan, Selection};
use segment_core::features::{x_raw, FittedScaler, ScalerKind};
use segment_core::ingest::read_csv;
use segment_core::pipeline::{prepare, Fitting};
use segment_core::spec::AnalysisSpec;
use serde_json::Value;
use std::collections::HashMap;

const PROBABILITY_TOL: f64 = 1e-6;

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn data(name: &str) -> Vec<u8> {
    read(&format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR")))
}

fn reference(stem: &str) -> Value {
    serde_json::from_slice(&data(&format!("{stem}.hdbscan.json"))).unwrap_or_else(|e| panic!("{stem}: {e}"))
}

/// The reference's scaled rows: every row of the file, the features of its `.expected.json`.
fn scaled(stem: &str, scaler: &str) -> Array2<f64> {
    let table = read_csv(&data(&format!("{stem}.csv")), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let expected: Value =
        serde_json::from_slice(&data(&format!("{stem}.expected.json"))).unwrap_or_else(|e| panic!("{e}"));
    let features: Vec<String> = expected["features"]
        .as_array()
        .unwrap_or_else(|| panic!("features"))
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let (kept, _) =
        clean(&table, &features, &CleaningRules::features_only()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept.len(), table.n_rows);
    let raw = x_raw(&table, &features, &kept);
    let kind = ScalerKind::from_key(scaler).unwrap_or_else(|| panic!("scaler {scaler}"));
    FittedScaler::fit(kind, raw.view()).transform(raw.view())
}

/// The original project's cleaned sample (55,002 rows), its three features min-max scaled.
fn sample_scaled() -> Array2<f64> {
    let bytes = read(&format!("{}/../../public/dataset_ecommerce.csv", env!("CARGO_MANIFEST_DIR")));
    let table = read_csv(&bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let prepared = prepare(&table, &AnalysisSpec::original_project(), Fitting::Learn, 0, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(prepared.x_scaled.nrows(), 55_002);
    (*prepared.x_scaled).clone()
}

fn check_runs(name: &str, x: &Array2<f64>, reference: &Value) {
    let runs = reference["runs"].as_array().unwrap_or_else(|| panic!("runs"));
    assert!(!runs.is_empty());
    let (n, d) = x.dim();
    let rows: Vec<f64> = x.iter().copied().collect();
    for run in runs {
        let params = &run["params"];
        let mcs = params["min_cluster_size"].as_u64().unwrap_or_else(|| panic!("min_cluster_size")) as usize;
        let ms = params["min_samples"].as_u64().map(|v| v as usize);
        let selection = match params["cluster_selection_method"].as_str() {
            Some("leaf") => Selection::Leaf,
            _ => Selection::Eom,
        };
        let fit = Hdbscan::params(mcs, ms)
            .selection(selection)
            .check()
            .and_then(|p| p.fit_rows(&rows, n, d, &mut |_| {}))
            .unwrap_or_else(|e| panic!("{name} {params}: {e}"));
        let labels: Vec<i64> = run["labels"]
            .as_array()
            .unwrap_or_else(|| panic!("labels"))
            .iter()
            .map(|v| v.as_i64().unwrap_or(i64::MIN))
            .collect();
        assert_eq!(labels.len(), n, "{name}");
        // Noise on exactly the same rows.
        for (i, (&ours, &theirs)) in fit.labels.iter().zip(&labels).enumerate() {
            assert_eq!(
                ours.is_none(),
                theirs == -1,
                "{name} {params}: row {i} noise here {:?}, in scikit-learn {theirs}",
                ours
            );
        }
        // The same partition: each of our segments maps to the scikit-learn cluster most of its rows
        // are in, one to one. A row may only disagree when it is an exact tie: its smallest mutual-
        // reachability distance to the rest of our segment equals that to the rest of scikit-learn's
        // cluster, so it joins both at the same level and scikit-learn's pick depends on the order
        // numpy's (unstable) argsort leaves equal edges in.
        let mut pairs: HashMap<(usize, i64), usize> = HashMap::new();
        for (&ours, &theirs) in fit.labels.iter().zip(&labels) {
            if let Some(c) = ours {
                *pairs.entry((c, theirs)).or_default() += 1;
            }
        }
        let n_ours = fit.labels.iter().flatten().map(|&c| c + 1).max().unwrap_or(0);
        let mapping: Vec<i64> = (0..n_ours)
            .map(|c| {
                pairs
                    .iter()
                    .filter(|((o, _), _)| *o == c)
                    .max_by_key(|(_, &count)| count)
                    .map_or(-1, |((_, t), _)| *t)
            })
            .collect();
        let mut distinct = mapping.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(
            distinct.len(),
            n_ours,
            "{name} {params}: two of our segments map to one of scikit-learn's"
        );
        let core = &fit.core_distances;
        let mrd = |i: usize, j: usize| {
            let d: f64 =
                x.row(i).iter().zip(x.row(j).iter()).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt();
            d.max(core[i]).max(core[j])
        };
        let nearest_in = |i: usize, member: &dyn Fn(usize) -> bool| {
            (0..n).filter(|&j| j != i && member(j)).map(|j| mrd(i, j)).fold(f64::INFINITY, f64::min)
        };
        let mut ties = 0;
        let mut on_tie = vec![false; n];
        for i in 0..n {
            let Some(c) = fit.labels[i] else { continue };
            if mapping[c] == labels[i] {
                continue;
            }
            let ours = nearest_in(i, &|j| fit.labels[j] == Some(c));
            let theirs = nearest_in(i, &|j| labels[j] == labels[i]);
            assert_eq!(
                ours, theirs,
                "{name} {params}: row {i} is in another segment than scikit-learn's, and not on a tie"
            );
            ties += 1;
            on_tie[i] = true;
        }
        assert!(ties * 1000 <= n, "{name} {params}: {ties} rows on ties");
        let mut sizes: Vec<usize> =
            (0..n_ours).map(|c| fit.labels.iter().filter(|&&l| l == Some(c)).count()).collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        let expected_sizes: Vec<usize> = run["cluster_sizes_desc"]
            .as_array()
            .unwrap_or_else(|| panic!("sizes"))
            .iter()
            .filter_map(|v| v.as_u64().map(|v| v as usize))
            .collect();
        assert_eq!(sizes.len(), expected_sizes.len(), "{name} {params}");
        let moved: usize = sizes.iter().zip(&expected_sizes).map(|(a, b)| a.abs_diff(*b)).sum();
        assert!(moved <= 2 * ties, "{name} {params}: sizes {sizes:?}, scikit-learn {expected_sizes:?}");
        let probabilities = run["probabilities"].as_array().unwrap_or_else(|| panic!("probabilities"));
        let mut worst = 0.0f64;
        for (i, (ours, theirs)) in fit.probabilities.iter().zip(probabilities).enumerate() {
            let theirs = theirs.as_f64().unwrap_or_else(|| panic!("probability {i}"));
            if on_tie[i] {
                continue; // its cluster differs, so does the lambda it is measured against
            }
            let diff = (ours - theirs).abs();
            worst = worst.max(diff);
            assert!(diff <= PROBABILITY_TOL, "{name} {params}: row {i} probability {ours} vs {theirs}");
        }
        eprintln!(
            "{name} {params}: {} segments, {ties} rows on exact ties, worst probability difference {worst:e}",
            expected_sizes.len()
        );
    }
}

#[test]
fn customers_2k_equals_scikit_learn() {
    let reference = reference("customers_2k");
    let x = scaled("customers_2k", reference["scaler"].as_str().unwrap_or(""));
    check_runs("customers_2k", &x, &reference);
}

#[test]
fn blobs6d_equals_scikit_learn() {
    let reference = reference("blobs6d_1500");
    let x = scaled("blobs6d_1500", reference["scaler"].as_str().unwrap_or(""));
    check_runs("blobs6d_1500", &x, &reference);
}

#[test]
fn original_sample_equals_scikit_learn() {
    let reference = reference("dataset_ecommerce");
    check_runs("dataset_ecommerce", &sample_scaled(), &reference);
}

#[test]
fn min_cluster_size_sweep_builds_the_tree_once_and_agrees_with_single_fits() {
    // Each row of the sweep equals a fit with that min_cluster_size (same min_samples): the sweep only
    // reuses the hierarchy. On blobs6d, every size up to a cluster's 300 finds the five blobs.
    use segment_core::cluster::canonical_labels;
    use segment_core::pipeline::density_sweep;
    use segment_core::spec::Method;
    let x = scaled("blobs6d_1500", "standard");
    let mut spec = AnalysisSpec::original_project();
    spec.features = (0..6).map(|i| format!("f{i}")).collect();
    spec.method = Method::Hdbscan;
    spec.hdbscan.min_cluster_size = 20;
    spec.hdbscan.min_samples = Some(5);
    let sweep = density_sweep(&spec, x.view(), &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sweep.parameter, segment_core::pipeline::Swept::MinClusterSize);
    assert!(sweep.rows.len() >= 5 && sweep.rows.iter().any(|r| r.k == 20));
    let (n, d) = x.dim();
    let rows: Vec<f64> = x.iter().copied().collect();
    for row in &sweep.rows {
        let fit = Hdbscan::params(row.k, Some(5))
            .check()
            .and_then(|p| p.fit_rows(&rows, n, d, &mut |_| {}))
            .unwrap_or_else(|e| panic!("{e}"));
        let (labels, sizes) = canonical_labels(&fit.labels);
        assert_eq!(row.segments, sizes.len(), "min_cluster_size {}", row.k);
        assert_eq!(row.noise, labels.iter().filter(|l| l.is_none()).count());
        if row.k <= 300 {
            assert_eq!(row.segments, 5, "min_cluster_size {}", row.k);
        }
    }
    // Every size up to 300 gives the same five blobs: the smallest of them is the best.
    assert_eq!(sweep.best_k, sweep.rows.first().map(|r| r.k));
}

//! Parity with scikit-learn on the reference datasets in tests/data (copied from ../shared/reference:
//! values scikit-learn computed), and with linfa-clustering's Dbscan, our reference implementation.
//!
//! Tolerances: 1e-6 absolute for every exact statistic (scores, PCA ratios and components, k-distance
//! quantiles); labels must be the same partition (same groups, any numbering).

use linfa::traits::Transformer;
use linfa::ParamGuard;
use ndarray::Array2;
use segment_core::clean::{clean, CleaningRules};
use segment_core::cluster::{canonical_labels, Dbscan};
use segment_core::features::{x_raw, FittedScaler, ScalerKind};
use segment_core::ingest::{read_csv, Table};
use segment_core::pipeline::k_distance;
use segment_core::reduce::Pca;
use segment_core::score::{calinski_harabasz, davies_bouldin, silhouette, SilhouetteOptions};
use serde_json::Value;
use std::collections::HashMap;

const TOL: f64 = 1e-6;

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn table(name: &str) -> Table {
    read_csv(&data(name), &mut |_| {}).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn expected(name: &str) -> Value {
    serde_json::from_slice(&data(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

struct Reference {
    x_scaled: Array2<f64>,
    expected: Value,
    labels_sklearn: Vec<i64>,
    pc_sklearn: Vec<(f64, f64)>,
}

fn reference(stem: &str) -> Reference {
    let expected = expected(&format!("{stem}.expected.json"));
    let t = table(&format!("{stem}.csv"));
    let features: Vec<String> = expected["features"]
        .as_array()
        .unwrap_or_else(|| panic!("features"))
        .iter()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    let (kept, _) = clean(&t, &features, &CleaningRules::features_only()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(kept.len(), t.n_rows);
    let raw = x_raw(&t, &features, &kept);
    let kind =
        ScalerKind::from_key(expected["scaler"].as_str().unwrap_or("")).unwrap_or_else(|| panic!("scaler"));
    let x_scaled = FittedScaler::fit(kind, raw.view()).transform(raw.view());
    let labeled = table(&format!("{stem}.labeled.csv"));
    let col = |name: &str| labeled.column(name).unwrap_or_else(|| panic!("{name}")).values.to_vec();
    let labels_sklearn = col("dbscan_label").iter().map(|v| *v as i64).collect();
    let pc_sklearn = col("pc1").into_iter().zip(col("pc2")).collect();
    Reference { x_scaled, expected, labels_sklearn, pc_sklearn }
}

fn dbscan(x: &Array2<f64>, eps: f64, min_samples: usize) -> Vec<Option<usize>> {
    Dbscan::params(eps, min_samples)
        .check()
        .map(|p| p.transform(x).to_vec())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn linfa_dbscan(x: &Array2<f64>, eps: f64, min_samples: usize) -> Vec<Option<usize>> {
    linfa_clustering::Dbscan::params(min_samples)
        .tolerance(eps)
        .check()
        .map(|p| p.transform(x).to_vec())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Same groups, any numbering: the label maps are bijections and noise maps to noise.
fn assert_same_partition(ours: &[Option<usize>], theirs: &[i64]) {
    assert_eq!(ours.len(), theirs.len());
    let mut fwd: HashMap<Option<usize>, i64> = HashMap::new();
    let mut back: HashMap<i64, Option<usize>> = HashMap::new();
    for (i, (&a, &b)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(a.is_none(), b < 0, "row {i}: noise differs ({a:?} vs {b})");
        assert_eq!(*fwd.entry(a).or_insert(b), b, "row {i}: cluster {a:?} splits");
        assert_eq!(*back.entry(b).or_insert(a), a, "row {i}: cluster {b} splits");
    }
}

fn as_i64(labels: &[Option<usize>]) -> Vec<i64> {
    labels.iter().map(|l| l.map_or(-1, |c| c as i64)).collect()
}

fn check_reference(stem: &str) {
    let r = reference(stem);
    let db = &r.expected["dbscan"];
    let (eps, min_samples) = (f(&db["eps"]), db["min_samples"].as_u64().unwrap_or(0) as usize);

    let labels = dbscan(&r.x_scaled, eps, min_samples);
    assert_same_partition(&labels, &r.labels_sklearn);
    assert_same_partition(&labels, &as_i64(&linfa_dbscan(&r.x_scaled, eps, min_samples)));
    let (labels, sizes) = canonical_labels(&labels);
    let expected_sizes: Vec<usize> = db["cluster_sizes_desc"]
        .as_array()
        .map_or(vec![], |a| a.iter().map(|v| v.as_u64().unwrap_or(0) as usize).collect());
    assert_eq!(sizes, expected_sizes);
    assert_eq!(labels.iter().filter(|l| l.is_none()).count() as u64, db["noise"].as_u64().unwrap_or(0));

    let m = &db["metrics_without_noise"];
    let x = r.x_scaled.view();
    let sil = silhouette(x, &labels, SilhouetteOptions::default()).unwrap_or_else(|| panic!("silhouette"));
    assert!(!sil.sampled);
    assert!((sil.mean - f(&m["silhouette"])).abs() < TOL, "silhouette {} vs {}", sil.mean, m["silhouette"]);
    let dbi = davies_bouldin(x, &labels).unwrap_or(f64::NAN);
    assert!((dbi - f(&m["davies_bouldin"])).abs() < TOL, "davies-bouldin {dbi}");
    let ch = calinski_harabasz(x, &labels).unwrap_or(f64::NAN);
    assert!(
        (ch - f(&m["calinski_harabasz"])).abs() < TOL * f(&m["calinski_harabasz"]),
        "calinski-harabasz {ch}"
    );

    // PCA: ratios over total variance, components with the sign convention, and the 2-D scores.
    let pca = Pca::fit(x);
    let ratios = r.expected["pca"]["explained_variance_ratio"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("the reference has no pca.explained_variance_ratio"));
    assert_eq!(ratios.len(), pca.explained_variance_ratio.len());
    for (ours, theirs) in pca.explained_variance_ratio.iter().zip(&ratios) {
        assert!((ours - f(theirs)).abs() < TOL, "ratio {ours} vs {theirs}");
    }
    let comps = r.expected["pca"]["components"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("the reference has no pca.components"));
    assert_eq!(comps.len(), pca.components.len(), "components");
    for (ours, theirs) in pca.components.iter().zip(&comps) {
        let theirs = theirs.as_array().cloned().unwrap_or_else(|| panic!("a component is not a list"));
        assert_eq!(theirs.len(), ours.len(), "a component's length");
        for (a, b) in ours.iter().zip(theirs) {
            assert!((a - f(&b)).abs() < TOL, "component {a} vs {b}");
        }
    }
    let scores = pca.transform(x, 2);
    for (i, (p1, p2)) in r.pc_sklearn.iter().enumerate() {
        assert!((scores[2 * i] - p1).abs() < TOL && (scores[2 * i + 1] - p2).abs() < TOL, "row {i} scores");
    }

    // k-distance: every row as a query, quantiles by linear interpolation as numpy.
    let kd_expected = &r.expected["k_distance"];
    let k = kd_expected["k"].as_u64().unwrap_or(0) as usize;
    let kd = k_distance(x, k, usize::MAX, 0);
    assert_eq!(kd.rows_sampled, r.x_scaled.nrows());
    let quantiles = kd_expected["quantiles"]
        .as_object()
        .cloned()
        .unwrap_or_else(|| panic!("the reference has no k_distance.quantiles"));
    assert!(k > 0 && !quantiles.is_empty(), "the reference's k-distance is empty");
    for (q, v) in quantiles {
        let p: f64 = q.parse().unwrap_or(f64::NAN);
        let ours = segment_core::features::quantile(&kd.distances, p);
        assert!((ours - f(&v)).abs() < TOL, "k-distance q{q}: {ours} vs {v}");
    }
}

#[test]
fn customers_2k_matches_scikit_learn() {
    check_reference("customers_2k");
}

#[test]
fn blobs6d_matches_scikit_learn() {
    check_reference("blobs6d_1500");
}

#[test]
fn grid_dbscan_equals_linfa_on_random_data() {
    // Many seeds, sizes, dimensions and radii, including ties at exactly eps on a lattice.
    let mut rng = segment_core::rng::SplitMix64::new(7);
    for case in 0..40 {
        let n = 50 + rng.below(400);
        let d = 1 + rng.below(7);
        let lattice = case % 4 == 0;
        let x =
            Array2::from_shape_fn((n, d), |_| if lattice { rng.below(8) as f64 * 0.25 } else { rng.unit() });
        let eps = if lattice { 0.25 } else { 0.05 + rng.unit() * 0.3 };
        let min_samples = 2 + rng.below(8); // linfa refuses min_points < 2
        let ours = dbscan(&x, eps, min_samples);
        let theirs = linfa_dbscan(&x, eps, min_samples);
        assert_same_partition(&ours, &as_i64(&theirs));
    }
}

#[test]
fn tree_dbscan_equals_linfa_above_three_dimensions() {
    // Above three dimensions DBSCAN runs on a k-d tree whose boxes can be wholly inside a ball or
    // narrower than eps: tight blobs, wide radii and lattice ties exercise those shortcuts.
    let mut rng = segment_core::rng::SplitMix64::new(11);
    for case in 0..24 {
        let n = 200 + rng.below(900);
        let d = 4 + rng.below(5);
        let centres: Vec<f64> = (0..4 * d).map(|_| rng.unit()).collect();
        let spread = [0.01, 0.05, 0.2][case % 3];
        let lattice = case % 4 == 0;
        let x = Array2::from_shape_fn((n, d), |(i, j)| {
            if lattice {
                rng.below(4) as f64 * 0.5
            } else {
                centres[(i % 4) * d + j] + (rng.unit() - 0.5) * spread
            }
        });
        let eps = if lattice { 0.5 } else { [0.02, 0.1, 0.4, 1.2][case % 4] };
        let min_samples = 2 + rng.below(20);
        let ours = dbscan(&x, eps, min_samples);
        let theirs = linfa_dbscan(&x, eps, min_samples);
        assert_same_partition(&ours, &as_i64(&theirs));
    }
}

/// k-means sweep (k-means++, 10 inits, best inertia) against scikit-learn's. k-means is a local search
/// and our seeds differ from scikit-learn's, so: where both reach the same optimum (inertia equal to
/// 1e-6 relative) the three scores must agree to 1e-3; where the optimum is not unique (k above the
/// number of real groups) our inertia must be within 1e-3 of scikit-learn's or better, and the scores
/// within 1e-2. At least the well-posed values of k must reach the same optimum.
fn check_kmeans_sweep(stem: &str, well_posed: &[usize]) {
    let r = reference(stem);
    let x = r.x_scaled.view();
    let sweep = r.expected["kmeans_sweep"]
        .as_array()
        .cloned()
        .unwrap_or_else(|| panic!("the reference has no kmeans_sweep"));
    assert!(!sweep.is_empty(), "the reference's k-means sweep is empty");
    for row in sweep {
        let k = row["k"].as_u64().unwrap_or(0) as usize;
        let fit = segment_core::cluster::KMeans::params(k, 42)
            .check()
            .map(|p| p.fit(x))
            .unwrap_or_else(|e| panic!("{e}"));
        let theirs = f(&row["inertia"]);
        let rel = |ours: f64, theirs: f64| (ours - theirs).abs() / theirs.abs().max(1.0);
        let same_optimum = rel(fit.inertia, theirs) < 1e-6;
        assert!(
            same_optimum || !well_posed.contains(&k),
            "{stem} k={k}: inertia {} vs {theirs}",
            fit.inertia
        );
        assert!(fit.inertia <= theirs * (1.0 + 1e-3), "{stem} k={k}: inertia {} vs {theirs}", fit.inertia);
        let tol = if same_optimum { 1e-3 } else { 1e-2 };
        let sil = silhouette(x, &fit.labels, SilhouetteOptions::default()).map_or(f64::NAN, |s| s.mean);
        assert!((sil - f(&row["silhouette"])).abs() < tol, "{stem} k={k}: silhouette {sil}");
        let dbi = davies_bouldin(x, &fit.labels).unwrap_or(f64::NAN);
        assert!((dbi - f(&row["davies_bouldin"])).abs() < tol, "{stem} k={k}: davies-bouldin {dbi}");
        let ch = calinski_harabasz(x, &fit.labels).unwrap_or(f64::NAN);
        assert!(rel(ch, f(&row["calinski_harabasz"])) < tol, "{stem} k={k}: calinski-harabasz {ch}");
    }
}

#[test]
fn kmeans_sweep_matches_scikit_learn() {
    // customers_2k has 4 groups, blobs6d 5.
    check_kmeans_sweep("customers_2k", &[2, 3, 4]);
    check_kmeans_sweep("blobs6d_1500", &[3, 4, 5, 6]);
}

/// k-medoids (BUILD start, alternate) against scikit-learn-extra's `KMedoids(method="alternate",
/// init="build")` on the same min-max scaled features (tests/reference/kmedoids.py wrote the
/// reference): the same medoid rows for every k from 2 to 6, the same partition, and the summed
/// distance to the medoids within 1e-9 relative. Both are deterministic, so nothing is left to seeds.
#[test]
fn kmedoids_matches_scikit_learn_extra() {
    for stem in ["customers_2k", "blobs6d_1500"] {
        let r = reference(stem);
        let theirs = expected(&format!("{stem}.kmedoids.json"));
        let fits = theirs["fits"].as_array().cloned().unwrap_or_default();
        assert_eq!(fits.len(), 5, "{stem}: the reference has k = 2..6");
        for fit in fits {
            let k = fit["k"].as_u64().unwrap_or(0) as usize;
            let ours = segment_core::cluster::kmedoids::KMedoids::params(k)
                .check()
                .map(|p| p.fit(r.x_scaled.view()))
                .unwrap_or_else(|e| panic!("{e}"));
            let rows = |v: &Value| -> Vec<usize> {
                v.as_array()
                    .map(|a| a.iter().filter_map(|m| m.as_u64()).map(|m| m as usize).collect())
                    .unwrap_or_default()
            };
            let mut medoids_theirs = rows(&fit["medoid_rows"]);
            let mut medoids_ours = ours.medoids.clone();
            medoids_theirs.sort_unstable();
            medoids_ours.sort_unstable();
            assert_eq!(medoids_ours, medoids_theirs, "{stem} k={k}: medoid rows");
            let labels: Vec<i64> = rows(&fit["labels"]).into_iter().map(|l| l as i64).collect();
            assert_same_partition(&ours.labels, &labels);
            let inertia = f(&fit["inertia"]);
            assert!(
                (ours.cost - inertia).abs() <= 1e-9 * inertia,
                "{stem} k={k}: cost {} vs {inertia}",
                ours.cost
            );
        }
    }
}

/// The rows of a k-prototypes reference: numbers (as written in mixed_1200.csv; min-max scaled as
/// scikit-learn's MinMaxScaler computes it in the campaign file, rows with an income) and category
/// codes in the reference's order (np.unique's, which kmodes' ties follow).
fn mixed_rows(stem: &str, reference: &Value) -> (Array2<f64>, Array2<u32>) {
    let names = |key: &str| -> Vec<String> {
        reference[key]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            .unwrap_or_default()
    };
    let (numeric, categorical) = (names("numeric"), names("categorical"));
    let levels: Vec<Vec<String>> = reference["levels"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|l| {
                    l.as_array()
                        .map(|l| l.iter().filter_map(|v| v.as_str().map(String::from)).collect())
                        .unwrap_or_default()
                })
                .collect()
        })
        .unwrap_or_default();
    let path = if stem == "mixed_1200" {
        format!("{}/tests/data/{stem}.csv", env!("CARGO_MANIFEST_DIR"))
    } else {
        format!("{}/../../tests/fixtures/{stem}.csv", env!("CARGO_MANIFEST_DIR"))
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let at = |name: &String| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}"));
    let (num_at, cat_at): (Vec<usize>, Vec<usize>) =
        (numeric.iter().map(at).collect(), categorical.iter().map(at).collect());
    let mut num = Vec::new();
    let mut cat = Vec::new();
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        if num_at.iter().any(|&c| cells[c].trim().is_empty()) {
            continue;
        }
        num.extend(num_at.iter().map(|&c| cells[c].trim().parse::<f64>().unwrap_or_else(|e| panic!("{e}"))));
        for (j, &c) in cat_at.iter().enumerate() {
            let code = levels[j].iter().position(|l| l == cells[c]).unwrap_or_else(|| panic!("{}", cells[c]));
            cat.push(code as u32);
        }
    }
    let n = num.len() / numeric.len();
    let mut num = Array2::from_shape_vec((n, numeric.len()), num).unwrap_or_else(|e| panic!("{e}"));
    if stem != "mixed_1200" {
        for mut col in num.columns_mut() {
            let (lo, hi) =
                col.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
            let scale = 1.0 / (hi - lo);
            let min = -lo * scale;
            col.mapv_inplace(|v| v * scale + min);
        }
    }
    let cat = Array2::from_shape_vec((n, categorical.len()), cat).unwrap_or_else(|e| panic!("{e}"));
    (num, cat)
}

/// k-prototypes against the `kmodes` package's `KPrototypes` (tests/reference/kprototypes.py wrote
/// the reference) on a generated mixed file and on the campaign file, k = 2..6: our Cao start chooses
/// the same categories as kmodes' `init_cao`; from the same starting prototypes (numbers: the rows the
/// reference names), the same partition, the same number of passes and the same estimated gamma
/// (1e-12 relative), and the cost within 1e-9 relative.
#[test]
fn kprototypes_matches_kmodes() {
    use segment_core::cluster::kprototypes::{cao_start, KPrototypes, Start};
    for stem in ["mixed_1200", "marketing_campaign"] {
        let theirs = expected(&format!("{stem}.kprototypes.json"));
        let (num, cat) = mixed_rows(stem, &theirs);
        let fits = theirs["fits"].as_array().cloned().unwrap_or_default();
        assert_eq!(fits.len(), 5, "{stem}: the reference has k = 2..6");
        for fit in fits {
            let k = fit["k"].as_u64().unwrap_or(0) as usize;
            let matrix = |v: &Value| -> Vec<Vec<f64>> {
                v.as_array()
                    .map(|rows| {
                        rows.iter()
                            .map(|r| r.as_array().map(|r| r.iter().map(f).collect()).unwrap_or_default())
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let cao: Vec<u32> = matrix(&fit["cao"]).into_iter().flatten().map(|v| v as u32).collect();
            let modes = Array2::from_shape_vec((k, cat.ncols()), cao).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(cao_start(cat.view(), k), modes, "{stem} k={k}: Cao's start");
            let rows: Vec<usize> = matrix(
                &fit["start_rows"]
                    .as_array()
                    .map(|a| Value::Array(vec![Value::Array(a.clone())]))
                    .unwrap_or_default(),
            )
            .into_iter()
            .flatten()
            .map(|v| v as usize)
            .collect();
            let means = num.select(ndarray::Axis(0), &rows);
            let ours = KPrototypes::params(k)
                .start(Start::Given { means, modes })
                .check()
                .and_then(|p| p.fit(num.view(), cat.view()))
                .unwrap_or_else(|e| panic!("{e}"));
            let labels: Vec<i64> = fit["labels"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_i64).collect())
                .unwrap_or_default();
            assert_same_partition(&ours.labels, &labels);
            assert_eq!(ours.iterations as u64, fit["n_iter"].as_u64().unwrap_or(0), "{stem} k={k}: passes");
            let gamma = f(&fit["gamma"]);
            assert!(
                (ours.gamma - gamma).abs() <= 1e-12 * gamma,
                "{stem} k={k}: gamma {} vs {gamma}",
                ours.gamma
            );
            let cost = f(&fit["cost"]);
            assert!((ours.cost - cost).abs() <= 1e-9 * cost, "{stem} k={k}: cost {} vs {cost}", ours.cost);
        }
    }
}

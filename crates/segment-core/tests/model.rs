//! Saved models: fit on the sample, save, read back, apply to the same file and to a changed copy, and
//! stream a file through the command line's path. Every figure here is computed, none hard-coded, except
//! the sample's training figures that other tests pin to the original project.

use segment_core::cluster::Dbscan;
use segment_core::error::CoreError;
use segment_core::export::labeled_csv;
use segment_core::ingest::{read_csv, Table};
use segment_core::model::{
    apply, apply_stream, Assignment, SegmentModel, FIRST_MODEL_VERSION, MODEL_VERSION,
};
use segment_core::pipeline::{prepare, run, summarize, Fitting, Segmentation as AnalysisResult};
use segment_core::spec::{AnalysisSpec, Method};

fn sample_bytes() -> Vec<u8> {
    let path = format!("{}/../../public/dataset_ecommerce.csv", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn table_of(bytes: &[u8]) -> Table {
    read_csv(bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"))
}

fn fit(bytes: &[u8], spec: Option<AnalysisSpec>) -> (Table, AnalysisResult, SegmentModel) {
    let table = table_of(bytes);
    let spec = spec.unwrap_or_else(|| summarize(&table).unwrap_or_else(|e| panic!("{e}")).suggested);
    let result = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<String> = result.profiles.iter().map(|p| p.suggested_name.clone()).collect();
    let model = SegmentModel::from_result(bytes, &table, &result, &names, "sample.csv")
        .unwrap_or_else(|e| panic!("{e}"));
    (table, result, model)
}

/// The sample with `n` rows changed: purchases tripled on every 7th kept row.
fn changed_copy(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut fields: Vec<String> = line.split(',').map(str::to_string).collect();
        if i > 0 && i % 7 == 0 && fields.len() > 3 {
            if let Ok(v) = fields[3].parse::<f64>() {
                fields[3] = format!("{}", v * 3.0);
            }
        }
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

#[test]
fn model_file_round_trip_is_exact() {
    let bytes = sample_bytes();
    let (_, result, model) = fit(&bytes, None);
    let json = model.to_json();
    let back = SegmentModel::from_json(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, model);
    assert_eq!(back.to_json(), json);
    // Written with the oldest version that holds it: 1 unless a rule has more than two sets.
    assert_eq!(model.version, model.needed_version());
    assert!((FIRST_MODEL_VERSION..=MODEL_VERSION).contains(&model.version));
    assert_eq!(model.segments.len(), result.segment_sizes.len());
    assert_eq!(model.training.id_column.as_deref(), Some("ID"));
    assert_eq!(model.training.ids.len(), result.cleaning.rows_in);
    let Assignment::Dbscan { core_segments, .. } = &model.assignment else { panic!("DBSCAN expected") };
    assert!(core_segments.len() > result.rows_used / 2, "{} core points", core_segments.len());
}

#[test]
fn applied_to_its_own_file_every_core_point_keeps_its_segment() {
    let bytes = sample_bytes();
    let (table, trained, model) = fit(&bytes, None);
    let applied = apply(&model, &bytes, &table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied.result.kept_rows, trained.kept_rows);
    // Which training rows are core points: the fit itself says.
    let prepared =
        prepare(&table, &trained.spec, Fitting::Learn, 1, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let (n, d) = prepared.x_scaled.dim();
    let rows: Vec<f64> = prepared.x_scaled.iter().copied().collect();
    let params = Dbscan::params(trained.spec.dbscan.eps, trained.spec.dbscan.min_samples);
    let fit =
        linfa::ParamGuard::check(params).unwrap_or_else(|e| panic!("{e}")).fit_rows(&rows, n, d, &mut |_| {});
    let mut border_changed = 0;
    for (i, (&was, &now)) in trained.labels.iter().zip(&applied.result.labels).enumerate() {
        if fit.core_mask[i] {
            assert_eq!(was, now, "core row {i} changed segment");
        } else if was < 0 {
            assert_eq!(now, -1, "noise row {i} got a segment: it has no core point within eps");
        } else if was != now {
            border_changed += 1;
        }
    }
    // Border points take the nearest core's segment; on the sample DBSCAN's first-reached segment and
    // the nearest core agree for all but a handful.
    assert!(border_changed <= trained.rows_used / 1000, "{border_changed} border points changed");
    assert_eq!(applied.result.noise, trained.noise);
    let movement = applied.movement.clone().unwrap_or_else(|| panic!("the sample has an id column"));
    assert_eq!(movement.matched, table.n_rows);
    assert_eq!(movement.moved, border_changed);
    assert_eq!(movement.new_customers, 0);
    assert!(applied.drift.iter().all(|d| d.warning.is_none() && d.share_outside == 0.0));
    let border = trained.labels.iter().zip(&fit.core_mask).filter(|(l, c)| **l >= 0 && !**c).count();
    println!("self-apply: {border_changed} of {border} border points changed segment");
}

#[test]
fn a_changed_copy_shows_drift_and_movers() {
    let bytes = sample_bytes();
    let (_, trained, model) = fit(&bytes, None);
    let changed = changed_copy(&bytes);
    let table = table_of(&changed);
    let applied = apply(&model, &changed, &table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let movement = applied.movement.as_ref().unwrap_or_else(|| panic!("movement"));
    assert!(movement.moved > 1000, "{} moved", movement.moved);
    let total: usize = movement.counts.iter().flatten().sum();
    assert_eq!(total, movement.matched);
    let stayed: usize = (0..movement.labels.len()).map(|s| movement.counts[s][s]).sum();
    assert_eq!(stayed + movement.moved, movement.matched);
    let purchases = &applied.drift[1];
    assert_eq!(purchases.feature, "monto_compras");
    assert!(purchases.above > 0 && purchases.warning.is_some(), "{purchases:?}");
    assert_eq!(applied.result.segment_sizes.len(), trained.segment_sizes.len());
    assert_eq!(applied.result.spec.segment_names, model.names());
    let csv = segment_core::model::apply::movers_csv(&model, movement);
    assert_eq!(csv.lines().count(), movement.moved + 1);
}

#[test]
fn kmeans_model_reassigns_its_training_rows_identically() {
    let bytes = sample_bytes();
    let table = table_of(&bytes);
    let mut spec = AnalysisSpec::original_project();
    spec.method = Method::KMeans;
    let (_, trained, model) = fit(&bytes, Some(spec));
    let back = SegmentModel::from_json(&model.to_json()).unwrap_or_else(|e| panic!("{e}"));
    let applied = apply(&back, &bytes, &table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied.result.labels, trained.labels);
    assert_eq!(applied.result.segment_sizes, trained.segment_sizes);
}

#[test]
fn streaming_gives_the_pages_export_byte_for_byte() {
    let mut all_rules = AnalysisSpec::original_project();
    all_rules.cleaning.drop_missing = segment_core::clean::Scope::Features;
    all_rules.cleaning.impute = segment_core::clean::Impute::Median;
    all_rules.cleaning.drop_duplicate_rows = true;
    all_rules.cleaning.drop_duplicate_ids = true;
    all_rules.cleaning.outliers = Some(segment_core::clean::Outliers::Iqr);
    all_rules.transforms.insert("monto_compras".into(), segment_core::features::Transform::Log1p);
    for (bytes, spec) in [
        (sample_bytes(), None),
        (sample_bytes(), Some(all_rules)),
        (
            std::fs::read(format!("{}/../../tests/fixtures/messy_export.csv", env!("CARGO_MANIFEST_DIR")))
                .unwrap_or_default(),
            None,
        ),
    ] {
        let (table, _, model) = fit(&bytes, spec);
        let applied = apply(&model, &bytes, &table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let expected = labeled_csv(&bytes, &applied.result, &model.names()).unwrap_or_else(|e| panic!("{e}"));
        let mut out = Vec::new();
        let mut reports = 0;
        let summary = apply_stream(&model, &[], &[], bytes.as_slice(), &mut out, &mut |_, _| reports += 1)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(reports >= 1);
        assert_eq!(String::from_utf8_lossy(&out), expected);
        assert_eq!(summary.rows_in, table.n_rows);
        assert_eq!(summary.empty_rows, table.empty_rows, "rows of empty cells skipped alike");
        assert_eq!(summary.rows_used, applied.result.rows_used);
        assert_eq!(summary.segment_sizes, applied.result.segment_sizes);
        assert_eq!(summary.noise, applied.result.noise);
        let dropped: Vec<usize> = summary.dropped.iter().map(|d| d.1).collect();
        let by_rule: Vec<usize> = applied.result.cleaning.steps.iter().map(|s| s.rows_dropped).collect();
        assert_eq!(dropped, by_rule);
        assert_eq!(summary.drift, applied.drift);
    }
}

#[test]
fn renamed_columns_are_matched_or_mapped() {
    let bytes = sample_bytes();
    let (_, _, model) = fit(&bytes, None);
    let text = String::from_utf8_lossy(&bytes);
    let (header, rest) = text.split_once('\n').unwrap_or_default();
    let similar = format!("{}\n{rest}", header.replace("monto_compras", "Monto Compras"));
    let t = table_of(similar.as_bytes());
    let applied =
        apply(&model, similar.as_bytes(), &t, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied.columns[1].file, "Monto Compras");

    let renamed = format!("{}\n{rest}", header.replace("monto_compras", "purchases"));
    let t = table_of(renamed.as_bytes());
    let err = apply(&model, renamed.as_bytes(), &t, &[], &mut |_, _| {}).err();
    assert!(
        matches!(&err, Some(CoreError::MissingColumns { missing, .. }) if missing == "monto_compras"),
        "{err:?}"
    );
    let mapping = vec![("monto_compras".to_string(), "purchases".to_string())];
    let applied =
        apply(&model, renamed.as_bytes(), &t, &mapping, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let t = table_of(&bytes);
    let plain = apply(&model, &bytes, &t, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied.result.labels, plain.result.labels);
    assert_eq!(applied.columns[1].how, segment_core::model::apply::MatchHow::Mapped);
}

#[test]
fn damaged_and_foreign_files_are_refused_clearly() {
    let bytes = sample_bytes();
    let (_, _, model) = fit(&bytes, None);
    let json = model.to_json();
    let message = |text: &str| match SegmentModel::from_json(text) {
        Err(CoreError::BadModel(m)) => m,
        other => panic!("expected BadModel, got {:?}", other.map(|_| ())),
    };
    assert!(message(&json[..json.len() / 2]).contains("not valid JSON"));
    assert!(message(&AnalysisSpec::original_project().to_json()).contains("not a model file"));
    let version = format!("\"version\":{}", model.version);
    let older = json.replacen(&version, "\"version\":0", 1);
    assert!(message(&older).contains("version 0"), "{}", message(&older));
    let newer = json.replacen(&version, &format!("\"version\":{}", MODEL_VERSION + 1), 1);
    assert!(message(&newer).contains(&format!("version {}", MODEL_VERSION + 1)), "{}", message(&newer));
    let mut broken = model.clone();
    broken.scaler.scale.pop();
    assert!(message(&broken.to_json()).contains("damaged"));
    let mut broken = model;
    if let Assignment::Dbscan { core_points, .. } = &mut broken.assignment {
        core_points.pop();
    }
    assert!(message(&broken.to_json()).contains("core points"));
}

#[test]
fn a_feature_that_holds_text_now_is_a_clear_error() {
    let bytes = sample_bytes();
    let (_, _, model) = fit(&bytes, None);
    let text = String::from_utf8_lossy(&bytes);
    let spoiled: String = text
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut f: Vec<&str> = line.split(',').collect();
            if i > 0 && f.len() > 3 {
                f[3] = "n/d"; // every purchase amount replaced by a text marker
            }
            f.join(",") + "\n"
        })
        .collect();
    let t = table_of(spoiled.as_bytes());
    let err = apply(&model, spoiled.as_bytes(), &t, &[], &mut |_, _| {}).err().map(|e| e.to_string());
    let err = err.unwrap_or_default();
    assert!(err.contains("monto_compras") && err.contains("holds text"), "{err}");
}

#[test]
fn mixture_and_ward_models_assign_as_stated() {
    // Gaussian mixture: the most likely component is how the fit labels rows, so its own rows keep
    // their segments exactly. Ward: new rows go to the nearest segment centre, which agrees with the
    // tree's cut for nearly all training rows (the tree is not a nearest-centre partition).
    let bytes = std::fs::read(format!("{}/tests/data/customers_2k.csv", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{e}"));
    let table = table_of(&bytes);
    for (method, min_agreement) in [(Method::GaussianMixture, 1.0), (Method::Ward, 0.97)] {
        let mut spec = summarize(&table).unwrap_or_else(|e| panic!("{e}")).suggested;
        spec.method = method;
        spec.set_k(4);
        let (_, trained, model) = fit(&bytes, Some(spec));
        let model = SegmentModel::from_json(&model.to_json()).unwrap_or_else(|e| panic!("{e}"));
        let applied = apply(&model, &bytes, &table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let same = trained.labels.iter().zip(&applied.result.labels).filter(|(a, b)| a == b).count();
        let agreement = same as f64 / trained.rows_used as f64;
        println!("{method:?}: {agreement:.4} of training rows keep their segment");
        assert!(agreement >= min_agreement, "{method:?}: {agreement}");
        assert_eq!(applied.result.segment_sizes.len(), 4);
    }
}

/// Customers with a spend and a last order date: recent big spenders and lapsed small ones. Dates are
/// shifted by `shift` days (next month's file).
fn dated_customers(shift: i64) -> Vec<u8> {
    let mut text = String::from("customer,spend,last_order\n");
    let mut rng = segment_core::rng::SplitMix64::new(5);
    for i in 0..400 {
        let recent = i % 2 == 0;
        let spend = if recent { 900.0 } else { 100.0 } + rng.unit() * 50.0;
        let days_ago = if recent { rng.below(20) } else { 200 + rng.below(40) } as i64;
        let day = 20_000 + shift - days_ago; // day numbers since 1970
        text.push_str(&format!("C{i},{spend:.2},{}\n", segment_core::ingest::date::iso_date(day)));
    }
    text.into_bytes()
}

#[test]
fn a_date_feature_is_days_before_the_files_latest_date() {
    let bytes = dated_customers(0);
    let table = table_of(&bytes);
    let mut spec = AnalysisSpec::default_for(&table);
    spec.features = vec!["spend".into(), "last_order".into()];
    spec.method = Method::KMeans;
    spec.kmeans.k = 2;
    let (_, result, model) = fit(&bytes, Some(spec));
    // The feature is in days before the latest date: the latest is 0, the lapsed are ~200+ days.
    let days =
        result.explore.variables.iter().find(|v| v.name == "last_order").unwrap_or_else(|| panic!("dates"));
    assert_eq!(days.overall.min, 0.0);
    assert!(days.overall.max >= 200.0 && days.overall.max < 260.0, "{}", days.overall.max);
    let means: Vec<f64> = result.segment_means.iter().map(|m| m[1]).collect();
    assert!(means.iter().any(|&m| m < 20.0) && means.iter().any(|&m| m > 200.0), "{means:?}");
    assert_eq!(model.date_features, vec!["last_order".to_string()]);

    // Next month's file, every date a month later: measured from its own latest date, every customer
    // keeps its segment.
    let next = dated_customers(30);
    let applied =
        apply(&model, &next, &table_of(&next), &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(applied.result.labels, result.labels);

    // Streaming finds the latest date in a first pass and gives the page's answer, row for row.
    let (page, streamed) = page_and_stream(&model, &next, None);
    assert_eq!(streamed, page);
    // The latest date given as the as-of date: the same answer.
    let latest = 20_030;
    let (_, as_of) = page_and_stream(&model, &next, Some(latest));
    assert_eq!(as_of, page);
    // Without a reference date the stream refuses, naming the column.
    let mut out = Vec::new();
    let err = apply_stream(&model, &[], &[], next.as_slice(), &mut out, &mut |_, _| {}).err();
    assert!(matches!(&err, Some(CoreError::BadModel(m)) if m.contains("last_order")), "{err:?}");
}

/// `bytes` through `model` in the page (its labeled CSV) and streamed with the dates scanned from the
/// file (or counted from `as_of`).
fn page_and_stream(model: &SegmentModel, bytes: &[u8], as_of: Option<i64>) -> (String, String) {
    let table = table_of(bytes);
    let applied = apply(model, bytes, &table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let page = labeled_csv(bytes, &applied.result, &model.names()).unwrap_or_else(|e| panic!("{e}"));
    let dates = segment_core::model::scan_dates(model, &[], bytes, as_of).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    let summary =
        apply_stream(model, &[], &dates, bytes, &mut out, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.rows_used, applied.result.rows_used);
    assert_eq!(summary.drift, applied.drift);
    (page, String::from_utf8_lossy(&out).into_owned())
}

/// [`dated_customers`] with every tenth date missing and the dates written `dd/mm/yyyy` when `day_first`.
fn dated_with_gaps(shift: i64, day_first: bool) -> Vec<u8> {
    let text = String::from_utf8_lossy(&dated_customers(shift)).into_owned();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let Some((rest, date)) = line.rsplit_once(',') else { continue };
        let date = match (i, day_first) {
            (0, _) => date.to_string(),
            (i, _) if i % 10 == 3 => String::new(),
            (_, true) => {
                let p: Vec<&str> = date.split('-').collect();
                format!("{}/{}/{}", p[2], p[1], p[0])
            }
            (_, false) => date.to_string(),
        };
        out.push_str(&format!("{rest},{date}\n"));
    }
    out.into_bytes()
}

#[test]
fn a_date_model_streams_with_the_pages_answer_after_any_shift_and_in_another_format() {
    // Every rule on: missing dates filled with the median recency, outliers by IQR (in days before the
    // latest date, so next month's later dates are not outliers), duplicates.
    let bytes = dated_with_gaps(0, false);
    let table = table_of(&bytes);
    let mut spec = AnalysisSpec::default_for(&table);
    spec.features = vec!["spend".into(), "last_order".into()];
    spec.method = Method::KMeans;
    spec.kmeans.k = 2;
    spec.cleaning.impute = segment_core::clean::Impute::Median;
    spec.cleaning.outliers = Some(segment_core::clean::Outliers::Iqr);
    spec.cleaning.drop_duplicate_ids = true;
    let (_, trained, model) = fit(&bytes, Some(spec));
    let model = SegmentModel::from_json(&model.to_json()).unwrap_or_else(|e| panic!("{e}"));
    assert!(model.date_formats.contains_key("last_order"));
    // The fill is a recency (days), not a date.
    let fill = model.cleaning_fit.fill[1].unwrap_or(f64::NAN);
    assert!((0.0..=240.0).contains(&fill), "{fill}");
    for (shift, day_first) in [(0, false), (365, false), (45, true)] {
        let next = dated_with_gaps(shift, day_first);
        let (page, streamed) = page_and_stream(&model, &next, None);
        assert_eq!(streamed, page, "shift {shift}");
        // Every customer keeps the segment it had, a year later too.
        let applied =
            apply(&model, &next, &table_of(&next), &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(applied.result.labels, trained.labels, "shift {shift}");
    }
    // An as-of date 400 days after the file's latest date: the recencies grow by 400, and the lapsed
    // customers (now 600+ days) fall beyond the training's outlier bound (about 535 days).
    let scanned = segment_core::model::scan_dates(&model, &[], bytes.as_slice(), None)
        .unwrap_or_else(|e| panic!("{e}"));
    let later = streamed_as_of(&model, &bytes, scanned[0].reference + 400);
    let dropped = later.lines().filter(|l| l.ends_with("dropped by cleaning")).count();
    let now = streamed_as_of(&model, &bytes, scanned[0].reference);
    let dropped_now = now.lines().filter(|l| l.ends_with("dropped by cleaning")).count();
    assert!(dropped >= dropped_now + 150, "{dropped} vs {dropped_now}");
}

/// `bytes` streamed through `model` with its dates counted from `as_of`.
fn streamed_as_of(model: &SegmentModel, bytes: &[u8], as_of: i64) -> String {
    let dates =
        segment_core::model::scan_dates(model, &[], bytes, Some(as_of)).unwrap_or_else(|e| panic!("{e}"));
    let mut out = Vec::new();
    apply_stream(model, &[], &dates, bytes, &mut out, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn a_category_feature_is_its_share_and_streaming_refuses_it() {
    let mut text = String::from("customer,spend,plan\n");
    for i in 0..300 {
        let (spend, plan) = if i % 3 == 0 { (900 + i % 7, "gold") } else { (100 + i % 5, "basic") };
        text.push_str(&format!("C{i},{spend},{plan}\n"));
    }
    let bytes = text.into_bytes();
    let table = table_of(&bytes);
    let mut spec = AnalysisSpec::default_for(&table);
    spec.features = vec!["spend".into(), "plan".into()];
    spec.method = Method::KMeans;
    spec.kmeans.k = 2;
    let (_, result, model) = fit(&bytes, Some(spec));
    // The plan's segment means are the shares of its values: gold 1/3, basic 2/3.
    let mut plan_means: Vec<f64> = result.segment_means.iter().map(|m| m[1]).collect();
    plan_means.sort_by(f64::total_cmp);
    assert!(
        (plan_means[0] - 1.0 / 3.0).abs() < 1e-12 && (plan_means[1] - 2.0 / 3.0).abs() < 1e-12,
        "{plan_means:?}"
    );
    assert_eq!(model.category_features, vec!["plan".to_string()]);
    let mut out = Vec::new();
    let err = apply_stream(&model, &[], &[], bytes.as_slice(), &mut out, &mut |_, _| {}).err();
    assert!(matches!(&err, Some(CoreError::BadModel(m)) if m.contains("plan")), "{err:?}");
    // A numeric column where the model had a category is refused in the page too.
    let numbers = String::from_utf8_lossy(&bytes).replace(",gold", ",1").replace(",basic", ",2");
    let t = table_of(numbers.as_bytes());
    let err = apply(&model, numbers.as_bytes(), &t, &[], &mut |_, _| {}).err().map(|e| e.to_string());
    assert!(err.as_deref().is_some_and(|e| e.contains("plan") && e.contains("categories")), "{err:?}");
}

#[test]
fn hdbscan_model_gives_every_training_row_its_own_segment() {
    // The sample with the reference's HDBSCAN settings: saved, read back, applied to the same file.
    // Each row's nearest training row in mutual reachability is itself, at its own core distance, so
    // every row keeps its segment and every noise row stays noise (none differ: no border cases).
    let bytes = sample_bytes();
    let table = table_of(&bytes);
    let mut spec = AnalysisSpec::original_project();
    spec.method = Method::Hdbscan;
    spec.hdbscan.min_cluster_size = 500;
    spec.hdbscan.min_samples = Some(50);
    let (_, trained, model) = fit(&bytes, Some(spec));
    // scikit-learn's sizes, but for the one row on an exact tie between two segments (tests/hdbscan.rs).
    let sklearn = [18_168usize, 18_066, 16_945];
    assert_eq!(trained.segment_sizes.iter().sum::<usize>(), sklearn.iter().sum::<usize>());
    assert!(
        trained.segment_sizes.iter().zip(sklearn).all(|(a, b)| a.abs_diff(b) <= 1),
        "{:?}",
        trained.segment_sizes
    );
    assert_eq!(trained.noise, 1_823);
    let membership = trained.membership.as_ref().unwrap_or_else(|| panic!("membership"));
    assert_eq!(membership.len(), trained.rows_used);
    assert!(trained.density_tree.as_ref().is_some_and(|t| t.iter().filter(|c| c.selected).count() == 3));
    let back = SegmentModel::from_json(&model.to_json()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, model);
    // A damaged model file is refused with what is wrong, never indexed: a parent after its child, a
    // training row short of a value.
    for damage in [0, 1] {
        let mut broken = model.clone();
        let Assignment::Hdbscan(m) = &mut broken.assignment else { panic!("HDBSCAN expected") };
        if damage == 0 {
            let last = m.cluster_parent.len() - 1;
            m.cluster_parent[1] = last as u32;
        } else {
            m.points.pop();
        }
        match SegmentModel::from_json(&broken.to_json()) {
            Err(CoreError::BadModel(why)) => {
                assert!(why.contains("density tree") || why.contains("training rows"), "{why}")
            }
            other => panic!("damage {damage}: {other:?}"),
        }
    }
    let applied = apply(&back, &bytes, &table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let differ = trained.labels.iter().zip(&applied.result.labels).filter(|(a, b)| a != b).count();
    assert_eq!(differ, 0, "training rows that changed segment on self-apply");
    let movement = applied.movement.clone().unwrap_or_else(|| panic!("the sample has an id column"));
    assert_eq!(movement.moved, 0);

    // A changed copy: rows whose purchases tripled move or become noise, the rest stay.
    let changed = changed_copy(&bytes);
    let changed_table = table_of(&changed);
    let applied =
        apply(&back, &changed, &changed_table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let movement = applied.movement.as_ref().unwrap_or_else(|| panic!("movement"));
    assert!(movement.moved > 0 && movement.moved < movement.matched / 7 + 1, "{} moved", movement.moved);
}

#[test]
fn a_rule_model_assigns_by_the_rules_with_their_fidelity_and_streams_as_the_page() {
    let bytes = std::fs::read(format!("{}/tests/data/customers_2k.csv", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{e}"));
    let table = table_of(&bytes);
    let mut spec = summarize(&table).unwrap_or_else(|e| panic!("{e}")).suggested;
    spec.method = Method::KMeans;
    spec.set_k(4);
    let (_, trained, model) = fit(&bytes, Some(spec));
    let fidelity = model.rule_fidelity.unwrap_or_else(|| panic!("rules"));
    let rules = model.rules_model().unwrap_or_else(|e| panic!("{e}"));
    let rules = SegmentModel::from_json(&rules.to_json()).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(rules.assignment, Assignment::Rules { .. }));
    assert!(rules.training.ids.is_empty(), "the training segments were the model's, not the rules'");
    assert!(rules.info().method.starts_with("Rules of"), "{}", rules.info().method);
    // On the training file, the rule model gives the model's segment to exactly the share of
    // customers the rules' fidelity states.
    let applied = apply(&rules, &bytes, &table, &[], &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let same = trained.labels.iter().zip(&applied.result.labels).filter(|(a, b)| a == b).count();
    let agreement = same as f64 / trained.rows_used as f64;
    assert!((agreement - fidelity).abs() < 1e-12, "{agreement} vs {fidelity}");
    assert!(applied.model_rule_fidelity.is_none(), "a rule model's rules are its segments");
    // Each row in the first segment whose rule holds, on its values in the file's units.
    let raw = segment_core::features::RawRows::new(
        &table,
        &rules.spec.features,
        &applied.result.kept_rows,
        &rules.cleaning_fit.fill,
    );
    let Assignment::Rules { order, .. } = &rules.assignment else { panic!("rules") };
    for (i, &label) in applied.result.labels.iter().enumerate() {
        let holds = |s: usize| {
            rules.segments[s].rule.as_ref().is_some_and(|r| {
                r.clauses().any(|set| {
                    set.iter().all(|c| {
                        let j = rules.spec.features.iter().position(|f| f == &c.feature).unwrap_or(0);
                        c.holds(raw.value(i, j))
                    })
                })
            })
        };
        let first = order.iter().map(|&s| s as usize).find(|&s| holds(s)).map_or(-1, |s| s as i32);
        assert_eq!(label, first, "row {i}");
    }
    // Streamed: the page's answer.
    let (page, streamed) = page_and_stream(&rules, &bytes, None);
    assert_eq!(streamed, page);
    // A damaged order (a segment twice) is refused.
    let json = rules.to_json();
    let Some(at) = json.find("\"order\":[") else { panic!("order") };
    let forged = format!("{}\"order\":[0,0,{}", &json[..at], &json[at + 9..]);
    assert!(matches!(SegmentModel::from_json(&forged), Err(CoreError::BadModel(_))));
    // So is a rule model whose segments try more than 2k sets of conditions.
    let mut forged = rules.clone();
    if let Assignment::Rules { conditions, more, .. } = &mut forged.assignment {
        let many = vec![conditions[0].clone(); 2 * conditions.len()];
        *more = vec![many; conditions.len()];
    }
    forged.version = 2;
    match SegmentModel::from_json(&forged.to_json()) {
        Err(CoreError::BadModel(m)) => assert!(m.contains("rules do not match"), "{m}"),
        other => panic!("expected BadModel, got {:?}", other.map(|_| ())),
    }
}

/// Rows whose every cell is empty (",,,", as a Parquet row of nulls becomes in text) are skipped by
/// the page's reader and the streaming apply alike, and counted by both.
#[test]
fn rows_of_empty_cells_are_counted_by_the_reader_and_the_stream_alike() {
    let mut bytes = sample_bytes();
    let (_, _, model) = fit(&bytes, None);
    bytes.extend_from_slice(b",,,,,,\n , , ,,,,\n");
    let table = table_of(&bytes);
    let mut out = Vec::new();
    let summary = apply_stream(&model, &[], &[], bytes.as_slice(), &mut out, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((table.empty_rows, summary.empty_rows), (2, 2));
    assert_eq!(summary.rows_in, table.n_rows);
}

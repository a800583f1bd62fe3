//! The session: each step computed once for the settings that made it, and every request answered from
//! what it keeps, with the same answers as the pipeline's functions called one by one.

use segment_core::export::labeled_csv;
use segment_core::ingest::{read_csv, walk_csv};
use segment_core::model::SegmentModel;
use segment_core::pipeline::run;
use segment_core::session::{ApplyOutcome, FileInput, Finished, Session};
use segment_core::spec::{AnalysisSpec, Method};
use segment_core::transactions::LoadMode;
use segment_core::CoreError;
use std::sync::Arc;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sample() -> Vec<u8> {
    let path = format!("{}/../../public/dataset_ecommerce.csv", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn loaded(bytes: Vec<u8>) -> (Session, AnalysisSpec) {
    let mut session = Session::new();
    let summary = session.load(bytes, &LoadMode::Auto, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    (session, summary.suggested)
}

#[test]
fn a_new_eps_or_k_fits_on_the_rows_already_prepared() {
    let (mut session, spec) = loaded(sample());
    let first = session.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let x_scaled = Arc::clone(&first.x_scaled);

    let mut stages = Vec::new();
    let mut wider = spec.clone();
    wider.dbscan.eps *= 1.5;
    let second = session.run(&wider, &mut |stage, _| stages.push(stage)).unwrap_or_else(|e| panic!("{e}"));
    assert!(Arc::ptr_eq(&x_scaled, &second.x_scaled), "the prepared rows were rebuilt");
    assert!(!stages.iter().any(|s| format!("{s:?}") == "Cleaning"), "{stages:?}");

    // The same answer as a run from scratch.
    let table = read_csv(&sample(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let fresh = run(&table, &wider, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(second.result, fresh.result);
    assert_eq!(second.kept_rows, fresh.kept_rows);

    // Another method on the same data settings: still no cleaning; another scaler: cleaned again.
    let mut kmeans = spec.clone();
    kmeans.method = Method::KMeans;
    kmeans.kmeans.k = 3;
    let third = session.run(&kmeans, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(Arc::ptr_eq(&x_scaled, &third.x_scaled));
    kmeans.scaler = segment_core::features::ScalerKind::Standard;
    let fourth = session.run(&kmeans, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(!Arc::ptr_eq(&x_scaled, &fourth.x_scaled));
}

#[test]
fn after_a_dbscan_run_any_eps_is_answered_from_the_index_built_in_steps() {
    let (mut session, spec) = loaded(sample());
    assert_eq!(spec.method, Method::Dbscan);
    session.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut steps = 0;
    while session.has_deferred() {
        assert_eq!(session.step_deferred(), None, "nothing for the page");
        steps += 1;
        assert!(steps < 100_000, "the index is built");
    }
    assert!(steps > 10, "built in steps, not at once ({steps})");

    let table = read_csv(&sample(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    for eps in [0.02, 0.03, 0.05, 0.08, 0.15] {
        let mut other = spec.clone();
        other.dbscan.eps = eps;
        // The index fits without DBSCAN's own progress (a neighbour count reports 0.1 and on).
        let mut counted = false;
        let from_index = session
            .run(&other, &mut |stage, f| {
                counted |= format!("{stage:?}") == "Clustering" && f > 0.0 && f < 1.0
            })
            .unwrap_or_else(|e| panic!("{e}"))
            .result
            .clone();
        assert!(!counted, "eps {eps} was fitted, not read from the index");
        assert!(!session.has_deferred(), "the same min_samples keeps the index");
        let fresh = run(&table, &other, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_index, fresh.result, "eps {eps}");
    }

    // Another min_samples builds another.
    let mut denser = spec.clone();
    denser.dbscan.min_samples = 20;
    session.run(&denser, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(session.has_deferred());
    // Other data settings drop it: back on the first ones, DBSCAN counts neighbours again.
    let mut standard = spec.clone();
    standard.scaler = segment_core::features::ScalerKind::Standard;
    session.run(&standard, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut counted = false;
    session
        .run(&spec, &mut |stage, f| counted |= format!("{stage:?}") == "Clustering" && f > 0.0 && f < 1.0)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(counted, "fitted from an index of other rows");
}

#[test]
fn after_a_k_means_run_the_next_and_previous_k_are_fitted_ahead_and_a_k_seen_is_not_refitted() {
    let (mut session, spec) = loaded(sample());
    let mut kmeans = spec.clone();
    kmeans.method = Method::KMeans;
    kmeans.kmeans.k = 4;
    session.run(&kmeans, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut steps = 0;
    while session.has_deferred() {
        assert_eq!(session.step_deferred(), None, "nothing for the page");
        steps += 1;
        assert!(steps < 1_000);
    }
    // Two fits of 10 initialisations, one a step (and a step to start each).
    assert_eq!(steps, 22);

    let table = read_csv(&sample(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    for k in [5, 3, 4] {
        let mut other = kmeans.clone();
        other.kmeans.k = k;
        let mut fitted = false;
        let kept = session
            .run(&other, &mut |stage, _| fitted |= format!("{stage:?}") == "Clustering")
            .unwrap_or_else(|e| panic!("{e}"))
            .result
            .clone();
        assert!(!fitted, "k {k} was fitted again");
        let fresh = run(&table, &other, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept, fresh.result, "k {k}");
        // The run planned k ± 1 again: drop that work for the next check.
        while session.has_deferred() {
            session.step_deferred();
        }
    }
}

#[test]
fn previews_and_the_row_behind_a_point_come_from_the_row_index() {
    let bytes = fixture("messy_export.csv");
    let (mut session, spec) = loaded(bytes.clone());
    // Every row as the walk reads it.
    let mut walked: Vec<Vec<String>> = Vec::new();
    walk_csv(&bytes, &mut |_| {}, &mut |r, _, _| walked.push(r.iter().map(str::to_string).collect()))
        .unwrap_or_else(|e| panic!("{e}"));
    let before = session.preview(0, 5).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(before.total, walked.len());
    assert_eq!(before.rows, walked[..5]);
    assert!(before.labels.iter().all(Option::is_none), "nothing ran yet");

    let result = session.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}")).clone();
    let last = walked.len() - 3;
    let page = session.preview(last, 10).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.rows, walked[last..]);
    for (i, label) in page.labels.iter().enumerate() {
        let expected = result.kept_rows.iter().position(|&k| k == last + i).map(|u| result.labels[u]);
        assert_eq!(*label, expected);
    }
    let used = result.rows_used - 1;
    let row = session.used_row(used).unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("no row"));
    assert_eq!(row.row, result.kept_rows[used] + 1);
    let cells: Vec<String> = row.cells.iter().map(|(_, v)| v.clone()).collect();
    assert_eq!(cells, walked[result.kept_rows[used]]);
}

#[test]
fn exports_and_the_saved_model_are_those_of_the_last_segmentation() {
    let bytes = fixture("customers_2k.csv");
    let (mut session, spec) = loaded(bytes.clone());
    assert_eq!(
        session.export(&[]).err(),
        Some(CoreError::NoSegmentation { needed_for: "the export adds each row's segment".into() })
    );
    let (_, chosen) = session.choose(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let chosen = chosen.clone();
    let table = read_csv(&bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let names = vec!["Loyal".to_string()];
    assert_eq!(session.export(&names).ok(), labeled_csv(&bytes, &chosen, &names).ok());
    let model = session.save_model(&names, "customers.csv").unwrap_or_else(|e| panic!("{e}"));
    let reference = SegmentModel::from_result(&bytes, &table, &chosen, &names, "customers.csv")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(model, reference);
    // The scaler saved is the one the run fitted (not fitted again).
    assert_eq!(model.scaler, chosen.scaler);
    // The stability of the last segmentation, from the rows it was fitted on, in steps.
    assert_eq!(session.start_stability(), Ok(None));
    let mut steps = 0;
    let stability = loop {
        steps += 1;
        if let Some(Finished::Stability(s)) = session.step_deferred() {
            break s;
        }
        assert!(session.has_deferred() && steps < 100);
    };
    assert_eq!(stability, segment_core::pipeline::stability_of(&chosen, &mut |_, _| {}));
    // Only fits ahead can be left (a k-means choice): nothing more for the page.
    let mut ahead = 0;
    while session.has_deferred() {
        assert_eq!(session.step_deferred(), None);
        ahead += 1;
        assert!(ahead < 1_000);
    }
}

#[test]
fn a_deferred_silhouette_is_measured_in_steps_and_equals_the_one_measured_at_once() {
    let (mut session, spec) = loaded(sample());
    let mut kmeans = spec.clone();
    kmeans.method = Method::KMeans;
    kmeans.kmeans.k = 4;
    let now = session.run(&kmeans, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}")).result.clone();
    assert!(now.scores.silhouette.is_some() && !now.scores.silhouette_pending);
    // Only fits ahead are left: nothing for the page.
    while session.has_deferred() {
        assert_eq!(session.step_deferred(), None);
    }

    let shown =
        session.run_deferred(&kmeans, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}")).result.clone();
    assert!(shown.scores.silhouette.is_none() && shown.scores.silhouette_pending);
    assert_eq!(shown.labels, now.labels);
    assert_eq!(shown.scores.davies_bouldin, now.scores.davies_bouldin);
    // Stability asked for meanwhile waits for the silhouette.
    assert_eq!(session.start_stability(), Ok(None));
    let mut steps = 0;
    let finished = loop {
        if let Some(f) = session.step_deferred() {
            break f;
        }
        steps += 1;
    };
    assert!(steps > 3, "{steps} steps: the silhouette of 10,000 rows is more than one step");
    assert_eq!(finished, Finished::Silhouette(now.scores.silhouette.clone()));
    let filled = session.segmentation().map(|s| s.result.clone()).unwrap_or_else(|| panic!("kept"));
    assert_eq!(*filled, *now, "the result is the one of a run that scored at once");
    assert!(session.has_deferred(), "stability follows");

    // A new run drops the work deferred on the last one.
    let mut other = kmeans.clone();
    other.kmeans.k = 3;
    session.run_deferred(&other, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let mut finished = Vec::new();
    while session.has_deferred() {
        finished.extend(session.step_deferred());
    }
    assert!(matches!(finished.as_slice(), [Finished::Silhouette(Some(_))]), "{finished:?}");

    // One segment: nothing to measure, nothing pending.
    let mut one = spec.clone();
    one.dbscan.eps = 50.0;
    let single = session.run_deferred(&one, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(single.scores.silhouette.is_none() && !single.scores.silhouette_pending);
    // The steps left build DBSCAN at any eps on these rows: nothing for the page.
    while session.has_deferred() {
        assert_eq!(session.step_deferred(), None);
    }
}

#[test]
fn the_automatic_choice_with_its_silhouette_deferred_is_the_choice_scored_at_once() {
    let (mut session, spec) = loaded(fixture("customers_2k.csv"));
    let (choice, now) = session.choose(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let (choice, now) = (choice, now.result.clone());
    assert!(now.scores.silhouette.is_some());
    let (later_choice, shown) =
        session.choose_deferred(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let shown = shown.result.clone();
    assert!(shown.scores.silhouette_pending && shown.scores.silhouette.is_none());
    assert_eq!(later_choice, choice);
    let finished = loop {
        if let Some(f) = session.step_deferred() {
            break f;
        }
    };
    assert_eq!(finished, Finished::Silhouette(now.scores.silhouette.clone()));
    let filled = session.segmentation().map(|s| s.result.clone()).unwrap_or_else(|| panic!("kept"));
    assert_eq!(*filled, *now);
}

/// A session that ran the suggested settings on customers_2k.csv, the file's bytes and its model.
fn fitted_customers() -> (Session, Vec<u8>, segment_core::model::SegmentModel) {
    let bytes = fixture("customers_2k.csv");
    let (mut session, spec) = loaded(bytes.clone());
    session.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let model = session.save_model(&[], "customers.csv").unwrap_or_else(|e| panic!("{e}"));
    (session, bytes, model)
}

#[test]
fn a_model_applied_asks_for_missing_columns_and_keeps_the_file_meanwhile() {
    let (mut session, bytes, model) = fitted_customers();
    let feature = model.spec.features[0].clone();
    let text = String::from_utf8(bytes).unwrap_or_default();
    let (header, rest) = text.split_once('\n').unwrap_or_default();
    let renamed = format!("{}\n{rest}", header.replacen(&feature, "renamed_column", 1));

    let outcome = session
        .apply(model.clone(), Some(FileInput::Bytes(renamed.into_bytes())), &[], &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    let ApplyOutcome::NeedsMapping { missing, columns, .. } = outcome else { panic!("a mapping is needed") };
    assert_eq!(missing, vec![feature.clone()]);
    assert!(columns.contains(&"renamed_column".to_string()));
    // The last run is still the loaded file's until the apply succeeds.
    assert!(session.segmentation().is_some());

    let mapping = vec![(feature, "renamed_column".to_string())];
    let outcome = session.apply(model, None, &mapping, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let ApplyOutcome::Applied { applied, summary } = outcome else { panic!("applied expected") };
    assert!(applied.columns.iter().any(|c| c.file == "renamed_column"));
    assert_eq!(summary.n_rows, session.table().map_or(0, |t| t.n_rows));
    let applied_result = session.segmentation().unwrap_or_else(|| panic!("the applied segmentation"));
    assert_eq!(applied_result.rows_used, applied_result.labels.len());
    // The applied file is now the loaded one: its export has the new column name.
    let export = session.export(&[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(export.lines().next().is_some_and(|h| h.contains("renamed_column")));
}

/// A model applied to a file read from disk (in chunks, as the page's File is) answers as applied to
/// its bytes: the same segments, drift and movers.
#[test]
fn a_model_applied_to_a_file_on_disk_answers_as_applied_to_its_bytes() {
    let (_, bytes, model) = fitted_customers();
    // Next month: the same customers, some with other values.
    let text = String::from_utf8(bytes).unwrap_or_default();
    let next: String = text.lines().map(|l| l.replace(",1", ",3") + "\n").collect();
    let path = std::env::temp_dir().join(format!("segment-apply-source-{}.csv", std::process::id()));
    std::fs::write(&path, &next).unwrap_or_else(|e| panic!("{e}"));
    let disk = segment_core::session::DiskFile::open(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut from_disk = Session::new();
    let mut from_bytes = Session::new();
    let applied =
        |s: &mut Session, input: FileInput| match s.apply(model.clone(), Some(input), &[], &mut |_, _| {}) {
            Ok(ApplyOutcome::Applied { applied, .. }) => {
                (applied.movement, s.segmentation().map(|r| r.labels.clone()))
            }
            other => panic!("{other:?}"),
        };
    let a = applied(&mut from_disk, FileInput::Source(Box::new(disk)));
    let b = applied(&mut from_bytes, FileInput::Bytes(next.into_bytes()));
    assert_eq!(a, b);
    assert!(a.0.as_ref().is_some_and(|m| m.moved > 0), "{:?}", a.0);
    assert_eq!(from_disk.movers().ok(), from_bytes.movers().ok());
    assert_eq!(from_disk.export(&[]).ok(), from_bytes.export(&[]).ok());
    std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{e}"));
}

/// A file that cannot be read when it is loaded says so (not "read again"), and the session keeps
/// nothing of it.
#[test]
fn a_file_that_cannot_be_read_at_its_load_says_so() {
    struct Gone;
    impl segment_core::session::FileSource for Gone {
        fn name(&self) -> String {
            "gone.csv".into()
        }
        fn size(&self) -> u64 {
            1_000
        }
        fn read(&self, _: u64, _: u64) -> Result<Vec<u8>, String> {
            Err("permission denied".into())
        }
    }
    let mut session = Session::new();
    let error = session.load_from(Box::new(Gone), &LoadMode::Auto, &mut |_, _| {}).err();
    assert_eq!(
        error,
        Some(CoreError::Unreadable { name: "gone.csv".into(), reason: "permission denied".into() })
    );
    assert_eq!(
        error.map(|e| e.to_string()).as_deref(),
        Some("\"gone.csv\" could not be read (permission denied). Check that the file is still there and readable, then choose it again.")
    );
    assert!(session.table().is_err());
}

#[test]
fn a_purchase_file_is_read_again_as_it_is_without_the_bytes() {
    let (mut session, spec) = loaded(fixture("purchases.csv"));
    assert!(spec.transactions.is_some(), "aggregated per customer");
    let customers = session.table().map_or(0, |t| t.n_rows);
    let lines = session.reload(&LoadMode::AsIs, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(lines.n_rows > customers, "{} purchase lines, {customers} customers", lines.n_rows);
    assert!(lines.transactions.is_some() && lines.aggregated.is_none());
    let columns = lines.transactions.clone().unwrap_or_else(|| panic!("detected"));
    let again =
        session.reload(&LoadMode::Aggregate(columns), &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.n_rows, customers);
    assert_eq!(again.suggested, spec);
}

#[test]
fn requests_before_a_file_are_clear_errors() {
    let mut session = Session::new();
    let spec = AnalysisSpec::original_project();
    assert_eq!(session.run(&spec, &mut |_, _| {}).err(), Some(CoreError::NoFile));
    assert_eq!(session.preview(0, 10).err(), Some(CoreError::NoFile));
    assert_eq!(session.reload(&LoadMode::AsIs, &mut |_, _| {}).err(), Some(CoreError::NoFile));
    assert!(matches!(session.movers(), Err(CoreError::NoSegmentation { .. })));
    // A failed load leaves no file behind.
    let (mut session, _) = loaded(fixture("customers_2k.csv"));
    assert!(session.load(Vec::new(), &LoadMode::Auto, &mut |_, _| {}).is_err());
    assert_eq!(session.table().err(), Some(CoreError::NoFile));
    // Errors cross to the page as JSON and come back the same.
    let error = CoreError::TooFewRows { rows: 2, needed: 3 };
    let json = serde_json::to_string(&error).unwrap_or_default();
    assert_eq!(serde_json::from_str::<CoreError>(&json).ok(), Some(error));
}

/// The same session answers whether it is given the file's bytes or reads the file from disk (in
/// chunks, and again when asked for rows), and a file changed on disk since it was loaded is said, not
/// read wrong. A file of purchase lines (its customers' CSV is held) and a Windows-1252 file (decoded
/// whole) answer the same too, and reading them again as they are does.
#[test]
fn a_file_read_again_from_disk_answers_as_a_file_kept() {
    for name in ["messy_export.csv", "customers_2k.csv", "transactions.csv", "nasty/eu_shop_cp1252.csv"] {
        let bytes = fixture(name);
        let dir = std::env::temp_dir().join(format!("segment-session-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let path = dir.join(name.replace('/', "_"));
        std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
        let (mut kept, spec) = loaded(bytes.clone());
        let mut again = Session::new();
        let disk = segment_core::session::DiskFile::open(&path).unwrap_or_else(|e| panic!("{e}"));
        again.load_from(Box::new(disk), &LoadMode::Auto, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let a = kept.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}")).rows_used;
        let b = again.run(&spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}")).rows_used;
        assert_eq!(a, b, "{name}");
        let rows = kept.preview(0, usize::MAX).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows, again.preview(0, usize::MAX).unwrap_or_else(|e| panic!("{e}")), "{name}");
        let middle = rows.total / 2;
        assert_eq!(kept.preview(middle, 7).ok(), again.preview(middle, 7).ok(), "{name}");
        assert_eq!(kept.used_row(a - 1).ok(), again.used_row(a - 1).ok(), "{name}");
        let names: Vec<String> = Vec::new();
        assert_eq!(kept.export(&names).ok(), again.export(&names).ok(), "{name}");
        assert_eq!(kept.export_removed().ok(), again.export_removed().ok(), "{name}");
        let model = |s: &Session| s.save_model(&names, name).map(|m| m.to_json()).ok();
        assert_eq!(model(&kept), model(&again), "{name}");

        // Read again as it is (purchase lines as they are): the same either way.
        let as_is =
            |s: &mut Session| s.reload(&LoadMode::AsIs, &mut |_, _| {}).map(|summary| summary.n_rows).ok();
        assert_eq!(as_is(&mut kept), as_is(&mut again), "{name}");
        assert_eq!(kept.preview(0, 5).ok(), again.preview(0, 5).ok(), "{name}");

        // Changed on disk: a clear error, the table still there. (A file decoded whole is held.)
        let rerun = again.run(&spec, &mut |_, _| {}).map(|s| s.rows_used).ok();
        std::fs::write(&path, [&bytes[..], b"\n"].concat()).unwrap_or_else(|e| panic!("{e}"));
        if name.ends_with("_2k.csv") || name.starts_with("messy") {
            assert_eq!(rerun, Some(a), "{name}");
            assert!(matches!(again.preview(0, 5), Err(CoreError::FileChanged { .. })), "{name}");
            assert!(matches!(again.export(&names), Err(CoreError::FileChanged { .. })), "{name}");
        }
        assert!(again.table().is_ok());
        std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{e}"));
    }
}

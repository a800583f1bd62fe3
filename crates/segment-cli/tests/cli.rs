//! The `segment` binary end to end: suggest, fit, apply (file and stdout), a column mapped by hand, and
//! the errors a person meets (damaged model, missing column), with their exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn segment(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_segment")).args(args).output().unwrap_or_else(|e| panic!("{e}"))
}

fn workdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("segment-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/dataset_ecommerce.csv")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn fit_then_apply_labels_every_row() {
    let dir = workdir("fit");
    let model = dir.join("model.json");
    let out = segment(&["fit", &sample().to_string_lossy(), "-o", &model.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = text(&out.stderr);
    assert!(log.contains("55056 read, 55002 used"), "{log}");
    assert!(log.contains("High Spenders: 18273 rows"), "{log}");
    assert!(log.contains("  who: monto_compras above"), "{log}");
    assert!(log.contains("price of explainability "), "{log}");

    // The model keeps each segment's rule: `explain` prints them from the file alone.
    let out = segment(&["explain", &model.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let explained = text(&out.stdout);
    assert!(explained.starts_with("3 segments of 55002 customers (2711 as noise)"), "{explained}");
    assert_eq!(explained.matches("  who: ").count(), 3, "{explained}");
    assert!(
        explained.contains("High Spenders: 18273 customers (33%)\n  who: monto_compras above"),
        "{explained}"
    );
    assert!(explained.contains("the rules together put 100% of customers in their segment"), "{explained}");
    // A rule on a column the model does not use is a damaged file.
    let json = std::fs::read_to_string(&model).unwrap_or_default();
    let forged = dir.join("forged.json");
    std::fs::write(&forged, json.replacen("\"feature\":\"monto_compras\"", "\"feature\":\"ID\"", 1)).ok();
    let out = segment(&["explain", &forged.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("rule names a column the model does not use"),
        "{}",
        text(&out.stderr)
    );

    let labeled = dir.join("labeled.csv");
    let out = segment(&[
        "apply",
        &model.to_string_lossy(),
        &sample().to_string_lossy(),
        "-o",
        &labeled.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&labeled).unwrap_or_default();
    assert_eq!(csv.lines().count(), 55_057);
    assert!(csv.lines().next().is_some_and(|h| h.ends_with(",segment,segment_name")));
    let noise = csv.lines().filter(|l| l.ends_with(",noise")).count();
    assert_eq!(noise, 2711);
    assert_eq!(csv.lines().filter(|l| l.ends_with(",dropped by cleaning")).count(), 54);

    // The same rows to standard output.
    let out = segment(&["apply", &model.to_string_lossy(), &sample().to_string_lossy(), "-o", "-"]);
    assert_eq!(text(&out.stdout), csv);
}

#[test]
fn suggest_settings_feed_fit_and_names_are_kept() {
    let dir = workdir("suggest");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/customers_2k.csv");
    let out = segment(&["suggest", &data.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let settings = dir.join("settings.json");
    std::fs::write(&settings, &out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let model = dir.join("m.json");
    let out = segment(&[
        "fit",
        &data.to_string_lossy(),
        "--settings",
        &settings.to_string_lossy(),
        "--names",
        "Alpha,Beta",
        "-o",
        &model.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let saved = std::fs::read_to_string(&model).unwrap_or_default();
    let parsed = segment_core::model::SegmentModel::from_json(&saved).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.segments[0].name, "Alpha");
    assert_eq!(parsed.segments[1].name, "Beta");
}

#[test]
fn renamed_column_needs_a_mapping_and_bad_models_fail_clearly() {
    let dir = workdir("errors");
    let model = dir.join("model.json");
    let out = segment(&["fit", &sample().to_string_lossy(), "-o", &model.to_string_lossy()]);
    assert!(out.status.success());
    let original = std::fs::read_to_string(sample()).unwrap_or_default();
    let renamed = dir.join("renamed.csv");
    std::fs::write(&renamed, original.replacen("monto_compras", "purchases", 1))
        .unwrap_or_else(|e| panic!("{e}"));

    let out = segment(&["apply", &model.to_string_lossy(), &renamed.to_string_lossy(), "-o", "-"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("monto_compras"), "{}", text(&out.stderr));

    let out = segment(&[
        "apply",
        &model.to_string_lossy(),
        &renamed.to_string_lossy(),
        "--map",
        "monto_compras=purchases",
        "-o",
        "-",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("read from \"purchases\""));

    let damaged = dir.join("damaged.json");
    let json = std::fs::read_to_string(&model).unwrap_or_default();
    std::fs::write(&damaged, &json[..json.len() / 3]).unwrap_or_else(|e| panic!("{e}"));
    let out = segment(&["apply", &damaged.to_string_lossy(), &sample().to_string_lossy(), "-o", "-"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("model file could not be used"), "{}", text(&out.stderr));
}

#[test]
fn suggest_and_fit_make_the_page_s_automatic_choice() {
    let dir = workdir("auto");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/marketing_campaign.csv");
    let out = segment(&["suggest", &data.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let suggested =
        segment_core::spec::AnalysisSpec::from_json(&text(&out.stdout)).unwrap_or_else(|e| panic!("{e}"));
    let log = text(&out.stderr);
    assert!(log.contains("segmentations tried"), "{log}");
    // The same core function the page calls, on the same file, gives the same settings.
    let bytes = std::fs::read(&data).unwrap_or_else(|e| panic!("{e}"));
    let table = segment_core::ingest::read_csv(&bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let summary = segment_core::pipeline::summarize(&table).unwrap_or_else(|e| panic!("{e}"));
    let (_, result) = segment_core::auto::choose(&table, &summary.suggested, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(suggested, result.spec);
    // `fit` without settings fits that same choice.
    let model = dir.join("m.json");
    let out = segment(&["fit", &data.to_string_lossy(), "-o", &model.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let saved = std::fs::read_to_string(&model).unwrap_or_default();
    let parsed = segment_core::model::SegmentModel::from_json(&saved).unwrap_or_else(|e| panic!("{e}"));
    let mut fitted = parsed.spec.clone();
    fitted.segment_names = suggested.segment_names.clone();
    assert_eq!(fitted, suggested);
}

#[test]
fn purchase_lines_are_fitted_per_customer_and_next_month_s_lines_are_aggregated_before_apply() {
    let dir = workdir("purchases");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/purchases.csv");
    let model = dir.join("m.json");
    let out = segment(&["fit", &data.to_string_lossy(), "-o", &model.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("aggregated into 500 customers"), "{}", text(&out.stderr));
    let out = segment(&["apply", &model.to_string_lossy(), &data.to_string_lossy(), "-o", "-"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let labeled = text(&out.stdout);
    assert_eq!(labeled.lines().count(), 501, "one row per customer and the header");
    assert!(labeled
        .starts_with("customer_id,recency_days,frequency,monetary,average_order_value,segment,segment_name"));
    // --as-is segments the lines themselves.
    let out = segment(&["suggest", "--as-is", &data.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("\"transactions\""));
}

#[test]
fn a_failed_apply_never_touches_the_output_and_the_input_is_never_the_output() {
    let dir = workdir("safe");
    let data = dir.join("customers.csv");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/customers_2k.csv"), &data)
        .unwrap_or_else(|e| panic!("{e}"));
    let model = dir.join("m.json");
    let out = segment(&["fit", &data.to_string_lossy(), "-o", &model.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let before = std::fs::read(&data).unwrap_or_default();

    // -o the input itself: refused (settings error, exit 4), the input intact.
    let out =
        segment(&["apply", &model.to_string_lossy(), &data.to_string_lossy(), "-o", &data.to_string_lossy()]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("would destroy the input"));
    assert_eq!(std::fs::read(&data).unwrap_or_default(), before);

    // A failing apply (a file without the model's columns) leaves an existing output as it was.
    let output = dir.join("out.csv");
    std::fs::write(&output, "kept\n").unwrap_or_else(|e| panic!("{e}"));
    let other = dir.join("other.csv");
    std::fs::write(&other, "x,y\n1,2\n3,4\n").unwrap_or_else(|e| panic!("{e}"));
    let out = segment(&[
        "apply",
        &model.to_string_lossy(),
        &other.to_string_lossy(),
        "-o",
        &output.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&output).unwrap_or_default(), "kept\n");
    assert!(std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .all(|e| !e.file_name().to_string_lossy().ends_with(".tmp")));

    // Exit codes: a file that is not data (3), a file that cannot be read (5).
    let image = dir.join("image.csv");
    std::fs::write(&image, b"\x89PNG\r\n\x1a\n\0\0\0").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(segment(&["suggest", &image.to_string_lossy()]).status.code(), Some(3));
    assert_eq!(segment(&["suggest", &dir.join("missing.csv").to_string_lossy()]).status.code(), Some(5));
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/dataset_ecommerce.csv");
    let dir = workdir("pipe");
    let model = dir.join("m.json");
    let out = segment(&["fit", &data.to_string_lossy(), "-o", &model.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The reader takes one line and goes away, as `| head -1` does.
    let mut child = Command::new(env!("CARGO_BIN_EXE_segment"))
        .args(["apply", &model.to_string_lossy(), &data.to_string_lossy(), "-o", "-"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
    let mut first = [0u8; 16];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap_or_else(|e| panic!("{e}"));
    drop(stdout);
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
}

#[test]
fn a_workbook_is_applied_like_a_csv() {
    let dir = workdir("xlsx");
    let book = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/nasty/clientes.xlsx");
    let model = dir.join("m.json");
    let out = segment(&["fit", &book.to_string_lossy(), "-o", &model.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = segment(&["apply", &model.to_string_lossy(), &book.to_string_lossy(), "-o", "-"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).lines().count(), 61);
}

#[test]
fn roles_fixed_by_a_script_drive_suggest_and_fit_alike() {
    let dir = workdir("roles");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/corpus/crm.csv");
    let data = data.to_str().unwrap_or_else(|| panic!("path"));
    // By default the newsletter flag describes the segments; a script can make it a feature, and
    // leave a measure out.
    let plain = segment(&["suggest", data]);
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).unwrap_or_else(|e| panic!("{e}"));
    let features = |v: &serde_json::Value| -> Vec<String> {
        v["features"]
            .as_array()
            .map(|a| a.iter().filter_map(|f| f.as_str().map(String::from)).collect())
            .unwrap_or_default()
    };
    assert!(!features(&plain).contains(&"newsletter".to_string()));
    let roles = "newsletter=feature,visits=ignore";
    let suggested = segment(&["suggest", data, "--roles", roles]);
    assert!(suggested.status.success(), "{}", text(&suggested.stderr));
    // The flag enters the candidates (the choice may still leave it out, saying why: it is
    // independent of the groups); the measure left out enters none.
    let said = text(&suggested.stderr);
    assert!(said.contains("newsletter"), "{said}");
    assert!(!said.contains("visits"), "{said}");
    let suggested: serde_json::Value =
        serde_json::from_slice(&suggested.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert!(!features(&suggested).contains(&"visits".to_string()));
    let model = dir.join("m.json");
    let fitted =
        segment(&["fit", data, "--roles", roles, "-o", model.to_str().unwrap_or_else(|| panic!("path"))]);
    assert!(fitted.status.success(), "{}", text(&fitted.stderr));
    let model: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&model).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(features(&model["spec"]), features(&suggested), "fit makes suggest's choice");
    // A role for a column the file does not have, or a role that does not exist, is refused clearly.
    let wrong = segment(&["suggest", data, "--roles", "nope=feature"]);
    assert_eq!(wrong.status.code(), Some(4));
    assert!(text(&wrong.stderr).contains("no column \"nope\""));
    let wrong = segment(&["suggest", data, "--roles", "visits=maybe"]);
    assert!(text(&wrong.stderr).contains("unknown role"));
}

/// The SQL export refuses what an engine would read differently from the query's words, and the side
/// table is written under the name the query reads.
#[test]
fn the_sql_export_names_what_it_reads_and_refuses_what_it_cannot_name() {
    let dir = workdir("sql-names");
    let model = dir.join("model.json");
    let out = segment(&["fit", &sample().to_string_lossy(), "-o", &model.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let model = model.to_string_lossy().into_owned();

    // A DBSCAN query named with a quote and a backtick: its side table is written and read as one name.
    let query = dir.join("q'x`y.spark.sql");
    let out = segment(&["export-sql", &model, "--dialect", "spark", "-o", &query.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sql = std::fs::read_to_string(&query).unwrap_or_default();
    assert!(dir.join("q_x_y.spark-cores.csv").is_file(), "{}", text(&out.stderr));
    assert!(sql.contains("csv.`q_x_y.spark-cores.csv`"), "the query reads another name");

    // A schema-qualified table is two quoted names.
    let out = segment(&[
        "export-sql",
        &model,
        "--table",
        "main.customers",
        "-o",
        &dir.join("q.sql").to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sql = std::fs::read_to_string(dir.join("q.sql")).unwrap_or_default();
    assert!(sql.contains(r#"FROM "main"."customers""#), "{sql}");

    // Columns whose names differ only in case: refused (exit 4), naming both.
    let layout = dir.join("layout.csv");
    std::fs::write(
        &layout,
        "ID,n_clicks,n_visitas,monto_compras,monto_descuentos,dias_primera_compra,info_perfil,Monto_Compras\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = segment(&[
        "export-sql",
        &model,
        "--columns-from",
        &layout.to_string_lossy(),
        "-o",
        &dir.join("case.sql").to_string_lossy(),
    ]);
    let log = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{log}");
    assert!(log.contains("\"monto_compras\" and \"Monto_Compras\"") && log.contains("case"), "{log}");
    assert!(!dir.join("case.sql").exists());

    // A table name that cannot be read is refused before anything is written.
    let out =
        segment(&["export-sql", &model, "--table", "a..b", "-o", &dir.join("bad.sql").to_string_lossy()]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
}

/// A model of customers aggregated from purchase lines exports a query over a table of lines: it
/// aggregates them per customer first (tests/sql checks its rows against `segment apply` in DuckDB).
/// Standard SQL (without regular expressions for dates and cancellations), Spark (whose planner runs
/// out of memory on it) and a model saved before the lines' format was kept are refused with the
/// reason (exit 4, nothing written).
#[test]
fn the_sql_export_of_a_purchase_log_model_aggregates_the_lines() {
    let dir = workdir("sql-lines");
    let lines = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/transactions.csv");
    let model = dir.join("model.json");
    let out = segment(&["fit", &lines.to_string_lossy(), "-o", &model.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let query = dir.join("q.sql");
    let out = segment(&["export-sql", &model.to_string_lossy(), "-o", &query.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sql = std::fs::read_to_string(&query).unwrap_or_default();
    assert!(sql.contains("customers_agg AS (") && sql.contains("GROUP BY __customer"), "{sql}");
    // It reads the lines' columns (the model's default layout is the lines', not the customers').
    assert!(sql.contains(r#""InvoiceNo""#) && sql.contains(r#""UnitPrice""#), "{sql}");

    // Spark's query reads the lines behind a fence its optimizer does not push the lines' filter
    // through (tests/sql runs it against `segment apply`).
    let spark = dir.join("spark.sql");
    let out = segment(&[
        "export-sql",
        &model.to_string_lossy(),
        "--dialect",
        "spark",
        "-o",
        &spark.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sql = std::fs::read_to_string(&spark).unwrap_or_default();
    assert!(sql.contains("FROM lines_fenced WHERE") && sql.contains("AND __fence >= 0"), "{sql}");
    let (dialect, why) = ("ansi", "regular expressions");
    let refused = dir.join(format!("{dialect}.sql"));
    let out = segment(&[
        "export-sql",
        &model.to_string_lossy(),
        "--dialect",
        dialect,
        "-o",
        &refused.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(4), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(why), "{}", text(&out.stderr));
    assert!(!refused.exists());

    let mut older: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&model).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    older.as_object_mut().map(|m| m.remove("lines"));
    let older_path = dir.join("older.json");
    std::fs::write(&older_path, older.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let out =
        segment(&["export-sql", &older_path.to_string_lossy(), "-o", &dir.join("o.sql").to_string_lossy()]);
    let log = text(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{log}");
    assert!(log.contains("Fit it again") && log.contains("segment apply"), "{log}");
}

/// Customers with a last order date (dd/mm/yyyy), orders and spend: recent frequent big spenders,
/// occasional ones, and lapsed ones. `shift` moves every date (next month's file).
fn dated_customers(shift: i64) -> String {
    let mut text = String::from("customer_id,last_order,orders,spend\n");
    for i in 0..600i64 {
        let (days, orders, spend) = match i % 3 {
            0 => (i % 15, 12 + i % 4, 900 + i % 50),
            1 => (60 + i % 30, 5 + i % 3, 300 + i % 40),
            _ => (250 + i % 60, 1 + i % 2, 60 + i % 20),
        };
        let day = 20_400 + shift - days;
        let iso = segment_core::ingest::date::iso_date(day);
        let p: Vec<&str> = iso.split('-').collect();
        text.push_str(&format!("C{i},{}/{}/{},{orders},{spend}\n", p[2], p[1], p[0]));
    }
    text
}

#[test]
fn a_model_with_a_date_feature_streams_and_its_rules_are_measured_on_next_months_file() {
    let dir = workdir("dated");
    let (train, next) = (dir.join("train.csv"), dir.join("next.csv"));
    std::fs::write(&train, dated_customers(0)).ok();
    std::fs::write(&next, dated_customers(31)).ok();
    let settings = dir.join("settings.json");
    let spec = segment(&["suggest", &train.to_string_lossy()]);
    assert!(spec.status.success(), "{}", text(&spec.stderr));
    let mut json: serde_json::Value = serde_json::from_slice(&spec.stdout).unwrap_or_default();
    json["features"] = serde_json::json!(["last_order", "orders", "spend"]);
    json["method"] = serde_json::json!("k_means");
    json["kmeans"]["k"] = serde_json::json!(3);
    std::fs::write(&settings, json.to_string()).ok();
    let model = dir.join("model.json");
    let out = segment(&[
        "fit",
        &train.to_string_lossy(),
        "--settings",
        &settings.to_string_lossy(),
        "-o",
        &model.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // Next month's file: the first pass finds its latest date, and every customer keeps its segment.
    let labeled = |as_of: Option<&str>| {
        let out_file = dir.join("labeled.csv");
        let mut args =
            vec!["apply".to_string(), model.to_string_lossy().into(), next.to_string_lossy().into()];
        args.extend(["-o".to_string(), out_file.to_string_lossy().into()]);
        if let Some(day) = as_of {
            args.extend(["--as-of".to_string(), day.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = segment(&args);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let rows = std::fs::read_to_string(&out_file).unwrap_or_default();
        let segments: Vec<String> =
            rows.lines().skip(1).map(|l| l.rsplit(',').next().unwrap_or("").to_string()).collect();
        (text(&out.stderr), segments)
    };
    let (log, segments) = labeled(None);
    let latest = segment_core::ingest::date::iso_date(20_400 + 31);
    assert!(
        log.contains(&format!("last_order: days before {latest} (the file's latest date; dd/mm/yyyy)")),
        "{log}"
    );
    assert_eq!(segments.len(), 600);
    for group in 0..3 {
        let names: std::collections::BTreeSet<&String> = segments.iter().skip(group).step_by(3).collect();
        assert_eq!(names.len(), 1, "group {group}: {names:?}");
    }
    // The same as-of date given by hand: the same segments; half a year later, the recent customers
    // are no longer recent and their segment changes.
    let (log, same) = labeled(Some(&latest));
    assert!(log.contains("(the as-of date; dd/mm/yyyy)"), "{log}");
    assert_eq!(same, segments);
    let (_, later) = labeled(Some(&segment_core::ingest::date::iso_date(20_400 + 31 + 365)));
    assert_ne!(later, segments);
    let out = segment(&["apply", &model.to_string_lossy(), &next.to_string_lossy(), "--as-of", "31/12/2026"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("expected a date as YYYY-MM-DD"), "{}", text(&out.stderr));

    // The rules measured on next month's file: each segment's size there and what its rule catches.
    let out = segment(&["explain", &model.to_string_lossy(), &next.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let explained = text(&out.stdout);
    assert_eq!(explained.matches("  in next.csv: 200 customers; the rule catches").count(), 3, "{explained}");
    assert!(explained.contains("in next.csv, the rules together put "), "{explained}");

    // The rules as a model of their own: written, explained, applied to next month's file.
    let rules = dir.join("rules.json");
    let out = segment(&["rules", &model.to_string_lossy(), "-o", &rules.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("(rules for 3 of 3 segments; on the training file they put 100%"),
        "{}",
        text(&out.stderr)
    );
    let out = segment(&["explain", &rules.to_string_lossy()]);
    assert!(text(&out.stdout).contains("with k-means"), "{}", text(&out.stdout));
    let by_rules = dir.join("by-rules.csv");
    let out = segment(&[
        "apply",
        &rules.to_string_lossy(),
        &next.to_string_lossy(),
        "-o",
        &by_rules.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows = std::fs::read_to_string(&by_rules).unwrap_or_default();
    let by_rule: Vec<String> =
        rows.lines().skip(1).map(|l| l.rsplit(',').next().unwrap_or("").to_string()).collect();
    assert_eq!(by_rule, segments, "rules that catch 100% give the model's segments");
}

/// A purchase log whose customer the values leave in doubt (members and stores, one line a purchase):
/// `suggest` segments the lines as they are and says why, with the settings that aggregate them; with
/// those settings, `fit` segments the members.
#[test]
fn a_doubtful_purchase_log_is_segmented_as_it_is_and_the_hint_aggregates_it() {
    let dir = workdir("doubt");
    let data = dir.join("socios.csv");
    let csv = segment_core::synth::member_log(300, 7);
    std::fs::write(&data, csv).unwrap_or_else(|e| panic!("{e}"));
    let out = segment(&["suggest", &data.to_string_lossy()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = text(&out.stderr);
    assert!(log.contains("this file may have one row per purchase, but \"socio\" and \"tienda\""), "{log}");
    let mut settings: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    // The hint's two settings, as it prints them.
    let hint = |key: &str| -> serde_json::Value {
        let start =
            log.find(&format!("\"{key}\" to ")).map(|i| i + key.len() + 6).unwrap_or_else(|| panic!("{log}"));
        let mut stream = serde_json::Deserializer::from_str(&log[start..]).into_iter::<serde_json::Value>();
        stream.next().and_then(Result::ok).unwrap_or_else(|| panic!("{log}"))
    };
    settings["transactions"] = hint("transactions");
    settings["features"] = hint("features");
    let path = dir.join("settings.json");
    std::fs::write(&path, settings.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let model = dir.join("model.json");
    let out = segment(&[
        "fit",
        &data.to_string_lossy(),
        "--settings",
        &path.to_string_lossy(),
        "-o",
        &model.to_string_lossy(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("rows: 300 read"), "{}", text(&out.stderr));
}

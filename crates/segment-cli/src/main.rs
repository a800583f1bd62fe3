//! `segment`: the Client Segmentation Dashboard's analysis from the command line, for files larger than a
//! browser tab holds and for monthly jobs. Same core, same results as the page.
//!
//! ```text
//! segment suggest customers.csv > settings.json        # the settings the page would start with
//! segment fit customers.csv -o model.json              # fit with those settings, save the model
//! segment fit customers.csv --settings settings.json -o model.json
//! segment apply model.json next-month.csv -o next-month-segments.csv
//! ```

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use segment_core::auto::AutoChoice;
use segment_core::ingest::is_parquet;
use segment_core::ingest::parquet::ParquetCsv;
use segment_core::ingest::spreadsheet::is_spreadsheet;

mod parquet_out;
use segment_core::model::sql::{DateReference, Dialect};
use segment_core::model::{apply_framed, Framing, SegmentModel, StreamSummary};
use segment_core::pipeline::{AnalysisResult, DatasetSummary, Stage};
use segment_core::session::{ApplyOutcome, FileInput, Session};
use segment_core::spec::AnalysisSpec;
use segment_core::transactions::{read_customers, LoadMode};
use segment_core::CoreError;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "segment",
    version,
    about = "Customer segmentation from a CSV file: fit a model, apply it to next month's file.",
    after_help = "Examples:\n  segment suggest customers.csv > settings.json\n  segment fit customers.csv \
                  --settings settings.json -o model.json\n  segment apply model.json next-month.csv -o \
                  next-month-segments.csv\n  segment apply model.json big.csv --map monto_compras=purchases -o -"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the settings the page would start with for this file (JSON), to edit and pass to `fit`.
    Suggest {
        /// The customer file: CSV, spreadsheet or Parquet.
        data: PathBuf,
        /// Segment the rows as they are, even when the file looks like one row per purchase (by default
        /// such a file is aggregated per customer: recency, frequency, monetary, average order value).
        #[arg(long)]
        as_is: bool,
        /// Fix column roles before the automatic choice, as NAME=ROLE, comma separated: `feature` to
        /// segment on a column (a yes/no flag, a level, a category), `ignore` to leave it out; the
        /// other columns keep the roles read from their values.
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
    },
    /// Segment a CSV file and save the model (settings, scaler, segments) as JSON.
    Fit {
        /// The customer file, CSV, spreadsheet or Parquet (read into memory: the whole file is needed to find segments).
        data: PathBuf,
        /// Settings JSON (from `segment suggest` or a saved spec); default: the suggested settings.
        #[arg(long)]
        settings: Option<PathBuf>,
        /// Segment names, comma separated, largest segment first; default: the suggested names.
        #[arg(long, value_delimiter = ',')]
        names: Vec<String>,
        /// Where to write the model; default: <data>-model.json beside the data.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Segment the rows as they are, even when the file looks like one row per purchase.
        #[arg(long)]
        as_is: bool,
        /// Fix column roles before the automatic choice, as NAME=ROLE, comma separated: `feature` to
        /// segment on a column (a yes/no flag, a level, a category), `ignore` to leave it out; the
        /// other columns keep the roles read from their values.
        #[arg(long, value_delimiter = ',')]
        roles: Vec<String>,
    },
    /// Give every row of a file (CSV, spreadsheet, Parquet) its segment, streaming (any size; memory
    /// stays flat), as CSV or Parquet.
    Apply {
        /// A model saved by `segment fit` or the page's "Save model".
        model: PathBuf,
        /// The CSV, spreadsheet or Parquet file to segment.
        data: PathBuf,
        /// A model column that has another name in this file: MODEL_COLUMN=FILE_COLUMN (repeatable).
        #[arg(long = "map", value_parser = parse_mapping)]
        mapping: Vec<(String, String)>,
        /// Where to write the labeled rows ("-" for standard output); a name ending in .parquet writes
        /// Parquet (a Parquet input's column types kept), any other CSV; default: <data>-segments.csv.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// For a model with a date feature: the day its "days before" count from (YYYY-MM-DD).
        /// Default: the file's latest date in that column, found in a first pass over the file.
        #[arg(long, value_parser = parse_day)]
        as_of: Option<i64>,
    },
    /// Write the model as one SQL query for the engine where the table lives (DuckDB, Spark, ANSI): every
    /// row with `segment` and `segment_name`, as `apply` gives them.
    ExportSql {
        /// A model saved by `segment fit` or the page's "Save model".
        model: PathBuf,
        /// duckdb, spark or ansi.
        #[arg(long, default_value = "duckdb")]
        dialect: String,
        /// The table (or view) the query reads.
        #[arg(long, default_value = "customers")]
        table: String,
        /// A CSV file with the table's layout (its header is read): the table's columns, which the rules
        /// "in any column" and the duplicate-row rule look at. Default: the columns the model knows.
        #[arg(long)]
        columns_from: Option<PathBuf>,
        /// Where to write the query; a DBSCAN model's core points go beside it (<query>-cores.csv).
        #[arg(short, long, default_value = "query.sql")]
        output: PathBuf,
        /// For a model with a date feature: the day its "days before" count from (YYYY-MM-DD).
        /// Default: the table's latest date in that column, computed by the query.
        #[arg(long, value_parser = parse_day)]
        as_of: Option<i64>,
    },
    /// Save a model's rules as a model of their own (a rule model): each customer to the first segment
    /// whose rule holds, the most precise first; customers no rule describes in no segment. It applies,
    /// explains and exports to SQL (as CASE WHEN in the file's units) like any model.
    Rules {
        /// A model saved by `segment fit` or the page's "Save model".
        model: PathBuf,
        /// Where to write the rule model.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Print who is in each segment of a saved model: its size, profile means and rule (at most three
    /// conditions in the training file's units, with how many of the segment it caught and how many it
    /// wrongly included), and the rules' fidelity together.
    Explain {
        /// A model saved by `segment fit` or the page's "Save model".
        model: PathBuf,
        /// A file to measure the rules on (CSV, spreadsheet or Parquet): each segment's size there, how
        /// many of it its rule catches and wrongly includes, and the rules' fidelity on it.
        data: Option<PathBuf>,
        /// A model column that has another name in this file: MODEL_COLUMN=FILE_COLUMN (repeatable).
        #[arg(long = "map", value_parser = parse_mapping)]
        mapping: Vec<(String, String)>,
    },
}

/// A date written YYYY-MM-DD as its day number.
fn parse_day(text: &str) -> Result<i64, String> {
    use segment_core::ingest::date::{parse_date, DateFormat, DateOrder};
    parse_date(text.trim(), DateFormat { order: DateOrder::Iso, ambiguous: false })
        .ok_or_else(|| format!("expected a date as YYYY-MM-DD, got \"{text}\""))
}

fn parse_mapping(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(m, f)| (m.trim().to_string(), f.trim().to_string()))
        .filter(|(m, f)| !m.is_empty() && !f.is_empty())
        .ok_or_else(|| format!("expected MODEL_COLUMN=FILE_COLUMN, got \"{text}\""))
}

/// Why a command failed, and the exit code that says so: 3 the data file (unreadable, empty, not
/// CSV, beyond a limit), 4 the settings or the model (out of range, damaged, for other columns), 5 a
/// file that could not be read or written; a closed pipe (`segment suggest f.csv | head -1`) ends
/// quietly with 0. (2 is clap's: a mistyped command line.)
#[derive(Debug)]
enum Failure {
    Input(String),
    Settings(String),
    Io(String),
    ClosedPipe,
}

impl Failure {
    fn code(&self) -> u8 {
        match self {
            Failure::Input(_) => 3,
            Failure::Settings(_) => 4,
            Failure::Io(_) => 5,
            Failure::ClosedPipe => 0,
        }
    }
}

impl From<CoreError> for Failure {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Output { closed: true, .. } => Failure::ClosedPipe,
            CoreError::Output { .. } => Failure::Io(e.to_string()),
            CoreError::InvalidParameter { .. }
            | CoreError::BadSpec(_)
            | CoreError::BadModel(_)
            | CoreError::Sql(_)
            | CoreError::NoFeatures
            | CoreError::TooManyRows { .. }
            | CoreError::MissingColumns { .. } => Failure::Settings(e.to_string()),
            _ => Failure::Input(e.to_string()),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Input(m) | Failure::Settings(m) | Failure::Io(m) => f.write_str(m),
            Failure::ClosedPipe => f.write_str("the output was closed"),
        }
    }
}

fn main() -> ExitCode {
    // A panic of the Parquet decoder on a damaged page becomes the file's error message; say nothing
    // of it here (any other panic is reported as usual).
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !segment_core::ingest::parquet::decoding() {
            report(info);
        }
    }));
    match Cli::parse().command.run() {
        Ok(()) | Err(Failure::ClosedPipe) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.code())
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Io(format!("cannot read {}: {e}", path.display())))
}

/// Loads the data file into `session`: read in chunks from the disk (and again from there for an
/// export), never held whole, when it is UTF-8 text; a Parquet file as its CSV text.
fn load_data(
    session: &mut Session,
    path: &Path,
    mode: &LoadMode,
    progress: segment_core::pipeline::Progress,
) -> Result<DatasetSummary, Failure> {
    let cannot = |e: std::io::Error| Failure::Io(format!("cannot read {}: {e}", path.display()));
    let mut magic = [0u8; 4];
    let n = std::io::Read::read(&mut File::open(path).map_err(cannot)?, &mut magic).map_err(cannot)?;
    if is_parquet(&magic[..n]) {
        return Ok(session.load(read_data(path)?, mode, progress)?);
    }
    let disk = segment_core::session::DiskFile::open(path).map_err(cannot)?;
    Ok(session.load_from(Box::new(disk), mode, progress)?)
}

/// A data file's bytes for the reader: a Parquet file as its CSV text (read whole: `fit` and `suggest`
/// need every row; `apply` streams it instead).
fn read_data(path: &Path) -> Result<Vec<u8>, Failure> {
    let bytes = read(path)?;
    if is_parquet(&bytes) {
        return Ok(segment_core::ingest::parquet::to_csv(&bytes)?.into_bytes());
    }
    Ok(bytes)
}

/// Writes to standard output; a closed pipe is not an error.
fn print_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure::ClosedPipe),
        Err(e) => Err(Failure::Io(format!("cannot write to standard output: {e}"))),
    }
}

/// Writes `text` to `output` with [`write_atomically`].
fn write_text(output: &Path, inputs: &[&Path], text: &str) -> Result<(), Failure> {
    write_atomically(output, inputs, |mut w| {
        w.write_all(text.as_bytes())
            .and_then(|()| w.flush())
            .map_err(|e| Failure::Io(format!("cannot write {}: {e}", output.display())))
    })
}

/// Writes `output` through a temporary file beside it, renamed over it only once `write` succeeded: a
/// failed run never leaves a truncated or emptied file. Refuses to write over one of `inputs`.
fn write_atomically<T>(
    output: &Path,
    inputs: &[&Path],
    write: impl FnOnce(BufWriter<File>) -> Result<T, Failure>,
) -> Result<T, Failure> {
    let same = |a: &Path, b: &Path| match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if let Some(input) = inputs.iter().find(|i| same(output, i)) {
        return Err(Failure::Settings(format!(
            "the output {} is the input {}: writing it would destroy the input. Choose another output (-o)",
            output.display(),
            input.display()
        )));
    }
    let name = output.file_name().map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let temp = output.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let file =
        File::create(&temp).map_err(|e| Failure::Io(format!("cannot write {}: {e}", output.display())))?;
    match write(BufWriter::new(file)) {
        Ok(value) => {
            std::fs::rename(&temp, output).map_err(|e| {
                let _ = std::fs::remove_file(&temp);
                Failure::Io(format!("cannot write {}: {e}", output.display()))
            })?;
            Ok(value)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

fn beside(data: &Path, suffix: &str) -> PathBuf {
    let stem = data.file_stem().map_or_else(|| "data".into(), |s| s.to_string_lossy().into_owned());
    data.with_file_name(format!("{stem}-{suffix}"))
}

impl Command {
    fn run(self) -> Result<(), Failure> {
        match self {
            Command::Suggest { data, as_is, roles } => {
                let bar = spinner();
                let mut progress = progress_on(&bar);
                let mut session = Session::new();
                let mut summary = load_data(&mut session, &data, &load_mode(as_is), &mut progress)?;
                with_roles(&mut summary, &roles)?;
                let spec = default_settings(&mut session, &summary, &mut progress)?;
                bar.finish_and_clear();
                // Settings this command writes are settings `fit --settings` reads back.
                spec.validate()?;
                let json = serde_json::to_string_pretty(&spec).map_err(|e| Failure::Io(e.to_string()))?;
                print_stdout(&format!("{json}\n"))
            }
            Command::Fit { data, settings, names, output, as_is, roles } => {
                if settings.is_some() && !roles.is_empty() {
                    return Err(Failure::Settings(
                        "--roles and --settings cannot be used together: the settings file names its features".into(),
                    ));
                }
                fit(&data, settings.as_deref(), names, output, &load_mode(as_is), &roles)
            }
            Command::Apply { model, data, mapping, output, as_of } => {
                apply(&model, &data, &mapping, output, as_of)
            }
            Command::ExportSql { model, dialect, table, columns_from, output, as_of } => {
                export_sql(&model, &dialect, &table, columns_from.as_deref(), &output, as_of)
            }
            Command::Rules { model, output } => rules_model(&model, &output),
            Command::Explain { model, data, mapping } => explain(&model, data.as_deref(), &mapping),
        }
    }
}

/// Applies `--roles NAME=ROLE` to the suggested features before the automatic choice: `feature` adds a
/// column the advice left out (a flag, a level, a category), `ignore` leaves one out.
fn with_roles(summary: &mut DatasetSummary, roles: &[String]) -> Result<(), Failure> {
    for role in roles.iter().filter(|r| !r.trim().is_empty()) {
        let Some((name, what)) = role.rsplit_once('=') else {
            return Err(Failure::Settings(format!("--roles {role}: write NAME=feature or NAME=ignore")));
        };
        let name = name.trim();
        let Some(column) = summary.columns.iter().find(|c| c.name == name) else {
            let names: Vec<&str> = summary.columns.iter().map(|c| c.name.as_str()).collect();
            return Err(Failure::Settings(format!(
                "--roles {role}: no column {name:?}; the columns are {}",
                names.join(", ")
            )));
        };
        let spec = &mut summary.suggested;
        match what.trim() {
            "feature" => {
                use segment_core::ingest::ColumnKind;
                let feature_kind = matches!(
                    column.kind,
                    ColumnKind::Numeric | ColumnKind::Boolean | ColumnKind::Date | ColumnKind::Categorical
                );
                if !feature_kind {
                    return Err(Failure::Settings(format!(
                        "--roles {role}: {name} is {}, not a column of numbers, yes/no, dates or categories",
                        column.type_label
                    )));
                }
                if !spec.features.iter().any(|f| f == name) {
                    spec.features.push(name.to_string());
                }
            }
            "ignore" => {
                spec.features.retain(|f| f != name);
                spec.transforms.remove(name);
                spec.cleaning.impute_columns.remove(name);
            }
            other => {
                return Err(Failure::Settings(format!(
                    "--roles {role}: unknown role {other:?}; write feature or ignore"
                )))
            }
        }
    }
    if !roles.is_empty() {
        summary.suggested.dbscan.min_samples =
            segment_core::spec::default_min_samples(summary.suggested.features.len());
    }
    Ok(())
}

/// The settings the page starts with: the original project's preset for its layout, else the automatic
/// choice (printed to stderr with the candidates it was chosen among), which the session has then fitted.
fn default_settings(
    session: &mut Session,
    summary: &DatasetSummary,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<AnalysisSpec, Failure> {
    if let Some(a) = &summary.aggregated {
        eprintln!(
            "one row per purchase: {} lines aggregated into {} customers (recency in days back from {}; \
             excluded: {} without a customer, {} cancellations, {} unreadable). Use --as-is to segment the lines.",
            a.report.rows_in,
            a.report.customers,
            a.report.latest_date,
            a.report.without_customer,
            a.report.cancellations,
            a.report.unreadable
        );
    }
    if let (Some(columns), Some(doubt)) = (&summary.transactions, &summary.transactions_doubt) {
        eprintln!(
            "this file may have one row per purchase, but {doubt}: its rows are segmented as they are. \
             To segment its customers, set the settings' \"transactions\" to {} and their \"features\" \
             to {} (from `segment suggest`), and pass them with --settings.",
            serde_json::to_string(columns).unwrap_or_default(),
            serde_json::to_string(&segment_core::transactions::RFM_COLUMNS[1..]).unwrap_or_default()
        );
    }
    if let Some(preset) = &summary.preset {
        eprintln!("settings: {preset}");
        return Ok(summary.suggested.clone());
    }
    let (choice, segmentation) = session.choose(&summary.suggested, progress)?;
    print_choice(&choice);
    Ok(segmentation.spec.clone())
}

fn print_choice(choice: &AutoChoice) {
    eprintln!("{}", choice.explanation);
    eprintln!("candidates ({} of {} rows searched):", choice.rows_searched, choice.rows_total);
    for (i, c) in choice.candidates.iter().enumerate() {
        let mark = if Some(i) == choice.chosen { "*" } else { " " };
        let k = c.spec.k().map_or(String::new(), |k| format!(" k {k}"));
        eprintln!(
            "{mark} {:<42} {:<34} segments {:>2}  silhouette {:>6}  largest {:>3.0}%  smallest {:>4.1}%  noise {:>3.0}%{}{}",
            format!("{}{k}", c.method_words()),
            c.representation,
            c.segments,
            c.silhouette.map_or("-".into(), |s| format!("{s:.3}")),
            c.largest_share * 100.0,
            c.smallest_share * 100.0,
            c.noise_share * 100.0,
            c.stability.map_or(String::new(), |s| format!("  stability {s:.2}")),
            c.rejected.as_ref().map_or(String::new(), |r| format!("  ({r})")),
        );
    }
}

fn progress_on(bar: &ProgressBar) -> impl FnMut(Stage, f64) + '_ {
    move |stage: Stage, fraction: f64| {
        bar.set_message(stage.label());
        bar.set_position((fraction.clamp(0.0, 1.0) * 1000.0) as u64);
    }
}

fn spinner() -> ProgressBar {
    let bar = ProgressBar::new(1000);
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg:28} [{bar:30}] {percent:>3}%")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn load_mode(as_is: bool) -> LoadMode {
    if as_is {
        LoadMode::AsIs
    } else {
        LoadMode::Auto
    }
}

fn fit(
    data: &Path,
    settings: Option<&Path>,
    names: Vec<String>,
    output: Option<PathBuf>,
    mode: &LoadMode,
    roles: &[String],
) -> Result<(), Failure> {
    let bar = spinner();
    let mut progress = progress_on(&bar);
    progress(Stage::Reading, 0.0);
    let settings = match settings {
        Some(path) => {
            let text = String::from_utf8(read(path)?).map_err(|_| {
                Failure::Settings(format!("{} is not a settings file (not text)", path.display()))
            })?;
            Some(AnalysisSpec::from_json(&text)?)
        }
        None => None,
    };
    // Settings fitted on customers aggregated from purchase lines aggregate this file the same way.
    let mode = match settings.as_ref().map(|s| &s.transactions) {
        Some(Some(columns)) => LoadMode::Aggregate(columns.clone()),
        Some(None) => LoadMode::AsIs,
        None => mode.clone(),
    };
    let mut session = Session::new();
    let mut summary = load_data(&mut session, data, &mode, &mut progress)?;
    with_roles(&mut summary, roles)?;
    match settings {
        Some(spec) => {
            session.run(&spec, &mut progress)?;
        }
        None => {
            let spec = default_settings(&mut session, &summary, &mut progress)?;
            if session.segmentation().is_none() {
                session.run(&spec, &mut progress)?;
            }
        }
    }
    bar.finish_and_clear();
    let result = session.segmentation().ok_or_else(|| Failure::Input("nothing was fitted".into()))?;
    let names: Vec<String> = (0..result.segment_sizes.len())
        .map(|s| {
            names
                .get(s)
                .filter(|n| !n.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| result.profiles[s].suggested_name.clone())
        })
        .collect();
    let file_name = data.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let model = session.save_model(&names, &file_name)?;
    let output = output.unwrap_or_else(|| beside(data, "model.json"));
    write_text(&output, &[data], &model.to_json())?;
    print_fit(result, &names);
    eprintln!("model saved to {}", output.display());
    Ok(())
}

fn print_fit(result: &AnalysisResult, names: &[String]) {
    let c = &result.cleaning;
    eprintln!(
        "rows: {} read, {} used ({} dropped by cleaning)",
        c.rows_in,
        result.rows_used,
        c.rows_dropped()
    );
    print_skipped(c.comment_lines, c.repeated_headers, c.empty_rows, c.ragged_rows);
    for step in &c.steps {
        eprintln!("  {}: {} dropped", step.rule, step.rows_dropped);
    }
    for ((size, name), profile) in result.segment_sizes.iter().zip(names).zip(&result.profiles) {
        eprintln!("segment {} {name}: {size} rows; {}", profile.segment + 1, profile.description);
        if !profile.traits.is_empty() {
            eprintln!("  also: {}", profile.traits.join("; "));
        }
        if let Some(rule) = &profile.rule {
            eprintln!("  who: {}", rule.sentence());
        }
    }
    if let Some(fidelity) = result.rule_fidelity {
        eprintln!("the rules together put {:.0}% of customers in their segment", fidelity * 100.0);
    }
    if let Some(price) = result.rule_price {
        eprintln!("{}", segment_core::rules::price_words(price));
    }
    eprintln!("noise: {} rows", result.noise);
    let s = &result.scores;
    if let Some(sil) = &s.silhouette {
        eprintln!("silhouette {:.4}{}", sil.mean, if sil.sampled { " (sampled)" } else { "" });
    }
    if let (Some(db), Some(ch)) = (s.davies_bouldin, s.calinski_harabasz) {
        eprintln!("Davies-Bouldin {db:.4}, Calinski-Harabasz {ch:.2}");
    }
}

/// The model file at `path`, read and checked.
fn read_model(path: &Path) -> Result<SegmentModel, Failure> {
    let text = String::from_utf8(read(path)?).map_err(|_| {
        Failure::Settings(format!(
            "{} is not a model file (not text); save one with `segment fit`",
            path.display()
        ))
    })?;
    Ok(SegmentModel::from_json(&text)?)
}

/// `segment explain`: the model's segments and their rules, on stdout; with a file, the rules measured
/// on it (the model applied to it in memory, as the page does).
fn explain(model_path: &Path, data: Option<&Path>, mapping: &[(String, String)]) -> Result<(), Failure> {
    let model = read_model(model_path)?;
    let applied = match data {
        Some(path) => {
            let mut session = Session::new();
            let outcome = session.apply(
                model.clone(),
                Some(FileInput::Bytes(read_data(path)?)),
                mapping,
                &mut |_, _| {},
            )?;
            match outcome {
                ApplyOutcome::Applied { applied, .. } => {
                    let sizes = session.segmentation().map(|s| s.segment_sizes.clone()).unwrap_or_default();
                    Some((path, applied, sizes))
                }
                ApplyOutcome::NeedsMapping { message, .. } => {
                    return Err(Failure::Settings(format!(
                        "{message} (name them with --map MODEL_COLUMN=FILE_COLUMN)"
                    )))
                }
            }
        }
        None => None,
    };
    let training = &model.training;
    let mut out = String::new();
    out.push_str(&format!(
        "{} segments of {} customers ({} as noise), fitted on {} with {}\n",
        model.segments.len(),
        training.rows_used,
        training.noise,
        training.file_name,
        segment_core::auto::method_words(&model.spec),
    ));
    for segment in &model.segments {
        let share = 100.0 * segment.size as f64 / training.rows_used.max(1) as f64;
        out.push_str(&format!(
            "segment {} {}: {} customers ({share:.0}%)\n",
            segment.id + 1,
            segment.name,
            segment.size
        ));
        match &segment.rule {
            Some(rule) => out.push_str(&format!("  who: {}\n", rule.sentence())),
            None => out.push_str("  who: no rule of sets of at most three conditions describes it\n"),
        }
        if let Some((path, applied, sizes)) = &applied {
            let size = sizes.get(segment.id).copied().unwrap_or(0);
            let here = match applied.model_rules.get(segment.id).cloned().flatten() {
                Some(rule) => format!(
                    "the rule catches {:.0}% of them; {:.0}% of those it catches are in other segments",
                    rule.caught * 100.0,
                    rule.wrongly * 100.0
                ),
                None => "no rule to measure".to_string(),
            };
            out.push_str(&format!("  in {}: {size} customers; {here}\n", file_label(path)));
        }
    }
    match model.rule_fidelity {
        Some(f) => {
            out.push_str(&format!(
                "the rules together put {:.0}% of customers in their segment\n",
                f * 100.0
            ));
            if let Some(price) = model.rule_price {
                out.push_str(&format!("{}\n", segment_core::rules::price_words(price)));
            }
        }
        None => out.push_str(&format!(
            "this model has no rules (saved before rules, or more than {} segments)\n",
            segment_core::rules::MAX_SEGMENTS
        )),
    }
    if let Some((path, applied, _)) = &applied {
        if let Some(f) = applied.model_rule_fidelity {
            out.push_str(&format!(
                "in {}, the rules together put {:.0}% of customers in the model's segment\n",
                file_label(path),
                f * 100.0
            ));
        }
    }
    print_stdout(&out)
}

/// `segment rules`: the model's rules as a model, written to `output`.
fn rules_model(model_path: &Path, output: &Path) -> Result<(), Failure> {
    let model = read_model(model_path)?;
    let rules = model.rules_model()?;
    let json = rules.to_json();
    write_text(output, &[model_path], &json)?;
    let described = rules.segments.iter().filter(|s| s.rule.is_some()).count();
    let fidelity = rules.rule_fidelity.map_or(String::new(), |f| {
        format!("; on the training file they put {:.0}% of customers in the model's segment", f * 100.0)
    });
    eprintln!(
        "wrote {} (rules for {described} of {} segments{fidelity})",
        output.display(),
        rules.segments.len()
    );
    Ok(())
}

/// A file's name for a sentence.
fn file_label(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

fn export_sql(
    model_path: &Path,
    dialect: &str,
    table: &str,
    columns_from: Option<&Path>,
    output: &Path,
    as_of: Option<i64>,
) -> Result<(), Failure> {
    let model = read_model(model_path)?;
    let dialect = Dialect::parse(dialect).ok_or_else(|| {
        Failure::Settings(format!("unknown SQL dialect \"{dialect}\": use duckdb, spark or ansi"))
    })?;
    let columns = match columns_from {
        Some(path) => {
            let bytes = read(path)?;
            if is_parquet(&bytes) {
                // The schema says it: no row is read.
                segment_core::ingest::parquet::column_names(segment_core::ingest::parquet::Bytes::from(
                    bytes,
                ))?
            } else {
                // The header as the reader names it (a layout file may hold no row at all).
                let mut names = Vec::new();
                segment_core::ingest::walk_csv(
                    &bytes,
                    &mut |header| names = segment_core::ingest::header_names(header.iter()),
                    &mut |_, _, _| {},
                )?;
                names
            }
        }
        None => model.known_columns(),
    };
    let stem = output.file_stem().map_or_else(|| "query".into(), |s| s.to_string_lossy().into_owned());
    let side_name = format!("{stem}-cores.csv");
    let reference = as_of.map_or(DateReference::Latest, DateReference::AsOf);
    let sql = segment_core::model::sql::export_sql(&model, dialect, table, &columns, &side_name, reference)?;
    if let Some((name, csv)) = &sql.side_table {
        let side = output.with_file_name(name);
        write_text(&side, &[model_path], csv)?;
        eprintln!("wrote {} (the model's core points, read by the query)", side.display());
    }
    write_text(output, &[model_path], &sql.query)?;
    eprintln!(
        "wrote {} ({} columns of table {table}, then segment and segment_name)",
        output.display(),
        columns.len()
    );
    Ok(())
}

/// A data file as `apply` streams it: its rows as CSV text, its size in bytes for the progress bar (0
/// when unknown) and how the text is cut into rows (exactly, one line a row, for a Parquet file,
/// whose own columns a Parquet output then copies).
type ApplyInput = (Box<dyn std::io::Read>, u64, Framing);

/// Opens `data` for [`apply`]. A model of customers aggregated from purchase lines aggregates the file
/// first, and a workbook becomes CSV text first, both in memory (a customer's lines can be anywhere in
/// the file; a sheet is not a stream); any other file streams, a Parquet file a batch of rows at a time.
fn open_for_apply(model: &SegmentModel, data: &Path) -> Result<ApplyInput, Failure> {
    let mut file =
        File::open(data).map_err(|e| Failure::Io(format!("cannot read {}: {e}", data.display())))?;
    let mut magic = [0u8; 8];
    let magic_len = std::io::Read::read(&mut file, &mut magic).unwrap_or(0);
    let spreadsheet = is_spreadsheet(&magic[..magic_len]);
    let parquet = is_parquet(&magic[..magic_len]);
    Ok(match (&model.spec.transactions, spreadsheet) {
        (None, _) if parquet => (Box::new(ParquetCsv::new(file, false)?), 0, Framing::Exact),
        (Some(columns), _) => {
            let customers =
                read_customers(read_data(data)?, &LoadMode::Aggregate(columns.clone()), &mut |_| {})?;
            let size = customers.bytes.len() as u64;
            (Box::new(std::io::Cursor::new(customers.bytes)), size, Framing::Sniffed)
        }
        (None, true) => {
            let (csv, sheet) = segment_core::ingest::spreadsheet::to_csv(&read(data)?)?;
            eprintln!("read the workbook's first sheet \"{sheet}\"");
            let size = csv.len() as u64;
            (Box::new(std::io::Cursor::new(csv.into_bytes())), size, Framing::Sniffed)
        }
        (None, false) => {
            let size = file.metadata().map_or(0, |m| m.len());
            let start = std::io::Cursor::new(magic[..magic_len].to_vec());
            (Box::new(std::io::Read::chain(start, file)), size, Framing::Sniffed)
        }
    })
}

fn apply(
    model_path: &Path,
    data: &Path,
    mapping: &[(String, String)],
    output: Option<PathBuf>,
    as_of: Option<i64>,
) -> Result<(), Failure> {
    let text = String::from_utf8(read(model_path)?).map_err(|_| {
        Failure::Settings(format!(
            "{} is not a model file (not text); save one with `segment fit`",
            model_path.display()
        ))
    })?;
    let model = SegmentModel::from_json(&text)?;
    // A date feature counts days before the file's latest date (or the as-of date): a first pass over
    // the file finds it, and how the file writes its dates.
    let dates = if model.date_features.is_empty() {
        Vec::new()
    } else {
        let (input, _, framing) = open_for_apply(&model, data)?;
        let dates = segment_core::model::scan_dates_framed(&model, mapping, input, framing, as_of)?;
        for (column, date) in model.date_features.iter().zip(&dates) {
            eprintln!(
                "{column}: days before {} ({}; {})",
                segment_core::ingest::date::iso_date(date.reference),
                if as_of.is_some() { "the as-of date" } else { "the file's latest date" },
                date.format.describe()
            );
        }
        dates
    };
    let (input, size, framing) = open_for_apply(&model, data)?;
    let bar = if size > 0 {
        let bar = ProgressBar::new(size);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} [{bar:30}] {msg} ({eta})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    } else {
        spinner()
    };
    let mut on_progress = |read: u64, rows: usize| {
        bar.set_position(read);
        bar.set_message(format!("{rows} rows"));
    };
    let to_stdout = output.as_deref() == Some(Path::new("-"));
    let summary = if to_stdout {
        let stdout = std::io::stdout();
        let out = BufWriter::new(stdout.lock());
        apply_framed(&model, mapping, &dates, input, framing, out, &mut on_progress)?
    } else {
        let output = output.unwrap_or_else(|| beside(data, "segments.csv"));
        let as_parquet = output.extension().is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
        let summary = write_atomically(&output, &[data, model_path], |file| {
            if !as_parquet {
                return Ok(apply_framed(&model, mapping, &dates, input, framing, file, &mut on_progress)?);
            }
            // A Parquet input's own columns are copied from it, the segment read from the rows.
            let copied = match framing {
                Framing::Exact => Some(parquet_out::InputColumns::open(data)?),
                Framing::Sniffed => None,
            };
            let mut sink = parquet_out::ParquetSink::new(file, copied);
            let summary = apply_framed(&model, mapping, &dates, input, framing, &mut sink, &mut on_progress)?;
            sink.finish()
                .and_then(|mut file| file.flush())
                .map_err(|e| Failure::Io(format!("cannot write {}: {e}", output.display())))?;
            Ok(summary)
        })?;
        eprintln!("labeled file written to {}", output.display());
        summary
    };
    bar.finish_and_clear();
    print_apply(&model, &summary);
    std::io::stderr().flush().ok();
    Ok(())
}

/// What reading skipped or padded, when anything.
fn print_skipped(comment_lines: usize, repeated_headers: usize, empty_rows: usize, ragged_rows: usize) {
    if comment_lines + repeated_headers + empty_rows > 0 {
        eprintln!(
            "skipped: {comment_lines} comment line(s) before the header, {repeated_headers} repeated header \
             row(s), {empty_rows} row(s) with every cell empty"
        );
    }
    if ragged_rows > 0 {
        eprintln!(
            "{ragged_rows} row(s) had more or fewer fields than the header (missing fields read as empty)"
        );
    }
}

fn print_apply(model: &SegmentModel, s: &StreamSummary) {
    eprintln!("rows: {} read, {} used", s.rows_in, s.rows_used);
    print_skipped(s.comment_lines, s.repeated_headers, s.empty_rows, s.ragged_rows);
    for (rule, n) in &s.dropped {
        eprintln!("  dropped, {rule}: {n}");
    }
    for c in s.columns.iter().filter(|c| c.model != c.file) {
        eprintln!("column {} read from \"{}\"", c.model, c.file);
    }
    for ((size, segment), name) in s.segment_sizes.iter().zip(&model.segments).zip(model.names()) {
        eprintln!("segment {} {name}: {size} rows (training: {})", segment.id + 1, segment.size);
    }
    eprintln!("noise: {} rows", s.noise);
    for d in &s.drift {
        if let Some(w) = &d.warning {
            eprintln!("drift warning: {w}");
        }
    }
    eprintln!("rule: {}", model.assignment.rule());
}

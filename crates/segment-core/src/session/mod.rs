//! One person's analysis of one file: everything computed from it, kept for the settings that made it.
//!
//! A [`Session`] owns the file (as UTF-8 CSV text, held or, for a file a [`FileSource`] can read
//! again, read back when asked: see [`source`]; with an index of where each row starts), its
//! [`Table`], the rows prepared for the current data settings ([`Prepared`]: cleaning, the fitted
//! scaler, `x_scaled`; the raw values are read back from the table), the last [`Segmentation`] and a
//! saved model's apply state. Every request of the page (and of the command line) is a method here;
//! each computes only what the settings changed: a new eps or k fits the method on the rows already
//! prepared (or reads a fit [`kept`]: DBSCAN at any eps, k-means fitted ahead at k ± 1), a preview page
//! reads its rows from their offsets, a saved model keeps the scaler the run fitted.
//!
//! ```text
//! load ──► Table ──► summary (advice; k-distance on the suggested Prepared when they start on DBSCAN)
//!            │
//!            ├─ run / choose / sweep / k_distance ──► Prepared (one per DataKey, kept) ──► Segmentation
//!            │                                                                          │
//!            └─ preview / used_row (RowIndex)                export / save_model / stability ◄─┘
//! apply(model, file) ──► the file becomes the loaded one, its Segmentation the last
//! ```

use crate::auto::{fit_choice, search, AutoChoice, SearchOptions};
use crate::error::{CoreError, Result};
use crate::export::{into_string, write_labeled, write_removed, Preview};
use crate::ingest::{into_text, read_csv_source, RowIndex, Table};
use crate::model::{apply_text, match_columns, movers_csv, Applied, AppliedRun, Movement, SegmentModel};
use crate::pipeline::{
    density_sweep, describe_fit, fit_prepared, k_distance_for, k_sweep, mark_aggregated, prepare,
    rows_needed, silhouette_job, summarize_table, summarize_with, DataKey, DatasetSummary, Fitting,
    KDistance, KSweep, Prepared, Progress, Scoring, Segmentation, StabilityJob, Stage,
    K_DISTANCE_AT_LOAD_ROWS, SWEEP_KS,
};
use crate::score::{SilhouetteJob, SilhouetteScore, Stability};
use crate::spec::AnalysisSpec;
use crate::transactions::{aggregate_customers, aggregation, read_customers, Aggregated, LoadMode};
use kept::KeptFits;
use serde::{Deserialize, Serialize};

pub mod kept;
pub mod source;

#[cfg(not(target_arch = "wasm32"))]
pub use crate::ingest::source::DiskFile;
pub use crate::ingest::source::FileSource;
use source::FileText;

/// A file loaded into the session.
struct LoadedFile {
    /// The table's rows as UTF-8 CSV text (for an aggregated file, its customers), held or read back
    /// from the file ([`source`]): what exports, previews and a saved model's id list read.
    text: FileText,
    /// For a table aggregated from purchase lines: those lines' text, kept so they can be read again
    /// (as they are, or with other columns) without the page sending the file again.
    purchases: Option<String>,
    table: Table,
    aggregated: Option<Aggregated>,
    /// Where each row starts in `text` (found while reading): a preview page or the row behind a
    /// point reads only its rows.
    rows: RowIndex,
}

/// A file to read: its bytes, or where it lies.
pub enum FileInput {
    Bytes(Vec<u8>),
    /// Read in chunks when it is UTF-8 text as it is (and then never held), else read whole.
    Source(Box<dyn FileSource>),
}

impl LoadedFile {
    fn read(input: FileInput, mode: &LoadMode, progress: Progress) -> Result<Self> {
        // The file is read for the first time: what could not be read was never read before.
        Self::read_once(input, mode, progress).map_err(|e| match e {
            CoreError::FileChanged { name, reason } => CoreError::Unreadable { name, reason },
            e => e,
        })
    }

    fn read_once(input: FileInput, mode: &LoadMode, progress: Progress) -> Result<Self> {
        progress(Stage::Reading, 0.0);
        let on_progress = &mut |f| progress(Stage::Reading, f);
        let (bytes, source) = match input {
            FileInput::Bytes(bytes) => (bytes, None),
            FileInput::Source(source) => match read_csv_source(source.as_ref(), on_progress)? {
                Some((table, rows, offset)) => match aggregation(&table, mode) {
                    None => {
                        let len = usize::try_from(source.size() - offset).unwrap_or(usize::MAX);
                        let text = FileText::Source { source, offset, len };
                        return Ok(Self { text, purchases: None, table, aggregated: None, rows });
                    }
                    // Purchase lines: their customers' CSV is made from the lines' text, kept.
                    Some(columns) => {
                        let bytes = read_whole(source.as_ref())?;
                        return Self::of(aggregate_customers(bytes, &table, columns)?, None);
                    }
                },
                None => (read_whole(source.as_ref())?, Some(source)),
            },
        };
        Self::of(read_customers(bytes, mode, on_progress)?, source)
    }

    /// With a `source` holding the customers' bytes as they are, the bytes are not kept (see [`source`]).
    fn of(customers: crate::transactions::Customers, source: Option<Box<dyn FileSource>>) -> Result<Self> {
        // An aggregated file's text is its customers' CSV, which no source holds.
        let source = source.filter(|_| customers.aggregated.is_none());
        Ok(Self {
            text: FileText::new(customers.bytes, source)?,
            purchases: customers.purchases.map(into_text).transpose()?,
            table: customers.table,
            aggregated: customers.aggregated,
            rows: customers.rows,
        })
    }

    /// The cells of data row `row` as they are in the file (None past the last row).
    fn row(&self, row: usize) -> Result<Option<Vec<String>>> {
        let Some((from, to)) = self.rows.span(row, row + 1, self.text.len()) else { return Ok(None) };
        Ok(self.rows.rows_in(&self.text.slice(from, to)?, row, row + 1).pop())
    }
}

/// All of `source`'s bytes (a file that is not UTF-8 as it is, decoded whole).
fn read_whole(source: &dyn FileSource) -> Result<Vec<u8>> {
    source.read(0, source.size()).map_err(|reason| CoreError::FileChanged { name: source.name(), reason })
}

/// What applying a saved model to a file ended in.
#[derive(Debug, Clone)]
pub enum ApplyOutcome {
    /// The file is now the loaded one and its segmentation the last ([`Session::segmentation`]).
    Applied { summary: Box<DatasetSummary>, applied: Box<Applied> },
    /// The model's columns `missing` are not in the file: the person maps them among `columns`, then
    /// applies again (the file is kept meanwhile).
    NeedsMapping { message: String, missing: Vec<String>, columns: Vec<String> },
}

/// A row of the file behind a point of the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsedRow {
    /// Its row number in the file (from 1, data rows).
    pub row: usize,
    /// (column, cell as in the file).
    pub cells: Vec<(String, String)>,
}

/// Work on the last segmentation done in steps after it was answered ([`Session::step_deferred`]): its
/// silhouette when the run deferred it, then its stability when asked for. Replacing the last
/// segmentation drops both.
#[derive(Default)]
struct Deferred {
    silhouette: Option<SilhouetteJob>,
    stability: Option<StabilityJob>,
}

/// What a step of deferred work finished ([`Session::step_deferred`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Finished {
    /// The last segmentation's silhouette (None: it has none, e.g. one segment), now in its result.
    Silhouette(Option<SilhouetteScore>),
    Stability(Stability),
}

/// Pairs of rows summed per step of a deferred silhouette: some 10-20 ms of work in the browser, so a
/// request posted meanwhile waits no longer than that.
pub const SILHOUETTE_STEP_PAIRS: usize = 2_000_000;

/// See the [module documentation](self).
#[derive(Default)]
pub struct Session {
    file: Option<LoadedFile>,
    /// The rows prepared for the last data settings used.
    prepared: Option<Prepared>,
    last: Option<Segmentation>,
    deferred: Deferred,
    /// Fits on `prepared` kept, or being made ahead.
    kept: KeptFits,
    /// The model last applied and who moved, for the movers download.
    moved: Option<(SegmentModel, Movement)>,
    /// The file of an apply waiting for a column mapping (read once, kept until it succeeds).
    pending_apply: Option<LoadedFile>,
}

impl Session {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a file (a file of purchase lines becomes one row per customer unless `mode` says
    /// otherwise) and replaces whatever was loaded. Files up to [`K_DISTANCE_AT_LOAD_ROWS`] rows get
    /// the k-distance curve of the suggested settings, whose prepared rows are kept for the first run.
    pub fn load(&mut self, bytes: Vec<u8>, mode: &LoadMode, progress: Progress) -> Result<DatasetSummary> {
        self.clear();
        let file = LoadedFile::read(FileInput::Bytes(bytes), mode, progress)?;
        self.install(file)
    }

    /// [`Session::load`] of the file `source` reads: a UTF-8 file is read in chunks and never held
    /// (exports and previews read it again from the source); any other is read whole and decoded.
    pub fn load_from(
        &mut self,
        source: Box<dyn FileSource>,
        mode: &LoadMode,
        progress: Progress,
    ) -> Result<DatasetSummary> {
        self.clear();
        let file = LoadedFile::read(FileInput::Source(source), mode, progress)?;
        self.install(file)
    }

    /// Reads the loaded file again as `mode` says (a transaction file as it is, or aggregated with
    /// other columns), from the text the session kept or from its source.
    pub fn reload(&mut self, mode: &LoadMode, progress: Progress) -> Result<DatasetSummary> {
        let file = self.file.take().ok_or(CoreError::NoFile)?;
        let source = file.table.source.clone();
        let input = match (file.purchases, file.text) {
            (Some(purchases), _) => FileInput::Bytes(purchases.into_bytes()),
            (None, FileText::Source { source, .. }) => FileInput::Source(source),
            (None, FileText::Held(text)) => FileInput::Bytes(text.into_bytes()),
        };
        self.clear();
        let mut file = LoadedFile::read(input, mode, progress)?;
        // Read from the decoded text: what the file was read as is the first reading's.
        file.table.source = source;
        self.install(file)
    }

    fn install(&mut self, file: LoadedFile) -> Result<DatasetSummary> {
        let mut summary = summarize_table(&file.table)?;
        mark_aggregated(&mut summary, file.aggregated.as_ref());
        self.file = Some(file);
        // The curve guides DBSCAN's eps: computed now only when the file's settings start on DBSCAN (the
        // original project's layout); otherwise the page asks for it if DBSCAN is chosen, and the
        // first result does not wait on it (it was half the load step of a 100,000-row file in the
        // browser: 1.1 s, 0.6 s without it).
        if summary.n_rows <= K_DISTANCE_AT_LOAD_ROWS
            && summary.suggested.method == crate::spec::Method::Dbscan
        {
            summary.k_distance = self.k_distance(&summary.suggested).ok().flatten();
        }
        Ok(summary)
    }

    fn clear(&mut self) {
        self.file = None;
        self.prepared = None;
        self.kept = KeptFits::default();
        self.drop_last();
        self.moved = None;
    }

    /// Drops the last segmentation and the work deferred on it.
    fn drop_last(&mut self) {
        self.deferred = Deferred::default();
        self.last = None;
    }

    /// Makes `segmentation` the last; work deferred on the one before is dropped.
    fn keep_last(&mut self, segmentation: Segmentation) -> &Segmentation {
        self.deferred = Deferred::default();
        self.last.insert(segmentation)
    }

    pub fn table(&self) -> Result<&Table> {
        self.file.as_ref().map(|f| &f.table).ok_or(CoreError::NoFile)
    }

    /// The last segmentation (a run, the automatic choice, or a model applied).
    pub fn segmentation(&self) -> Option<&Segmentation> {
        self.last.as_ref()
    }

    /// The rows prepared for `spec`'s data settings: kept from the last call when they are the same
    /// (changing eps, k or the method neither cleans nor scales again).
    pub fn prepared(&mut self, spec: &AnalysisSpec, progress: Progress) -> Result<&Prepared> {
        let key = DataKey::of(spec);
        if self.prepared.as_ref().is_none_or(|p| p.key != key) {
            self.prepared = None;
            self.kept = KeptFits::default();
            let table = self.table()?;
            self.prepared = Some(prepare(table, spec, Fitting::Learn, 1, progress)?);
        }
        self.prepared.as_ref().ok_or(CoreError::NoFile)
    }

    /// Runs the analysis `spec` describes; it becomes the last segmentation.
    pub fn run(&mut self, spec: &AnalysisSpec, progress: Progress) -> Result<&Segmentation> {
        let segmentation = self.fit(spec, Scoring::Now, progress)?;
        Ok(self.keep_last(segmentation))
    }

    /// [`Session::run`] with the silhouette left for later: the segmentation comes back with
    /// `scores.silhouette_pending`, and [`Session::step_deferred`] measures it (a page draws the new
    /// segments at once and fills the silhouette in).
    pub fn run_deferred(&mut self, spec: &AnalysisSpec, progress: Progress) -> Result<&Segmentation> {
        let segmentation = self.fit(spec, Scoring::Deferred, progress)?;
        self.keep_last(segmentation);
        self.defer_silhouette()
    }

    /// Leaves the last segmentation's silhouette (scored [`Scoring::Deferred`]) to
    /// [`Session::step_deferred`].
    fn defer_silhouette(&mut self) -> Result<&Segmentation> {
        let last = self.last.as_ref().ok_or(CoreError::NoFile)?;
        match silhouette_job(last.x_scaled.view(), &last.labels, last.segment_sizes.len(), &last.spec) {
            Some(job) => self.deferred.silhouette = Some(job),
            None => self.fill_silhouette(None),
        }
        self.last.as_ref().ok_or(CoreError::NoFile)
    }

    /// `spec` as this file reads it: k-prototypes compares every feature that is a category column by
    /// value (the spec of the result names them; a page that ticks another feature gets it compared
    /// too, whatever an earlier result named).
    fn resolved<'a>(&self, spec: &'a AnalysisSpec) -> Result<std::borrow::Cow<'a, AnalysisSpec>> {
        if spec.method == crate::spec::Method::KPrototypes {
            return Ok(std::borrow::Cow::Owned(spec.clone().with_categories_of(self.table()?)));
        }
        Ok(std::borrow::Cow::Borrowed(spec))
    }

    fn fit(&mut self, spec: &AnalysisSpec, scoring: Scoring, progress: Progress) -> Result<Segmentation> {
        let spec = &self.resolved(spec)?.into_owned();
        // Parameters are checked before any cleaning, so a typo fails at once.
        rows_needed(spec)?;
        self.drop_last();
        self.prepared(spec, progress)?;
        let (Some(file), Some(prepared)) = (&self.file, &self.prepared) else {
            return Err(CoreError::NoFile);
        };
        // A fit kept for these settings is described again, not refitted (nor kept twice).
        let (fit, keep) = match self.kept.get(spec) {
            Some(fit) => (fit.clone(), None),
            None => {
                let fit = fit_prepared(spec, prepared, self.kept.eps_index(), progress)?;
                let keep = KeptFits::keeps(spec, prepared).then(|| fit.clone());
                (fit, keep)
            }
        };
        let segmentation = describe_fit(&file.table, spec, prepared, fit, scoring, progress)?;
        self.kept.after_run(spec, prepared, keep);
        Ok(segmentation)
    }

    /// Puts the measured silhouette into the last segmentation's result.
    fn fill_silhouette(&mut self, score: Option<SilhouetteScore>) {
        if let Some(last) = self.last.as_mut() {
            // The reply that carried the result has been sent: the Arc is this one, not copied.
            let result = std::sync::Arc::make_mut(&mut last.result);
            result.scores.silhouette = score;
            result.scores.silhouette_pending = false;
        }
    }

    /// Whether deferred work waits for [`Session::step_deferred`].
    pub fn has_deferred(&self) -> bool {
        self.deferred.silhouette.is_some() || self.deferred.stability.is_some() || self.kept.has_work()
    }

    /// One step of the work deferred on the last segmentation (the silhouette first, then stability),
    /// then of the fits made ahead on its rows ([`kept`]): what it finished for the page, if anything.
    /// A worker calls it between requests until [`Session::has_deferred`] is false.
    pub fn step_deferred(&mut self) -> Option<Finished> {
        if self.deferred.silhouette.is_none() && self.deferred.stability.is_none() {
            if let Some(prepared) = self.prepared.as_ref() {
                self.kept.step(prepared);
            } else {
                self.kept = KeptFits::default();
            }
            return None;
        }
        if let Some(job) = self.deferred.silhouette.as_mut() {
            if !job.step(SILHOUETTE_STEP_PAIRS) {
                return None;
            }
            let score = self.deferred.silhouette.take().map(SilhouetteJob::finish);
            self.fill_silhouette(score.clone());
            return Some(Finished::Silhouette(score));
        }
        let job = self.deferred.stability.as_mut()?;
        let stability = job.step()?;
        self.deferred.stability = None;
        Some(Finished::Stability(stability))
    }

    /// The automatic choice from `base`'s features and cleaning: the candidates and the pick fitted on
    /// every row, which becomes the last segmentation.
    pub fn choose(&mut self, base: &AnalysisSpec, progress: Progress) -> Result<(AutoChoice, &Segmentation)> {
        let choice = self.choose_scored(base, Scoring::Now, progress)?;
        Ok((choice, self.last_or("the choice is fitted")?))
    }

    /// [`Session::choose`] with the pick's silhouette left for later, as [`Session::run_deferred`]
    /// (the search already compared the candidates' silhouettes on its rows).
    pub fn choose_deferred(
        &mut self,
        base: &AnalysisSpec,
        progress: Progress,
    ) -> Result<(AutoChoice, &Segmentation)> {
        let choice = self.choose_scored(base, Scoring::Deferred, progress)?;
        Ok((choice, self.defer_silhouette()?))
    }

    fn choose_scored(
        &mut self,
        base: &AnalysisSpec,
        scoring: Scoring,
        progress: Progress,
    ) -> Result<AutoChoice> {
        let choice = self.candidates(base, &mut |f| progress(Stage::Choosing, f))?;
        let (choice, segmentation) = fit_choice(choice, base, &mut |spec| self.fit(spec, scoring, progress))?;
        self.keep_last(segmentation);
        Ok(choice)
    }

    /// The candidates of the automatic choice only (for comparison beside a result already shown).
    pub fn candidates(&self, base: &AnalysisSpec, progress: &mut dyn FnMut(f64)) -> Result<AutoChoice> {
        search(self.table()?, base, SearchOptions::default(), progress)
    }

    /// The k-distance curve for `spec`'s min_samples on the rows prepared for it (None: too few rows).
    pub fn k_distance(&mut self, spec: &AnalysisSpec) -> Result<Option<KDistance>> {
        let prepared = self.prepared(spec, &mut |_, _| {})?;
        Ok(k_distance_for(spec, prepared.x_scaled.view()))
    }

    /// k = 2..=10 with `spec`'s method (k-means for one without k), or HDBSCAN's min_cluster_size
    /// ladder ([`density_sweep`]), on the rows prepared for it.
    pub fn sweep(&mut self, spec: &AnalysisSpec, progress: Progress) -> Result<KSweep> {
        let spec = &self.resolved(spec)?.into_owned();
        let x_scaled = std::sync::Arc::clone(&self.prepared(spec, progress)?.x_scaled);
        if spec.method == crate::spec::Method::Hdbscan {
            density_sweep(spec, x_scaled.view(), progress)
        } else {
            k_sweep(spec, x_scaled.view(), SWEEP_KS, progress)
        }
    }

    /// Starts measuring the last segmentation's stability, one fit per [`Session::step_deferred`]
    /// (after a deferred silhouette). `Ok(Some)`: the answer at once, when it is not measured.
    pub fn start_stability(&mut self) -> Result<Option<Stability>> {
        let last = self.last_or("stability is measured on a segmentation")?;
        match StabilityJob::new(last) {
            Ok(job) => {
                self.deferred.stability = Some(job);
                Ok(None)
            }
            Err(skipped) => Ok(Some(skipped)),
        }
    }

    fn last_or(&self, needed_for: &str) -> Result<&Segmentation> {
        self.last.as_ref().ok_or_else(|| CoreError::NoSegmentation { needed_for: needed_for.into() })
    }

    fn file(&self) -> Result<&LoadedFile> {
        self.file.as_ref().ok_or(CoreError::NoFile)
    }

    /// The loaded file with each row's segment number and name (`names`) added.
    pub fn export(&self, names: &[String]) -> Result<String> {
        into_string(|out| self.export_to(names, out))
    }

    /// [`Session::export`] written to `out` as it is made, the file read again as it goes: neither the
    /// file nor the export is ever whole in memory.
    pub fn export_to(&self, names: &[String], out: &mut dyn std::io::Write) -> Result<()> {
        let last = self.last_or("the export adds each row's segment")?;
        write_labeled(&self.file()?.text.walkable()?, last, names, out)
    }

    /// The rows cleaning removed, each with the rule and columns that removed it.
    pub fn export_removed(&self) -> Result<String> {
        into_string(|out| self.export_removed_to(out))
    }

    /// [`Session::export_removed`] written to `out` as it is made.
    pub fn export_removed_to(&self, out: &mut dyn std::io::Write) -> Result<()> {
        let last = self.last_or("the removed rows are those of a run's cleaning")?;
        write_removed(&self.file()?.text.walkable()?, last, out)
    }

    /// Rows `start..start + count` of the file as they are, with their segments in the last
    /// segmentation.
    pub fn preview(&mut self, start: usize, count: usize) -> Result<Preview> {
        let file = self.file()?;
        let total = file.rows.len();
        let start = start.min(total);
        let end = start.saturating_add(count).min(total);
        // One read for the page's rows.
        let rows = match file.rows.span(start, end, file.text.len()) {
            Some((from, to)) => file.rows.rows_in(&file.text.slice(from, to)?, start, end),
            None => Vec::new(),
        };
        let labels = (start..start + rows.len()).map(|r| self.label_of_row(r)).collect();
        Ok(Preview { header: file.rows.header().to_vec(), start, rows, labels, total })
    }

    /// The segment of file row `row` (0 = first data row) in the last segmentation: None when cleaning
    /// dropped it or nothing ran.
    fn label_of_row(&self, row: usize) -> Option<i32> {
        let last = self.last.as_ref()?;
        // Kept rows are in file order, except after aggregation (customers in id order): search then.
        let at = if last.kept_rows.is_sorted() {
            last.kept_rows.binary_search(&row).ok()
        } else {
            last.kept_rows.iter().position(|&k| k == row)
        };
        at.and_then(|i| last.result.labels.get(i).copied())
    }

    /// The file row behind the `used`-th row of the last segmentation (a point of the map).
    pub fn used_row(&mut self, used: usize) -> Result<Option<UsedRow>> {
        let Some(row) = self.last.as_ref().and_then(|l| l.kept_rows.get(used).copied()) else {
            return Ok(None);
        };
        let file = self.file()?;
        Ok(file.row(row)?.map(|cells| UsedRow {
            row: row + 1,
            cells: file.rows.header().iter().cloned().zip(cells).collect(),
        }))
    }

    /// The last segmentation as a model file (its settings, the scaler it fitted, its segments named
    /// `names`).
    pub fn save_model(&self, names: &[String], file_name: &str) -> Result<SegmentModel> {
        let last = self.last_or("the model saves its settings and segments")?;
        let file = self.file()?;
        let mut model =
            SegmentModel::from_result_text(&file.text.walkable()?, &file.table, last, names, file_name)?;
        model.lines = file.aggregated.as_ref().map(|a| a.line_format.clone());
        Ok(model)
    }

    /// The last run's model (or, with `rules`, its rule model) as one SQL query over `table` (whose
    /// columns are the loaded file's), with the DBSCAN core points to write beside it.
    pub fn export_sql(
        &self,
        names: &[String],
        file_name: &str,
        dialect: crate::model::sql::Dialect,
        table: &str,
        rules: bool,
    ) -> Result<crate::model::sql::SqlExport> {
        let mut model = self.save_model(names, file_name)?;
        if rules {
            model = model.rules_model()?;
        }
        let columns = model
            .lines
            .as_ref()
            .map_or_else(|| self.file().map(|f| f.table.names()), |l| Ok(l.columns.clone()))?;
        let stem = file_name.rsplit_once('.').map_or(file_name, |(s, _)| s);
        crate::model::sql::export_sql(
            &model,
            dialect,
            table,
            &columns,
            &format!("{stem}-cores.csv"),
            crate::model::sql::DateReference::Latest,
        )
    }

    /// The last run's rules as the segmentation: its rule model (each customer to the first segment
    /// whose rule holds, the most precise first; customers no rule describes in no segment) applied to
    /// the loaded file, which stays loaded. The movement says who the rules place elsewhere than the run.
    pub fn use_rules(
        &mut self,
        names: &[String],
        file_name: &str,
        progress: Progress,
    ) -> Result<ApplyOutcome> {
        let run = self.save_model(names, file_name)?;
        let mut model = run.rules_model()?;
        // The run's segments stay the reference: who the rules place elsewhere is the movement.
        model.training.ids = run.training.ids;
        model.training.id_segments = run.training.id_segments;
        self.pending_apply = self.file.take();
        let outcome = self.apply(model, None, &[], progress);
        if self.file.is_none() {
            self.file = self.pending_apply.take();
        }
        outcome
    }

    /// Applies a saved model to `bytes` (or, without, to the file of the last attempt, after the person
    /// mapped its columns). On success the file becomes the loaded one and its segmentation the last.
    pub fn apply(
        &mut self,
        model: SegmentModel,
        file: Option<FileInput>,
        mapping: &[(String, String)],
        progress: Progress,
    ) -> Result<ApplyOutcome> {
        if let Some(input) = file {
            // A model of customers aggregated from purchase lines aggregates this file the same way.
            let mode = model.spec.transactions.clone().map_or(LoadMode::AsIs, LoadMode::Aggregate);
            self.pending_apply = None;
            self.pending_apply = Some(LoadedFile::read(input, &mode, progress)?);
        }
        let file = self
            .pending_apply
            .take()
            .ok_or_else(|| CoreError::Internal("no file to apply the model to".into()))?;
        let applied = apply_text(&model, &file.text.walkable()?, &file.table, mapping, progress);
        match applied {
            Ok(AppliedRun { applied, result: segmentation }) => {
                let summary = summarize_with(&file.table, &segmentation.spec);
                self.clear();
                self.moved = applied.movement.clone().map(|m| (model, m));
                self.file = Some(file);
                self.keep_last(segmentation);
                Ok(ApplyOutcome::Applied { summary: Box::new(summary), applied: Box::new(applied) })
            }
            Err(CoreError::MissingColumns { .. }) => {
                let columns = file.table.names();
                let missing: Vec<String> = model
                    .spec
                    .features
                    .iter()
                    .filter(|f| match_columns(std::slice::from_ref(*f), &columns, mapping).is_err())
                    .cloned()
                    .collect();
                let message = format!(
                    "This file lacks the model's column(s) {}. Pick the column of this file that holds each, then \
                     apply again.",
                    missing.join(", ")
                );
                self.pending_apply = Some(file);
                Ok(ApplyOutcome::NeedsMapping { message, missing, columns })
            }
            Err(e) => {
                self.pending_apply = Some(file);
                Err(e)
            }
        }
    }

    /// The customers who changed segment since the model last applied, as CSV.
    pub fn movers(&self) -> Result<String> {
        let (model, movement) = self.moved.as_ref().ok_or_else(|| CoreError::NoSegmentation {
            needed_for: "apply a model to a file with an id column".into(),
        })?;
        Ok(movers_csv(model, movement))
    }
}

//! Limits: what the core accepts, stated once and enforced before the work starts, so that a crafted
//! file, setting or model ends in a clear message instead of a hang, an abort or memory exhausted. Each
//! is far above what a customer file needs; the messages name the limit and what to do.

/// Columns of a file (each column is typed, summarised and offered in the page).
pub const MAX_COLUMNS: usize = 2_000;
/// Bytes of one cell, and of the header row.
pub const MAX_CELL_BYTES: usize = 64 * 1024;
pub const MAX_HEADER_BYTES: usize = 1024 * 1024;
/// Numbers beyond this magnitude are read as "not a number" (reported like any unreadable cell): their
/// squares and sums must stay finite for distances, variances and means.
pub const MAX_MAGNITUDE: f64 = 1e100;

/// A finite number within [`MAX_MAGNITUDE`]: what a value read from a model file may be.
pub fn within_magnitude(v: &f64) -> bool {
    v.is_finite() && v.abs() <= MAX_MAGNITUDE
}
/// Features of one analysis (PCA, the mixture and the correlations grow with their square or cube).
pub const MAX_FEATURES: usize = 200;
/// Segments a k-based method is asked for.
pub const MAX_K: usize = 100;
/// k-means initialisations.
pub const MAX_N_INIT: usize = 100;
/// DBSCAN's min_samples: at least 2 (with 1 every customer is a segment of its own).
pub const MIN_MIN_SAMPLES: usize = 2;
pub const MAX_MIN_SAMPLES: usize = 100_000;
/// Rows of the exact silhouette, and of its sample (the cost is the square).
pub const MAX_SILHOUETTE_ROWS: usize = 20_000;
/// Segments a result may have: every figure is per segment (profiles, histograms, the silhouette's
/// sums), so a run that finds more (DBSCAN with a tiny eps) is refused with what to change.
pub const MAX_SEGMENTS: usize = 1_000;
/// Segment-by-row sums the silhouette may hold (segments x rows scored): beyond, it is not computed.
pub const MAX_SILHOUETTE_CELLS: usize = 50_000_000;
/// A spreadsheet's cells (its used range, rows x columns) and its decompressed size.
pub const MAX_SHEET_CELLS: u64 = 50_000_000;
pub const MAX_UNZIPPED_BYTES: u64 = 512 * 1024 * 1024;
/// A model file's size, and its DBSCAN core points.
pub const MAX_MODEL_BYTES: usize = 512 * 1024 * 1024;
pub const MAX_CORE_POINTS: usize = 5_000_000;

/// Ward's largest input for `d` features: its time is rows² x features, kept to what 60,000 rows of 3
/// features cost (a few seconds natively).
pub fn ward_max_rows(d: usize) -> usize {
    let budget = 60_000f64 * 60_000.0 * 3.0;
    ((budget / d.max(3) as f64).sqrt() as usize).min(60_000)
}

/// Work budgets (rough operation counts) beyond which a method would run for minutes in a tab.
pub const KMEANS_WORK: f64 = 2e10;
pub const MIXTURE_WORK: f64 = 2e9;
pub const MAX_MIXTURE_FEATURES: usize = 50;
pub const DBSCAN_WORK: f64 = 5e10;
/// HDBSCAN: rows x min_samples x features, the core-distance queries' work (1M rows, min_samples
/// 1,000, 20 features).
pub const HDBSCAN_WORK: f64 = 2e10;
/// HDBSCAN's smallest segment, in customers.
pub const MAX_MIN_CLUSTER_SIZE: usize = 100_000;
/// A Parquet file's footer (its schema and row-group directory), read before any row.
pub const MAX_PARQUET_FOOTER_BYTES: u64 = 64 * 1024 * 1024;
/// Levels of nesting in a Parquet schema (a flat table has 1; a list column 3). The schema is checked
/// against it before the `parquet` crate builds its tree, which it does by recursion.
pub const MAX_PARQUET_NESTING: usize = 32;
/// How many times its own size a Parquet file applied in a stream may decode to as text (a real
/// export compresses 3 to 30 times; a file of one value repeated can decode to 20,000 times its size).
pub const PARQUET_EXPANSION: u64 = 1_000;

/// The most text a Parquet file of `file_bytes` may decode to: [`MAX_UNZIPPED_BYTES`] when it is held
/// in memory whole, and when streamed the larger of that and [`PARQUET_EXPANSION`] times its size.
pub fn parquet_text_limit(file_bytes: u64, whole: bool) -> u64 {
    if whole {
        MAX_UNZIPPED_BYTES
    } else {
        MAX_UNZIPPED_BYTES.max(file_bytes.saturating_mul(PARQUET_EXPANSION))
    }
}

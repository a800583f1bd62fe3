//! A saved model as one SQL query, for the engines where the customer table lives (DuckDB, Spark, any
//! ANSI engine): every row of the table with `segment` and `segment_name`, as `segment apply` gives them.
//!
//! The query does what the streaming apply does, step for step: the same cleaning rules in the same
//! order (a row counts under the first rule that drops it, and is marked `dropped by cleaning`, never
//! lost), the training fill values and outlier bounds, the transforms, the training scaler, and the
//! same assignment: nearest centre (k-means, Ward), most likely component (Gaussian mixture, the same
//! forward substitution through the Cholesky factor), nearest core point within eps (DBSCAN, through a
//! grid of cells of side eps/2: a row meets the core points of its own cell first, which settles it
//! when the cell is pure (every core point around it of one segment) or the nearest is closer than the
//! cell's walls, and those of the cells around it only when it does not). Number
//! literals are written in exponent form, which every engine reads as a double, with the shortest
//! digits that give back the model's exact value.
//!
//! What it cannot do, it refuses with the reason: HDBSCAN's approximate predict and RFM scores, and
//! date or category features (relative to the whole file, as in the streaming apply).

use super::{Assignment, SegmentModel};
use crate::clean::{Impute, Rule, Scope};
use crate::error::{CoreError, Result};
use crate::export::{DROPPED, NOISE};
use crate::features::Transform;
use crate::ingest::date::{DateFormat, DateOrder};
use crate::ingest::number::{group_separators, CURRENCY};
use std::fmt::Write as _;

/// The SQL dialect the query is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// DuckDB: side tables read with `read_csv`.
    DuckDb,
    /// Spark SQL: identifiers quoted with backticks, side tables read as `csv.` paths.
    Spark,
    /// Standard SQL: every constant inline (core points as a VALUES list).
    Ansi,
}

impl Dialect {
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "duckdb" => Some(Dialect::DuckDb),
            "spark" | "sparksql" | "spark-sql" => Some(Dialect::Spark),
            "ansi" | "sql" => Some(Dialect::Ansi),
            _ => None,
        }
    }

    /// A quoted identifier.
    pub fn quote(self, name: &str) -> String {
        match self {
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
            Dialect::DuckDb | Dialect::Ansi => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// The nearest (smallest `score`, ties by the smaller `tie`) candidate's `__segment` per row of
    /// `from`.
    fn pick(self, from: &str, score: &str, tie: &str, filter: &str) -> String {
        format!("SELECT __row, __segment FROM ({}) AS best", self.pick_with_score(from, score, tie, filter))
    }

    /// `AS` for a common table expression read more than once: DuckDB computes it once when told
    /// (without, it may inline it at each use); the others decide for themselves.
    fn reused(self) -> &'static str {
        match self {
            Dialect::DuckDb => "AS MATERIALIZED",
            Dialect::Spark | Dialect::Ansi => "AS",
        }
    }

    /// As [`Dialect::pick`], with the winning score as `__best`: the minimum of (score, tie, segment)
    /// structs where the engine orders structs (one aggregate), else a window.
    fn pick_with_score(self, from: &str, score: &str, tie: &str, filter: &str) -> String {
        let smallest = match self {
            Dialect::DuckDb => format!("min(struct_pack(s := {score}, c := {tie}, g := __segment))"),
            Dialect::Spark => format!("min(named_struct('s', {score}, 'c', {tie}, 'g', __segment))"),
            Dialect::Ansi => {
                return format!(
                    "SELECT __row, __segment, __best FROM (SELECT __row, __segment, {score} AS __best, ROW_NUMBER() OVER (PARTITION BY __row ORDER BY {score}, {tie}) AS __rank FROM {from}{filter}) AS ranked WHERE __rank = 1"
                )
            }
        };
        format!(
            "SELECT __row, b.g AS __segment, b.s AS __best FROM (SELECT __row, {smallest} AS b FROM {from}{filter} GROUP BY __row) AS picked"
        )
    }

    /// A number for each row in the table's scan order (the order "first" refers to in the duplicate
    /// rules and the order of the result).
    fn row_number(self) -> &'static str {
        match self {
            Dialect::Spark => "monotonically_increasing_id()",
            Dialect::DuckDb | Dialect::Ansi => "ROW_NUMBER() OVER ()",
        }
    }

    /// A text cast of any value.
    fn text(self, expr: &str) -> String {
        match self {
            Dialect::Spark => format!("CAST({expr} AS STRING)"),
            Dialect::DuckDb | Dialect::Ansi => format!("CAST({expr} AS VARCHAR)"),
        }
    }

    /// Whether the whole of `expr` matches the regular expression `pattern`.
    fn full_match(self, expr: &str, pattern: &str) -> String {
        match self {
            Dialect::Spark => format!("({expr} RLIKE {})", text_lit(self, &format!("^{pattern}$"))),
            Dialect::DuckDb | Dialect::Ansi => {
                format!("regexp_full_match({expr}, {})", text_lit(self, pattern))
            }
        }
    }

    /// A cast to double that gives NULL instead of failing (the same in every dialect).
    fn try_double(self, expr: &str) -> String {
        format!("TRY_CAST({expr} AS DOUBLE)")
    }
}

/// The stages [`date_stages`] writes.
const DATE_STAGES: usize = 6;

/// Where a date feature's days count from in the query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateReference {
    /// The table's latest date in the column (computed by the query, as `segment apply` scans the
    /// file for it).
    Latest,
    /// A fixed day (day number, days since 1970-01-01): the as-of date.
    AsOf(i64),
}

/// The stages that read date column `input` (an expression of the first stage) as a day number
/// `__day{k}`, as [`crate::ingest::date::parse_date`] reads a cell in `format`: the part before a `T` or
/// a space, three fields split by `-`, `/` or `.` (a month by its name, a two-digit year as `%y`), a
/// valid civil date, or eight digits (yyyymmdd, 1900-2100) for a compact column. A year-first cell is
/// read as ISO in every format, since engines that type the column as a date give it back that way.
/// Each stage's new columns, selected with those of the stage before.
fn date_stages(dialect: Dialect, k: usize, input: &str, format: DateFormat) -> [String; DATE_STAGES] {
    let t = |s: &str| text_lit(dialect, s);
    let field = "((?:[0-9]{1,4}|[^-/.0-9]{3,10}[.]?))";
    let pattern =
        format!("^{field}-{field}-{field}$|^{field}/{field}/{field}$|^{field}[.]{field}[.]{field}$");
    let text = format!("TRIM({})", dialect.text(input));
    let first = format!("{text} AS __dt{k}, regexp_extract({text}, {}, 0) AS __dp{k}", t("^[^T ]*"));
    // The two commonest shapes (yyyy-mm-dd, dd/mm/yyyy or mm/dd/yyyy) are cut by position after one
    // match (1 and 2 in `__dq`); any other by the fields of whichever separator matched (the engines
    // give '' for a group that did not), nine extractions a cell.
    let shapes = format!(
        "CASE WHEN {} THEN 1 WHEN {} THEN 2 ELSE 0 END AS __dq{k}",
        dialect.full_match(&format!("__dp{k}"), "[0-9]{4}-[0-9]{2}-[0-9]{2}"),
        dialect.full_match(&format!("__dp{k}"), "[0-9]{2}/[0-9]{2}/[0-9]{4}")
    );
    let group = |g: usize| format!("NULLIF(regexp_extract(__dp{k}, {}, {g}), '')", t(&pattern));
    let cut = [[(1, 4), (1, 2)], [(6, 2), (4, 2)], [(9, 2), (7, 4)]];
    let fields: Vec<String> = (0..3)
        .map(|i| {
            let [(a, la), (b, lb)] = cut[i];
            format!(
                "CASE __dq{k} WHEN 1 THEN SUBSTRING(__dp{k}, {a}, {la}) WHEN 2 THEN SUBSTRING(__dp{k}, {b}, {lb}) ELSE COALESCE({}, {}, {}) END AS __df{k}_{i}",
                group(i + 1),
                group(i + 4),
                group(i + 7)
            )
        })
        .collect();
    // Each field as a number: its digits, or a month's number by the name it starts with (every name is
    // three letters but "juil", which is looked for first): the names are packed in a text, four slots
    // of `|xyz` per month, so a name's position gives its month.
    let mut packed = String::from("|");
    for names in crate::ingest::date::MONTHS {
        let short: Vec<&str> = names.iter().copied().filter(|n| n.chars().count() == 3).collect();
        for slot in 0..4 {
            packed.push_str(short.get(slot).copied().unwrap_or("   "));
            packed.push('|');
        }
    }
    let number = |i: usize| {
        let f = format!("__df{k}_{i}");
        let lower = format!("LOWER(TRIM(TRAILING '.' FROM {f}))");
        let at = format!("INSTR({}, CONCAT('|', SUBSTRING({lower}, 1, 3), '|'))", t(&packed));
        format!(
            "TRY_CAST({f} AS INTEGER) AS __dn{k}_{i}, CASE WHEN TRY_CAST({f} AS INTEGER) IS NOT NULL OR LENGTH({lower}) < 3 THEN NULL WHEN SUBSTRING({lower}, 1, 4) = 'juil' THEN 7 WHEN {at} > 0 THEN FLOOR(({at} - 1) / 16e0) + 1 END AS __dm{k}_{i}"
        )
    };
    let numbers: Vec<String> = (0..3).map(number).collect();
    // Year, month and day by the order; a year-first cell of numbers is ISO.
    let (a, b, c) = (format!("__dn{k}_0"), format!("__dn{k}_1"), format!("__dn{k}_2"));
    let (ma, mb) = (format!("__dm{k}_0"), format!("__dm{k}_1"));
    let year_first =
        format!("(LENGTH(__df{k}_0) = 4 AND {a} IS NOT NULL AND {b} IS NOT NULL AND {c} IS NOT NULL)");
    // Not year-first: the last field a year of 2 or 4 digits, at most one month name, in the first two.
    let year = format!(
        "CASE WHEN {c} IS NULL THEN NULL WHEN LENGTH(__df{k}_2) = 4 THEN {c} WHEN LENGTH(__df{k}_2) = 2 THEN CASE WHEN {c} >= 69 THEN 1900 + {c} ELSE 2000 + {c} END END"
    );
    let one_name = format!("NOT ({ma} IS NOT NULL AND {mb} IS NOT NULL)");
    let first_part = format!("COALESCE({a}, {ma})");
    let second_part = format!("COALESCE({b}, {mb})");
    let (month, day) = match format.order {
        DateOrder::MonthFirst => (first_part, second_part),
        DateOrder::DayFirst | DateOrder::Iso | DateOrder::Compact => (second_part, first_part),
    };
    let other_orders = matches!(format.order, DateOrder::DayFirst | DateOrder::MonthFirst);
    let pick = |iso: String, other: String| {
        if other_orders {
            format!("CASE WHEN {year_first} THEN {iso} WHEN {one_name} THEN {other} END")
        } else {
            format!("CASE WHEN {year_first} THEN {iso} END")
        }
    };
    let mut ymd = vec![
        format!("{} AS __dy{k}", pick(a.clone(), year)),
        format!("{} AS __dmo{k}", pick(b.clone(), month)),
        format!("{} AS __dd{k}", pick(c.clone(), day)),
    ];
    if format.order == DateOrder::Compact {
        let digits = format!("(LENGTH(__dt{k}) = 8 AND TRY_CAST(__dt{k} AS BIGINT) IS NOT NULL AND __dt{k} NOT LIKE '%-%' AND __dt{k} NOT LIKE '%+%')");
        let sub = |from: usize, len: usize| format!("TRY_CAST(SUBSTRING(__dt{k}, {from}, {len}) AS INTEGER)");
        ymd = vec![
            format!("CASE WHEN {digits} THEN CASE WHEN {} BETWEEN 1900 AND 2100 THEN {} END ELSE {} END AS __dy{k}", sub(1, 4), sub(1, 4), pick(a, "NULL".into())),
            format!("CASE WHEN {digits} THEN {} ELSE {} END AS __dmo{k}", sub(5, 2), pick(b, "NULL".into())),
            format!("CASE WHEN {digits} THEN {} ELSE {} END AS __dd{k}", sub(7, 2), pick(c, "NULL".into())),
        ];
    }
    // A valid civil date as its day number (Howard Hinnant's days_from_civil, as `day_number`).
    let (y, m, d) = (format!("__dy{k}"), format!("__dmo{k}"), format!("__dd{k}"));
    let leap = format!("(({y} % 4 = 0 AND {y} % 100 <> 0) OR {y} % 400 = 0)");
    let days_in = format!(
        "CASE WHEN {m} = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END WHEN {m} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
    );
    let yy = format!("({y} - CASE WHEN {m} <= 2 THEN 1 ELSE 0 END)");
    let era = format!("FLOOR({yy} / 400e0)");
    let yoe = format!("({yy} - {era} * 400)");
    let doy =
        format!("(FLOOR((153 * (CASE WHEN {m} > 2 THEN {m} - 3 ELSE {m} + 9 END) + 2) / 5e0) + {d} - 1)");
    let doe = format!("({yoe} * 365 + FLOOR({yoe} / 4e0) - FLOOR({yoe} / 100e0) + {doy})");
    let day = format!(
        "CASE WHEN {m} BETWEEN 1 AND 12 AND {d} BETWEEN 1 AND {days_in} THEN CAST({era} * 146097 + {doe} - 719468 AS DOUBLE) END AS __day{k}"
    );
    [first, shapes, fields.join(", "), numbers.join(", "), ymd.join(", "), day]
}

/// The query and, for DBSCAN in DuckDB and Spark, the core points to write beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlExport {
    pub query: String,
    /// (file name relative to the query, CSV text): read by the query from that path.
    pub side_table: Option<(String, String)>,
}

/// How an export-formatted cell of numeric column `i` (its trimmed text `__txt{i}`) is read as
/// `ingest::number::parse_number` reads it with `decimal`: parentheses for a negative, a trailing `%`,
/// a sign, a currency sign or code before or after (then a sign again), digits grouped by threes (`,`
/// `.` space, no-break spaces or `'`, whichever is not the decimal separator; an exponent after grouped
/// digits only past the decimal separator). Each step is a column of its own stage (`stages[k]` is the
/// select list of stage k), so the query grows with the steps, not with their product, and a plain
/// number skips them (stage 0); `number` reads the last. None in the ANSI dialect (no regular expressions there).
struct FormattedNumber {
    stages: [String; 6],
    number: String,
}

fn formatted_number(dialect: Dialect, i: usize, decimal: char) -> Option<FormattedNumber> {
    // The reader's grouping characters, each as a regular-expression code point (no escaping to get
    // wrong between engines).
    let groups = group_separators(decimal);
    let class: String = groups.iter().map(|g| format!(r"\x{{{:04X}}}", u32::from(*g))).collect();
    let class = format!("[{class}]");
    let point = if decimal == ',' { "," } else { r"\." };
    let pattern = format!(
        r"^([0-9]*({point}[0-9]*)?([eE][+-]?[0-9]+)?|[0-9]+({class}[0-9]{{3}})+({point}[0-9]*([eE][+-]?[0-9]+)?)?)$"
    );
    let e = format!("__fe{i}");
    let full_match = match dialect {
        Dialect::DuckDb => format!("regexp_full_match({e}, {})", text_lit(dialect, &pattern)),
        Dialect::Spark => format!("({e} RLIKE {})", text_lit(dialect, &pattern)),
        Dialect::Ansi => return None,
    };
    // 0. Only the cells that are not plain numbers go this way (with a decimal point, a plain number is
    // read as it is; with a decimal comma every cell is).
    let stage0 = if decimal == ',' {
        format!("__txt{i} AS __fx{i}")
    } else {
        format!("CASE WHEN {} IS NULL THEN __txt{i} END AS __fx{i}", dialect.try_double(&format!("__txt{i}")))
    };
    let t = format!("__fx{i}");
    // 1. Parentheses around the whole: a negative.
    let paren = format!("(LEFT({t}, 1) = '(' AND RIGHT({t}, 1) = ')' AND LENGTH({t}) >= 2)");
    let stage1 = format!(
        "{paren} AS __fp{i}, CASE WHEN {paren} THEN TRIM(SUBSTR({t}, 2, LENGTH({t}) - 2)) ELSE {t} END AS __fa{i}"
    );
    // 2. A trailing percent sign (the number is kept as written).
    let a = format!("__fa{i}");
    let stage2 = format!(
        "CASE WHEN RIGHT({a}, 1) = '%' THEN RTRIM(LEFT({a}, LENGTH({a}) - 1)) ELSE {a} END AS __fb{i}"
    );
    // 3. A sign.
    let b = format!("__fb{i}");
    let stage3 = format!(
        "LEFT({b}, 1) IN ('-', '\u{2212}') AS __fm{i}, CASE WHEN LEFT({b}, 1) IN ('-', '\u{2212}', '+') THEN LTRIM(SUBSTR({b}, 2)) ELSE {b} END AS __fc{i}"
    );
    // 4. The first currency that starts or ends it.
    let c = format!("__fc{i}");
    let mut strip = String::from("CASE");
    let mut has = String::from("CASE");
    for sign in CURRENCY {
        let n = sign.chars().count();
        let sign = text_lit(dialect, sign);
        let _ = write!(strip, " WHEN LEFT({c}, {n}) = {sign} THEN LTRIM(SUBSTR({c}, {}))", n + 1);
        let _ = write!(strip, " WHEN RIGHT({c}, {n}) = {sign} THEN RTRIM(LEFT({c}, LENGTH({c}) - {n}))");
        let _ = write!(has, " WHEN LEFT({c}, {n}) = {sign} OR RIGHT({c}, {n}) = {sign} THEN TRUE");
    }
    let stage4 = format!("{has} ELSE FALSE END AS __fh{i}, {strip} ELSE {c} END AS __fd{i}");
    // 5. A sign after the currency ("$-12").
    let d = format!("__fd{i}");
    let minus_after = format!("(__fh{i} AND LEFT({d}, 1) = '-')");
    let stage5 = format!(
        "{minus_after} AS __fn{i}, CASE WHEN {minus_after} THEN SUBSTR({d}, 2) ELSE {d} END AS __fe{i}"
    );
    // The digits: grouping characters out, the decimal separator a point.
    let mut plain = e.clone();
    for g in groups {
        plain = format!("REPLACE({plain}, {}, '')", text_lit(dialect, &g.to_string()));
    }
    if decimal == ',' {
        plain = format!("REPLACE({plain}, ',', '.')");
    }
    let value = dialect.try_double(&plain);
    Some(FormattedNumber {
        stages: [stage0, stage1, stage2, stage3, stage4, stage5],
        number: format!(
            "CASE WHEN {full_match} THEN CASE WHEN (__fp{i} <> __fm{i}) <> __fn{i} THEN -{value} ELSE {value} END END"
        ),
    })
}

/// The grid cell of side `h` a value falls in.
fn cell(v: f64, h: f64) -> i64 {
    (v / h).floor() as i64
}

/// For each core point, whether its cell (of side `h` on the first `g` features) is pure: every core
/// point in the 5^g cells around it has its segment, so a row of that cell with any core point within
/// eps = 2h takes that segment, whichever core point is nearest.
fn pure_cells(h: f64, g: usize, dims: usize, core_points: &[f64], core_segments: &[u32]) -> Vec<bool> {
    let n = core_segments.len().min(core_points.len() / dims.max(1));
    let cells: Vec<Vec<i64>> =
        (0..n).map(|i| core_points[i * dims..i * dims + g].iter().map(|v| cell(*v, h)).collect()).collect();
    // Each occupied cell's segment, or None when its core points have more than one.
    let mut cell_segment: std::collections::HashMap<&[i64], Option<u32>> = Default::default();
    for (c, seg) in cells.iter().zip(core_segments) {
        cell_segment
            .entry(c.as_slice())
            .and_modify(|s| {
                if *s != Some(*seg) {
                    *s = None
                }
            })
            .or_insert(Some(*seg));
    }
    let offsets = neighbour_offsets(g);
    let mut around = vec![0i64; g];
    cells
        .iter()
        .zip(core_segments)
        .map(|(c, seg)| {
            offsets.iter().all(|o| {
                for k in 0..g {
                    around[k] = c[k] + o[k];
                }
                cell_segment.get(around.as_slice()).is_none_or(|s| *s == Some(*seg))
            })
        })
        .collect()
}

/// Every step of -2..=2 cells on each of `g` grid features: the cells a point within eps (two cells of
/// side eps/2) can lie in, seen from a cell.
fn neighbour_offsets(g: usize) -> Vec<Vec<i64>> {
    let mut offsets: Vec<Vec<i64>> = vec![Vec::new()];
    for _ in 0..g {
        offsets = offsets
            .into_iter()
            .flat_map(|o| {
                [-2i64, -1, 0, 1, 2].map(|step| o.iter().copied().chain([step]).collect::<Vec<_>>())
            })
            .collect();
    }
    offsets
}

/// The largest cell number the DBSCAN grid uses (exact in a double and far inside INT64).
const CELL_LIMIT: f64 = 1e15;

/// A double literal that every engine reads back exactly (`1.5e0`, `-2.25e-3`).
fn lit(v: f64) -> String {
    format!("{v:e}")
}

/// Text for a `--` comment: on one line whatever it holds (a file or column name with a line break
/// would otherwise end the comment and be read as SQL), and no `${` (Spark substitutes variables,
/// `${env:HOME}`, in the whole text before it parses it, comments included).
fn comment(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().replace("${", "$ {")
}

/// A text literal. Spark reads backslash escapes in literals (and takes `''` for two literals side by
/// side, not a quote), and substitutes `${...}` variables before it parses: its `$` is written as the
/// escape `\u0024`. DuckDB and standard SQL double the quote.
fn text_lit(dialect: Dialect, s: &str) -> String {
    match dialect {
        Dialect::Spark => {
            format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'").replace('$', "\\u0024"))
        }
        Dialect::DuckDb | Dialect::Ansi => format!("'{}'", s.replace('\'', "''")),
    }
}

/// The parts of a table name as `--table` takes it: `schema.table` or `catalog.schema.table`, a part in
/// double quotes or backticks when it holds a dot itself (`"my.table"`; a doubled quote inside is one).
fn table_parts(table: &str) -> std::result::Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut chars = table.trim().chars().peekable();
    loop {
        let mut part = String::new();
        match chars.peek().copied() {
            Some(open @ ('"' | '`')) => {
                chars.next();
                loop {
                    match chars.next() {
                        Some(c) if c == open => {
                            if chars.peek() == Some(&open) {
                                chars.next();
                                part.push(open);
                            } else {
                                break;
                            }
                        }
                        Some(c) => part.push(c),
                        None => return Err(format!("its quote {open} is not closed")),
                    }
                }
                if !matches!(chars.peek(), None | Some('.')) {
                    return Err(format!("a quoted part ends with {open} and is followed by more than a dot"));
                }
            }
            _ => {
                while let Some(c) = chars.peek().copied().filter(|c| *c != '.') {
                    part.push(c);
                    chars.next();
                }
            }
        }
        if part.is_empty() {
            return Err("it has an empty part".into());
        }
        parts.push(part);
        match chars.next() {
            None => return Ok(parts),
            Some(_) => continue, // the dot
        }
    }
}

/// The table as the query names it (each part of `table_parts` quoted), and its last part.
fn table_name(dialect: Dialect, table: &str) -> Result<(String, String)> {
    let parts = table_parts(table).map_err(|why| {
        CoreError::Sql(format!(
            "the table name \"{}\" cannot be read: {why}. Write it as table, schema.table or \"a.b\" for a name with a dot",
            comment(table)
        ))
    })?;
    if dialect == Dialect::Spark && parts.iter().any(|p| p.contains("${")) {
        return Err(CoreError::Sql(format!(
            "the table name \"{}\" holds \"${{\", which Spark replaces with a variable's value before it reads the query. Rename it, or create a view without it",
            comment(table)
        )));
    }
    let quoted = parts.iter().map(|p| dialect.quote(p)).collect::<Vec<_>>().join(".");
    Ok((quoted, parts.last().cloned().unwrap_or_default()))
}

/// Refuses a table the engines would read another column of than the query names: two columns whose
/// names differ only in case (DuckDB and Spark resolve names without regard to case, even quoted),
/// and, for Spark, a name with `${` (substituted before the query is parsed; an identifier has no
/// escape for it).
fn check_names(dialect: Dialect, columns: &[String]) -> Result<()> {
    let mut seen: std::collections::HashMap<String, &String> = Default::default();
    for c in columns {
        if let Some(other) = seen.insert(c.to_lowercase(), c) {
            return Err(CoreError::Sql(format!(
                "the table has columns \"{}\" and \"{}\", whose names differ only in case: DuckDB and Spark read both names as one column, so the query could read the wrong one. Rename one of them in the table (and in the model, with `segment apply --map` when it is a feature), then export again",
                comment(other),
                comment(c)
            )));
        }
        if dialect == Dialect::Spark && c.contains("${") {
            return Err(CoreError::Sql(format!(
                "the column \"{}\" holds \"${{\", which Spark replaces with a variable's value before it reads the query. Rename the column, or export for DuckDB or ANSI SQL",
                comment(c)
            )));
        }
    }
    Ok(())
}

/// A file name for the side table made of letters, digits, `.`, `-` and `_` only, so that the name
/// written on disk and the one the query reads are the same text in every engine.
fn safe_file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .collect();
    if safe.trim_matches('.').is_empty() {
        "segments-cores.csv".into()
    } else {
        safe
    }
}

/// The missing markers the reader knows (see `ingest::is_missing_marker`), as a SQL list.
const MISSING_MARKERS: [&str; 14] =
    ["", "NA", "N/A", "na", "n/a", "NaN", "nan", "NAN", "null", "NULL", "None", "none", "-", "?"];

/// The model as SQL over `table`, whose columns are `columns` (its header: the rules that look at every
/// column need them). `side_name` is the file name the DBSCAN core points are written to.
///
/// The query is a chain of stages (common table expressions), written in this order: the table read
/// once under names of the query's own ([`Query::read`]), its cells as numbers ([`Query::numbers`]),
/// the cleaning rules a stage each in the order of [`crate::clean::Rule`]'s list
/// ([`Query::cleaning`]), the scaled features ([`Query::scaled`]), the method's assignment
/// ([`Query::assignment`]) and every row back in table order ([`Query::result`]).
pub fn export_sql(
    model: &SegmentModel,
    dialect: Dialect,
    table: &str,
    columns: &[String],
    side_name: &str,
    reference: DateReference,
) -> Result<SqlExport> {
    let date_formats = writable(model, dialect)?;
    let (table_sql, last_part) = table_name(dialect, table)?;
    check_names(dialect, columns)?;
    let needed: Vec<&String> = match &model.spec.transactions {
        Some(lines) => lines.roles().collect(),
        None => model.spec.features.iter().collect(),
    };
    let missing_columns: Vec<&str> =
        needed.into_iter().filter(|f| !columns.contains(f)).map(String::as_str).collect();
    if !missing_columns.is_empty() {
        return Err(CoreError::MissingColumns {
            missing: missing_columns.join(", "),
            available: columns.join(", "),
        });
    }
    if let (Some(roles), Some(lines)) = (&model.spec.transactions, &model.lines) {
        return export_lines_sql(model, dialect, table, columns, (&table_sql, &last_part), roles, lines);
    }
    let query = Query::new(model, dialect, columns, reference);
    let mut sql = query.header(table);
    sql.push_str("WITH\n");
    let numbered = query.read(&mut sql, &table_sql, &last_part, &date_formats);
    query.numbers(&mut sql, &numbered);
    let kept = query.cleaning(&mut sql);
    query.scaled(&mut sql, &kept);
    let side_table = query.assignment(&mut sql, side_name)?;
    query.result(&mut sql, &kept);
    Ok(SqlExport { query: sql, side_table })
}

/// A model of customers aggregated from purchase lines: the lines read as the app read them (their
/// date and amounts, stages named `lines_`), aggregated per customer as [`crate::transactions::aggregate`]
/// does (`lines_used`, `customers_agg`), then the customers' query on those rows, numbered by their id
/// as `segment apply` writes them.
fn export_lines_sql(
    model: &SegmentModel,
    dialect: Dialect,
    table: &str,
    columns: &[String],
    (table_sql, last_part): (&str, &str),
    roles: &crate::transactions::TransactionColumns,
    lines: &crate::transactions::LineFormat,
) -> Result<SqlExport> {
    let date_format = lines.date_format.ok_or_else(|| {
        CoreError::BadModel(format!(
            "it does not say how the purchase lines wrote their dates (\"{}\"). Fit it again",
            roles.date
        ))
    })?;
    // The lines read as the app read them: the date column as days, the amounts as numbers.
    let date_features = [roles.date.clone()];
    let amounts: Vec<String> =
        [&roles.quantity, &roles.price, &roles.amount].into_iter().flatten().cloned().collect();
    let reading = Reading {
        features: &[],
        date_features: &date_features,
        numeric_columns: &amounts,
        decimals: &lines.decimals,
    };
    let lines_query =
        Query { prefix: "lines_", ..Query::reading(model, dialect, columns, DateReference::Latest, reading) };
    let customer_columns: Vec<String> =
        crate::transactions::RFM_COLUMNS.iter().map(|c| c.to_string()).collect();
    let mut query = Query::new(model, dialect, &customer_columns, DateReference::Latest);
    query.order_by = Some(dialect.quote(crate::transactions::RFM_COLUMNS[0]));
    query.typed = true;
    let mut sql = query.header(table);
    let _ = writeln!(
        sql,
        "-- The rows of {} are purchase lines: they are aggregated per customer first (recency, frequency, monetary, \
         average order value), one row per customer in the result, by customer id.",
        comment(table)
    );
    sql.push_str("WITH\n");
    let numbered = lines_query.read(&mut sql, table_sql, last_part, &[date_format]);
    lines_query.numbers(&mut sql, &numbered);
    lines_query.aggregate(&mut sql, roles);
    let numbered = query.read(&mut sql, "customers_agg", "customers_agg", &[]);
    query.numbers(&mut sql, &numbered);
    let kept = query.cleaning(&mut sql);
    query.scaled(&mut sql, &kept);
    let side_table = query.assignment(&mut sql, "")?;
    query.result(&mut sql, &kept);
    Ok(SqlExport { query: sql, side_table })
}

/// What the query cannot do, refused with the reason; else each date feature's format.
fn writable(model: &SegmentModel, dialect: Dialect) -> Result<Vec<DateFormat>> {
    let refuse = |why: String| Err(CoreError::BadModel(why));
    // A category as how common its value is in the whole file is not computed; one compared by value
    // (k-prototypes) is read row by row.
    if let Some(c) = model.category_by_frequency() {
        return refuse(format!(
            "it segments on \"{c}\", a category measured by how common each value is in the whole \
             file, which the query does not compute. Apply it with `segment apply` or in the page"
        ));
    }
    // Customers aggregated from purchase lines: the query aggregates a table of lines as the app did.
    if let Some(roles) = &model.spec.transactions {
        if model.lines.is_none() {
            return refuse(format!(
                "it segments customers aggregated from purchase lines (by \"{}\") and does not say how the lines \
                 were written (a model saved before this version). Fit it again, or apply it with `segment apply`",
                roles.customer
            ));
        }
        match dialect {
            Dialect::Ansi => {
                return refuse(
                    "it segments customers aggregated from purchase lines, whose dates and cancelled invoices the \
                     query reads with regular expressions, which standard SQL lacks. Export it for duckdb"
                        .into(),
                )
            }
            // Spark reads them behind a fence (`Query::aggregate`).
            Dialect::Spark | Dialect::DuckDb => {}
        }
        if model.spec.cleaning.drop_missing == crate::clean::Scope::AllColumns {
            return refuse(
                "it drops customers with a missing value in any column, and the customers the app aggregated \
                 also carry categories of their lines (a country) that the query does not. Set missing values to \
                 the features only and fit it again, or apply it with `segment apply`"
                    .into(),
            );
        }
    }
    // Date features: read in the training file's format, as days before the reference.
    let mut date_formats = Vec::new();
    for c in &model.date_features {
        if dialect == Dialect::Ansi {
            return refuse(format!(
                "it segments on the date column \"{c}\", and standard SQL has no regular expressions to \
                 read dates as the app does. Export it for duckdb or spark"
            ));
        }
        match model.date_formats.get(c) {
            Some(format) => date_formats.push(*format),
            None => {
                return refuse(format!(
                    "it segments on the date column \"{c}\" and does not say how the training file \
                     wrote its dates (a model saved before this version). Fit it again"
                ))
            }
        }
    }
    match &model.assignment {
        Assignment::Hdbscan(_) => refuse(
            "HDBSCAN models assign new customers through the condensed tree (approximate predict), \
             which is not written as SQL. Export its rule model instead (`segment rules model.json`, \
             or \"Save the rules as a model\" in the page), or apply it with `segment apply`"
                .into(),
        ),
        _ => Ok(date_formats),
    }
}

/// How a query reads the table's columns: the features, the date columns, the numeric columns and
/// their decimal separators.
struct Reading<'a> {
    features: &'a [String],
    date_features: &'a [String],
    numeric_columns: &'a [String],
    decimals: &'a std::collections::BTreeMap<String, char>,
}

/// The query being written: the model, the dialect, the table's columns and how each is read.
struct Query<'a> {
    model: &'a SegmentModel,
    dialect: Dialect,
    columns: &'a [String],
    features: &'a [String],
    /// The columns read as numbers: the features and the training file's numeric columns.
    numeric: Vec<&'a String>,
    reference: DateReference,
    /// The missing markers, as a SQL list.
    markers: String,
    /// The reader's yes and no words, as SQL lists.
    yes: String,
    no: String,
    /// The columns read as dates (days), and each numeric column's decimal separator: the model's, or
    /// for the purchase lines of a model of customers, the lines'.
    date_features: &'a [String],
    decimals: &'a std::collections::BTreeMap<String, char>,
    /// Put before the names of the stages `read` and `numbers` write: the purchase lines' stages of a
    /// model of customers ("lines_") stand beside the customers' own.
    prefix: &'static str,
    /// The order rows are numbered in, when not the table's scan order (the customers aggregated
    /// from purchase lines: by their id, as `segment apply` writes them).
    order_by: Option<String>,
    /// The columns are numbers already (the customers the query aggregated): read in one stage, not
    /// parsed from text in several (a query as deep as two files' stages is more than Spark's analyzer
    /// resolves).
    typed: bool,
}

/// The stage the rows are in after cleaning, and its column naming the rule that dropped a row.
struct Kept {
    last: String,
    drop: String,
}

impl<'a> Query<'a> {
    fn new(
        model: &'a SegmentModel,
        dialect: Dialect,
        columns: &'a [String],
        reference: DateReference,
    ) -> Self {
        let reading = Reading {
            features: &model.spec.features,
            date_features: &model.date_features,
            numeric_columns: &model.numeric_columns,
            decimals: &model.decimals,
        };
        Self::reading(model, dialect, columns, reference, reading)
    }

    /// A query that reads `columns` as `reading` says (the model's own reading, or its purchase lines').
    fn reading(
        model: &'a SegmentModel,
        dialect: Dialect,
        columns: &'a [String],
        reference: DateReference,
        reading: Reading<'a>,
    ) -> Self {
        let Reading { features, date_features, numeric_columns, decimals } = reading;
        let numeric = columns
            .iter()
            .filter(|c| !date_features.contains(c))
            .filter(|c| features.contains(c) || numeric_columns.contains(c))
            .collect();
        let markers: Vec<String> = MISSING_MARKERS.iter().map(|m| text_lit(dialect, m)).collect();
        let words = |pick: fn(&(&'static str, &'static str)) -> &'static str| {
            let mut w: Vec<String> =
                crate::ingest::BOOLEAN_WORDS.iter().map(|p| text_lit(dialect, pick(p))).collect();
            w.dedup();
            w.join(", ")
        };
        Query {
            model,
            dialect,
            columns,
            features,
            numeric,
            reference,
            markers: markers.join(", "),
            yes: words(|p| p.0),
            no: words(|p| p.1),
            date_features,
            decimals,
            prefix: "",
            order_by: None,
            typed: false,
        }
    }

    /// The row number of each row: in the table's scan order, or by `order_by`.
    fn row_number(&self) -> String {
        match &self.order_by {
            Some(order) => format!("ROW_NUMBER() OVER (ORDER BY {order})"),
            None => self.dialect.row_number().to_string(),
        }
    }

    /// Feature `j`'s values by name when it is a category compared by value (k-prototypes).
    fn levels(&self, j: usize) -> Option<&[String]> {
        self.model.scaler.levels_of(j)
    }

    /// The table's columns are read once, in the first stage, under names of the query's own
    /// (`__u{i}`): no later stage sees a name of the table's, so none can collide with the query's.
    fn col(&self, c: &str) -> String {
        self.columns.iter().position(|n| n == c).map_or_else(|| "NULL".to_string(), |i| format!("__u{i}"))
    }

    fn is_marker(&self, c: &str) -> String {
        format!(
            "({0} IS NULL OR TRIM({1}) IN ({2}))",
            self.col(c),
            self.dialect.text(&self.col(c)),
            self.markers
        )
    }

    /// A numeric column's number (`__num{i}`) and trimmed text (`__txt{i}`), read once each, as the
    /// reader reads a cell: its trimmed text (a column the engine typed as boolean holds words, not
    /// numbers), a missing marker, a finite number (x - x = 0 fails for infinities and NaN), or neither.
    fn num(&self, c: &str) -> String {
        self.numeric
            .iter()
            .position(|n| n.as_str() == c)
            .map_or_else(|| "NULL".to_string(), |i| format!("__num{i}"))
    }

    fn txt(&self, c: &str) -> String {
        self.numeric
            .iter()
            .position(|n| n.as_str() == c)
            .map_or_else(|| "NULL".to_string(), |i| format!("__txt{i}"))
    }

    fn in_scope(&self, scope: Scope, c: &String) -> bool {
        scope == Scope::AllColumns || self.features.contains(c)
    }

    /// A feature's value: a number, or a yes/no word as 1 / 0 (the reader's boolean words); a date
    /// feature's, the days from its date to the reference.
    fn value(&self, c: &str) -> String {
        if let Some(names) = self.features.iter().position(|f| f == c).and_then(|j| self.levels(j)) {
            // A category compared by value: its code, the position of its value among the model's
            // (a value the model never saw: one past the last).
            let arms: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(code, name)| {
                    format!("WHEN {} THEN {}", text_lit(self.dialect, name), lit(code as f64))
                })
                .collect();
            return format!(
                "CASE WHEN {} THEN NULL ELSE CASE TRIM({}) {} ELSE {} END END",
                self.is_marker(c),
                self.dialect.text(&self.col(c)),
                arms.join(" "),
                lit(names.len() as f64)
            );
        }
        if let Some(k) = self.date_features.iter().position(|d| d == c) {
            let reference = match self.reference {
                DateReference::AsOf(day) => lit(day as f64),
                DateReference::Latest => format!("__latest{k}"),
            };
            return format!("({reference} - __day{k})");
        }
        let lower = format!("LOWER({})", self.txt(c));
        format!(
            "COALESCE({}, CASE WHEN {lower} IN ({}) THEN 1e0 WHEN {lower} IN ({}) THEN 0e0 END)",
            self.num(c),
            self.yes,
            self.no
        )
    }

    /// The condition that leaves out blank rows, as every reader of a file does
    /// ([`crate::ingest::is_blank`]: every cell empty once trimmed; a table read from a CSV file holds a
    /// line of only delimiters as a row of NULLs).
    fn not_blank(&self) -> String {
        if self.columns.is_empty() {
            return String::new();
        }
        let filled: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("TRIM({}) <> ''", self.dialect.text(&self.dialect.quote(c))))
            .collect();
        format!(" WHERE {}", filled.join(" OR "))
    }

    /// The comment lines that say what the query is.
    fn header(&self, table: &str) -> String {
        let model = self.model;
        let mut sql = String::new();
        let _ = writeln!(
            sql,
            "-- Client Segmentation Dashboard: model format {} version {}, {} with {} segments on {}.",
            comment(&model.format),
            model.version,
            model.info().method,
            model.segments.len(),
            comment(&self.features.join(", "))
        );
        let _ = writeln!(
            sql,
            "-- Fitted on {} ({} rows, {} used). Gives every row of {} with `segment` (1 = largest) and `segment_name`;",
            comment(&model.training.file_name),
            model.training.rows_in,
            model.training.rows_used,
            comment(table)
        );
        let _ = writeln!(
            sql,
            "-- rows the cleaning rules drop are marked '{DROPPED}', customers in no segment '{NOISE}'."
        );
        let _ = writeln!(sql, "-- Settings: {}", comment(&model.spec.to_json()));
        sql
    }

    /// The first stage, the only one that reads the table: row order and the values (its name is never
    /// the table's), with date columns read as day numbers. Returns the stage's name.
    fn read(
        &self,
        sql: &mut String,
        table_sql: &str,
        last_part: &str,
        date_formats: &[DateFormat],
    ) -> String {
        let (dialect, prefix) = (self.dialect, self.prefix);
        let read: Vec<String> =
            self.columns.iter().enumerate().map(|(i, c)| format!("{} AS __u{i}", dialect.quote(c))).collect();
        let numbered = format!("{prefix}numbered");
        let numbered =
            if last_part.eq_ignore_ascii_case(&numbered) { format!("{numbered}_rows") } else { numbered };
        let date_features = self.date_features;
        let filled = self.not_blank();
        if date_features.is_empty() {
            let _ = writeln!(
                sql,
                "{numbered} AS (SELECT {} AS __row{}{} FROM {table_sql}{filled}),",
                self.row_number(),
                if read.is_empty() { "" } else { ", " },
                read.join(", ")
            );
            return numbered;
        }
        // Date columns read as day numbers, a stage per step (each step reads the columns of the one
        // before), below the row numbers: an engine does not move a later stage's conditions through
        // the numbering (it is not deterministic), so it never copies these long expressions into
        // them (Spark ran out of memory planning a DBSCAN query that did).
        let reader = format!("{prefix}table_read");
        let reader = if last_part.eq_ignore_ascii_case(&reader) { format!("{reader}_0") } else { reader };
        let _ = writeln!(sql, "{reader} AS (SELECT {} FROM {table_sql}{filled}),", read.join(", "));
        let stages: Vec<[String; DATE_STAGES]> = date_features
            .iter()
            .zip(date_formats)
            .enumerate()
            .map(|(k, (c, format))| date_stages(dialect, k, &self.col(c), *format))
            .collect();
        let mut from = reader;
        for step in 0..DATE_STAGES {
            let items: Vec<&str> = stages.iter().map(|s| s[step].as_str()).collect();
            let _ = writeln!(sql, "{prefix}dates{step} AS (SELECT *, {} FROM {from}),", items.join(", "));
            from = format!("{prefix}dates{step}");
        }
        // The table's latest date in each column: one subquery, computed once, beside the numbers.
        let latest: String = match self.reference {
            DateReference::Latest => (0..date_features.len())
                .map(|k| format!(", (SELECT MAX(__day{k}) FROM {from}) AS __latest{k}"))
                .collect(),
            DateReference::AsOf(_) => String::new(),
        };
        let _ = writeln!(
            sql,
            "{numbered} {} (SELECT {} AS __row, *{latest} FROM {from}),",
            dialect.reused(),
            self.row_number()
        );
        numbered
    }

    /// The numeric columns' cells as numbers: `texts`, the formats' stages, `casts` and `numbers`.
    fn numbers(&self, sql: &mut String, numbered: &str) {
        let (dialect, numeric, markers) = (self.dialect, &self.numeric, &self.markers);
        if self.typed {
            let read: Vec<String> = numeric
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let (u, v) = (self.col(c), dialect.try_double(&self.col(c)));
                    format!(
                        "TRIM({}) AS __txt{i}, CASE WHEN {v} - {v} = 0e0 AND ABS({v}) <= {} THEN {v} END AS __num{i}",
                        dialect.text(&u),
                        lit(crate::limits::MAX_MAGNITUDE)
                    )
                })
                .collect();
            let _ = writeln!(sql, "{}numbers AS (SELECT *{} FROM {numbered}),", self.prefix, more(&read));
            return;
        }
        let texts: Vec<String> = numeric
            .iter()
            .enumerate()
            .map(|(i, c)| format!("TRIM({}) AS __txt{i}", dialect.text(&self.col(c))))
            .collect();
        // A cell that is not a plain number may still be one as exports write them ("$1,234.50",
        // "1.234,50 €", "(12.00)", "12 %"): read as the reader does, with the column's decimal separator
        // from the training file (the ANSI dialect, without regular expressions, reads plain numbers only).
        let decimals: Vec<char> =
            numeric.iter().map(|c| self.decimals.get(c.as_str()).copied().unwrap_or('.')).collect();
        let formatted: Vec<Option<FormattedNumber>> =
            decimals.iter().enumerate().map(|(i, &decimal)| formatted_number(dialect, i, decimal)).collect();
        let casts: Vec<String> = (0..numeric.len())
            .map(|i| {
                let plain = dialect.try_double(&format!("__txt{i}"));
                let number = match (&formatted[i], decimals[i]) {
                    (None, _) => plain,
                    // With a decimal comma the reader takes no shortcut: "1.5" is not a number there.
                    (Some(f), ',') => f.number.clone(),
                    (Some(f), _) => format!("COALESCE({plain}, {})", f.number),
                };
                format!("CASE WHEN __txt{i} IS NULL OR __txt{i} IN ({markers}) THEN NULL ELSE {number} END AS __cast{i}")
            })
            .collect();
        // Finite, and within the reader's magnitude (beyond it a cell is not read as a number).
        let numbers: Vec<String> = (0..numeric.len())
            .map(|i| {
                format!(
                    "CASE WHEN __cast{i} - __cast{i} = 0e0 AND ABS(__cast{i}) <= {} THEN __cast{i} END AS __num{i}",
                    lit(crate::limits::MAX_MAGNITUDE)
                )
            })
            .collect();
        let prefix = self.prefix;
        let _ = writeln!(sql, "{prefix}texts AS (SELECT *{} FROM {numbered}),", more(&texts));
        let mut before_casts = format!("{prefix}texts");
        if !numeric.is_empty() && formatted.iter().all(Option::is_some) {
            for k in 0..6 {
                let items: Vec<&str> = formatted.iter().flatten().map(|f| f.stages[k].as_str()).collect();
                let _ = writeln!(
                    sql,
                    "{prefix}formats{k} AS (SELECT *, {} FROM {before_casts}),",
                    items.join(", ")
                );
                before_casts = format!("{prefix}formats{k}");
            }
        }
        let _ = writeln!(sql, "{prefix}casts AS (SELECT *{} FROM {before_casts}),", more(&casts));
        let _ = writeln!(sql, "{prefix}numbers AS (SELECT *{} FROM {prefix}casts),", more(&numbers));
    }

    /// The cleaning rules, a stage each in the order every engine runs them ([`crate::clean::Rule`]):
    /// each stage's own column holds the number of the first rule that dropped the row.
    fn cleaning(&self, sql: &mut String) -> Kept {
        let (model, features) = (self.model, self.features);
        let rules = &model.spec.cleaning;
        let d = features.len();
        let imputing: Vec<bool> = features.iter().map(|f| rules.impute_for(f) != Impute::Drop).collect();
        // A category compared by value fills a missing value with its most common value (code 0).
        let fill: Vec<Option<f64>> = (0..d)
            .map(|j| match self.levels(j) {
                Some(_) => Some(0.0),
                None => model.cleaning_fit.fill.get(j).copied().flatten(),
            })
            .collect();
        let mut stages =
            Stages { kept: Kept { last: "numbers".into(), drop: String::new() }, stage: 0, filled: false };
        for rule in rules.in_order(features) {
            match rule {
                Rule::Missing(scope) => {
                    let read: Vec<String> = features
                        .iter()
                        .enumerate()
                        .map(|(j, f)| format!("{} AS __v{j}", self.value(f)))
                        .collect();
                    let _ = writeln!(sql, "valued AS (SELECT *, {} FROM numbers),", read.join(", "));
                    stages.kept.last = "valued".into();
                    stages.add(sql, self.missing(scope, &imputing));
                }
                Rule::DuplicateRows => {
                    let all: Vec<String> = self.columns.iter().map(|c| self.col(c)).collect();
                    stages.numbered(sql, "r1d", "__dup", &all.join(", "));
                }
                Rule::DuplicateIds => {
                    let id = model.training.id_column.as_ref().filter(|c| self.columns.contains(c));
                    if let Some(id) = id {
                        let key = if self.numeric.contains(&id) {
                            self.num(id)
                        } else {
                            format!("TRIM({})", self.dialect.text(&self.col(id)))
                        };
                        stages.numbered(sql, "r1i", "__dupid", &key);
                    }
                }
                Rule::Negative(scope) => stages.add(sql, self.numeric_hit(scope, "< 0")),
                Rule::Zero(scope) => stages.add(sql, self.numeric_hit(scope, "= 0")),
                Rule::Fill => stages.fill(sql, &fill, &imputing),
                Rule::Unfillable => {
                    stages.fill(sql, &fill, &imputing);
                    let unfillable: Vec<String> = (0..d)
                        .filter(|&j| imputing[j] && fill[j].is_none())
                        .map(|j| format!("__f{j} IS NULL"))
                        .collect();
                    if !unfillable.is_empty() {
                        stages.add(sql, unfillable.join(" OR "));
                    }
                }
                Rule::Outliers(_) => {
                    stages.fill(sql, &fill, &imputing);
                    let outside: Vec<String> = (0..d)
                        .filter_map(|j| {
                            let (lo, hi) = model.cleaning_fit.bounds.get(j).copied().flatten()?;
                            Some(format!("NOT (__f{j} BETWEEN {} AND {})", lit(lo), lit(hi)))
                        })
                        .collect();
                    if !outside.is_empty() {
                        stages.add(sql, outside.join(" OR "));
                    }
                }
            }
        }
        stages.fill(sql, &fill, &imputing);
        stages.kept
    }

    /// The missing-value rule's condition: every feature is a column (checked) and in scope of either
    /// rule, so a feature missing with no fill drops its row here as in the streaming apply.
    fn missing(&self, scope: Scope, imputing: &[bool]) -> String {
        let mut missing = Vec::new();
        for c in self.columns {
            if !self.in_scope(scope, c) {
                continue;
            }
            if let Some(j) = self.features.iter().position(|f| f == c) {
                if !imputing[j] {
                    missing.push(format!("__v{j} IS NULL"));
                }
            } else if self.numeric.contains(&c) {
                missing.push(format!("{} IS NULL", self.num(c)));
            } else {
                missing.push(self.is_marker(c));
            }
        }
        if missing.is_empty() {
            "FALSE".to_string()
        } else {
            missing.join(" OR ")
        }
    }

    /// A numeric column in `scope` whose number passes `test` ("< 0", "= 0").
    fn numeric_hit(&self, scope: Scope, test: &str) -> String {
        let hits: Vec<String> = self
            .numeric
            .iter()
            .filter(|c| self.in_scope(scope, c))
            .map(|c| format!("{} {test}", self.num(c)))
            .collect();
        if hits.is_empty() {
            "FALSE".into()
        } else {
            format!("({})", hits.join(" OR "))
        }
    }

    /// The kept rows' features, transformed and scaled as in training (`__x{j}`).
    fn scaled(&self, sql: &mut String, kept: &Kept) {
        let model = self.model;
        let scaled: Vec<String> = (0..self.features.len())
            .map(|j| {
                let x = match model.spec.transforms.get(&self.features[j]) {
                    Some(Transform::Log1p) => format!("SIGN(__f{j}) * LN(1e0 + ABS(__f{j}))"),
                    None => format!("__f{j}"),
                };
                let (o, s) = (model.scaler.offset[j], model.scaler.scale[j]);
                format!("({x} - {}) / {} AS __x{j}", lit(o), lit(s))
            })
            .collect();
        let _ = writeln!(
            sql,
            "scaled {} (SELECT *, {} FROM {} WHERE {} IS NULL),",
            self.dialect.reused(),
            scaled.join(", "),
            kept.last,
            kept.drop
        );
    }

    /// Every row back, in table order, with its segment and name.
    fn result(&self, sql: &mut String, kept: &Kept) {
        let dialect = self.dialect;
        let mut case = String::from("CASE");
        for (s, name) in self.model.names().iter().enumerate() {
            let _ = write!(
                case,
                " WHEN a.__segment = {s} THEN {}",
                text_lit(dialect, &crate::export::spreadsheet_safe(name))
            );
        }
        let _ = write!(
            case,
            " WHEN r.{} IS NOT NULL THEN {} ELSE {} END",
            kept.drop,
            text_lit(dialect, DROPPED),
            text_lit(dialect, NOISE)
        );
        let original: Vec<String> =
            self.columns.iter().map(|c| format!("r.{} AS {}", self.col(c), dialect.quote(c))).collect();
        let _ = writeln!(
            sql,
            "SELECT {}, CAST(a.__segment + 1 AS BIGINT) AS segment, {case} AS segment_name\nFROM {} AS r LEFT JOIN assigned AS a ON a.__row = r.__row\nORDER BY r.__row",
            original.join(", "),
            kept.last
        );
    }

    /// The assignment: each kept row's segment id (0-based), NULL for noise, as the stage `assigned`;
    /// returns the side table (name, CSV text) the query reads, when it has one.
    fn assignment(&self, sql: &mut String, side_name: &str) -> Result<Option<SideTable>> {
        match &self.model.assignment {
            Assignment::Centroids { centroids } => {
                // k-means, Ward, k-medoids: the squared distance to each centre.
                self.nearest(sql, centroids, &[], 0.0);
                Ok(None)
            }
            Assignment::Mixture { weights, means, covariances } => {
                self.mixture(sql, weights, means, covariances)?;
                Ok(None)
            }
            Assignment::Dbscan { eps, dims, core_points, core_segments } => {
                let cores =
                    DbscanCores { eps: *eps, dims: *dims, points: core_points, segments: core_segments };
                self.dbscan(sql, &cores, side_name)
            }
            Assignment::Rules { order, .. } => {
                self.rules(sql, order);
                Ok(None)
            }
            Assignment::Rfm { columns, edges, segment_of_group, .. } => {
                self.rfm(sql, columns, edges, segment_of_group);
                Ok(None)
            }
            Assignment::Prototypes { prototypes, categorical, gamma } => {
                // k-prototypes: gamma where a category differs from the prototype's value.
                self.nearest(sql, prototypes, categorical, *gamma);
                Ok(None)
            }
            Assignment::Hdbscan(_) => Err(CoreError::BadModel("this method is not written as SQL".into())),
        }
    }

    /// The nearest of `centres` (ties: the lower id) as the stage `assigned`: squared differences on
    /// each feature, or `gamma` where a feature in `categorical` differs from the centre's code.
    fn nearest(&self, sql: &mut String, centres: &[Vec<f64>], categorical: &[bool], gamma: f64) {
        let cost = |c: &[f64]| {
            let terms: Vec<String> = c
                .iter()
                .enumerate()
                .map(|(j, v)| {
                    if categorical.get(j).copied().unwrap_or(false) {
                        format!("CASE WHEN __x{j} = {} THEN 0e0 ELSE {} END", lit(*v), lit(gamma))
                    } else {
                        format!("(__x{j} - {0}) * (__x{j} - {0})", lit(*v))
                    }
                })
                .collect();
            format!("({})", terms.join(" + "))
        };
        let _ = writeln!(sql, "distances AS (");
        let parts: Vec<String> = centres
            .iter()
            .enumerate()
            .map(|(s, c)| format!("  SELECT __row, {s} AS __segment, {} AS __score FROM scaled", cost(c)))
            .collect();
        let _ = writeln!(sql, "{}\n),", parts.join("\n  UNION ALL\n"));
        let _ = writeln!(sql, "assigned AS ({})", self.dialect.pick("distances", "__score", "__segment", ""));
    }

    /// Most likely component (Gaussian mixture): the same forward substitution through the Cholesky
    /// factor as the apply.
    fn mixture(
        &self,
        sql: &mut String,
        weights: &[f64],
        means: &[Vec<f64>],
        covariances: &[Vec<f64>],
    ) -> Result<()> {
        let d = self.features.len();
        let mixture =
            crate::cluster::gmm::Mixture::new(weights.to_vec(), means.to_vec(), covariances.to_vec())
                .ok_or_else(|| {
                    CoreError::BadModel("its mixture's covariances are not positive definite".into())
                })?;
        let log_2pi = (2.0 * std::f64::consts::PI).ln();
        // y = L^-1 (x - mean), one column per step so no expression is repeated.
        let mut from = "scaled".to_string();
        for i in 0..d {
            let cols: Vec<String> = (0..weights.len())
                .map(|c| {
                    let l = mixture.cholesky(c);
                    let mut s = format!("(__x{i} - {})", lit(means[c][i]));
                    for jj in 0..i {
                        s = format!("({s} - {} * __y{c}_{jj})", lit(l[i * d + jj]));
                    }
                    format!("{s} / {} AS __y{c}_{i}", lit(l[i * d + i]))
                })
                .collect();
            let _ = writeln!(sql, "mix{i} AS (SELECT *, {} FROM {from}),", cols.join(", "));
            from = format!("mix{i}");
        }
        // A component of weight 0 is never the most likely (the apply's score is minus infinity):
        // left out, not written as a logarithm of 0.
        let parts: Vec<String> = (0..weights.len())
            .filter(|&c| weights[c] > 0.0 && weights[c].ln().is_finite())
            .map(|c| {
                let m2: Vec<String> = (0..d).map(|i| format!("__y{c}_{i} * __y{c}_{i}")).collect();
                let constant = d as f64 * log_2pi + mixture.log_det(c);
                format!(
                    "  SELECT __row, {c} AS __segment, {} - 5e-1 * ({} + ({})) AS __score FROM {from}",
                    lit(weights[c].ln()),
                    lit(constant),
                    m2.join(" + ")
                )
            })
            .collect();
        let _ = writeln!(sql, "scores AS (\n{}\n),", parts.join("\n  UNION ALL\n"));
        let _ = writeln!(sql, "assigned AS ({})", self.dialect.pick("scores", "-__score", "__segment", ""));
        Ok(())
    }

    /// RFM scores: each letter's score from the quintile edges fixed at training (in the scaled space
    /// the edges were kept in; a value equal to an edge scores as below it), then the segment of the
    /// recency and frequency scores' group, written from [`crate::cluster::rfm::group`] for each of the
    /// 25 pairs.
    fn rfm(
        &self,
        sql: &mut String,
        columns: &[usize; 3],
        edges: &[[f64; 4]; 3],
        segment_of_group: &[Option<u32>],
    ) {
        let below = |j: usize, e: &[f64; 4]| {
            let terms: Vec<String> =
                e.iter().map(|v| format!("CASE WHEN {} < __x{j} THEN 1 ELSE 0 END", lit(*v))).collect();
            format!("({})", terms.join(" + "))
        };
        let _ = writeln!(
            sql,
            "rfm_scores AS (SELECT __row, 5 - {} AS __r, 1 + {} AS __f FROM scaled),",
            below(columns[0], &edges[0]),
            below(columns[1], &edges[1])
        );
        let mut cases = Vec::new();
        for r in 1..=5u8 {
            for f in 1..=5u8 {
                if let Some(s) = segment_of_group.get(crate::cluster::rfm::group(r, f)).copied().flatten() {
                    cases.push(format!("WHEN __r = {r} AND __f = {f} THEN {s}"));
                }
            }
        }
        let _ = writeln!(
            sql,
            "assigned AS (SELECT __row, CASE {} END AS __segment FROM rfm_scores)",
            if cases.is_empty() { "WHEN FALSE THEN 0".to_string() } else { cases.join(" ") }
        );
    }

    /// The purchase lines per customer, as [`crate::transactions::aggregate`] counts them: lines without
    /// a customer, cancellations (an invoice of a C and a digit, or a negative quantity) and lines without
    /// a readable date or amount are left out; recency is the days from a customer's last purchase to the
    /// table's latest date (every line's), frequency the distinct invoices (without an invoice column,
    /// the distinct purchase days), monetary the sum of quantity x price (or of the amount), and the
    /// average order value monetary over frequency, both to 10 decimals as the app writes them.
    fn aggregate(&self, sql: &mut String, roles: &crate::transactions::TransactionColumns) {
        let dialect = self.dialect;
        let text = |c: &str| format!("TRIM({})", dialect.text(&self.col(c)));
        let customer = text(&roles.customer);
        let quantity = roles.quantity.as_deref().map(|c| self.num(c));
        let price = roles.price.as_deref().map(|c| self.num(c));
        let line = match (&quantity, &price, roles.amount.as_deref()) {
            (Some(q), Some(p), _) => format!("{q} * {p}"),
            (_, _, Some(a)) => self.num(a),
            _ => "NULL".into(),
        };
        let mut cancelled = Vec::new();
        if let Some(invoice) = roles.invoice.as_deref() {
            cancelled
                .push(format!("COALESCE({}, FALSE)", dialect.full_match(&text(invoice), "(?s)[Cc][0-9].*")));
        }
        if let Some(q) = &quantity {
            cancelled.push(format!("COALESCE({q} < 0e0, FALSE)"));
        }
        let cancelled = if cancelled.is_empty() { "FALSE".to_string() } else { cancelled.join(" OR ") };
        let order = match roles.invoice.as_deref() {
            Some(invoice) => format!("COALESCE({}, '')", text(invoice)),
            None => "__day0".into(),
        };
        // Spark: a stage numbered again stops its optimizer from pushing this filter into the stages
        // that read the lines' numbers and dates and inlining their expressions into it (a filter is
        // not moved through a non-deterministic column), which ran it out of memory while planning.
        // The filter names the fence (always true), so the fence is not pruned away before it.
        let (from, fenced) = if dialect == Dialect::Spark {
            let _ = writeln!(
                sql,
                "lines_fenced AS (SELECT *, monotonically_increasing_id() AS __fence FROM lines_numbers),"
            );
            ("lines_fenced", " AND __fence >= 0")
        } else {
            ("lines_numbers", "")
        };
        let _ = writeln!(
            sql,
            "lines_used AS (SELECT {customer} AS __customer, {order} AS __order, __day0 AS __day, __latest0 AS __latest, \
             {line} AS __line FROM {from} WHERE {customer} IS NOT NULL AND {customer} <> '' AND {customer} NOT IN \
             ({}) AND NOT ({cancelled}) AND ({line}) IS NOT NULL AND __day0 IS NOT NULL{fenced}),",
            self.markers
        );
        let [id, recency, frequency, monetary, average] =
            crate::transactions::RFM_COLUMNS.map(|c| dialect.quote(c));
        let _ = writeln!(
            sql,
            "customers_agg AS (SELECT __customer AS {id}, CAST(FLOOR(MAX(__latest) - MAX(__day)) AS DOUBLE) AS {recency}, \
             CAST(COUNT(DISTINCT __order) AS DOUBLE) AS {frequency}, ROUND(SUM(__line), 10) AS {monetary}, \
             ROUND(SUM(__line) / COUNT(DISTINCT __order), 10) AS {average} FROM lines_used GROUP BY __customer),"
        );
    }

    /// A rule model: the rules in the file's units, on the filled values, as a marketer reads them.
    fn rules(&self, sql: &mut String, order: &[u32]) {
        let model = self.model;
        let mut cases = Vec::new();
        for &s in order {
            let Some(segment) = model.segments.get(s as usize) else { continue };
            let Some(rule) = &segment.rule else { continue };
            let mut sets = Vec::new();
            for set in rule.clauses() {
                let conditions: Vec<String> = set
                    .iter()
                    .filter_map(|c| {
                        let j = self.features.iter().position(|f| f == &c.feature)?;
                        if let Some(value) = &c.value {
                            // A category: its value's code among the model's values (`__f` holds codes).
                            let code = self.levels(j)?.iter().position(|n| n == value)?;
                            let op = if c.above { "<>" } else { "=" };
                            return Some(format!("__f{j} {op} {}", lit(code as f64)));
                        }
                        Some(format!("__f{j} {} {}", if c.above { ">" } else { "<=" }, lit(c.threshold)))
                    })
                    .collect();
                if conditions.len() != set.len() {
                    sets.clear();
                    break;
                }
                sets.push(format!("({})", conditions.join(" AND ")));
            }
            if sets.is_empty() {
                continue;
            }
            let _ =
                writeln!(sql, "-- segment {} {}: {}", s + 1, comment(&segment.name), comment(&rule.words()));
            cases.push(format!("WHEN {} THEN {s}", sets.join(" OR ")));
        }
        let _ = writeln!(
            sql,
            "assigned AS (SELECT __row, CASE {} END AS __segment FROM scaled)",
            cases.join(" ")
        );
    }

    /// Nearest core point within eps (DBSCAN), through a grid of cells of side h = eps / 2 on the first
    /// (up to) three features: a core point within eps of a row is at most two cells away on each.
    /// First each row meets the core points of its own cell only, and is settled when its nearest one
    /// there is within eps and either closer than the cell's walls (no other core point can be nearer)
    /// or the cell is pure: every core point in the 5^g cells around it has the same segment, so
    /// whichever is nearest, the segment is that one. The others (near a wall of a mixed cell, or with
    /// no core point within eps in their cell) meet the 5^g cells around theirs. Returns the side table.
    fn dbscan(
        &self,
        sql: &mut String,
        cores: &DbscanCores,
        side_name: &str,
    ) -> Result<Option<(String, String)>> {
        let dialect = self.dialect;
        let (eps, dims) = (cores.eps, cores.dims);
        if dims == 0 {
            return Err(CoreError::BadModel("the model has no feature".into()));
        }
        let g = dims.min(3);
        let h = eps / 2.0;
        // Every constant the query holds is a finite double, and every core point's cell an integer
        // well inside INT64 (a row's cell is clamped to that range below, which keeps a row beyond it
        // away from every core point, as it is).
        let cells_fit = cores
            .points
            .chunks(dims)
            .all(|p| p.iter().take(g).all(|v| (v / h).is_finite() && (v / h).abs() < CELL_LIMIT - 8.0));
        if !(h.is_normal() && (eps * eps).is_finite() && cells_fit) {
            return Err(CoreError::BadModel(format!(
                "its eps ({eps:e}) is too large or too small for SQL's numbers: the grid the query \
                 finds neighbours with has cells of eps / 2, numbered as 64-bit integers, and eps \
                 is squared. Fit it again with an eps between 1e-100 and 1e100 on the scaled values"
            )));
        }
        let (side_table, select) = cores.side_table(dialect, safe_file_name(side_name));
        let _ = writeln!(sql, "cores AS ({select}),");
        let offsets: Vec<String> = neighbour_offsets(g)
            .iter()
            .map(|o| {
                let cols: Vec<String> = o.iter().enumerate().map(|(k, v)| format!("{v} AS o{k}")).collect();
                format!("SELECT {}", cols.join(", "))
            })
            .collect();
        let _ = writeln!(sql, "neighbours AS ({}),", offsets.join(" UNION ALL "));
        let xs: Vec<String> = (0..dims).map(|j| format!("__x{j}")).collect();
        let limit = lit(CELL_LIMIT);
        let cells: Vec<String> = (0..g)
            .map(|k| {
                format!(
                    "CAST(FLOOR(GREATEST(-{limit}, LEAST({limit}, __x{k} / {}))) AS BIGINT) AS __c{k}",
                    lit(h)
                )
            })
            .collect();
        let _ = writeln!(
            sql,
            "rowcells {} (SELECT __row, {}, {} FROM scaled),",
            dialect.reused(),
            xs.join(", "),
            cells.join(", ")
        );
        let dist = |row: &str| -> String {
            (0..dims)
                .map(|j| format!("({row}.__x{j} - c.x{j}) * ({row}.__x{j} - c.x{j})"))
                .collect::<Vec<_>>()
                .join(" + ")
        };
        let within = format!(" WHERE __score <= {}", lit(eps * eps));
        // The candidate pairs of `from` (alias `a`, cell columns `cell`) and the core points in their cells.
        let pairs = |name: &str, from: &str, a: &str, cell: &str| -> String {
            let on: Vec<String> = (0..g).map(|k| format!("c.cell{k} = {a}.{cell}{k}")).collect();
            format!(
                "{name} AS (SELECT {a}.__row, c.segment AS __segment, c.core, {} AS __score FROM {from} AS {a} JOIN cores AS c ON {}),",
                dist(a),
                on.join(" AND ")
            )
        };
        let _ = writeln!(sql, "{}", pairs("own_pairs", "rowcells", "r", "__c"));
        let _ = writeln!(
            sql,
            "own {} ({}),",
            dialect.reused(),
            dialect.pick_with_score("own_pairs", "__score", "core", &within)
        );
        // The distance from the row to its cell's nearer wall on each grid feature, less a margin for
        // the rounding of the cell's edges.
        let margin = lit(eps * 1e-9);
        let walls: Vec<String> = (0..g)
            .map(|k| {
                let wall = format!(
                    "(LEAST(r.__x{k} - CAST(r.__c{k} AS DOUBLE) * {h}, CAST(r.__c{k} + 1 AS DOUBLE) * {h} - r.__x{k}) - {margin})",
                    h = lit(h)
                );
                format!("{wall} > 0e0 AND {wall} * {wall} > o.__best")
            })
            .collect();
        let pure_on: Vec<String> = (0..g).map(|k| format!("p.cell{k} = r.__c{k}")).collect();
        let cell_cols: Vec<String> = (0..g).map(|k| format!("cell{k}")).collect();
        let _ = writeln!(
            sql,
            "pure_cells AS (SELECT DISTINCT {} FROM cores WHERE pure = 1),",
            cell_cols.join(", ")
        );
        let _ = writeln!(
            sql,
            "settled {} (SELECT o.__row, o.__segment FROM own AS o JOIN rowcells AS r ON r.__row = o.__row LEFT JOIN pure_cells AS p ON {} WHERE p.cell0 IS NOT NULL OR ({})),",
            dialect.reused(),
            pure_on.join(" AND "),
            walls.join(" AND ")
        );
        let _ = writeln!(
            sql,
            "unsettled AS (SELECT r.* FROM rowcells AS r LEFT JOIN settled AS s ON s.__row = r.__row WHERE s.__row IS NULL),"
        );
        let probe_cells: Vec<String> = (0..g).map(|k| format!("u.__c{k} + nb.o{k} AS __p{k}")).collect();
        let _ = writeln!(
            sql,
            "probes AS (SELECT u.__row, {}, {} FROM unsettled AS u CROSS JOIN neighbours AS nb),",
            (0..dims).map(|j| format!("u.__x{j}")).collect::<Vec<_>>().join(", "),
            probe_cells.join(", ")
        );
        let _ = writeln!(sql, "{}", pairs("near", "probes", "p", "__p"));
        let _ = writeln!(
            sql,
            "assigned AS (SELECT __row, __segment FROM settled UNION ALL {})",
            dialect.pick("near", "__score", "core", &within)
        );
        Ok(side_table)
    }
}

/// A side table the query reads: its file name and CSV text.
type SideTable = (String, String);

/// `, a, b` added to a stage's `SELECT *` (nothing when a model has no numeric column to read).
fn more(items: &[String]) -> String {
    items.iter().map(|i| format!(", {i}")).collect()
}

/// The cleaning stages as they are written: the stage the rows are in, how many rules dropped rows so
/// far, and whether the filled values are written yet.
struct Stages {
    kept: Kept,
    stage: usize,
    filled: bool,
}

impl Stages {
    /// A rule's stage: its column holds the number of the first rule that dropped the row (this one's
    /// when `drop_when` holds and no earlier one did).
    fn add(&mut self, sql: &mut String, drop_when: String) {
        self.stage += 1;
        let (stage, name, column) = (self.stage, format!("r{}", self.stage), format!("__d{}", self.stage));
        let drop = if stage == 1 {
            format!("CASE WHEN {drop_when} THEN 1 END")
        } else {
            format!("COALESCE({}, CASE WHEN {drop_when} THEN {stage} END)", self.kept.drop)
        };
        let _ = writeln!(sql, "{name} AS (SELECT *, {drop} AS {column} FROM {}),", self.kept.last);
        self.kept = Kept { last: name, drop: column };
    }

    /// A duplicate rule: the rows numbered within each `key` among those no earlier rule dropped (the
    /// first in table order kept) as the stage `name`, then the rule's stage.
    fn numbered(&mut self, sql: &mut String, name: &str, column: &str, key: &str) {
        let _ = writeln!(
            sql,
            "{name} AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY ({} IS NULL), {key} ORDER BY __row) AS {column} FROM {}),",
            self.kept.drop,
            self.kept.last
        );
        self.kept.last = name.into();
        self.add(sql, format!("{column} > 1"));
    }

    /// The filled values (`__f{j}`: the training fill where a feature is filled), once.
    fn fill(&mut self, sql: &mut String, fill: &[Option<f64>], imputing: &[bool]) {
        if std::mem::replace(&mut self.filled, true) {
            return;
        }
        let filled: Vec<String> = (0..fill.len())
            .map(|j| match fill[j] {
                Some(v) if imputing[j] => format!("COALESCE(__v{j}, {}) AS __f{j}", lit(v)),
                _ => format!("__v{j} AS __f{j}"),
            })
            .collect();
        let _ = writeln!(sql, "filled AS (SELECT *, {} FROM {}),", filled.join(", "), self.kept.last);
        self.kept.last = "filled".into();
    }
}

/// A DBSCAN model's core points, as the query reads them.
struct DbscanCores<'m> {
    eps: f64,
    dims: usize,
    points: &'m [f64],
    segments: &'m [u32],
}

impl DbscanCores<'_> {
    /// The side table of core points (its name and CSV text) and the SELECT that reads it: each core
    /// point's id, segment, cell on the grid features, whether its cell is pure, and coordinates.
    /// (The ANSI dialect holds the points inline: no side table.)
    fn side_table(&self, dialect: Dialect, side: String) -> (Option<SideTable>, String) {
        let (dims, g, h) = (self.dims, self.dims.min(3), self.eps / 2.0);
        let n = self.segments.len().min(self.points.len() / dims.max(1));
        let pure = pure_cells(h, g, dims, self.points, self.segments);
        // The side table's columns, (name, type): its header, DuckDB's types, Spark's casts.
        let mut core_cols = vec![("core".to_string(), "BIGINT"), ("segment".to_string(), "BIGINT")];
        core_cols.extend((0..g).map(|k| (format!("cell{k}"), "BIGINT")));
        core_cols.push(("pure".to_string(), "BIGINT"));
        core_cols.extend((0..dims).map(|j| (format!("x{j}"), "DOUBLE")));
        let names: Vec<&str> = core_cols.iter().map(|(name, _)| name.as_str()).collect();
        let mut csv = names.join(",");
        csv.push('\n');
        let points = self.points.chunks(dims).zip(self.segments).zip(&pure);
        for (i, ((p, segment), pure)) in points.enumerate().take(n) {
            let _ = write!(csv, "{i},{segment}");
            for v in p.iter().take(g) {
                let _ = write!(csv, ",{}", cell(*v, h));
            }
            let _ = write!(csv, ",{}", u8::from(*pure));
            for v in p {
                let _ = write!(csv, ",{v:e}");
            }
            csv.push('\n');
        }
        match dialect {
            Dialect::DuckDb => {
                let types: Vec<String> =
                    core_cols.iter().map(|(name, ty)| format!("'{name}': '{ty}'")).collect();
                let select = format!(
                    "SELECT * FROM read_csv({}, header = true, columns = {{{}}})",
                    text_lit(dialect, &side),
                    types.join(", ")
                );
                (Some((side, csv)), select)
            }
            Dialect::Spark => {
                // Spark's `csv.` path reads every line as data: no header line.
                let body = csv.split_once('\n').map_or("", |(_, rest)| rest).to_string();
                let casts: Vec<String> =
                    core_cols.iter().map(|(name, ty)| format!("CAST({name} AS {ty}) AS {name}")).collect();
                let select = format!(
                    "SELECT {} FROM (SELECT * FROM csv.`{}`) AS raw ({})",
                    casts.join(", "),
                    side,
                    names.join(", ")
                );
                (Some((side, body)), select)
            }
            Dialect::Ansi => {
                let rows: Vec<String> = csv.lines().skip(1).map(|l| format!("({l})")).collect();
                let select =
                    format!("SELECT * FROM (VALUES {}) AS v ({})", rows.join(", "), names.join(", "));
                (None, select)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_quoted_for_each_dialect() {
        assert_eq!(Dialect::DuckDb.quote("a \"b\""), "\"a \"\"b\"\"\"");
        assert_eq!(Dialect::Spark.quote("a `b`"), "`a ``b```");
        assert_eq!(Dialect::parse("Spark"), Some(Dialect::Spark));
        assert_eq!(Dialect::parse("oracle"), None);
        assert_eq!(text_lit(Dialect::DuckDb, "it's"), "'it''s'");
        assert_eq!(text_lit(Dialect::Spark, r"it's \d"), r"'it\'s \\d'");
    }

    #[test]
    fn table_names_are_read_in_parts_and_quoted_each() {
        assert_eq!(table_parts("main.customers"), Ok(vec!["main".to_string(), "customers".to_string()]));
        assert_eq!(table_parts(r#""my.table""#), Ok(vec!["my.table".to_string()]));
        assert_eq!(table_parts(r#"s."a""b""#), Ok(vec!["s".to_string(), "a\"b".to_string()]));
        assert_eq!(table_parts("c.`x.y`.t").map(|p| p.len()), Ok(3));
        for bad in ["", "a..b", "a.", r#""open"#, r#""a"b"#] {
            assert!(table_parts(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            table_name(Dialect::DuckDb, "main.customers").ok(),
            Some((r#""main"."customers""#.to_string(), "customers".to_string()))
        );
        assert_eq!(table_name(Dialect::Spark, "db.t").ok().map(|t| t.0).as_deref(), Some("`db`.`t`"));
        assert!(matches!(table_name(Dialect::Spark, "t_${env:HOME}"), Err(CoreError::Sql(_))));
        assert!(table_name(Dialect::DuckDb, "t_${env:HOME}").is_ok());
    }

    #[test]
    fn names_an_engine_would_confuse_are_refused_with_the_reason() {
        let cols = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let err = check_names(Dialect::DuckDb, &cols(&["id", "Spend", "spend"]));
        assert!(
            matches!(&err, Err(CoreError::Sql(m)) if m.contains("\"Spend\"") && m.contains("case")),
            "{err:?}"
        );
        assert!(check_names(Dialect::Ansi, &cols(&["Straße", "STRASSE"])).is_ok(), "not equal in lower case");
        assert!(check_names(Dialect::DuckDb, &cols(&["a", "${env:HOME}"])).is_ok());
        assert!(matches!(check_names(Dialect::Spark, &cols(&["a", "${env:HOME}"])), Err(CoreError::Sql(_))));
    }

    #[test]
    fn spark_literals_and_comments_hold_no_variable() {
        let l = text_lit(Dialect::Spark, "${env:HOME} costs $5");
        assert!(!l.contains('$'), "{l}");
        assert_eq!(l, r"'\u0024{env:HOME} costs \u00245'");
        assert!(!comment("file ${system:user.name}.csv").contains("${"));
    }

    #[test]
    fn side_table_names_are_one_safe_text() {
        assert_eq!(safe_file_name("q'x`y.spark-cores.csv"), "q_x_y.spark-cores.csv");
        assert_eq!(safe_file_name("../etc/passwd"), ".._etc_passwd");
        assert_eq!(safe_file_name(".."), "segments-cores.csv");
        assert_eq!(safe_file_name("jan-cores.csv"), "jan-cores.csv");
    }

    #[test]
    fn comment_text_stays_on_its_line() {
        assert_eq!(comment("jan.csv\nDROP TABLE customers; --"), "jan.csv DROP TABLE customers; --");
        assert_eq!(comment("a\rb\tc"), "a b c");
        assert!(!comment("x\u{0085}y").contains('\u{0085}'));
    }

    #[test]
    fn a_cell_is_pure_when_every_core_point_within_two_cells_shares_its_segment() {
        // Cells of side 1 on both features. Segment 0 at (0.5, 0.5) and (1.5, 0.5); segment 1 at
        // (3.5, 0.5), two cells from the second point and three from the first; segment 1 again at
        // (9.5, 9.5), alone.
        let points = [0.5, 0.5, 1.5, 0.5, 3.5, 0.5, 9.5, 9.5];
        let pure = pure_cells(1.0, 2, 2, &points, &[0, 0, 1, 1]);
        assert_eq!(pure, vec![true, false, false, true]);
        // A cell holding two segments is mixed for both.
        let pure = pure_cells(1.0, 1, 2, &[0.2, 0.0, 0.7, 5.0], &[0, 1]);
        assert_eq!(pure, vec![false, false]);
        // Negative values fall in the cells below zero, not in cell 0.
        assert_eq!(cell(-0.1, 1.0), -1);
    }

    #[test]
    fn number_literals_give_back_the_exact_double() {
        for v in [0.1, -2.5e-300, 1.0 / 3.0, 123456789.125, 4.0e-2, f64::MAX, f64::MIN_POSITIVE] {
            let l = lit(v);
            assert!(l.contains('e'), "{l} is read as a double, not a decimal");
            assert_eq!(l.parse::<f64>().ok(), Some(v), "{l}");
        }
    }
}

//! Which columns a new file is segmented on by default, as an analyst would pick them, and why each other
//! column is left out. Each column gets a [`ColumnRole`] read from its values: measures (numbers that
//! vary) and dates (as days before the latest date) are what customers do and are segmented on; yes/no
//! flags and categories describe the segments (their shares are shown per segment) but do not define
//! them unless the person ticks them, since a split on a flag is crisp and says nothing of behaviour;
//! constants, near-constants (one value in at least 99% of the filled rows), identifiers, row numbers,
//! codes (postal codes, phone numbers: numbers that name things, told by their values as well as their
//! names) and free text are never features by default. Heavily skewed non-negative amounts (spend,
//! counts) get `log` by default, and a feature missing in many rows is filled with its median instead of
//! dropping those customers. Every choice carries its reason in plain words, shown in the Columns table.

use crate::clean::Impute;
use crate::ingest::{looks_like_id, Column, ColumnKind, Table};
use serde::{Deserialize, Serialize};

/// One value in at least this share of the filled rows makes a column near-constant.
pub const NEAR_CONSTANT_SHARE: f64 = 0.99;
/// A column missing in more than this share of rows is left out (using it would fill or drop most rows).
pub const MOSTLY_MISSING_SHARE: f64 = 0.5;
/// A value that stands for "none" (see [`none_code`]) in at least this share of rows: the column is
/// mostly missing in disguise.
pub const MOSTLY_NONE_SHARE: f64 = 0.5;
/// A feature missing in more than this share of rows is filled with its median rather than dropping them.
pub const FILL_MISSING_SHARE: f64 = 0.05;
/// Sample skewness above which a non-negative amount gets `log` (Bulmer's "highly skewed": beyond 1).
pub const SKEWED: f64 = 1.0;
/// A column of at most this many values (a yes/no flag, a level such as 1-4) is discrete: a split on it
/// is crisp by construction, so it describes segments rather than defining them by default, and a
/// segmentation that only follows one or two such columns never qualifies (`auto::rule`).
pub const FEW_LEVELS: usize = 4;
/// Fewer distinct values than this and a column is a level or a count of few values, not an amount.
const MIN_DISTINCT_FOR_LOG: usize = 8;

/// What a column is, read from its values (and, as a hint, its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    /// Numbers that measure what customers do or are (spend, visits, age): segmented on by default.
    #[default]
    Measure,
    /// A date: segmented on as days before the file's latest date.
    Date,
    /// Two values (yes/no, 1/0): describes the segments, segmented on only when ticked.
    Flag,
    /// Whole numbers of a few levels (children at home 0-2, products held 1-4): describes the segments.
    Level,
    /// Text with few distinct values (a country, a plan): describes the segments.
    Category,
    /// Numbers that name things (postal codes, phone numbers, store or product codes).
    Code,
    /// A different value in (nearly) every row.
    Identifier,
    /// 1, 2, 3... without a gap.
    RowNumber,
    /// Names, addresses, notes.
    Text,
    /// The same value in (nearly) every row, empty, or missing in most rows.
    Unusable,
}

impl ColumnRole {
    /// The role in a word or two, as the Columns table shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Measure => "measure",
            Self::Date => "date",
            Self::Flag => "yes/no flag",
            Self::Level => "level",
            Self::Category => "category",
            Self::Code => "code",
            Self::Identifier => "identifier",
            Self::RowNumber => "row number",
            Self::Text => "free text",
            Self::Unusable => "unusable",
        }
    }

    /// Columns that describe segments without defining them by default (flags and categories).
    pub fn describes(self) -> bool {
        matches!(self, Self::Flag | Self::Level | Self::Category)
    }
}

/// The default for one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnAdvice {
    pub name: String,
    /// What the column is, from its values.
    #[serde(default)]
    pub role: ColumnRole,
    /// Segment on it by default.
    pub feature: bool,
    /// Why it is a feature, or why it is left out, in plain words.
    pub reason: String,
    /// Set when the feature gets `log` by default: why.
    pub log: Option<String>,
    /// Set when its missing values are filled by default instead of dropping those rows.
    pub fill: Option<Impute>,
    /// False for a column that is constant or near-constant (or empty): it cannot tell customers apart.
    #[serde(default)]
    pub varies: bool,
}

/// The figures the advice rests on, for one column's filled values.
struct ValueStats {
    filled: usize,
    min: f64,
    /// The most common value and the share of filled rows that hold it.
    mode: f64,
    mode_share: f64,
    skewness: f64,
    /// Pearson's kurtosis (3 for a bell curve, 1.8 for an even spread).
    kurtosis: f64,
    median: f64,
    max: f64,
    /// The share of filled values that are 1 (a yes/no column's share of yes).
    mean_of_ones: f64,
}

/// How `mode` lies apart from the column's other values, in words, when it stands for "none" rather than
/// measuring: the only negative value of a column otherwise at or above 0 (-1, -99, -999 for "never
/// contacted"), or a run of nines (99, 999, 9999) at least twice every other value. None otherwise.
fn none_code(values: &crate::ingest::values::Values, mode: f64) -> Option<&'static str> {
    let others = || values.iter().filter(|v| v.is_finite() && *v != mode);
    if mode < 0.0 {
        return others().all(|v| v >= 0.0).then_some("the only value below 0");
    }
    let nines = mode >= 99.0 && mode.fract() == 0.0 && format!("{mode}").bytes().all(|b| b == b'9');
    (nines && others().all(|v| v <= mode / 2.0)).then_some("nines, over twice every other value")
}

fn value_stats(values: &crate::ingest::values::Values) -> Option<ValueStats> {
    let filled: Vec<f64> = values.iter().filter(|v| v.is_finite()).collect();
    let n = filled.len();
    if n == 0 {
        return None;
    }
    // The most common value: a majority vote (Boyer-Moore) finds it whenever it holds over half the
    // rows, which is all a near-constant test needs; then count it exactly.
    let (mut candidate, mut votes) = (filled[0], 0usize);
    for &v in &filled {
        if votes == 0 {
            candidate = v;
        }
        votes = if v == candidate { votes + 1 } else { votes - 1 };
    }
    let mode_count = filled.iter().filter(|&&v| v == candidate).count();
    let mean = filled.iter().sum::<f64>() / n as f64;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for &v in &filled {
        let d = v - mean;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    let (m2, m3, m4) = (m2 / n as f64, m3 / n as f64, m4 / n as f64);
    let skewness = if m2 > 0.0 { m3 / m2.powf(1.5) } else { 0.0 };
    let kurtosis = if m2 > 0.0 { m4 / (m2 * m2) } else { 0.0 };
    let (min, max) =
        filled.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    // The median without sorting the column (a million rows at load): the middle value(s) by selection.
    let mut values = filled;
    let upper = *values.select_nth_unstable_by(n / 2, f64::total_cmp).1;
    let median = if n % 2 == 1 {
        upper
    } else {
        let lower = values[..n / 2].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    };
    Some(ValueStats {
        filled: n,
        min,
        mode: candidate,
        mode_share: mode_count as f64 / n as f64,
        skewness,
        kurtosis,
        median,
        max,
        mean_of_ones: values.iter().filter(|&&v| v == 1.0).count() as f64 / n as f64,
    })
}

/// Words in a column name that say it holds a code, not a quantity (a hint beside the values' evidence).
fn is_code_name(name: &str) -> bool {
    let n: String = name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    [
        "zip",
        "postal",
        "postcode",
        "plz",
        "codpostal",
        "codigopostal",
        "cep",
        "phone",
        "telefon",
        "telephone",
        "telefono",
        "mobile",
        "fax",
        "iban",
        "sku",
        "ean",
        "isbn",
        "storeno",
        "storenr",
        "storecode",
        "storeid",
        "branchcode",
        "productcode",
        "productid",
        "itemcode",
        "areacode",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// Numbers that name things rather than measure them, told by their values: whole numbers of at least
/// four digits that spread evenly across their width (postal codes, store or product numbers) rather
/// than gathering around a typical value as an amount, a salary or a year does. An even spread has a
/// kurtosis near 1.8 (a bell curve 3, skewed amounts far more); codes also span a large part of their
/// digits' range (a year or a four-digit amount does not).
fn is_code_by_values(c: &Column, stats: &ValueStats) -> bool {
    if c.kind != ColumnKind::Numeric || stats.min < 1000.0 || c.distinct < 20 || stats.kurtosis > 2.4 {
        return false;
    }
    if !c.values.iter().all(|v| !v.is_finite() || v.fract() == 0.0) {
        return false;
    }
    let width = 10f64.powi(stats.max.log10().floor() as i32 + 1);
    (stats.max - stats.min) >= 0.3 * width
}

/// A numeric column of distinct whole numbers that run without a gap (1..n, 0..n-1): row numbers.
fn is_row_numbers(c: &Column, stats: &ValueStats) -> bool {
    c.kind == ColumnKind::Numeric
        && c.distinct == stats.filled
        && stats.filled >= 2
        && (stats.max - stats.min + 1.0 - stats.filled as f64).abs() < 0.5
        && c.values.iter().all(|v| !v.is_finite() || v.fract() == 0.0)
}

fn percent(share: f64) -> String {
    let p = share * 100.0;
    if (99.0..100.0).contains(&p) {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

fn short(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

/// The default of every column of the table, in column order.
pub fn advise(table: &Table) -> Vec<ColumnAdvice> {
    let mut advice: Vec<ColumnAdvice> =
        table.columns.iter().map(|c| advise_column(c, table.n_rows)).collect();
    // Beyond the feature limit, the first ones are advised and the rest left out, saying so.
    for a in advice.iter_mut().filter(|a| a.feature).skip(crate::limits::MAX_FEATURES) {
        a.feature = false;
        a.log = None;
        a.fill = None;
        a.reason = format!(
            "left out: an analysis segments on at most {} columns (the first ones were taken); choose which in this table",
            crate::limits::MAX_FEATURES
        );
    }
    advice
}

fn left_out(c: &Column, role: ColumnRole, reason: String) -> ColumnAdvice {
    ColumnAdvice {
        name: c.name.clone(),
        role,
        feature: false,
        reason: format!("left out: {reason}"),
        log: None,
        fill: None,
        varies: true,
    }
}

fn same_everywhere(c: &Column, reason: String) -> ColumnAdvice {
    ColumnAdvice { varies: false, ..left_out(c, ColumnRole::Unusable, reason) }
}

fn advise_column(c: &Column, n_rows: usize) -> ColumnAdvice {
    let missing = c.missing.count() + c.not_a_number;
    let missing_share = missing as f64 / n_rows.max(1) as f64;
    match c.kind {
        ColumnKind::Empty => return same_everywhere(c, "empty".into()),
        ColumnKind::Text if looks_like_id(c, n_rows) => {
            return left_out(
                c,
                ColumnRole::Identifier,
                "an identifier (a different value in every row)".into(),
            )
        }
        ColumnKind::Text => {
            return left_out(c, ColumnRole::Text, "free text (names, addresses, notes), not a measure".into())
        }
        ColumnKind::Categorical => {
            return ColumnAdvice {
                reason: format!(
                    "describes the segments: a category ({} values), shown as each segment's shares; choose \
                     \"segment on it\" to use how common each value is",
                    c.distinct
                ),
                ..left_out(c, ColumnRole::Category, String::new())
            }
        }
        ColumnKind::Numeric | ColumnKind::Boolean | ColumnKind::Date => {}
    }
    let Some(stats) = value_stats(&c.values) else { return same_everywhere(c, "no readable value".into()) };
    if is_row_numbers(c, &stats) {
        return left_out(c, ColumnRole::RowNumber, "row numbers (1, 2, 3... without a gap)".into());
    }
    if looks_like_id(c, n_rows) {
        return left_out(c, ColumnRole::Identifier, "an identifier".into());
    }
    if c.distinct <= 1 {
        return same_everywhere(c, "the same value in every row (constant)".into());
    }
    if stats.mode_share >= NEAR_CONSTANT_SHARE {
        let value = match c.kind {
            ColumnKind::Boolean => if stats.mode == 1.0 { "yes" } else { "no" }.to_string(),
            ColumnKind::Date => crate::ingest::date::iso_date(stats.mode as i64),
            _ => short(stats.mode),
        };
        return same_everywhere(
            c,
            format!(
                "{} of rows hold the same value ({value}): it cannot tell customers apart",
                percent(stats.mode_share)
            ),
        );
    }
    if missing_share > MOSTLY_MISSING_SHARE {
        return left_out(c, ColumnRole::Unusable, format!("missing in {} of rows", percent(missing_share)));
    }
    let mostly_one = c.kind == ColumnKind::Numeric && stats.mode_share >= MOSTLY_NONE_SHARE;
    if let Some(apart) = mostly_one.then(|| none_code(&c.values, stats.mode)).flatten() {
        return left_out(
            c,
            ColumnRole::Unusable,
            format!(
                "{} in {} of rows, a code for \"none\" ({apart}): only {} of customers have a value, and the \
                 code would split them crisply whatever they do",
                short(stats.mode),
                percent(stats.mode_share),
                percent(1.0 - stats.mode_share)
            ),
        );
    }
    if c.kind == ColumnKind::Numeric && is_code_name(&c.name) {
        return left_out(c, ColumnRole::Code, "a code (postal code, phone number...), not a quantity".into());
    }
    if is_code_by_values(c, &stats) {
        return left_out(
            c,
            ColumnRole::Code,
            format!(
                "a code: whole numbers of {} digits spread evenly from {} to {} (postal codes, store or product \
                 numbers name things, they do not measure them)",
                short(stats.max.log10().floor() + 1.0),
                short(stats.min),
                short(stats.max)
            ),
        );
    }
    if c.kind == ColumnKind::Boolean || c.distinct == 2 {
        let share = if c.kind == ColumnKind::Boolean {
            format!("yes in {}", percent(stats.mean_of_ones))
        } else {
            format!("two values ({} and {})", short(stats.min), short(stats.max))
        };
        let mut advice = left_out(c, ColumnRole::Flag, String::new());
        advice.reason = format!(
            "describes the segments: a yes/no flag ({share}), shown as each segment's share; tick it to segment \
             on it (a split on a flag alone is never the default)"
        );
        return advice;
    }
    if c.kind == ColumnKind::Numeric && c.distinct <= FEW_LEVELS {
        let mut advice = left_out(c, ColumnRole::Level, String::new());
        advice.reason = format!(
            "describes the segments: {} levels ({} to {}), shown as each segment's mean; tick it to segment on it \
             (a split on a few levels is crisp whatever the customers do)",
            c.distinct,
            short(stats.min),
            short(stats.max)
        );
        return advice;
    }
    let (role, mut reason) = match c.kind {
        ColumnKind::Date => {
            (ColumnRole::Date, "a date, as days before the file's latest date (a recency)".to_string())
        }
        _ => (ColumnRole::Measure, "numbers that vary".to_string()),
    };
    let fill = (missing_share > FILL_MISSING_SHARE).then(|| {
        reason.push_str(&format!(
            "; missing in {} of rows, filled with the median so those customers stay",
            percent(missing_share)
        ));
        Impute::Median
    });
    let log = (c.kind == ColumnKind::Numeric
        && stats.min >= 0.0
        && c.distinct >= MIN_DISTINCT_FOR_LOG
        && stats.skewness > SKEWED)
        .then(|| {
            let spread = if stats.median > 0.0 {
                format!(", the largest value {:.0}x the median", stats.max / stats.median)
            } else {
                String::new()
            };
            format!(
                "skewed (skewness {:.1}{spread}): a few large values would otherwise set the segments",
                stats.skewness
            )
        });
    ColumnAdvice { name: c.name.clone(), role, feature: true, reason, log, fill, varies: true }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        crate::ingest::read_csv(text.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"))
    }

    fn advice_of<'a>(all: &'a [ColumnAdvice], name: &str) -> &'a ColumnAdvice {
        all.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("no advice for {name}"))
    }

    #[test]
    fn an_analyst_s_choice_of_columns_with_reasons() {
        let mut text = String::from(
            "row,customer_id,zip,plan,note,constant,rare,spend,visits,member,joined,age,loc,income\n",
        );
        for i in 0..200 {
            let spend = if i % 25 == 0 { 5000.0 + i as f64 } else { 10.0 + (i % 17) as f64 };
            text.push_str(&format!(
                "{},C{:04},{},{},note {},3,{},{spend},{},{},2024-01-{:02},{},{},{}\n",
                i + 1,
                i * 7 % 200,
                10_000 + (i % 150) * 37,
                ["gold", "basic"][i % 2],
                i % 60,
                u8::from(i == 7),
                i % 9,
                ["yes", "no"][i % 3 % 2],
                1 + i % 28,
                20 + i % 50,
                // Spread evenly over five digits: a code, whatever its name.
                10_000 + (i * 7919 % 120) * 749,
                // Five digits too, but gathered around a typical value (a sum of three even draws).
                30_000 + (i * 31 % 97 + i * 17 % 89 + i * 13 % 83) * 150,
            ));
        }
        let t = table(&text);
        let a = advise(&t);
        let features: Vec<&str> = a.iter().filter(|c| c.feature).map(|c| c.name.as_str()).collect();
        assert_eq!(features, ["spend", "visits", "joined", "age", "income"]);
        assert_eq!(advice_of(&a, "loc").role, ColumnRole::Code);
        assert!(advice_of(&a, "loc").reason.contains("spread evenly"), "{:?}", advice_of(&a, "loc"));
        assert_eq!(advice_of(&a, "income").role, ColumnRole::Measure);
        assert_eq!(advice_of(&a, "member").role, ColumnRole::Flag);
        assert_eq!(advice_of(&a, "plan").role, ColumnRole::Category);
        assert!(advice_of(&a, "row").reason.contains("row numbers"));
        assert!(advice_of(&a, "customer_id").reason.contains("identifier"));
        assert!(advice_of(&a, "zip").reason.contains("code"));
        assert!(advice_of(&a, "plan").reason.contains("category"));
        assert!(advice_of(&a, "note").reason.contains("free text"));
        assert!(advice_of(&a, "constant").reason.contains("constant"));
        assert!(
            advice_of(&a, "rare").reason.contains("99.5% of rows hold the same value (no)"),
            "{:?}",
            advice_of(&a, "rare")
        );
        assert!(advice_of(&a, "joined").reason.contains("days before"));
        assert!(advice_of(&a, "member").reason.contains("yes/no flag"), "{:?}", advice_of(&a, "member"));
        // Only the skewed amount gets log; the even ones do not.
        assert!(advice_of(&a, "spend").log.as_deref().is_some_and(|l| l.contains("skewed")));
        assert_eq!(advice_of(&a, "age").log, None);
        assert_eq!(advice_of(&a, "visits").log, None);
    }

    #[test]
    fn a_code_for_none_in_most_rows_is_mostly_missing_in_disguise() {
        let mut text = String::from("pdays,pdays_999,previous,mixed_sign,spend\n");
        for i in 0..200 {
            let contacted = i % 4 == 0;
            text.push_str(&format!(
                "{},{},{},{},{}\n",
                if contacted { 1 + i * 7 % 400 } else { -1 },
                if contacted { i % 28 } else { 999 },
                // A count that is mostly 0 measures: 0 is a value, not a code.
                if contacted { 1 + i % 5 } else { 0 },
                // -1 in most rows, but other values below 0 too: not a code apart.
                if contacted { i as i64 % 9 - 4 } else { -1 },
                10 + i % 37,
            ));
        }
        let a = advise(&table(&text));
        for name in ["pdays", "pdays_999"] {
            let advice = advice_of(&a, name);
            assert_eq!(advice.role, ColumnRole::Unusable, "{advice:?}");
            assert!(!advice.feature);
            assert!(advice.reason.contains("a code for \"none\""), "{advice:?}");
        }
        let pdays = &advice_of(&a, "pdays").reason;
        assert!(pdays.contains("-1 in 75% of rows, a code for \"none\" (the only value below 0)"), "{pdays}");
        assert!(advice_of(&a, "pdays_999").reason.contains("999 in 75% of rows"));
        for name in ["previous", "mixed_sign", "spend"] {
            assert_eq!(advice_of(&a, name).role, ColumnRole::Measure, "{:?}", advice_of(&a, name));
        }
    }

    #[test]
    fn a_feature_missing_in_many_rows_is_filled_and_one_missing_in_most_is_left_out() {
        let mut text = String::from("a,b,c\n");
        for i in 0..100 {
            let b = if i % 5 == 0 { String::new() } else { (i % 13).to_string() };
            let c = if i % 5 == 0 { (i % 7).to_string() } else { String::new() };
            text.push_str(&format!("{},{b},{c}\n", i % 11));
        }
        let a = advise(&table(&text));
        assert_eq!(advice_of(&a, "a").fill, None);
        assert_eq!(advice_of(&a, "b").fill, Some(Impute::Median));
        assert!(advice_of(&a, "b").reason.contains("missing in 20% of rows, filled with the median"));
        assert!(!advice_of(&a, "c").feature);
        assert!(advice_of(&a, "c").reason.contains("missing in 80% of rows"));
    }
}

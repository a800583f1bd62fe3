//! Dates as exports write them: ISO `2026-11-24` (a time after it is ignored), `24/11/2026`,
//! `11/24/2026`, `24-11-2026`, `24.11.2026`, a month by its name (`11-Feb-2017`, `Feb 11 2017` is not
//! read: the parts must be split by `-`, `/` or `.`), two-digit years (`11-Feb-17`, `24/11/26`: 69-99
//! are 1969-1999 and 00-68 are 2000-2068, as C's and Python's `%y`), and compact `20261124` when every
//! cell of a column is one (YYYYMMDD, years 1900-2100). Day-first or month-first is settled per column
//! by a cell whose first or second part is above 12, or by a month written as a name; when no cell
//! settles it, day-first is used and the schema says the choice was a guess. A date's value is its day
//! number (days since 1970-01-01).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// yyyy-mm-dd (or yyyy/mm/dd).
    Iso,
    /// yyyymmdd, eight digits.
    Compact,
    DayFirst,
    MonthFirst,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateFormat {
    pub order: DateOrder,
    /// No cell settled day-first vs month-first: day-first was assumed.
    pub ambiguous: bool,
}

impl DateFormat {
    pub fn describe(&self) -> String {
        match (self.order, self.ambiguous) {
            (DateOrder::Iso, _) => "yyyy-mm-dd".into(),
            (DateOrder::Compact, _) => "yyyymmdd".into(),
            (DateOrder::DayFirst, false) => "dd/mm/yyyy".into(),
            (DateOrder::DayFirst, true) => "dd/mm/yyyy, assumed: no day above 12 settles it".into(),
            (DateOrder::MonthFirst, _) => "mm/dd/yyyy".into(),
        }
    }
}

/// Month names and their common abbreviations (English, Spanish, French, German, Portuguese, Italian,
/// Dutch), lower case; a part of a date that starts with one of these three letters names the month.
pub const MONTHS: [&[&str]; 12] = [
    &["jan", "ene", "gen"],
    &["feb", "fev", "fév"],
    &["mar", "mär", "maa"],
    &["apr", "abr", "avr"],
    &["may", "mai", "mag", "mei"],
    &["jun", "jui", "giu"],
    &["jul", "juil", "lug"],
    &["aug", "ago", "aoû", "aou"],
    &["sep", "set"],
    &["oct", "okt", "out", "ott"],
    &["nov"],
    &["dec", "dic", "déc", "dez"],
];

/// The month a part names ("Feb", "february", "févr."), if it is a month name.
fn month_name(part: &str) -> Option<u32> {
    let lower = part.trim_end_matches('.').to_lowercase();
    if lower.chars().count() < 3 || !lower.chars().all(char::is_alphabetic) {
        return None;
    }
    // "juil" must be told from "jui" (juin): the longer prefixes first.
    let mut best: Option<(usize, u32)> = None;
    for (m, names) in MONTHS.iter().enumerate() {
        for name in *names {
            if lower.starts_with(name) && best.is_none_or(|(len, _)| name.len() > len) {
                best = Some((name.len(), m as u32 + 1));
            }
        }
    }
    best.map(|(_, m)| m)
}

/// A two-digit year as C's and Python's `%y` read it: 69-99 are 1969-1999, 00-68 are 2000-2068.
fn full_year(two: u32) -> u32 {
    if two >= 69 {
        1900 + two
    } else {
        2000 + two
    }
}

/// A date cell's parts: the three numbers in the order written (a named month as its number, a
/// two-digit year made four), whether it starts with the year, and the order a month name settles.
struct Parts {
    numbers: [u32; 3],
    year_first: bool,
    named: Option<DateOrder>,
}

/// The three numbers of a date cell in the order written, and whether it starts with the year.
fn parts(cell: &str) -> Option<Parts> {
    let s = super::trim(cell);
    let date = s.split(['T', ' ']).next()?;
    let sep = date.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let fields: Vec<&str> = date.split(sep).collect();
    if fields.len() != 3 || fields.iter().any(|f| f.is_empty() || f.chars().count() > 10) {
        return None;
    }
    let mut numbers = [0u32; 3];
    let mut named = None;
    for (i, f) in fields.iter().enumerate() {
        if f.bytes().all(|b| b.is_ascii_digit()) && f.len() <= 4 {
            numbers[i] = f.parse().ok()?;
        } else if let (Some(m), None, 0 | 1) = (month_name(f), named, i) {
            numbers[i] = m;
            named = Some(if i == 1 { DateOrder::DayFirst } else { DateOrder::MonthFirst });
        } else {
            return None;
        }
    }
    let year_first = fields[0].len() == 4 && named.is_none();
    if !year_first {
        match fields[2].len() {
            4 => {}
            2 => numbers[2] = full_year(numbers[2]),
            _ => return None,
        }
    }
    Some(Parts { numbers, year_first, named })
}

/// A compact date (eight digits, yyyymmdd) between 1900 and 2100, as its day number.
fn compact(cell: &str) -> Option<i64> {
    let s = super::trim(cell);
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (y, m, d) = (s[..4].parse::<i64>().ok()?, s[4..6].parse().ok()?, s[6..].parse().ok()?);
    if !(1900..=2100).contains(&y) {
        return None;
    }
    day_number(y, m, d)
}

/// Days since 1970-01-01 of a valid civil date (Howard Hinnant's algorithm), None when invalid.
pub fn day_number(year: i64, month: u32, day: u32) -> Option<i64> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&month) || day == 0 || day > days_in[month as usize - 1] {
        return None;
    }
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// The ISO date (yyyy-mm-dd) of a day number (inverse of [`day_number`]).
pub fn iso_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // ISO 8601's extended years outside 0000-9999 carry a sign ("-0001-05-06", "+10000-01-01"), as
    // arrow and chrono read them back.
    match year {
        0..=9999 => format!("{year:04}-{month:02}-{day:02}"),
        i64::MIN..=-1 => format!("-{:04}-{month:02}-{day:02}", -year),
        _ => format!("+{year}-{month:02}-{day:02}"),
    }
}

/// Parses a cell with a known format.
pub fn parse_date(cell: &str, format: DateFormat) -> Option<i64> {
    if format.order == DateOrder::Compact {
        return compact(cell);
    }
    let Parts { numbers: [a, b, c], year_first, .. } = parts(cell)?;
    match (format.order, year_first) {
        (DateOrder::Iso, true) => day_number(i64::from(a), b, c),
        (DateOrder::DayFirst, false) => day_number(i64::from(c), b, a),
        (DateOrder::MonthFirst, false) => day_number(i64::from(c), a, b),
        _ => None,
    }
}

/// The format of a column whose filled cells look like dates, or None.
pub fn infer_date<'a>(cells: impl IntoIterator<Item = &'a str>) -> Option<DateFormat> {
    let mut evidence = DateEvidence::default();
    for cell in cells {
        evidence.see(cell);
    }
    evidence.format()
}

/// What a column's cells say about their date order, seen one at a time (the reader's first pass).
#[derive(Debug, Default, Clone)]
pub struct DateEvidence {
    iso: usize,
    other: usize,
    /// Cells that are compact dates (yyyymmdd), and cells seen.
    compact: usize,
    seen: usize,
    first_big: bool,
    second_big: bool,
    /// Cells that are no date at all.
    not_dates: usize,
    /// So many cells were no date that the column is not one: cells are no longer split.
    given_up: bool,
}

/// A column of dates may hold this share of cells that are no date at all ("unknown", a typo), as a
/// numeric column may hold cells that are no number: they are read as missing and counted, and the
/// column stays dates.
pub const NOT_DATES_SHARE: f64 = 0.05;
/// Cells that are no date the first pass splits before it may give up on a column.
const NOT_DATES_SLACK: usize = 20;

impl DateEvidence {
    pub fn see(&mut self, cell: &str) {
        // Once the column is no dates, the order is no longer counted (nor the cell split).
        let parts = if self.given_up { None } else { parts(cell) };
        self.note(compact(cell).is_some(), parts.as_ref());
    }

    /// One cell's evidence: whether it is a compact date, and its parts (None: no date).
    fn note(&mut self, compact: bool, parts: Option<&Parts>) {
        self.seen += 1;
        if compact {
            self.compact += 1;
        }
        if self.given_up {
            return;
        }
        match parts {
            Some(Parts { year_first: true, .. }) => self.iso += 1,
            Some(Parts { numbers: [a, b, _], named, .. }) => {
                self.other += 1;
                self.first_big |= *a > 12 || *named == Some(DateOrder::DayFirst);
                self.second_big |= *b > 12 || *named == Some(DateOrder::MonthFirst);
            }
            None => {
                self.not_dates += 1;
                self.given_up = self.not_dates > NOT_DATES_SLACK
                    && self.not_dates as f64 > NOT_DATES_SHARE * self.seen as f64;
            }
        }
    }

    /// [`see`](Self::see), and the cell's day under each order, `[Iso, Compact, DayFirst, MonthFirst]`
    /// (what [`parse_date`] gives under it), read once: a stream that learns a column's order only at
    /// its end keeps the latest day under each.
    pub fn see_days(&mut self, cell: &str) -> [Option<i64>; 4] {
        let compact_day = compact(cell);
        let parts = parts(cell);
        self.note(compact_day.is_some(), parts.as_ref());
        let Some(Parts { numbers: [a, b, c], year_first, .. }) = parts else {
            return [None, compact_day, None, None];
        };
        if year_first {
            [day_number(i64::from(a), b, c), compact_day, None, None]
        } else {
            [None, compact_day, day_number(i64::from(c), b, a), day_number(i64::from(c), a, b)]
        }
    }

    /// Every cell seen was a compact date (yyyymmdd): the column is dates although its cells read as
    /// numbers.
    pub fn compact_format(&self) -> Option<DateFormat> {
        (self.seen > 0 && self.compact == self.seen)
            .then_some(DateFormat { order: DateOrder::Compact, ambiguous: false })
    }

    /// The column's date format, when every cell seen was a date in one settled order.
    pub fn format(&self) -> Option<DateFormat> {
        if self.given_up || self.not_dates as f64 > NOT_DATES_SHARE * self.seen as f64 {
            return None;
        }
        match (self.iso, self.other) {
            (0, 0) => None,
            (_, 0) => Some(DateFormat { order: DateOrder::Iso, ambiguous: false }),
            (0, _) => match (self.first_big, self.second_big) {
                (true, true) => None,
                (true, false) => Some(DateFormat { order: DateOrder::DayFirst, ambiguous: false }),
                (false, true) => Some(DateFormat { order: DateOrder::MonthFirst, ambiguous: false }),
                (false, false) => Some(DateFormat { order: DateOrder::DayFirst, ambiguous: true }),
            },
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers() {
        assert_eq!(day_number(1970, 1, 1), Some(0));
        assert_eq!(day_number(2000, 3, 1), Some(11_017));
        assert_eq!(day_number(2024, 2, 29), Some(19_782));
        assert_eq!(day_number(2023, 2, 29), None);
        for d in [-1000, 0, 11_017, 19_782, 20_416] {
            let iso = iso_date(d);
            let p: Vec<u32> = iso.split('-').filter_map(|v| v.parse().ok()).collect();
            assert_eq!(day_number(i64::from(p[0]), p[1], p[2]), Some(d), "{iso}");
        }
    }

    #[test]
    fn years_outside_0000_to_9999_are_written_with_their_sign() {
        assert_eq!(iso_date(-719_162), "0001-01-01");
        assert_eq!(iso_date(-719_528), "0000-01-01");
        assert_eq!(iso_date(-719_529), "-0001-12-31");
        assert_eq!(iso_date(2_932_897), "+10000-01-01");
    }

    #[test]
    fn formats_are_inferred_and_settled_by_a_day_above_12() {
        let iso = infer_date(["2026-11-24", "2026-01-02T10:00:00"]);
        assert_eq!(iso, Some(DateFormat { order: DateOrder::Iso, ambiguous: false }));
        let dmy = infer_date(["24/11/2026", "02/01/2026"]).unwrap_or_else(|| panic!("dates"));
        assert_eq!(dmy.order, DateOrder::DayFirst);
        assert!(!dmy.ambiguous);
        assert_eq!(parse_date("02/01/2026", dmy), day_number(2026, 1, 2));
        let mdy = infer_date(["11/24/2026", "01/02/2026"]).unwrap_or_else(|| panic!("dates"));
        assert_eq!(mdy.order, DateOrder::MonthFirst);
        assert_eq!(parse_date("01/02/2026", mdy), day_number(2026, 1, 2));
        let unsure = infer_date(["01.02.2026", "03.04.2026"]).unwrap_or_else(|| panic!("dates"));
        assert!(unsure.ambiguous);
        assert_eq!(infer_date(["24/11/2026", "11/24/2026"]), None, "both orders: not one date format");
        assert_eq!(infer_date(["1234", "x"]), None);
    }

    #[test]
    fn month_names_two_digit_years_and_compact_dates() {
        let named = infer_date(["11-Feb-17", "03-Mar-19"]).unwrap_or_else(|| panic!("dates"));
        assert_eq!(named, DateFormat { order: DateOrder::DayFirst, ambiguous: false });
        assert_eq!(parse_date("11-Feb-17", named), day_number(2017, 2, 11));
        assert_eq!(parse_date("01-Dec-99", named), day_number(1999, 12, 1));
        let spanish = infer_date(["5-ene-2023", "17-dic-2022"]).unwrap_or_else(|| panic!("dates"));
        assert_eq!(parse_date("17-dic-2022", spanish), day_number(2022, 12, 17));
        let month_first = infer_date(["Feb-11-2017", "Mar-03-2019"]).unwrap_or_else(|| panic!("dates"));
        assert_eq!(month_first.order, DateOrder::MonthFirst);
        assert_eq!(parse_date("Feb-11-2017", month_first), day_number(2017, 2, 11));
        let short = infer_date(["24/11/26", "01/02/26"]).unwrap_or_else(|| panic!("dates"));
        assert_eq!(parse_date("24/11/26", short), day_number(2026, 11, 24));
        let mut evidence = DateEvidence::default();
        for cell in ["20240115", "19991231"] {
            evidence.see(cell);
        }
        let format = evidence.compact_format().unwrap_or_else(|| panic!("compact"));
        assert_eq!(parse_date("20240115", format), day_number(2024, 1, 15));
        evidence.see("12345678");
        assert_eq!(evidence.compact_format(), None, "one cell that is no date: numbers");
        assert_eq!(infer_date(["Foo-11-2017"]), None);
    }

    #[test]
    fn days_under_each_order_are_what_parse_date_reads() {
        let orders = [DateOrder::Iso, DateOrder::Compact, DateOrder::DayFirst, DateOrder::MonthFirst];
        let cells = [
            "2024-03-05",
            "05/03/2024",
            "13.02.2023",
            "02/13/2023",
            "11-Feb-17",
            "20240305",
            "Feb 3, 2021",
            "3 mars 2020",
            "2024-02-30",
            "x",
            "",
            "31/12/99",
            "2024-03-05 10:00",
            "19991231",
        ];
        let mut evidence = DateEvidence::default();
        let mut each = DateEvidence::default();
        for cell in cells {
            let days = evidence.see_days(cell);
            each.see(cell);
            for (order, day) in orders.iter().zip(days) {
                assert_eq!(
                    day,
                    parse_date(cell, DateFormat { order: *order, ambiguous: false }),
                    "{cell} {order:?}"
                );
            }
        }
        assert_eq!(format!("{evidence:?}"), format!("{each:?}"));
    }
}

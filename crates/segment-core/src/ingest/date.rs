//! Dates as exports write them: ISO `2026-11-24` (a time after it is ignored), `24/11/2026`,
//! `11/24/2026`, `24-11-2026`, `24.11.2026`. Day-first or month-first is settled per column by a cell
//! whose first or second part is above 12; when no cell settles it, day-first is used and the schema says
//! the choice was a guess. A date's value is its day number (days since 1970-01-01).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// yyyy-mm-dd (or yyyy/mm/dd).
    Iso,
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
            (DateOrder::DayFirst, false) => "dd/mm/yyyy".into(),
            (DateOrder::DayFirst, true) => "dd/mm/yyyy, assumed: no day above 12 settles it".into(),
            (DateOrder::MonthFirst, _) => "mm/dd/yyyy".into(),
        }
    }
}

/// The three numbers of a date cell in the order written, and whether it starts with the year.
fn parts(cell: &str) -> Option<([u32; 3], bool)> {
    let s = cell.trim();
    let date = s.split(['T', ' ']).next()?;
    let sep = date.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let fields: Vec<&str> = date.split(sep).collect();
    if fields.len() != 3
        || fields.iter().any(|f| f.is_empty() || f.len() > 4 || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<u32> = fields.iter().filter_map(|f| f.parse().ok()).collect();
    let year_first = fields[0].len() == 4;
    if !year_first && fields[2].len() != 4 {
        return None;
    }
    Some(([n[0], n[1], n[2]], year_first))
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
    format!("{year:04}-{month:02}-{day:02}")
}

/// Parses a cell with a known format.
pub fn parse_date(cell: &str, format: DateFormat) -> Option<i64> {
    let ([a, b, c], year_first) = parts(cell)?;
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
    first_big: bool,
    second_big: bool,
    /// A cell that is no date at all was seen.
    pub not_date: bool,
}

impl DateEvidence {
    pub fn see(&mut self, cell: &str) {
        if self.not_date {
            return;
        }
        match parts(cell) {
            Some((_, true)) => self.iso += 1,
            Some(([a, b, _], false)) => {
                self.other += 1;
                self.first_big |= a > 12;
                self.second_big |= b > 12;
            }
            None => self.not_date = true,
        }
    }

    /// The column's date format, when every cell seen was a date in one settled order.
    pub fn format(&self) -> Option<DateFormat> {
        if self.not_date {
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
}

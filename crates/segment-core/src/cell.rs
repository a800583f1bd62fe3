//! One text cell this project writes into a CSV, made safe to open in a spreadsheet. Below every
//! module that writes one (exports, the SQL's names, the reports of purchase logs).

/// A text cell this project writes into a CSV (a segment name, a profile, a column name in a header
/// it makes), made safe to open in a spreadsheet: one that a spreadsheet would read as a formula
/// (starting with `=`, `+`, `-`, `@`, a tab or a carriage return; OWASP's CSV-injection advice) gets a
/// leading apostrophe, so it shows as the text it is. A number stays a number. The person's own cells,
/// written back in the labeled export, are never changed.
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let risky =
        text.starts_with(['=', '+', '-', '@', '\t', '\r', '\u{ff1d}', '\u{ff0b}', '\u{ff0d}', '\u{ff20}']);
    if risky && text.trim().parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

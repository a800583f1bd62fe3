//! Spreadsheets (.xlsx, .xlsm, .xls, .ods): the first worksheet, read with calamine, becomes CSV text
//! that the CSV reader then takes like any export. Numbers keep full precision; dates become ISO dates;
//! booleans TRUE / FALSE; error cells are empty.

use super::date::iso_date;
use crate::error::{CoreError, Result};
use calamine::{Data, Reader};

/// ZIP (xlsx, ods) or OLE (xls) containers.
pub fn is_spreadsheet(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0")
}

/// Days between Excel's day 0 (1899-12-30) and 1970-01-01.
const EXCEL_EPOCH_OFFSET: i64 = 25_569;

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Int(v) => v.to_string(),
        Data::Float(v) => v.to_string(),
        Data::String(s) => s.clone(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let serial = d.as_f64().floor() as i64;
            iso_date(serial - EXCEL_EPOCH_OFFSET)
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// The first worksheet as CSV text, and its name.
pub fn to_csv(bytes: &[u8]) -> Result<(String, String)> {
    let unreadable = |why: String| CoreError::NotText {
        kind: format!("ZIP or spreadsheet file that could not be read as a workbook ({why})"),
    };
    let mut book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| unreadable(e.to_string()))?;
    let name = book.sheet_names().first().cloned().unwrap_or_default();
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| unreadable("it has no worksheet".into()))?
        .map_err(|e| unreadable(e.to_string()))?;
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for row in range.rows() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        writer.write_record(&cells).map_err(|e| unreadable(e.to_string()))?;
    }
    let out = writer.into_inner().map_err(|e| unreadable(e.to_string()))?;
    let text = String::from_utf8(out).map_err(|e| unreadable(e.to_string()))?;
    Ok((text, name))
}

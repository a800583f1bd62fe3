//! Spreadsheets (.xlsx, .xlsm, .xlsb, .xls, .ods): the first worksheet, read with calamine, becomes CSV
//! text that the CSV reader then takes like any export. Numbers keep full precision; dates become ISO
//! dates; booleans TRUE / FALSE; error cells are empty.
//!
//! A workbook is a ZIP of XML, so a few kilobytes can claim gigabytes. Before calamine reads one:
//! every entry is decompressed once into a counter, and the whole refused beyond
//! [`limits::MAX_UNZIPPED_BYTES`] (the sizes a ZIP declares can lie); an .xlsx / .xlsb sheet is read
//! cell by cell (never as a rectangle spanning its farthest cell: one cell at XFD1048576 would ask for
//! 17 billion), with at most [`limits::MAX_COLUMNS`] columns and [`limits::MAX_SHEET_CELLS`] cells; an
//! .ods sheet's repeated rows and cells are counted before calamine expands them. An .xls holds at
//! most 65,536 x 256 cells by its format.

use super::date::iso_date;
use crate::error::{CoreError, Result};
use crate::limits;
use calamine::{Data, DataRef, Reader, Sheets};
use std::io::{Cursor, Read};

/// ZIP (xlsx, xlsb, ods) or OLE (xls) containers.
pub fn is_spreadsheet(bytes: &[u8]) -> bool {
    is_zip(bytes) || bytes.starts_with(b"\xD0\xCF\x11\xE0")
}

fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
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

fn unreadable(why: impl std::fmt::Display) -> CoreError {
    CoreError::NotText {
        kind: format!("ZIP or spreadsheet file that could not be read as a workbook ({why})"),
    }
}

fn too_large(what: &str, found: String, limit: String) -> CoreError {
    CoreError::TooLarge {
        what: what.into(),
        found,
        limit,
        hint: "Save the sheet as CSV, or keep the rows and columns of customers only.".into(),
    }
}

/// The first worksheet as CSV text, and its name.
pub fn to_csv(bytes: &[u8]) -> Result<(String, String)> {
    if is_zip(bytes) {
        check_unzipped_size(bytes)?;
        // calamine lays out every .ods sheet when it opens the file: count first.
        if zip::ZipArchive::new(Cursor::new(bytes)).is_ok_and(|z| z.index_for_name("content.xml").is_some()) {
            check_ods_expansion(bytes)?;
        }
    }
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(unreadable)?;
    let name = book.sheet_names().first().cloned().ok_or_else(|| unreadable("it has no worksheet"))?;
    let text = match &mut book {
        Sheets::Xlsx(xlsx) => {
            // Twice through the cells: their extent first, then the text (at most one row held).
            let extent = {
                let mut cells = xlsx.worksheet_cells_reader(&name).map_err(unreadable)?;
                Extent::of(|| cells.next_cell().map_err(unreadable))?
            };
            let mut cells = xlsx.worksheet_cells_reader(&name).map_err(unreadable)?;
            write_cells(extent, || cells.next_cell().map_err(unreadable))?
        }
        Sheets::Xlsb(xlsb) => {
            let extent = {
                let mut cells = xlsb.worksheet_cells_reader(&name).map_err(unreadable)?;
                Extent::of(|| cells.next_cell().map_err(unreadable))?
            };
            let mut cells = xlsb.worksheet_cells_reader(&name).map_err(unreadable)?;
            write_cells(extent, || cells.next_cell().map_err(unreadable))?
        }
        Sheets::Ods(_) | Sheets::Xls(_) => range_to_csv(book.worksheet_range_at(0))?,
    };
    Ok((text, name))
}

fn range_to_csv<E: std::fmt::Display>(
    range: Option<std::result::Result<calamine::Range<Data>, E>>,
) -> Result<String> {
    let range = range.ok_or_else(|| unreadable("it has no worksheet"))?.map_err(unreadable)?;
    let (rows, cols) = range.get_size();
    if cols > limits::MAX_COLUMNS {
        return Err(too_large(
            "The sheet's columns",
            cols.to_string(),
            format!("{} columns", limits::MAX_COLUMNS),
        ));
    }
    let _ = rows;
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for row in range.rows() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        writer.write_record(&cells).map_err(unreadable)?;
    }
    let out = writer.into_inner().map_err(unreadable)?;
    String::from_utf8(out).map_err(unreadable)
}

/// Decompresses every entry of the ZIP into a counter: the whole must stay within the limit, whatever
/// sizes the archive declares.
fn check_unzipped_size(bytes: &[u8]) -> Result<()> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(unreadable)?;
        loop {
            let n = entry.read(&mut buf).map_err(unreadable)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > limits::MAX_UNZIPPED_BYTES {
                return Err(too_large(
                    "The workbook, decompressed",
                    format!("more than {} MB", limits::MAX_UNZIPPED_BYTES >> 20),
                    format!("{} MB", limits::MAX_UNZIPPED_BYTES >> 20),
                ));
            }
        }
    }
    Ok(())
}

/// How far a sheet's cells reach, counted before any text is written.
#[derive(Clone, Copy)]
struct Extent {
    columns: usize,
}

impl Extent {
    fn of<'a>(mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>>) -> Result<Self> {
        let (mut cells, mut columns, mut last_row) = (0u64, 0usize, 0u32);
        while let Some(cell) = next()? {
            let (row, col) = cell.get_position();
            if row < last_row {
                return Err(unreadable(
                    "its cells are not in row order; open and save it again in a spreadsheet",
                ));
            }
            last_row = row;
            columns = columns.max(col as usize + 1);
            cells += 1;
            if columns > limits::MAX_COLUMNS {
                return Err(too_large(
                    "The sheet's columns",
                    format!("a cell in column {}", col as usize + 1),
                    format!("{} columns", limits::MAX_COLUMNS),
                ));
            }
            if cells > limits::MAX_SHEET_CELLS {
                return Err(too_large(
                    "The sheet's cells",
                    format!("more than {}", limits::MAX_SHEET_CELLS),
                    format!("{} cells", limits::MAX_SHEET_CELLS),
                ));
            }
        }
        Ok(Self { columns })
    }
}

/// Writes the cells (in row order) as CSV rows `extent.columns` wide; rows without a cell are left out.
fn write_cells<'a>(
    extent: Extent,
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>>,
) -> Result<String> {
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let mut row: Vec<String> = vec![String::new(); extent.columns];
    let mut current: Option<u32> = None;
    let flush = |row: &mut Vec<String>, writer: &mut csv::Writer<Vec<u8>>| -> Result<()> {
        writer.write_record(row.iter()).map_err(unreadable)?;
        row.iter_mut().for_each(String::clear);
        Ok(())
    };
    while let Some(cell) = next()? {
        let (r, c) = cell.get_position();
        if current.is_some_and(|cur| cur != r) {
            flush(&mut row, &mut writer)?;
        }
        current = Some(r);
        if let Some(slot) = row.get_mut(c as usize) {
            *slot = cell_text(&Data::from(cell.get_value().clone()));
        }
    }
    if current.is_some() {
        flush(&mut row, &mut writer)?;
    }
    let out = writer.into_inner().map_err(unreadable)?;
    String::from_utf8(out).map_err(unreadable)
}

/// Counts the cells calamine would lay out for the first sheet of an .ods (its `number-rows-repeated`
/// and `number-columns-repeated` expanded), without laying them out.
fn check_ods_expansion(bytes: &[u8]) -> Result<()> {
    use quick_xml::events::Event;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut xml = String::new();
    zip.by_name("content.xml").map_err(unreadable)?.read_to_string(&mut xml).map_err(unreadable)?;
    let mut reader = quick_xml::Reader::from_str(&xml);
    let repeat = |e: &quick_xml::events::BytesStart, key: &[u8]| -> u64 {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == key)
            .and_then(|a| std::str::from_utf8(&a.value).ok().and_then(|v| v.trim().parse().ok()))
            .unwrap_or(1)
    };
    // As calamine lays them out: empty cells count only when a filled one follows in the row.
    let (mut total, mut row_cells, mut pending_empty, mut row_repeat, mut tables) =
        (0u64, 0u64, 0u64, 1u64, 0u32);
    let refuse = || {
        too_large(
            "The sheet, with its repeated rows and cells",
            format!("more than {} cells", limits::MAX_SHEET_CELLS),
            format!("{} cells", limits::MAX_SHEET_CELLS),
        )
    };
    loop {
        let event = reader.read_event();
        let has_content = matches!(event, Ok(Event::Start(_)));
        match event {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                b"table" => tables += 1,
                b"table-row" if tables == 1 => {
                    row_cells = 0;
                    pending_empty = 0;
                    row_repeat = repeat(&e, b"table:number-rows-repeated");
                }
                b"table-cell" | b"covered-table-cell" if tables == 1 => {
                    let n = repeat(&e, b"table:number-columns-repeated");
                    let filled = has_content
                        || e.attributes().flatten().any(|a| a.key.as_ref() == b"office:value-type");
                    if filled {
                        row_cells = row_cells.saturating_add(pending_empty).saturating_add(n);
                        pending_empty = 0;
                    } else {
                        pending_empty = pending_empty.saturating_add(n);
                    }
                    if row_cells > limits::MAX_SHEET_CELLS {
                        return Err(refuse());
                    }
                }
                _ => {}
            },
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                b"table-row" if tables == 1 => {
                    total = total.saturating_add(row_cells.saturating_mul(row_repeat.min(u64::MAX / 2)));
                    if total > limits::MAX_SHEET_CELLS {
                        return Err(refuse());
                    }
                }
                b"table" if tables == 1 => return Ok(()),
                _ => {}
            },
            Ok(Event::Eof) => return Ok(()),
            Err(e) => return Err(unreadable(e)),
            _ => {}
        }
    }
}

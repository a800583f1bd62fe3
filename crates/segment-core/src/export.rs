//! Export: the person's own file back, every row as it was, with two columns added: `segment` (1, 2,
//! ... as the page numbers them; empty for noise and dropped rows) and `segment_name` (the name, or
//! "noise", or "dropped by cleaning"). Nothing is lost: dropped rows stay in, marked. And the removed
//! rows alone, each with the rule and the columns that removed it.

use crate::error::{CoreError, Result};
use crate::ingest::{source_text, walk, walk_csv, Text};
use crate::pipeline::{AnalysisResult, Segmentation};
use std::io::Write;

pub const NOISE: &str = "noise";
pub const DROPPED: &str = "dropped by cleaning";

pub use crate::cell::spreadsheet_safe;

/// The labeled CSV of `bytes` (the file the result was computed on), with the segments' `names`.
pub fn labeled_csv(bytes: &[u8], result: &Segmentation, names: &[String]) -> Result<String> {
    let (text, _) = source_text(bytes)?;
    into_string(|out| write_labeled(&Text::Held(&text), result, names, out))
}

/// [`labeled_csv`] of the file's `text` (held, or read again from where it lies as it is written),
/// written to `out` as it goes: a million rows are never whole in memory.
pub fn write_labeled(
    text: &Text<'_>,
    result: &Segmentation,
    names: &[String],
    out: &mut dyn Write,
) -> Result<()> {
    let mut label_of_row: Vec<Option<i32>> = Vec::new();
    for (&row, &label) in result.kept_rows.iter().zip(&result.labels) {
        if row >= label_of_row.len() {
            label_of_row.resize(row + 1, None);
        }
        label_of_row[row] = Some(label);
    }
    rewrite(text, ["segment", "segment_name"], out, |row| match label_of_row.get(row).copied().flatten() {
        Some(label) if label >= 0 => {
            let name = names.get(label as usize).cloned().unwrap_or_else(|| format!("Segment {}", label + 1));
            Some([(label + 1).to_string(), spreadsheet_safe(&name).into_owned()])
        }
        Some(_) => Some([String::new(), NOISE.to_string()]),
        None => Some([String::new(), DROPPED.to_string()]),
    })
}

/// The rows cleaning removed, as they were in the file, with the rule and the columns that removed each.
pub fn removed_rows_csv(bytes: &[u8], result: &Segmentation) -> Result<String> {
    let (text, _) = source_text(bytes)?;
    into_string(|out| write_removed(&Text::Held(&text), result, out))
}

/// [`removed_rows_csv`] of the file's `text`, written to `out` as it goes.
pub fn write_removed(text: &Text<'_>, result: &Segmentation, out: &mut dyn Write) -> Result<()> {
    let mut reason: std::collections::HashMap<usize, [String; 2]> = std::collections::HashMap::new();
    for step in &result.cleaning.steps {
        for (row, columns) in &step.dropped {
            reason.insert(
                *row,
                [spreadsheet_safe(&step.rule).into_owned(), spreadsheet_safe(columns).into_owned()],
            );
        }
    }
    rewrite(text, ["removed_because", "columns"], out, |row| reason.remove(&row))
}

/// What `write` writes, as a string (an export made for a caller that wants it whole).
pub(crate) fn into_string(write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<String> {
    let mut out = Vec::new();
    write(&mut out)?;
    String::from_utf8(out).map_err(|e| CoreError::Internal(format!("an export that is not UTF-8 ({e})")))
}

/// The segment profiles as CSV (aggregates only, no customer row): per segment its number, name,
/// customers, share of the rows used, each feature's mean and its ratio to the average, and the
/// plain-language profile; then noise.
pub fn profiles_csv(result: &AnalysisResult, names: &[String]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let mut header = vec!["segment".to_string(), "segment_name".into(), "customers".into(), "share".into()];
    for f in &result.spec.features {
        header.push(format!("mean_{f}"));
        header.push(format!("ratio_to_average_{f}"));
    }
    header.push("profile".into());
    header.extend(["rule".into(), "rule_catches".into(), "rule_wrongly_includes".into()]);
    let header: Vec<String> = header.iter().map(|h| spreadsheet_safe(h).into_owned()).collect();
    let _ = w.write_record(&header);
    let share = |n: usize| format!("{:.4}", n as f64 / result.rows_used.max(1) as f64);
    for p in &result.profiles {
        let name = names.get(p.segment).cloned().unwrap_or_else(|| p.suggested_name.clone());
        let name = spreadsheet_safe(&name).into_owned();
        let mut row = vec![(p.segment + 1).to_string(), name, p.size.to_string(), share(p.size)];
        for level in &p.levels {
            row.push(format!("{}", level.mean));
            row.push(if level.ratio.is_finite() { format!("{:.4}", level.ratio) } else { String::new() });
        }
        row.push(spreadsheet_safe(&p.description).into_owned());
        match &p.rule {
            Some(rule) => row.extend([
                spreadsheet_safe(&rule.words()).into_owned(),
                format!("{:.4}", rule.caught),
                format!("{:.4}", rule.wrongly),
            ]),
            None => row.extend([String::new(), String::new(), String::new()]),
        }
        let _ = w.write_record(&row);
    }
    let mut noise = vec![String::new(), NOISE.to_string(), result.noise.to_string(), share(result.noise)];
    noise.extend(std::iter::repeat_n(String::new(), 2 * result.spec.features.len() + 4));
    let _ = w.write_record(&noise);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// A page of the file as it was, for the preview table: the header, rows `start..start + count` (0 =
/// the first data row, as the table counts them) and how many rows there are.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Preview {
    pub header: Vec<String>,
    pub start: usize,
    pub rows: Vec<Vec<String>>,
    /// Per row shown: its segment (-1 noise), or None when cleaning dropped it or nothing ran yet.
    pub labels: Vec<Option<i32>>,
    pub total: usize,
}

/// The rows `start..start + count` of `bytes`, with their segments in `result` when there is one.
pub fn preview(bytes: &[u8], start: usize, count: usize, result: Option<&Segmentation>) -> Result<Preview> {
    let mut header = Vec::new();
    let mut rows = Vec::new();
    let mut row = 0usize;
    walk_csv(bytes, &mut |h| header = h.iter().map(str::to_string).collect(), &mut |record, _, _| {
        if row >= start && row < start.saturating_add(count) {
            rows.push(record.iter().map(str::to_string).collect());
        }
        row += 1;
    })?;
    let sorted = result.is_some_and(|r| r.kept_rows.is_sorted());
    let labels = (start..start + rows.len())
        .map(|r| {
            let result = result?;
            let at = if sorted {
                result.kept_rows.binary_search(&r).ok()
            } else {
                result.kept_rows.iter().position(|&k| k == r)
            };
            at.and_then(|i| result.labels.get(i).copied())
        })
        .collect();
    Ok(Preview { header, start: start.min(row), rows, labels, total: row })
}

/// One row of a labeled file: the row's fields as they were (padded with empty fields to the header's
/// width when the row is short), the two `added` fields, then any fields beyond the header's width. A
/// ragged row keeps every field it had, and the added fields stay under their header.
pub fn labeled_record(record: &csv::ByteRecord, width: usize, added: [&[u8]; 2], out: &mut csv::ByteRecord) {
    out.clear();
    for i in 0..width {
        out.push_field(record.get(i).unwrap_or(b""));
    }
    out.push_field(added[0]);
    out.push_field(added[1]);
    for field in record.iter().skip(width) {
        out.push_field(field);
    }
}

/// Writes the rows of `text` that `extra` gives two more cells (by data row number), with them, after the
/// header with `header` added, to `out`.
fn rewrite(
    text: &Text<'_>,
    header: [&str; 2],
    out: &mut dyn Write,
    mut extra: impl FnMut(usize) -> Option<[String; 2]>,
) -> Result<()> {
    // Both callbacks write: the writer, a line buffer and the first error are shared through a RefCell.
    let state = std::cell::RefCell::new((
        csv::WriterBuilder::new().flexible(true).buffer_capacity(1 << 20).from_writer(out),
        None,
        csv::ByteRecord::new(),
    ));
    let width = std::cell::Cell::new(0usize);
    let write = |record: &csv::StringRecord, fields: [&str; 2]| {
        let mut guard = state.borrow_mut();
        let (writer, failure, line) = &mut *guard;
        labeled_record(
            record.as_byte_record(),
            width.get(),
            [fields[0].as_bytes(), fields[1].as_bytes()],
            line,
        );
        if failure.is_none() {
            if let Err(e) = writer.write_byte_record(line) {
                *failure = Some(e);
            }
        }
    };
    let mut row = 0usize;
    walk(
        text,
        &mut |h| {
            width.set(h.len());
            write(h, header)
        },
        &mut |record, _, _| {
            if let Some([a, b]) = extra(row) {
                write(record, [&a, &b]);
            }
            row += 1;
        },
    )?;
    let (mut writer, failure, _) = state.into_inner();
    let fail = |reason: String| CoreError::Output {
        reason: format!("the export could not be written: {reason}"),
        closed: false,
    };
    if let Some(e) = failure {
        return Err(fail(e.to_string()));
    }
    writer.flush().map_err(|e| fail(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::read_csv;
    use crate::pipeline::run;
    use crate::spec::AnalysisSpec;

    #[test]
    fn every_row_comes_back_with_its_segment() {
        let mut text = String::from("id;x;note\n");
        for i in 0..30 {
            text.push_str(&format!(
                "c{i};{};\"a; b\"\n",
                if i == 7 { "oops".to_string() } else { (i % 3 * 10).to_string() }
            ));
        }
        let table = read_csv(text.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let mut spec = AnalysisSpec::default_for(&table);
        spec.method = crate::spec::Method::Dbscan;
        spec.dbscan.eps = 0.1;
        spec.dbscan.min_samples = 3;
        let result = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let names = vec!["Zero".to_string(), "Ten".to_string(), "Twenty".to_string()];
        let csv_text = labeled_csv(text.as_bytes(), &result, &names).unwrap_or_else(|e| panic!("{e}"));
        let lines: Vec<&str> = csv_text.lines().collect();
        assert_eq!(lines.len(), 31);
        assert_eq!(lines[0], "id;x;note;segment;segment_name".replace(';', ","));
        assert!(lines[8].ends_with(",,dropped by cleaning"), "{}", lines[8]);
        assert_eq!(lines[1], "c0,0,a; b,1,Zero");
        let named = lines
            .iter()
            .filter(|l| l.ends_with(",Zero") || l.ends_with(",Ten") || l.ends_with(",Twenty"))
            .count();
        assert_eq!(named, 29);

        // The preview pages through the same rows, with the same segments.
        let page = preview(text.as_bytes(), 5, 4, Some(&result)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((page.total, page.start, page.rows.len()), (30, 5, 4));
        assert_eq!(page.header, vec!["id", "x", "note"]);
        assert_eq!(page.rows[2], vec!["c7", "oops", "a; b"]);
        for (i, label) in page.labels.iter().enumerate() {
            let line = lines[page.start + i + 1];
            match label {
                None => assert!(line.ends_with("dropped by cleaning"), "{line}"),
                Some(l) => assert!(line.contains(&format!(",{},", l + 1)), "{line}"),
            }
        }
        let profiles = profiles_csv(&result, &names);
        let lines: Vec<&str> = profiles.lines().collect();
        assert_eq!(lines[0], "segment,segment_name,customers,share,mean_x,ratio_to_average_x,profile,rule,rule_catches,rule_wrongly_includes");
        assert_eq!(lines.len(), 2 + result.profiles.len());
        assert!(lines[1].starts_with(&format!("1,Zero,{},", result.segment_sizes[0])), "{}", lines[1]);
        assert!(lines.last().is_some_and(|l| l.starts_with(",noise,")));

        let end = preview(text.as_bytes(), 28, 10, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((end.rows.len(), end.labels, end.total), (2, vec![None, None], 30));
    }

    #[test]
    fn cells_the_project_writes_never_open_as_formulas() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://x\",\"click\")", "'=HYPERLINK(\"http://x\",\"click\")"),
            ("+1+cmd", "'+1+cmd"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\u{ff1d}1+1", "'\u{ff1d}1+1"),
            ("-12.5", "-12.5"),
            ("High spenders", "High spenders"),
        ] {
            assert_eq!(spreadsheet_safe(cell), safe);
        }
        // The person's own cells come back as they were; the names the project adds are made safe.
        let mut text = String::from("id,x,comment\n");
        for i in 0..30 {
            text.push_str(&format!("c{i},{},=1+1\n", i % 3 * 10));
        }
        let table = read_csv(text.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let mut spec = AnalysisSpec::default_for(&table);
        spec.method = crate::spec::Method::KMeans;
        spec.kmeans.k = 3;
        spec.features = vec!["x".into()];
        let result = run(&table, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
        let names = vec!["=HYPERLINK(\"http://evil\")".to_string(), "+a".into(), "@b".into()];
        let labeled = labeled_csv(text.as_bytes(), &result, &names).unwrap_or_else(|e| panic!("{e}"));
        for line in labeled.lines().skip(1) {
            assert!(line.contains(",=1+1,"), "{line}");
            let name = line.rsplit(',').next().unwrap_or_default();
            assert!(name.starts_with('\'') || name.starts_with("\"'"), "{line}");
        }
        let profiles = profiles_csv(&result, &names);
        assert!(
            profiles.lines().skip(1).all(|l| !l.contains(",=") && !l.contains(",+") && !l.contains(",@")),
            "{profiles}"
        );
    }
}

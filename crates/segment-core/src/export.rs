//! Export: the person's own file back, every row as it was, with two columns added: `segment` (1, 2,
//! ... as the page numbers them; empty for noise and dropped rows) and `segment_name` (the name, or
//! "noise", or "dropped by cleaning"). Nothing is lost: dropped rows stay in, marked. And the removed
//! rows alone, each with the rule and the columns that removed it.

use crate::error::{CoreError, Result};
use crate::ingest::walk_csv;
use crate::pipeline::AnalysisResult;

pub const NOISE: &str = "noise";
pub const DROPPED: &str = "dropped by cleaning";

/// The labeled CSV of `bytes` (the file the result was computed on), with the segments' `names`.
pub fn labeled_csv(bytes: &[u8], result: &AnalysisResult, names: &[String]) -> Result<String> {
    let mut label_of_row: Vec<Option<i32>> = Vec::new();
    for (&row, &label) in result.kept_rows.iter().zip(&result.labels) {
        if row >= label_of_row.len() {
            label_of_row.resize(row + 1, None);
        }
        label_of_row[row] = Some(label);
    }
    rewrite(bytes, ["segment", "segment_name"], |row| match label_of_row.get(row).copied().flatten() {
        Some(label) if label >= 0 => {
            let name = names.get(label as usize).cloned().unwrap_or_else(|| format!("Segment {}", label + 1));
            Some([(label + 1).to_string(), name])
        }
        Some(_) => Some([String::new(), NOISE.to_string()]),
        None => Some([String::new(), DROPPED.to_string()]),
    })
}

/// The rows cleaning removed, as they were in the file, with the rule and the columns that removed each.
pub fn removed_rows_csv(bytes: &[u8], result: &AnalysisResult) -> Result<String> {
    let mut reason: std::collections::HashMap<usize, [String; 2]> = std::collections::HashMap::new();
    for step in &result.cleaning.steps {
        for (row, columns) in &step.dropped {
            reason.insert(*row, [step.rule.clone(), columns.clone()]);
        }
    }
    rewrite(bytes, ["removed_because", "columns"], |row| reason.remove(&row))
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
    let _ = w.write_record(&header);
    let share = |n: usize| format!("{:.4}", n as f64 / result.rows_used.max(1) as f64);
    for p in &result.profiles {
        let name = names.get(p.segment).cloned().unwrap_or_else(|| p.suggested_name.clone());
        let mut row = vec![(p.segment + 1).to_string(), name, p.size.to_string(), share(p.size)];
        for level in &p.levels {
            row.push(format!("{}", level.mean));
            row.push(if level.ratio.is_finite() { format!("{:.4}", level.ratio) } else { String::new() });
        }
        row.push(p.description.clone());
        let _ = w.write_record(&row);
    }
    let mut noise = vec![String::new(), NOISE.to_string(), result.noise.to_string(), share(result.noise)];
    noise.extend(std::iter::repeat_n(String::new(), 2 * result.spec.features.len() + 1));
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
pub fn preview(bytes: &[u8], start: usize, count: usize, result: Option<&AnalysisResult>) -> Result<Preview> {
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

/// Writes the file's header and the rows for which `extra` gives two more fields, with those fields.
fn rewrite(
    bytes: &[u8],
    header: [&str; 2],
    mut extra: impl FnMut(usize) -> Option<[String; 2]>,
) -> Result<String> {
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len() + bytes.len() / 4);
    // Both callbacks write: the writer and its first error are shared through a RefCell.
    let state =
        std::cell::RefCell::new((csv::WriterBuilder::new().flexible(true).from_writer(&mut out), None));
    let write = |record: &csv::StringRecord, fields: [&str; 2]| {
        let mut guard = state.borrow_mut();
        let (writer, failure) = &mut *guard;
        let mut r = record.clone();
        r.push_field(fields[0]);
        r.push_field(fields[1]);
        if let Err(e) = writer.write_record(&r) {
            failure.get_or_insert(e);
        }
    };
    let mut row = 0usize;
    walk_csv(bytes, &mut |h| write(h, header), &mut |record, _, _| {
        if let Some([a, b]) = extra(row) {
            write(record, [&a, &b]);
        }
        row += 1;
    })?;
    let (mut writer, failure) = state.into_inner();
    let flushed = writer.flush();
    drop(writer);
    let fail = |reason: String| CoreError::Malformed {
        line: 0,
        reason: format!("could not write the export: {reason}"),
    };
    if let Some(e) = failure {
        return Err(fail(e.to_string()));
    }
    flushed.map_err(|e| fail(e.to_string()))?;
    String::from_utf8(out).map_err(|e| fail(e.to_string()))
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
        assert_eq!(lines[0], "segment,segment_name,customers,share,mean_x,ratio_to_average_x,profile");
        assert_eq!(lines.len(), 2 + result.profiles.len());
        assert!(lines[1].starts_with(&format!("1,Zero,{},", result.segment_sizes[0])), "{}", lines[1]);
        assert!(lines.last().is_some_and(|l| l.starts_with(",noise,")));

        let end = preview(text.as_bytes(), 28, 10, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((end.rows.len(), end.labels, end.total), (2, vec![None, None], 30));
    }
}

//! A file as the session reads it again, UTF-8 CSV text, and where each of its data rows starts (found
//! by the reader's first pass, [`super::read_csv_indexed`]): a preview page or the row behind a point
//! on the map is read from its offset, without decoding or walking the whole file again.

use super::source_text;
use crate::error::{CoreError, Result};

/// The file as the UTF-8 CSV text every reader of it sees: a spreadsheet's first sheet as CSV, a file in
/// another encoding decoded, a BOM dropped. UTF-8 bytes are kept as they are (no copy).
pub fn into_text(bytes: Vec<u8>) -> Result<String> {
    let owned = match source_text(&bytes)? {
        (std::borrow::Cow::Owned(text), _) => Some(text),
        (std::borrow::Cow::Borrowed(text), _) if text.len() != bytes.len() => Some(text.to_string()),
        (std::borrow::Cow::Borrowed(_), _) => None,
    };
    match owned {
        Some(text) => Ok(text),
        None => String::from_utf8(bytes)
            .map_err(|e| CoreError::Malformed { line: 0, reason: format!("not UTF-8 text ({e})") }),
    }
}

/// Rows between two offsets the index keeps: a row is read from the start of its block of
/// [`ROWS_PER_OFFSET`] (at most that many rows read past), and the index of a million rows takes 125 KB
/// instead of 8 MB.
pub const ROWS_PER_OFFSET: usize = 64;

/// Where the data rows of a text lie (row `i` as [`super::walk_csv`] numbers it): the offset of every
/// [`ROWS_PER_OFFSET`]-th row, with the header.
#[derive(Debug, Clone, Default)]
pub struct RowIndex {
    delimiter: u8,
    header: Vec<String>,
    /// Whether a row equal to the header is a repeated header, skipped as the walk skips it (not in a
    /// file without a header row).
    skips_repeated_headers: bool,
    /// `block_starts[b]`: the byte offset where row `b * ROWS_PER_OFFSET` starts.
    block_starts: Vec<usize>,
    rows: usize,
}

impl RowIndex {
    /// One walk of its own over `text` (UTF-8 CSV, as [`into_text`] gives): the reference the
    /// reader's index is checked against.
    #[cfg(test)]
    fn build(text: &str) -> Result<Self> {
        let mut header = Vec::new();
        let mut index = Self::default();
        let info = super::walk_at(
            &super::Text::Held(text),
            String::new(),
            &mut |h| header = h.iter().map(str::to_string).collect(),
            &mut |_, _, at| index.push(at),
        )?;
        Ok(Self { delimiter: info.delimiter, header, skips_repeated_headers: !info.headerless, ..index })
    }

    /// An index to [`Self::push`] the rows of a file into, then to [`Self::finish`].
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The next data row starts at byte `at`.
    pub(crate) fn push(&mut self, at: usize) {
        if self.rows.is_multiple_of(ROWS_PER_OFFSET) {
            self.block_starts.push(at);
        }
        self.rows += 1;
    }

    /// The index once the walk found the file's delimiter and header (and whether it had one).
    pub(crate) fn finish(mut self, delimiter: u8, header: Vec<String>, headerless: bool) -> Self {
        self.block_starts.shrink_to_fit();
        Self { delimiter, header, skips_repeated_headers: !headerless, ..self }
    }

    /// Data rows in the file.
    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The bytes rows `start..end` of a text of `len` bytes lie in: from the start of `start`'s block to
    /// the start of the block after `end - 1`'s. None for an empty or out-of-range span.
    pub fn span(&self, start: usize, end: usize, len: usize) -> Option<(usize, usize)> {
        let end = end.min(self.rows);
        if start >= end {
            return None;
        }
        let from = *self.block_starts.get(start / ROWS_PER_OFFSET)?;
        let to = self.block_starts.get((end - 1) / ROWS_PER_OFFSET + 1).copied().unwrap_or(len).min(len);
        (from <= to).then_some((from, to))
    }

    /// The cells of rows `start..end` as they are in the file, from `text`: the [`Self::span`] of
    /// those rows. Blank lines and repeated headers are passed over as the walk passes them.
    pub fn rows_in(&self, text: &str, start: usize, end: usize) -> Vec<Vec<String>> {
        let first = start - start % ROWS_PER_OFFSET;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let is_header = |r: &csv::StringRecord| {
            self.skips_repeated_headers && super::repeats_header(r, self.header.iter().map(String::as_str))
        };
        reader
            .records()
            .map_while(std::result::Result::ok)
            .map(|r| super::aligned_record(r, self.delimiter))
            .filter(|r| !super::is_blank(r) && !is_header(r))
            .skip(start - first)
            .take(end.min(self.rows).saturating_sub(start))
            .map(|r| r.iter().map(str::to_string).collect())
            .collect()
    }

    /// The cells of data row `row` of `text` (the text the index was built on), as they are in the file.
    #[cfg(test)]
    fn row(&self, text: &str, row: usize) -> Option<Vec<String>> {
        let (from, to) = self.span(row, row + 1, text.len())?;
        self.rows_in(text.get(from..to)?, row, row + 1).pop()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_row_is_read_from_its_offset_as_the_walk_numbers_it() {
        let bytes = b"# exported 2026\nid;name\n1;\"Ann\nSmith\"\n\n2;Bob\nid;name\n3;Cy\n".to_vec();
        let text = into_text(bytes).unwrap_or_default();
        let index = RowIndex::build(&text).unwrap_or_default();
        assert_eq!(index.header(), ["id", "name"]);
        assert_eq!(index.len(), 3);
        assert_eq!(index.row(&text, 0), Some(vec!["1".to_string(), "Ann\nSmith".to_string()]));
        assert_eq!(index.row(&text, 2), Some(vec!["3".to_string(), "Cy".to_string()]));
        assert_eq!(index.row(&text, 3), None);
    }

    #[test]
    fn a_headerless_file_and_a_latin1_file() {
        let text = into_text(b"1,2\n3,4\n".to_vec()).unwrap_or_default();
        let index = RowIndex::build(&text).unwrap_or_default();
        assert_eq!(index.header(), ["column_1", "column_2"]);
        assert_eq!(index.row(&text, 0), Some(vec!["1".to_string(), "2".to_string()]));
        let text = into_text(b"name,amount\nJos\xe9,3\n".to_vec()).unwrap_or_default();
        let index = RowIndex::build(&text).unwrap_or_default();
        assert_eq!(index.row(&text, 0), Some(vec!["Jos\u{e9}".to_string(), "3".to_string()]));
    }

    #[test]
    fn the_readers_index_is_the_walks() {
        // A file of 300 rows with blank lines, a repeated header and a quoted line break past the first
        // blocks, so rows are read from inside their block.
        let mut long = String::from("id;name\n");
        for r in 0..300 {
            long.push_str(&format!("{r};\"n{r}\"\n"));
            if r == 70 {
                long.push_str("\n   \nid;name\n");
            }
            if r == 130 {
                long.push_str("131;\"two\nlines\"\n");
            }
        }
        for bytes in [
            &b"# exported 2026\nid;name\n1;\"Ann\nSmith\"\n\n2;Bob\nid;name\n3;Cy\n"[..],
            b"\xef\xbb\xbfa,b\n1,2\n3,4",
            b"1,2\n3,4\n",
            b"name,amount\nJos\xe9,3\nAnn,4\n",
            long.as_bytes(),
        ] {
            let text = into_text(bytes.to_vec()).unwrap_or_default();
            let walked = RowIndex::build(&text).unwrap_or_default();
            let (_, read) =
                super::super::read_csv_indexed(bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(read.header(), walked.header());
            assert_eq!(read.len(), walked.len());
            assert_eq!(read.block_starts, walked.block_starts);
            // Each row alone, and pages across blocks, are the rows a full walk gives.
            let mut all = Vec::new();
            super::super::walk_csv(bytes, &mut |_| {}, &mut |r, _, _| {
                all.push(r.iter().map(str::to_string).collect::<Vec<_>>())
            })
            .unwrap_or_else(|e| panic!("{e}"));
            for r in 0..read.len() {
                assert_eq!(read.row(&text, r).as_ref(), all.get(r), "row {r}");
            }
            assert_eq!(read.row(&text, read.len()), None);
            for (start, end) in [(0, 5), (60, 70), (63, 200), (250, 400)] {
                let Some((from, to)) = read.span(start, end, text.len()) else { continue };
                let page = read.rows_in(&text[from..to], start, end);
                assert_eq!(page[..], all[start.min(all.len())..end.min(all.len())], "rows {start}..{end}");
            }
        }
    }
}

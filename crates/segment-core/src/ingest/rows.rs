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

/// Where each data row of a text starts (row `i` as [`super::walk_csv`] numbers it), with the header.
#[derive(Debug, Clone, Default)]
pub struct RowIndex {
    delimiter: u8,
    header: Vec<String>,
    starts: Vec<usize>,
}

impl RowIndex {
    /// One walk of its own over `text` (UTF-8 CSV, as [`into_text`] gives): the reference the
    /// reader's index is checked against.
    #[cfg(test)]
    fn build(text: &str) -> Result<Self> {
        let mut header = Vec::new();
        let mut starts = Vec::new();
        let info = super::walk_at(
            &super::Text::Held(text),
            String::new(),
            &mut |h| header = h.iter().map(str::to_string).collect(),
            &mut |_, _, at| starts.push(at),
        )?;
        Ok(Self { delimiter: info.delimiter, header, starts })
    }

    /// The index a reader's walk found (`starts`: each data row's byte offset in the text).
    pub(crate) fn from_parts(delimiter: u8, header: Vec<String>, starts: Vec<usize>) -> Self {
        Self { delimiter, header, starts }
    }

    /// Data rows in the file.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The cells of data row `row` of `text` (the text the index was built on), as they are in the file.
    #[cfg(test)]
    fn row(&self, text: &str, row: usize) -> Option<Vec<String>> {
        let (start, end) = self.span(row, text.len())?;
        self.cells(text.get(start..end)?)
    }

    /// Where data row `row` lies in a text of `len` bytes: from its start to the next row's (blank
    /// lines or a repeated header between them are read past).
    pub fn span(&self, row: usize, len: usize) -> Option<(usize, usize)> {
        let start = *self.starts.get(row)?;
        let end = self.starts.get(row + 1).copied().unwrap_or(len).min(len);
        (start <= end).then_some((start, end))
    }

    /// The cells of the row that `text` (a [`Self::span`] of the file) starts with.
    pub fn cells(&self, text: &str) -> Option<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .flexible(true)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let record = reader.records().next()?.ok()?;
        Some(record.iter().map(str::to_string).collect())
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
        for bytes in [
            &b"# exported 2026\nid;name\n1;\"Ann\nSmith\"\n\n2;Bob\nid;name\n3;Cy\n"[..],
            b"\xef\xbb\xbfa,b\n1,2\n3,4",
            b"1,2\n3,4\n",
            b"name,amount\nJos\xe9,3\nAnn,4\n",
        ] {
            let text = into_text(bytes.to_vec()).unwrap_or_default();
            let walked = RowIndex::build(&text).unwrap_or_default();
            let (_, read) =
                super::super::read_csv_indexed(bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(read.header(), walked.header());
            assert_eq!(read.len(), walked.len());
            for r in 0..=read.len() {
                assert_eq!(read.row(&text, r), walked.row(&text, r));
                assert_eq!(read.span(r, text.len()), walked.span(r, text.len()));
            }
        }
    }
}

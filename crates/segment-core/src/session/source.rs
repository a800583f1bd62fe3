//! The loaded file's text, held or read back where it lies.
//!
//! After reading a file the session needs its text only for what is asked later (an export, a preview
//! page, the row behind a point, a saved model's ids). A file that is UTF-8 as it is need not be kept:
//! given a [`FileSource`] (the page's `File`, the file on disk), the session reads it in chunks
//! ([`crate::ingest::read_csv_source`]), never whole, and reads the text again when asked: 60 MB less
//! held for a million-row export. A file read any other way (decoded from another encoding, a
//! spreadsheet's sheet, customers aggregated from purchase lines) is held as text.

use crate::error::{CoreError, Result};
use crate::ingest::source::FileSource;
use crate::ingest::source_text;
use std::borrow::Cow;

/// The loaded file's text.
pub(crate) enum FileText {
    Held(String),
    /// UTF-8 text read back from `source`: its `len` bytes from `offset` (past a byte-order mark).
    Source {
        source: Box<dyn FileSource>,
        offset: u64,
        len: usize,
    },
}

impl FileText {
    /// The text of a file read from `bytes`: read back from `source` when the bytes are the text as
    /// they are (UTF-8, perhaps after a byte-order mark) and the source holds them; else held.
    pub(crate) fn new(bytes: Vec<u8>, source: Option<Box<dyn FileSource>>) -> Result<Self> {
        let borrowed = match source_text(&bytes)? {
            (Cow::Borrowed(text), _) => Some(text.len()),
            (Cow::Owned(text), _) => return Ok(FileText::Held(text)),
        };
        match (source, borrowed) {
            (Some(source), Some(len)) if source.size() == bytes.len() as u64 => {
                Ok(FileText::Source { source, offset: (bytes.len() - len) as u64, len })
            }
            _ => crate::ingest::into_text(bytes).map(FileText::Held),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            FileText::Held(text) => text.len(),
            FileText::Source { len, .. } => *len,
        }
    }

    /// The text for a walk: held, or read from the source in chunks as the walk goes.
    pub(crate) fn walkable(&self) -> Result<crate::ingest::Text<'_>> {
        match self {
            FileText::Held(text) => Ok(crate::ingest::Text::Held(text)),
            FileText::Source { source, offset, len } => {
                crate::ingest::Text::streamed(source.as_ref(), *offset, *len as u64)
            }
        }
    }

    /// The whole text.
    #[cfg(test)]
    pub(crate) fn text(&self) -> Result<Cow<'_, str>> {
        self.slice(0, self.len())
    }

    /// Bytes `start..end` of the text (a row's span: whole characters).
    pub(crate) fn slice(&self, start: usize, end: usize) -> Result<Cow<'_, str>> {
        match self {
            FileText::Held(text) => text.get(start..end).map(Cow::Borrowed).ok_or_else(|| {
                CoreError::Internal(format!("bytes {start}..{end} of a {}-byte text", text.len()))
            }),
            FileText::Source { source, offset, len } => {
                let changed = |reason: String| CoreError::FileChanged { name: source.name(), reason };
                if source.size() != offset + *len as u64 {
                    return Err(changed("its size changed".into()));
                }
                if start > end || end > *len {
                    return Err(CoreError::Internal(format!("bytes {start}..{end} of a {len}-byte text")));
                }
                let bytes = source.read(offset + start as u64, offset + end as u64).map_err(changed)?;
                String::from_utf8(bytes)
                    .map(Cow::Owned)
                    .map_err(|_| changed("it is no longer the same text".into()))
            }
        }
    }

    /// The whole text, owned.
    #[cfg(test)]
    pub(crate) fn into_string(self) -> Result<String> {
        match self {
            FileText::Held(text) => Ok(text),
            FileText::Source { .. } => self.text().map(Cow::into_owned),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::source::tests::Memory;

    #[test]
    fn utf8_is_read_back_and_anything_else_is_held() {
        let bytes = b"\xef\xbb\xbfid,x\n1,2\n".to_vec();
        let shared = std::rc::Rc::new(std::cell::RefCell::new(bytes.clone()));
        let text =
            FileText::new(bytes, Some(Box::new(Memory(shared.clone())))).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(text, FileText::Source { offset: 3, len: 9, .. }));
        assert_eq!(text.text().ok().as_deref(), Some("id,x\n1,2\n"));
        assert_eq!(text.slice(5, 9).ok().as_deref(), Some("1,2\n"));
        // Changed on disk: said, not read wrong.
        shared.borrow_mut().push(b'3');
        assert!(matches!(text.text(), Err(CoreError::FileChanged { .. })));
        shared.borrow_mut().pop();
        shared.borrow_mut()[8] = 0xff;
        assert!(matches!(text.text(), Err(CoreError::FileChanged { .. })));

        // windows-1252: decoded, so held.
        let latin = b"name\nJos\xe9\n".to_vec();
        let shared = std::rc::Rc::new(std::cell::RefCell::new(latin.clone()));
        let text = FileText::new(latin, Some(Box::new(Memory(shared)))).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(&text, FileText::Held(t) if t == "name\nJos\u{e9}\n"));
        // No source: held.
        let text = FileText::new(b"a\n1\n".to_vec(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(text.into_string().ok().as_deref(), Some("a\n1\n"));
    }
}

//! The loaded file's text, held or read back where it lies.
//!
//! After reading a file the session needs its text only for what is asked later (an export, a preview
//! page, the row behind a point, a saved model's ids). A file that is UTF-8 as it is need not be kept:
//! given a [`FileSource`] (the page's `File`, the file on disk), the session drops its bytes once the
//! table is read and reads the text again when asked: 60 MB less held for a million-row export. A file
//! read any other way (decoded from another encoding, a spreadsheet's sheet, customers aggregated from
//! purchase lines) is held as text.

use crate::error::{CoreError, Result};
use crate::ingest::source_text;
use std::borrow::Cow;

/// Where a loaded file can be read again.
pub trait FileSource {
    /// The file's name, for messages.
    fn name(&self) -> String;
    /// Its size in bytes.
    fn size(&self) -> u64;
    /// Bytes `start..end` (Err with the reason it could not be read).
    fn read(&self, start: u64, end: u64) -> std::result::Result<Vec<u8>, String>;
}

/// A file on disk (the command line).
#[cfg(not(target_arch = "wasm32"))]
pub struct DiskFile {
    path: std::path::PathBuf,
    file: std::cell::RefCell<std::fs::File>,
}

#[cfg(not(target_arch = "wasm32"))]
impl DiskFile {
    pub fn open(path: &std::path::Path) -> std::io::Result<Self> {
        Ok(Self { path: path.to_path_buf(), file: std::cell::RefCell::new(std::fs::File::open(path)?) })
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl FileSource for DiskFile {
    fn name(&self) -> String {
        self.path.display().to_string()
    }

    fn size(&self) -> u64 {
        self.file.borrow().metadata().map_or(0, |m| m.len())
    }

    fn read(&self, start: u64, end: u64) -> std::result::Result<Vec<u8>, String> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = self.file.borrow_mut();
        let len = usize::try_from(end.saturating_sub(start)).map_err(|e| e.to_string())?;
        let mut bytes = vec![0; len];
        file.seek(SeekFrom::Start(start)).map_err(|e| e.to_string())?;
        file.read_exact(&mut bytes).map_err(|e| e.to_string())?;
        Ok(bytes)
    }
}

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

    /// The whole text.
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
        self.into_parts().map(|(text, _)| text)
    }

    /// The whole text, owned, and the source it was read from (to read the file again from it).
    pub(crate) fn into_parts(self) -> Result<(String, Option<Box<dyn FileSource>>)> {
        match self {
            FileText::Held(text) => Ok((text, None)),
            FileText::Source { .. } => {
                let text = self.text()?.into_owned();
                match self {
                    FileText::Source { source, .. } => Ok((text, Some(source))),
                    FileText::Held(_) => Ok((text, None)),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source over bytes in memory, whose bytes a test can change.
    struct Memory(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl FileSource for Memory {
        fn name(&self) -> String {
            "memory.csv".into()
        }
        fn size(&self) -> u64 {
            self.0.borrow().len() as u64
        }
        fn read(&self, start: u64, end: u64) -> std::result::Result<Vec<u8>, String> {
            self.0
                .borrow()
                .get(start as usize..end as usize)
                .map(<[u8]>::to_vec)
                .ok_or_else(|| "past the end".into())
        }
    }

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

//! Where a file's bytes are read from when they are not all in memory: a [`FileSource`] (the page's
//! `File` in the worker, a file on disk for the command line), read in chunks by a [`ChunkReader`].
//!
//! The reader walks a UTF-8 file this way ([`super::read_csv_source`]), so a million-row export is
//! never held whole: its 60 MB pass through a 1 MB buffer, twice. The session reads it back the same way
//! when asked for its rows (an export, a preview page).

use std::io::Read;

/// Where a loaded file can be read (again).
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
        use std::io::{Seek, SeekFrom};
        let mut file = self.file.borrow_mut();
        let len = usize::try_from(end.saturating_sub(start)).map_err(|e| e.to_string())?;
        let mut bytes = vec![0; len];
        file.seek(SeekFrom::Start(start)).map_err(|e| e.to_string())?;
        file.read_exact(&mut bytes).map_err(|e| e.to_string())?;
        Ok(bytes)
    }
}

/// Bytes a [`ChunkReader`] asks its source for at a time.
pub const CHUNK_BYTES: u64 = 1 << 20;

/// Why a [`ChunkReader`] stopped short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkError {
    /// The bytes are not UTF-8 text as they are (the whole file is then decoded instead).
    NotUtf8,
    /// The source could not be read (the reason), or its size changed.
    Unreadable(String),
}

impl std::fmt::Display for ChunkError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChunkError::NotUtf8 => f.write_str("not UTF-8 text"),
            ChunkError::Unreadable(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for ChunkError {}

/// Reads bytes `start..end` of a source in chunks of [`CHUNK_BYTES`], checking that they are UTF-8 as
/// they go (a character cut by a chunk's end is completed by the next): what it yields is whole UTF-8
/// text, or it fails with a [`ChunkError`] inside an `io::Error` ([`ChunkReader::failure`] gets it back).
pub struct ChunkReader<'a> {
    source: &'a dyn FileSource,
    /// The next byte of the source to read, and where to stop.
    next: u64,
    end: u64,
    /// Checked bytes not yet given out: `buffer[at..ready]`; `buffer[ready..]` is a character cut by
    /// the chunk's end, checked once the next chunk completes it.
    buffer: Vec<u8>,
    at: usize,
    ready: usize,
}

impl<'a> ChunkReader<'a> {
    pub fn new(source: &'a dyn FileSource, start: u64, end: u64) -> Self {
        Self { source, next: start, end, buffer: Vec::new(), at: 0, ready: 0 }
    }

    /// The [`ChunkError`] an `io::Error` of this reader carries (also through the csv crate's errors).
    pub fn failure(error: &std::io::Error) -> Option<&ChunkError> {
        error.get_ref().and_then(|e| e.downcast_ref::<ChunkError>())
    }

    fn fail(error: ChunkError) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::InvalidData, error)
    }

    /// Reads the next chunk after the bytes cut at the last one's end.
    fn refill(&mut self) -> std::io::Result<()> {
        let cut = self.buffer.split_off(self.ready);
        let to = self.end.min(self.next + CHUNK_BYTES);
        let chunk = self.source.read(self.next, to).map_err(|e| Self::fail(ChunkError::Unreadable(e)))?;
        if chunk.len() as u64 != to - self.next {
            return Err(Self::fail(ChunkError::Unreadable("it is shorter than it was".into())));
        }
        self.next = to;
        self.buffer = cut;
        self.buffer.extend_from_slice(&chunk);
        self.at = 0;
        self.ready = match std::str::from_utf8(&self.buffer) {
            Ok(_) => self.buffer.len(),
            // A character cut by the chunk's end (the next chunk completes it).
            Err(e) if e.error_len().is_none() && self.next < self.end => e.valid_up_to(),
            Err(_) => return Err(Self::fail(ChunkError::NotUtf8)),
        };
        Ok(())
    }
}

impl Read for ChunkReader<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.ready {
            if self.next >= self.end {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = out.len().min(self.ready - self.at);
        out[..n].copy_from_slice(&self.buffer[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A source over bytes in memory, whose bytes a test can change.
    pub(crate) struct Memory(pub std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

    impl Memory {
        pub(crate) fn new(bytes: &[u8]) -> Self {
            Self(std::rc::Rc::new(std::cell::RefCell::new(bytes.to_vec())))
        }
    }

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

    fn read_all(source: &dyn FileSource, start: u64) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::new();
        ChunkReader::new(source, start, source.size()).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn characters_cut_by_a_chunk_are_joined_and_bad_bytes_are_said() {
        // "é" (2 bytes) and "€" (3 bytes) straddling the 1 MB chunk boundary, at every cut.
        for cut in 1..4 {
            let mut bytes = vec![b'a'; CHUNK_BYTES as usize - cut];
            bytes.extend_from_slice("é€x\n".as_bytes());
            let source = Memory::new(&bytes);
            assert_eq!(read_all(&source, 0).ok(), Some(bytes.clone()), "cut {cut}");
            assert_eq!(read_all(&source, 5).ok().map(|b| b.len()), Some(bytes.len() - 5));
        }
        let mut bytes = vec![b'a'; CHUNK_BYTES as usize + 10];
        bytes[CHUNK_BYTES as usize + 3] = 0xe9; // Latin-1 "é"
        let error = read_all(&Memory::new(&bytes), 0).err();
        assert_eq!(error.as_ref().and_then(ChunkReader::failure), Some(&ChunkError::NotUtf8));
        // A character cut by the file's end is not text either.
        let error = read_all(&Memory::new(b"ab\xe2\x82"), 0).err();
        assert_eq!(error.as_ref().and_then(ChunkReader::failure), Some(&ChunkError::NotUtf8));
        // A source that shrank is said, not read short.
        let source = Memory::new(&vec![b'a'; CHUNK_BYTES as usize + 10]);
        let mut reader = ChunkReader::new(&source, 0, source.size());
        let mut first = vec![0; 10];
        assert!(reader.read_exact(&mut first).is_ok());
        source.0.borrow_mut().truncate(100);
        let error = reader.read_to_end(&mut Vec::new()).err();
        assert!(matches!(error.as_ref().and_then(ChunkReader::failure), Some(ChunkError::Unreadable(_))));
    }
}

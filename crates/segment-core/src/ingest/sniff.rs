//! Sniffing: is this text at all, which encoding, which delimiter.

use crate::error::{CoreError, Result};
use std::borrow::Cow;

/// Decodes the bytes: a BOM says UTF-8 or UTF-16 (little or big endian); without one, the file's first
/// bytes decide ([`sniff_encoding`]): UTF-8, where an isolated invalid byte becomes U+FFFD (and is
/// counted in the name returned), or Windows-1252 (the Latin-1 superset Excel and older systems write)
/// when the bytes really are another encoding, with encoding_rs's decoders. Binary files (images,
/// archives, spreadsheets, anything with NUL bytes outside UTF-16) are refused with their likely kind.
pub fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>> {
    decode(bytes).map(|(text, _)| text)
}

/// [`decode_text`] and what the file was read as ("UTF-8", "windows-1252", "UTF-8, 2 bytes that are
/// not text shown as \u{FFFD}").
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, String)> {
    let (encoding, bom) = sniff_encoding(&bytes[..bytes.len().min(SNIFF_BYTES)])?;
    let body = &bytes[bom..];
    if encoding == encoding_rs::UTF_8 {
        if let Ok(text) = std::str::from_utf8(body) {
            return Ok((Cow::Borrowed(text), "UTF-8".to_string()));
        }
        let text = String::from_utf8_lossy(body).into_owned();
        let bad = invalid_utf8_sequences(body);
        return Ok((
            Cow::Owned(text),
            format!("UTF-8, {bad} byte sequence(s) that are not text shown as \u{FFFD}"),
        ));
    }
    let (text, _) = encoding.decode_without_bom_handling(body);
    Ok((text, encoding.name().to_string()))
}

/// Bytes read to decide a file's encoding: the same prefix for every reader (the page reads the whole
/// file, the command line streams it), so both decide alike.
pub const SNIFF_BYTES: usize = 1 << 20;

/// The encoding of a file from its first bytes, and the length of its BOM: a BOM decides; else valid
/// UTF-8 is UTF-8; bytes that are not UTF-8 are read as Windows-1252 when nothing else in them is
/// UTF-8 beyond ASCII, or when they are more than one in ten of the UTF-8 sequences; a few isolated
/// ones in a UTF-8 file stay UTF-8 (each becomes U+FFFD).
pub fn sniff_encoding(head: &[u8]) -> Result<(&'static encoding_rs::Encoding, usize)> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(head) {
        return Ok((encoding, bom));
    }
    if let Some(kind) = binary_kind(head) {
        return Err(CoreError::NotText { kind: kind.to_string() });
    }
    let (valid_multibyte, invalid) = utf8_evidence(head);
    if invalid == 0 || (valid_multibyte > 0 && invalid * 10 <= valid_multibyte) {
        Ok((encoding_rs::UTF_8, 0))
    } else {
        Ok((encoding_rs::WINDOWS_1252, 0))
    }
}

/// Valid multi-byte UTF-8 sequences and invalid ones in `bytes` (a sequence cut by the end is neither).
fn utf8_evidence(mut bytes: &[u8]) -> (usize, usize) {
    let (mut valid, mut invalid) = (0usize, 0usize);
    loop {
        match std::str::from_utf8(bytes) {
            Ok(text) => {
                valid += text.chars().filter(|c| !c.is_ascii()).count();
                return (valid, invalid);
            }
            Err(e) => {
                let (good, rest) = bytes.split_at(e.valid_up_to());
                valid += std::str::from_utf8(good).map_or(0, |t| t.chars().filter(|c| !c.is_ascii()).count());
                match e.error_len() {
                    Some(len) => {
                        invalid += 1;
                        bytes = &rest[len..];
                    }
                    None => return (valid, invalid),
                }
            }
        }
    }
}

fn invalid_utf8_sequences(bytes: &[u8]) -> usize {
    let mut n = 0;
    let mut rest = bytes;
    while let Err(e) = std::str::from_utf8(rest) {
        let len = e.error_len().unwrap_or(rest.len() - e.valid_up_to());
        n += 1;
        rest = &rest[e.valid_up_to() + len..];
    }
    n
}

/// A reader that turns a file's bytes, in `encoding`, into UTF-8 as it streams (the command line's
/// `apply`): the same text the page decodes from the whole file.
pub struct Utf8Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    start: usize,
    end: usize,
    output: Vec<u8>,
    out_start: usize,
    out_end: usize,
    finished: bool,
}

impl<R: std::io::Read> Utf8Reader<R> {
    pub fn new(inner: R, encoding: &'static encoding_rs::Encoding) -> Self {
        Self {
            inner,
            decoder: encoding.new_decoder_without_bom_handling(),
            input: vec![0; 64 * 1024],
            start: 0,
            end: 0,
            output: vec![0; 3 * 64 * 1024 + 16],
            out_start: 0,
            out_end: 0,
            finished: false,
        }
    }
}

impl<R: std::io::Read> std::io::Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.out_start == self.out_end && !self.finished {
            if self.start == self.end {
                self.start = 0;
                self.end = self.inner.read(&mut self.input)?;
            }
            let last = self.end == 0;
            let (result, read, written, _) =
                self.decoder.decode_to_utf8(&self.input[self.start..self.end], &mut self.output, last);
            self.start += read;
            self.out_start = 0;
            self.out_end = written;
            if last && result == encoding_rs::CoderResult::InputEmpty {
                self.finished = true;
            }
        }
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.output[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 6] = [
        (b"\x89PNG", "PNG image"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"GIF8", "GIF image"),
        (b"%PDF", "PDF"),
        (b"PK\x03\x04", "ZIP or Excel (.xlsx)"),
        (b"\xD0\xCF\x11\xE0", "legacy Excel (.xls)"),
    ];
    if let Some((_, kind)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some(kind);
    }
    let head = &bytes[..bytes.len().min(8192)];
    head.contains(&0).then_some("binary")
}

/// The delimiter among `, ; \t |` that splits the first lines most consistently into the most fields.
/// The delimiter of a whitespace-aligned file (columns padded with spaces): fields are split by runs of
/// spaces, the empty fields between them dropped ([`super::aligned_record`]).
pub const ALIGNED: u8 = b' ';

pub fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let found = [b',', b';', b'\t', b'|']
        .iter()
        .any(|&d| lines.first().is_some_and(|l| count_outside_quotes(l, d) > 0));
    if !found && is_aligned(&lines) {
        return ALIGNED;
    }
    let mut best = (b',', 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        if first == 0 {
            continue;
        }
        let consistent = counts.iter().filter(|&&c| c == first).count();
        let score = consistent * (first + 1);
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

/// Lines of two or more fields split by spaces, as many in (nearly) every line: a whitespace-aligned
/// table. A line of prose has a different number of words on each line.
fn is_aligned(lines: &[&str]) -> bool {
    let counts: Vec<usize> = lines.iter().map(|l| l.split_whitespace().count()).collect();
    let Some(&first) = counts.first() else { return false };
    first >= 2 && lines.len() >= 2 && counts.iter().filter(|&&c| c == first).count() * 10 >= counts.len() * 9
}

fn count_outside_quotes(line: &str, delimiter: u8) -> usize {
    let mut in_quotes = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            in_quotes = !in_quotes;
        } else if b == delimiter && !in_quotes {
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_consistent_delimiter() {
        assert_eq!(detect_delimiter("a;b;c\n1,5;2;3\n"), b';');
        assert_eq!(detect_delimiter("a,b\n1,2\n"), b',');
        assert_eq!(
            detect_delimiter("ID    DATE      AMOUNT\r\n  7  20240101   12.50\r\n 12  20240102  3.00\r\n"),
            ALIGNED
        );
        assert_eq!(detect_delimiter("one word\nthree words here\n"), b',');
        assert_eq!(detect_delimiter("a\tb\n1\t2\n"), b'\t');
        assert_eq!(detect_delimiter("\"x,y\";b\n\"1,2\";3\n"), b';');
    }

    #[test]
    fn latin1_is_decoded() {
        let bytes = b"nom,val\nJos\xe9,1\n";
        let text = decode_text(bytes).unwrap_or_else(|e| panic!("{e}"));
        assert!(text.contains("José"));
        // Windows-1252 beyond Latin-1: the euro sign is 0x80.
        let (text, name) = decode(b"price\n\x80 5\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((text.as_ref(), name.as_str()), ("price\n€ 5\n", "windows-1252"));
    }

    #[test]
    fn an_isolated_bad_byte_stays_utf8_and_is_counted() {
        // UTF-8 amounts with euro signs and one stray byte: still UTF-8, the stray byte shown as U+FFFD.
        let mut bytes = String::from("name,amount\n");
        for i in 0..40 {
            bytes.push_str(&format!("Zoë {i},€{i},50\n"));
        }
        let mut bytes = bytes.into_bytes();
        bytes.extend_from_slice(b"Bad \xff row,\xe2\x82\xac1,00\n");
        let (text, name) = decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
        assert!(text.contains("Bad \u{FFFD} row,€1,00"), "{text}");
        assert!(text.contains("Zoë 3,€3,50"));
        assert!(name.starts_with("UTF-8, 1 byte sequence(s) that are not text"), "{name}");
        // A file whose high bytes are all single (Windows-1252) is that encoding.
        let (_, name) = decode(b"n\n\xe9t\xe9\n\x80\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(name, "windows-1252");
    }

    #[test]
    fn the_streaming_reader_decodes_as_the_page_does() {
        use std::io::Read;
        let mut cp1252 = b"Kunde;Umsatz\n".to_vec();
        for i in 0..20_000 {
            cp1252.extend_from_slice(format!("K{i};").as_bytes());
            cp1252.extend_from_slice(b"\x80 1.234,50\n");
        }
        let (encoding, bom) = sniff_encoding(&cp1252).unwrap_or_else(|e| panic!("{e}"));
        let mut streamed = String::new();
        Utf8Reader::new(&cp1252[bom..], encoding)
            .read_to_string(&mut streamed)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(streamed, decode_text(&cp1252).unwrap_or_else(|e| panic!("{e}")));
        assert!(streamed.contains("K19999;€ 1.234,50"));
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("a;b\n1;€\n".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(
            decode(&le).map(|(t, n)| (t.into_owned(), n)),
            Ok(("a;b\n1;€\n".to_string(), "UTF-16LE".to_string()))
        );
        let mut be = vec![0xFE, 0xFF];
        be.extend("x\n2\n".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be).map(|(t, _)| t.into_owned()), Ok("x\n2\n".to_string()));
        assert_eq!(
            decode(b"\xEF\xBB\xBFa\n").map(|(t, n)| (t.into_owned(), n)),
            Ok(("a\n".to_string(), "UTF-8".to_string()))
        );
    }
}

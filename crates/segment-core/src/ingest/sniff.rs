//! Sniffing: is this text at all, which encoding, which delimiter.

use crate::error::{CoreError, Result};
use std::borrow::Cow;

/// Decodes the bytes: a BOM says UTF-8 or UTF-16 (little or big endian); without one, valid UTF-8 is
/// UTF-8 and anything else is read as Windows-1252 (the Latin-1 superset Excel and older systems
/// write), with encoding_rs's decoders. Binary files (images, archives, spreadsheets, anything with NUL
/// bytes outside UTF-16) are refused with their likely kind.
pub fn decode_text(bytes: &[u8]) -> Result<Cow<'_, str>> {
    decode(bytes).map(|(text, _)| text)
}

/// [`decode_text`] and the name of the encoding it used.
pub fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, &'static str)> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return Ok((text, encoding.name()));
    }
    if let Some(kind) = binary_kind(bytes) {
        return Err(CoreError::NotText { kind: kind.to_string() });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok((Cow::Borrowed(text), "UTF-8")),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            Ok((text, "windows-1252"))
        }
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
pub fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
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
        assert_eq!((text.as_ref(), name), ("price\n€ 5\n", "windows-1252"));
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        let mut le = vec![0xFF, 0xFE];
        le.extend("a;b\n1;€\n".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&le).map(|(t, n)| (t.into_owned(), n)), Ok(("a;b\n1;€\n".to_string(), "UTF-16LE")));
        let mut be = vec![0xFE, 0xFF];
        be.extend("x\n2\n".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(&be).map(|(t, _)| t.into_owned()), Ok("x\n2\n".to_string()));
        assert_eq!(
            decode(b"\xEF\xBB\xBFa\n").map(|(t, n)| (t.into_owned(), n)),
            Ok(("a\n".to_string(), "UTF-8"))
        );
    }
}

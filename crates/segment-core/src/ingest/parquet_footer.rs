//! A check of a Parquet file's footer before the `parquet` crate reads it: its size, and how deeply its
//! schema nests. The crate builds the schema tree by recursion, so a footer of a few kilobytes with
//! thousands of nested groups would overflow the stack (an abort, not an error); here the schema's
//! flat list of elements is walked with Thrift's compact protocol and an explicit stack.

use crate::error::{CoreError, Result};
use crate::limits;

fn damaged(why: &str) -> CoreError {
    CoreError::Parquet {
        reason: format!("its footer is damaged ({why})"),
        hint: "Check that the file is whole, or export the table again.".into(),
    }
}

/// Thrift's compact protocol over a byte slice, just enough to walk a struct and skip what it does not
/// need (nesting of skipped values bounded by [`MAX_SKIP_DEPTH`]).
struct Compact<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// Depth of Thrift values nested inside one another that a skip follows (the format's own structs
/// nest about five deep).
const MAX_SKIP_DEPTH: usize = 32;

impl Compact<'_> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.bytes.get(self.at).ok_or_else(|| damaged("it ends early"))?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64> {
        let mut v = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            if shift < 64 {
                v |= u64::from(b & 0x7f) << shift;
            }
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(damaged("a number runs on"))
    }

    fn zigzag(&mut self) -> Result<i64> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn advance(&mut self, n: u64) -> Result<()> {
        let end = (self.at as u64).checked_add(n).filter(|&e| e <= self.bytes.len() as u64);
        self.at = end.ok_or_else(|| damaged("a value runs past its end"))? as usize;
        Ok(())
    }

    /// The next field of a struct: (id, type), None at its end.
    fn field(&mut self, last: &mut i64) -> Result<Option<(i64, u8)>> {
        let b = self.byte()?;
        if b == 0 {
            return Ok(None);
        }
        let delta = i64::from(b >> 4);
        *last = if delta == 0 { self.zigzag()? } else { *last + delta };
        Ok(Some((*last, b & 0x0f)))
    }

    /// A list's (size, element type).
    fn list(&mut self) -> Result<(u64, u8)> {
        let h = self.byte()?;
        let size = if h >> 4 == 15 { self.varint()? } else { u64::from(h >> 4) };
        Ok((size, h & 0x0f))
    }

    /// Skips a value of compact type `ty`; `in_list` for a list element (a boolean is a byte there).
    fn skip(&mut self, ty: u8, depth: usize, in_list: bool) -> Result<()> {
        if depth > MAX_SKIP_DEPTH {
            return Err(damaged("values nest too deeply"));
        }
        match ty {
            1 | 2 if !in_list => Ok(()),
            1..=3 => self.advance(1),
            4..=6 => self.varint().map(|_| ()),
            7 => self.advance(8),
            8 => {
                let n = self.varint()?;
                self.advance(n)
            }
            9 | 10 => {
                let (size, elem) = self.list()?;
                for _ in 0..size {
                    self.skip(elem, depth + 1, true)?;
                }
                Ok(())
            }
            11 => {
                let size = self.varint()?;
                if size > 0 {
                    let kv = self.byte()?;
                    for _ in 0..size {
                        self.skip(kv >> 4, depth + 1, true)?;
                        self.skip(kv & 0x0f, depth + 1, true)?;
                    }
                }
                Ok(())
            }
            12 => {
                let mut last = 0;
                while let Some((_, t)) = self.field(&mut last)? {
                    self.skip(t, depth + 1, false)?;
                }
                Ok(())
            }
            _ => Err(damaged("an unknown value type")),
        }
    }
}

/// The `num_children` of each schema element, in the footer's order (`FileMetaData` field 2).
fn schema_children(footer: &[u8]) -> Result<Vec<i64>> {
    let mut c = Compact { bytes: footer, at: 0 };
    let mut last = 0;
    while let Some((id, ty)) = c.field(&mut last)? {
        if id != 2 || ty != 9 {
            c.skip(ty, 0, false)?;
            continue;
        }
        let (size, elem) = c.list()?;
        if elem != 12 {
            return Err(damaged("the schema is not a list of elements"));
        }
        let mut children = Vec::new();
        for _ in 0..size {
            let mut n = 0;
            let mut last = 0;
            while let Some((id, ty)) = c.field(&mut last)? {
                if id == 5 && ty == 5 {
                    n = c.zigzag()?;
                } else {
                    c.skip(ty, 1, false)?;
                }
            }
            children.push(n);
        }
        return Ok(children);
    }
    Err(damaged("it has no schema"))
}

/// How deeply a schema of these `num_children` nests (the root counts 1), without recursion.
fn depth(children: &[i64]) -> usize {
    let mut open: Vec<i64> = Vec::new();
    let mut deepest = 0;
    for &n in children {
        if let Some(top) = open.last_mut() {
            *top -= 1;
        }
        if n > 0 {
            open.push(n);
            deepest = deepest.max(open.len());
        }
        while open.last().is_some_and(|&left| left <= 0) {
            open.pop();
        }
    }
    deepest
}

/// Checks the footer of the Parquet file `file` (its size, its schema's nesting) before it is parsed.
pub fn check<R: parquet::file::reader::ChunkReader>(file: &R) -> Result<()> {
    let len = file.len();
    if len < 12 {
        return Err(damaged("the file is shorter than a Parquet file can be"));
    }
    let tail = file.get_bytes(len - 8, 8).map_err(|e| damaged(&e.to_string()))?;
    if &tail[4..] != b"PAR1" {
        // Encrypted footers ("PARE") and other files are the crate's to refuse.
        return Ok(());
    }
    let footer_len = u64::from(u32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]));
    if footer_len > len - 8 {
        return Err(damaged("its footer is longer than the file"));
    }
    if footer_len > limits::MAX_PARQUET_FOOTER_BYTES {
        return Err(CoreError::TooLarge {
            what: "The Parquet file's footer".into(),
            found: format!("{} MB", footer_len / 1_000_000),
            limit: format!("{} MB", limits::MAX_PARQUET_FOOTER_BYTES / 1_000_000),
            hint: "Write it again with fewer row groups or columns.".into(),
        });
    }
    let footer =
        file.get_bytes(len - 8 - footer_len, footer_len as usize).map_err(|e| damaged(&e.to_string()))?;
    let levels = depth(&schema_children(&footer)?);
    if levels > limits::MAX_PARQUET_NESTING {
        return Err(CoreError::Parquet {
            reason: format!(
                "its schema nests {levels} levels deep, beyond the {} a customer table can need",
                limits::MAX_PARQUET_NESTING
            ),
            hint: "Select the flat columns into a new file, e.g. in DuckDB: COPY (SELECT ... FROM \
                   'file.parquet') TO 'flat.parquet'."
                .into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_without_recursion() {
        assert_eq!(depth(&[3, 0, 0, 0]), 1, "a flat table");
        assert_eq!(depth(&[2, 0, 1, 1, 0]), 3, "a list column");
        let mut deep = vec![1i64; 100_000];
        deep.push(0);
        assert_eq!(depth(&deep), 100_000);
        assert_eq!(depth(&[-5, 7]), 1, "damaged counts do not panic");
    }

    /// A file of `levels` nested groups around one INT32 column, footer written by hand.
    fn nested_file(levels: usize) -> Vec<u8> {
        let mut f = vec![0x15, 0x02]; // 1: version = 1
        f.push(0x19); // 2: schema, a list of structs
        let n = levels + 1;
        f.push(0xfc);
        let mut v = n as u64;
        while v >= 0x80 {
            f.push((v as u8) | 0x80);
            v >>= 7;
        }
        f.push(v as u8);
        for i in 0..levels {
            if i > 0 {
                f.extend([0x35, 0x04]); // 3: repetition_type = OPTIONAL (1)
            } else {
                f.push(0x48); // 4: name (delta 4 from 0)
            }
            if i > 0 {
                f.push(0x18); // 4: name
            }
            f.extend([0x01, b'g']);
            f.extend([0x15, 0x02, 0x00]); // 5: num_children = 1, end
        }
        // The column: 1: type INT32 (1), 3: repetition REQUIRED (0), 4: name "x".
        f.extend([0x15, 0x02, 0x25, 0x00, 0x18, 0x01, b'x', 0x00]);
        f.extend([0x16, 0x00]); // 3: num_rows = 0
        f.extend([0x19, 0x0c]); // 4: row_groups, empty
        f.push(0x00);
        let mut file = b"PAR1".to_vec();
        file.extend(&f);
        file.extend((f.len() as u32).to_le_bytes());
        file.extend(b"PAR1");
        file
    }

    #[test]
    fn a_schema_nested_thousands_deep_is_refused_before_the_crate_reads_it() {
        let shallow = bytes::Bytes::from(nested_file(2));
        assert_eq!(check(&shallow).ok(), Some(()));
        let names = super::super::parquet::column_names(shallow);
        assert_eq!(names.ok(), Some(vec!["g".to_string()]), "the hand-written footer is a Parquet footer");
        let deep = bytes::Bytes::from(nested_file(5_000));
        let err = super::super::parquet::column_names(deep);
        assert!(
            matches!(&err, Err(CoreError::Parquet { reason, .. }) if reason.contains("5000 levels")),
            "{err:?}"
        );
    }

    #[test]
    fn damaged_footers_are_errors() {
        for bytes in [&[][..], &[0x19][..], &[0x19, 0xfc][..], &[0x1c; 64][..], &[0xff; 16][..]] {
            assert!(schema_children(bytes).is_err(), "{bytes:?}");
        }
    }
}

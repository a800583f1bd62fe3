//! How a typed column holds its cells: each value in the fewest bytes that give it back exactly.
//!
//! A million rows of a ten-column export held as `f64` and a `bool` per cell take 90 MB; most columns
//! need far less. A yes/no column or a category has a few distinct values (a byte per row, indexing a
//! small table); counts, day numbers and amounts with cents are integers over a power of ten (4 bytes
//! per row). Every value reads back bit for bit as the `f64` the reader parsed: a value that would not
//! (a -0.0, a fraction with more than four decimals, a number beyond ±2^31 units) moves its column to
//! plain `f64`, so nothing downstream can tell the difference but the memory.

/// Distinct values a coded column holds before it is stored as decimals (a linear scan of the table
/// per cell: a handful for booleans, at most 50 for a category).
const CODED_MAX: usize = 64;
/// The finest decimal step tried: 10^-4.
const MAX_DECIMALS: i32 = 4;
/// A missing value in a decimal column.
const NAN_INT: i32 = i32::MIN;
const NAN_CODE: u8 = u8::MAX;

/// A column's values (NaN where the cell is missing or not a number).
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// Any number.
    F64(Vec<f64>),
    /// Few distinct values: value `table[codes[r]]`, NaN for [`NAN_CODE`].
    Coded { codes: Vec<u8>, table: Vec<f64> },
    /// Integers over `divisor` (a power of ten up to 10^4): value `ints[r] as f64 / divisor`, NaN for
    /// [`NAN_INT`].
    Decimal { ints: Vec<i32>, divisor: f64 },
}

impl Default for Values {
    fn default() -> Self {
        Values::F64(Vec::new())
    }
}

impl From<Vec<f64>> for Values {
    fn from(values: Vec<f64>) -> Self {
        Values::F64(values)
    }
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::F64(v) => v.len(),
            Values::Coded { codes, .. } => codes.len(),
            Values::Decimal { ints, .. } => ints.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value of row `r` (None past the end).
    #[inline]
    pub fn get(&self, r: usize) -> Option<f64> {
        match self {
            Values::F64(v) => v.get(r).copied(),
            Values::Coded { codes, table } => {
                codes.get(r).map(|&c| if c == NAN_CODE { f64::NAN } else { table[usize::from(c)] })
            }
            Values::Decimal { ints, divisor } => ints.get(r).map(|&i| decimal_value(i, *divisor)),
        }
    }

    /// The value of row `r`; NaN past the end (a text column holds no values: its cells count as
    /// missing numbers).
    #[inline]
    pub fn at(&self, r: usize) -> f64 {
        self.get(r).unwrap_or(f64::NAN)
    }

    pub fn iter(&self) -> impl Iterator<Item = f64> + '_ {
        (0..self.len()).map(|r| self.at(r))
    }

    pub fn first(&self) -> Option<f64> {
        self.get(0)
    }

    pub fn to_vec(&self) -> Vec<f64> {
        self.iter().collect()
    }

    /// Bytes the values take.
    pub fn bytes(&self) -> usize {
        match self {
            Values::F64(v) => v.len() * 8,
            Values::Coded { codes, table } => codes.len() + table.len() * 8,
            Values::Decimal { ints, .. } => ints.len() * 4,
        }
    }
}

#[inline]
fn decimal_value(i: i32, divisor: f64) -> f64 {
    if i == NAN_INT {
        f64::NAN
    } else {
        f64::from(i) / divisor
    }
}

/// `v` as an integer over `divisor` that gives `v` back bit for bit (NaN as [`NAN_INT`]).
fn to_decimal(v: f64, divisor: f64) -> Option<i32> {
    if v.is_nan() {
        return Some(NAN_INT);
    }
    let scaled = (v * divisor).round();
    if !scaled.is_finite() || scaled.abs() >= f64::from(i32::MAX) {
        return None;
    }
    let i = scaled as i32;
    (decimal_value(i, divisor).to_bits() == v.to_bits()).then_some(i)
}

fn divisor_of(decimals: i32) -> f64 {
    10f64.powi(decimals)
}

/// Builds [`Values`] one row at a time, in the most compact form the values so far allow: coded
/// while there are few distinct values, then decimals, then `f64`.
#[derive(Debug)]
pub struct ValuesBuilder {
    values: Values,
    /// Decimal places of a decimal column.
    decimals: i32,
    capacity: usize,
}

impl ValuesBuilder {
    /// A builder for about `capacity` rows.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            values: Values::Coded { codes: Vec::with_capacity(capacity), table: Vec::new() },
            decimals: 0,
            capacity,
        }
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn push(&mut self, v: f64) {
        match &mut self.values {
            Values::Coded { codes, table } => {
                if v.is_nan() {
                    return codes.push(NAN_CODE);
                }
                let bits = v.to_bits();
                if let Some(c) = table.iter().position(|t| t.to_bits() == bits) {
                    return codes.push(c as u8);
                }
                if table.len() < CODED_MAX {
                    table.push(v);
                    return codes.push((table.len() - 1) as u8);
                }
                self.widen_coded();
                self.push(v);
            }
            Values::Decimal { ints, divisor } => {
                if let Some(i) = to_decimal(v, *divisor) {
                    return ints.push(i);
                }
                self.finer_decimals(v);
                self.push(v);
            }
            Values::F64(values) => values.push(v),
        }
    }

    /// A coded column with too many distinct values: decimals at the fewest places that hold every
    /// value so far, else `f64`.
    fn widen_coded(&mut self) {
        let Values::Coded { codes, table } = &self.values else { return };
        let fits = |decimals: i32| table.iter().all(|&t| to_decimal(t, divisor_of(decimals)).is_some());
        let Some(decimals) = (0..=MAX_DECIMALS).find(|&d| fits(d)) else {
            return self.widen_to_f64();
        };
        let divisor = divisor_of(decimals);
        let int_of: Vec<i32> = table.iter().map(|&t| to_decimal(t, divisor).unwrap_or(NAN_INT)).collect();
        let mut ints = Vec::with_capacity(self.capacity.max(codes.len()));
        ints.extend(codes.iter().map(|&c| if c == NAN_CODE { NAN_INT } else { int_of[usize::from(c)] }));
        self.values = Values::Decimal { ints, divisor };
        self.decimals = decimals;
    }

    /// A decimal column meeting `v`, which its places cannot hold: more places (the integers so far
    /// multiplied up, each still giving its value back exactly), else `f64`.
    fn finer_decimals(&mut self, v: f64) {
        let Values::Decimal { ints, .. } = &mut self.values else { return };
        let Some(decimals) =
            (self.decimals + 1..=MAX_DECIMALS).find(|&d| to_decimal(v, divisor_of(d)).is_some())
        else {
            return self.widen_to_f64();
        };
        let factor = 10i32.pow((decimals - self.decimals).unsigned_abs());
        let limit = i32::MAX / factor;
        if ints.iter().any(|&i| i != NAN_INT && i.abs() > limit) {
            return self.widen_to_f64();
        }
        ints.iter_mut().filter(|i| **i != NAN_INT).for_each(|i| *i *= factor);
        self.values = match std::mem::take(&mut self.values) {
            Values::Decimal { ints, .. } => Values::Decimal { ints, divisor: divisor_of(decimals) },
            other => other,
        };
        self.decimals = decimals;
    }

    fn widen_to_f64(&mut self) {
        let mut values = Vec::with_capacity(self.capacity.max(self.values.len()));
        values.extend(self.values.iter());
        self.values = Values::F64(values);
    }

    /// The values, their spare capacity released.
    pub fn finish(self) -> Values {
        match self.values {
            Values::F64(mut v) => {
                v.shrink_to_fit();
                Values::F64(v)
            }
            Values::Coded { mut codes, table } => {
                codes.shrink_to_fit();
                Values::Coded { codes, table }
            }
            Values::Decimal { mut ints, divisor } => {
                ints.shrink_to_fit();
                Values::Decimal { ints, divisor }
            }
        }
    }
}

/// One bit per row (whether a cell is missing): a million rows in 125 KB.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flags {
    words: Vec<u64>,
    len: usize,
}

impl Flags {
    pub fn with_capacity(capacity: usize) -> Self {
        Self { words: Vec::with_capacity(capacity.div_ceil(64)), len: 0 }
    }

    pub fn push(&mut self, flag: bool) {
        if self.len.is_multiple_of(64) {
            self.words.push(0);
        }
        if flag {
            if let Some(w) = self.words.last_mut() {
                *w |= 1 << (self.len % 64);
            }
        }
        self.len += 1;
    }

    /// Row `r`'s flag (false past the end).
    #[inline]
    pub fn get(&self, r: usize) -> bool {
        r < self.len && self.words.get(r / 64).is_some_and(|w| w >> (r % 64) & 1 == 1)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Rows flagged.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        (0..self.len).map(|r| self.get(r))
    }
}

impl FromIterator<bool> for Flags {
    fn from_iter<I: IntoIterator<Item = bool>>(iter: I) -> Self {
        let mut flags = Flags::default();
        iter.into_iter().for_each(|f| flags.push(f));
        flags
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn built(values: &[f64]) -> Values {
        let mut b = ValuesBuilder::with_capacity(values.len());
        values.iter().for_each(|&v| b.push(v));
        b.finish()
    }

    fn same_bits(a: &Values, b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits() || x.is_nan() && y.is_nan())
    }

    #[test]
    fn few_distinct_values_are_coded() {
        let v = [1.0, 0.0, f64::NAN, 1.0, 2.0 / 12.0];
        let values = built(&v);
        assert!(matches!(values, Values::Coded { .. }));
        assert!(same_bits(&values, &v));
        assert_eq!(values.bytes(), 5 + 3 * 8);
    }

    #[test]
    fn amounts_with_cents_are_exact_decimals_and_places_grow_as_needed() {
        let mut v: Vec<f64> = (0..100).map(|i| f64::from(i * 7)).collect();
        v.push(3521.28);
        v.push(f64::NAN);
        v.push(-0.5);
        v.push(0.1 + 0.2); // 0.30000000000000004: no short decimal gives it back
        let values = built(&v[..103]);
        assert!(matches!(values, Values::Decimal { divisor, .. } if divisor == 100.0), "{values:?}");
        assert!(same_bits(&values, &v[..103]));
        let all = built(&v);
        assert!(matches!(all, Values::F64(_)));
        assert!(same_bits(&all, &v));
    }

    #[test]
    fn what_a_decimal_cannot_hold_moves_the_column_to_f64() {
        for odd in [-0.0, 1e12, 1.23456, f64::INFINITY] {
            let mut v: Vec<f64> = (0..70).map(f64::from).collect();
            v.push(odd);
            let values = built(&v);
            assert!(matches!(values, Values::F64(_)), "{odd}: {values:?}");
            assert!(same_bits(&values, &v), "{odd}");
        }
        // Past the end: NaN, as a text column's (empty) values read.
        assert!(built(&[1.0]).at(5).is_nan());
    }

    #[test]
    fn flags_are_bits() {
        let flags: Flags =
            [true, false, false, true].into_iter().chain((0..100).map(|i| i % 3 == 0)).collect();
        assert_eq!(flags.len(), 104);
        assert!(flags.get(0) && !flags.get(1) && flags.get(3) && flags.get(4) && !flags.get(5));
        assert!(!flags.get(104));
        assert_eq!(flags.count(), 2 + 34);
        assert_eq!(flags.iter().filter(|f| *f).count(), flags.count());
    }
}

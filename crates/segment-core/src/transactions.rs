//! Transactions to customers: a file with one row per purchase line (a customer id repeated across rows,
//! an invoice, a date, a quantity and a price) becomes one row per customer with Recency (days from the
//! customer's last purchase to the file's latest date), Frequency (distinct invoices) and Monetary (sum
//! of quantity x price), plus the average order value. Rows without a customer id, cancellations
//! (invoice numbers written C + the number, negative quantities) and rows whose date or amounts cannot be read
//! are excluded and counted. Checked against pandas on tests/fixtures/transactions.csv.

use crate::error::{CoreError, Result};
use crate::ingest::{date::iso_date, walk_csv, ColumnKind, Table};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// Which column plays which part. `amount` replaces quantity x price when the file has a line total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionColumns {
    pub customer: String,
    pub invoice: Option<String>,
    pub date: String,
    pub quantity: Option<String>,
    pub price: Option<String>,
    pub amount: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RfmReport {
    pub rows_in: usize,
    pub without_customer: usize,
    pub cancellations: usize,
    /// Rows whose date, quantity or price could not be read.
    pub unreadable: usize,
    pub rows_used: usize,
    pub customers: usize,
    /// The file's latest purchase date (ISO): recency counts days back from it.
    pub latest_date: String,
}

impl TransactionColumns {
    /// The columns the aggregation reads, customer first.
    pub fn roles(&self) -> impl Iterator<Item = &String> {
        [Some(&self.customer), self.invoice.as_ref(), Some(&self.date)]
            .into_iter()
            .chain([self.quantity.as_ref(), self.price.as_ref(), self.amount.as_ref()])
            .flatten()
    }
}

fn normalized(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

fn find(table: &Table, words: &[&str], accept: impl Fn(&crate::ingest::Column) -> bool) -> Option<String> {
    // An exact name first, then a name containing the word.
    let names: Vec<(String, &crate::ingest::Column)> =
        table.columns.iter().map(|c| (normalized(&c.name), c)).collect();
    for exact in [true, false] {
        for w in words {
            if let Some((_, c)) =
                names.iter().find(|(n, c)| (if exact { n == w } else { n.contains(w) }) && accept(c))
            {
                return Some(c.name.clone());
            }
        }
    }
    None
}

/// A column whose filled values are all different, on most rows: an id of the rows.
fn unique(c: &crate::ingest::Column) -> bool {
    let filled = c.missing.len() - c.missing.count();
    filled > 0 && c.distinct >= filled && filled * 10 >= c.missing.len() * 9
}

/// A column whose filled values repeat: a key several rows share.
fn repeated(c: &crate::ingest::Column) -> bool {
    let filled = c.missing.len() - c.missing.count();
    filled > 0 && c.distinct * 10 < filled * 9
}

/// The customer key when no name says it, from the values: a column whose values repeat across rows,
/// with many distinct values (at least [`MIN_CUSTOMERS`]).
///
/// When rows can be grouped by key, the dates say which: a customer comes back on other days, so
/// dates vary within a customer key, while every line of one order carries the order's date. When the
/// log has an order key (dates constant within it; an invoice number is often a number), the customer
/// is the widest varying key each order belongs to one value of (a product varies too, but an order
/// holds several; a customer number may then be a number). Without one, the customer is the widest
/// varying key of names or codes (a number that repeats is as likely a count of visits) whose lines
/// are bought together, sharing its key and the day, about as often as any key's (a product's rarely
/// are). Without dates to group by, the widest repeated key of names or codes. Returns the customer
/// key and, when found, the order key.
fn customer_by_values(table: &Table, date: &str) -> Option<ByValues> {
    let named = |c: &crate::ingest::Column| matches!(c.kind, ColumnKind::Text | ColumnKind::Categorical);
    let keys: Vec<&crate::ingest::Column> = table
        .columns
        .iter()
        .filter(|c| c.name != date && repeated(c) && c.distinct >= MIN_CUSTOMERS)
        .filter(|c| {
            named(c)
                || (c.kind == ColumnKind::Numeric && c.values.iter().all(|v| v.fract() == 0.0 || v.is_nan()))
        })
        .collect();
    // Without dates to tell a customer from any other repeated key, the widest: a guess.
    let fallback = || {
        keys.iter().filter(|c| named(c)).max_by_key(|c| c.distinct).map(|c| ByValues {
            customer: c.name.clone(),
            order: None,
            doubt: Some(format!(
                "no column's dates show customers coming back; \"{}\" was taken as the customer because its values repeat the most widely",
                c.name
            )),
        })
    };
    let Some(date) = table.column(date) else { return fallback() };
    let evidence: Vec<KeyEvidence> = keys.iter().filter_map(|c| KeyEvidence::of(c, date)).collect();
    let order = widest(evidence.iter().filter(|k| k.varying <= ORDER_VARYING));
    let varying = || evidence.iter().filter(|k| k.varying >= CUSTOMER_VARYING);
    let most_together = varying().filter(|k| named(k.column)).map(|k| k.together).fold(0.0, f64::max);
    if let Some(customer) = order.and_then(|o| widest(varying().filter(|k| nests(o, k)))) {
        let order = order.filter(|o| nests(o, customer)).map(|o| o.column.name.clone());
        return Some(ByValues { customer: customer.column.name.clone(), order, doubt: None });
    }
    // Lines bought together tell the customer only when some key's are (below that, no basket).
    let together = |k: &KeyEvidence| most_together < BASKETS || k.together >= 0.5 * most_together;
    let candidates: Vec<&KeyEvidence> = varying().filter(|k| named(k.column) && together(k)).collect();
    let Some(customer) = widest(candidates.iter().copied()) else { return fallback() };
    // Two keys that both come back on other days (a customer and a product, with no order to nest
    // them): the wider is a guess the person should confirm.
    let rival = candidates
        .iter()
        .filter(|k| !std::ptr::eq(k.column, customer.column))
        .max_by_key(|k| k.column.distinct);
    let doubt = rival.map(|r| {
        format!(
            "\"{}\" and \"{}\" both repeat on several days and no order number ties lines together; \"{}\" was taken as the customer because it has more distinct values",
            customer.column.name, r.column.name, customer.column.name
        )
    });
    Some(ByValues { customer: customer.column.name.clone(), order: None, doubt })
}

/// The customer key a purchase log's values point to, its order key when one nests under it, and why
/// the choice is a guess when it is one (the page then asks rather than aggregating).
struct ByValues {
    customer: String,
    order: Option<String>,
    doubt: Option<String>,
}

/// The key of the most distinct values among `keys` (the last of equals).
fn widest<'k, 'c>(keys: impl Iterator<Item = &'k KeyEvidence<'c>>) -> Option<&'k KeyEvidence<'c>> {
    keys.max_by_key(|k| k.column.distinct)
}

/// Of the keys on two rows or more, the share whose rows hold more than one date, at most: an order
/// key's lines share a date (up to this share of keys, for entry slips).
const ORDER_VARYING: f64 = 0.05;
/// ... and at least, for a customer key: some customers come back on another day.
const CUSTOMER_VARYING: f64 = 0.2;

/// A key column's rows grouped: each row's key, and how the dates vary within keys.
struct KeyEvidence<'a> {
    column: &'a crate::ingest::Column,
    keys: std::borrow::Cow<'a, [u64]>,
    /// Of the keys on two rows or more (with a date), the share whose rows hold more than one date.
    varying: f64,
    /// The share of rows (with a date) whose key and date another row shares, beyond what chance
    /// gives a key of that many rows: the lines bought together by one customer on one day; a
    /// product is rarely bought twice on one day, and a store's many lines a day are chance.
    together: f64,
}

impl<'a> KeyEvidence<'a> {
    /// None when the column keeps no key per row (a text column of 64 values or fewer that is not a
    /// category) or no key repeats with a date.
    fn of(column: &'a crate::ingest::Column, date: &crate::ingest::Column) -> Option<Self> {
        let keys = column.id_keys()?;
        // Rows per key and day, then per key: (days, rows).
        let mut days: std::collections::HashMap<(u64, u64), u32> = std::collections::HashMap::new();
        for (r, &key) in keys.iter().enumerate() {
            let day = date.values.at(r);
            if !column.missing.get(r) && !day.is_nan() {
                *days.entry((key, day.to_bits())).or_insert(0) += 1;
            }
        }
        let mut per_key: std::collections::HashMap<u64, (u32, u32)> = std::collections::HashMap::new();
        for (&(key, _), &n) in &days {
            let entry = per_key.entry(key).or_insert((0, 0));
            entry.0 += 1;
            entry.1 += n;
        }
        let repeated = per_key.values().filter(|e| e.1 >= 2).count();
        let varying = per_key.values().filter(|e| e.0 >= 2).count();
        let rows: u32 = days.values().sum();
        let together: u32 = days.values().filter(|&&n| n >= 2).sum();
        // Rows that would share their key and day by chance, were each key's rows on days drawn at
        // random among the file's: a key of few values (a store, a channel) has many rows a day by
        // chance alone, which says nothing of baskets.
        let file_days = days.keys().map(|&(_, day)| day).collect::<std::collections::HashSet<u64>>().len();
        let chance: f64 = per_key
            .values()
            .map(|&(_, n)| {
                f64::from(n) * (1.0 - (1.0 - 1.0 / file_days.max(1) as f64).powf(f64::from(n) - 1.0))
            })
            .sum();
        let rows = f64::from(rows.max(1));
        (repeated > 0).then(|| KeyEvidence {
            column,
            keys,
            varying: varying as f64 / repeated as f64,
            together: ((f64::from(together) - chance) / rows).max(0.0),
        })
    }
}

/// Whether each value of the `inner` key goes with one value of `outer` (an order with one
/// customer), for at least 98% of inner's values seen with both filled.
fn nests(inner: &KeyEvidence, outer: &KeyEvidence) -> bool {
    if std::ptr::eq(inner.column, outer.column) {
        return false;
    }
    let mut with: std::collections::HashMap<u64, (u64, bool)> = std::collections::HashMap::new();
    for (r, (&i, &o)) in inner.keys.iter().zip(outer.keys.iter()).enumerate() {
        if inner.column.missing.get(r) || outer.column.missing.get(r) {
            continue;
        }
        let entry = with.entry(i).or_insert((o, true));
        entry.1 &= entry.0 == o;
    }
    let one = with.values().filter(|e| e.1).count();
    !with.is_empty() && one as f64 >= 0.98 * with.len() as f64
}

/// The share of a log's lines bought together (sharing a key and a day) below which its keys show no
/// baskets, and so cannot be told apart by them.
const BASKETS: f64 = 0.05;

/// Fewest distinct customers a column must name to be the customer key of a purchase log by its values.
const MIN_CUSTOMERS: usize = 20;

/// The amount of a line when no name says it, from the values: a column of numbers that are positive
/// in at least 95% of the filled rows (refunds aside), with decimals or many values, and the most
/// distinct values (a line total varies more than a quantity, a discount rate or a store number).
fn amount_by_values(table: &Table, taken: &[&str]) -> Option<String> {
    table
        .columns
        .iter()
        .filter(|c| c.is_numeric() && !taken.contains(&c.name.as_str()) && c.distinct >= MIN_CUSTOMERS)
        .filter(|c| {
            let (mut filled, mut positive, mut whole) = (0usize, 0usize, 0usize);
            for v in c.values.iter().filter(|v| v.is_finite()) {
                filled += 1;
                positive += usize::from(v > 0.0);
                whole += usize::from(v.fract() == 0.0);
            }
            filled > 0 && positive * 20 >= filled * 19 && (whole < filled || c.distinct >= 100)
        })
        .filter(|c| !crate::ingest::looks_like_id(c, table.n_rows))
        .max_by_key(|c| c.distinct)
        .map(|c| c.name.clone())
}

/// The columns of a transaction file: a repeated customer key, a date, and quantity with price or an
/// amount. Names say which column is which where they can (in several languages); where they do not,
/// the values do: the customer is the finest repeated key of names or codes, the date any date
/// column, the amount the positive measure with the most values. A file with no repeated key or no
/// date is a customer-level file: None.
pub fn detect(table: &Table) -> Option<TransactionColumns> {
    weigh(table).map(|d| d.columns)
}

/// A purchase log's columns as [`detect`] finds them, and when the values leave a doubt (the customer
/// found by values alone with a rival key, or a column that names every row once and so may be a
/// customer id of a customer table), what it is: the page then asks before aggregating.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    pub columns: TransactionColumns,
    pub doubt: Option<String>,
}

/// [`detect`] with its doubt.
pub fn weigh(table: &Table) -> Option<Detected> {
    let date = find(
        table,
        &["invoicedate", "orderdate", "transdate", "txndate", "date", "fecha", "datum", "data", "time"],
        |c| c.kind == ColumnKind::Date,
    )
    .or_else(|| {
        table
            .columns
            .iter()
            .filter(|c| c.kind == ColumnKind::Date)
            .max_by_key(|c| c.distinct)
            .map(|c| c.name.clone())
    })?;
    const CUSTOMER_NAMES: [&str; 11] = [
        "customerid",
        "customer",
        "custid",
        "clientid",
        "cliente",
        "client",
        "userid",
        "memberid",
        "kunde",
        "klant",
        "buyer",
    ];
    let customer = find(table, &CUSTOMER_NAMES, |c| repeated(c) && c.name != date);
    // A customer id on every row once (and none repeated): one row per customer, whatever else
    // repeats (a city, a store).
    if customer.is_none() && find(table, &CUSTOMER_NAMES, |c| unique(c) && c.name != date).is_some() {
        return None;
    }
    let by_values = customer.is_none();
    let (customer, order_by_values, mut doubt) = match customer {
        Some(c) => (c, None, None),
        None => {
            let found = customer_by_values(table, &date)?;
            (found.customer, found.order, found.doubt)
        }
    };
    let numeric = |c: &crate::ingest::Column| c.is_numeric();
    let quantity = find(table, &["quantity", "qty", "cantidad", "units", "menge", "anzahl"], numeric);
    let price = find(table, &["unitprice", "price", "precio", "preis"], numeric);
    let amount = find(
        table,
        &[
            "amount",
            "linetotal",
            "total",
            "monto",
            "revenue",
            "betrag",
            "sales",
            "umsatz",
            "importe",
            "valor",
        ],
        numeric,
    )
    .or_else(|| {
        let taken: Vec<&str> =
            [Some(customer.as_str()), quantity.as_deref(), price.as_deref(), order_by_values.as_deref()]
                .into_iter()
                .flatten()
                .collect();
        if quantity.is_some() && price.is_some() {
            None
        } else {
            amount_by_values(table, &taken)
        }
    });
    if (quantity.is_none() || price.is_none()) && amount.is_none() {
        return None;
    }
    let invoice =
        find(table, &["invoiceno", "invoice", "orderid", "order", "factura", "pedido", "receipt"], |_| true)
            .or(order_by_values);
    let (quantity, price, amount) =
        if quantity.is_some() && price.is_some() { (quantity, price, None) } else { (None, None, amount) };
    let columns = TransactionColumns { customer, invoice, date, quantity, price, amount };
    // A customer found by its values with no order under it, in a table where another column names
    // every row once: that column may be the customer id of a table of customers (and the repeated key
    // a city or a store they share).
    if by_values && doubt.is_none() && columns.invoice.is_none() {
        let used = [
            Some(&columns.customer),
            columns.quantity.as_ref(),
            columns.price.as_ref(),
            columns.amount.as_ref(),
        ];
        let row_id = table.columns.iter().find(|c| {
            !used.contains(&Some(&c.name))
                && matches!(c.kind, ColumnKind::Text | ColumnKind::Numeric)
                && crate::ingest::looks_like_id(c, table.n_rows)
                && c.distinct >= table.n_rows
        });
        doubt = row_id.map(|c| {
            format!(
                "\"{}\" names every row once (each row may be a customer, and \"{}\" something customers share)",
                c.name, columns.customer
            )
        });
    }
    Some(Detected { columns, doubt })
}

/// An invoice number of a cancellation: a C before the number of the invoice it cancels (C536379). An
/// order id that only starts with a C ("CA-2016-152156", a country's prefix) is an order.
fn is_cancellation(invoice: &str) -> bool {
    let mut chars = invoice.chars();
    matches!(chars.next(), Some('C' | 'c')) && chars.next().is_some_and(|c| c.is_ascii_digit())
}

struct Customer {
    last: f64,
    invoices: HashSet<String>,
    monetary: f64,
    /// Per described category: (level, lines) of each level the customer's lines hold.
    levels: Vec<Vec<(u8, u32)>>,
}

/// The five columns an aggregation writes (the customer's id, then the four measures a segmentation
/// of the customers starts from).
pub const RFM_COLUMNS: [&str; 5] =
    ["customer_id", "recency_days", "frequency", "monetary", "average_order_value"];

/// The categories of the purchase lines that may describe their customers (a country, a customer
/// segment, a region): every category column that is not one of the aggregation's and has two levels
/// or more, under a name the aggregation does not write; kept when it holds one level across each
/// customer's lines ([`CUSTOMER_ATTRIBUTE`]).
fn described_categories<'a>(table: &'a Table, cols: &TransactionColumns) -> Vec<&'a crate::ingest::Column> {
    let roles = [
        Some(&cols.customer),
        cols.invoice.as_ref(),
        Some(&cols.date),
        cols.quantity.as_ref(),
        cols.price.as_ref(),
        cols.amount.as_ref(),
    ];
    table
        .columns
        .iter()
        .filter(|c| c.kind == ColumnKind::Categorical)
        .filter(|c| c.levels.as_ref().is_some_and(|l| l.names.len() >= 2))
        .filter(|c| !roles.contains(&Some(&c.name)))
        .filter(|c| !RFM_COLUMNS.iter().any(|r| r.eq_ignore_ascii_case(c.name.trim())))
        .collect()
}

/// An amount as the customers' file writes it: to 10 decimals, without trailing zeros, so a sum of
/// cents reads 1817.31 and not 1817.3100000000002 (a float sum's last bits).
fn amount_text(v: f64) -> String {
    if !v.is_finite() || v.abs() >= 1e15 {
        return format!("{v}");
    }
    crate::numbers::fixed(v, 10)
}

/// The share of lines that must hold their customer's level for a category to describe customers.
const CUSTOMER_ATTRIBUTE: f64 = 0.9;

/// The level most of a customer's lines hold (the first in the file's order of commonness on a tie).
fn most_lines(levels: &[(u8, u32)]) -> Option<u8> {
    levels.iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0))).map(|&(l, _)| l)
}

/// Aggregates the transactions of `table` (read from `bytes`) per customer: the customer-level CSV
/// (customer_id, recency_days, frequency, monetary, average_order_value, then the customer's level
/// of each category that describes customers, such as a country; customers sorted by id) and what
/// was excluded.
pub fn aggregate(bytes: &[u8], table: &Table, cols: &TransactionColumns) -> Result<(String, RfmReport)> {
    let column = |name: &str| {
        table.column(name).ok_or_else(|| CoreError::UnknownColumn {
            column: name.to_string(),
            available: table.names().join(", "),
        })
    };
    let index = |name: &str| table.columns.iter().position(|c| c.name == name);
    let date = column(&cols.date)?;
    let quantity = cols.quantity.as_deref().map(column).transpose()?;
    let price = cols.price.as_deref().map(column).transpose()?;
    let amount = cols.amount.as_deref().map(column).transpose()?;
    let (customer_at, invoice_at) = (index(&cols.customer), cols.invoice.as_deref().and_then(index));
    let customer_at = customer_at.ok_or_else(|| CoreError::UnknownColumn {
        column: cols.customer.clone(),
        available: table.names().join(", "),
    })?;
    let latest = date.values.iter().filter(|v| !v.is_nan()).fold(f64::NEG_INFINITY, f64::max);
    if !latest.is_finite() {
        return Err(CoreError::InvalidParameter {
            name: cols.date.clone(),
            value: "no date".into(),
            reason: "no row has a readable date, so recency cannot be computed".into(),
        });
    }
    let mut report = RfmReport {
        rows_in: table.n_rows,
        without_customer: 0,
        cancellations: 0,
        unreadable: 0,
        rows_used: 0,
        customers: 0,
        latest_date: iso_date(latest as i64),
    };
    let categories = described_categories(table, cols);
    let mut customers: BTreeMap<String, Customer> = BTreeMap::new();
    let mut row = 0usize;
    walk_csv(bytes, &mut |_| {}, &mut |record, _, _| {
        let r = row;
        row += 1;
        let id = record.get(customer_at).unwrap_or("").trim();
        if id.is_empty() || crate::ingest::parse_cell(id, '.') == crate::ingest::Cell::Missing {
            report.without_customer += 1;
            return;
        }
        let invoice = invoice_at.map(|i| record.get(i).unwrap_or("").trim().to_string());
        let q = quantity.map(|c| c.values.at(r));
        let cancelled = invoice.as_deref().is_some_and(is_cancellation) || q.is_some_and(|q| q < 0.0);
        if cancelled {
            report.cancellations += 1;
            return;
        }
        let line = match (q, price.map(|c| c.values.at(r)), amount.map(|c| c.values.at(r))) {
            (Some(q), Some(p), _) => q * p,
            (_, _, Some(a)) => a,
            _ => f64::NAN,
        };
        let day = date.values.at(r);
        if line.is_nan() || day.is_nan() {
            report.unreadable += 1;
            return;
        }
        report.rows_used += 1;
        let c = customers.entry(id.to_string()).or_insert(Customer {
            last: f64::NEG_INFINITY,
            invoices: HashSet::new(),
            monetary: 0.0,
            levels: vec![Vec::new(); categories.len()],
        });
        for (held, column) in c.levels.iter_mut().zip(&categories) {
            let Some(level) = column.levels.as_ref().and_then(|l| l.code(r)) else { continue };
            match held.iter_mut().find(|(l, _)| *l == level) {
                Some((_, n)) => *n += 1,
                None => held.push((level, 1)),
            }
        }
        c.last = c.last.max(day);
        // Without an invoice column, a customer's distinct purchase days count as orders.
        c.invoices.insert(invoice.unwrap_or_else(|| day.to_string()));
        c.monetary += line;
    })?;
    report.customers = customers.len();
    // A total beyond the magnitude every number is read within would be left out of the segmentation
    // as unreadable, silently: said instead.
    let limit = crate::limits::MAX_MAGNITUDE;
    if let Some((id, c)) = customers.iter().find(|(_, c)| c.monetary.is_nan() || c.monetary.abs() > limit) {
        let spent = cols.amount.clone().unwrap_or_else(|| "quantity x price".into());
        return Err(CoreError::TooLarge {
            what: format!("Customer {}'s total of {spent}", crate::cell::spreadsheet_safe(id)),
            found: format!("{:e}", c.monetary),
            limit: format!("{limit:e}"),
            hint: "No purchase comes near this: check the amount column (its unit, or a column read as \
                   amounts by mistake), or load the file as it is, one row per line."
                .into(),
        });
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| CoreError::Malformed { line: 0, reason: e.to_string() };
    // A category that describes customers holds one level across a customer's lines (a country, a
    // customer segment), not one that varies from line to line (a product, a store).
    let consistent: Vec<bool> = (0..categories.len())
        .map(|i| {
            let (main, all) = customers.values().fold((0u64, 0u64), |(main, all), c| {
                let held = &c.levels[i];
                let top = held.iter().map(|&(_, n)| u64::from(n)).max().unwrap_or(0);
                (main + top, all + held.iter().map(|&(_, n)| u64::from(n)).sum::<u64>())
            });
            all > 0 && main as f64 >= CUSTOMER_ATTRIBUTE * all as f64
        })
        .collect();
    let categories: Vec<(usize, &crate::ingest::Column)> =
        categories.into_iter().enumerate().filter(|&(i, _)| consistent[i]).collect();
    let header =
        RFM_COLUMNS.iter().map(|c| c.to_string()).chain(categories.iter().map(|(_, c)| c.name.clone()));
    w.write_record(header.collect::<Vec<_>>()).map_err(fail)?;
    for (id, c) in &customers {
        let frequency = c.invoices.len();
        let described = categories.iter().map(|&(i, column)| {
            let held = &c.levels[i];
            let names = column.levels.as_ref().map(|l| l.names.as_slice()).unwrap_or_default();
            most_lines(held).and_then(|l| names.get(usize::from(l))).cloned().unwrap_or_default()
        });
        let record = [
            id.clone(),
            format!("{}", (latest - c.last) as i64),
            frequency.to_string(),
            amount_text(c.monetary),
            amount_text(c.monetary / frequency.max(1) as f64),
        ];
        w.write_record(record.into_iter().chain(described).collect::<Vec<_>>()).map_err(fail)?;
    }
    let out = w.into_inner().map_err(|e| CoreError::Malformed { line: 0, reason: e.to_string() })?;
    let text = String::from_utf8(out).map_err(|e| CoreError::Malformed { line: 0, reason: e.to_string() })?;
    Ok((text, report))
}

/// How a file is read for segmentation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum LoadMode {
    /// A file that looks like one row per purchase is aggregated per customer; any other is read as is.
    #[default]
    Auto,
    /// The rows as they are, whatever they look like.
    AsIs,
    /// Aggregated per customer with these columns.
    Aggregate(TransactionColumns),
}

/// A transaction file turned into customers: with which columns, and what was excluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregated {
    pub columns: TransactionColumns,
    pub report: RfmReport,
    /// How the purchase lines' file was read (its encoding, and its delimiter): the customers' table
    /// is written again as UTF-8 with commas, which says nothing of the file the person gave.
    #[serde(default)]
    pub line_source: String,
    #[serde(default)]
    pub line_delimiter: u8,
    /// How the purchase lines were written: their columns (for a person to choose others from), and
    /// their date and amounts' formats (for a saved model's SQL).
    #[serde(default)]
    pub line_format: LineFormat,
}

/// How a file of purchase lines was written: its columns, its date column's format and its numeric
/// columns' decimal separators. A model of its customers keeps it, so its SQL reads a table of such
/// lines as the app read the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct LineFormat {
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_format: Option<crate::ingest::date::DateFormat>,
    #[serde(default)]
    pub decimals: BTreeMap<String, char>,
}

impl LineFormat {
    fn of(table: &Table, columns: &TransactionColumns) -> Self {
        Self {
            columns: table.names(),
            date_format: table.column(&columns.date).and_then(|c| c.date_format),
            decimals: table
                .columns
                .iter()
                .filter_map(|c| c.number_format.map(|f| (c.name.clone(), f.decimal)))
                .collect(),
        }
    }
}

/// The table segmentation runs on, and the bytes it was read from (the customer CSV when aggregated, so
/// exports and previews show customers).
pub struct Customers {
    /// The table's rows as a file: the file as given, or the customers' CSV when aggregated.
    pub bytes: Vec<u8>,
    pub table: Table,
    pub aggregated: Option<Aggregated>,
    /// When aggregated: the purchase lines as given.
    pub purchases: Option<Vec<u8>>,
    /// Where each of the table's rows starts in `bytes`' text (found while reading).
    pub rows: crate::ingest::RowIndex,
}

/// Reads `bytes` for segmentation as `mode` says: by default a transaction file (see [`detect`]) becomes
/// one row per customer (recency, frequency, monetary, average order value).
pub fn read_customers(
    bytes: Vec<u8>,
    mode: &LoadMode,
    on_progress: &mut dyn FnMut(f64),
) -> Result<Customers> {
    let (table, rows) = crate::ingest::read_csv_indexed(&bytes, on_progress)?;
    match aggregation(&table, mode) {
        None => Ok(Customers { bytes, table, aggregated: None, purchases: None, rows }),
        Some(columns) => aggregate_customers(bytes, &table, columns),
    }
}

/// The purchase-line columns `mode` aggregates `table` by: the detected ones by default, none to read
/// it as it is.
pub fn aggregation(table: &Table, mode: &LoadMode) -> Option<TransactionColumns> {
    match mode {
        LoadMode::AsIs => None,
        // A guess is offered, not applied (see [`weigh`]).
        LoadMode::Auto => weigh(table).filter(|d| d.doubt.is_none()).map(|d| d.columns),
        LoadMode::Aggregate(columns) => Some(columns.clone()),
    }
}

/// The customers of the purchase lines in `bytes` (read as `table`), one row each.
pub fn aggregate_customers(bytes: Vec<u8>, table: &Table, columns: TransactionColumns) -> Result<Customers> {
    let (csv, report) = aggregate(&bytes, table, &columns)?;
    if report.customers == 0 {
        return Err(CoreError::TooFewRows { rows: 0, needed: 3 });
    }
    let customers = csv.into_bytes();
    let line_format = LineFormat::of(table, &columns);
    let (line_source, line_delimiter) = (table.source.clone(), table.delimiter);
    let (table, rows) = crate::ingest::read_csv_indexed(&customers, &mut |_| {})?;
    Ok(Customers {
        bytes: customers,
        rows,
        table,
        aggregated: Some(Aggregated { columns, report, line_source, line_delimiter, line_format }),
        purchases: Some(bytes),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancellation_is_c_before_an_invoice_number_not_any_code_starting_with_c() {
        assert!(is_cancellation("C536379"));
        assert!(is_cancellation("c12"));
        assert!(!is_cancellation("CA-2016-152156"));
        assert!(!is_cancellation("536379"));
        assert!(!is_cancellation("C"));
    }

    #[test]
    fn a_category_that_describes_customers_is_carried_per_customer_and_one_that_varies_is_not() {
        // 40 customers, 5 lines each: a country that is one per customer (one line in 20 says
        // otherwise, a typo), a product that varies from line to line.
        let mut csv = String::from("customer,date,amount,country,product\n");
        let countries = ["Spain", "France", "Italy"];
        for c in 0..40 {
            for line in 0..5 {
                let country = if (c * 5 + line) % 20 == 19 { "Germany" } else { countries[c % 3] };
                let product = ["pen", "ink", "pad", "cup"][(c + line) % 4];
                csv.push_str(&format!("K{c},2024-01-{:02},{}.5,{country},{product}\n", line + 1, c + line));
            }
        }
        let customers =
            read_customers(csv.into_bytes(), &LoadMode::Auto, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let text = String::from_utf8(customers.bytes).unwrap_or_default();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("customer_id,recency_days,frequency,monetary,average_order_value,country")
        );
        // K3's lines: Spain four times and one Germany typo (row 19): Spain.
        let k3 = text.lines().find(|l| l.starts_with("K3,")).unwrap_or_default();
        assert!(k3.ends_with(",Spain"), "{k3}");
        let country = customers.table.column("country").unwrap_or_else(|| panic!("no country"));
        assert_eq!(country.kind, ColumnKind::Categorical);
    }

    #[test]
    fn amounts_are_written_without_a_float_sum_s_last_bits() {
        assert_eq!(amount_text(1817.3100000000002), "1817.31");
        assert_eq!(amount_text(53.943999999999996), "53.944");
        assert_eq!(amount_text(12.0), "12");
        assert_eq!(amount_text(-0.00000000001), "0");
        assert_eq!(amount_text(1e20), "100000000000000000000");
        assert_eq!(amount_text(0.1 + 0.2), "0.3");
    }
}

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

/// A column whose filled values repeat: a key several rows share.
fn repeated(c: &crate::ingest::Column) -> bool {
    let filled = c.missing.len() - c.missing.count();
    filled > 0 && c.distinct * 10 < filled * 9
}

/// The customer key when no name says it, from the values: a column of names or codes (text: a number
/// that repeats is as likely a count of visits as a key) whose values repeat across rows, with many
/// distinct values (at least [`MIN_CUSTOMERS`]); of several, the one with the most distinct values (the
/// finest key: a country or a city repeats too, with fewer values).
fn customer_by_values(table: &Table, date: &str) -> Option<String> {
    table
        .columns
        .iter()
        .filter(|c| c.name != date && repeated(c) && c.distinct >= MIN_CUSTOMERS)
        .filter(|c| matches!(c.kind, ColumnKind::Text | ColumnKind::Categorical))
        .max_by_key(|c| c.distinct)
        .map(|c| c.name.clone())
}

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
    let customer = find(
        table,
        &[
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
        ],
        |c| repeated(c) && c.name != date,
    )
    .or_else(|| customer_by_values(table, &date))?;
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
            [Some(customer.as_str()), quantity.as_deref(), price.as_deref()].into_iter().flatten().collect();
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
        find(table, &["invoiceno", "invoice", "orderid", "order", "factura", "pedido", "receipt"], |_| true);
    let (quantity, price, amount) =
        if quantity.is_some() && price.is_some() { (quantity, price, None) } else { (None, None, amount) };
    Some(TransactionColumns { customer, invoice, date, quantity, price, amount })
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
}

/// Aggregates the transactions of `table` (read from `bytes`) per customer: the customer-level CSV
/// (customer_id, recency_days, frequency, monetary, average_order_value; customers sorted by id) and
/// what was excluded.
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
        });
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
            what: format!("Customer {}'s total of {spent}", crate::export::spreadsheet_safe(id)),
            found: format!("{:e}", c.monetary),
            limit: format!("{limit:e}"),
            hint: "No purchase comes near this: check the amount column (its unit, or a column read as \
                   amounts by mistake), or load the file as it is, one row per line."
                .into(),
        });
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| CoreError::Malformed { line: 0, reason: e.to_string() };
    w.write_record(["customer_id", "recency_days", "frequency", "monetary", "average_order_value"])
        .map_err(fail)?;
    for (id, c) in &customers {
        let frequency = c.invoices.len();
        w.write_record([
            id.clone(),
            format!("{}", (latest - c.last) as i64),
            frequency.to_string(),
            format!("{}", c.monetary),
            format!("{}", c.monetary / frequency.max(1) as f64),
        ])
        .map_err(fail)?;
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
        LoadMode::Auto => detect(table),
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
    let (table, rows) = crate::ingest::read_csv_indexed(&customers, &mut |_| {})?;
    Ok(Customers {
        bytes: customers,
        rows,
        table,
        aggregated: Some(Aggregated { columns, report }),
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
}

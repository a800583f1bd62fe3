//! Transactions to customers, checked against pandas (tests/fixtures/transactions.expected.json, made by
//! a groupby over the same file): counts of excluded rows, the latest date, and recency, frequency and
//! monetary per customer (monetary within 1e-6).

use segment_core::ingest::read_csv;
use segment_core::pipeline::{run, summarize};
use segment_core::transactions::{aggregate, aggregation, detect, weigh, LoadMode};
use serde_json::Value;

#[test]
fn rfm_matches_pandas_and_segments() {
    let root = format!("{}/../../tests/fixtures", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(format!("{root}/transactions.csv")).unwrap_or_else(|e| panic!("{e}"));
    let expected: Value = serde_json::from_slice(
        &std::fs::read(format!("{root}/transactions.expected.json")).unwrap_or_else(|e| panic!("{e}")),
    )
    .unwrap_or(Value::Null);
    let table = read_csv(&bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let cols = detect(&table).unwrap_or_else(|| panic!("a transaction file"));
    assert_eq!(cols.customer, "CustomerID");
    assert_eq!(cols.invoice.as_deref(), Some("InvoiceNo"));
    assert_eq!(cols.date, "InvoiceDate");
    assert_eq!((cols.quantity.as_deref(), cols.price.as_deref()), (Some("Quantity"), Some("UnitPrice")));

    let (csv, report) = aggregate(&bytes, &table, &cols).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.rows_in as u64, expected["rows_in"].as_u64().unwrap_or(0));
    assert_eq!(report.without_customer as u64, expected["without_customer"].as_u64().unwrap_or(0));
    assert_eq!(report.cancellations as u64, expected["cancellations"].as_u64().unwrap_or(0));
    assert_eq!(report.customers as u64, expected["customers"].as_u64().unwrap_or(0));
    assert_eq!(report.latest_date, expected["latest_date"].as_str().unwrap_or(""));
    assert_eq!(report.unreadable, 0);

    let customers = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<String> =
        csv.lines().skip(1).map(|l| l.split(',').next().unwrap_or("").to_string()).collect();
    let col = |name: &str| customers.column(name).map(|c| c.values.to_vec()).unwrap_or_default();
    let (recency, frequency, monetary) = (col("recency_days"), col("frequency"), col("monetary"));
    for (id, want) in expected["sample"].as_object().into_iter().flatten() {
        let i = ids.iter().position(|x| x == id).unwrap_or_else(|| panic!("customer {id}"));
        assert_eq!(recency[i], want["recency"].as_f64().unwrap_or(f64::NAN), "recency of {id}");
        assert_eq!(frequency[i], want["frequency"].as_f64().unwrap_or(f64::NAN), "frequency of {id}");
        assert!(
            (monetary[i] - want["monetary"].as_f64().unwrap_or(f64::NAN)).abs() < 1e-6,
            "monetary of {id}"
        );
    }
    let totals = &expected["totals"];
    assert_eq!(recency.iter().sum::<f64>(), totals["recency"].as_f64().unwrap_or(f64::NAN));
    assert_eq!(frequency.iter().sum::<f64>(), totals["frequency"].as_f64().unwrap_or(f64::NAN));
    assert!((monetary.iter().sum::<f64>() - totals["monetary"].as_f64().unwrap_or(f64::NAN)).abs() < 1e-6);

    // The customer table is not a transaction file any more, and segments with its suggested settings.
    assert_eq!(detect(&customers), None);
    let spec = summarize(&customers).unwrap_or_else(|e| panic!("{e}")).suggested;
    assert_eq!(spec.features, vec!["recency_days", "frequency", "monetary", "average_order_value"]);
    let r = run(&customers, &spec, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(r.segment_sizes.len() >= 2, "{:?}", r.segment_sizes);
}

#[test]
fn customer_files_are_not_transactions() {
    for path in
        ["public/dataset_ecommerce.csv", "tests/fixtures/customers_2k.csv", "tests/fixtures/messy_export.csv"]
    {
        let bytes = std::fs::read(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap_or_default();
        let table = read_csv(&bytes, &mut |_| {}).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(detect(&table), None, "{path}");
    }
}

/// Totals beyond the magnitude numbers are read within are said, not left out of the segmentation in
/// silence (amounts near 1e99 summed past 1e100).
#[test]
fn a_customer_total_beyond_the_limit_is_refused_with_the_customer_and_the_column() {
    let mut csv = String::from("customer_id,date,amount\n");
    for i in 0..200 {
        csv.push_str(&format!("C{},2024-0{}-1{},{:e}\n", i % 20, 1 + i % 9, i % 9, 6e99 + i as f64 * 1e97));
    }
    let err = segment_core::transactions::read_customers(
        csv.into_bytes(),
        &segment_core::transactions::LoadMode::Auto,
        &mut |_| {},
    )
    .err();
    assert!(
        matches!(&err, Some(segment_core::CoreError::TooLarge { what, .. }) if what.contains("C0") && what.contains("amount")),
        "{err:?}"
    );
}

/// A purchase log whose column names say nothing the detection knows (Finnish: order, customer,
/// product, date, sum). By values alone, the widest repeated key is the order, and a product key is
/// wider than the customer's: the dates tell them apart. An order's lines share its date; a customer
/// comes back on other days, and each order belongs to one customer (a product is in many orders).
#[test]
fn the_customer_and_order_keys_are_found_from_how_dates_vary_within_them() {
    let mut rng = segment_core::rng::SplitMix64::new(29);
    let mut csv = String::from("tuote,tilaus,pvm,asiakas,summa\n");
    let (mut order, mut orders_of) = (0usize, Vec::new());
    for customer in 0..300 {
        let orders = 1 + rng.below(6);
        orders_of.push(orders);
        let mut days: Vec<usize> = (0..orders).map(|_| rng.below(700)).collect();
        days.sort_unstable();
        days.dedup();
        for day in days {
            order += 1;
            for _ in 0..1 + rng.below(4) {
                let (y, d) = (2023 + day / 365, day % 365);
                let date = format!("{y}-{:02}-{:02}", 1 + d / 31 % 12, 1 + d % 28);
                let amount = 5.0 + rng.unit() * 200.0;
                csv.push_str(&format!(
                    "P{:04},T{order:06},{date},A{customer:04},{amount:.2}\n",
                    rng.below(900)
                ));
            }
        }
    }
    let table = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let product = table.column("tuote").map_or(0, |c| c.distinct);
    let customers = table.column("asiakas").map_or(0, |c| c.distinct);
    assert!(product > customers, "the product key is the wider ({product} vs {customers})");
    let cols = detect(&table).unwrap_or_else(|| panic!("a purchase log"));
    assert_eq!(cols.customer, "asiakas");
    assert_eq!(cols.invoice.as_deref(), Some("tilaus"));
    assert_eq!((cols.date.as_str(), cols.amount.as_deref()), ("pvm", Some("summa")));
    // Frequency counts the customer's orders.
    let (aggregated, report) = aggregate(csv.as_bytes(), &table, &cols).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.customers, 300);
    let frequency: Vec<f64> = read_csv(aggregated.as_bytes(), &mut |_| {})
        .ok()
        .and_then(|t| t.column("frequency").map(|c| c.values.to_vec()))
        .unwrap_or_default();
    assert_eq!(frequency.iter().sum::<f64>(), order as f64);
}

/// The same log without its order column: each customer's lines of a day are still bought together
/// (they share the customer and the day), which a product's lines rarely do, so the customer is found
/// although the product key is wider; each purchase day counts as an order.
#[test]
fn without_an_order_key_the_customer_is_the_key_whose_lines_are_bought_together() {
    let mut rng = segment_core::rng::SplitMix64::new(31);
    let mut csv = String::from("tuote,pvm,asiakas,summa\n");
    let mut days_bought = 0usize;
    for customer in 0..300 {
        let mut days: Vec<usize> = (0..1 + rng.below(6)).map(|_| rng.below(700)).collect();
        days.sort_unstable();
        days.dedup();
        for day in days {
            days_bought += 1;
            for _ in 0..1 + rng.below(4) {
                let date =
                    format!("{}-{:02}-{:02}", 2023 + day / 350, 1 + day % 350 / 29, 1 + day % 350 % 29 % 28);
                let amount = 5.0 + rng.unit() * 200.0;
                csv.push_str(&format!("P{:04},{date},A{customer:04},{amount:.2}\n", rng.below(900)));
            }
        }
    }
    let table = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let product = table.column("tuote").map_or(0, |c| c.distinct);
    assert!(product > 300, "the product key is the wider ({product})");
    let cols = detect(&table).unwrap_or_else(|| panic!("a purchase log"));
    assert_eq!((cols.customer.as_str(), cols.invoice.as_deref()), ("asiakas", None));
    let (aggregated, report) = aggregate(csv.as_bytes(), &table, &cols).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.customers, 300);
    let frequency: f64 = read_csv(aggregated.as_bytes(), &mut |_| {})
        .ok()
        .and_then(|t| t.column("frequency").map(|c| c.values.iter().sum()))
        .unwrap_or_default();
    assert!(frequency <= days_bought as f64 && frequency > 600.0, "{frequency} of {days_bought}");
    // The evidence is clear: the file is aggregated without asking.
    assert_eq!(weigh(&table).and_then(|d| d.doubt), None);
    assert!(aggregation(&table, &LoadMode::Auto).is_some());
}

/// One line per purchase, no order and no basket: the customer's lines and the product's are alike
/// (each comes back on other days, neither is bought twice on a day), and the product key is the
/// wider. The values cannot say which is the customer: the guess is offered with both named, and the
/// rows are not aggregated until the person says so.
#[test]
fn a_customer_and_a_product_the_values_cannot_tell_apart_are_asked_about_not_guessed() {
    let mut rng = segment_core::rng::SplitMix64::new(37);
    let mut csv = String::from("tuote,pvm,asiakas,summa\n");
    for customer in 0..300 {
        let mut days: Vec<usize> = (0..1 + rng.below(6)).map(|_| rng.below(700)).collect();
        days.sort_unstable();
        days.dedup();
        for day in days {
            let date =
                format!("{}-{:02}-{:02}", 2023 + day / 350, 1 + day % 350 / 29, 1 + day % 350 % 29 % 28);
            let amount = 5.0 + rng.unit() * 200.0;
            csv.push_str(&format!("P{:04},{date},A{customer:04},{amount:.2}\n", rng.below(500)));
        }
    }
    let table = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let detected = weigh(&table).unwrap_or_else(|| panic!("a purchase log"));
    let doubt = detected.doubt.unwrap_or_else(|| panic!("a guess: {:?}", detected.columns));
    assert!(doubt.contains("\"tuote\"") && doubt.contains("\"asiakas\""), "{doubt}");
    assert_eq!(aggregation(&table, &LoadMode::Auto), None, "read as it is");
    // The page's form starts from the guess.
    let summary = summarize(&table).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.transactions, Some(detected.columns));
    assert_eq!(summary.transactions_doubt.as_deref(), Some(doubt.as_str()));
}

/// A customer table without a customer-named column: a number on every row once, and a city that
/// repeats across customers who signed up on different days (by its values, a log of purchases by
/// city). The row number may be the customer: the page asks instead of segmenting cities.
#[test]
fn a_row_id_beside_a_repeated_key_found_by_values_makes_the_log_a_question() {
    let table =
        customers_with_a_city("nr,stad,aangemeld,bezoeken,besteed", 41, |c| format!("{}", 100_000 + c));
    let detected = weigh(&table).unwrap_or_else(|| panic!("read as a log by its values"));
    assert_eq!(detected.columns.customer, "stad");
    let doubt = detected.doubt.unwrap_or_default();
    assert!(doubt.starts_with("\"nr\" names every row once"), "{doubt}");
    assert_eq!(aggregation(&table, &LoadMode::Auto), None, "one row per customer, as it is");
}

/// A customer table whose city repeats across customers who signed up on different days looks, by
/// its values, like a log of purchases by city; its customer id, on every row once, says it is one
/// row per customer.
#[test]
fn a_customer_id_on_every_row_once_makes_a_customer_table_whatever_else_repeats() {
    let table = customers_with_a_city("customer_id,city,signup_date,visits,spend", 3, |c| format!("C{c:05}"));
    assert_eq!(detect(&table), None);
}

#[test]
fn the_customers_table_says_how_the_purchase_lines_file_was_read() {
    let mut rng = segment_core::rng::SplitMix64::new(5);
    let mut csv = String::from("Belegnr;Datum;Kundennummer;Betrag\n");
    for line in 0..2_000 {
        csv.push_str(&format!(
            "{};{:02}.{:02}.2024;K{:03};{},{:02}\n",
            10_000 + line,
            1 + rng.below(28),
            1 + rng.below(12),
            rng.below(200),
            5 + rng.below(400),
            rng.below(100)
        ));
    }
    let customers = segment_core::transactions::read_customers(
        csv.into_bytes(),
        &segment_core::transactions::LoadMode::Auto,
        &mut |_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let summary = segment_core::pipeline::summarize_customers(&customers).unwrap_or_else(|e| panic!("{e}"));
    let aggregated = summary.aggregated.as_ref().map(|a| a.report.rows_in);
    assert_eq!(aggregated, Some(2_000), "read as purchase lines");
    assert_eq!((summary.source.as_str(), summary.delimiter.as_str()), ("UTF-8", "semicolon"));
}

/// 3,000 customers, one a row: an id (`id` of the row number), one of 300 cities, a signup date in
/// 600 days, visits and spend, under `header`.
fn customers_with_a_city(
    header: &str,
    seed: u64,
    id: impl Fn(usize) -> String,
) -> segment_core::ingest::Table {
    let mut rng = segment_core::rng::SplitMix64::new(seed);
    let mut csv = format!("{header}\n");
    for c in 0..3_000 {
        let day = rng.below(600);
        csv.push_str(&format!(
            "{},City{:03},{}-{:02}-{:02},{},{:.2}\n",
            id(c),
            rng.below(300),
            2024 + day / 365,
            1 + day % 365 / 31,
            1 + day % 28,
            3 + rng.below(30),
            50.0 + rng.unit() * 900.0
        ));
    }
    read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"))
}

/// A member's purchases and the store they were made in, one line each, with a ticket number on every
/// line: a store's lines share their day often, but no more than chance gives a key of 25 values, so
/// its "baskets" do not make it the customer; the members, the wider key, are the guess, asked about.
#[test]
fn a_store_whose_lines_share_days_by_chance_is_not_taken_for_the_customer() {
    let csv = segment_core::synth::member_log(400, 43);
    let table = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let detected = weigh(&table).unwrap_or_else(|| panic!("a purchase log"));
    assert_eq!(detected.columns.customer, "socio");
    let doubt = detected.doubt.unwrap_or_default();
    assert!(doubt.contains("\"tienda\""), "{doubt}");
}

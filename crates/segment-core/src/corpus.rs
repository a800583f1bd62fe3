//! A corpus of customer files with planted truth, in the shapes exports come in: customer tables whose
//! groups live in the behaviour columns (visits, orders, spend, baskets, discounts, recency) among the
//! nuisance columns real exports carry (ids, row numbers, surnames, postal codes, store and product
//! codes, independent yes/no flags at 30-70%, one flag loosely tied to the groups, a country, signup
//! dates), and purchase logs in five shapes (no order id; order id + customer id + quantity x price; the
//! customer as a company name; `;` with decimal commas and dd.mm.yyyy; whitespace-aligned with
//! YYYYMMDD dates). The default segmentation must find the planted groups on every file
//! (`tests/behaviour_corpus.rs`, `benches/auto.rs` with scikit-learn's k-means as the reference).
//!
//! Everything is seeded. Each file says which customer each row is (or belongs to) and each customer's
//! group, and gives the true behaviour columns per customer (as logs where they are amounts), on which a
//! plain k-means is the reference an analyst would reach.

use crate::ingest::date::day_number;
use crate::rng::SplitMix64;
use std::collections::BTreeMap;

/// One generated file and its truth.
#[derive(Debug, Clone)]
pub struct CorpusFile {
    /// A short name saying the shape ("crm", "log_company", ...).
    pub name: &'static str,
    /// Whether a row is a purchase (the file must be segmented per customer) or a customer.
    pub purchase_log: bool,
    pub bytes: Vec<u8>,
    /// The column naming the customer, as its header writes it.
    pub customer_column: String,
    /// Columns no default may segment on: ids, row numbers, names, codes, flags, categories.
    pub never_features: Vec<&'static str>,
    /// Each customer's key (as the file writes it), group and true behaviour (the columns an analyst
    /// would segment on, amounts as logs), in the order customers were made.
    pub customers: Vec<(String, usize, Vec<f64>)>,
}

impl CorpusFile {
    /// Each customer's group by key.
    pub fn truth(&self) -> BTreeMap<&str, usize> {
        self.customers.iter().map(|(k, g, _)| (k.as_str(), *g)).collect()
    }
}

/// A value around `median`, spread by `sd` in logs (amounts, counts, durations).
fn around(rng: &mut SplitMix64, median: f64, sd: f64) -> f64 {
    median * (sd * rng.normal()).exp()
}

/// One of `weights`' indices, with those weights.
fn pick(rng: &mut SplitMix64, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut u = rng.unit() * total;
    for (i, w) in weights.iter().enumerate() {
        if u < *w {
            return i;
        }
        u -= w;
    }
    weights.len() - 1
}

const SYLLABLES: [&str; 16] =
    ["ka", "mo", "ri", "tan", "ber", "lo", "vic", "sen", "da", "wel", "gar", "no", "ste", "fi", "ul", "han"];

fn word(rng: &mut SplitMix64, parts: usize) -> String {
    let mut w: String = (0..parts).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect();
    if let Some(first) = w.get(..1) {
        w = first.to_uppercase() + &w[1..];
    }
    w
}

fn iso(day: i64) -> String {
    crate::ingest::date::iso_date(day)
}

/// The file's last day: 2024-06-30.
fn last_day() -> i64 {
    day_number(2024, 6, 30).unwrap_or(19_904)
}

/// A CRM export: id, signup date, country, age, a newsletter flag (independent), visits, orders,
/// revenue, average basket, discount share, last order date; four groups in the behaviour columns.
fn crm(n: usize, seed: u64) -> CorpusFile {
    let mut rng = SplitMix64::new(seed);
    // (share, visits, orders, basket, discount share, days since the last order)
    let groups = [
        (0.3, 40.0, 15.0, 60.0, 0.05, 8.0),
        (0.3, 20.0, 7.0, 25.0, 0.35, 25.0),
        (0.2, 6.0, 2.0, 260.0, 0.06, 90.0),
        (0.2, 3.0, 1.0, 35.0, 0.15, 300.0),
    ];
    let shares: Vec<f64> = groups.iter().map(|g| g.0).collect();
    let mut text = String::from(
        "customer_id,signup_date,country,age,newsletter,visits,orders,revenue,avg_basket,discount_share,last_order_date\n",
    );
    let mut customers = Vec::new();
    let today = last_day();
    for i in 0..n {
        let g = pick(&mut rng, &shares);
        let (_, visits, orders, basket, discount, recency) = groups[g];
        let visits = around(&mut rng, visits, 0.25).round().max(1.0);
        let orders = around(&mut rng, orders, 0.25).round().max(1.0);
        let basket = around(&mut rng, basket, 0.25);
        let discount = (discount * (0.25 * rng.normal()).exp()).min(0.95);
        let recency = around(&mut rng, recency, 0.3).round();
        let id = format!("CU{:07}", (i * 7_919 + 13) % 10_000_000);
        text.push_str(&format!(
            "{id},{},{},{},{},{visits},{orders},{:.2},{basket:.2},{discount:.3},{}\n",
            iso(today - 400 - rng.below(2_500) as i64),
            ["ES", "DE", "FR", "IT", "PT", "NL"][rng.below(6)],
            18 + rng.below(60),
            ["yes", "no"][usize::from(rng.unit() < 0.5)],
            orders * basket,
            iso(today - recency as i64),
        ));
        let behaviour = vec![visits.ln(), orders.ln(), basket.ln(), discount, (recency + 1.0).ln()];
        customers.push((id, g, behaviour));
    }
    CorpusFile {
        name: "crm",
        never_features: vec!["customer_id", "country", "newsletter"],
        purchase_log: false,
        bytes: text.into_bytes(),
        customer_column: "customer_id".into(),
        customers,
    }
}

/// A bank's customer table: row numbers, a numeric id, a surname, a country, gender, age, three yes/no
/// flags unrelated to the groups (a card, an active flag, paperless billing), balance, transactions a
/// month, the average transaction and the products held (1-4, loosely tied); three groups.
fn bank(n: usize, seed: u64) -> CorpusFile {
    let mut rng = SplitMix64::new(seed);
    // (share, balance, transactions a month, average transaction, mean products)
    let groups = [
        (0.45, 1_500.0, 30.0, 40.0, 1.3),
        (0.35, 25_000.0, 8.0, 300.0, 2.0),
        (0.2, 120_000.0, 4.0, 2_500.0, 2.6),
    ];
    let shares: Vec<f64> = groups.iter().map(|g| g.0).collect();
    let mut text = String::from(
        "RowNumber,CustomerId,Surname,Geography,Gender,Age,HasCrCard,IsActiveMember,PaperlessBilling,Balance,MonthlyTransactions,AvgTransaction,NumOfProducts\n",
    );
    let mut customers = Vec::new();
    for i in 0..n {
        let g = pick(&mut rng, &shares);
        let (_, balance, trx, avg, products) = groups[g];
        let balance = around(&mut rng, balance, 0.3);
        let trx = around(&mut rng, trx, 0.25).round().max(1.0);
        let avg = around(&mut rng, avg, 0.3);
        let products = (products + 0.8 * rng.normal()).round().clamp(1.0, 4.0);
        let id = (15_600_000 + i * 37 % 400_000 + i).to_string();
        text.push_str(&format!(
            "{},{id},{},{},{},{},{},{},{},{balance:.2},{trx},{avg:.2},{products}\n",
            i + 1,
            word(&mut rng, 3),
            ["France", "Spain", "Germany"][rng.below(3)],
            ["Male", "Female"][rng.below(2)],
            20 + rng.below(55),
            u8::from(rng.unit() < 0.7),
            u8::from(rng.unit() < 0.5),
            ["Yes", "No"][usize::from(rng.unit() < 0.4)],
        ));
        customers.push((id, g, vec![balance.ln(), trx.ln(), avg.ln()]));
    }
    CorpusFile {
        name: "bank",
        never_features: vec![
            "RowNumber",
            "CustomerId",
            "Surname",
            "Geography",
            "Gender",
            "HasCrCard",
            "IsActiveMember",
            "PaperlessBilling",
        ],
        purchase_log: false,
        bytes: text.into_bytes(),
        customer_column: "CustomerId".into(),
        customers,
    }
}

/// A German retailer's loyalty export, `;` with decimal commas: row numbers, a customer number, a postal
/// code and a store number (both evenly spread whole numbers), a loyalty card flag loosely tied to the
/// groups, a second independent flag, spend, trips, basket and the online share; four groups.
fn retail(n: usize, seed: u64) -> CorpusFile {
    let mut rng = SplitMix64::new(seed);
    // (share, spend in 12 months, trips, online share, loyalty card share)
    let groups = [
        (0.25, 2_400.0, 52.0, 0.05, 0.8),
        (0.25, 900.0, 12.0, 0.7, 0.5),
        (0.3, 300.0, 20.0, 0.1, 0.45),
        (0.2, 80.0, 3.0, 0.3, 0.3),
    ];
    let shares: Vec<f64> = groups.iter().map(|g| g.0).collect();
    let stores: Vec<u32> = (0..60).map(|_| 1_000 + rng.below(9_000) as u32).collect();
    let mut text = String::from("Nr;Kundennummer;PLZ;Filiale;Kundenkarte;Newsletter;Umsatz_12M;Einkaeufe_12M;Bon_Durchschnitt;Online_Anteil\n");
    let mut customers = Vec::new();
    for i in 0..n {
        let g = pick(&mut rng, &shares);
        let (_, spend, trips, online, card) = groups[g];
        let spend = around(&mut rng, spend, 0.25);
        let trips = around(&mut rng, trips, 0.25).round().max(1.0);
        let online = (online + 0.06 * rng.normal()).clamp(0.0, 1.0);
        let id = (700_000 + i * 13).to_string();
        let comma = |v: f64, digits: usize| format!("{v:.digits$}").replace('.', ",");
        text.push_str(&format!(
            "{};{id};{:05};{};{};{};{};{trips};{};{}\n",
            i + 1,
            1_000 + rng.below(98_000),
            stores[rng.below(stores.len())],
            ["ja", "nein"][usize::from(rng.unit() >= card)],
            ["ja", "nein"][usize::from(rng.unit() < 0.35)],
            comma(spend, 2),
            comma(spend / trips, 2),
            comma(online, 3),
        ));
        customers.push((id, g, vec![spend.ln(), trips.ln(), online]));
    }
    CorpusFile {
        name: "retail",
        never_features: vec!["Nr", "Kundennummer", "PLZ", "Filiale", "Kundenkarte", "Newsletter"],
        purchase_log: false,
        bytes: text.into_bytes(),
        customer_column: "Kundennummer".into(),
        customers,
    }
}

/// A subscription service's users, tab-separated: an email, a plan (category), two true/false flags,
/// months active, sessions a week, minutes a session and support tickets; three groups.
fn subscription(n: usize, seed: u64) -> CorpusFile {
    let mut rng = SplitMix64::new(seed);
    // (share, months active, sessions a week, minutes a session, tickets)
    let groups = [(0.4, 30.0, 12.0, 45.0, 0.5), (0.35, 6.0, 2.0, 10.0, 3.0), (0.25, 14.0, 6.0, 120.0, 1.0)];
    let shares: Vec<f64> = groups.iter().map(|g| g.0).collect();
    let mut text = String::from("email\tplan\tauto_renew\tpromo_used\tmonths_active\tsessions_per_week\tminutes_per_session\tsupport_tickets\n");
    let mut customers = Vec::new();
    for i in 0..n {
        let g = pick(&mut rng, &shares);
        let (_, months, sessions, minutes, tickets) = groups[g];
        let months = around(&mut rng, months, 0.25).round().max(1.0);
        let sessions = around(&mut rng, sessions, 0.25);
        let minutes = around(&mut rng, minutes, 0.25);
        let tickets = around(&mut rng, tickets + 0.5, 0.4).round();
        let id = format!("{}.{i}@example.org", word(&mut rng, 2).to_lowercase());
        text.push_str(&format!(
            "{id}\t{}\t{}\t{}\t{months}\t{sessions:.1}\t{minutes:.1}\t{tickets}\n",
            ["Basic", "Plus", "Pro"][rng.below(3)],
            ["true", "false"][usize::from(rng.unit() < 0.6)],
            ["true", "false"][usize::from(rng.unit() < 0.3)],
        ));
        customers.push((id, g, vec![months.ln(), sessions.ln(), minutes.ln(), (tickets + 1.0).ln()]));
    }
    CorpusFile {
        name: "subscription",
        never_features: vec!["email", "plan", "auto_renew", "promo_used"],
        purchase_log: false,
        bytes: text.into_bytes(),
        customer_column: "email".into(),
        customers,
    }
}

/// A telecom's accounts: an account code, a US state, a five-digit zip spread evenly, a phone number,
/// two yes/no plans (independent), day minutes, evening minutes, calls and charges; three groups.
fn telecom(n: usize, seed: u64) -> CorpusFile {
    let mut rng = SplitMix64::new(seed);
    // (share, day minutes, evening minutes, calls, data GB)
    let groups =
        [(0.4, 300.0, 60.0, 150.0, 1.0), (0.35, 80.0, 250.0, 60.0, 4.0), (0.25, 120.0, 100.0, 20.0, 25.0)];
    let shares: Vec<f64> = groups.iter().map(|g| g.0).collect();
    let mut text = String::from(
        "account,state,zip,phone,international_plan,voice_mail_plan,day_minutes,eve_minutes,calls,data_gb\n",
    );
    let mut customers = Vec::new();
    for i in 0..n {
        let g = pick(&mut rng, &shares);
        let (_, day, eve, calls, data) = groups[g];
        let day = around(&mut rng, day, 0.25);
        let eve = around(&mut rng, eve, 0.25);
        let calls = around(&mut rng, calls, 0.25).round().max(1.0);
        let data = around(&mut rng, data, 0.3);
        let id = format!("A-{:03}-{:04}", i % 997, i);
        text.push_str(&format!(
            "{id},{},{:05},\"{}-{:04}\",{},{},{day:.1},{eve:.1},{calls},{data:.2}\n",
            ["CA", "NY", "TX", "FL", "OH", "WA", "IL"][rng.below(7)],
            10_000 + rng.below(89_000),
            200 + rng.below(700),
            rng.below(10_000),
            ["yes", "no"][usize::from(rng.unit() < 0.7)],
            ["yes", "no"][usize::from(rng.unit() < 0.45)],
        ));
        customers.push((id, g, vec![day.ln(), eve.ln(), calls.ln(), data.ln()]));
    }
    CorpusFile {
        name: "telecom",
        never_features: vec!["account", "state", "zip", "phone", "international_plan", "voice_mail_plan"],
        purchase_log: false,
        bytes: text.into_bytes(),
        customer_column: "account".into(),
        customers,
    }
}

/// Customers of three kinds for the purchase logs: (share, orders, days since the last order, spend per
/// order); each customer's orders (day, amount), the last one first.
fn purchases(rng: &mut SplitMix64, kind: usize) -> Vec<(i64, f64)> {
    let kinds = [(0.35, 24.0, 6.0, 40.0), (0.4, 4.0, 150.0, 30.0), (0.25, 6.0, 40.0, 350.0)];
    let (_, orders, recency, spend) = kinds[kind];
    let n_orders = around(rng, orders, 0.25).round().max(1.0) as usize;
    let last = last_day() - around(rng, recency, 0.3).round() as i64;
    (0..n_orders)
        .map(|o| {
            let day = if o == 0 { last } else { last - 1 - rng.below(540) as i64 };
            (day, around(rng, spend, 0.3))
        })
        .collect()
}

const KIND_SHARES: [f64; 3] = [0.35, 0.4, 0.25];

/// The true behaviour of a customer of a log: recency, frequency and spend as logs.
fn rfm_of(orders: &[(i64, f64)]) -> Vec<f64> {
    let last = orders.iter().map(|o| o.0).max().unwrap_or(0);
    let spend: f64 = orders.iter().map(|o| o.1).sum();
    vec![((last_day() - last) as f64 + 1.0).ln(), (orders.len() as f64).ln(), spend.ln()]
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// (year, month, day) of a day number.
fn ymd(day: i64) -> (i64, usize, u32) {
    let iso = iso(day);
    let year = iso.get(0..4).and_then(|y| y.parse().ok()).unwrap_or(2024);
    let month = iso.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    let d = iso.get(8..10).and_then(|d| d.parse().ok()).unwrap_or(1);
    (year, month, d)
}

/// Purchase log shapes: which columns and how they are written.
#[derive(Clone, Copy, PartialEq)]
enum LogShape {
    /// customer_id (CS1234), trans_date (11-Feb-17), tran_amount: no order id, each line an order.
    Minimal,
    /// OrderID, OrderDate, CustomerID, ProductID, Quantity, UnitPrice, Country: no line total.
    QuantityPrice,
    /// ORDERNUMBER, QUANTITYORDERED, PRICEEACH, SALES, ORDERDATE (m/d/yyyy 0:00), STATUS, PRODUCTCODE,
    /// CUSTOMERNAME (a company), CITY, POSTALCODE.
    Company,
    /// Belegnr;Datum (dd.mm.yyyy);Kunde;Artikel;Menge;Einzelpreis;Betrag with decimal commas.
    German,
    /// Whitespace-aligned: CUST  TXN_DATE (YYYYMMDD)  ITEMS  AMOUNT, CRLF.
    Aligned,
    /// tuote,tilaus,pvm (dd/mm/yyyy),asiakas,summa (Finnish: product, order, date, customer, sum): no
    /// name the detection knows, and the order and product keys are wider than the customer's.
    Opaque,
}

fn log(shape: LogShape, customers_n: usize, seed: u64) -> CorpusFile {
    let mut rng = SplitMix64::new(seed);
    let companies: Vec<String> = (0..customers_n)
        .map(|i| {
            format!(
                "{} {} {}",
                word(&mut rng, 2),
                word(&mut rng, 2),
                ["Inc.", "Ltd", "Co.", "GmbH", "S.A."][i % 5]
            )
        })
        .collect();
    let mut lines: Vec<(i64, String)> = Vec::new();
    let mut customers = Vec::new();
    let mut order = 10_100u64;
    for (c, company) in companies.iter().enumerate() {
        let kind = pick(&mut rng, &KIND_SHARES);
        let orders = purchases(&mut rng, kind);
        let key = match shape {
            LogShape::Minimal => format!("CS{}", 1_000 + c * 7 % 9_000),
            LogShape::QuantityPrice => (12_000 + c * 3).to_string(),
            LogShape::Company => format!("{company} #{c}"),
            LogShape::German => format!("K-{:05}", 100 + c),
            LogShape::Aligned => format!("{:08}", 5_000_000 + c * 11),
            LogShape::Opaque => format!("A{:05}", 20 + c * 3),
        };
        for &(day, amount) in &orders {
            order += 1;
            let (y, m, d) = ymd(day);
            match shape {
                LogShape::Minimal => {
                    let amount = amount.round().max(1.0);
                    lines.push((day, format!("{key},{d:02}-{}-{:02},{amount}", MONTHS[m - 1], y % 100)));
                }
                LogShape::QuantityPrice | LogShape::Company | LogShape::German => {
                    let n_lines = 1 + rng.below(3);
                    for l in 0..n_lines {
                        let quantity = 1 + rng.below(5);
                        let price = (amount / n_lines as f64 / quantity as f64 * 100.0).round() / 100.0;
                        let total = price * quantity as f64;
                        let product = format!("P{:04}", rng.below(800));
                        let line = match shape {
                            LogShape::QuantityPrice => format!(
                                "{order},{y}-{m:02}-{d:02},{key},{product},{quantity},{price:.2},{}",
                                ["United Kingdom", "France", "Germany", "Spain"][rng.below(4)]
                            ),
                            LogShape::Company => format!(
                                "{order},{quantity},{price:.2},{},{total:.2},{m}/{d}/{y} 0:00,Shipped,S{}_{:04},\"{key}\",{},{:05}",
                                l + 1,
                                10 + rng.below(90),
                                rng.below(9_999),
                                ["NYC", "Paris", "Madrid", "Boston", "Lyon"][rng.below(5)],
                                10_000 + rng.below(89_000),
                            ),
                            _ => format!(
                                "B{order};{d:02}.{m:02}.{y};{key};{product};{quantity};{};{}",
                                format!("{price:.2}").replace('.', ","),
                                format!("{total:.2}").replace('.', ","),
                            ),
                        };
                        lines.push((day, line));
                    }
                }
                LogShape::Opaque => {
                    let n_lines = 1 + rng.below(3);
                    for _ in 0..n_lines {
                        let total = (amount / n_lines as f64 * 100.0).round() / 100.0;
                        let product = format!("T-{:05}", rng.below(4 * customers_n));
                        lines.push((day, format!("{product},{order},{d:02}/{m:02}/{y},{key},{total:.2}")));
                    }
                }
                LogShape::Aligned => {
                    let items = 1 + rng.below(6);
                    lines.push((day, format!("{key:<10}  {y}{m:02}{d:02}  {items:>5}  {amount:>10.2}")));
                }
            }
        }
        customers.push((key, kind, rfm_of(&orders)));
    }
    // Lines in date order, as systems export them.
    lines.sort_by_key(|l| l.0);
    let (name, header, newline, customer_column) = match shape {
        LogShape::Minimal => ("log_minimal", "customer_id,trans_date,tran_amount", "\n", "customer_id"),
        LogShape::QuantityPrice => (
            "log_quantity_price",
            "OrderID,OrderDate,CustomerID,ProductID,Quantity,UnitPrice,Country",
            "\n",
            "CustomerID",
        ),
        LogShape::Company => (
            "log_company",
            "ORDERNUMBER,QUANTITYORDERED,PRICEEACH,ORDERLINENUMBER,SALES,ORDERDATE,STATUS,PRODUCTCODE,CUSTOMERNAME,CITY,POSTALCODE",
            "\n",
            "CUSTOMERNAME",
        ),
        LogShape::German => ("log_german", "Belegnr;Datum;Kunde;Artikel;Menge;Einzelpreis;Betrag", "\n", "Kunde"),
        LogShape::Aligned => ("log_aligned", "CUST_ID     TXN_DATE    ITEMS      AMOUNT", "\r\n", "CUST_ID"),
        LogShape::Opaque => ("log_opaque", "tuote,tilaus,pvm,asiakas,summa", "\n", "asiakas"),
    };
    let mut text = String::from(header);
    text.push_str(newline);
    for (_, line) in lines {
        text.push_str(&line);
        text.push_str(newline);
    }
    CorpusFile {
        name,
        never_features: Vec::new(),
        purchase_log: true,
        bytes: text.into_bytes(),
        customer_column: customer_column.into(),
        customers,
    }
}

/// A wholesaler's customer table with no customer key: two small code columns (a channel 1-2 loosely tied
/// to the groups, a region 1-3 independent), a sentinel column (days since the last visit by a sales
/// rep, -1 for "never" for most customers, independent of the groups), and six yearly spends by product
/// family; three groups with wide spread, so a density method can leave many customers as noise.
fn wholesale(n: usize, seed: u64) -> CorpusFile {
    let mut rng = SplitMix64::new(seed);
    // (share, channel 2 share, spend by family: fresh, milk, grocery, frozen, detergents, delicatessen)
    let groups = [
        (0.5, 0.2, [12_000.0, 3_000.0, 4_000.0, 3_000.0, 800.0, 1_000.0]),
        (0.3, 0.8, [5_000.0, 10_000.0, 16_000.0, 1_500.0, 7_000.0, 1_500.0]),
        (0.2, 0.2, [35_000.0, 6_000.0, 6_000.0, 9_000.0, 1_000.0, 3_000.0]),
    ];
    let shares: Vec<f64> = groups.iter().map(|g| g.0).collect();
    let mut text =
        String::from("Channel,Region,Rep_Visit_Days,Fresh,Milk,Grocery,Frozen,Detergents_Paper,Delicassen\n");
    let mut customers = Vec::new();
    for i in 0..n {
        let g = pick(&mut rng, &shares);
        let (_, channel, spend) = groups[g];
        let spend: Vec<f64> = spend.iter().map(|&m| around(&mut rng, m, 0.45).round()).collect();
        let visit = if rng.unit() < 0.75 { -1 } else { 1 + rng.below(400) as i64 };
        text.push_str(&format!(
            "{},{},{visit},{}\n",
            1 + usize::from(rng.unit() < channel),
            1 + pick(&mut rng, &[0.18, 0.11, 0.71]),
            spend.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(","),
        ));
        customers.push((i.to_string(), g, spend.iter().map(|v| v.ln()).collect()));
    }
    CorpusFile {
        name: "wholesale",
        never_features: vec!["Channel", "Region"],
        purchase_log: false,
        bytes: text.into_bytes(),
        customer_column: String::new(),
        customers,
    }
}

/// The corpus: six customer tables of `n` customers and six purchase logs of `n / 4` customers, seeded.
pub fn corpus(n: usize, seed: u64) -> Vec<CorpusFile> {
    let logs = (n / 4).max(40);
    vec![
        crm(n, seed),
        bank(n, seed + 1),
        retail(n, seed + 2),
        subscription(n, seed + 3),
        telecom(n, seed + 4),
        wholesale(n, seed + 11),
        log(LogShape::Minimal, logs, seed + 5),
        log(LogShape::QuantityPrice, logs, seed + 6),
        log(LogShape::Company, logs, seed + 7),
        log(LogShape::German, logs, seed + 8),
        log(LogShape::Aligned, logs, seed + 9),
        log(LogShape::Opaque, logs, seed + 10),
    ]
}

/// What the default made of a corpus file.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Adjusted Rand index of the default's segments against the planted groups, over the customers it
    /// segmented (noise counts as a segment of its own).
    pub ari: f64,
    pub segments: usize,
    pub features: Vec<String>,
    pub explanation: String,
    /// The segments' rules' fidelity (None: no rules).
    pub rule_fidelity: Option<f64>,
}

/// Reads `file` as the page does, takes the automatic choice, and scores it against the planted groups.
/// An error says what went wrong in words: a purchase log not aggregated (or a customer table that was),
/// a column no default may use segmented on, a row whose customer is not one of the file's.
pub fn default_outcome(file: &CorpusFile) -> Result<Outcome, String> {
    use crate::transactions::{read_customers, LoadMode};
    let customers =
        read_customers(file.bytes.clone(), &LoadMode::Auto, &mut |_| {}).map_err(|e| e.to_string())?;
    if customers.aggregated.is_some() != file.purchase_log {
        return Err(format!(
            "purchase log {} but aggregated {:?}; columns {:?}",
            file.purchase_log,
            customers.aggregated.as_ref().map(|a| &a.columns),
            customers.table.names()
        ));
    }
    let summary = crate::pipeline::summarize_customers(&customers).map_err(|e| e.to_string())?;
    if let Some(never) =
        file.never_features.iter().find(|n| summary.suggested.features.iter().any(|f| f == *n))
    {
        return Err(format!("{never} is a default feature: {:?}", summary.suggested.features));
    }
    let (choice, result) = crate::auto::choose(&customers.table, &summary.suggested, &mut |_, _| {})
        .map_err(|e| e.to_string())?;
    if let Some(never) = file.never_features.iter().find(|n| result.spec.features.iter().any(|f| f == *n)) {
        return Err(format!("segmented on {never}: {:?}", result.spec.features));
    }
    // Each row's customer: the file's own order for a customer table; the aggregated table's id
    // column (its first) for a purchase log.
    let keys: Vec<String> = if file.purchase_log {
        let mut reader = csv::ReaderBuilder::new().from_reader(customers.bytes.as_slice());
        reader.records().map(|r| r.map(|r| r.get(0).unwrap_or("").to_string()).unwrap_or_default()).collect()
    } else {
        file.customers.iter().map(|c| c.0.clone()).collect()
    };
    if keys.len() != file.customers.len() {
        return Err(format!("{} rows for {} customers", keys.len(), file.customers.len()));
    }
    let truth = file.truth();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (&row, &label) in result.kept_rows.iter().zip(&result.labels) {
        let Some(&group) = keys.get(row).and_then(|k| truth.get(k.as_str())) else {
            return Err(format!("row {row}'s customer is not one of the file's"));
        };
        a.push(Some(group));
        b.push(usize::try_from(label).ok());
    }
    Ok(Outcome {
        ari: crate::score::adjusted_rand_index(&a, &b),
        segments: result.segment_sizes.len(),
        features: result.spec.features.clone(),
        explanation: choice.explanation,
        rule_fidelity: result.rule_fidelity,
    })
}

/// The true behaviour of every customer as CSV (the group first, then the behaviour columns), for a
/// reference outside this crate (scikit-learn's k-means in `benches/auto.rs`).
pub fn behaviour_csv(file: &CorpusFile) -> String {
    let d = file.customers.first().map_or(0, |c| c.2.len());
    let mut out = String::from("group");
    for j in 0..d {
        out.push_str(&format!(",b{j}"));
    }
    out.push('\n');
    for (_, g, b) in &file.customers {
        out.push_str(&g.to_string());
        for v in b {
            out.push_str(&format!(",{v}"));
        }
        out.push('\n');
    }
    out
}

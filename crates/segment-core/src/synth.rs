//! Synthetic customers shaped like the original dataset, at any size, for benchmarks and scale tests:
//! three Gaussian groups with the original clusters' means and spreads (visits, purchases, discounts)
//! and shares 35 / 35 / 25 %, plus 5 % uniform scatter over the groups' range.

use crate::rng::SplitMix64;
use ndarray::Array2;

/// (mean, sd) of visits, purchases, discounts, and the group's share of rows.
const GROUPS: [([(f64, f64); 3], f64); 3] = [
    ([(66.7, 13.0), (3219.0, 631.0), (80.0, 16.0)], 0.35),
    ([(88.8, 25.0), (646.0, 180.0), (146.0, 41.0)], 0.35),
    ([(126.6, 27.0), (1382.0, 302.0), (1122.0, 236.0)], 0.25),
];
const SCATTER_RANGE: [(f64, f64); 3] = [(0.0, 250.0), (0.0, 6000.0), (0.0, 2000.0)];

/// `n` rows of (visits, purchases, discounts), seeded.
pub fn seed_like_customers(n: usize, seed: u64) -> Array2<f64> {
    let mut rng = SplitMix64::new(seed);
    let mut x = Array2::zeros((n, 3));
    for mut row in x.outer_iter_mut() {
        let u = rng.unit();
        let mut acc = 0.0;
        let group = GROUPS.iter().find(|(_, share)| {
            acc += share;
            u < acc
        });
        match group {
            Some((params, _)) => {
                for (v, (mean, sd)) in row.iter_mut().zip(params) {
                    *v = (mean + sd * rng.normal()).max(0.0);
                }
            }
            None => {
                for (v, (lo, hi)) in row.iter_mut().zip(SCATTER_RANGE) {
                    *v = lo + (hi - lo) * rng.unit();
                }
            }
        }
    }
    x
}

/// The benchmark's eps for `n` rows of min-max scaled data: 0.04 at the original's 55,000 rows, scaled
/// by (55,000 / n)^(1/3) so that neighbourhoods keep their size.
pub fn bench_eps(n: usize) -> f64 {
    0.04 * (55_000.0 / n.max(1) as f64).cbrt()
}

/// Writes rows as CSV text with a header, for file-level benchmarks and tests.
pub fn to_csv(x: &Array2<f64>) -> String {
    let mut out = String::from("visits,purchases,discounts\n");
    for row in x.outer_iter() {
        out.push_str(&format!("{:.1},{:.2},{:.2}\n", row[0], row[1], row[2]));
    }
    out
}

/// A customer export of `n` rows and 10 columns, as the reading benchmarks use: an id, six numbers
/// (visits, purchases, discounts, clicks, days since the first order, a score with two decimals), a
/// signup date, a country (category) and a yes/no newsletter flag. About 100 bytes a row.
pub fn customer_export(n: usize, seed: u64) -> String {
    let x = seed_like_customers(n, seed);
    let mut rng = SplitMix64::new(seed ^ 0xC0FFEE);
    let countries = ["ES", "MX", "AR", "CO", "CL", "PE"];
    let mut out = String::with_capacity(n * 100 + 128);
    out.push_str(
        "customer_id,visits,purchases,discounts,clicks,days_since_first,score,signup,country,newsletter\n",
    );
    for (i, row) in x.outer_iter().enumerate() {
        let day = 1 + rng.below(28);
        let month = 1 + rng.below(12);
        out.push_str(&format!(
            "C{i:08},{:.0},{:.2},{:.2},{},{},{:.2},{:04}-{month:02}-{day:02},{},{}\n",
            row[0],
            row[1],
            row[2],
            rng.below(400),
            rng.below(3000),
            rng.unit() * 100.0,
            2015 + rng.below(10),
            countries[rng.below(countries.len())],
            if rng.below(2) == 0 { "yes" } else { "no" }
        ));
    }
    out
}

/// What a planted-structure file holds besides its text: each data row's group (None for a scattered
/// outlier) and the columns the groups live in.
#[derive(Debug, Clone)]
pub struct Planted {
    pub csv: String,
    pub truth: Vec<Option<usize>>,
    pub measures: Vec<String>,
}

/// The shape of a planted-structure customer file.
#[derive(Debug, Clone, Copy)]
pub struct PlantedOptions {
    /// Groups (2..=8) and the measures they differ in (2..=8).
    pub k: usize,
    pub d: usize,
    pub n: usize,
    /// Amounts written as exp(value): skewed in the file, Gaussian groups in log space.
    pub skewed: bool,
    /// Group shares proportional to 1, 2, ..., k and spreads from 0.6 to 1.4 (else equal).
    pub unequal: bool,
    /// Share of rows scattered uniformly over (and beyond) the groups' range.
    pub outliers: f64,
    /// No groups at all: one Gaussian cloud in every column, dates included (the "no clear groups"
    /// case).
    pub structureless: bool,
    pub seed: u64,
}

const MEASURES: [&str; 8] =
    ["visits", "spend", "orders", "basket_size", "discount_used", "pages_viewed", "support_calls", "returns"];

/// A customer file with `k` planted Gaussian groups in `d` measures, well apart (at least 8 spreads
/// between centres), plus what real exports carry around them: an id, row numbers, a constant, a
/// near-constant flag (one customer in 200), a country and a signup date.
pub fn planted_customers(o: &PlantedOptions) -> Planted {
    let mut rng = SplitMix64::new(o.seed);
    let (k, d) = (o.k.clamp(1, 8), o.d.clamp(1, 8));
    let spreads: Vec<f64> =
        (0..k).map(|g| if o.unequal { 0.6 + 0.8 * g as f64 / (k.max(2) - 1) as f64 } else { 1.0 }).collect();
    let max_spread = spreads.iter().copied().fold(0.0, f64::max);
    // Centres in a box: sets drawn again until no two groups are much closer than the others (the
    // nearest pair at least 60% of the median distance, and 8 spreads), so the number of groups is
    // unambiguous rather than a hierarchy of pairs; after many draws, the best set drawn.
    let side = 10.0 * max_spread * (k as f64).powf(1.0 / d as f64) + 10.0;
    let mut best: (f64, Vec<Vec<f64>>) = (f64::NEG_INFINITY, Vec::new());
    for _ in 0..20_000 {
        let set: Vec<Vec<f64>> = (0..k).map(|_| (0..d).map(|_| rng.unit() * side).collect()).collect();
        let mut distances: Vec<f64> = Vec::new();
        for a in 0..k {
            for b in a + 1..k {
                distances.push(crate::distance::dist(&set[a], &set[b]));
            }
        }
        distances.sort_unstable_by(f64::total_cmp);
        let (nearest, median) = (
            distances.first().copied().unwrap_or(side),
            distances.get(distances.len() / 2).copied().unwrap_or(side),
        );
        let quality = (nearest / median).min(nearest / (8.0 * max_spread));
        if quality > best.0 {
            best = (quality, set);
        }
        if nearest >= 0.6 * median && nearest >= 8.0 * max_spread {
            break;
        }
    }
    let centres = best.1;
    let weights: Vec<f64> = (0..k).map(|g| if o.unequal { (g + 1) as f64 } else { 1.0 }).collect();
    let total: f64 = weights.iter().sum();
    let measures: Vec<String> = MEASURES[..d].iter().map(|m| m.to_string()).collect();
    let countries = ["DE", "FR", "ES", "IT", "NL"];
    let mut csv = format!("customer_id,row,{},country,signup,plan_code,vip_flag\n", measures.join(","));
    let mut truth = Vec::with_capacity(o.n);
    for i in 0..o.n {
        let outlier = rng.unit() < o.outliers;
        let group = if o.structureless || outlier {
            None
        } else {
            let u = rng.unit() * total;
            let mut acc = 0.0;
            Some(
                weights
                    .iter()
                    .position(|w| {
                        acc += w;
                        u < acc
                    })
                    .unwrap_or(k - 1),
            )
        };
        let values: Vec<f64> = (0..d)
            .map(|j| match group {
                Some(g) => centres[g][j] + spreads[g] * rng.normal(),
                None if o.structureless => side / 2.0 + side / 6.0 * rng.normal(),
                None => (rng.unit() * 1.5 - 0.25) * side,
            })
            .collect();
        truth.push(if o.structureless { None } else { group });
        let cells: Vec<String> =
            values
                .iter()
                .map(|&v| {
                    if o.skewed {
                        format!("{:.2}", 10.0 * (v / 4.0).exp())
                    } else {
                        format!("{:.3}", v + 10.0)
                    }
                })
                .collect();
        // Signup dates over six years; in a structureless file one cloud like every other column.
        let signup = if o.structureless {
            17_500 + (300.0 * rng.normal()) as i64
        } else {
            17_500 + rng.below(6 * 365) as i64
        };
        csv.push_str(&format!(
            "C{:06},{},{},{},{},7,{}\n",
            (i * 7919) % 1_000_000,
            i + 1,
            cells.join(","),
            countries[rng.below(countries.len())],
            crate::ingest::date::iso_date(signup),
            u8::from(i % 200 == 17),
        ));
    }
    Planted { csv, truth, measures }
}

/// A member log in Spanish, `;` separated, whose names say nothing the detection knows: one line a
/// purchase (`ticket` on every line once, `fecha` dd/mm/yyyy, `socio` the member, `tienda` one of 25
/// stores, `importe` with a decimal comma), 2 to 21 purchases for each of `members` members on random
/// days of 600. A store's lines share their day often, by chance alone.
pub fn member_log(members: usize, seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut csv = String::from("ticket;fecha;socio;tienda;importe\n");
    let mut ticket = 0;
    for member in 0..members {
        for _ in 0..2 + rng.below(20) {
            ticket += 1;
            let day = rng.below(600);
            csv.push_str(&format!(
                "T{ticket:06};{:02}/{:02}/{};S{member:04};Tienda {};{},{:02}\n",
                1 + day % 28,
                1 + day / 28 % 12,
                2024 + day / 336,
                1 + rng.below(25),
                5 + rng.below(90),
                rng.below(100)
            ));
        }
    }
    csv
}

/// A transaction file (one row per purchase line) of `n` customers of three kinds, and each customer's
/// kind by customer id: loyal (recent, frequent, mid baskets), occasional (a few small orders months
/// ago) and lapsed big spenders (big orders, none for most of a year). Lines carry an invoice, a stock
/// code, a quantity, a unit price, a date and time, the customer and a country; a few are cancellations.
pub fn planted_transactions(n: usize, seed: u64) -> (String, std::collections::BTreeMap<String, usize>) {
    let mut rng = SplitMix64::new(seed);
    // (share, orders (mean), days since the last order (range), spend per order (median))
    let kinds: [(f64, f64, (f64, f64), f64); 3] =
        [(0.3, 20.0, (0.0, 12.0), 80.0), (0.5, 2.5, (90.0, 200.0), 25.0), (0.2, 6.0, (250.0, 360.0), 400.0)];
    let latest: i64 = 20_000; // day number of the file's last day (2024-10-04)
    let mut csv = String::from("InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n");
    let mut truth = std::collections::BTreeMap::new();
    let mut invoice = 500_000u64;
    for c in 0..n {
        let u = rng.unit();
        let kind = if u < kinds[0].0 {
            0
        } else if u < kinds[0].0 + kinds[1].0 {
            1
        } else {
            2
        };
        let (_, orders, (recent_lo, recent_hi), spend) = kinds[kind];
        let id = format!("{}", 12_000 + c * 3);
        truth.insert(id.clone(), kind);
        let n_orders = ((orders * (1.0 + 0.25 * rng.normal())).round() as i64).max(1);
        let last = latest - (recent_lo + (recent_hi - recent_lo) * rng.unit()) as i64;
        for o in 0..n_orders {
            invoice += 1;
            // The last order on `last`, the earlier ones spread over the year before it.
            let day = if o == 0 { last } else { last - rng.below(365) as i64 - 1 };
            let date = crate::ingest::date::iso_date(day);
            let lines = 1 + rng.below(4);
            let per_line = spend * (0.3 * rng.normal()).exp() / lines as f64;
            for _ in 0..lines {
                let quantity = 1 + rng.below(6);
                let price = per_line / quantity as f64;
                let hour = 8 + rng.below(10);
                let cancelled = rng.below(100) == 0;
                let (inv, qty) = if cancelled {
                    (format!("C{invoice}"), -(quantity as i64))
                } else {
                    (invoice.to_string(), quantity as i64)
                };
                csv.push_str(&format!(
                    "{inv},{}{},{qty},{date} {hour:02}:{:02},{price:.2},{id},{}\n",
                    84_000 + rng.below(900),
                    ["", "A", "B"][rng.below(3)],
                    rng.below(60),
                    ["United Kingdom", "France", "Germany"][rng.below(3)],
                ));
            }
        }
    }
    (csv, truth)
}

/// A customer table of `n` customers in four planted groups that differ by their categories and one
/// number only: a plan (each group its own, 95% of the time) and a channel (app for the low spenders, web for the high, 70% of the time), with spend
/// low in two groups and high in two; a tenure that is noise, a region that is noise, and an id. Every
/// plan is about as common as every other, so how common a customer's plan is says nothing of the
/// group: a segmentation must compare the plans themselves. Returns the text and each row's group.
/// With `columns` > 0, that many more columns alternate: numbers that are noise and categories of 4
/// values tied to the group at 60% (a wide table for benchmarks).
pub fn mixed_customers(n: usize, seed: u64, columns: usize) -> (String, Vec<usize>) {
    let mut rng = SplitMix64::new(seed);
    let plans = ["basic", "family", "premium", "student"];
    let channels = ["app", "store", "web"];
    let regions = ["north", "south", "east", "west", "centre"];
    let mut out = String::from("customer_id,spend,tenure_months,plan,channel,region");
    for c in 0..columns {
        out.push_str(&if c % 2 == 0 { format!(",score_{c}") } else { format!(",segment_tag_{c}") });
    }
    out.push('\n');
    let mut truth = Vec::with_capacity(n);
    for i in 0..n {
        let g = rng.below(4);
        truth.push(g);
        let spend = [40.0, 40.0, 160.0, 160.0][g] * (0.15 * rng.normal()).exp();
        let tenure = 1 + rng.below(60);
        let plan = if rng.unit() < 0.95 { plans[g] } else { plans[rng.below(4)] };
        let channel = if rng.unit() < 0.7 { channels[[0, 0, 2, 2][g]] } else { channels[rng.below(3)] };
        let region = regions[rng.below(5)];
        out.push_str(&format!("C{:06},{spend:.2},{tenure},{plan},{channel},{region}", 100_000 + i));
        for c in 0..columns {
            if c % 2 == 0 {
                out.push_str(&format!(",{:.3}", rng.normal()));
            } else {
                let v = if rng.unit() < 0.6 { g } else { rng.below(4) };
                out.push_str(&format!(",t{c}_{v}"));
            }
        }
        out.push('\n');
    }
    (out, truth)
}

/// A marketing-campaign customer export of `n` customers in the shape of the classic "customer
/// personality" file (29 columns: an id, birth year, education, marital status, income with a few
/// missing, children at home, enrolment date, days since the last purchase, six spend columns, five
/// purchase counts, web visits, five campaign responses, complaints (rare), two constant columns and the
/// last campaign's response), made of three kinds of customer (affluent, families, deal-seeking middle),
/// with two typos (a birth year of 1900, an income of 666666). Returns the text and each row's kind.
pub fn marketing_export(n: usize, seed: u64) -> (String, Vec<usize>) {
    let mut rng = SplitMix64::new(seed);
    let mut out = String::from(
        "ID,Year_Birth,Education,Marital_Status,Income,Kidhome,Teenhome,Dt_Customer,Recency,MntWines,MntFruits,\
         MntMeatProducts,MntFishProducts,MntSweetProducts,MntGoldProds,NumDealsPurchases,NumWebPurchases,\
         NumCatalogPurchases,NumStorePurchases,NumWebVisitsMonth,AcceptedCmp3,AcceptedCmp4,AcceptedCmp5,\
         AcceptedCmp1,AcceptedCmp2,Complain,Z_CostContact,Z_Revenue,Response\n",
    );
    let mut kinds = Vec::with_capacity(n);
    let educations = ["Graduation", "PhD", "Master", "Basic", "2n Cycle"];
    let statuses = ["Married", "Together", "Single", "Divorced", "Widow"];
    for i in 0..n {
        let u = rng.unit();
        let kind = if u < 0.25 {
            0
        } else if u < 0.7 {
            1
        } else {
            2
        };
        kinds.push(kind);
        let mut g = |mean: f64, sd: f64| (mean + sd * rng.normal()).max(0.0);
        // (income, kids, teens, spend scale, deals, web, catalog, store, visits, campaign odds)
        let (income, kids, teens, spend, deals, web, catalog, store, visits, odds) = match kind {
            0 => (
                g(78_000.0, 9_000.0),
                0.0,
                0.2,
                1.0,
                g(1.0, 0.7),
                g(5.0, 2.0),
                g(6.0, 2.0),
                g(9.0, 2.5),
                g(2.5, 1.2),
                0.25,
            ),
            1 => (
                g(34_000.0, 8_000.0),
                1.2,
                0.3,
                0.06,
                g(2.0, 1.0),
                g(2.0, 1.0),
                g(0.5, 0.5),
                g(3.0, 1.0),
                g(7.0, 1.5),
                0.03,
            ),
            _ => (
                g(56_000.0, 8_000.0),
                0.3,
                1.0,
                0.4,
                g(5.0, 1.5),
                g(7.0, 2.0),
                g(2.5, 1.2),
                g(7.0, 2.0),
                g(5.5, 1.5),
                0.08,
            ),
        };
        let mut amount = |base: f64| (base * spend * (0.5 * rng.normal()).exp()).round();
        let (wines, fruits, meat, fish, sweets, gold) =
            (amount(620.0), amount(55.0), amount(420.0), amount(75.0), amount(55.0), amount(70.0));
        let count = |v: f64| v.round() as i64;
        let children = |mean: f64, rng: &mut SplitMix64| {
            usize::from(rng.unit() < mean / 2.0) + usize::from(rng.unit() < mean / 2.0)
        };
        let (kid, teen) = (children(kids, &mut rng), children(teens, &mut rng));
        let year = if i == 239 { 1900 } else { 1945 + rng.below(50) as i64 + if kind == 1 { 15 } else { 0 } };
        let income = match i {
            _ if i % 97 == 5 => String::new(),
            2_233 => "666666".to_string(),
            _ => format!("{income:.0}"),
        };
        let enrolled = crate::ingest::date::iso_date(15_600 + rng.below(700) as i64);
        // dd-mm-yyyy, as the classic file writes it.
        let enrolled = format!("{}-{}-{}", &enrolled[8..10], &enrolled[5..7], &enrolled[..4]);
        let mut flag = |p: f64| u8::from(rng.unit() < p);
        let campaigns: Vec<u8> = (0..5).map(|_| flag(odds)).collect();
        let complain = flag(0.009);
        let response = flag(odds * 1.5);
        out.push_str(&format!(
            "{},{year},{},{},{income},{kid},{teen},{enrolled},{},{wines},{fruits},{meat},{fish},{sweets},{gold},{},{},{},{},{},{},{},{},{},{},{complain},3,11,{response}\n",
            5_000 + i * 3,
            educations[rng.below(educations.len())],
            statuses[rng.below(statuses.len())],
            rng.below(100),
            count(deals),
            count(web),
            count(catalog),
            count(store),
            count(visits),
            campaigns[0],
            campaigns[1],
            campaigns[2],
            campaigns[3],
            campaigns[4],
        ));
    }
    (out, kinds)
}

/// A minimal .xlsx workbook (tests and the hostile fixtures): `sheet` as the first worksheet's
/// `sheetData` XML, `strings` writing its shared strings (in pieces, so a huge one need not be held),
/// every entry deflated. Writing to memory cannot fail; an error would leave the workbook short.
pub fn workbook(sheet: &str, strings: &mut dyn FnMut(&mut dyn std::io::Write)) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, options).ok();
        zip.write_all(text.as_bytes()).ok();
    }
    zip.start_file("xl/worksheets/sheet1.xml", options).ok();
    let sheet = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{sheet}</sheetData></worksheet>"#
    );
    zip.write_all(sheet.as_bytes()).ok();
    zip.start_file("xl/sharedStrings.xml", options).ok();
    strings(&mut zip);
    zip.finish().map(std::io::Cursor::into_inner).unwrap_or_default()
}

/// The shared strings part of [`workbook`] holding `texts`.
pub fn shared_strings<'a>(texts: &'a [&'a str]) -> impl FnMut(&mut dyn std::io::Write) + 'a {
    move |w| {
        let items: String = texts.iter().map(|t| format!("<si><t>{t}</t></si>")).collect();
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">{items}</sst>"#,
            texts.len()
        );
        w.write_all(xml.as_bytes()).ok();
    }
}

/// A minimal .ods workbook whose `content.xml` is `content` (stored, not deflated).
pub fn ods(content: &str) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    for (name, text) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("content.xml", content),
        ("META-INF/manifest.xml", manifest),
    ] {
        zip.start_file(name, stored).ok();
        zip.write_all(text.as_bytes()).ok();
    }
    zip.finish().map(std::io::Cursor::into_inner).unwrap_or_default()
}

/// The hostile files the page and the command line are tested on (tests/fixtures/hostile), by name:
/// spreadsheet bombs, a cell far beyond any sheet's use, too many columns, a cell swallowing the file,
/// numbers beyond computing, a stray byte in UTF-8, ragged rows, a file without a header.
pub fn hostile_files() -> Vec<(&'static str, Vec<u8>)> {
    let mut out: Vec<(&'static str, Vec<u8>)> = Vec::new();
    let far =
        r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#;
    out.push(("far_cell.xlsx", workbook(far, &mut shared_strings(&[]))));
    let mut bomb = |w: &mut dyn std::io::Write| {
        let _ = w.write_all(br#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#);
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..600 {
            let _ = w.write_all(&chunk);
        }
        let _ = w.write_all(b"</t></si></sst>");
    };
    out.push(("string_bomb.xlsx", workbook(r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#, &mut bomb)));
    out.push((
        "repeated.ods",
        ods(r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S"><table:table-row table:number-rows-repeated="1000000"><table:table-cell office:value-type="float" office:value="1" table:number-columns-repeated="1000"><text:p>1</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#),
    ));
    let names = vec!["x"; 10_000].join(",");
    out.push(("ten_thousand_columns.csv", format!("{names}\n{}\n", names.replace('x', "1")).into_bytes()));
    out.push(("swallowed.csv", format!("a,b\n1,2\n3,\"{}\n", "x\n".repeat(50_000)).into_bytes()));
    let mut extreme = String::from("id,spend,visits\n");
    for i in 0..60 {
        let spend = match i {
            5 => "1e160".to_string(),
            6 => "-1e308".to_string(),
            7 => "1e308".to_string(),
            _ => format!("{}", 100 + (i % 3) * 900),
        };
        extreme.push_str(&format!("c{i},{spend},{}\n", (i % 3) * 10 + i % 4));
    }
    out.push(("extreme_numbers.csv", extreme.into_bytes()));
    let mut stray = String::from("name,amount,visits\n");
    for i in 0..60 {
        stray.push_str(&format!("Zoë {i},\"€{},50\",{}\n", 10 + (i % 3) * 100, i % 3 * 10));
    }
    let mut stray = stray.into_bytes();
    stray.extend_from_slice(b"Stray \xff byte,\"\xe2\x82\xac12,50\",4\n");
    out.push(("stray_byte.csv", stray));
    let mut ragged = String::from("id,a,b\n");
    for i in 0..60 {
        ragged.push_str(&format!("c{i},{},{}\n", (i % 3) * 10, (i % 3) * 5));
    }
    ragged.push_str("x1,0.1,0.2,surplus,more\nx2,10.1\n");
    out.push(("ragged.csv", ragged.into_bytes()));
    let headerless: String =
        (0..60).map(|i| if i % 2 == 0 { "1.5,2.5,3\n" } else { "7.5,9.5,1\n" }).collect();
    out.push(("headerless.csv", headerless.into_bytes()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_means_are_close() {
        let x = seed_like_customers(20_000, 1);
        let high_spenders = x.outer_iter().filter(|r| r[1] > 2000.0 && r[2] < 250.0).count();
        let share = high_spenders as f64 / 20_000.0;
        assert!((share - 0.35).abs() < 0.03, "{share}");
        assert_eq!(seed_like_customers(100, 1), seed_like_customers(100, 1));
    }
}

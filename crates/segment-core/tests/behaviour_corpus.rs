//! The default segmentation on the generated corpus (`segment_core::corpus`): five customer tables with
//! groups planted in the behaviour columns among ids, row numbers, surnames, postal and store codes,
//! independent yes/no flags and categories, and five purchase logs of different shapes. On every file,
//! with no setting touched, the default must
//! - segment customers (a purchase log per customer, never per line);
//! - never segment on an id, a row number, a name, a code, a flag or a category;
//! - recover the planted groups with an adjusted Rand index of at least 0.85 x what a plain k-means
//!   reaches on the true behaviour columns (z-scores, amounts as logs, the best k from 2 to 8),
//!   measured here with this crate's k-means (scikit-learn's, in `benches/auto.rs`, gives the same
//!   labels: `tests/parity.rs`).

use ndarray::Array2;
use segment_core::auto::choose;
use segment_core::cluster::KMeans;
use segment_core::corpus::{corpus, CorpusFile};
use segment_core::pipeline::summarize_customers;
use segment_core::score::adjusted_rand_index;
use segment_core::transactions::{read_customers, LoadMode};

/// The share of the reference's ARI the default must reach.
const OF_REFERENCE: f64 = 0.85;

/// The best ARI of k-means (k = 2..=8) on the true behaviour columns, z-scored.
fn reference(file: &CorpusFile) -> f64 {
    let d = file.customers[0].2.len();
    let n = file.customers.len();
    let mut x = Array2::from_shape_fn((n, d), |(i, j)| file.customers[i].2[j]);
    for mut column in x.columns_mut() {
        let mean = column.mean().unwrap_or(0.0);
        let sd = column.std(0.0).max(1e-12);
        column.mapv_inplace(|v| (v - mean) / sd);
    }
    let truth: Vec<Option<usize>> = file.customers.iter().map(|c| Some(c.1)).collect();
    (2..=8)
        .map(|k| {
            let fit = KMeans::params(k, 7).n_init(10).check().unwrap_or_else(|e| panic!("{e}")).fit(x.view());
            adjusted_rand_index(&truth, &fit.labels)
        })
        .fold(0.0, f64::max)
}

use linfa::ParamGuard;

/// The default's ARI against the planted groups, over the customers it segmented.
fn default_ari(file: &CorpusFile) -> Result<(f64, String), String> {
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
    let summary = summarize_customers(&customers).map_err(|e| e.to_string())?;
    if let Some(never) =
        file.never_features.iter().find(|n| summary.suggested.features.iter().any(|f| f == *n))
    {
        return Err(format!("{never} is a default feature: {:?}", summary.suggested.features));
    }
    let (choice, result) =
        choose(&customers.table, &summary.suggested, &mut |_, _| {}).map_err(|e| e.to_string())?;
    if let Some(never) = file.never_features.iter().find(|n| result.spec.features.iter().any(|f| f == *n)) {
        return Err(format!("segmented on {never}: {:?}", result.spec.features));
    }
    // Each row's customer: the file's own order for a customer table; the aggregated table's id
    // column (its first) for a purchase log.
    let truth = file.truth();
    let keys: Vec<String> = if file.purchase_log {
        let mut reader = csv::ReaderBuilder::new().from_reader(customers.bytes.as_slice());
        reader.records().map(|r| r.map(|r| r.get(0).unwrap_or("").to_string()).unwrap_or_default()).collect()
    } else {
        file.customers.iter().map(|c| c.0.clone()).collect()
    };
    if keys.len() != file.customers.len() {
        return Err(format!("{} rows for {} customers", keys.len(), file.customers.len()));
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (&row, &label) in result.kept_rows.iter().zip(&result.labels) {
        let Some(&group) = truth.get(keys[row].as_str()) else {
            return Err(format!("row {row}'s customer {:?} is not one of the file's", keys[row]));
        };
        a.push(Some(group));
        b.push(usize::try_from(label).ok());
    }
    if std::env::var_os("CORPUS_VERBOSE").is_some() {
        println!(
            "chosen {:?}: {:?} sizes {:?}",
            choice.chosen,
            choice.chosen.map(|i| (&choice.candidates[i].spec.method, choice.candidates[i].spec.kmeans)),
            result.segment_sizes
        );
        for (i, c) in choice.candidates.iter().enumerate() {
            print!("{i:>3}");
            println!(
                "  {:<40} {:>2} sil {:.3} db {:.3} ch {:>8.1} stab {:?} {:?} [{}]",
                c.method_words(),
                c.segments,
                c.silhouette.unwrap_or(f64::NAN),
                c.davies_bouldin.unwrap_or(f64::NAN),
                c.calinski_harabasz.unwrap_or(f64::NAN),
                c.stability,
                c.rejected,
                c.representation
            );
        }
    }
    let words = format!(
        "{} segments on {:?}: {}",
        result.segment_sizes.len(),
        result.spec.features,
        choice.explanation
    );
    Ok((adjusted_rand_index(&a, &b), words))
}

#[test]
fn the_default_finds_the_planted_behaviour_groups_in_every_shape() {
    let mut failures = Vec::new();
    for file in corpus(1_600, 29).into_iter().chain(corpus(900, 31)) {
        let reference = reference(&file);
        let (ari, words) = match default_ari(&file) {
            Ok(found) => found,
            Err(e) => {
                println!("{:<20} {e}", file.name);
                failures.push(format!("{}: {e}", file.name));
                continue;
            }
        };
        println!("{:<20} ARI {ari:.3} (k-means on the behaviour columns {reference:.3}); {words}", file.name);
        if ari < OF_REFERENCE * reference {
            failures.push(format!("{}: ARI {ari:.3} < {OF_REFERENCE} x {reference:.3}; {words}", file.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn flags_describe_the_segments_they_do_not_define() {
    let file =
        corpus(1_600, 29).into_iter().find(|f| f.name == "retail").unwrap_or_else(|| panic!("no retail"));
    let customers =
        read_customers(file.bytes.clone(), &LoadMode::Auto, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let summary = summarize_customers(&customers).unwrap_or_else(|e| panic!("{e}"));
    let (_, result) =
        choose(&customers.table, &summary.suggested, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let traits: Vec<&String> = result.profiles.iter().flat_map(|p| &p.traits).collect();
    // The loyalty card, held by 80% of the biggest spenders and about half of everyone: said of the
    // segment of the biggest spenders; the newsletter, independent of the groups, of none.
    let spend =
        result.spec.features.iter().position(|f| f == "Umsatz_12M").unwrap_or_else(|| panic!("spend"));
    let top = (0..result.segment_sizes.len())
        .max_by(|&a, &b| result.segment_means[a][spend].total_cmp(&result.segment_means[b][spend]))
        .unwrap_or_else(|| panic!("segments"));
    assert!(
        result.profiles[top].traits.iter().any(|t| t.starts_with("Kundenkarte yes for")),
        "{:?}",
        result.profiles[top]
    );
    assert!(!traits.iter().any(|t| t.contains("Newsletter")), "{traits:?}");
}

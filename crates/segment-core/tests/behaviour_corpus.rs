//! The default segmentation on the generated corpus (`segment_core::corpus`): six customer tables with
//! groups planted in the behaviour columns among ids, row numbers, surnames, postal and store codes,
//! independent yes/no flags, categories, small code columns and a sentinel column, and six purchase
//! logs of different shapes. On every file, with no setting touched, the default must
//! - segment customers (a purchase log per customer, never per line);
//! - never segment on an id, a row number, a name, a code, a flag or a category;
//! - recover the planted groups with an adjusted Rand index of at least 0.85 x what a plain k-means
//!   reaches on the true behaviour columns (z-scores, amounts as logs, the best k from 2 to 8),
//!   measured here with this crate's k-means (scikit-learn's, in `benches/auto.rs`, gives the same
//!   labels: `tests/parity.rs`);
//! - describe its segments by rules that put at least 90% of the customers in their segment.

use ndarray::Array2;
use segment_core::auto::choose;
use segment_core::cluster::KMeans;
use segment_core::corpus::{corpus, default_outcome, CorpusFile};
use segment_core::pipeline::summarize_customers;
use segment_core::score::adjusted_rand_index;
use segment_core::transactions::{read_customers, LoadMode};

/// The share of the reference's ARI the default must reach.
const OF_REFERENCE: f64 = 0.85;
/// The rules' fidelity the default's segments must reach (issue 31: with at most 2k sets).
const MIN_FIDELITY: f64 = 0.9;

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

#[test]
fn the_default_finds_the_planted_behaviour_groups_in_every_shape() {
    let mut failures = Vec::new();
    for file in corpus(1_600, 29).into_iter().chain(corpus(900, 31)) {
        let reference = reference(&file);
        let (ari, words) = match default_outcome(&file) {
            Ok(o) => {
                if !o.explanation.contains("The segments differ most in ") {
                    failures
                        .push(format!("{}: the explanation names no column: {}", file.name, o.explanation));
                }
                let fidelity = o.rule_fidelity.unwrap_or(0.0);
                if fidelity < MIN_FIDELITY {
                    failures
                        .push(format!("{}: the rules' fidelity {fidelity:.3} < {MIN_FIDELITY}", file.name));
                }
                let words = format!("{} segments on {:?}: {}", o.segments, o.features, o.explanation);
                (o.ari, format!("rules' fidelity {fidelity:.3}; {words}"))
            }
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

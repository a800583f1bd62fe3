//! The automatic choice on files with planted structure: Gaussian groups (k = 2..8, in 2 to 8
//! measures), unequal sizes and spreads, skewed amounts, scattered outliers, an id, row numbers, a
//! constant, a near-constant flag, a category and a signup date around them; a transaction file built
//! from customers of known kinds; and structureless files. With no setting touched, the default must
//! find the planted groups (adjusted Rand index >= 0.9 against the truth, outliers left out of the
//! comparison), segment on the measures and never on the columns an analyst would leave out, and say
//! "no clear groups" when there are none.

use segment_core::auto::{choose, AutoChoice};
use segment_core::ingest::read_csv;
use segment_core::pipeline::{summarize_customers, Segmentation as AnalysisResult};
use segment_core::score::adjusted_rand_index;
use segment_core::spec::AnalysisSpec;
use segment_core::synth::{planted_customers, planted_transactions, PlantedOptions};
use segment_core::transactions::{read_customers, LoadMode};

/// The advised settings (features, logs), the choice and its result.
fn auto_with_advice(bytes: &[u8]) -> (AnalysisSpec, AutoChoice, AnalysisResult) {
    let customers =
        read_customers(bytes.to_vec(), &LoadMode::Auto, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let summary = summarize_customers(&customers).unwrap_or_else(|e| panic!("{e}"));
    let (choice, result) =
        choose(&customers.table, &summary.suggested, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    (summary.suggested, choice, result)
}

fn auto(bytes: &[u8]) -> (AutoChoice, AnalysisResult) {
    let (_, choice, result) = auto_with_advice(bytes);
    (choice, result)
}

/// ARI of the result's labels against the truth over the rows both label (outliers and dropped rows
/// left out).
fn ari(result: &AnalysisResult, truth: &[Option<usize>]) -> f64 {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (&row, &label) in result.kept_rows.iter().zip(&result.labels) {
        if let Some(t) = truth[row] {
            a.push(Some(t));
            b.push(usize::try_from(label).ok());
        }
    }
    adjusted_rand_index(&a, &b)
}

const LEFT_OUT: [&str; 5] = ["customer_id", "row", "plan_code", "vip_flag", "country"];

fn check(o: PlantedOptions) {
    let planted = planted_customers(&o);
    let (advised, choice, result) = auto_with_advice(planted.csv.as_bytes());
    let label = format!("{o:?}: {}", choice.explanation);
    let score = ari(&result, &planted.truth);
    println!(
        "k {} d {} -> {} segments, ARI {score:.3}; {}",
        o.k,
        o.d,
        result.segment_sizes.len(),
        choice.explanation
    );
    assert!(score >= 0.9, "ARI {score:.3} < 0.9 for {label}");
    assert!(choice.clear, "{label}");
    // The advised features are the measures (and the signup date, as a recency); the chosen
    // segmentation segments on the measures and never on a column an analyst leaves out.
    for m in &planted.measures {
        assert!(advised.features.contains(m), "{m} is not advised: {label}");
        assert!(result.spec.features.contains(m), "{m} is not a feature: {label}");
    }
    assert!(advised.features.iter().any(|f| f == "signup"));
    for left_out in LEFT_OUT {
        assert!(!advised.features.iter().any(|f| f == left_out), "{left_out} is advised: {label}");
        assert!(!result.spec.features.iter().any(|f| f == left_out), "{left_out} is a feature: {label}");
    }
    assert!(!choice.explanation.is_empty());
}

#[test]
fn planted_gaussian_groups_are_found() {
    let base = PlantedOptions {
        k: 3,
        d: 3,
        n: 1_500,
        skewed: false,
        unequal: false,
        outliers: 0.0,
        structureless: false,
        seed: 1,
    };
    for (k, d) in [(2, 2), (3, 3), (4, 5), (5, 4), (6, 6), (8, 8)] {
        check(PlantedOptions { k, d, seed: (k * 10 + d) as u64, ..base });
    }
}

#[test]
fn unequal_sizes_and_spreads_skewed_amounts_and_outliers() {
    let base = PlantedOptions {
        k: 4,
        d: 4,
        n: 2_000,
        skewed: false,
        unequal: true,
        outliers: 0.0,
        structureless: false,
        seed: 7,
    };
    check(base);
    // Amounts written as exp(value): the groups are Gaussian once the skewed columns take their log.
    let planted = planted_customers(&PlantedOptions { skewed: true, ..base });
    let (advised, choice, result) = auto_with_advice(planted.csv.as_bytes());
    assert!(ari(&result, &planted.truth) >= 0.9, "{}", choice.explanation);
    assert!(planted.measures.iter().all(|m| advised.transforms.contains_key(m)), "{:?}", advised.transforms);
    // One customer in a hundred scattered far and wide: the groups are still found.
    check(PlantedOptions { outliers: 0.01, k: 3, seed: 11, ..base });
}

#[test]
fn structureless_customers_have_no_clear_groups() {
    for (d, seed) in [(3, 1), (5, 2)] {
        let o = PlantedOptions {
            k: 1,
            d,
            n: 1_500,
            skewed: false,
            unequal: false,
            outliers: 0.0,
            structureless: true,
            seed,
        };
        let planted = planted_customers(&o);
        let (choice, result) = auto(planted.csv.as_bytes());
        assert!(!choice.clear, "{}", choice.explanation);
        assert!(choice.explanation.starts_with("No clear natural groups"), "{}", choice.explanation);
        // Still a usable answer: tiers, named as such.
        assert!((2..=10).contains(&result.segment_sizes.len()));
        assert!(
            result.spec.segment_names.iter().all(|n| n.contains("tier") || n.starts_with("Tier")),
            "{:?}",
            result.spec.segment_names
        );
    }
}

#[test]
fn a_transaction_file_is_segmented_per_customer_and_its_kinds_are_found() {
    let (csv, truth) = planted_transactions(1_200, 3);
    let (choice, result) = auto(csv.as_bytes());
    let table = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    assert!(table.n_rows > 5_000, "purchase lines: {}", table.n_rows);
    // Customers, not lines: one row each.
    assert_eq!(result.rows_used + result.cleaning.rows_dropped(), truth.len());
    assert!(result.spec.transactions.is_some());
    for f in ["recency_days", "frequency", "monetary"] {
        assert!(result.spec.features.iter().any(|x| x == f), "{f}: {:?}", result.spec.features);
    }
    // The customer table is sorted by id, as `truth` is.
    let kinds: Vec<Option<usize>> = truth.values().map(|&k| Some(k)).collect();
    let score = ari(&result, &kinds);
    assert!(score >= 0.9, "ARI {score:.3}: {}", choice.explanation);
    // The classic RFM segments are offered beside the clusterings, never chosen by themselves.
    let rfm = choice.candidates.iter().find(|c| c.spec.method == segment_core::spec::Method::Rfm);
    assert!(rfm.is_some_and(|c| c.manual_only));
    assert_ne!(result.spec.method, segment_core::spec::Method::Rfm);
}

#[test]
fn the_choice_is_reproducible() {
    let planted = planted_customers(&PlantedOptions {
        k: 4,
        d: 3,
        n: 800,
        skewed: true,
        unequal: true,
        outliers: 0.01,
        structureless: false,
        seed: 5,
    });
    let (a, ra) = auto(planted.csv.as_bytes());
    let (b, rb) = auto(planted.csv.as_bytes());
    assert_eq!(a, b);
    assert_eq!(ra.labels, rb.labels);
}

/// The search runs its candidates side by side (`segment_core::par`): on 1, 2 and 3 threads the
/// candidates, their scores, stabilities and the pick are the same, on a file whose views differ in
/// their columns (so their cleanings too) and with a sample.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_choice_is_the_same_on_any_number_of_threads() {
    use segment_core::auto::{search, SearchOptions};
    let options = PlantedOptions {
        k: 4,
        d: 3,
        n: 6_000,
        skewed: true,
        unequal: false,
        outliers: 0.01,
        structureless: false,
        seed: 11,
    };
    let csv = planted_customers(&options).csv;
    let customers =
        read_customers(csv.into_bytes(), &LoadMode::Auto, &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
    let summary = summarize_customers(&customers).unwrap_or_else(|e| panic!("{e}"));
    let choice_on = |threads: usize| {
        let pool =
            rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap_or_else(|e| panic!("{e}"));
        pool.install(|| search(&customers.table, &summary.suggested, SearchOptions::default(), &mut |_| {}))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let one = choice_on(1);
    assert!(
        one.candidates.len() > 30 && one.rows_searched < one.rows_total,
        "{} candidates",
        one.candidates.len()
    );
    assert!(one.candidates.iter().any(|c| c.view > 1), "several views");
    for threads in [2, 3] {
        assert!(choice_on(threads) == one, "{threads} threads");
    }
    // From outside the pool (as the command line calls it), with its progress reported as it goes.
    let mut reported = Vec::new();
    let outside =
        search(&customers.table, &summary.suggested, SearchOptions::default(), &mut |f| reported.push(f))
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(outside == one);
    assert!(reported.windows(2).all(|w| w[0] <= w[1]) && reported.len() > 10, "{reported:?}");
}

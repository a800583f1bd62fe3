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

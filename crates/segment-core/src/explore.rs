//! Explore: the figures behind the dashboard's views, for every numeric column of the rows a result
//! used (features or not): a five-number summary overall, per segment and for noise; each segment's
//! share of the column's total (the overview's pies); histograms on shared bins; the correlation
//! matrix; and a seeded sample of rows for scatter plots. All aggregates: no row leaves here except in
//! the sample, which the page draws and never exports.

use crate::features::quantile;
use crate::ingest::{looks_like_id, Column, ColumnKind, Table};
use crate::rng::SplitMix64;
use serde::{Deserialize, Serialize};

/// Histogram bins per variable.
pub const BINS: usize = 24;
/// Rows in the scatter sample.
pub const SAMPLE_ROWS: usize = 4_000;

/// Count, mean, spread and the five numbers of a box plot (quantiles as pandas and numpy compute them,
/// linear interpolation). Whiskers reach the farthest values within 1.5 IQR of the box.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub count: usize,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub sum: f64,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub mean: f64,
    /// Sample standard deviation (n - 1), as pandas' `std`.
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub sd: f64,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub min: f64,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub q1: f64,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub median: f64,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub q3: f64,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub max: f64,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub whisker_low: f64,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub whisker_high: f64,
}

impl Summary {
    /// From values in any order (NaN skipped).
    pub fn of(values: &mut Vec<f64>) -> Summary {
        values.retain(|v| v.is_finite());
        values.sort_unstable_by(f64::total_cmp);
        let n = values.len();
        if n == 0 {
            return Summary::default();
        }
        let sum: f64 = values.iter().sum();
        let mean = sum / n as f64;
        let sd = if n > 1 {
            (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64).sqrt()
        } else {
            0.0
        };
        let (q1, q3) = (quantile(values, 0.25), quantile(values, 0.75));
        let (lo, hi) = (q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1));
        Summary {
            count: n,
            sum,
            mean,
            sd,
            min: values[0],
            q1,
            median: quantile(values, 0.5),
            q3,
            max: values[n - 1],
            whisker_low: values.iter().copied().find(|&v| v >= lo).unwrap_or(values[0]),
            whisker_high: values.iter().rev().copied().find(|&v| v <= hi).unwrap_or(values[n - 1]),
        }
    }
}

/// One numeric column seen overall and by segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    pub name: String,
    /// Whether the segmentation used it.
    pub feature: bool,
    pub overall: Summary,
    /// Indexed by segment id.
    pub segments: Vec<Summary>,
    pub noise: Summary,
    /// `edges[i]..edges[i + 1]` is bin i (the last bin includes its right edge).
    #[serde(deserialize_with = "crate::serde_nan::vec_or_nan")]
    pub edges: Vec<f64>,
    /// Per segment (then noise, last), the rows in each bin.
    pub counts: Vec<Vec<u64>>,
}

impl Variable {
    /// Each segment's share of the column's total over segmented rows (the overview's pie); None when
    /// the total is zero or some value is negative (a pie of signed amounts would mislead).
    pub fn shares(&self) -> Option<Vec<f64>> {
        let total: f64 = self.segments.iter().map(|s| s.sum).sum();
        let negative = self.segments.iter().any(|s| s.count > 0 && s.min < 0.0);
        (total > 0.0 && !negative).then(|| self.segments.iter().map(|s| s.sum / total).collect())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Explore {
    pub variables: Vec<Variable>,
    /// Pearson correlation of each pair of variables over the rows where both are filled; NaN (null in
    /// JSON) for a constant column.
    #[serde(deserialize_with = "crate::serde_nan::rows_or_nan")]
    pub correlation: Vec<Vec<f64>>,
    /// A seeded sample of used rows, for scatter plots: per variable its values, and the rows' segments.
    #[serde(deserialize_with = "crate::serde_nan::rows32_or_nan")]
    pub sample_values: Vec<Vec<f32>>,
    pub sample_labels: Vec<i32>,
}

/// The variables the overview opens on, from what the columns' names say they measure (the profile's
/// reading: spend, activity): a money column for the share pie and a ratio's numerator, an activity
/// column for the chart by segment and the ratio's denominator ("spend per visit").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartDefaults {
    pub total: usize,
    pub activity: usize,
}

impl Explore {
    /// Indices into `variables`: the first spend-like and activity-like ones, else the first two.
    pub fn chart_defaults(&self) -> ChartDefaults {
        use crate::profile::{role_of, Role};
        let find = |role: Role| self.variables.iter().position(|v| role_of(&v.name) == Some(role));
        let last = self.variables.len().saturating_sub(1);
        let total = find(Role::Spend).unwrap_or(0);
        let activity = find(Role::Activity).unwrap_or(if total == 0 { 1.min(last) } else { 0 });
        ChartDefaults { total, activity }
    }
}

/// Columns the dashboard describes: every feature, then other numeric columns up to this many in all.
pub const EXPLORE_COLUMNS: usize = 60;

/// The dashboard's figures for the `kept` rows of `table`, whose segments are `labels` (-1 = noise).
pub fn explore(
    table: &Table,
    features: &[String],
    kept: &[usize],
    labels: &[i32],
    n_segments: usize,
    seed: u64,
) -> Explore {
    // Numeric columns other than identifiers (a mean customer number means nothing); features always,
    // the other numeric columns up to EXPLORE_COLUMNS in all (the correlations grow with their square).
    let mut others = 0usize;
    let columns: Vec<_> = table
        .columns
        .iter()
        .filter(|c| {
            if features.contains(&c.name) {
                return true;
            }
            let shown = c.kind == ColumnKind::Numeric
                && !looks_like_id(c, table.n_rows)
                && features.len() + others < EXPLORE_COLUMNS;
            others += usize::from(shown);
            shown
        })
        .collect();
    // Each column's value in the `i`-th used row, as the features see them (dates as days before the
    // latest), read from the table: one column at a time is copied out (to sort it), never all of them.
    let series: Vec<(&Column, Option<f64>)> = columns.iter().map(|c| (*c, c.latest_date())).collect();
    let value = |(c, latest): (&Column, Option<f64>), i: usize| c.feature_value(kept[i], latest);
    let group = |l: i32| usize::try_from(l).map_or(n_segments, |s| s.min(n_segments));
    let mut group_sizes = vec![0usize; n_segments + 1];
    labels.iter().take(kept.len()).for_each(|&l| group_sizes[group(l)] += 1);
    let variables = series
        .iter()
        .map(|&(c, latest)| {
            // The whole column first, then split by segment (each part sized beforehand): one copy of
            // the column at a time.
            let overall = Summary::of(&mut (0..kept.len()).map(|i| value((c, latest), i)).collect());
            let mut by_group: Vec<Vec<f64>> = group_sizes.iter().map(|&n| Vec::with_capacity(n)).collect();
            for (i, &l) in labels.iter().enumerate().take(kept.len()) {
                by_group[group(l)].push(value((c, latest), i));
            }
            let (lo, hi) = (overall.min, overall.max);
            let width = if hi > lo { (hi - lo) / BINS as f64 } else { 1.0 };
            let edges: Vec<f64> = (0..=BINS).map(|i| lo + width * i as f64).collect();
            let counts = by_group
                .iter()
                .map(|vs| {
                    let mut counts = vec![0u64; BINS];
                    for v in vs.iter().filter(|v| v.is_finite()) {
                        counts[(((v - lo) / width) as usize).min(BINS - 1)] += 1;
                    }
                    counts
                })
                .collect();
            let mut summaries: Vec<Summary> = by_group.iter_mut().map(Summary::of).collect();
            let noise = summaries.pop().unwrap_or_default();
            Variable {
                name: c.name.clone(),
                feature: features.contains(&c.name),
                overall,
                segments: summaries,
                noise,
                edges,
                counts,
            }
        })
        .collect();

    // Symmetric: each pair once, on two columns copied out at a time (each column decoded once per
    // pair it is the second of, not once per value read of the three passes).
    let k = series.len();
    let mut correlation = vec![vec![f64::NAN; k]; k];
    let column = |s: (&Column, Option<f64>)| -> Vec<f64> { (0..kept.len()).map(|i| value(s, i)).collect() };
    for i in 0..k {
        let a = column(series[i]);
        for j in i..k {
            let r = if i == j { pearson(&a, &a) } else { pearson(&a, &column(series[j])) };
            correlation[i][j] = r;
            correlation[j][i] = r;
        }
    }

    let picked = SplitMix64::new(seed).sample_indices(kept.len(), SAMPLE_ROWS);
    let sample_values = series
        .iter()
        .map(|&s| picked.iter().map(|&i| crate::serde_nan::to_f32(value(s, i))).collect())
        .collect();
    let sample_labels = picked.iter().map(|&i| labels[i]).collect();
    Explore { variables, correlation, sample_values, sample_labels }
}

/// Pearson's r over the pairs where both values are finite.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let pairs = || a.iter().zip(b).filter(|(x, y)| x.is_finite() && y.is_finite());
    let n = pairs().count() as f64;
    if n < 2.0 {
        return f64::NAN;
    }
    let (ma, mb) = (pairs().map(|p| p.0).sum::<f64>() / n, pairs().map(|p| p.1).sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in pairs() {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 {
        return f64::NAN;
    }
    sab / (saa * sbb).sqrt()
}

/// Cohen's d of `a` against `b` (difference of means over the pooled standard deviation); NaN when
/// both are constant or too small.
pub fn effect_size(a: &Summary, b: &Summary) -> f64 {
    if a.count < 2 || b.count < 2 {
        return f64::NAN;
    }
    let (na, nb) = (a.count as f64, b.count as f64);
    let pooled = (((na - 1.0) * a.sd * a.sd + (nb - 1.0) * b.sd * b.sd) / (na + nb - 2.0)).sqrt();
    if pooled == 0.0 {
        return f64::NAN;
    }
    (a.mean - b.mean) / pooled
}

/// How big a difference is, in Cohen's conventional words.
pub fn effect_words(d: f64) -> &'static str {
    match d.abs() {
        x if x.is_nan() => "not comparable",
        x if x < 0.2 => "negligible",
        x if x < 0.5 => "small",
        x if x < 0.8 => "medium",
        _ => "large",
    }
}

/// "visits: Balanced Users average 88.8, 33% more than High Spenders (66.7); a large difference
/// (d = 1.1)."
pub fn describe_difference(variable: &str, name_a: &str, a: &Summary, name_b: &str, b: &Summary) -> String {
    let d = effect_size(a, b);
    let relative = if b.mean != 0.0 && a.mean.signum() == b.mean.signum() {
        let r = a.mean / b.mean;
        if (r - 1.0).abs() < 0.05 {
            format!("about the same as {name_b}")
        } else if r >= 2.0 {
            format!("{r:.1}x {name_b}")
        } else if r > 1.0 {
            format!("{:.0}% more than {name_b}", (r - 1.0) * 100.0)
        } else {
            format!("{:.0}% less than {name_b}", (1.0 - r) * 100.0)
        }
    } else if a.mean > b.mean {
        format!("more than {name_b}")
    } else {
        format!("less than {name_b}")
    };
    format!(
        "{variable}: {name_a} average {}, {relative} ({}); a {} difference (d = {:.2}).",
        round_for_words(a.mean),
        round_for_words(b.mean),
        effect_words(d),
        d
    )
}

fn round_for_words(v: f64) -> String {
    if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_matches_pandas_describe() {
        // pandas.Series([1, 2, 3, 4, 100, 7, 5]).describe(): mean 17.428571, std 36.463942, 25% 2.5,
        // 50% 4, 75% 6; whiskers: IQR 3.5 -> [-2.75, 11.25] -> 1 and 7.
        let mut v = vec![1.0, 2.0, 3.0, 4.0, 100.0, 7.0, 5.0, f64::NAN];
        let s = Summary::of(&mut v);
        assert_eq!(s.count, 7);
        assert!((s.mean - 17.428_571_428_571_43).abs() < 1e-12);
        assert!((s.sd - 36.463_941_745_497_67).abs() < 1e-9, "{}", s.sd);
        assert_eq!((s.q1, s.median, s.q3), (2.5, 4.0, 6.0));
        assert_eq!((s.whisker_low, s.whisker_high, s.max), (1.0, 7.0, 100.0));
    }

    #[test]
    fn chart_defaults_read_the_column_names() {
        let named = |names: &[&str]| Explore {
            variables: names
                .iter()
                .map(|n| Variable {
                    name: n.to_string(),
                    feature: true,
                    overall: Summary::default(),
                    segments: Vec::new(),
                    noise: Summary::default(),
                    edges: Vec::new(),
                    counts: Vec::new(),
                })
                .collect(),
            ..Explore::default()
        };
        // The sample: discounts are not spend; visits are activity.
        let sample = named(&["n_visitas", "monto_descuentos", "monto_compras"]);
        assert_eq!(sample.chart_defaults(), ChartDefaults { total: 2, activity: 0 });
        let unknown = named(&["a", "b", "c"]);
        assert_eq!(unknown.chart_defaults(), ChartDefaults { total: 0, activity: 1 });
        let one = named(&["x"]);
        assert_eq!(one.chart_defaults(), ChartDefaults { total: 0, activity: 0 });
        assert_eq!(named(&[]).chart_defaults(), ChartDefaults { total: 0, activity: 0 });
    }

    #[test]
    fn correlation_and_effect_size() {
        let a = [1.0, 2.0, 3.0, 4.0];
        assert!((pearson(&a, &[2.0, 4.0, 6.0, 8.0]) - 1.0).abs() < 1e-12);
        assert!((pearson(&a, &[4.0, 3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert!(pearson(&a, &[1.0, 1.0, 1.0, 1.0]).is_nan());
        // Two groups with sd 1 and means 0 and 1: d = 1.
        let g = |m: f64| Summary::of(&mut vec![m - 1.0, m, m + 1.0]);
        assert!((effect_size(&g(1.0), &g(0.0)) - 1.0).abs() < 1e-12);
        assert_eq!(effect_words(1.0), "large");
        let text = describe_difference("visits", "A", &g(12.0), "B", &g(10.0));
        assert_eq!(text, "visits: A average 12.0, 20% more than B (10.0); a large difference (d = 2.00).");
    }

    #[test]
    fn histograms_count_every_row_and_pies_sum_to_one() {
        let text = "a,b,c\n1,10,x\n2,20,y\n3,30,x\n4,40,y\n5,-1,x\n";
        let table = crate::ingest::read_csv(text.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let kept: Vec<usize> = (0..5).collect();
        let labels = [0, 0, 1, 1, -1];
        let e = explore(&table, &["a".into()], &kept, &labels, 2, 0);
        assert_eq!(e.variables.len(), 2);
        let a = &e.variables[0];
        assert!(a.feature);
        let total: u64 = a.counts.iter().flatten().sum();
        assert_eq!(total, 5);
        assert_eq!(a.counts[2].iter().sum::<u64>(), 1);
        let shares = a.shares().unwrap_or_default();
        assert!((shares[0] - 3.0 / 10.0).abs() < 1e-12 && (shares[1] - 7.0 / 10.0).abs() < 1e-12);
        assert_eq!(e.variables[1].segments[1].mean, 35.0);
        assert_eq!(e.sample_labels.len(), 5);
        assert!(
            (e.correlation[0][1] - pearson(&[1., 2., 3., 4., 5.], &[10., 20., 30., 40., -1.])).abs() < 1e-12
        );
    }
}

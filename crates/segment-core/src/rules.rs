//! Each segment as a rule a team can use anywhere: at most three conditions on the features, in the
//! file's own units ("orders above 5 and last_order in the last 30 days"), with how many of the
//! segment's customers the rule catches and how many of those it catches belong elsewhere.
//!
//! A rule is grown greedily for one segment against the rest: each step adds the one threshold on one
//! feature that most raises the rule's F1 score (the balance of catching the segment and leaving the
//! others out), and stops at [`MAX_CONDITIONS`] or when no condition adds [`MIN_GAIN`]. A second set
//! is then grown the same way among the customers the first leaves out ("..., or ..."), and kept when
//! the two together raise the F1 score by [`MIN_GAIN`]: at most 2k boxes for k segments, the budget of
//! a decision tree of 2k leaves (ExKMC's k to 2k leaves). A threshold tree of at most 2k leaves is
//! grown beside them (all segments at once, each leaf a set of at most three conditions and its
//! segment's rule holding on any of its leaves) and kept when it puts more customers in their segment.
//! Thresholds are values the customers have (the features' quantiles on an evenly spaced sample), so
//! a rule reads as the data does. The rules are then measured on every used row, and together as a segmentation: each customer
//! goes to the first rule (most precise first) that holds; the fidelity is the share of customers that
//! lands in the model's segment (Dasgupta et al., "Explainable k-means and k-medians clustering", 2020,
//! measure threshold trees the same way).

use crate::features::RawRows;
use crate::ingest::{ColumnKind, Table};
use serde::{Deserialize, Serialize};

/// Conditions per rule, at most.
pub const MAX_CONDITIONS: usize = 3;
/// A condition is added only when it raises the rule's F1 score by at least this much.
pub const MIN_GAIN: f64 = 0.01;
/// Rules are grown on at most this many rows (evenly spaced), and measured on all of them.
const SAMPLE_ROWS: usize = 20_000;
/// Candidate thresholds per feature for the greedy rules: every gap between its values when it has
/// at most this many, else its quantiles at 1/256, 2/256, ...
const QUANTILES: usize = 256;
/// The same for the threshold tree, which splits once per leaf rather than per segment and step: as
/// finely as scikit-learn's tree (every gap) up to this many values.
const TREE_QUANTILES: usize = 65_536;
/// The threshold tree is grown on at most this many rows (evenly spaced).
const TREE_ROWS: usize = 100_000;
/// Beyond this many segments, no rules (each would be a sliver).
pub const MAX_SEGMENTS: usize = 20;

/// One threshold on one feature, or one value of a category compared by value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    pub feature: String,
    /// True: the value is above the threshold (a category: is not `value`); false: at most the
    /// threshold (a category: is `value`).
    pub above: bool,
    /// A category's: the value's code in the training file (its position among the model's values).
    pub threshold: f64,
    /// A date feature: its value is days before the file's latest date.
    #[serde(default)]
    pub days: bool,
    /// A category compared by value (k-prototypes): the value the condition names ("plan is basic").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// The feature held whole numbers only in the training file (a count, a level): a range on it is
    /// said by the numbers it holds ("previous contacts is 1", "orders 3 to 7").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub whole: bool,
}

impl Condition {
    /// Whether a number (a category: its code, numbered as `threshold` is) meets the condition.
    pub fn holds(&self, value: f64) -> bool {
        if self.value.is_some() {
            return value.is_finite() && (value == self.threshold) != self.above;
        }
        if self.above {
            value > self.threshold
        } else {
            value <= self.threshold
        }
    }

    /// Whether row `i` of `raw` (feature `j` is this condition's) meets the condition: a category by its
    /// value's name, so another file's numbering of the values does not matter.
    fn holds_in(&self, raw: &RawRows<'_>, i: usize, j: usize) -> bool {
        match &self.value {
            Some(name) => {
                let names = raw.level_names(j).unwrap_or(&[]);
                raw.level(i, j).and_then(|l| names.get(l)).is_some_and(|n| (n == name) != self.above)
            }
            None => self.holds(raw.value(i, j)),
        }
    }

    /// "orders above 5", "spend at most 1,200", "last_order in the last 30 days", "plan is basic".
    pub fn words(&self) -> String {
        if let Some(value) = &self.value {
            let verb = if self.above { "is not" } else { "is" };
            return format!("{} {verb} {value}", self.feature);
        }
        let t = number(self.threshold);
        match (self.days, self.above) {
            (true, false) => format!("{} in the last {t} days", self.feature),
            (true, true) => format!("{} more than {t} days ago", self.feature),
            (false, true) => format!("{} above {t}", self.feature),
            (false, false) => format!("{} at most {t}", self.feature),
        }
    }
}

/// A set of conditions joined by "and", a feature bounded on both sides named once: "orders above 2
/// and at most 7", "last_order more than 30 and at most 90 days ago".
fn clause_words(clause: &[Condition]) -> String {
    let mut parts = Vec::new();
    for (i, c) in clause.iter().enumerate() {
        let pair = clause.iter().enumerate().find(|(j, o)| {
            *j != i && o.feature == c.feature && o.above != c.above && c.value.is_none() && o.value.is_none()
        });
        match pair {
            // Said once, at the first of the two.
            Some((j, _)) if j < i => {}
            Some((_, other)) => {
                let (low, high) = if c.above { (c, other) } else { (other, c) };
                let (a, b) = (number(low.threshold), number(high.threshold));
                // The whole numbers above a and at most b.
                let (first, last) = (low.threshold.floor() + 1.0, high.threshold.floor());
                parts.push(if c.whole && !c.days && first == last {
                    format!("{} is {}", c.feature, number(first))
                } else if c.whole && !c.days && first < last {
                    format!("{} {} to {}", c.feature, number(first), number(last))
                } else if c.days {
                    format!("{} more than {a} and at most {b} days ago", c.feature)
                } else {
                    format!("{} above {a} and at most {b}", c.feature)
                });
            }
            None => parts.push(c.words()),
        }
    }
    parts.join(" and ")
}

/// A segment's rule and how well it matches the segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRule {
    pub conditions: Vec<Condition>,
    /// A second set of conditions, for the customers of the segment the first misses: the rule holds
    /// when any set holds in full (empty: the first set alone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub or: Vec<Condition>,
    /// Further sets, the third on (a threshold tree's leaves: the k segments' rules together have at
    /// most 2k sets, as a decision tree of 2k leaves would). Model version 2 on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more: Vec<Vec<Condition>>,
    /// Share of the segment's customers for whom the rule holds.
    pub caught: f64,
    /// Share of the customers for whom the rule holds that are in another segment (or noise).
    pub wrongly: f64,
    /// Of those, the share in no segment (noise): a density method's rules may take in the customers
    /// it left out.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unplaced: f64,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

impl SegmentRule {
    /// The conditions joined by "and", the second set after ", or ".
    pub fn words(&self) -> String {
        self.clauses().map(clause_words).collect::<Vec<_>>().join(", or ")
    }

    /// A rule of these sets of conditions (empty sets left out), with its figures.
    pub fn of_sets(sets: Vec<Vec<Condition>>, caught: f64, wrongly: f64, unplaced: f64) -> Option<Self> {
        let mut sets = sets.into_iter().filter(|s| !s.is_empty());
        let conditions = sets.next()?;
        let or = sets.next().unwrap_or_default();
        Some(SegmentRule { conditions, or, more: sets.collect(), caught, wrongly, unplaced })
    }

    /// Each set of conditions; the rule holds when every condition of one set does.
    pub fn clauses(&self) -> impl Iterator<Item = &[Condition]> {
        [self.conditions.as_slice(), self.or.as_slice()]
            .into_iter()
            .chain(self.more.iter().map(Vec::as_slice))
            .filter(|c| !c.is_empty())
    }

    /// Every condition of every set, to rename their features.
    pub fn conditions_mut(&mut self) -> impl Iterator<Item = &mut Condition> {
        self.conditions.iter_mut().chain(self.or.iter_mut()).chain(self.more.iter_mut().flatten())
    }

    /// Every condition of every set.
    pub fn all_conditions(&self) -> impl Iterator<Item = &Condition> {
        self.clauses().flatten()
    }

    /// The rule with its figures in a few words, for a segment's card: "... (82% caught, 6% others)",
    /// or, when some of the others are in no segment, "... (82% caught, 23% others: 21% in no
    /// segment)".
    pub fn short(&self) -> String {
        let (caught, wrongly) = (self.caught * 100.0, self.wrongly * 100.0);
        match self.unplaced_percent() {
            Some(none) => format!(
                "{} ({caught:.0}% caught, {wrongly:.0}% others: {none:.0}% in no segment)",
                self.words()
            ),
            None => format!("{} ({caught:.0}% caught, {wrongly:.0}% others)", self.words()),
        }
    }

    /// The rule with its figures: "... (catches 82% of them; 6% of those it catches are in other
    /// segments)", or "... are in other segments or in none (21% in none)".
    pub fn sentence(&self) -> String {
        let (caught, wrongly) = (self.caught * 100.0, self.wrongly * 100.0);
        let elsewhere = match self.unplaced_percent() {
            Some(none) => format!("are in other segments or in none ({none:.0}% in none)"),
            None => "are in other segments".to_string(),
        };
        format!(
            "{} (catches {caught:.0}% of them; {wrongly:.0}% of those it catches {elsewhere})",
            self.words()
        )
    }

    /// The share (percent) of the customers the rule holds for that are in no segment, when it shows.
    fn unplaced_percent(&self) -> Option<f64> {
        let none = self.unplaced * self.wrongly * 100.0;
        (none >= 0.5).then_some(none)
    }
}

/// Every segment's rule (None for a segment no condition describes) and the rules' fidelity as a
/// segmentation. `labels` per used row (-1 noise), `k` segments.
pub struct Rules {
    pub rules: Vec<Option<SegmentRule>>,
    pub fidelity: Option<f64>,
    /// Per row, the segment of the first rule that holds (the most precise first), -1 when none does.
    pub assigned: Vec<i32>,
}

/// The rules of a segmentation of the `kept` rows of `table` on `features` (missing values filled
/// with `fill`, as cleaning did). The features in `categories` (compared by value, k-prototypes) give
/// conditions on their values ("plan is basic").
pub fn segment_rules(
    table: &Table,
    features: &[String],
    categories: &[String],
    kept: &[usize],
    fill: &[Option<f64>],
    labels: &[i32],
    k: usize,
) -> Rules {
    let none = Rules { rules: vec![None; k], fidelity: None, assigned: Vec::new() };
    let raw = RawRows::new(table, features, kept, fill);
    let (n, d) = (raw.rows(), raw.features());
    if !(2..=MAX_SEGMENTS).contains(&k) || d == 0 || d != features.len() || n != labels.len() || n == 0 {
        return none;
    }
    let days: Vec<bool> =
        features.iter().map(|f| table.column(f).is_some_and(|c| c.kind == ColumnKind::Date)).collect();
    // A category compared by value: each row's value as its code (missing: NaN), its codes the cuts.
    let by_value: Vec<Option<&[String]>> = features
        .iter()
        .enumerate()
        .map(|(j, f)| if categories.contains(f) { raw.level_names(j) } else { None })
        .collect();
    // The rows rules are grown on: evenly spaced, so the same rows every time; each feature's values
    // there, each row's segment, and each feature's candidate thresholds (`count` quantiles). A
    // category (a plan, a country) has no threshold: how common its value is reads as nothing a team
    // could filter on.
    let grown_on = |most: usize, count: usize| {
        let rows: Vec<usize> = (0..n).step_by(n.div_ceil(most).max(1)).collect();
        let values: Vec<Vec<f64>> = (0..d)
            .map(|j| match by_value[j] {
                Some(_) => rows.iter().map(|&i| raw.level(i, j).map_or(f64::NAN, |l| l as f64)).collect(),
                None => rows.iter().map(|&i| raw.value(i, j)).collect(),
            })
            .collect();
        let thresholds: Vec<Vec<f64>> = values
            .iter()
            .zip(features)
            .zip(&by_value)
            .map(|((v, f), by_value)| {
                let category = table.column(f).is_some_and(|c| c.kind == ColumnKind::Categorical);
                match by_value {
                    Some(names) => (0..names.len()).map(|c| c as f64).collect(),
                    None if category => Vec::new(),
                    None => quantiles(v, count),
                }
            })
            .collect();
        let labels: Vec<i32> = rows.iter().map(|&i| labels[i]).collect();
        (values, thresholds, labels)
    };
    let (values, thresholds, sample_labels) = grown_on(SAMPLE_ROWS, QUANTILES);
    // The tree splits once per leaf rather than per segment and step: on more rows, more finely.
    let (tree_values, tree_thresholds, tree_labels) = grown_on(TREE_ROWS, TREE_QUANTILES);
    let sample = Sample {
        values: &values,
        thresholds: &thresholds,
        labels: &sample_labels,
        features,
        days: &days,
        by_value: &by_value,
    };
    let grown: Vec<Clauses> = (0..k)
        .map(|s| {
            let grow_from = |inside: Vec<bool>, base: (usize, usize)| grow(&sample, s as i32, inside, base);
            let (first, score, caught) = grow_from(vec![true; sample_labels.len()], (0, 0));
            if first.is_empty() {
                return Vec::new();
            }
            // A second set for the customers of the segment the first misses, kept when the two
            // together raise the F1 score by MIN_GAIN.
            let outside: Vec<bool> = caught.iter().map(|&c| !c).collect();
            let base = caught.iter().zip(&sample_labels).fold((0, 0), |(tp, sel), (&c, &l)| {
                (tp + usize::from(c && l == s as i32), sel + usize::from(c))
            });
            let (second, both, _) = grow_from(outside, base);
            if second.is_empty() || both < score + MIN_GAIN {
                vec![first]
            } else {
                vec![first, second]
            }
        })
        .collect();
    let greedy = measure(&raw, labels, grown);
    // A threshold tree with the same budget of boxes, where it puts more customers in their segment:
    // one that keeps noise apart as a class of its own, and, with noise, one grown on the segments'
    // customers alone (no leaf spent on noise; the fidelity counts only them).
    let fine = Sample { values: &tree_values, thresholds: &tree_thresholds, labels: &tree_labels, ..sample };
    let with_noise: &[bool] = if labels.contains(&-1) { &[true, false] } else { &[true] };
    let trees =
        with_noise.iter().filter_map(|&noise| tree(&fine, k, noise)).map(|t| measure(&raw, labels, t));
    trees.fold(
        greedy,
        |best, tree| {
            if tree.fidelity.unwrap_or(0.0) > best.fidelity.unwrap_or(0.0) {
                tree
            } else {
                best
            }
        },
    )
}

/// A threshold tree grown best-first on the sample by Gini impurity (as scikit-learn's
/// DecisionTreeClassifier with max_leaf_nodes grows one) to at most 2k leaves, each split kept to
/// paths of at most [`MAX_CONDITIONS`] conditions (counted by [`condition_count`]: a number bounded
/// on both sides is one), so every leaf reads as a set of at most three conditions; each leaf goes to
/// its most common segment (noise: to none), whose rule holds on any of its leaves. The greedy rules
/// grow one segment at a time against the rest; the tree splits
/// all of them at once, which separates segments that share their edges better. None when the sample
/// has no split. Without `noise`, the tree is grown on the segments' customers alone.
fn tree(sample: &Sample<'_>, k: usize, noise: bool) -> Option<Vec<Clauses>> {
    let Sample { values, thresholds, labels, features, days, by_value } = *sample;
    // Classes: 0 for noise, s + 1 for segment s.
    let class = |l: i32| usize::try_from(l + 1).unwrap_or(0).min(k);
    let width = k + 1;
    let gini_mass = |counts: &[usize]| -> f64 {
        let n: usize = counts.iter().sum();
        if n == 0 {
            return 0.0;
        }
        let sum_sq: f64 = counts.iter().map(|&c| (c as f64).powi(2)).sum();
        n as f64 - sum_sq / n as f64
    };
    let counts_of = |rows: &[usize]| {
        let mut c = vec![0usize; width];
        rows.iter().for_each(|&i| c[class(labels[i])] += 1);
        c
    };
    // A split on feature j keeps both children's rules within MAX_CONDITIONS (a number already bounded
    // on the path stays one condition: a tighter bound replaces the looser one, a bound on the other
    // side makes it a range).
    let fits = |path: &[(usize, Condition)], j: usize| {
        let bounded = by_value[j].is_none() && path.iter().any(|(f, c)| *f == j && c.value.is_none());
        count_conditions(path.iter().map(|(_, c)| c)) + usize::from(!bounded) <= MAX_CONDITIONS
    };
    // The best split of a node's rows: (impurity decrease, feature, threshold).
    let best_split = |rows: &[usize], path: &[(usize, Condition)]| -> Option<(f64, usize, f64)> {
        let parent = gini_mass(&counts_of(rows));
        let mut best: Option<(f64, usize, f64)> = None;
        for (j, (column, cuts)) in values.iter().zip(thresholds).enumerate() {
            if cuts.is_empty() || !fits(path, j) {
                continue;
            }
            let mut slots = vec![0usize; (cuts.len() + 1) * width];
            for &i in rows {
                let v = column[i];
                if v.is_finite() {
                    slots[cuts.partition_point(|&t| t < v) * width + class(labels[i])] += 1;
                }
            }
            let total: Vec<usize> = (0..width).map(|c| slots.chunks(width).map(|s| s[c]).sum()).collect();
            let mut left = vec![0usize; width];
            for (p, &t) in cuts.iter().enumerate() {
                let slot = &slots[p * width..(p + 1) * width];
                if by_value[j].is_some() {
                    left.copy_from_slice(slot);
                } else {
                    left.iter_mut().zip(slot).for_each(|(l, s)| *l += s);
                }
                let right: Vec<usize> = total.iter().zip(&left).map(|(t, l)| t - l).collect();
                if left.iter().sum::<usize>() == 0 || right.iter().sum::<usize>() == 0 {
                    continue;
                }
                let decrease = parent - gini_mass(&left) - gini_mass(&right);
                if decrease > 1e-9 && best.is_none_or(|b| decrease > b.0) {
                    best = Some((decrease, j, t));
                }
            }
        }
        best
    };
    let condition = |j: usize, t: f64, above: bool| {
        let value = by_value[j].and_then(|names| names.get(t as usize).cloned());
        Condition { feature: features[j].clone(), above, threshold: t, days: days[j], value, whole: false }
    };
    struct Leaf {
        rows: Vec<usize>,
        path: Vec<(usize, Condition)>,
        split: Option<(f64, usize, f64)>,
        /// The split node it came from (an index in `nodes`).
        parent: Option<usize>,
    }
    // Every split node: its own parent and path.
    let mut nodes: Vec<(Option<usize>, Path)> = Vec::new();
    let all: Vec<usize> = (0..labels.len()).filter(|&i| noise || labels[i] >= 0).collect();
    let split = Some(best_split(&all, &[])?);
    let mut leaves = vec![Leaf { rows: all, path: Vec::new(), split, parent: None }];
    while leaves.len() < 2 * k {
        let Some((at, _)) = leaves
            .iter()
            .enumerate()
            .filter_map(|(i, l)| l.split.map(|s| (i, s.0)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        else {
            break;
        };
        let leaf = leaves.swap_remove(at);
        let Some((_, j, t)) = leaf.split else { break };
        nodes.push((leaf.parent, leaf.path.clone()));
        let parent = Some(nodes.len() - 1);
        for above in [false, true] {
            let c = condition(j, t, above);
            let rows: Vec<usize> = leaf
                .rows
                .iter()
                .copied()
                .filter(|&i| values[j][i].is_finite() && c.holds(values[j][i]))
                .collect();
            let mut path = leaf.path.clone();
            add_condition(&mut path, j, c);
            let split = best_split(&rows, &path);
            leaves.insert(at.min(leaves.len()), Leaf { rows, path, split, parent });
        }
    }
    // Each leaf to its most common class (noise is class 0)...
    let classed: Vec<ClassedLeaf> = leaves
        .into_iter()
        .filter_map(|leaf| {
            let counts = counts_of(&leaf.rows);
            let (c, &n) = counts.iter().enumerate().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))?;
            (n > 0).then_some((c, n, leaf.parent, leaf.path))
        })
        .collect();
    let classed = merge_siblings(classed, &nodes);
    // ...a segment's biggest leaf first.
    let mut of_segment: Vec<Vec<(usize, Path)>> = vec![Vec::new(); k];
    for (c, n, _, path) in classed {
        if c > 0 {
            of_segment[c - 1].push((n, path));
        }
    }
    Some(
        of_segment
            .into_iter()
            .map(|mut boxes| {
                boxes.sort_by_key(|b| std::cmp::Reverse(b.0));
                boxes.into_iter().map(|(_, path)| path).collect()
            })
            .collect(),
    )
}

/// A leaf of the threshold tree: its class (0: noise, c: segment c - 1), its rows of that class, the
/// split node it came from and its path.
type ClassedLeaf = (usize, usize, Option<usize>, Path);

/// Two leaves of one split that go to the same class are their parent ("A and B, or A and not B" reads
/// "A"), repeated up the tree: the split sharpened the Gini index but changes no customer's segment.
/// `nodes` holds each split node's own parent and path.
fn merge_siblings(mut classed: Vec<ClassedLeaf>, nodes: &[(Option<usize>, Path)]) -> Vec<ClassedLeaf> {
    while let Some((a, b)) = (0..classed.len()).find_map(|a| {
        let (c, _, parent, _) = &classed[a];
        let b = (a + 1..classed.len())
            .find(|&b| parent.is_some() && classed[b].2 == *parent && classed[b].0 == *c)?;
        Some((a, b))
    }) {
        let (c, n_b, _, _) = classed.swap_remove(b);
        let (_, n_a, parent, _) = classed.swap_remove(a);
        let Some((up, path)) = parent.and_then(|p| nodes.get(p)).cloned() else { break };
        classed.push((c, n_a + n_b, up, path));
    }
    classed
}

/// How many conditions a set reads as: a number bounded on both sides is one ("orders above 2 and at
/// most 7"), as is each value of a category.
pub fn condition_count(set: &[Condition]) -> usize {
    count_conditions(set)
}

/// [`condition_count`] of conditions however they are held (a tree's path keeps each beside its
/// feature's position).
fn count_conditions<'a>(set: impl IntoIterator<Item = &'a Condition>) -> usize {
    let (mut numbers, mut values) = (Vec::new(), 0);
    for c in set {
        match c.value {
            Some(_) => values += 1,
            None => numbers.push(c.feature.as_str()),
        }
    }
    numbers.sort_unstable();
    numbers.dedup();
    numbers.len() + values
}

/// One set of conditions, each with its feature's position.
type Path = Vec<(usize, Condition)>;

/// A segment's sets of conditions (one or two).
type Clauses = Vec<Path>;

/// Whether a condition on feature `j` in direction `above` takes the place of `old`: a tighter bound
/// on a feature already bounded the same way does (a category's conditions on different values stand
/// together).
fn replaces(old: &(usize, Condition), j: usize, above: bool) -> bool {
    old.0 == j && old.1.above == above && old.1.value.is_none()
}

/// Adds condition `c` on feature `j` to a set, in place of the one it tightens.
fn add_condition(path: &mut Path, j: usize, c: Condition) {
    path.retain(|old| !replaces(old, j, c.above));
    path.push((j, c));
}

/// Stored rules (a saved model's, one per segment) measured on the `kept` rows of another file and the
/// segments the model gave them (`labels`, -1 noise): how many of each segment they catch and wrongly
/// include there, and their fidelity together. A condition on a feature not in `features` makes its
/// rule unusable (None).
pub fn measure_rules(
    table: &Table,
    features: &[String],
    kept: &[usize],
    fill: &[Option<f64>],
    labels: &[i32],
    rules: &[Option<SegmentRule>],
) -> Rules {
    let raw = RawRows::new(table, features, kept, fill);
    if raw.features() != features.len() || raw.rows() != labels.len() || rules.len() > MAX_SEGMENTS {
        return Rules { rules: vec![None; rules.len()], fidelity: None, assigned: Vec::new() };
    }
    let clauses: Vec<Clauses> = rules
        .iter()
        .map(|rule| {
            let Some(rule) = rule else { return Vec::new() };
            let indexed: Option<Clauses> = rule
                .clauses()
                .map(|clause| {
                    clause
                        .iter()
                        .map(|c| features.iter().position(|f| f == &c.feature).map(|j| (j, c.clone())))
                        .collect()
                })
                .collect();
            indexed.unwrap_or_default()
        })
        .collect();
    measure(&raw, labels, clauses)
}

/// Each rule's figures and the rules' fidelity together on every row of `raw` (`labels` per row).
fn measure(raw: &RawRows<'_>, labels: &[i32], mut grown: Vec<Clauses>) -> Rules {
    let k = grown.len();
    // A number with whole values in every row (a count, a level): its ranges are said by the numbers
    // they hold.
    // Read once per feature a condition names.
    let mut whole: Vec<Option<bool>> = vec![None; raw.features()];
    for (j, c) in grown.iter_mut().flatten().flatten() {
        let Some(known) = whole.get_mut(*j).filter(|_| c.value.is_none() && !c.days) else { continue };
        c.whole = *known.get_or_insert_with(|| (0..raw.rows()).all(|i| raw.value(i, *j).fract() == 0.0));
    }
    // One pass over every used row: how many rows hold each set of rules (a bit per segment, k is at
    // most MAX_SEGMENTS) in each segment. Each rule's figures and the rules together follow from it.
    let mut tally: std::collections::BTreeMap<(u32, i32), usize> = std::collections::BTreeMap::new();
    let mut masks = Vec::with_capacity(labels.len());
    for (i, &label) in labels.iter().enumerate() {
        let mask = grown
            .iter()
            .enumerate()
            .filter(|(_, clauses)| {
                clauses
                    .iter()
                    .any(|clause| !clause.is_empty() && clause.iter().all(|(j, c)| c.holds_in(raw, i, *j)))
            })
            .fold(0u32, |mask, (s, _)| mask | 1 << s);
        *tally.entry((mask, label)).or_default() += 1;
        masks.push(mask);
    }
    let count = |keep: &dyn Fn(u32, i32) -> bool| -> usize {
        tally.iter().filter(|((mask, label), _)| keep(*mask, *label)).map(|(_, n)| n).sum()
    };
    let share = |part: usize, whole: usize| if whole > 0 { part as f64 / whole as f64 } else { 0.0 };
    let rules: Vec<Option<SegmentRule>> = grown
        .into_iter()
        .enumerate()
        .map(|(s, clauses)| {
            let sets = clauses.into_iter().map(|set| set.into_iter().map(|(_, c)| c).collect()).collect();
            let (bit, own) = (1u32 << s, s as i32);
            let positives = count(&|_, label| label == own);
            let selected = count(&|mask, _| mask & bit != 0);
            let tp = count(&|mask, label| mask & bit != 0 && label == own);
            let unplaced = count(&|mask, label| mask & bit != 0 && label < 0);
            SegmentRule::of_sets(
                sets,
                share(tp, positives),
                share(selected - tp, selected),
                share(unplaced, selected - tp),
            )
        })
        .collect();
    // Together: each customer to the first rule that holds, most precise first.
    let mut order: Vec<usize> = (0..k).filter(|&s| rules[s].is_some()).collect();
    order.sort_by(|&a, &b| {
        let wrong = |s: usize| rules[s].as_ref().map_or(1.0, |r| r.wrongly);
        wrong(a).total_cmp(&wrong(b)).then(a.cmp(&b))
    });
    let first = |mask: u32| order.iter().copied().find(|&s| mask & (1 << s) != 0);
    let counted = count(&|_, label| label >= 0);
    let right = count(&|mask, label| label >= 0 && first(mask) == usize::try_from(label).ok());
    let fidelity = (counted > 0 && !order.is_empty()).then(|| right as f64 / counted as f64);
    let assigned = masks.iter().map(|&mask| first(mask).map_or(-1, |s| s as i32)).collect();
    Rules { rules, fidelity, assigned }
}

/// The price of explainability in words: "price of explainability 1.08: the rules' segments are 8%
/// less compact than the model's (within-segment sum of squares)".
pub fn price_words(price: f64) -> String {
    let change = (price - 1.0) * 100.0;
    let how = if change.abs() < 0.5 {
        "as compact as the model's".to_string()
    } else if change > 0.0 {
        format!("{change:.0}% less compact than the model's")
    } else {
        format!("{:.0}% more compact than the model's", -change)
    };
    format!(
        "price of explainability {price:.2}: the rules' segments are {how} (within-segment sum of squares)"
    )
}

/// The price of explainability (Moshkovitz, Dasgupta, Rashtchian and Frost, ICML 2020): the
/// within-segment sum of squares, on the scaled features, of the rules' segmentation (`assigned`, -1
/// for customers no rule describes, who count as one more group) over that of the model's (`labels`),
/// both over the customers the model put in a segment. 1 means the rules cost nothing in compactness;
/// 1.1 that their segments are 10% less compact. None without rules or spread.
pub fn price_of_explainability(
    x_scaled: ndarray::ArrayView2<f64>,
    labels: &[i32],
    assigned: &[i32],
) -> Option<f64> {
    let n = x_scaled.nrows();
    if n != labels.len() || n != assigned.len() || x_scaled.ncols() == 0 {
        return None;
    }
    // The model's segments, and the rules' groups (0 for customers no rule describes), both over the
    // customers in a model segment.
    let model_groups: Vec<Option<usize>> = labels.iter().map(|&l| usize::try_from(l).ok()).collect();
    let rule_groups: Vec<Option<usize>> =
        labels.iter().zip(assigned).map(|(&l, &a)| (l >= 0).then(|| (a.max(-1) + 1) as usize)).collect();
    let model = crate::score::within_sse(x_scaled, &model_groups);
    let rules = crate::score::within_sse(x_scaled, &rule_groups);
    (model > 0.0 && model.is_finite() && rules.is_finite()).then(|| rules / model)
}

/// Candidate thresholds on a feature (NaN left out), ascending: one in every gap between its values
/// when it has at most `count` distinct ones, else one at each of its `count` quantiles.
fn quantiles(values: &[f64], count: usize) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    if sorted.is_empty() {
        return Vec::new();
    }
    // In a gap, the shortest number that keeps its value and the next greater one apart: a threshold
    // reads as the data does and separates exactly where the data does.
    let gaps = || sorted.windows(2).filter(|w| w[0] < w[1]);
    let mut out: Vec<f64> = if gaps().count() < count {
        gaps().map(|w| between(w[0], w[1])).collect()
    } else {
        (1..count)
            .filter_map(|q| {
                // In u64: q x len passes 2^32 (wasm32's usize) on big samples.
                let at = (q as u64 * sorted.len() as u64 / count as u64) as usize;
                let a = sorted[at.min(sorted.len() - 1)];
                let b = *sorted.get(sorted.partition_point(|&v| v <= a))?;
                Some(between(a, b))
            })
            .collect()
    };
    out.dedup();
    out
}

/// The number of fewest significant digits at or above `a` and below `b` (a < b): "1,240" between
/// 1,234.5 and 1,262, "37.5" between 37.41 and 37.6.
fn between(a: f64, b: f64) -> f64 {
    let magnitude = a.abs().max(b.abs());
    if a.partial_cmp(&b) != Some(std::cmp::Ordering::Less) || !magnitude.is_finite() || magnitude == 0.0 {
        return a;
    }
    let top = magnitude.log10().floor() as i32;
    for digits in 1..=17 {
        let scale = 10f64.powi(digits - 1 - top);
        if !scale.is_finite() || scale == 0.0 {
            break;
        }
        let t = (a * scale).ceil() / scale;
        if t >= a && t < b {
            return t;
        }
    }
    a
}

/// The rows rules are grown on: each feature's values and candidate thresholds, and each row's segment.
struct Sample<'a> {
    values: &'a [Vec<f64>],
    thresholds: &'a [Vec<f64>],
    labels: &'a [i32],
    features: &'a [String],
    days: &'a [bool],
    /// Per feature, a category compared by value: its values' names (codes are positions).
    by_value: &'a [Option<&'a [String]>],
}

/// Grows one set of conditions for segment `s` among the rows `inside`, greedily by the F1 score of
/// the rows it selects together with `base` (true positives, rows selected by an earlier set). Gives
/// the conditions, the final F1 score and the rows the set selects.
fn grow(
    sample: &Sample<'_>,
    s: i32,
    mut inside: Vec<bool>,
    base: (usize, usize),
) -> (Vec<(usize, Condition)>, f64, Vec<bool>) {
    let Sample { values, thresholds, labels, features, days, by_value } = *sample;
    let positives = labels.iter().filter(|&&l| l == s).count();
    if positives == 0 {
        return (Vec::new(), 0.0, inside);
    }
    // The F1 score of the rows already selected (`base`: true positives, selected) with these.
    let f1 = |tp: usize, selected: usize| 2.0 * (base.0 + tp) as f64 / (base.1 + selected + positives) as f64;
    let (start_tp, start_selected) = inside
        .iter()
        .zip(labels)
        .fold((0, 0), |(tp, sel), (&i, &l)| (tp + usize::from(i && l == s), sel + usize::from(i)));
    let mut score = f1(start_tp, start_selected);
    let mut conditions: Vec<(usize, Condition)> = Vec::new();
    while conditions.len() < MAX_CONDITIONS {
        // (score, feature, threshold, above)
        let mut best: Option<(f64, usize, f64, bool)> = None;
        for (j, (column, cuts)) in values.iter().zip(thresholds).enumerate() {
            if cuts.is_empty() {
                continue;
            }
            // Rows inside the rule by where their value falls among the cuts: slot p holds values
            // above cuts[p - 1] and at most cuts[p].
            let mut count = vec![0usize; cuts.len() + 1];
            let mut hits = vec![0usize; cuts.len() + 1];
            let (mut total, mut total_hits) = (0usize, 0usize);
            for (i, &v) in column.iter().enumerate() {
                if !inside[i] || !v.is_finite() {
                    continue;
                }
                let p = cuts.partition_point(|&t| t < v);
                count[p] += 1;
                total += 1;
                if labels[i] == s {
                    hits[p] += 1;
                    total_hits += 1;
                }
            }
            if by_value[j].is_some() {
                // A category: each value, the rows that have it (is) or not (is not).
                for (p, &t) in cuts.iter().enumerate() {
                    for (not, tp, selected) in
                        [(false, hits[p], count[p]), (true, total_hits - hits[p], total - count[p])]
                    {
                        let candidate = f1(tp, selected);
                        if best.is_none_or(|b| candidate > b.0) {
                            best = Some((candidate, j, t, not));
                        }
                    }
                }
                continue;
            }
            let (mut at_most, mut at_most_hits) = (0usize, 0usize);
            for (p, &t) in cuts.iter().enumerate() {
                at_most += count[p];
                at_most_hits += hits[p];
                for (above, tp, selected) in
                    [(false, at_most_hits, at_most), (true, total_hits - at_most_hits, total - at_most)]
                {
                    let candidate = f1(tp, selected);
                    if best.is_none_or(|b| candidate > b.0) {
                        best = Some((candidate, j, t, above));
                    }
                }
            }
        }
        let Some((candidate, j, t, above)) = best else { break };
        if candidate < score + MIN_GAIN {
            break;
        }
        score = candidate;
        let value = by_value[j].and_then(|names| names.get(t as usize).cloned());
        let condition = Condition {
            feature: features[j].clone(),
            above,
            threshold: t,
            days: days[j],
            value,
            whole: false,
        };
        for (i, &v) in values[j].iter().enumerate() {
            inside[i] = inside[i] && v.is_finite() && condition.holds(v);
        }
        add_condition(&mut conditions, j, condition);
    }
    (conditions, score, inside)
}

/// A threshold in words: its own digits, thousands grouped ("1,250", "0.0412", "37.5", "1,234.51").
fn number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    // As many decimals as the threshold has (up to 12): the words say the very threshold the rule
    // tests (thresholds are the shortest numbers between two values of the data, `between`).
    let decimals = (0..=12usize)
        .find(|&d| {
            let scale = 10f64.powi(d as i32);
            ((v * scale).round() / scale - v).abs() <= v.abs() * 1e-12
        })
        .unwrap_or(12);
    let text = crate::numbers::fixed(v, decimals);
    match text.split_once('.') {
        Some((int, frac)) => format!("{}.{frac}", crate::numbers::grouped(int)),
        None => crate::numbers::grouped(&text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::read_csv;

    #[test]
    fn a_segment_of_two_boxes_gets_a_second_set_of_conditions() {
        // Segment 0: x at most 30, or x at most 60 with y at most 30 (an L shape); segment 1: the rest.
        let mut csv = String::from("x,y\n");
        let mut labels = Vec::new();
        let mut rng = crate::rng::SplitMix64::new(3);
        for _ in 0..2000 {
            let (x, y) = (rng.unit() * 100.0, rng.unit() * 100.0);
            csv.push_str(&format!("{x:.3},{y:.3}\n"));
            labels.push(i32::from(!(x <= 30.0 || (x <= 60.0 && y <= 30.0))));
        }
        let table = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let features: Vec<String> = ["x", "y"].map(String::from).to_vec();
        let kept: Vec<usize> = (0..2000).collect();
        let rules = segment_rules(&table, &features, &[], &kept, &[], &labels, 2);
        let rule = rules.rules[0].as_ref().unwrap_or_else(|| panic!("a rule"));
        assert!(rule.words().contains(", or "), "{}", rule.words());
        // One box catches at most the x <= 30 part (77% of the segment) without taking others in; the
        // second (greedy, so not the whole lower arm) catches more.
        assert!(rule.caught > 0.85 && rule.wrongly < 0.03, "{}: {rule:?}", rule.words());
        assert!(rules.fidelity.is_some_and(|f| f > 0.9), "{:?}", rules.fidelity);
    }

    #[test]
    fn the_price_of_explainability_is_1_when_the_rules_are_the_segments_and_grows_as_they_blur() {
        // Two tight groups on a line and a third far away.
        let x = ndarray::Array2::from_shape_vec((6, 1), vec![0.0, 0.2, 1.0, 1.2, 10.0, 10.2])
            .unwrap_or_else(|e| panic!("{e}"));
        let labels = [0, 0, 1, 1, 2, 2];
        let same = price_of_explainability(x.view(), &labels, &labels).unwrap_or(f64::NAN);
        assert!((same - 1.0).abs() < 1e-12, "{same}");
        // The rules put the second group with the first: their segments are far less compact.
        let merged = price_of_explainability(x.view(), &labels, &[0, 0, 0, 0, 2, 2]).unwrap_or(f64::NAN);
        assert!(merged > 5.0, "{merged}");
        // Customers no rule describes count as one group of their own; noise rows of the model count
        // in neither.
        let uncovered = price_of_explainability(x.view(), &[0, 0, 1, 1, -1, -1], &[0, 0, -1, -1, 2, 2]);
        assert_eq!(uncovered, Some(1.0));
        assert!(price_words(1.08).contains("8% less compact than the model's"), "{}", price_words(1.08));
        assert!(price_words(0.9).contains("10% more compact"), "{}", price_words(0.9));
    }

    #[test]
    fn thresholds_read_as_people_write_them() {
        assert_eq!(number(1250.0), "1,250");
        assert_eq!(number(0.0412), "0.0412");
        assert_eq!(number(37.5), "37.5");
        assert_eq!(number(-3.0), "-3");
        assert_eq!(number(1_234_567.0), "1,234,567");
        // The shortest number between a value and the next: as few digits as the data allows.
        assert_eq!(between(1234.5, 1262.0), 1240.0);
        assert_eq!(between(37.41, 37.6), 37.5);
        assert_eq!(between(0.0699, 0.0701), 0.07);
        assert_eq!(between(-12.5, -12.0), -12.5);
        assert_eq!(between(1234.51, 1234.52), 1234.51);
        assert_eq!(number(1234.51), "1,234.51");
        // The smallest doubles keep a finite threshold (a model with a NaN one would not load).
        assert_eq!(between(5e-324, 1e-323), 5e-324);
        assert_eq!(between(-1e-310, 0.0), -1e-310);
    }

    #[test]
    fn the_tree_gives_a_segment_every_leaf_and_a_range_counts_as_one_condition() {
        // Segment 0: the box 20 < x <= 60 and 20 < y <= 60 (four bounds, two conditions); segment 1:
        // x above 60; segment 2: the rest, three boxes around the first. A tree of 2k = 6 leaves holds
        // them in 5.
        let mut csv = String::from("x,y\n");
        let mut labels = Vec::new();
        let mut rng = crate::rng::SplitMix64::new(11);
        for _ in 0..6_000 {
            let (x, y) = ((rng.unit() * 100.0 * 1e3).round() / 1e3, (rng.unit() * 100.0 * 1e3).round() / 1e3);
            csv.push_str(&format!("{x:.3},{y:.3}\n"));
            let inside = |v: f64| v > 20.0 && v <= 60.0;
            labels.push(if x > 60.0 {
                1
            } else if inside(x) && inside(y) {
                0
            } else {
                2
            });
        }
        let table = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let features: Vec<String> = ["x", "y"].map(String::from).to_vec();
        let kept: Vec<usize> = (0..6_000).collect();
        let rules = segment_rules(&table, &features, &[], &kept, &[], &labels, 3);
        assert_eq!(rules.fidelity, Some(1.0));
        assert_eq!(rules.assigned, labels);
        let rule = |s: usize| rules.rules[s].clone().unwrap_or_else(|| panic!("no rule for segment {s}"));
        let boxed = rule(0);
        assert_eq!(boxed.clauses().count(), 1, "{}", boxed.words());
        assert_eq!(boxed.conditions.len(), 4, "{}", boxed.words());
        assert_eq!(condition_count(&boxed.conditions), 2);
        assert!(boxed.words().contains("x above 20 and at most 60"), "{}", boxed.words());
        let around = rule(2);
        assert_eq!(around.clauses().count(), 3, "{}", around.words());
        assert_eq!((around.caught, around.wrongly), (1.0, 0.0));
    }

    #[test]
    fn customers_in_no_segment_that_a_rule_takes_in_are_said_apart() {
        // x at most 50: segment 0; above: segment 1, but every 10th of them noise, scattered.
        let mut csv = String::from("x,y\n");
        let mut labels = Vec::new();
        let mut rng = crate::rng::SplitMix64::new(13);
        for i in 0..4_000 {
            let (x, y) = (rng.unit() * 100.0, rng.unit() * 100.0);
            csv.push_str(&format!("{x:.3},{y:.3}\n"));
            labels.push(if x <= 50.0 {
                0
            } else if i % 10 == 0 {
                -1
            } else {
                1
            });
        }
        let table = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let features: Vec<String> = ["x", "y"].map(String::from).to_vec();
        let kept: Vec<usize> = (0..4_000).collect();
        let rules = segment_rules(&table, &features, &[], &kept, &[], &labels, 2);
        assert_eq!(rules.fidelity, Some(1.0));
        let rule = rules.rules[1].clone().unwrap_or_else(|| panic!("a rule"));
        assert!((0.07..0.13).contains(&rule.wrongly), "{rule:?}");
        assert_eq!(rule.unplaced, 1.0, "{rule:?}");
        assert!(
            rule.short().contains("others: ") && rule.short().ends_with("% in no segment)"),
            "{}",
            rule.short()
        );
        let rule = rules.rules[0].clone().unwrap_or_else(|| panic!("a rule"));
        assert_eq!((rule.wrongly, rule.unplaced), (0.0, 0.0));
    }

    /// Three planted groups, each set apart by one or two columns: each rule names its columns, catches
    /// nearly all of its segment, and the rules together put nearly every customer in its segment.
    #[test]
    fn planted_groups_come_back_as_their_rules() {
        let mut csv = String::from("orders,spend,days_since,noise\n");
        let mut labels = Vec::new();
        let mut rng = crate::rng::SplitMix64::new(7);
        for i in 0..3_000usize {
            let g = i % 3;
            let u = |rng: &mut crate::rng::SplitMix64| rng.unit();
            let (orders, spend, days) = match g {
                0 => (
                    1.0 + (u(&mut rng) * 3.0).floor(),
                    50.0 + u(&mut rng) * 100.0,
                    200.0 + u(&mut rng) * 100.0,
                ),
                1 => (8.0 + (u(&mut rng) * 5.0).floor(), 900.0 + u(&mut rng) * 600.0, u(&mut rng) * 30.0),
                _ => (1.0 + (u(&mut rng) * 3.0).floor(), 60.0 + u(&mut rng) * 100.0, u(&mut rng) * 30.0),
            };
            csv.push_str(&format!("{orders},{spend:.2},{days:.0},{:.3}\n", u(&mut rng)));
            labels.push(g as i32);
        }
        let table = read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let features: Vec<String> = ["orders", "spend", "days_since", "noise"].map(String::from).to_vec();
        let kept: Vec<usize> = (0..3_000).collect();
        let rules = segment_rules(&table, &features, &[], &kept, &[], &labels, 3);
        for (s, rule) in rules.rules.iter().enumerate() {
            let rule = rule.as_ref().unwrap_or_else(|| panic!("no rule for segment {s}"));
            assert!(rule.conditions.len() <= MAX_CONDITIONS);
            assert!(rule.caught > 0.95 && rule.wrongly < 0.05, "segment {s}: {}", rule.sentence());
            assert!(rule.conditions.iter().all(|c| c.feature != "noise"), "{}", rule.words());
        }
        // The recent, big spenders: by orders or spend, never by days alone.
        let words = rules.rules[1].as_ref().map(SegmentRule::words).unwrap_or_default();
        assert!(words.contains("orders above") || words.contains("spend above"), "{words}");
        // Recent small buyers against lapsed ones: the days since tell them apart.
        let words = rules.rules[2].as_ref().map(SegmentRule::words).unwrap_or_default();
        assert!(words.contains("days_since at most"), "{words}");
        assert!(rules.fidelity.is_some_and(|f| f > 0.95), "{:?}", rules.fidelity);
        // Noise rows and too many segments: no rules, no panic.
        let none = segment_rules(&table, &features, &[], &kept, &[], &vec![-1; 3_000], 3);
        assert!(none.rules.iter().all(Option::is_none) && none.fidelity.is_none());
        assert!(segment_rules(&table, &features, &[], &kept, &[], &labels, 50).fidelity.is_none());
    }

    #[test]
    fn a_feature_bounded_on_both_sides_is_named_once() {
        let c = |feature: &str, above: bool, threshold: f64, days: bool| Condition {
            feature: feature.into(),
            above,
            threshold,
            days,
            value: None,
            whole: false,
        };
        let rule = SegmentRule {
            conditions: vec![
                c("orders", false, 7.0, false),
                c("spend", true, 1200.0, false),
                c("orders", true, 2.0, false),
            ],
            or: vec![c("last_order", true, 30.0, true), c("last_order", false, 90.0, true)],
            more: vec![vec![c("spend", false, 100.0, false)]],
            caught: 1.0,
            wrongly: 0.0,
            unplaced: 0.0,
        };
        assert_eq!(
            rule.words(),
            "orders above 2 and at most 7 and spend above 1,200, or last_order more than 30 and at most 90 \
             days ago, or spend at most 100"
        );
        // A range on one number is one condition.
        assert_eq!(rule.clauses().map(condition_count).collect::<Vec<_>>(), [2, 1, 1]);
        // The others it takes in, and of them those in no segment, said apart.
        let rule = SegmentRule { caught: 0.99, wrongly: 0.23, unplaced: 0.9, ..rule };
        assert!(rule.short().ends_with("(99% caught, 23% others: 21% in no segment)"), "{}", rule.short());
        assert!(rule
            .sentence()
            .ends_with("23% of those it catches are in other segments or in none (21% in none))"));
        let rule = SegmentRule { unplaced: 0.0, ..rule };
        assert!(rule.short().ends_with("(99% caught, 23% others)"), "{}", rule.short());
        // A count in whole numbers: its range said by the numbers it holds.
        let whole =
            |above: bool, threshold: f64| Condition { whole: true, ..c("orders", above, threshold, false) };
        let words = |set: Vec<Condition>| {
            SegmentRule { conditions: set, or: vec![], more: vec![], ..rule.clone() }.words()
        };
        assert_eq!(words(vec![whole(true, 0.0), whole(false, 1.0)]), "orders is 1");
        assert_eq!(words(vec![whole(true, 2.5), whole(false, 7.0)]), "orders 3 to 7");
        assert_eq!(words(vec![whole(true, 2.0)]), "orders above 2");
    }

    #[test]
    fn two_leaves_of_one_split_that_go_to_one_segment_are_their_parent() {
        let c = |feature: &str, above: bool, threshold: f64| {
            let j = usize::from(feature == "y");
            (
                j,
                Condition {
                    feature: feature.into(),
                    above,
                    threshold,
                    days: false,
                    value: None,
                    whole: false,
                },
            )
        };
        // Root split on x (node 0), its left child split on y (node 1): leaves x<=10&y<=5 and
        // x<=10&y>5 both segment 0, and x>10 segment 1.
        let nodes = vec![(None, vec![]), (Some(0), vec![c("x", false, 10.0)])];
        let leaves = vec![
            (1, 30, Some(1), vec![c("x", false, 10.0), c("y", false, 5.0)]),
            (2, 50, Some(0), vec![c("x", true, 10.0)]),
            (1, 20, Some(1), vec![c("x", false, 10.0), c("y", true, 5.0)]),
        ];
        let merged = merge_siblings(leaves, &nodes);
        let words: Vec<(usize, usize, String)> = merged
            .iter()
            .map(|(class, n, _, path)| {
                (*class, *n, clause_words(&path.iter().map(|p| p.1.clone()).collect::<Vec<_>>()))
            })
            .collect();
        assert_eq!(words, [(2, 50, "x above 10".to_string()), (1, 50, "x at most 10".to_string())]);
        // Siblings of different classes stay apart.
        let apart = vec![
            (1, 30, Some(1), vec![c("x", false, 10.0), c("y", false, 5.0)]),
            (2, 20, Some(1), vec![c("x", false, 10.0), c("y", true, 5.0)]),
        ];
        assert_eq!(merge_siblings(apart.clone(), &nodes), apart);
    }
}

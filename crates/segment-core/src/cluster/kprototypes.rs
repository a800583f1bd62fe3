//! k-prototypes (Huang 1997): k segments of customers described by numbers and categories together.
//! A customer's distance to a segment's prototype is the squared Euclidean distance on the (scaled)
//! numbers plus gamma times the number of categories that differ from the prototype's (its modes);
//! the prototype is the segment's mean on the numbers and its most common value of each category.
//!
//! The fit is the `kmodes` package's `KPrototypes` (0.12) step for step, so that from the same
//! starting prototypes it reaches the same segments and cost (tests/parity.rs): the rows are assigned
//! to the nearest prototype, then visited in order, each one that is nearer another prototype moved
//! at once (the two prototypes' means and modes follow the move), until a pass moves none or no longer
//! lowers the cost. Starts: Cao et al. (2009) for the categories (dense, mutually distant rows; no
//! randomness) or Huang's (values drawn by frequency, then the nearest distinct rows), and for the
//! numbers a draw around the mean (mean + normal x standard deviation), as kmodes; several starts, the
//! cheapest kept. Gamma, when not given, is Huang's suggestion as kmodes computes it: half the mean
//! standard deviation of the numbers.

use super::canonical_ids;
use crate::error::CoreError;
use crate::rng::SplitMix64;
use linfa::ParamGuard;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// How the categories' starting prototypes are chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Start {
    /// Cao et al.: the densest row, then each next the row farthest (by density x mismatches) from
    /// the prototypes so far. The numbers start from draws around their mean.
    Cao,
    /// Huang: each category's values drawn by frequency, then the nearest distinct rows. The numbers
    /// start from draws around their mean.
    Huang,
    /// Given prototypes: the numbers' (k x numbers) and the categories' codes (k x categories).
    Given { means: Array2<f64>, modes: Array2<u32> },
}

/// Checked parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct KPrototypesValidParams {
    k: usize,
    gamma: Option<f64>,
    start: Start,
    n_init: usize,
    max_iter: usize,
    seed: u64,
}

/// Unchecked parameters (linfa's `ParamGuard` pattern).
#[derive(Debug, Clone, PartialEq)]
pub struct KPrototypesParams(KPrototypesValidParams);

pub struct KPrototypes;

impl KPrototypes {
    /// k prototypes, kmodes' defaults: Cao's start, 10 starts, at most 100 passes, gamma estimated.
    pub fn params(k: usize) -> KPrototypesParams {
        KPrototypesParams(KPrototypesValidParams {
            k,
            gamma: None,
            start: Start::Cao,
            n_init: 10,
            max_iter: 100,
            seed: 0,
        })
    }
}

impl KPrototypesParams {
    /// The weight of one differing category against squared distance on the numbers (None: half the
    /// numbers' mean standard deviation).
    pub fn gamma(mut self, gamma: Option<f64>) -> Self {
        self.0.gamma = gamma;
        self
    }

    pub fn start(mut self, start: Start) -> Self {
        self.0.start = start;
        self
    }

    /// How many starts (given prototypes: one).
    pub fn n_init(mut self, n_init: usize) -> Self {
        self.0.n_init = n_init;
        self
    }

    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.0.max_iter = max_iter;
        self
    }

    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }
}

super::params::param_guard!(KPrototypesParams, KPrototypesValidParams, |p| {
    super::params::k("k", p.k)?;
    super::params::n_init(p.n_init)?;
    if let Some(gamma) = p.gamma {
        super::params::gamma(gamma)?;
    }
    if p.max_iter == 0 {
        return Err(CoreError::InvalidParameter {
            name: "max_iter".into(),
            value: "0".into(),
            reason: "at least one pass over the rows is needed".into(),
        });
    }
});

/// A k-prototypes fit.
#[derive(Debug, Clone, PartialEq)]
pub struct KPrototypesFit {
    /// Canonical labels (0 = largest segment).
    pub labels: Vec<Option<usize>>,
    /// Each segment's mean of the numbers (segments x numbers), in the labels' order.
    pub means: Array2<f64>,
    /// Each segment's most common code of each category (segments x categories).
    pub modes: Array2<u32>,
    /// Summed squared distance on the numbers plus gamma x mismatches, over the rows.
    pub cost: f64,
    /// The gamma used (given or estimated).
    pub gamma: f64,
    /// The passes of the kept start.
    pub iterations: usize,
}

/// The rows: numbers and category codes, row-major.
struct Mixed<'a> {
    num: &'a [f64],
    cat: &'a [u32],
    n: usize,
    p: usize,
    q: usize,
    /// Per category, one more than its largest code.
    levels: Vec<usize>,
    /// Per number, its mean and standard deviation ([`column_stats`]): every start draws from them.
    stats: Vec<(f64, f64)>,
}

/// Each column's mean and population standard deviation, as kmodes takes them (np.mean, np.std).
fn column_stats(num: ArrayView2<f64>) -> Vec<(f64, f64)> {
    let n = num.nrows() as f64;
    num.columns()
        .into_iter()
        .map(|col| {
            let mean = col.sum() / n;
            (mean, (col.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt())
        })
        .collect()
}

/// Half the mean standard deviation of the numbers (`stats`: [`column_stats`]).
fn huang_gamma(stats: &[(f64, f64)]) -> f64 {
    if stats.is_empty() {
        return 0.0;
    }
    0.5 * stats.iter().map(|&(_, sd)| sd).sum::<f64>() / stats.len() as f64
}

impl Mixed<'_> {
    fn num(&self, i: usize) -> &[f64] {
        &self.num[i * self.p..(i + 1) * self.p]
    }

    fn cat(&self, i: usize) -> &[u32] {
        &self.cat[i * self.q..(i + 1) * self.q]
    }
}

fn mismatches(a: &[u32], b: &[u32]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x != y).count()
}

/// One start's labels, prototypes, cost and passes.
type Run = (Vec<usize>, Prototypes, f64, usize);

/// The prototypes during a fit (k x p means, k x q modes).
struct Prototypes {
    means: Vec<f64>,
    modes: Vec<u32>,
}

impl Prototypes {
    /// The nearest prototype of row `i` (the first of equals) and its cost.
    fn nearest(&self, x: &Mixed, gamma: f64, i: usize, k: usize) -> (usize, f64) {
        let (num, cat) = (x.num(i), x.cat(i));
        let mut best = (0, f64::INFINITY);
        for c in 0..k {
            let m = &self.means[c * x.p..(c + 1) * x.p];
            let sq: f64 = m.iter().zip(num).map(|(a, b)| (a - b) * (a - b)).sum();
            let cost = sq + gamma * mismatches(&self.modes[c * x.q..(c + 1) * x.q], cat) as f64;
            if cost < best.1 {
                best = (c, cost);
            }
        }
        best
    }

    /// Each row's nearest prototype, and the summed cost (kmodes' `labels_cost`).
    fn labels_cost(&self, x: &Mixed, gamma: f64, n: usize, k: usize) -> (Vec<usize>, f64) {
        let mut cost = 0.0;
        let labels = (0..n)
            .map(|i| {
                let (c, d) = self.nearest(x, gamma, i, k);
                cost += d;
                c
            })
            .collect();
        (labels, cost)
    }
}

/// Per segment: its rows, the sums of their numbers and the count of each category's codes.
struct Tally {
    members: Vec<f64>,
    sums: Vec<f64>,
    /// Per segment and category, a count per code (offset `offsets[j]`).
    counts: Vec<f64>,
    offsets: Vec<usize>,
    width: usize,
}

impl Tally {
    fn new(x: &Mixed, k: usize) -> Self {
        let mut offsets = Vec::with_capacity(x.q);
        let mut width = 0;
        for &l in &x.levels {
            offsets.push(width);
            width += l;
        }
        Self { members: vec![0.0; k], sums: vec![0.0; k * x.p], counts: vec![0.0; k * width], offsets, width }
    }

    fn count(&mut self, c: usize, j: usize, code: u32) -> &mut f64 {
        &mut self.counts[c * self.width + self.offsets[j] + code as usize]
    }

    /// The most counted code of category `j` in segment `c` (the least code of equals; kmodes'
    /// `get_max_value_key`).
    fn mode(&self, x: &Mixed, c: usize, j: usize) -> u32 {
        let start = c * self.width + self.offsets[j];
        let counts = &self.counts[start..start + x.levels[j]];
        let mut best = 0;
        for (code, &n) in counts.iter().enumerate() {
            if n > counts[best] {
                best = code;
            }
        }
        best as u32
    }

    fn add(&mut self, x: &Mixed, c: usize, i: usize) {
        self.members[c] += 1.0;
        for (s, v) in self.sums[c * x.p..(c + 1) * x.p].iter_mut().zip(x.num(i)) {
            *s += v;
        }
        for (j, &code) in x.cat(i).iter().enumerate() {
            *self.count(c, j, code) += 1.0;
        }
    }

    /// Moves row `i` from segment `from` to `to`, the modes following as kmodes' `_move_point_cat`
    /// updates them (the new segment's mode changes only to a code now counted more; the old
    /// segment's is found again only when it was the row's code).
    fn move_row(&mut self, x: &Mixed, protos: &mut Prototypes, i: usize, from: usize, to: usize) {
        let (p, q) = (x.p, x.q);
        for (jj, v) in x.num(i).iter().enumerate() {
            self.sums[to * p + jj] += v;
            self.sums[from * p + jj] -= v;
        }
        self.members[to] += 1.0;
        self.members[from] -= 1.0;
        for (j, &code) in x.cat(i).iter().enumerate() {
            *self.count(to, j, code) += 1.0;
            let now = *self.count(to, j, code);
            let mode = protos.modes[to * q + j];
            if *self.count(to, j, mode) < now {
                protos.modes[to * q + j] = code;
            }
            *self.count(from, j, code) -= 1.0;
            if protos.modes[from * q + j] == code {
                protos.modes[from * q + j] = self.mode(x, from, j);
            }
        }
    }

    /// The means of segments `cs` from the sums (0 for an empty segment, as kmodes).
    fn update_means(&self, protos: &mut Prototypes, p: usize, cs: &[usize]) {
        for &c in cs {
            for jj in 0..p {
                protos.means[c * p + jj] =
                    if self.members[c] != 0.0 { self.sums[c * p + jj] / self.members[c] } else { 0.0 };
            }
        }
    }
}

/// Cao's start for the categories (kmodes' `init_cao`): k rows' codes.
pub fn cao_start(cat: ArrayView2<u32>, k: usize) -> Array2<u32> {
    let (n, q) = cat.dim();
    let data: Vec<u32> = cat.iter().copied().collect();
    let codes = cao(&data, n, q, k);
    Array2::from_shape_fn((codes.len() / q.max(1), q), |(c, j)| codes[c * q + j])
}

/// [`cao_start`] on row-major codes (`n` rows of `q`): the densest row (each value's share, summed
/// over the categories), then each next the row of greatest density x mismatches to its nearest
/// prototype so far (the first of equals).
fn cao(cat: &[u32], n: usize, q: usize, k: usize) -> Vec<u32> {
    let row = |i: usize| &cat[i * q..(i + 1) * q];
    let mut dens = vec![0.0f64; n];
    for j in 0..q {
        let levels = (0..n).map(|i| row(i)[j] as usize + 1).max().unwrap_or(0);
        let mut freq = vec![0usize; levels];
        (0..n).for_each(|i| freq[row(i)[j] as usize] += 1);
        for (i, d) in dens.iter_mut().enumerate() {
            *d += freq[row(i)[j] as usize] as f64 / n as f64 / q as f64;
        }
    }
    let argmax = |v: &[f64]| (0..v.len()).fold(0, |b, i| if v[i] > v[b] { i } else { b });
    let k = k.min(n);
    let mut chosen = vec![argmax(&dens)];
    let mut least = vec![f64::INFINITY; n];
    while chosen.len() < k {
        let last = row(chosen[chosen.len() - 1]);
        for (i, (l, d)) in least.iter_mut().zip(&dens).enumerate() {
            *l = l.min(mismatches(row(i), last) as f64 * d);
        }
        chosen.push(argmax(&least));
    }
    chosen.iter().flat_map(|&r| row(r).to_vec()).collect()
}

/// Huang's start for the categories: each category's value drawn as a random row's, then each
/// prototype replaced by its nearest row not already a prototype (when one is left).
fn huang_start(x: &Mixed, n: usize, k: usize, rng: &mut SplitMix64) -> Vec<u32> {
    let q = x.q;
    let mut drawn: Vec<u32> = Vec::with_capacity(k * q);
    for _ in 0..k {
        for j in 0..q {
            drawn.push(x.cat(rng.below(n))[j]);
        }
    }
    let mut out: Vec<u32> = Vec::with_capacity(k * q);
    for c in 0..k {
        let target = &drawn[c * q..(c + 1) * q];
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (mismatches(x.cat(i), target), i));
        let taken = |i: usize, out: &[u32]| out.chunks(q.max(1)).any(|p| p == x.cat(i));
        let pick = order.iter().copied().find(|&i| !taken(i, &out)).unwrap_or(order[0]);
        out.extend_from_slice(x.cat(pick));
    }
    out
}

impl KPrototypesValidParams {
    pub fn k(&self) -> usize {
        self.k
    }

    /// Half the numbers' mean (population) standard deviation: Huang's gamma as kmodes estimates it.
    pub fn estimated_gamma(num: ArrayView2<f64>) -> f64 {
        if num.nrows() == 0 {
            return 0.0;
        }
        huang_gamma(&column_stats(num))
    }

    /// Fits rows of numbers `num` (n x p, scaled) and category codes `cat` (n x q, codes from 0).
    pub fn fit(&self, num: ArrayView2<f64>, cat: ArrayView2<u32>) -> Result<KPrototypesFit, CoreError> {
        let (n, p) = num.dim();
        let q = cat.ncols();
        if cat.nrows() != n {
            return Err(CoreError::InvalidParameter {
                name: "categories".into(),
                value: cat.nrows().to_string(),
                reason: format!("the categories have {} rows where the numbers have {n}", cat.nrows()),
            });
        }
        let stats = if n == 0 { Vec::new() } else { column_stats(num) };
        let gamma = self.gamma.unwrap_or_else(|| huang_gamma(&stats));
        let num_data: Vec<f64> = num.iter().copied().collect();
        let cat_data: Vec<u32> = cat.iter().copied().collect();
        let levels = (0..q).map(|j| cat.column(j).iter().max().map_or(1, |&m| m as usize + 1)).collect();
        let x = Mixed { num: &num_data, cat: &cat_data, n, p, q, levels, stats };
        let k = self.k.min(n);
        if n == 0 || k == 0 {
            return Ok(KPrototypesFit {
                labels: Vec::new(),
                means: Array2::zeros((0, p)),
                modes: Array2::zeros((0, q)),
                cost: 0.0,
                gamma,
                iterations: 0,
            });
        }
        let runs = if matches!(self.start, Start::Given { .. }) { 1 } else { self.n_init.max(1) };
        // Each start's own generator, drawn in order: the starts may run side by side.
        let mut rng = SplitMix64::new(self.seed);
        let seeds: Vec<u64> = (0..runs).map(|_| rng.next_u64()).collect();
        let one = |seed: &u64| self.run(&x, k, gamma, &mut SplitMix64::new(*seed));
        let results: Vec<Result<Run, CoreError>> = crate::par::map(&seeds, one);
        // The cheapest start (the first of equals).
        let mut best: Option<Run> = None;
        for run in results {
            let run = run?;
            if best.as_ref().is_none_or(|b| run.2 < b.2) {
                best = Some(run);
            }
        }
        let Some((labels, protos, cost, iterations)) = best else {
            return Err(CoreError::InvalidParameter {
                name: "n_init".into(),
                value: "0".into(),
                reason: "at least one start is needed".into(),
            });
        };
        let (new_id, _) = canonical_ids(labels.iter().map(|&l| Some(l)));
        let segments = new_id.iter().filter(|&&c| c != usize::MAX).count();
        let mut means = Array2::zeros((segments, p));
        let mut modes = Array2::zeros((segments, q));
        for (c, &id) in new_id.iter().enumerate() {
            if id != usize::MAX {
                means
                    .row_mut(id)
                    .iter_mut()
                    .zip(&protos.means[c * p..(c + 1) * p])
                    .for_each(|(m, v)| *m = *v);
                modes
                    .row_mut(id)
                    .iter_mut()
                    .zip(&protos.modes[c * q..(c + 1) * q])
                    .for_each(|(m, v)| *m = *v);
            }
        }
        Ok(KPrototypesFit {
            labels: labels.iter().map(|&l| Some(new_id[l])).collect(),
            means,
            modes,
            cost,
            gamma,
            iterations,
        })
    }

    /// The starting prototypes of one run.
    fn starting(&self, x: &Mixed, k: usize, rng: &mut SplitMix64, random: bool) -> Prototypes {
        let (n, p, q) = (x.n, x.p, x.q);
        if let (Start::Given { means, modes }, false) = (&self.start, random) {
            return Prototypes {
                means: means.iter().copied().collect(),
                modes: modes.iter().copied().collect(),
            };
        }
        let modes = if random {
            (0..k).flat_map(|_| x.cat(rng.below(n)).to_vec()).collect()
        } else if self.start == Start::Huang {
            huang_start(x, n, k, rng)
        } else {
            cao(x.cat, n, q, k)
        };
        let mut means = Vec::with_capacity(k * p);
        for _ in 0..k {
            for &(mean, sd) in &x.stats {
                means.push(mean + rng.normal() * sd);
            }
        }
        debug_assert_eq!(modes.len(), k * q);
        Prototypes { means, modes }
    }

    /// One run from a start: kmodes' `_k_prototypes_single`.
    fn run(&self, x: &Mixed, k: usize, gamma: f64, rng: &mut SplitMix64) -> Result<Run, CoreError> {
        let n = x.n;
        // A start that leaves a segment empty is drawn again; after 20 tries from random rows, and
        // after 100 the fit gives up (kmodes' MAX_INIT_TRIES and RAISE_INIT_TRIES).
        let mut tries = 0;
        let (mut protos, mut tally, mut member) = loop {
            tries += 1;
            let mut protos = self.starting(x, k, rng, tries > 20);
            let mut tally = Tally::new(x, k);
            let mut member = vec![0usize; n];
            for (i, m) in member.iter_mut().enumerate() {
                *m = protos.nearest(x, gamma, i, k).0;
                tally.add(x, *m, i);
            }
            if tally.members.iter().all(|&m| m > 0.0) {
                for c in 0..k {
                    for j in 0..x.q {
                        protos.modes[c * x.q + j] = tally.mode(x, c, j);
                    }
                }
                tally.update_means(&mut protos, x.p, &(0..k).collect::<Vec<_>>());
                break (protos, tally, member);
            }
            if tries >= 100 {
                return Err(CoreError::InvalidParameter {
                    name: "k".into(),
                    value: k.to_string(),
                    reason: "no start gave every segment a customer: the customers have fewer distinct \
                             combinations than k; lower k"
                        .into(),
                });
            }
        };
        let (mut labels, mut cost) = protos.labels_cost(x, gamma, n, k);
        let mut iterations = 0;
        let mut converged = false;
        while iterations < self.max_iter && !converged {
            iterations += 1;
            let mut moves = 0;
            for i in 0..n {
                let (to, _) = protos.nearest(x, gamma, i, k);
                let from = member[i];
                if to == from {
                    continue;
                }
                moves += 1;
                tally.move_row(x, &mut protos, i, from, to);
                member[i] = to;
                tally.update_means(&mut protos, x.p, &[to, from]);
                if tally.members[from] == 0.0 {
                    // An emptied segment takes a random row of the largest (its mean is left as
                    // kmodes leaves it, at 0, until the next move into or out of it).
                    let largest =
                        (0..k).fold(0, |b, c| if tally.members[c] > tally.members[b] { c } else { b });
                    let choices: Vec<usize> = (0..n).filter(|&r| member[r] == largest).collect();
                    let r = choices[rng.below(choices.len())];
                    tally.move_row(x, &mut protos, r, largest, from);
                    member[r] = from;
                }
            }
            let (now, new_cost) = protos.labels_cost(x, gamma, n, k);
            converged = moves == 0 || new_cost >= cost;
            labels = now;
            cost = new_cost;
        }
        Ok((labels, protos, cost, iterations))
    }
}

/// The cost of a row `x` against a prototype `p` (one value per feature): squared differences on the
/// numbers, `gamma` for each category (`categorical`) whose code differs.
pub fn cost(p: &[f64], x: &[f64], categorical: &[bool], gamma: f64) -> f64 {
    p.iter()
        .zip(x)
        .zip(categorical)
        .map(|((a, b), &cat)| {
            if cat {
                if a == b {
                    0.0
                } else {
                    gamma
                }
            } else {
                (a - b) * (a - b)
            }
        })
        .sum()
}

/// The rows in a space where Euclidean distance is k-prototypes' (squared distance on the numbers plus
/// gamma per differing category): each category becomes one column per value, the row's value set to
/// sqrt(gamma / 2) and the others 0 (two rows that differ there are then gamma apart, squared). The
/// silhouette, Davies-Bouldin, Calinski-Harabasz and the scatter's projection are measured in it.
pub fn metric_space(x: ArrayView2<f64>, categorical: &[bool], gamma: f64) -> Array2<f64> {
    let n = x.nrows();
    let widths = block_widths(x, categorical);
    let mut out = Array2::zeros((n, widths.iter().sum()));
    let weight = (gamma / 2.0).sqrt();
    let mut at = 0;
    for (j, &w) in widths.iter().enumerate() {
        if categorical.get(j).copied().unwrap_or(false) {
            for (i, &v) in x.column(j).iter().enumerate() {
                out[[i, at + code(v) as usize]] = weight;
            }
        } else {
            out.column_mut(at).assign(&x.column(j));
        }
        at += w;
    }
    out
}

/// Each feature's columns in [`metric_space`]: one for a number, one per value for a category.
pub fn block_widths(x: ArrayView2<f64>, categorical: &[bool]) -> Vec<usize> {
    (0..x.ncols())
        .map(|j| {
            if categorical.get(j).copied().unwrap_or(false) {
                x.column(j).iter().map(|&v| code(v) as usize + 1).max().unwrap_or(1)
            } else {
                1
            }
        })
        .collect()
}

/// A direction in [`metric_space`] said per feature: a number's own weight, a category's the length
/// of its block (how much its values move along the direction).
pub fn per_feature(direction: &[f64], widths: &[usize]) -> Vec<f64> {
    let mut at = 0;
    widths
        .iter()
        .map(|&w| {
            let block = direction.get(at..at + w).unwrap_or(&[]);
            at += w;
            if w == 1 {
                block.first().copied().unwrap_or(0.0)
            } else {
                block.iter().map(|v| v * v).sum::<f64>().sqrt()
            }
        })
        .collect()
}

/// A category's code as the matrix holds it (a small whole number; anything else reads as 0).
fn code(v: f64) -> u32 {
    if v.is_finite() && v >= 0.0 && v < f64::from(u16::MAX) {
        v as u32
    } else {
        0
    }
}

// ---- The method: k-prototypes' settings and what the rest of the code knows of it. ----

/// k-prototypes' settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KPrototypesSettings {
    pub k: usize,
    /// The weight of a differing category against squared distance on the scaled numbers; None: half
    /// the numbers' mean standard deviation (Huang's suggestion), estimated from the rows.
    #[serde(default)]
    pub gamma: Option<f64>,
    /// The features compared as categories (by whether their values match); the other features are
    /// numbers. A session sets them from the table before a run: every feature that is a category
    /// column ([`crate::spec::AnalysisSpec::with_categories_of`]).
    #[serde(default)]
    pub categories: Vec<String>,
    /// How the categories' starting prototypes are chosen.
    #[serde(default)]
    pub start: StartKind,
}

/// The starts a person can choose (kmodes' `init`): Cao's (the default) or Huang's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartKind {
    /// Dense, mutually distant rows: no randomness in the categories' start.
    #[default]
    Cao,
    /// Values drawn by frequency, then the nearest distinct rows.
    Huang,
}

impl StartKind {
    pub const ALL: [StartKind; 2] = [StartKind::Cao, StartKind::Huang];

    /// Its name in settings files and share links.
    pub fn key(self) -> &'static str {
        match self {
            StartKind::Cao => "cao",
            StartKind::Huang => "huang",
        }
    }

    fn start(self) -> Start {
        match self {
            StartKind::Cao => Start::Cao,
            StartKind::Huang => Start::Huang,
        }
    }
}

impl Default for KPrototypesSettings {
    fn default() -> Self {
        Self { k: 4, gamma: None, categories: Vec::new(), start: StartKind::Cao }
    }
}

pub const INFO: super::MethodInfo = super::MethodInfo {
    key: "kprototypes",
    label: "k-prototypes (k segments on numbers and categories together)",
    name: "k-prototypes",
    uses_k: true,
    independent_ks: true,
};

impl KPrototypesSettings {
    /// Which of `features` are categories.
    pub fn mask(&self, features: &[String]) -> Vec<bool> {
        features.iter().map(|f| self.categories.contains(f)).collect()
    }

    /// The gamma for rows `x` (features as the mask says): the one set, or the estimate from the numbers.
    pub fn gamma_for(&self, x: ArrayView2<f64>, categorical: &[bool]) -> f64 {
        self.gamma.unwrap_or_else(|| {
            let numbers: Vec<usize> =
                (0..x.ncols()).filter(|&j| !categorical.get(j).copied().unwrap_or(false)).collect();
            KPrototypesValidParams::estimated_gamma(x.select(ndarray::Axis(1), &numbers).view())
        })
    }
}

impl super::ClusterMethod for KPrototypesSettings {
    super::method::method_basics!(INFO);

    fn parameters(&self) -> String {
        let gamma = self.gamma.map_or(String::new(), |gamma| format!(", gamma {gamma}"));
        let start = if self.start == StartKind::Huang { ", Huang's start" } else { "" };
        format!("k {}{gamma}{start}", self.k)
    }

    fn k(&self) -> Option<usize> {
        Some(self.k)
    }

    fn set_k(&mut self, k: usize) {
        self.k = k;
    }

    fn categories(&self) -> &[String] {
        &self.categories
    }

    fn validate(&self) -> Result<(), CoreError> {
        super::params::k("k (k-prototypes)", self.k)?;
        if let Some(gamma) = self.gamma {
            super::params::gamma(gamma)?;
        }
        if self.categories.len() > crate::limits::MAX_FEATURES
            || self.categories.iter().any(|c| c.len() > 1_000)
        {
            return self.refuse("too many or too long category names".into());
        }
        Ok(())
    }

    fn rows_needed(&self, _: &super::FitInputs) -> Result<usize, CoreError> {
        Ok(KPrototypes::params(self.k).gamma(self.gamma).check_ref()?.k())
    }

    fn fit(
        &self,
        x: ArrayView2<f64>,
        inputs: &super::FitInputs,
        _: &mut dyn FnMut(f64),
    ) -> Result<super::MethodFit, CoreError> {
        let categorical = self.mask(inputs.features);
        if !categorical.contains(&true) {
            self.refuse(
                "k-prototypes segments on numbers and categories together: tick at least one category column \
                 (a plan, a country, a channel) among the features, or choose k-means for numbers alone"
                    .into(),
            )?;
        }
        let (numbers, categories): (Vec<usize>, Vec<usize>) = (0..x.ncols()).partition(|&j| !categorical[j]);
        let num = x.select(ndarray::Axis(1), &numbers);
        let cat = x.select(ndarray::Axis(1), &categories).mapv(code);
        let fit = KPrototypes::params(self.k)
            .gamma(self.gamma)
            .start(self.start.start())
            .seed(inputs.seed)
            .check()?
            .fit(num.view(), cat.view())?;
        let prototypes = (0..fit.means.nrows())
            .map(|s| {
                let (mut a, mut b) = (0, 0);
                categorical
                    .iter()
                    .map(|&c| {
                        if c {
                            b += 1;
                            f64::from(fit.modes[[s, b - 1]])
                        } else {
                            a += 1;
                            fit.means[[s, a - 1]]
                        }
                    })
                    .collect()
            })
            .collect();
        let assignment = super::Assignment::Prototypes { prototypes, categorical, gamma: fit.gamma };
        Ok((fit.labels, assignment).into())
    }

    fn scoring_space(&self, x: ArrayView2<f64>, features: &[String]) -> Option<Array2<f64>> {
        let categorical = self.mask(features);
        categorical.contains(&true).then(|| metric_space(x, &categorical, self.gamma_for(x, &categorical)))
    }
}

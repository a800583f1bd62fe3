//! A uniform grid over the first (up to) three dimensions, so that every point within `eps` of a point
//! lies in a known set of nearby cells, whatever the number of dimensions (a projection never lengthens
//! a distance). Points are stored sorted by cell, contiguously, so a neighbourhood scan reads memory in
//! order.
//!
//! With at most three dimensions the cell side is `eps / sqrt(d)`: a cell's diagonal is `eps`, so all
//! points of a cell are neighbours of each other ("small cells"), which lets DBSCAN count and join whole
//! cells without computing distances. DBSCAN uses a k-d tree above three dimensions; the large-cell
//! mode (side `eps` over the first three dimensions) remains for an eps so small that cell
//! coordinates would overflow.

use rustc_hash::FxHashMap;

pub(crate) const MAX_GRID_DIMS: usize = 3;

pub(crate) struct Grid {
    pub d: usize,
    small: bool,
    /// Coordinates in sorted (cell) order, row-major, `n * d`.
    pub points: Vec<f64>,
    /// `order[s]` is the original row of the point at sorted position `s`.
    pub order: Vec<usize>,
    /// `cell_of[s]`: the cell of sorted point `s`.
    pub cell_of: Vec<u32>,
    /// `cell_start[c]..cell_start[c + 1]` are the sorted positions of cell `c`.
    pub cell_start: Vec<usize>,
    /// The neighbour cells of cell `c` (itself first): `neighbours[nb_start[c]..nb_start[c + 1]]`.
    pub neighbours: Vec<u32>,
    pub nb_start: Vec<usize>,
}

impl Grid {
    /// True when every cell's diagonal is at most `eps` (all of a cell's points are mutual neighbours).
    pub fn small_cells(&self) -> bool {
        self.small
    }

    /// `x` is row-major `n * d`, all finite; `eps` > 0 and finite.
    pub fn build(x: &[f64], n: usize, d: usize, eps: f64) -> Grid {
        let p = d.min(MAX_GRID_DIMS);
        // Shrink the side a hair below eps / sqrt(d) so rounding never makes a diagonal exceed eps.
        // Cell coordinates must stay exact integers: with an eps absurdly small for the data's range they
        // would saturate and merge far-apart points into one cell, so small cells are used only when
        // every coordinate fits (large cells still compare every distance, so they stay exact).
        let span = (0..p)
            .map(|j| {
                let (lo, hi) = (0..n)
                    .map(|i| x[i * d + j])
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
                hi - lo
            })
            .fold(0.0, f64::max);
        let small = d <= MAX_GRID_DIMS && span / eps < 1e15;
        let side = if small { eps / (d as f64).sqrt() * (1.0 - 1e-12) } else { eps };
        let reach = (eps / side).ceil() as i64;
        let mut lo = [0.0f64; MAX_GRID_DIMS];
        for (j, l) in lo.iter_mut().enumerate().take(p) {
            *l = (0..n).map(|i| x[i * d + j]).fold(f64::INFINITY, f64::min);
        }
        let key_of = |i: usize| -> [i64; MAX_GRID_DIMS] {
            let mut k = [0i64; MAX_GRID_DIMS];
            for j in 0..p {
                // Saturating float-to-int cast: absurdly small eps still gives valid (if huge) keys.
                k[j] = ((x[i * d + j] - lo[j]) / side).floor() as i64;
            }
            k
        };
        let keys: Vec<[i64; MAX_GRID_DIMS]> = (0..n).map(key_of).collect();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_unstable_by_key(|&i| (keys[i], i));

        let mut cell_start = Vec::new();
        let mut cell_keys: Vec<[i64; MAX_GRID_DIMS]> = Vec::new();
        let mut cell_of = Vec::with_capacity(n);
        for (s, &i) in order.iter().enumerate() {
            if cell_keys.last() != Some(&keys[i]) {
                cell_keys.push(keys[i]);
                cell_start.push(s);
            }
            cell_of.push((cell_keys.len() - 1) as u32);
        }
        cell_start.push(n);

        // Cells are sorted by key, so the cells sharing all but the last coordinate (a column) are
        // contiguous and ordered by the last: one lookup per column of neighbours, then a short scan,
        // instead of one lookup per neighbour cell (124 in 3-D).
        let last = p - 1;
        let prefix = |k: &[i64; MAX_GRID_DIMS]| {
            let mut q = *k;
            q[last] = 0;
            q
        };
        let mut columns: FxHashMap<[i64; MAX_GRID_DIMS], (u32, u32)> = FxHashMap::default();
        for (c, k) in cell_keys.iter().enumerate() {
            columns
                .entry(prefix(k))
                .and_modify(|(_, end)| *end = c as u32 + 1)
                .or_insert((c as u32, c as u32 + 1));
        }
        let spans = column_spans(&neighbour_offsets(p, reach, side, eps), last);
        let mut neighbours = Vec::with_capacity(cell_keys.len() * 9);
        let mut nb_start = Vec::with_capacity(cell_keys.len() + 1);
        for (c, key) in cell_keys.iter().enumerate() {
            nb_start.push(neighbours.len());
            neighbours.push(c as u32);
            for (off, lo, hi) in &spans {
                let mut k = prefix(key);
                for j in 0..last {
                    k[j] = k[j].saturating_add(off[j]);
                }
                let Some(&(start, end)) = columns.get(&k) else { continue };
                let column = &cell_keys[start as usize..end as usize];
                let (from, to) = (key[last].saturating_add(*lo), key[last].saturating_add(*hi));
                let first = column.partition_point(|q| q[last] < from);
                for (i, q) in column.iter().enumerate().skip(first) {
                    if q[last] > to {
                        break;
                    }
                    let nc = start + i as u32;
                    if nc != c as u32 {
                        neighbours.push(nc);
                    }
                }
            }
        }
        nb_start.push(neighbours.len());

        let mut points = Vec::with_capacity(n * d);
        for &i in &order {
            points.extend_from_slice(&x[i * d..(i + 1) * d]);
        }
        Grid { d, small, points, order, cell_of, cell_start, neighbours, nb_start }
    }

    pub fn point(&self, s: usize) -> &[f64] {
        &self.points[s * self.d..(s + 1) * self.d]
    }

    pub fn neighbour_cells(&self, c: usize) -> &[u32] {
        &self.neighbours[self.nb_start[c]..self.nb_start[c + 1]]
    }

    pub fn cell_range(&self, c: u32) -> std::ops::Range<usize> {
        self.cell_start[c as usize]..self.cell_start[c as usize + 1]
    }

    pub fn n_cells(&self) -> usize {
        self.cell_start.len() - 1
    }
}

/// The neighbour offsets grouped by column: for each offset of the first `last` coordinates (in
/// order), the range of the last coordinate's offsets (contiguous: the gap grows with its size).
/// Offsets come in order, so a column's are consecutive; the centre's column spans its own cell (0,
/// left out of the offsets), which the caller skips.
fn column_spans(offsets: &[[i64; MAX_GRID_DIMS]], last: usize) -> Vec<([i64; MAX_GRID_DIMS], i64, i64)> {
    let mut spans: Vec<([i64; MAX_GRID_DIMS], i64, i64)> = Vec::new();
    let mut add = |o: &[i64; MAX_GRID_DIMS]| {
        let mut head = *o;
        head[last] = 0;
        match spans.last_mut() {
            Some((h, lo, hi)) if *h == head => {
                *lo = (*lo).min(o[last]);
                *hi = (*hi).max(o[last]);
            }
            _ => spans.push((head, o[last], o[last])),
        }
    };
    offsets.iter().for_each(&mut add);
    spans
}

/// The non-zero offsets in {-reach..=reach}^p whose cells can hold a point within `eps` of a point of
/// the centre cell: the gap between the two cells, `side * sqrt(sum(max(|o_j| - 1, 0)^2))`, is at most eps.
fn neighbour_offsets(p: usize, reach: i64, side: f64, eps: f64) -> Vec<[i64; MAX_GRID_DIMS]> {
    let mut out = vec![[0i64; MAX_GRID_DIMS]];
    for j in 0..p {
        let mut next = Vec::with_capacity(out.len() * (2 * reach as usize + 1));
        for o in &out {
            for delta in -reach..=reach {
                let mut o2 = *o;
                o2[j] = delta;
                next.push(o2);
            }
        }
        out = next;
    }
    out.retain(|o| {
        let gap2: f64 = o.iter().map(|&v| ((v.abs() - 1).max(0) as f64 * side).powi(2)).sum();
        o.iter().any(|&v| v != 0) && gap2 <= eps * eps
    });
    out
}

//! Silhouettes of many labelings of the same rows: the distances between the rows are computed once
//! (upper triangle, f32) and each labeling then costs one pass of additions. The automatic choice scores
//! dozens of candidate segmentations on the same sample this way.

use ndarray::ArrayView2;

pub struct PairwiseDistances {
    m: usize,
    /// Row i's distances to rows i+1..m start at `offset(i)`.
    upper: Vec<f32>,
}

impl PairwiseDistances {
    /// Distances between the rows of `x` (m rows: m(m-1)/2 values, 8 MB at m = 2,000).
    pub fn new(x: ArrayView2<f64>) -> Self {
        let (m, d) = x.dim();
        let columns: Vec<Vec<f64>> = (0..d).map(|j| x.column(j).to_vec()).collect();
        let mut upper = Vec::with_capacity(m * m.saturating_sub(1) / 2);
        let mut row = vec![0.0f64; m];
        for i in 0..m {
            let rest = &mut row[i + 1..];
            rest.iter_mut().for_each(|v| *v = 0.0);
            for col in &columns {
                let p = col[i];
                for (v, q) in rest.iter_mut().zip(&col[i + 1..]) {
                    *v += (q - p) * (q - p);
                }
            }
            upper.extend(rest.iter().map(|v| v.sqrt() as f32));
        }
        Self { m, upper }
    }

    pub fn rows(&self) -> usize {
        self.m
    }

    fn offset(&self, i: usize) -> usize {
        // Rows before i contribute (m-1) + (m-2) + ... + (m-i) values.
        i * (2 * self.m - i - 1) / 2
    }

    /// Mean silhouette of `labels` (one per row; None = noise, left out as everywhere in the scores).
    /// None when fewer than two segments have rows.
    pub fn silhouette(&self, labels: &[Option<usize>]) -> Option<f64> {
        let m = self.m.min(labels.len());
        let k = labels[..m].iter().flatten().map(|&c| c + 1).max().unwrap_or(0);
        let mut size = vec![0usize; k];
        labels[..m].iter().flatten().for_each(|&c| size[c] += 1);
        if size.iter().filter(|&&s| s > 0).count() < 2 {
            return None;
        }
        // to_segment[i * k + c]: the sum of distances from row i to the rows of segment c.
        let mut to_segment = vec![0.0f64; m * k];
        for i in 0..m {
            let Some(a) = labels[i] else { continue };
            let start = self.offset(i);
            for (j, &dist) in (i + 1..m).zip(&self.upper[start..start + (self.m - i - 1)]) {
                if let Some(b) = labels[j] {
                    to_segment[i * k + b] += f64::from(dist);
                    to_segment[j * k + a] += f64::from(dist);
                }
            }
        }
        let (mut total, mut scored) = (0.0, 0usize);
        for i in 0..m {
            let Some(own) = labels[i] else { continue };
            scored += 1;
            if size[own] <= 1 {
                continue; // a singleton's silhouette is 0
            }
            let row = &to_segment[i * k..(i + 1) * k];
            let a = row[own] / (size[own] - 1) as f64;
            let b = (0..k)
                .filter(|&c| c != own && size[c] > 0)
                .map(|c| row[c] / size[c] as f64)
                .fold(f64::INFINITY, f64::min);
            let denom = a.max(b);
            if denom > 0.0 {
                total += (b - a) / denom;
            }
        }
        Some(total / scored.max(1) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix64;
    use crate::score::{silhouette, SilhouetteOptions};

    #[test]
    fn equals_the_exact_silhouette() {
        let mut rng = SplitMix64::new(5);
        let x = ndarray::Array2::from_shape_fn((300, 3), |(i, _)| rng.normal() + (i % 3) as f64 * 2.0);
        let d = PairwiseDistances::new(x.view());
        for k in [2usize, 3, 5] {
            let labels: Vec<Option<usize>> =
                (0..300).map(|i| if i % 17 == 0 { None } else { Some(i % k) }).collect();
            let exact = silhouette(x.view(), &labels, SilhouetteOptions::default()).map(|s| s.mean);
            let fast = d.silhouette(&labels);
            let (Some(exact), Some(fast)) = (exact, fast) else { panic!("no silhouette") };
            assert!((exact - fast).abs() < 1e-6, "k {k}: {exact} vs {fast}");
        }
        assert_eq!(d.silhouette(&vec![Some(0); 300]), None);
    }
}

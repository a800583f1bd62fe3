//! Names for segments that are tiers rather than natural groups: when no segmentation separates the
//! customers clearly, the segments are ordered along the direction the customers vary most (the first
//! principal component, turned so its heaviest feature grows) and named by rank.

use crate::pipeline::AnalysisResult;

/// One name per segment (in segment-id order): "Top tier (highest spend)", "Middle tier", ...
pub fn tier_names(result: &AnalysisResult) -> Vec<String> {
    let k = result.segment_sizes.len();
    let dims = result.pca.dims.max(1);
    let Some(first) = result.pca.components.first() else { return generic(k) };
    // The feature that weighs most on the first component, and the sign that makes it grow.
    let Some((heaviest, &weight)) = first.iter().enumerate().max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()))
    else {
        return generic(k);
    };
    let sign = if weight < 0.0 { -1.0 } else { 1.0 };
    let feature = result.spec.features.get(heaviest).cloned().unwrap_or_default();
    let mut sums = vec![0.0f64; k];
    let mut counts = vec![0usize; k];
    for (row, &label) in result.pca.coords.chunks_exact(dims).zip(&result.labels) {
        if let Ok(s) = usize::try_from(label) {
            if s < k {
                sums[s] += f64::from(row[0]) * sign;
                counts[s] += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..k).collect();
    let mean = |s: usize| if counts[s] > 0 { sums[s] / counts[s] as f64 } else { f64::NEG_INFINITY };
    order.sort_by(|&a, &b| mean(b).total_cmp(&mean(a)).then(a.cmp(&b)));
    let mut names = vec![String::new(); k];
    for (rank, &s) in order.iter().enumerate() {
        names[s] = tier_name(rank, k, &feature);
    }
    names
}

fn tier_name(rank: usize, k: usize, feature: &str) -> String {
    let base = match (k, rank) {
        (2, 0) => "Upper tier".to_string(),
        (2, _) => "Lower tier".to_string(),
        (3, 0) => "Top tier".to_string(),
        (3, 1) => "Middle tier".to_string(),
        (3, _) => "Lower tier".to_string(),
        _ => format!("Tier {} of {k}", rank + 1),
    };
    if feature.is_empty() {
        base
    } else if rank == 0 {
        format!("{base} (highest {feature})")
    } else if rank + 1 == k {
        format!("{base} (lowest {feature})")
    } else {
        base
    }
}

fn generic(k: usize) -> Vec<String> {
    (0..k).map(|r| tier_name(r, k, "")).collect()
}

//! The rule that picks one segmentation among the candidates, written once here and quoted by the page,
//! the command line and docs/guide.md.

use super::Candidate;

/// Fewest and most segments a chosen segmentation may have.
pub const MIN_SEGMENTS: usize = 2;
pub const MAX_SEGMENTS: usize = 10;
/// Every segment holds at least this share of the customers...
pub const MIN_SHARE: f64 = 0.02;
/// ...and none more than this share.
pub const MAX_SHARE: f64 = 0.85;
/// At most this share of the customers left as noise (density methods).
pub const MAX_NOISE: f64 = 0.20;
/// Candidates within this much silhouette of the best count as equally good: the fewest segments wins.
pub const MARGIN: f64 = 0.01;
/// What each segment must add to the silhouette to be worth having: candidates are compared by their
/// silhouette less this much per segment, so ten segments beat five only when their silhouette is
/// higher by more than 0.05. A marketer acts on a few segments; the silhouette of small, tight groups
/// keeps rising as a file is cut finer, whatever its structure.
pub const PER_SEGMENT: f64 = 0.01;
/// Below this best silhouette, no candidate separates the customers clearly.
pub const CLEAR: f64 = 0.25;
/// A shortlisted candidate whose segments come back less alike than this on subsamples (adjusted Rand
/// index) gives way to the next stable one.
pub const MIN_STABILITY: f64 = 0.5;
/// How many of the best candidates have their stability measured.
pub const SHORTLIST: usize = 3;
pub use crate::advice::FEW_LEVELS;
/// A candidate with one segment more that only divides one of the pick's segments (each of its
/// segments inside one of the pick's for at least [`NESTED`] of the customers) replaces the pick when
/// its silhouette is within this much of the pick's.
pub const REFINE_MARGIN: f64 = 0.05;
pub const NESTED: f64 = 0.95;
/// Segments that follow the values of one or two discrete features in at least this share of customers
/// are only those values, and do not qualify.
pub const REPRODUCED: f64 = 0.95;

/// A column of many values with one value held by at least this share of the customers (a sentinel
/// such as -1 for "never", a count that is mostly 0) splits them crisply at that value, like a yes/no
/// flag: whether a customer is at it counts as a flag of its own in the [`REPRODUCED`] check.
pub const POINT_MASS: f64 = 0.5;

/// Segments that one column's thresholds reproduce are only ranges of it when, at every threshold, the
/// customers are at least this dense as around the median of the thinner segment beside it: no gap.
pub const NO_GAP: f64 = 0.5;

/// The rule in words (the page and docs/guide.md show it).
pub fn rule_text() -> String {
    format!(
        "A segmentation qualifies when it has {MIN_SEGMENTS} to {MAX_SEGMENTS} segments, none under {:.0}% or over \
         {:.0}% of customers, and at most {:.0}% of customers left as noise. Among those, the highest silhouette \
         wins (counting each customer left as noise as 0, so leaving the hardest customers out does not raise \
         it), less {PER_SEGMENT} for each segment (a segment more must add that much); one with fewer segments \
         within {MARGIN} of it is preferred; one with a segment more that only \
         divides one of its segments in two ({:.0}% of customers nested) replaces it when its silhouette is \
         within {REFINE_MARGIN}. The best {SHORTLIST} are refitted on \
         80% subsamples: one whose segments come back less alike than {MIN_STABILITY} (adjusted Rand index) \
         gives way to the next stable one. Segments that are only the values of one or two columns of at most \
         {FEW_LEVELS} values (a yes/no flag, a pair of them: {:.0}% of customers or more in the segment their \
         values give) never qualify, nor segments that are only whether a customer is at a value that {:.0}% of \
         customers or more share (a sentinel such as -1, a count that is mostly 0): such a split is crisp \
         whatever the customers do. Nor do segments that are only one column cut into ranges: its thresholds \
         place {:.0}% of customers, no other column differs between the segments, and at every threshold \
         customers are at least {:.0}% as dense as around the neighbouring segments' medians (no gap, as \
         in a day of the month spread evenly). Below a silhouette of \
         {CLEAR} no segmentation separates the customers clearly, and the segments are shown as tiers.",
        MIN_SHARE * 100.0,
        MAX_SHARE * 100.0,
        MAX_NOISE * 100.0,
        NESTED * 100.0,
        REPRODUCED * 100.0,
        POINT_MASS * 100.0,
        REPRODUCED * 100.0,
        NO_GAP * 100.0,
    )
}

/// Why a segmentation with these figures does not qualify; None when it does.
pub fn rejection(segments: usize, smallest: f64, largest: f64, noise: f64) -> Option<String> {
    if segments < MIN_SEGMENTS {
        Some("fewer than 2 segments".into())
    } else if segments > MAX_SEGMENTS {
        Some(format!("more than {MAX_SEGMENTS} segments"))
    } else if largest > MAX_SHARE {
        Some(format!(
            "one segment holds {:.0}% of customers (over {:.0}%)",
            largest * 100.0,
            MAX_SHARE * 100.0
        ))
    } else if smallest < MIN_SHARE {
        Some(format!("a segment of {:.1}% of customers (under {:.0}%)", smallest * 100.0, MIN_SHARE * 100.0))
    } else if noise > MAX_NOISE {
        Some(format!("{:.0}% noise (over {:.0}%)", noise * 100.0, MAX_NOISE * 100.0))
    } else {
        None
    }
}

/// A candidate's separation over every customer: its silhouette (measured on the customers in a
/// segment) counted as 0 for those left as noise. A density method that leaves the customers hardest
/// to place as noise raises its silhouette by leaving them out; a marketer still has those customers,
/// so the rule compares what the segmentation does for all of them.
pub fn separation(c: &Candidate) -> Option<f64> {
    c.silhouette.map(|s| s * (1.0 - c.noise_share))
}

/// A candidate's [`separation`] less [`PER_SEGMENT`] per segment: what the rule compares.
pub fn worth(separation: f64, segments: usize) -> f64 {
    separation - PER_SEGMENT * segments as f64
}

/// The qualifying candidates in the order the rule prefers them (before stability): the pick first
/// (the fewest segments within [`MARGIN`] of the best [`worth`]; among those, the earliest view of the
/// data, the advised one first, then the higher worth), then the others by worth.
pub fn ranking(candidates: &[Candidate]) -> Vec<usize> {
    let mut qualifying: Vec<(usize, f64)> = candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.rejected.is_none() && !c.manual_only)
        .filter_map(|(i, c)| separation(c).map(|s| (i, worth(s, c.segments))))
        .collect();
    qualifying.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let Some(&(_, best)) = qualifying.first() else { return Vec::new() };
    let pick = qualifying
        .iter()
        .filter(|(_, s)| *s >= best - MARGIN)
        .min_by(|a, b| {
            let (ca, cb) = (&candidates[a.0], &candidates[b.0]);
            ca.segments.cmp(&cb.segments).then(ca.view.cmp(&cb.view)).then(b.1.total_cmp(&a.1))
        })
        .map(|&(i, _)| i);
    let mut order: Vec<usize> = pick.into_iter().collect();
    order.extend(qualifying.iter().map(|&(i, _)| i).filter(|i| Some(*i) != pick));
    order
}

/// When nothing qualifies: the most balanced candidate with a silhouette (smallest largest segment,
/// then the higher silhouette), so the person still gets an answer.
pub fn most_balanced(candidates: &[Candidate]) -> Option<usize> {
    candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.manual_only && c.silhouette.is_some() && c.segments >= MIN_SEGMENTS)
        // A k the customers' distinct values could not fill: the fit on every row would refuse it.
        .filter(|(_, c)| !c.unfillable)
        .min_by(|(_, a), (_, b)| {
            let over = |c: &Candidate| usize::from(c.segments > MAX_SEGMENTS || c.noise_share > MAX_NOISE);
            over(a)
                .cmp(&over(b))
                .then(a.largest_share.total_cmp(&b.largest_share))
                .then(b.silhouette.unwrap_or(-1.0).total_cmp(&a.silhouette.unwrap_or(-1.0)))
        })
        .map(|(i, _)| i)
}

/// After the stability of the shortlisted is known: the first stable one in `order`, else the first.
pub fn pick_stable(candidates: &[Candidate], order: &[usize]) -> Option<usize> {
    order
        .iter()
        .take(SHORTLIST)
        .copied()
        .find(|&i| candidates[i].stability.is_none_or(|s| s >= MIN_STABILITY))
        .or_else(|| order.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::AnalysisSpec;

    fn candidate(segments: usize, silhouette: f64, largest: f64) -> Candidate {
        Candidate {
            spec: AnalysisSpec::original_project(),
            representation: String::new(),
            segments,
            smallest_share: 0.05,
            largest_share: largest,
            noise_share: 0.0,
            silhouette: Some(silhouette),
            davies_bouldin: None,
            calinski_harabasz: None,
            stability: None,
            rejected: rejection(segments, 0.05, largest, 0.0),
            unfillable: false,
            manual_only: false,
            view: 0,
        }
    }

    #[test]
    fn the_best_silhouette_wins_and_fewer_segments_within_the_margin() {
        let c = vec![candidate(6, 0.43, 0.3), candidate(5, 0.425, 0.3), candidate(2, 0.30, 0.6)];
        assert_eq!(ranking(&c), vec![1, 0, 2]);
        // A lopsided split does not qualify, whatever its silhouette.
        let c = vec![candidate(2, 0.9, 0.95), candidate(4, 0.4, 0.5)];
        assert_eq!(c[0].rejected.as_deref(), Some("one segment holds 95% of customers (over 85%)"));
        assert_eq!(ranking(&c), vec![1]);
        assert_eq!(most_balanced(&[candidate(2, 0.9, 0.95), candidate(3, 0.5, 0.9)]), Some(1));
    }

    #[test]
    fn each_segment_more_must_add_to_the_silhouette() {
        // Ten segments a little clearer than six: the six win (0.442 - 0.10 < 0.43 - 0.06).
        let c = vec![candidate(10, 0.442, 0.2), candidate(5, 0.384, 0.3), candidate(6, 0.43, 0.3)];
        assert_eq!(ranking(&c)[0], 2);
        // Ten segments far clearer than five: the ten win.
        let c = vec![candidate(10, 0.50, 0.2), candidate(5, 0.384, 0.3)];
        assert_eq!(ranking(&c), vec![0, 1]);
    }

    #[test]
    fn customers_left_as_noise_count_as_unseparated() {
        // A density method's 0.56 on the 84% it places (0.47 over everyone) against k-means' 0.50 on
        // everyone: k-means wins, though the density method's own silhouette is higher.
        let mut density = candidate(3, 0.56, 0.3);
        density.noise_share = 0.16;
        let c = vec![density, candidate(3, 0.50, 0.4)];
        assert!((separation(&c[0]).unwrap_or(0.0) - 0.4704).abs() < 1e-9);
        assert_eq!(ranking(&c), vec![1, 0]);
        // With little noise, the clearer segments still win.
        let mut density = candidate(3, 0.56, 0.3);
        density.noise_share = 0.02;
        assert_eq!(ranking(&[density, candidate(3, 0.50, 0.4)]), vec![0, 1]);
    }

    #[test]
    fn an_unstable_pick_gives_way() {
        let mut c = vec![candidate(3, 0.5, 0.4), candidate(4, 0.45, 0.4)];
        c[0].stability = Some(0.3);
        c[1].stability = Some(0.9);
        assert_eq!(pick_stable(&c, &ranking(&c)), Some(1));
        c[1].stability = Some(0.2);
        assert_eq!(pick_stable(&c, &ranking(&c)), Some(0));
    }

    #[test]
    fn rejections_say_why() {
        assert_eq!(rejection(1, 1.0, 1.0, 0.0).as_deref(), Some("fewer than 2 segments"));
        assert_eq!(rejection(12, 0.05, 0.2, 0.0).as_deref(), Some("more than 10 segments"));
        assert_eq!(
            rejection(3, 0.01, 0.5, 0.0).as_deref(),
            Some("a segment of 1.0% of customers (under 2%)")
        );
        assert_eq!(rejection(3, 0.1, 0.5, 0.3).as_deref(), Some("30% noise (over 20%)"));
        assert_eq!(rejection(3, 0.1, 0.5, 0.1), None);
    }
}

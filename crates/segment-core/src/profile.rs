//! Profile: what each segment means, in plain words. Each feature's segment mean is compared with the
//! mean of all segmented customers ("visits 1.4x the average"), and a name is suggested from the
//! relative levels of features whose names say what they measure (spend, discounts, activity).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureLevel {
    pub feature: String,
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub mean: f64,
    /// Segment mean over the mean of all segmented customers (1 = average); NaN when the average is 0
    /// (sent as null: JSON has no NaN).
    #[serde(deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub ratio: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentProfile {
    pub segment: usize,
    pub size: usize,
    pub levels: Vec<FeatureLevel>,
    pub description: String,
    pub suggested_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Spend,
    Discount,
    Activity,
}

/// What a column measures, from words in its name (English, Spanish, Portuguese, French, German).
pub(crate) fn role_of(feature: &str) -> Option<Role> {
    let f = feature.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| f.contains(w));
    if has(&["discount", "descuento", "desconto", "remise", "rabatt", "coupon", "promo"]) {
        Some(Role::Discount)
    } else if has(&[
        "purchase", "compra", "spend", "amount", "monto", "revenue", "sales", "venta", "monetary", "value",
        "total", "umsatz", "achat",
    ]) {
        Some(Role::Spend)
    } else if has(&["visit", "session", "click", "frequency", "orders", "pedidos", "login", "besuch"]) {
        Some(Role::Activity)
    } else {
        None
    }
}

/// How a ratio to the average reads.
fn describe_ratio(ratio: f64) -> String {
    if !ratio.is_finite() {
        "not comparable".into()
    } else if (0.9..=1.1).contains(&ratio) {
        "about average".into()
    } else if ratio > 1.0 {
        format!("{ratio:.1}x the average")
    } else {
        format!("below average ({ratio:.1}x)")
    }
}

/// Profiles of every segment. `segment_means[s][j]` and `overall_means[j]` are in the file's units.
pub fn profiles(
    features: &[String],
    segment_sizes: &[usize],
    segment_means: &[Vec<f64>],
) -> Vec<SegmentProfile> {
    let total: usize = segment_sizes.iter().sum();
    let overall: Vec<f64> = (0..features.len())
        .map(|j| {
            segment_means
                .iter()
                .zip(segment_sizes)
                .filter(|(_, &n)| n > 0)
                .map(|(m, &n)| m[j] * n as f64)
                .sum::<f64>()
                / total.max(1) as f64
        })
        .collect();
    let ratio = |mean: f64, j: usize| if overall[j] != 0.0 { mean / overall[j] } else { f64::NAN };
    let mut out: Vec<SegmentProfile> = segment_means
        .iter()
        .zip(segment_sizes)
        .enumerate()
        .map(|(s, (means, &size))| {
            let levels: Vec<FeatureLevel> = features
                .iter()
                .zip(means)
                .enumerate()
                .map(|(j, (f, &mean))| FeatureLevel { feature: f.clone(), mean, ratio: ratio(mean, j) })
                .collect();
            // Most distinctive first: the furthest from average on a log scale.
            let mut ordered: Vec<&FeatureLevel> = levels.iter().collect();
            ordered.sort_by(|a, b| distinctiveness(b.ratio).total_cmp(&distinctiveness(a.ratio)));
            let description =
                if size == 0 { "no customers in this file".to_string() } else { describe(&ordered) };
            SegmentProfile { segment: s, size, levels, description, suggested_name: String::new() }
        })
        .collect();
    let names = suggest_names(features, &out);
    for (p, name) in out.iter_mut().zip(names) {
        p.suggested_name = name;
    }
    out
}

/// Features a profile names one by one; beyond, the rest are summed up in a few words.
pub const PROFILE_FEATURES: usize = 5;

/// The profile in words, most distinctive feature first: every feature up to [`PROFILE_FEATURES`];
/// with more, the first [`PROFILE_FEATURES`] and how many others are near the average.
fn describe(ordered: &[&FeatureLevel]) -> String {
    let words = |l: &&FeatureLevel| format!("{} {}", l.feature, describe_ratio(l.ratio));
    if ordered.len() <= PROFILE_FEATURES {
        return ordered.iter().map(words).collect::<Vec<_>>().join(", ");
    }
    let shown: Vec<String> = ordered.iter().take(PROFILE_FEATURES).map(words).collect();
    let rest = ordered.len() - PROFILE_FEATURES;
    let near = ordered[PROFILE_FEATURES..].iter().filter(|l| (0.8..=1.25).contains(&l.ratio)).count();
    let tail = if near == rest {
        format!("the other {rest} features near the average")
    } else {
        format!("{rest} more features, {near} of them near the average")
    };
    format!("{}; {tail}", shown.join(", "))
}

fn distinctiveness(ratio: f64) -> f64 {
    if ratio.is_finite() && ratio > 0.0 {
        ratio.ln().abs()
    } else {
        0.0
    }
}

fn suggest_names(features: &[String], profiles: &[SegmentProfile]) -> Vec<String> {
    let roles: Vec<Option<Role>> = features.iter().map(|f| role_of(f)).collect();
    // The mean ratio of a segment over the features of one role (None when no feature has it).
    let level = |p: &SegmentProfile, role: Role| -> Option<f64> {
        let r: Vec<f64> =
            p.levels.iter().zip(&roles).filter(|(_, r)| **r == Some(role)).map(|(l, _)| l.ratio).collect();
        (!r.is_empty()).then(|| r.iter().sum::<f64>() / r.len() as f64)
    };
    let is_max = |p: &SegmentProfile, role: Role| {
        let mine = level(p, role);
        mine.is_some() && profiles.iter().all(|q| level(q, role) <= mine)
    };
    let mut names: Vec<String> = profiles
        .iter()
        .map(|p| {
            let spend = level(p, Role::Spend);
            let discount = level(p, Role::Discount);
            let activity = level(p, Role::Activity);
            if is_max(p, Role::Discount) && discount > Some(1.5) {
                if activity > Some(1.1) { "Active Savers" } else { "Discount Hunters" }.to_string()
            } else if is_max(p, Role::Spend) && spend > Some(1.2) {
                "High Spenders".to_string()
            } else if is_max(p, Role::Activity) && activity > Some(1.2) {
                "Frequent Visitors".to_string()
            } else if activity.is_some_and(|a| a < 0.8)
                && profiles.iter().all(|q| level(q, Role::Activity) >= activity)
            {
                "Occasional Visitors".to_string()
            } else if activity.map_or_else(
                || p.levels.iter().all(|l| l.ratio.is_finite() && (0.8..=1.25).contains(&l.ratio)),
                |a| (0.8..=1.25).contains(&a),
            ) {
                // Neither extreme: average activity (or, without an activity column, no feature far
                // from average).
                "Balanced Users".to_string()
            } else {
                generic_name(p)
            }
        })
        .collect();
    // Names must tell segments apart: a taken name falls back to the segment's most distinctive
    // feature, then to a number.
    for i in 0..names.len() {
        if names[..i].contains(&names[i]) {
            names[i] = generic_name(&profiles[i]);
        }
        let base = names[i].clone();
        let mut k = 2;
        while names[..i].contains(&names[i]) {
            names[i] = format!("{base} {k}");
            k += 1;
        }
    }
    names
}

/// "High <feature>, low <feature>" from the two most distinctive features (those at least 10% off the
/// average; one when only one is), "Very" beyond twice or half the average.
fn generic_name(p: &SegmentProfile) -> String {
    let mut ordered: Vec<&FeatureLevel> =
        p.levels.iter().filter(|l| l.ratio.is_finite() && !(0.9..=1.1).contains(&l.ratio)).collect();
    ordered.sort_by(|a, b| distinctiveness(b.ratio).total_cmp(&distinctiveness(a.ratio)));
    let words: Vec<String> = ordered
        .iter()
        .take(2)
        .map(|l| {
            let level = match l.ratio {
                r if r >= 2.0 => "very high",
                r if r > 1.0 => "high",
                r if r <= 0.5 => "very low",
                _ => "low",
            };
            format!("{level} {}", l.feature)
        })
        .collect();
    let Some(first) = words.first() else { return format!("Segment {}", p.segment + 1) };
    let mut name = words.join(", ");
    name.replace_range(..1, &first[..1].to_uppercase());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_segments_get_the_original_names() {
        // The original project's cluster means (visits, purchases, discounts) and names.
        let features: Vec<String> =
            ["n_visitas", "monto_compras", "monto_descuentos"].map(String::from).to_vec();
        let sizes = [18_330, 18_273, 15_688];
        let means = vec![vec![88.8, 646.2, 145.7], vec![66.7, 3219.1, 80.2], vec![126.6, 1382.3, 1122.3]];
        let p = profiles(&features, &sizes, &means);
        let names: Vec<&str> = p.iter().map(|p| p.suggested_name.as_str()).collect();
        assert_eq!(names, vec!["Balanced Users", "High Spenders", "Active Savers"]);
        assert!(p[2].description.starts_with("monto_descuentos 2.7x the average"), "{}", p[2].description);
        assert!(p[0].description.contains("monto_compras below average (0.4x)"), "{}", p[0].description);
    }

    #[test]
    fn unknown_columns_get_generic_distinct_names() {
        let features: Vec<String> = ["f1", "f2"].map(String::from).to_vec();
        let p = profiles(&features, &[10, 10, 10], &[vec![10.0, 1.0], vec![1.0, 1.0], vec![11.0, 1.0]]);
        let names: Vec<&str> = p.iter().map(|p| p.suggested_name.as_str()).collect();
        assert_eq!(names, vec!["High f1", "Very low f1", "High f1 2"]);
        // Two features apart from the average name a segment by both.
        let p = profiles(&features, &[10, 10], &[vec![10.0, 1.0], vec![1.0, 3.0]]);
        assert_eq!(p[0].suggested_name, "Very low f2, high f1");
        assert_eq!(p[1].suggested_name, "Very low f1, high f2");
    }
}

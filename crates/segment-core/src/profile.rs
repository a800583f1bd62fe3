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
    /// A yes/no feature (every value 0 or 1): its means are shares of customers, said in percent.
    #[serde(default)]
    pub yes_no: bool,
    /// The mean of all segmented customers.
    #[serde(default, deserialize_with = "crate::serde_nan::f64_or_nan")]
    pub overall: f64,
    /// A date feature: its values are days before the file's latest date, said as how long ago.
    #[serde(default)]
    pub days: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentProfile {
    pub segment: usize,
    pub size: usize,
    pub levels: Vec<FeatureLevel>,
    pub description: String,
    pub suggested_name: String,
    /// What the yes/no columns and categories that are not features say of the segment, where it differs
    /// from all customers ("newsletter yes for 62% (38% overall)", "country Spain for 40% (20%
    /// overall)"): flags and categories describe segments without defining them.
    #[serde(default)]
    pub traits: Vec<String>,
    /// Who is in the segment as at most three conditions in the file's units, with how well they match
    /// it (None: no condition describes it, or too many segments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<crate::rules::SegmentRule>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Spend,
    Discount,
    Activity,
}

/// Words of a column that counts purchases or orders (the activity of buying).
const BUYING: &[&str] = &["purchase", "compra", "order", "pedido", "achat", "kauf", "buy"];
/// Words of a column that counts visits to a shop or a site.
const VISITING: &[&str] = &["visit", "session", "click", "login", "besuch"];

/// What a column measures, from words in its name (English, Spanish, Portuguese, French, German).
/// A frequency or count is activity only when it is of purchases or visits (or the column is just
/// "frequency", as in a table of recency, frequency and monetary): a balance's update frequency or a
/// count of cash advances says nothing of how often a customer buys or visits.
pub(crate) fn role_of(feature: &str) -> Option<Role> {
    let f = feature.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| f.contains(w));
    let tokens: Vec<&str> = f.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect();
    let how_often = tokens.iter().any(|t| t.starts_with("freq") || ["trx", "count", "times"].contains(t));
    if has(&["discount", "descuento", "desconto", "remise", "rabatt", "coupon", "promo"]) {
        Some(Role::Discount)
    } else if how_often {
        (tokens.len() == 1 || has(BUYING) || has(VISITING)).then_some(Role::Activity)
    } else if has(&[
        "purchase", "compra", "spend", "amount", "monto", "revenue", "sales", "venta", "monetary", "value",
        "total", "umsatz", "achat",
    ]) {
        Some(Role::Spend)
    } else if has(VISITING) || has(&["orders", "pedidos"]) {
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

/// A share of customers in percent: whole percents, a tenth below one.
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p > 0.0 && p < 1.0 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

/// How a feature of a segment reads: a yes/no feature by its share of the segment's customers against
/// all of them ("SeniorCitizen yes for 42% (16% overall)"), any other by its ratio to the average.
fn describe_level(l: &FeatureLevel) -> String {
    if l.yes_no {
        format!("{} yes for {} ({} overall)", l.feature, percent(l.mean), percent(l.overall))
    } else if l.days {
        format!("{} {:.0} days ago on average ({:.0} overall)", l.feature, l.mean, l.overall)
    } else {
        format!("{} {}", l.feature, describe_ratio(l.ratio))
    }
}

/// Profiles of every segment. `segment_means[s][j]` are in the file's units; `yes_no[j]`: feature `j`
/// is a yes/no column (every value 0 or 1), whose means are shares.
pub fn profiles(
    features: &[String],
    yes_no: &[bool],
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
                .map(|(j, (f, &mean))| FeatureLevel {
                    feature: f.clone(),
                    mean,
                    ratio: ratio(mean, j),
                    yes_no: yes_no.get(j).copied().unwrap_or(false),
                    overall: overall[j],
                    days: false,
                })
                .collect();
            let description = profile_words(&levels, size);
            SegmentProfile {
                segment: s,
                size,
                levels,
                description,
                suggested_name: String::new(),
                traits: Vec::new(),
                rule: None,
            }
        })
        .collect();
    let names = suggest_names(features, &out);
    for (p, name) in out.iter_mut().zip(names) {
        p.suggested_name = name;
    }
    out
}

/// A segment's profile in words, its most distinctive feature first (the furthest from average on a
/// log scale).
fn profile_words(levels: &[FeatureLevel], size: usize) -> String {
    if size == 0 {
        return "no customers in this file".to_string();
    }
    let mut ordered: Vec<&FeatureLevel> = levels.iter().collect();
    ordered.sort_by(|a, b| distinctiveness(b.ratio).total_cmp(&distinctiveness(a.ratio)));
    describe(&ordered)
}

/// Marks the date features (`days[j]`: feature `j` is days before the file's latest date) and says
/// them so: "last_order 12 days ago on average (95 overall)", "Very recent last_order".
pub fn mark_dates(features: &[String], days: &[bool], profiles: &mut [SegmentProfile]) {
    if !days.iter().any(|&d| d) {
        return;
    }
    for p in profiles.iter_mut() {
        for (level, &d) in p.levels.iter_mut().zip(days) {
            level.days = d;
        }
        p.description = profile_words(&p.levels, p.size);
    }
    let names = suggest_names(features, profiles);
    for (p, name) in profiles.iter_mut().zip(names) {
        p.suggested_name = name;
    }
}

/// Features a profile names one by one; beyond, the rest are summed up in a few words.
pub const PROFILE_FEATURES: usize = 5;

/// The profile in words, most distinctive feature first: every feature up to [`PROFILE_FEATURES`];
/// with more, the first [`PROFILE_FEATURES`] and how many others are near the average.
fn describe(ordered: &[&FeatureLevel]) -> String {
    let words = |l: &&FeatureLevel| describe_level(l);
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
    // Who the activity columns count: buyers when they all count purchases or orders (a lone
    // "frequency", as in recency-frequency-monetary tables, counts purchases).
    let buying = |f: &String| {
        let f = f.to_lowercase();
        f.trim() == "frequency" || BUYING.iter().any(|w| f.contains(w))
    };
    let activity_columns: Vec<&String> =
        features.iter().zip(&roles).filter(|(_, r)| **r == Some(Role::Activity)).map(|(f, _)| f).collect();
    let who = if !activity_columns.is_empty() && activity_columns.iter().all(|f| buying(f)) {
        "Buyers"
    } else {
        "Visitors"
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
                format!("Frequent {who}")
            } else if activity.is_some_and(|a| a < 0.8)
                && profiles.iter().all(|q| level(q, Role::Activity) >= activity)
            {
                format!("Occasional {who}")
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
            // A yes/no feature is said by how many customers have it.
            let level = match l.ratio {
                _ if l.yes_no && l.mean >= 1.0 => "all",
                _ if l.yes_no && l.mean <= 0.0 => "no",
                r if l.yes_no && r > 1.0 && l.mean >= 0.5 => "mostly",
                r if l.yes_no && r > 1.0 => "more",
                r if l.yes_no && r <= 0.5 => "few",
                _ if l.yes_no => "fewer",
                // Days before the latest date: fewer is more recent.
                r if l.days && r <= 0.5 => "very recent",
                r if l.days && r < 1.0 => "recent",
                r if l.days && r >= 2.0 => "long-ago",
                _ if l.days => "older",
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

/// A flag's share in a segment is worth saying when it differs from the overall share by at least this
/// much (10 percentage points)...
pub const TRAIT_POINTS: f64 = 0.10;
/// ...and by at least this factor either way.
pub const TRAIT_LIFT: f64 = 1.25;
/// Traits said per segment, the most different first.
pub const MAX_TRAITS: usize = 3;

/// Fills each profile's [`SegmentProfile::traits`] from the yes/no columns of `table` that are not
/// features (a column of two values: yes/no words, or two numbers, the larger read as yes) and its
/// categories (the level most over-represented in the segment), over the `kept` rows and their
/// `labels` (-1: noise).
pub fn describe_traits(
    table: &crate::ingest::Table,
    features: &[String],
    kept: &[usize],
    labels: &[i32],
    profiles: &mut [SegmentProfile],
) {
    let k = profiles.len();
    // Per segment: (difference in points, words).
    let mut found: Vec<Vec<(f64, String)>> = vec![Vec::new(); k];
    for c in &table.columns {
        if features.contains(&c.name) || c.distinct != 2 {
            continue;
        }
        let yes = match c.kind {
            crate::ingest::ColumnKind::Boolean => 1.0,
            crate::ingest::ColumnKind::Numeric => {
                c.values.iter().filter(|v| v.is_finite()).fold(f64::NEG_INFINITY, f64::max)
            }
            _ => continue,
        };
        let (mut seg_yes, mut seg_n) = (vec![0usize; k], vec![0usize; k]);
        let (mut all_yes, mut all_n) = (0usize, 0usize);
        for (&row, &label) in kept.iter().zip(labels) {
            let v = c.values.at(row);
            if !v.is_finite() {
                continue;
            }
            let is_yes = usize::from(v == yes);
            all_yes += is_yes;
            all_n += 1;
            if let Ok(s) = usize::try_from(label) {
                if s < k {
                    seg_yes[s] += is_yes;
                    seg_n[s] += 1;
                }
            }
        }
        if all_n == 0 {
            continue;
        }
        let overall = all_yes as f64 / all_n as f64;
        let value =
            if c.kind == crate::ingest::ColumnKind::Boolean { "yes".to_string() } else { format!("{yes}") };
        for s in 0..k {
            if seg_n[s] == 0 {
                continue;
            }
            let share = seg_yes[s] as f64 / seg_n[s] as f64;
            let lift = if overall > 0.0 { share / overall } else { f64::INFINITY };
            let lift_no = if overall < 1.0 { (1.0 - share) / (1.0 - overall) } else { f64::INFINITY };
            let differs = (share - overall).abs() >= TRAIT_POINTS
                && (lift >= TRAIT_LIFT || lift <= 1.0 / TRAIT_LIFT || lift_no >= TRAIT_LIFT);
            if differs {
                found[s].push((
                    (share - overall).abs(),
                    format!("{} {value} for {:.0}% ({:.0}% overall)", c.name, share * 100.0, overall * 100.0),
                ));
            }
        }
    }
    for c in &table.columns {
        if features.contains(&c.name) || c.kind != crate::ingest::ColumnKind::Categorical {
            continue;
        }
        if let Some(levels) = &c.levels {
            category_traits(&c.name, levels, kept, labels, &mut found);
        }
    }
    for (profile, mut traits) in profiles.iter_mut().zip(found) {
        traits.sort_by(|a, b| b.0.total_cmp(&a.0));
        profile.traits = traits.into_iter().take(MAX_TRAITS).map(|(_, t)| t).collect();
    }
}

/// A category's level said of a segment where it is over-represented ("country Spain for 40% (20%
/// overall)"), the most over-represented level of each segment.
fn category_traits(
    name: &str,
    levels: &crate::ingest::Levels,
    kept: &[usize],
    labels: &[i32],
    found: &mut [Vec<(f64, String)>],
) {
    for (s, best) in over_represented(levels, kept, labels, found.len()).into_iter().enumerate() {
        if let Some(Over { points, level, share, overall }) = best {
            found[s].push((
                points,
                format!(
                    "{name} {} for {:.0}% ({:.0}% overall)",
                    levels.names[level],
                    share * 100.0,
                    overall * 100.0
                ),
            ));
        }
    }
}

/// A category's most over-represented level in a segment: its share there and overall, and the
/// difference in points.
#[derive(Debug, Clone, Copy)]
struct Over {
    points: f64,
    level: usize,
    share: f64,
    overall: f64,
}

/// Per segment (`k` of them), the level of the category whose share there is at least
/// [`TRAIT_POINTS`] above and [`TRAIT_LIFT`] times its share overall, the furthest above; None when no
/// level is.
fn over_represented(
    levels: &crate::ingest::Levels,
    kept: &[usize],
    labels: &[i32],
    k: usize,
) -> Vec<Option<Over>> {
    let m = levels.names.len();
    // counts[s * m + level], and the segment's rows with a level.
    let (mut counts, mut seg_n) = (vec![0usize; k * m], vec![0usize; k]);
    let (mut all, mut all_n) = (vec![0usize; m], 0usize);
    for (&row, &label) in kept.iter().zip(labels) {
        let Some(level) = levels.at(row).filter(|&l| l < m) else { continue };
        all[level] += 1;
        all_n += 1;
        if let Ok(s) = usize::try_from(label) {
            if s < k {
                counts[s * m + level] += 1;
                seg_n[s] += 1;
            }
        }
    }
    (0..k)
        .map(|s| {
            if all_n == 0 || seg_n[s] == 0 {
                return None;
            }
            (0..m)
                .filter_map(|level| {
                    let overall = all[level] as f64 / all_n as f64;
                    let share = counts[s * m + level] as f64 / seg_n[s] as f64;
                    let over = share - overall >= TRAIT_POINTS && share >= TRAIT_LIFT * overall;
                    over.then_some(Over { points: share - overall, level, share, overall })
                })
                .max_by(|a, b| a.points.total_cmp(&b.points))
        })
        .collect()
}

/// For categories the segmentation compares by value (k-prototypes): their levels no longer speak as
/// numbers (how common a value is says nothing of the segment), the description and name start from
/// the category value that most marks the segment ("plan premium for 78% (25% overall)"; "High
/// Spenders, plan premium"), and the numbers follow.
pub fn categories_said_by_value(
    table: &crate::ingest::Table,
    features: &[String],
    categories: &[String],
    kept: &[usize],
    labels: &[i32],
    profiles: &mut [SegmentProfile],
) {
    let k = profiles.len();
    let mut best: Vec<Option<(f64, String)>> = vec![None; k];
    for c in categories {
        let Some(levels) = table.column(c).and_then(|c| c.levels.as_ref()) else { continue };
        for (s, over) in over_represented(levels, kept, labels, k).into_iter().enumerate() {
            let Some(o) = over else { continue };
            if best[s].as_ref().is_none_or(|b| o.points > b.0) {
                best[s] = Some((o.points, format!("{c} {}", levels.names[o.level])));
            }
        }
    }
    let numbers: Vec<String> = features.iter().filter(|f| !categories.contains(f)).cloned().collect();
    // The profiles as the numbers alone say them: their words and names.
    let numbers_only: Vec<SegmentProfile> = profiles
        .iter()
        .map(|p| SegmentProfile {
            levels: p.levels.iter().filter(|l| !categories.contains(&l.feature)).cloned().collect(),
            ..p.clone()
        })
        .collect();
    for (p, alone) in profiles.iter_mut().zip(&numbers_only) {
        for l in p.levels.iter_mut().filter(|l| categories.contains(&l.feature)) {
            l.ratio = f64::NAN;
        }
        p.description = profile_words(&alone.levels, p.size);
    }
    let names = suggest_names(&numbers, &numbers_only);
    let mut taken: Vec<String> = Vec::with_capacity(k);
    for ((p, name), best) in profiles.iter_mut().zip(names).zip(best) {
        let name = match best {
            Some((_, value)) => {
                let lead = p.traits.iter().position(|t| t.starts_with(&format!("{value} for ")));
                if let Some(lead) = lead.map(|i| p.traits.remove(i)) {
                    p.description =
                        if p.description.is_empty() { lead } else { format!("{lead}; {}", p.description) };
                }
                // The category tells the segment apart: the numbers' name without its number
                // ("Very low spend 2") and cut to its first phrase ("Very low tenure, very low
                // TotalCharges" to "Very low tenure"), so the name stays short; no generic "Segment 3".
                let base = name.trim_end_matches(|c: char| c.is_ascii_digit()).trim_end();
                let base = base.split(", ").next().unwrap_or(base);
                if base.is_empty() || base == "Segment" {
                    value
                } else {
                    format!("{base}, {value}")
                }
            }
            None => name,
        };
        let mut unique = name.clone();
        let mut n = 2;
        while taken.contains(&unique) {
            unique = format!("{name} {n}");
            n += 1;
        }
        taken.push(unique.clone());
        p.suggested_name = unique;
    }
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
        let p = profiles(&features, &[], &sizes, &means);
        let names: Vec<&str> = p.iter().map(|p| p.suggested_name.as_str()).collect();
        assert_eq!(names, vec!["Balanced Users", "High Spenders", "Active Savers"]);
        assert!(p[2].description.starts_with("monto_descuentos 2.7x the average"), "{}", p[2].description);
        assert!(p[0].description.contains("monto_compras below average (0.4x)"), "{}", p[0].description);
    }

    #[test]
    fn a_frequency_is_activity_only_when_it_counts_purchases_or_visits() {
        // A credit-card export's columns.
        for (column, role) in [
            ("PURCHASES_FREQUENCY", Some(Role::Activity)),
            ("ONEOFF_PURCHASES_FREQUENCY", Some(Role::Activity)),
            ("PURCHASES_TRX", Some(Role::Activity)),
            ("BALANCE_FREQUENCY", None),
            ("CASH_ADVANCE_FREQUENCY", None),
            ("CASH_ADVANCE_TRX", None),
            ("PURCHASES", Some(Role::Spend)),
            ("account_total", Some(Role::Spend)),
            ("frequency", Some(Role::Activity)),
            ("visit_count", Some(Role::Activity)),
            ("n_visitas", Some(Role::Activity)),
            ("country", None),
        ] {
            assert_eq!(role_of(column), role, "{column}");
        }
        // Segments apart by how often they buy are buyers; by cash advances, named by that column.
        let features: Vec<String> =
            ["PURCHASES", "PURCHASES_FREQUENCY", "CASH_ADVANCE_FREQUENCY"].map(String::from).to_vec();
        let p = profiles(
            &features,
            &[],
            &[10, 10, 10],
            &[vec![1.0, 0.9, 0.1], vec![1.0, 0.1, 0.9], vec![1.0, 0.5, 0.5]],
        );
        let names: Vec<&str> = p.iter().map(|p| p.suggested_name.as_str()).collect();
        assert_eq!(names[0], "Frequent Buyers");
        assert_eq!(names[1], "Occasional Buyers");
        // A recency-frequency-monetary table's frequency counts purchases.
        let rfm: Vec<String> = ["recency", "frequency", "monetary"].map(String::from).to_vec();
        let p = profiles(&rfm, &[], &[10, 10], &[vec![1.0, 6.0, 1.0], vec![1.0, 1.0, 1.0]]);
        assert_eq!(p[0].suggested_name, "Frequent Buyers");
    }

    #[test]
    fn a_date_feature_is_said_as_how_long_ago() {
        let features: Vec<String> = ["last_seen", "f1"].map(String::from).to_vec();
        let mut p = profiles(&features, &[], &[10, 10], &[vec![5.0, 10.0], vec![195.0, 1.0]]);
        mark_dates(&features, &[true, false], &mut p);
        assert!(
            p[0].description.contains("last_seen 5 days ago on average (100 overall)"),
            "{}",
            p[0].description
        );
        assert_eq!(p[0].suggested_name, "Very recent last_seen, high f1");
        assert_eq!(p[1].suggested_name, "Very low f1, older last_seen");
    }

    #[test]
    fn unknown_columns_get_generic_distinct_names() {
        let features: Vec<String> = ["f1", "f2"].map(String::from).to_vec();
        let p = profiles(&features, &[], &[10, 10, 10], &[vec![10.0, 1.0], vec![1.0, 1.0], vec![11.0, 1.0]]);
        let names: Vec<&str> = p.iter().map(|p| p.suggested_name.as_str()).collect();
        assert_eq!(names, vec!["High f1", "Very low f1", "High f1 2"]);
        // Two features apart from the average name a segment by both.
        let p = profiles(&features, &[], &[10, 10], &[vec![10.0, 1.0], vec![1.0, 3.0]]);
        assert_eq!(p[0].suggested_name, "Very low f2, high f1");
        assert_eq!(p[1].suggested_name, "Very low f1, high f2");
    }

    #[test]
    fn a_yes_no_feature_is_said_by_its_share_of_customers() {
        // A telecom export: senior citizens (0/1) and monthly charges.
        let features: Vec<String> = ["SeniorCitizen", "MonthlyCharges"].map(String::from).to_vec();
        let p = profiles(
            &features,
            &[true, false],
            &[60, 30, 10],
            &[vec![0.05, 40.0], vec![0.4, 90.0], vec![0.0, 60.0]],
        );
        // Overall: (3 + 12 + 0) / 100 = 15% senior citizens.
        assert!(p[1].description.contains("SeniorCitizen yes for 40% (15% overall)"), "{}", p[1].description);
        assert!(p[0].description.contains("SeniorCitizen yes for 5% (15% overall)"), "{}", p[0].description);
        assert!(p[0].description.contains("MonthlyCharges below average"), "{}", p[0].description);
        let names: Vec<&str> = p.iter().map(|p| p.suggested_name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "Few SeniorCitizen, low MonthlyCharges",
                "More SeniorCitizen, high MonthlyCharges",
                "No SeniorCitizen"
            ]
        );
        assert_eq!((p[1].levels[0].yes_no, p[1].levels[1].yes_no), (true, false));
    }

    #[test]
    fn a_category_describes_a_segment_by_its_over_represented_value() {
        // 100 customers in two segments: Germany is 60% of segment 0 and 30% overall; the plan is
        // spread evenly (said of none); a code column of 100 values is no category.
        let mut csv = String::from("spend,country,plan,code\n");
        for i in 0..100 {
            let country = match (i < 50, i % 10) {
                (true, 0..=3) => "Spain",
                (false, 0..=5) => "France",
                (true, _) => "Germany",
                (false, _) => "Italy",
            };
            csv.push_str(&format!("{},{country},{},C{i}\n", i, ["basic", "plus"][i % 2]));
        }
        let table = crate::ingest::read_csv(csv.as_bytes(), &mut |_| {}).unwrap_or_else(|e| panic!("{e}"));
        let country = table.column("country").unwrap_or_else(|| panic!("country"));
        assert_eq!(country.kind, crate::ingest::ColumnKind::Categorical);
        let levels = country.levels.as_ref().unwrap_or_else(|| panic!("levels"));
        assert_eq!(levels.names.len(), 4);
        assert_eq!(levels.at(0).map(|l| levels.names[l].as_str()), Some("Spain"));
        let kept: Vec<usize> = (0..100).collect();
        let labels: Vec<i32> = (0..100).map(|i| i32::from(i >= 50)).collect();
        let features = vec!["spend".to_string()];
        let mut p = profiles(&features, &[false], &[50, 50], &[vec![24.5], vec![74.5]]);
        describe_traits(&table, &features, &kept, &labels, &mut p);
        // Germany is 60% of segment 0 (30% overall): the most different level is said.
        assert_eq!(p[0].traits, vec!["country Germany for 60% (30% overall)".to_string()]);
        assert_eq!(p[1].traits, vec!["country France for 60% (30% overall)".to_string()]);
        // Noise rows (-1) count overall only.
        let labels: Vec<i32> = (0..100).map(|i| if i < 50 { 0 } else { -1 }).collect();
        let mut p = profiles(&features, &[false], &[50], &[vec![24.5]]);
        describe_traits(&table, &features, &kept, &labels, &mut p);
        assert_eq!(p[0].traits, vec!["country Germany for 60% (30% overall)".to_string()]);
    }
}

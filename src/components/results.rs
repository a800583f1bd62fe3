//! The outcome of a run: counts, segment sizes with their means, the scores and the cleaning report.

use super::canvas::{paint, PngButton};
use super::figure::Folding;
use super::state;
use crate::charts::palette::{css_colour, css_rgb, OTHERS_COLOUR};
use crate::charts::silhouette::{draw_silhouette, SilhouettePlot};
use crate::format::{decimal, percent, thousands};
use crate::state::{AppState, Status};
use leptos::prelude::*;
use segment_core::pipeline::AnalysisResult;
use segment_core::score::scores_in_words;
use std::sync::Arc;

/// The segments of a result: counts, each segment's name (editable), size, profile and means, the
/// downloads, the automatic choice's reasons and the scores.
#[component]
pub fn Results(result: Arc<AnalysisResult>) -> impl IntoView {
    let state = state();
    let r = result;
    let dropped = r.cleaning.rows_dropped();
    // The silhouette comes with the result or, after a run, a moment later (measured after the draw).
    let sil = move || state.silhouette.get();
    let measuring = move || state.status.get() == Status::Scoring && state.silhouette.with(Option::is_none);
    // A category compared by value (k-prototypes) has no mean: its values are said in the profile.
    let by_value = r.spec.category_mask();
    let mean_columns: Vec<usize> = (0..by_value.len()).filter(|&j| !by_value[j]).collect();
    let features: Vec<String> = mean_columns.iter().map(|&j| r.spec.features[j].clone()).collect();
    let (means_shown, others_columns) = (mean_columns.clone(), mean_columns);
    let warning = plain_warning(&r);
    let firmness = segment_firmness(&r);
    let folding = Folding::new(r.segment_sizes.len());
    let all_rows = RwSignal::new(false);
    let (r_rows, r_others) = (r.clone(), r.clone());
    let firmness_rows = firmness.clone();
    let firmness_others = firmness.is_some();
    // A segment's rule sits in a row of its own under the segment's, across the whole table: a long
    // rule takes two lines there, not five in the segment's column (the sizes stay on the first screen).
    let rule_span = (3 + usize::from(firmness.is_some()) + means_shown.len()).to_string();
    let firm_header = firmness.is_some().then(|| view! { <th title="HDBSCAN's membership strength: 1 at the segment's densest core, towards 0 at its edge">"Firmness"</th> });
    view! {
        <section class="results" data-testid="results">
            <div class="cards">
                <div class="card">
                    <span class="label">"Customers used"</span>
                    <span class="value" data-testid="rows-used">{thousands(r.rows_used)}</span>
                    <span class="sub">{format!("{} rows read", thousands(r.cleaning.rows_in))}</span>
                </div>
                <div class="card">
                    <span class="label">"Rows dropped by cleaning"</span>
                    <span class="value" data-testid="rows-dropped">{thousands(dropped)}</span>
                    <span class="sub">{percent(dropped, r.cleaning.rows_in)}</span>
                </div>
                <div class="card">
                    <span class="label">"Segments"</span>
                    <span class="value" data-testid="segment-count">{r.segment_sizes.len()}</span>
                </div>
                <div class="card">
                    <span class="label">"Noise (fits no segment)"</span>
                    <span class="value" data-testid="noise-count">{thousands(r.noise)}</span>
                    <span class="sub">{percent(r.noise, r.rows_used)}</span>
                </div>
            </div>
            {warning.map(|w| view! { <p class="notice" data-testid="result-warning">{w}</p> })}
            <div class="table-scroll" tabindex="0" class:tall=move || all_rows.get()><table class="sizes" data-testid="segment-table">
                <thead>
                    <tr>
                        <th>"Segment"</th>
                        <th>"Customers"</th>
                        <th>"Share"</th>
                        {firm_header}
                        {features.iter().map(|f| view! { <th>"mean " {with_breaks(f)}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {move || r_rows
                        .segment_sizes
                        .iter()
                        .enumerate()
                        .take(if all_rows.get() { usize::MAX } else { folding.shown })
                        .map(|(i, &size)| {
                            let r = &r_rows;
                            let profile = r.profiles.get(i).map(|p| p.description.clone()).unwrap_or_default();
                            let traits = r.profiles.get(i).map(|p| p.traits.join("; ")).unwrap_or_default();
                            let rule = r.profiles.get(i).and_then(|p| p.rule.as_ref()).map(|rule| rule.short());
                            let rule_span = rule_span.clone();
                            view! {
                                <tr class:has-rule=rule.is_some()>
                                    <td class="segment-cell">
                                        <span class="swatch" style=format!("background:{}", css_colour(i as i32))></span>
                                        // A text area so that a long name wraps rather than being cut; one
                                        // line per name, Enter ends the edit.
                                        <textarea
                                            class="segment-name"
                                            data-testid="segment-name"
                                            aria-label=format!("Name of segment {}", i + 1)
                                            rows=move || name_rows(&state.segment_name(i as i32))
                                            prop:value=move || state.segment_name(i as i32)
                                            on:keydown=|ev: web_sys::KeyboardEvent| {
                                                if ev.key() == "Enter" {
                                                    ev.prevent_default();
                                                    if let Some(el) = ev
                                                        .target()
                                                        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(t).ok())
                                                    {
                                                        let _ = el.blur();
                                                    }
                                                }
                                            }
                                            on:change=move |ev| state.rename(i, event_target_value(&ev).replace(['\n', '\r'], " "))
                                        ></textarea>
                                        <div class="profile">
                                            <span data-testid="segment-profile">{profile}</span>
                                        </div>
                                        {(!traits.is_empty()).then(|| view! { <div class="profile traits" data-testid="segment-traits">{traits}</div> })}
                                    </td>
                                    <td data-testid="cluster-size">{thousands(size)}</td>
                                    <td>{percent(size, r.rows_used)}</td>
                                    {firmness_rows.as_ref().map(|f| view! { <td data-testid="segment-firmness">{decimal(f.get(i).copied().unwrap_or(f64::NAN), 2)}</td> })}
                                    {means_shown.iter().map(|&j| view! { <td>{decimal(r.segment_means[i].get(j).copied().unwrap_or(f64::NAN), 1)}</td> }).collect_view()}
                                </tr>
                                {rule.map(|rule| view! {
                                    <tr class="rule-row">
                                        <td colspan=rule_span>
                                            <div class="profile"><span class="rule" data-testid="segment-rule"><strong>"Who: "</strong>{rule}</span></div>
                                        </td>
                                    </tr>
                                })}
                            }
                        })
                        .collect_view()}
                    {move || (!all_rows.get() && folding.others() > 0).then(|| {
                        let rest: usize = r_others.segment_sizes.iter().skip(folding.shown).sum();
                        view! {
                            <tr class="others-row" data-testid="others-row">
                                <td>
                                    <span class="swatch" style=format!("background:{}", css_rgb(OTHERS_COLOUR))></span>
                                    {format!("Others: {} smaller segments ", folding.others())}
                                    <button class="small" data-testid="show-all-segments" on:click=move |_| all_rows.set(true)>
                                        {format!("Show all {}", folding.segments)}
                                    </button>
                                </td>
                                <td>{thousands(rest)}</td>
                                <td>{percent(rest, r_others.rows_used)}</td>
                                {firmness_others.then(|| view! { <td></td> })}
                                {others_columns.iter().map(|_| view! { <td></td> }).collect_view()}
                            </tr>
                        }
                    })}
                    <tr class="noise-row">
                        <td><span class="swatch" style=format!("background:{}", css_colour(-1))></span>"Noise"</td>
                        <td>{thousands(r.noise)}</td>
                        <td>{percent(r.noise, r.rows_used)}</td>
                        {firmness.as_ref().map(|_| view! { <td></td> })}
                        {features.iter().map(|_| view! { <td></td> }).collect_view()}
                    </tr>
                </tbody>
            </table></div>
            {r.rule_fidelity.map(|f| view! {
                <p class="hint" data-testid="rule-fidelity">
                    "Who: each segment as a rule, with the share of the segment it catches (caught) and the share of those it catches that are in other segments or in none (others; those in no segment said apart). Taken together (each customer to the first rule that holds, the most precise first), the rules put "
                    <span data-testid="rules-fidelity" data-value=format!("{f}")>{format!("{:.0}%", f * 100.0)}</span>
                    {format!(
                        " of customers in their segment{}.",
                        r.rule_price.map_or(String::new(), |p| format!("; {}", segment_core::rules::price_words(p)))
                    )}
                </p>
            })}
            {r.rule_fidelity.is_some().then(|| view! {
                <Download
                    testid="use-rules"
                    label="Use the rules as the segments"
                    hint=" Each customer joins the first segment whose rule holds (the most precise first); customers no rule describes are in no segment. The dashboard, scores, exports and saved model then follow the rules, and Models says who they place elsewhere."
                    action=AppState::use_rules
                />
            })}
            <Download
                testid="export-csv"
                label="Download the file with segments (CSV)"
                hint=" Every row of your file, with its segment and name; dropped rows are marked."
                action=AppState::export_csv
            />
            <Download
                testid="export-profiles"
                label="Download the segment profiles (CSV)"
                hint=" One row per segment: size, share, each feature's mean and ratio to the average, the profile in words. No customer rows."
                action=AppState::export_profiles
            />
            <super::AutoChoicePanel />
            {r.density_tree.clone().map(|tree| view! { <DensityTree tree=tree /> })}
            <h3>"Scores " <span class="hint">"(noise excluded)"</span></h3>
            {by_value.contains(&true).then(|| view! {
                <p class="hint" data-testid="mixed-distance-note">
                    "Measured on k-prototypes' own distance: squared differences on the scaled numbers plus gamma for each category whose value differs (each category as one column per value, sqrt(gamma/2) apart), so a category counts as the segmentation counted it."
                </p>
            })}
            <p class="scores-words" data-testid="scores-words">
                {move || {
                    if measuring() {
                        return "Measuring how far apart the segments are…".to_string();
                    }
                    let stability = state.stability.get().filter(|s| s.runs > 0).map(|s| s.mean_ari);
                    scores_in_words(sil().map(|s| s.mean), stability)
                }}
            </p>
            <dl class="scores">
                <dt>"Silhouette " <span class="hint">"(-1 to 1, higher is better)"</span></dt>
                <dd data-testid="silhouette">
                    {move || match sil() {
                        Some(s) => decimal(s.mean, 4),
                        None if measuring() => "measuring…".into(),
                        None => "n/a".into(),
                    }}
                </dd>
                {move || sil().filter(|s| s.sampled).map(|s| view! {
                    <dd class="hint" data-testid="silhouette-sampled">
                        {format!(
                            "estimated on a stratified sample of {} customers (seed {}; standard error ±{})",
                            s.rows_scored,
                            s.seed,
                            decimal(s.std_error, 4)
                        )}
                    </dd>
                })}
                <dt>"Davies-Bouldin " <span class="hint">"(0 and up, lower is better)"</span></dt>
                <dd data-testid="davies-bouldin">{r.scores.davies_bouldin.map_or("n/a".into(), |v| decimal(v, 4))}</dd>
                <dt>"Calinski-Harabasz " <span class="hint">"(higher is better)"</span></dt>
                <dd data-testid="calinski-harabasz">{r.scores.calinski_harabasz.map_or("n/a".into(), |v| decimal(v, 2))}</dd>
                <dt>"Stability " <span class="hint">"(0 to 1, higher is better)"</span></dt>
                <dd data-testid="stability">
                    {move || {
                        state
                            .stability
                            .get()
                            .map_or("checking…".to_string(), |s| {
                                if s.runs == 0 { "not measured".to_string() } else { decimal(s.mean_ari, 3) }
                            })
                    }}
                </dd>
                <dd class="hint">
                    {move || {
                        state.stability.get().map(|s| {
                            if let Some(why) = &s.skipped {
                                return why.clone();
                            }
                            let of = s
                                .sampled_rows
                                .map(|n| format!(" of a random {} of the customers", thousands(n)))
                                .unwrap_or_default();
                            format!(
                                "agreement (adjusted Rand index) with this result of {} runs on random {:.0}% subsamples{of}; lowest {}",
                                s.runs,
                                100.0 * s.subsample_share,
                                decimal(s.min_ari, 3)
                            )
                        })
                    }}
                </dd>
            </dl>
            {move || sil().map(|s| view! { <SilhouetteChart score=s /> })}
        </section>
    }
}

/// The cleaning report of the result on screen: each rule, the rows it removed (with where), and a
/// download of the removed rows. Shown in the Data view.
#[component]
pub fn CleaningReport() -> impl IntoView {
    let state = state();
    move || {
        state.result.get().map(|r| {
            let dropped = r.cleaning.rows_dropped();
            view! {
                <section class="cleaning-report">
                    <h2>"Cleaning report"</h2>
                    <div class="table-scroll" tabindex="0"><table class="cleaning" data-testid="cleaning-report">
                        <thead>
                            <tr><th>"Rule: drop rows with…"</th><th>"Rows before"</th><th>"Dropped"</th><th>"Rows after"</th><th>"Caught in"</th></tr>
                        </thead>
                        <tbody>
                            {r.cleaning.steps.iter().map(|s| view! {
                                <tr data-testid="cleaning-step">
                                    <td>{s.rule.clone()}</td>
                                    <td>{thousands(s.rows_before)}</td>
                                    <td data-testid="cleaning-dropped">{thousands(s.rows_dropped)}</td>
                                    <td data-testid="cleaning-after">{thousands(s.rows_after)}</td>
                                    <td>
                                        {s.by_column.iter().map(|(c, n)| format!("{c}: {n}")).collect::<Vec<_>>().join(", ")}
                                        {s.first_line.map(|l| format!(" (first at line {l})"))}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                    {(dropped > 0).then(|| view! {
                        <Download
                            testid="export-removed"
                            label="Download the removed rows (CSV)"
                            hint=" As they were in your file, with the rule and the columns that removed each."
                            action=AppState::export_removed
                        />
                    })}
                    {(r.cleaning.comment_lines + r.cleaning.repeated_headers + r.cleaning.empty_rows > 0).then(|| view! {
                        <p class="notice" data-testid="skipped-lines">{format!(
                            "Skipped before cleaning: {} comment line(s) before the header, {} repeated header row(s), {} row(s) with every cell empty.",
                            r.cleaning.comment_lines, r.cleaning.repeated_headers, r.cleaning.empty_rows
                        )}</p>
                    })}
                    {(r.cleaning.ragged_rows > 0).then(|| view! {
                        <p class="notice">{format!(
                            "{} rows had more or fewer fields than the header; missing fields were read as empty.",
                            r.cleaning.ragged_rows
                        )}</p>
                    })}
                </section>
            }
        })
    }
}

/// The silhouette plot of the result on screen, with the segments' names.
#[component]
fn SilhouetteChart(score: Arc<segment_core::score::SilhouetteScore>) -> impl IntoView {
    let state = state();
    let canvas_ref = NodeRef::<leptos::html::Canvas>::new();
    let (per_segment, mean) = (score.per_segment.clone(), score.mean);
    Effect::new(move || {
        let names = state.names.get();
        let Some(canvas) = canvas_ref.get() else { return };
        let plot = SilhouettePlot { profile: &score.profile, names: &names, mean: score.mean };
        paint(&canvas, 0.5, 420.0, |area, dpr| draw_silhouette(area, &plot, dpr).is_ok());
    });
    view! {
        <h3>"Silhouette by segment"</h3>
        <p class="hint">
            "Each bar is a customer (thinned to 200 per segment), highest first. Bars left of zero are closer to another segment than to their own; the orange line is the mean."
        </p>
        <canvas
            node_ref=canvas_ref
            data-testid="silhouette-plot"
            role="img"
            aria-label=move || {
                let names = state.names.get();
                let by: Vec<String> = per_segment
                    .iter()
                    .enumerate()
                    .take(20)
                    .map(|(i, v)| format!("{} {}", names.get(i).cloned().unwrap_or_else(|| format!("Segment {}", i + 1)), decimal(*v, 2)))
                    .collect();
                format!("Silhouette values of each segment's customers: mean {}; by segment: {}", decimal(mean, 2), by.join(", "))
            }
        ></canvas>
        <PngButton canvas_ref=canvas_ref name="silhouette-plot" />
    }
}

/// A download button with a line saying what the file holds.
#[component]
pub(crate) fn Download(
    testid: &'static str,
    label: &'static str,
    hint: &'static str,
    action: fn(&AppState),
) -> impl IntoView {
    let state = state();
    view! {
        <p>
            <button data-testid=testid on:click=move |_| action(&state)>{label}</button>
            <span class="hint">{hint}</span>
        </p>
    }
}

/// HDBSCAN: each segment's mean membership strength (None for other methods).
fn segment_firmness(r: &AnalysisResult) -> Option<Vec<f64>> {
    let membership = r.membership.as_ref()?;
    let k = r.segment_sizes.len();
    let mut sums = vec![0.0; k];
    let mut counts = vec![0usize; k];
    for (&label, &m) in r.labels.iter().zip(membership) {
        if let Ok(s) = usize::try_from(label) {
            if s < k {
                sums[s] += f64::from(m);
                counts[s] += 1;
            }
        }
    }
    Some(sums.iter().zip(&counts).map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN }).collect())
}

/// HDBSCAN's condensed tree as a persistence chart: the groups the density hierarchy found, each a bar
/// as long as its stability (how long its customers stay together as the density threshold rises),
/// the selected ones in their segment's colour. The longest bars are the groups to trust.
#[component]
fn DensityTree(tree: Vec<segment_core::cluster::hdbscan::TreeCluster>) -> impl IntoView {
    // The root is the whole file, not a group.
    let mut groups: Vec<_> = tree.into_iter().filter(|c| c.parent.is_some()).collect();
    groups.sort_by(|a, b| b.stability.total_cmp(&a.stability));
    let total = groups.len();
    groups.truncate(20);
    let top = groups.iter().map(|c| c.stability).fold(0.0f64, f64::max).max(f64::MIN_POSITIVE);
    let row_h = 22.0;
    let width = 560.0;
    let label_w = 210.0;
    let height = row_h * groups.len() as f64 + 8.0;
    let bars = groups
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let y = 4.0 + i as f64 * row_h;
            let w = ((c.stability / top) * (width - label_w - 10.0)).max(1.0);
            let (fill, name) = match c.segment {
                Some(s) => (css_colour(s as i32), format!("Segment {}", s + 1)),
                None if c.selected => (css_colour(-1), "selected".to_string()),
                None => ("#c9ced6".to_string(), "not selected".to_string()),
            };
            let born =
                if c.birth > 0.0 && c.birth < f64::MAX { decimal(1.0 / c.birth, 3) } else { "0".into() };
            let text = format!("{name}: {} customers", thousands(c.size as usize));
            let title =
                format!("{text}; splits off at distance {born}; stability {}", decimal(c.stability, 1));
            view! {
                <g data-testid="density-group">
                    <title>{title}</title>
                    <text x="0" y=y + 15.0 font-size="12">{text}</text>
                    <rect x=label_w y=y width=w height=row_h - 6.0 fill=fill></rect>
                </g>
            }
        })
        .collect_view();
    let shown = groups.len();
    view! {
        <div class="density-tree" data-testid="density-tree">
            <h3>"Density tree " <span class="hint">"(HDBSCAN: which groups are stable)"</span></h3>
            <p class="hint">
                {format!(
                    "The {shown} most stable of {total} groups the density hierarchy found. A longer bar is a group whose customers stay together over a wider range of densities; coloured bars are the segments."
                )}
            </p>
            <svg role="img" aria-label="Stability of the groups HDBSCAN found" width=width height=height viewBox=format!("0 0 {width} {height}")>
                {bars}
            </svg>
        </div>
    }
}

/// Plain-language warnings about a result that is probably not what the person wants.
fn plain_warning(r: &AnalysisResult) -> Option<String> {
    if r.spec.method == segment_core::spec::Method::Hdbscan {
        return hdbscan_warning(r);
    }
    let k = r.segment_sizes.len();
    let noise_share = r.noise as f64 / r.rows_used.max(1) as f64;
    if k == 0 {
        return Some(
            "Every customer is noise: no group is dense enough. Increase eps or lower min_samples.".into(),
        );
    }
    if k == 1 {
        return Some("Only one segment was found, so there is nothing to compare and no score. Lower eps to split it, or raise min_samples.".into());
    }
    if noise_share > 0.5 {
        return Some("Over half of the customers are noise. Increase eps or lower min_samples.".into());
    }
    if r.segment_sizes[0] as f64 > 0.95 * (r.rows_used - r.noise) as f64 {
        return Some("One segment holds nearly everyone. Lower eps to separate groups.".into());
    }
    let tiny = r.segment_sizes.iter().filter(|&&n| (n as f64) < 0.01 * r.rows_used as f64).count();
    if k > 8 && tiny * 2 > k {
        return Some(format!(
            "Many tiny segments: {tiny} of {k} hold under 1% of the customers each. Raise min_samples or eps (or lower k) to get fewer, larger segments."
        ));
    }
    None
}

/// [`plain_warning`] in HDBSCAN's terms (no eps).
fn hdbscan_warning(r: &AnalysisResult) -> Option<String> {
    let k = r.segment_sizes.len();
    let noise_share = r.noise as f64 / r.rows_used.max(1) as f64;
    if k == 0 {
        return Some("Every customer is noise: no group is both dense and large enough. Lower min_cluster_size or min_samples.".into());
    }
    if k == 1 {
        return Some("Only one segment was found. Lower min_cluster_size, or choose \"the densest leaves\" to split it.".into());
    }
    if noise_share > 0.5 {
        return Some("Over half of the customers are noise. Lower min_samples (a neighbourhood is then dense with fewer neighbours).".into());
    }
    None
}

/// A column name that may wrap after its separators (`average_order_value` as `average_` `order_`
/// `value`), never inside a word: a narrow table keeps every mean in view.
fn with_breaks(name: &str) -> impl IntoView {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, ch) in name.char_indices() {
        if matches!(ch, '_' | '-' | '.' | '/') {
            parts.push(name[start..i + ch.len_utf8()].to_string());
            start = i + ch.len_utf8();
        }
    }
    parts.push(name[start..].to_string());
    let last = parts.len() - 1;
    parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| view! { {part} {(i < last).then(|| view! { <wbr /> })} })
        .collect_view()
}

/// Lines a segment's name takes in its column (about 26 characters a line at its width), so that a
/// long name shows whole.
fn name_rows(name: &str) -> usize {
    name.chars().count().div_ceil(26).clamp(1, 4)
}

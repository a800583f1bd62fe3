//! The automatic choice: what was chosen and why, in a sentence or two above the segments; the rule;
//! the best alternatives (and, for customers aggregated from purchases, the classic RFM segments) with
//! one click to switch; every segmentation tried on request. For a file shown with a preset (the
//! original project's layout) or a share link's settings, the automatic choice is shown beside the
//! result as a comparison, never forced on it.

use super::state;
use crate::format::decimal;
use crate::state::Status;
use leptos::prelude::*;
use segment_core::auto::{AutoChoice, Candidate};
use segment_core::spec::{AnalysisSpec, Method};
use std::sync::Arc;

/// The same segmentation, whatever the names given to its segments.
fn same_settings(a: &AnalysisSpec, b: &AnalysisSpec) -> bool {
    let mut a = a.clone();
    a.segment_names = b.segment_names.clone();
    a == *b
}

#[component]
pub fn AutoChoicePanel() -> impl IntoView {
    let state = state();
    move || state.auto.get().map(|choice| view! { <ChoiceView choice /> })
}

#[component]
fn ChoiceView(choice: Arc<AutoChoice>) -> impl IntoView {
    let state = state();
    let chosen = choice.chosen.and_then(|i| choice.candidates.get(i)).cloned();
    // Whether the result on screen is the automatic choice (it stops being when the person runs
    // other settings).
    let on_screen = {
        let chosen = chosen.clone();
        move || {
            state.result.with(|r| {
                r.as_ref().zip(chosen.as_ref()).is_some_and(|(r, c)| same_settings(&r.spec, &c.spec))
            })
        }
    };
    let explanation = choice.explanation.clone();
    let clear = choice.clear;
    let best_alternatives = alternatives(&choice);
    let rfm = choice.candidates.iter().find(|c| c.manual_only && c.spec.method == Method::Rfm).cloned();
    let all = choice.candidates.clone();
    let tried = all.iter().filter(|c| !c.manual_only).count();
    let rule = choice.rule.clone();
    let sampled = (choice.rows_searched < choice.rows_total).then(|| {
        format!(
            "Figures below are on the {} customers the candidates were compared on ({} of them for the silhouette).",
            choice.rows_searched, choice.silhouette_rows
        )
    });
    let on_screen_now = on_screen.clone();
    view! {
        <section class="auto-choice" data-testid="auto-choice">
            <Show
                when=on_screen_now
                fallback={
                    let chosen = chosen.clone();
                    move || chosen.clone().map(|c| view! { <Alternative candidate=c /> })
                }
            >
                <p class="explanation" data-testid="auto-explanation">{explanation.clone()}</p>
                {(!clear).then(|| view! {
                    <p class="notice" data-testid="no-clear-groups">
                        "These customers do not fall into clearly separate groups. The segments are tiers along the way they vary most (named so), useful for targeting by level rather than as distinct types."
                    </p>
                })}
            </Show>
            {rfm.clone().map(|c| view! {
                <p class="rfm-offer" data-testid="rfm-offer">
                    "Classic RFM segments are available too (Champions, Loyal customers, At risk, Lost...: each customer scored 1-5 on recency, frequency and monetary). "
                    <UseButton spec=c.spec.clone() testid="use-rfm" label="Use RFM segments" />
                </p>
            })}
            <details class="rule" data-testid="auto-rule">
                <summary>"How the choice is made"</summary>
                <p>{rule}</p>
            </details>
            <details class="candidates">
                <summary>{format!("Other segmentations tried ({tried}); the best are listed first")}</summary>
                {sampled.map(|s| view! { <p class="hint">{s}</p> })}
                <CandidateTable candidates=best_alternatives testid="auto-alternatives" />
                <details>
                    <summary>"All of them"</summary>
                    <CandidateTable candidates=all testid="auto-candidates" />
                </details>
            </details>
        </section>
    }
}

/// The automatic choice when the result on screen is something else (a preset, a share link's
/// settings, the person's own run): one line with a button to switch.
#[component]
fn Alternative(candidate: Candidate) -> impl IntoView {
    let k = candidate.segments;
    let what = format!(
        "For comparison, the automatic choice: {} with {k} segments (silhouette {} on {}). ",
        candidate.method_words(),
        candidate.silhouette.map_or("n/a".into(), |s| decimal(s, 2)),
        candidate.representation,
    );
    view! {
        <p class="notice" data-testid="auto-alternative">
            {what}
            <UseButton spec=candidate.spec.clone() testid="use-auto" label="Use it" />
        </p>
    }
}

#[component]
fn UseButton(spec: AnalysisSpec, testid: &'static str, label: &'static str) -> impl IntoView {
    let state = state();
    let busy = move || state.status.get() == Status::Working;
    view! {
        <button data-testid=testid disabled=busy on:click=move |_| state.rerun(spec.clone())>{label}</button>
    }
}

/// The chosen candidate, then the qualifying ones by silhouette, then the rest: the best few.
fn alternatives(choice: &AutoChoice) -> Vec<Candidate> {
    let mut order: Vec<usize> =
        (0..choice.candidates.len()).filter(|&i| !choice.candidates[i].manual_only).collect();
    order.sort_by(|&a, &b| {
        let (ca, cb) = (&choice.candidates[a], &choice.candidates[b]);
        (Some(b) == choice.chosen)
            .cmp(&(Some(a) == choice.chosen))
            .then(ca.rejected.is_some().cmp(&cb.rejected.is_some()))
            .then(cb.silhouette.unwrap_or(-1.0).total_cmp(&ca.silhouette.unwrap_or(-1.0)))
    });
    order.into_iter().take(6).map(|i| choice.candidates[i].clone()).collect()
}

#[component]
fn CandidateTable(candidates: Vec<Candidate>, testid: &'static str) -> impl IntoView {
    let state = state();
    let chosen = state
        .auto
        .with_untracked(|a| a.as_ref().and_then(|a| a.chosen.map(|i| a.candidates[i].spec.clone())));
    view! {
        <div class="table-scroll" tabindex="0">
            <table data-testid=testid>
                <thead>
                    <tr>
                        <th>"Method"</th><th>"Data"</th><th>"Segments"</th><th>"Largest"</th><th>"Smallest"</th>
                        <th>"Noise"</th><th>"Silhouette"</th><th>"Davies-Bouldin"</th><th>"Stability"</th>
                        <th>"Verdict"</th><th></th>
                    </tr>
                </thead>
                <tbody>
                    {candidates.into_iter().map(|c| {
                        let is_chosen = chosen.as_ref().is_some_and(|s| same_settings(s, &c.spec));
                        let verdict = if is_chosen {
                            "chosen".to_string()
                        } else if c.manual_only {
                            "rules: pick it to use it".to_string()
                        } else {
                            c.rejected.clone().unwrap_or_else(|| "qualifies".into())
                        };
                        let k = c.spec.k().map_or(String::new(), |k| format!(", k {k}"));
                        view! {
                            <tr data-testid="candidate-row" data-method=c.spec.method.key() class:chosen=is_chosen>
                                <td>{format!("{}{k}", c.method_words())}</td>
                                <td>{c.representation.clone()}</td>
                                <td>{c.segments}</td>
                                <td>{format!("{:.0}%", 100.0 * c.largest_share)}</td>
                                <td>{format!("{:.1}%", 100.0 * c.smallest_share)}</td>
                                <td>{format!("{:.0}%", 100.0 * c.noise_share)}</td>
                                <td>{c.silhouette.map_or("n/a".into(), |v| decimal(v, 3))}</td>
                                <td>{c.davies_bouldin.map_or("n/a".into(), |v| decimal(v, 3))}</td>
                                <td>{c.stability.map_or("".into(), |v| decimal(v, 2))}</td>
                                <td>{verdict}</td>
                                <td><UseButton spec=c.spec.clone() testid="use-candidate" label="Use" /></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

//! The preview table: the loaded file's rows as they were, a page at a time, with each row's segment
//! once a run has labelled them. Any row can be reached (first, previous, next, last, or a row number);
//! the worker reads the page from the file it holds, so the page never keeps the whole file as rows.

use super::state;
use crate::charts::palette::css_colour;
use crate::format::thousands;
use crate::router::Screen;
use leptos::prelude::*;

/// Rows per page.
const PAGE: usize = 50;

#[component]
pub fn Preview() -> impl IntoView {
    let state = state();
    let start = RwSignal::new(0usize);
    // A new file starts at the top; a new result relabels the page on screen.
    Effect::new(move || {
        let _ = state.summary.get();
        start.set(0);
    });
    // Asked for while the Data screen is shown: a new result on another screen relabels the page when
    // it is next shown, not before (a page of 50 rows re-rendered out of sight on every run).
    Effect::new(move || {
        let _ = state.result.get();
        if state.screen.get() == Screen::Data && state.summary.with(Option::is_some) {
            state.preview_rows(start.get(), PAGE);
        }
    });
    let total = move || state.preview.with(|p| p.as_ref().map_or(0, |p| p.total));
    let last_page = move || total().saturating_sub(1) / PAGE * PAGE;
    let go = move |to: usize| start.set(to.min(last_page()));
    view! {
        <section class="preview" class:hidden=move || state.preview.with(Option::is_none) data-testid="preview">
            <h2>"The file's rows"</h2>
            <div class="pager">
                <button class="small" data-testid="preview-first" on:click=move |_| go(0)>"First"</button>
                <button class="small" data-testid="preview-prev" on:click=move |_| go(start.get().saturating_sub(PAGE))>"Previous"</button>
                <span data-testid="preview-range">
                    {move || state.preview.with(|p| p.as_ref().map(|p| format!(
                        "rows {}–{} of {}",
                        thousands(p.start + 1),
                        thousands(p.start + p.rows.len()),
                        thousands(p.total)
                    )))}
                </span>
                <button class="small" data-testid="preview-next" on:click=move |_| go(start.get() + PAGE)>"Next"</button>
                <button class="small" data-testid="preview-last" on:click=move |_| go(last_page())>"Last"</button>
                <label class="inline">
                    " Go to row "
                    <input
                        type="number"
                        min="1"
                        data-testid="preview-row"
                        on:change=move |ev| {
                            let row: usize = event_target_value(&ev).parse().unwrap_or(1);
                            go(row.saturating_sub(1));
                        }
                    />
                </label>
            </div>
            <div class="table-scroll preview-scroll" tabindex="0" role="region" aria-label="Rows of the file">
                <table data-testid="preview-table">
                    <thead>
                        <tr>
                            <th>"Row"</th>
                            <th>"Segment"</th>
                            {move || state.preview.with(|p| p.as_ref().map(|p| {
                                p.header.iter().map(|h| view! { <th>{h.clone()}</th> }).collect_view()
                            }))}
                        </tr>
                    </thead>
                    <tbody>
                        {move || state.preview.get().map(|p| {
                            let ran = state.result.with(Option::is_some);
                            p.rows.iter().zip(&p.labels).enumerate().map(|(i, (row, label))| {
                                let segment = match label {
                                    Some(l) => view! {
                                        <span class="swatch" style=format!("background:{}", css_colour(*l))></span>
                                        {state.segment_name(*l)}
                                    }.into_any(),
                                    None if ran => view! { <span class="hint">"dropped by cleaning"</span> }.into_any(),
                                    None => view! { <span></span> }.into_any(),
                                };
                                view! {
                                    <tr data-testid="preview-row-data">
                                        <td>{thousands(p.start + i + 1)}</td>
                                        <td data-testid="preview-segment">{segment}</td>
                                        {row.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}
                                    </tr>
                                }
                            }).collect_view()
                        })}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

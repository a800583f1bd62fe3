//! Every run on the current file side by side, so the person can compare methods and settings and go
//! back to the one they prefer.

use super::state;
use crate::format::decimal;
use crate::state::Status;
use leptos::prelude::*;

#[component]
pub fn Comparison() -> impl IntoView {
    let state = state();
    let busy = move || state.status.get() == Status::Working;
    view! {
        <section class="comparison" class:hidden=move || state.history.with(|h| h.len() < 2)>
            <h2>"Compare runs"</h2>
            <p class="hint">"Every run on this file. Scores leave noise out; compare the noise share beside them."</p>
            <div class="table-scroll" tabindex="0">
                <table data-testid="comparison-table">
                    <thead>
                        <tr>
                            <th>"#"</th><th>"Method"</th><th>"Parameters"</th><th>"Scaler"</th><th>"Segments"</th>
                            <th>"Noise"</th><th>"Silhouette"</th><th>"Davies-Bouldin"</th><th>"Calinski-Harabasz"</th>
                            <th>"Stability"</th>
                            <th>"Time (ms)"</th><th></th>
                        </tr>
                    </thead>
                    <tbody>
                        {move || state.history.get().into_iter().enumerate().map(|(i, r)| {
                            let spec = r.spec.clone();
                            view! {
                                <tr data-method=r.spec.method.key() data-testid="comparison-row">
                                    <td>{i + 1}</td>
                                    <td>{r.spec.method.key()}</td>
                                    <td>{r.spec.parameters()}</td>
                                    <td>{r.spec.scaler.key()}</td>
                                    <td>{r.segments}</td>
                                    <td>{format!("{:.1}%", 100.0 * r.noise_share)}</td>
                                    <td>{r.silhouette.map_or("n/a".into(), |v| decimal(v, 4))}</td>
                                    <td>{r.davies_bouldin.map_or("n/a".into(), |v| decimal(v, 4))}</td>
                                    <td>{r.calinski_harabasz.map_or("n/a".into(), |v| decimal(v, 1))}</td>
                                    <td>{r.stability.map_or("…".into(), |v| decimal(v, 3))}</td>
                                    <td>{decimal(r.elapsed_ms, 0)}</td>
                                    <td>
                                        <button disabled=busy on:click=move |_| state.rerun(spec.clone())>"Use"</button>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

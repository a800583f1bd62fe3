//! Transaction files: a file with one row per purchase line is segmented per customer by default
//! (recency, frequency, monetary, average order value); say so, with the columns read as the customer,
//! the order, the date and the amount in one short form a person can change, and one click to segment
//! the lines as they are. A file read as it is that looks like purchase lines is offered the
//! aggregation in the same form, with the columns the detection chose.

use super::state;
use crate::format::thousands;
use leptos::prelude::*;
use segment_core::transactions::{Aggregated, TransactionColumns};

#[component]
pub fn Transactions() -> impl IntoView {
    let state = state();
    view! {
        {move || state.summary.get().and_then(|s| s.aggregated.clone()).map(|a| view! { <AggregatedNote a /> })}
        {move || state.summary.get().and_then(|s| {
            let detected = s.transactions.clone().filter(|_| s.aggregated.is_none())?;
            let names: Vec<String> = s.columns.iter().map(|c| c.name.clone()).collect();
            let doubt = s.transactions_doubt.clone();
            Some(view! { <Offer detected names doubt /> })
        })}
    }
}

/// The columns an aggregation read, in words: "customer = CustomerID, order = InvoiceNo, date =
/// InvoiceDate, amount = Quantity x UnitPrice".
fn read_as(c: &TransactionColumns) -> String {
    let amount = match (&c.quantity, &c.price, &c.amount) {
        (Some(q), Some(p), _) => format!("{q} x {p}"),
        (_, _, Some(a)) => a.clone(),
        _ => "(none)".into(),
    };
    let order = c.invoice.clone().unwrap_or_else(|| "each purchase day".into());
    format!("customer = {}, order = {order}, date = {}, amount = {amount}", c.customer, c.date)
}

#[component]
fn AggregatedNote(a: Aggregated) -> impl IntoView {
    let state = state();
    let r = &a.report;
    let text = format!(
        "This file has one row per purchase, so its customers are segmented: {} purchase lines became {} customers, each with recency (days since the last purchase, counted back from {}), frequency (distinct orders), monetary (total spent) and average order value. Left out: {} lines without a customer id, {} cancellations, {} unreadable lines.",
        thousands(r.rows_in), thousands(r.customers), r.latest_date,
        thousands(r.without_customer), thousands(r.cancellations), thousands(r.unreadable)
    );
    let columns = a.columns.clone();
    let names = a.line_format.columns.clone();
    view! {
        <section class="notice transactions-note" data-testid="rfm-report">
            <p>{text}</p>
            <p data-testid="rfm-columns">{format!("Read as: {}.", read_as(&a.columns))}</p>
            {(!names.is_empty()).then(|| view! {
                <details data-testid="rfm-change">
                    <summary>"Change the columns"</summary>
                    <Mapping initial=columns names button="Aggregate with these columns" />
                </details>
            })}
            <button data-testid="rfm-as-is" on:click=move |_| state.reload(None)>
                "Segment the purchase lines as they are instead"
            </button>
        </section>
    }
}

#[component]
fn Offer(detected: TransactionColumns, names: Vec<String>, doubt: Option<String>) -> impl IntoView {
    // A guess the values left in doubt: why the rows were kept as they are.
    let opening = match doubt {
        Some(doubt) => format!("This file may have one row per purchase, but {doubt}, so its rows are segmented as they are."),
        None => "This file repeats customer ids across rows, with dates and amounts: it looks like transactions, segmented here line by line.".to_string(),
    };
    view! {
        <section class="transactions" data-testid="rfm-panel">
            <h2>"One row per purchase?"</h2>
            <p data-testid="rfm-doubt">{opening}</p>
            <p>
                "Segment customers instead: aggregate it into one row per customer with Recency (days since the last purchase), Frequency (distinct orders; each purchase day without an order column) and Monetary (the amount, or quantity x unit price), plus the average order value. Cancellations (invoices starting with C, negative quantities) and lines without a customer are left out and counted."
            </p>
            <Mapping initial=detected names button="Aggregate per customer" />
        </section>
    }
}

/// One short form: which column is the customer, the order, the date and the amount (or quantity and
/// unit price), filled with `initial`, and the button that aggregates with them.
#[component]
fn Mapping(initial: TransactionColumns, names: Vec<String>, button: &'static str) -> impl IntoView {
    let state = state();
    let columns = RwSignal::new(initial);
    // (label, role key, required)
    let roles: [(&str, &str, bool); 6] = [
        ("Customer", "customer", true),
        ("Order / invoice", "invoice", false),
        ("Date", "date", true),
        ("Quantity", "quantity", false),
        ("Unit price", "price", false),
        ("Amount (without quantity and price)", "amount", false),
    ];
    let get = move |role: &str| -> String {
        columns.with(|c| match role {
            "customer" => c.customer.clone(),
            "invoice" => c.invoice.clone().unwrap_or_default(),
            "date" => c.date.clone(),
            "quantity" => c.quantity.clone().unwrap_or_default(),
            "price" => c.price.clone().unwrap_or_default(),
            "amount" => c.amount.clone().unwrap_or_default(),
            _ => String::new(),
        })
    };
    // Quantity x price, or an amount: an aggregation needs one of them.
    let ready = move || {
        columns.with(|c| {
            !c.customer.is_empty()
                && !c.date.is_empty()
                && ((c.quantity.is_some() && c.price.is_some()) || c.amount.is_some())
        })
    };
    view! {
        <div class="mapping">
            {roles.into_iter().map(|(label, role, required)| {
                let options = names.clone();
                view! {
                    <label>
                        {format!("{label}: ")}
                        <select
                            data-testid="rfm-map"
                            data-role=role
                            prop:value=move || get(role)
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                let v = (!v.is_empty()).then_some(v);
                                columns.update(|c| match role {
                                    "customer" => c.customer = v.unwrap_or_default(),
                                    "invoice" => c.invoice = v,
                                    "date" => c.date = v.unwrap_or_default(),
                                    "quantity" => c.quantity = v,
                                    "price" => c.price = v,
                                    "amount" => c.amount = v,
                                    _ => {}
                                });
                            }
                        >
                            {(!required).then(|| view! { <option value="">"(none)"</option> })}
                            {options.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                }
            }).collect_view()}
        </div>
        <button
            class="primary"
            data-testid="rfm-button"
            prop:disabled=move || !ready()
            on:click=move |_| {
                // Quantity x price when both are chosen; the amount otherwise (as the aggregation reads them).
                let mut c = columns.get_untracked();
                if c.quantity.is_some() && c.price.is_some() {
                    c.amount = None;
                } else {
                    c.quantity = None;
                    c.price = None;
                }
                state.reload(Some(c));
            }
        >
            {button}
        </button>
    }
}

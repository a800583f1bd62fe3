//! The web app of the Client Segmentation Dashboard: leptos components (the page) and the messages to
//! the analysis worker. The analysis itself is `segment_core`; this crate only shows it.

pub mod charts;
pub mod format;
pub mod protocol;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod share;
#[cfg(target_arch = "wasm32")]
mod worker_client;

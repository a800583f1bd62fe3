//! The web app of the Client Segmentation Dashboard: leptos components (the page) and the messages to
//! the analysis worker. The analysis itself is `segment_core`; this crate only shows it.

pub mod charts;
pub mod format;
pub mod protocol;
pub mod router;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
mod components;
#[cfg(target_arch = "wasm32")]
mod offline;
#[cfg(target_arch = "wasm32")]
mod parquet_client;
#[cfg(target_arch = "wasm32")]
mod share;
#[cfg(target_arch = "wasm32")]
pub mod state;
#[cfg(target_arch = "wasm32")]
mod views;
#[cfg(target_arch = "wasm32")]
mod worker_client;

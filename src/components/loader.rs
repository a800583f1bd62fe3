//! Choosing the data: the sample, a file picker and a drop zone.

use super::state;
use crate::state::MAX_FILE_BYTES;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The files the pickers offer: what the reader takes.
pub(crate) const ACCEPT: &str = ".csv,.tsv,.txt,.xlsx,.xlsm,.xls,.ods,.parquet,text/csv,text/plain";

/// The built-in sample, served beside the page (public/ in the repository).
const SAMPLE_FILE: &str = "dataset_ecommerce.csv";

pub(crate) async fn read_file(file: web_sys::File) -> Result<js_sys::Uint8Array, String> {
    check_size(&file)?;
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|_| unreadable(&file))?;
    Ok(js_sys::Uint8Array::new(&buffer))
}

fn unreadable(file: &web_sys::File) -> String {
    format!("Could not read \"{}\". Check that the file is readable and try again.", file.name())
}

fn check_size(file: &web_sys::File) -> Result<(), String> {
    if file.size() > MAX_FILE_BYTES {
        return Err(format!(
            "\"{}\" is {:.0} MB; this page reads files up to {:.0} MB (a browser tab's memory). Keep only the columns you need, or use the command line (`segment fit`), which reads files of any size.",
            file.name(),
            file.size() / 1e6,
            MAX_FILE_BYTES / 1e6
        ));
    }
    Ok(())
}

/// Whether the file is a Parquet file, from its first bytes (the rest is not read here).
async fn is_parquet_file(file: &web_sys::File) -> Result<bool, String> {
    let head = file.slice_with_i32_and_i32(0, 4).map_err(|_| unreadable(file))?;
    let buffer = JsFuture::from(head.array_buffer()).await.map_err(|_| unreadable(file))?;
    Ok(crate::parquet_client::is_parquet(&js_sys::Uint8Array::new(&buffer)))
}

/// What a data file was read as, when the page turned it into text first.
pub(crate) const READ_AS_PARQUET: &str = "Parquet";

use crate::state::DataFile;

/// Opens a data file the person chose: only its first bytes are read here (Parquet or not).
pub(crate) async fn open_data_file(
    state: crate::state::AppState,
    file: web_sys::File,
) -> Result<DataFile, String> {
    check_size(&file)?;
    if !is_parquet_file(&file).await? {
        return Ok(DataFile::Picked(file));
    }
    let bytes = read_file(file).await?;
    state.progress.set(Some(("Reading the Parquet file".into(), 0.0)));
    Ok(DataFile::Converted(crate::parquet_client::to_csv(bytes).await?))
}

async fn fetch_sample() -> Result<js_sys::Uint8Array, String> {
    let fail =
        |_| "Could not load the sample dataset from this site. Reload the page and try again.".to_string();
    let window = web_sys::window().ok_or("No browser window.")?;
    let response = JsFuture::from(window.fetch_with_str(SAMPLE_FILE)).await.map_err(fail)?;
    let response: web_sys::Response = response.dyn_into().map_err(fail)?;
    if !response.ok() {
        return Err(format!("The sample dataset is missing from this site (HTTP {}).", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(fail)?).await.map_err(fail)?;
    Ok(js_sys::Uint8Array::new(&buffer))
}

fn load_first(files: Option<web_sys::FileList>) {
    if let Some(file) = files.and_then(|f| f.get(0)) {
        open_file(state(), file);
    }
}

/// Loads a file the person chose (picker, drop, or the installed app's file handler): the worker reads
/// it from the file itself, in chunks, so the page never holds its bytes; a Parquet file becomes CSV
/// text first (in the Parquet worker).
pub(crate) fn open_file(state: crate::state::AppState, file: web_sys::File) {
    state.begin("Opening the file");
    spawn_local(async move {
        let name = file.name();
        match open_data_file(state, file).await {
            Ok(DataFile::Picked(file)) => state.load_file(name, (*file).clone()),
            Ok(DataFile::Converted(bytes)) => state.load_converted(name, bytes, READ_AS_PARQUET),
            Err(message) => state.fail(message),
        }
    });
}

/// The sample button, the file picker and the drop zone; `compact` in the top bar once a file is loaded.
#[component]
pub fn Loader(#[prop(optional)] compact: bool) -> impl IntoView {
    let state = state();
    let dragging = RwSignal::new(false);
    let on_sample = move |_| {
        state.begin("Fetching the sample");
        spawn_local(async move {
            match fetch_sample().await {
                Ok(bytes) => state.load(SAMPLE_FILE.to_string(), bytes),
                Err(message) => state.fail(message),
            }
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        load_first(input.files());
        input.set_value(""); // picking the same file again reloads it
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        load_first(ev.data_transfer().and_then(|d| d.files()));
    };
    if compact {
        return view! {
            <div class="loader compact" data-testid="drop-zone" on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop>
                <span class="file-name" data-testid="file-name">
                    {move || state.file_name.get().map(|n| format!("Loaded: {n}"))}
                </span>
                <label class="file-pick small">
                    "Open another file"
                    <input type="file" accept=ACCEPT data-testid="file-input" on:change=on_pick />
                </label>
                <button class="small" data-testid="sample-button" on:click=on_sample>"Sample"</button>
            </div>
        }
        .into_any();
    }
    view! {
        <section
            class="loader"
            class:dragging=move || dragging.get()
            data-testid="drop-zone"
            on:dragover=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <button class="primary" data-testid="sample-button" on:click=on_sample>
                "Try the sample dataset"
            </button>
            <span class="or">"or"</span>
            <label class="file-pick">
                "Choose a CSV, Excel or Parquet file"
                <input type="file" accept=ACCEPT data-testid="file-input" on:change=on_pick />
            </label>
            <span class="hint">"…or drop it here. Up to 300 MB; read only in this tab."</span>
        </section>
    }
    .into_any()
}

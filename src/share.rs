//! Share links: the page's URL fragment holds the analysis settings as JSON (`#spec=...`), never a data
//! value. A fragment is not sent to any server, not even the one hosting the page.

use segment_core::spec::AnalysisSpec;

pub(crate) const KEY: &str = "#spec=";

/// The link that reopens this page with `spec`.
pub fn link(spec: &AnalysisSpec) -> Option<String> {
    let location = web_sys::window()?.location();
    let base = format!("{}{}{}", location.origin().ok()?, location.pathname().ok()?, location.search().ok()?);
    let encoded = js_sys::encode_uri_component(&spec.to_json());
    Some(format!("{base}{KEY}{encoded}"))
}

/// The settings in the current URL, if it is a share link: Ok(None) when there are none, Err with a
/// message when the link is damaged or from an incompatible version.
pub fn from_location() -> Result<Option<AnalysisSpec>, String> {
    let Some(hash) = web_sys::window().and_then(|w| w.location().hash().ok()) else { return Ok(None) };
    let Some(encoded) = hash.strip_prefix(KEY) else { return Ok(None) };
    let json = js_sys::decode_uri_component(encoded)
        .ok()
        .and_then(|j| j.as_string())
        .ok_or("The shared link is damaged (its settings could not be decoded).")?;
    AnalysisSpec::from_json(&json)
        .map(Some)
        .map_err(|e| format!("The shared link's settings were not applied: {e}"))
}

//! The app's screens and their addresses. Each screen is a hash route (`#/overview`, `#/data`, ...), so
//! any static host serves every address from the one `index.html`, the back button moves between the
//! screens, and a share link's `#spec=...` fragment keeps its meaning (it is read once at start, then
//! replaced by the screen's address).

/// One screen of the dashboard. The answer (`Segments`) comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Segments,
    Overview,
    /// One segment against the rest (its address stays `#/analysis`, so links keep working).
    OneSegment,
    Compare,
    Pca,
    /// The method: guidance and every run compared (its address stays `#/segment`).
    Method,
    Explore,
    Data,
    Models,
}

impl Screen {
    /// Every screen, in the navigation bar's order.
    pub const ALL: [Screen; 9] = [
        Screen::Segments,
        Screen::Overview,
        Screen::OneSegment,
        Screen::Compare,
        Screen::Pca,
        Screen::Method,
        Screen::Explore,
        Screen::Data,
        Screen::Models,
    ];

    /// The id in the address, the element id and the tests' `view-<id>` / `<id>-view`.
    pub fn id(self) -> &'static str {
        match self {
            Screen::Segments => "segments",
            Screen::Overview => "overview",
            Screen::OneSegment => "analysis",
            Screen::Compare => "compare",
            Screen::Pca => "pca",
            Screen::Method => "segment",
            Screen::Explore => "explore",
            Screen::Data => "data",
            Screen::Models => "models",
        }
    }

    /// The navigation bar's label.
    pub fn label(self) -> &'static str {
        match self {
            Screen::Segments => "Segments",
            Screen::Overview => "Overview",
            Screen::OneSegment => "One segment",
            Screen::Compare => "Compare",
            Screen::Pca => "PCA map",
            Screen::Method => "Method",
            Screen::Explore => "Explore",
            Screen::Data => "Data",
            Screen::Models => "Models",
        }
    }

    /// The screen's heading and the tab title.
    pub fn title(self) -> &'static str {
        match self {
            Screen::Segments => "Your segments",
            Screen::Overview => "Overview by segment",
            Screen::OneSegment => "One segment against the rest",
            Screen::Compare => "Compare segments",
            Screen::Pca => "PCA map",
            Screen::Method => "Method and guidance",
            Screen::Explore => "Explore the data",
            Screen::Data => "The data and its cleaning",
            Screen::Models => "Saved models",
        }
    }

    /// The screen's address: the URL fragment.
    pub fn hash(self) -> String {
        format!("#/{}", self.id())
    }

    /// The screen a URL fragment names: `#/data` -> Data. None for anything else (an empty fragment, a
    /// share link, an unknown screen), which shows the default screen.
    pub fn from_hash(hash: &str) -> Option<Screen> {
        let id = hash.strip_prefix("#/")?;
        let id = id.split(['?', '/']).next().unwrap_or(id);
        Screen::ALL.into_iter().find(|s| s.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::Screen;

    #[test]
    fn every_screen_round_trips_through_its_address() {
        for s in Screen::ALL {
            assert_eq!(Screen::from_hash(&s.hash()), Some(s));
        }
        let ids: std::collections::HashSet<_> = Screen::ALL.iter().map(|s| s.id()).collect();
        assert_eq!(ids.len(), Screen::ALL.len(), "screen ids are unique");
    }

    #[test]
    fn other_fragments_name_no_screen() {
        for hash in ["", "#", "#/", "#/nowhere", "#spec=%7B%7D", "#data", "/data"] {
            assert_eq!(Screen::from_hash(hash), None, "{hash}");
        }
        assert_eq!(Screen::from_hash("#/pca?zoom=2"), Some(Screen::Pca));
    }
}

#[cfg(target_arch = "wasm32")]
pub use browser::listen;

#[cfg(target_arch = "wasm32")]
mod browser {
    use super::Screen;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    fn location() -> Option<web_sys::Location> {
        web_sys::window().map(|w| w.location())
    }

    /// The screen the address names, if any.
    pub fn current() -> Option<Screen> {
        location().and_then(|l| l.hash().ok()).and_then(|h| Screen::from_hash(&h))
    }

    /// Keeps `screen` equal to the address: now, and at every change of the fragment (a click on the
    /// navigation, back and forward). A share link pasted into the open tab reloads the page, so its
    /// settings are read.
    pub fn listen(screen: RwSignal<Screen>) {
        if let Some(s) = current() {
            screen.set(s);
        }
        let Some(window) = web_sys::window() else { return };
        let on_change = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
            let Some(location) = location() else { return };
            let hash = location.hash().unwrap_or_default();
            if hash.starts_with(crate::share::KEY) {
                let _ = location.reload();
                return;
            }
            let next = Screen::from_hash(&hash).unwrap_or(Screen::Segments);
            if screen.get_untracked() != next {
                screen.set(next);
                if let Some(w) = web_sys::window() {
                    w.scroll_to_with_x_and_y(0.0, 0.0);
                }
            }
        });
        let _ = window.add_event_listener_with_callback("hashchange", on_change.as_ref().unchecked_ref());
        on_change.forget(); // for the page's lifetime
    }

    /// Replaces the address's fragment without a history entry (a share link, once read).
    pub fn replace(screen: Screen) {
        let Some(window) = web_sys::window() else { return };
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&screen.hash()));
        }
    }
}

#[cfg(target_arch = "wasm32")]
pub use browser::replace;

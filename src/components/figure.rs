//! What the chart screens share: a chart figure with its text alternative and PNG button, the legend
//! beside a chart, a variable picker, and how many segments a chart shows by name. Segment ids are
//! ordered by size, so "the largest N" are the first N; the rest fold into one "Others" group, so no
//! chart or card row grows with the number of segments.

use super::canvas::PngButton;
use super::state;
use crate::charts::palette::{segment_colour, NOISE_COLOUR, OTHERS_COLOUR, SEGMENT_COLOURS};
use crate::charts::stats::{BoxStats, Group};
use leptos::html::Canvas;
use leptos::prelude::*;
use plotters::style::RGBColor;
use segment_core::explore::{Explore, Summary, Variable};
use std::sync::Arc;

/// A chart canvas with its text alternative (`alt`: the figures it shows, for screen readers and as a
/// tooltip) and a button that saves it as a PNG.
#[component]
pub fn Figure(
    canvas_ref: NodeRef<Canvas>,
    testid: &'static str,
    label: String,
    #[prop(into, optional)] alt: Signal<String>,
) -> impl IntoView {
    view! {
        <figure class="chart">
            <canvas node_ref=canvas_ref data-testid=testid role="img" aria-label=move || {
                let a = alt.get();
                if a.is_empty() { label.clone() } else { format!("{label}. {a}") }
            }></canvas>
            <figcaption><PngButton canvas_ref=canvas_ref name=testid /></figcaption>
        </figure>
    }
}

/// A chart's groups named in the page (a swatch and the name), so a segment is never told by colour
/// alone.
#[component]
pub fn Legend(#[prop(into)] groups: Signal<Vec<Group>>) -> impl IntoView {
    view! {
        <ul class="legend inline-legend" data-testid="chart-legend">
            {move || groups.get().into_iter().map(|g| {
                let RGBColor(r, gr, b) = g.colour;
                view! { <li><span class="swatch" style=format!("background:rgb({r},{gr},{b})")></span>{g.name}</li> }
            }).collect_view()}
        </ul>
    }
}

/// How segments become chart groups: the largest `shown` by name, the others as one group (when there
/// are at least two of them), noise last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Folding {
    pub segments: usize,
    pub shown: usize,
}

impl Folding {
    /// At most one colour per named segment: Okabe-Ito's seven, and black for "Others".
    pub const MAX_SHOWN: usize = SEGMENT_COLOURS.len();

    pub fn new(segments: usize) -> Self {
        let shown = if segments > Self::MAX_SHOWN + 1 { Self::MAX_SHOWN } else { segments };
        Folding { segments, shown }
    }

    pub fn others(&self) -> usize {
        self.segments - self.shown
    }

    /// The chart group of segment `s` (`s >= segments` is noise).
    pub fn group_of(&self, s: usize) -> usize {
        if s >= self.segments {
            self.shown + usize::from(self.others() > 0)
        } else {
            s.min(self.shown)
        }
    }

    /// The named segments, "Others" when any, then noise when asked.
    pub fn groups(&self, with_noise: bool) -> Vec<Group> {
        let state = state();
        let mut g: Vec<Group> = (0..self.shown)
            .map(|i| Group { name: state.segment_name(i as i32), colour: segment_colour(i) })
            .collect();
        if self.others() > 0 {
            g.push(Group { name: format!("Others ({} segments)", self.others()), colour: OTHERS_COLOUR });
        }
        if with_noise {
            g.push(Group { name: "Noise".into(), colour: NOISE_COLOUR });
        }
        g
    }

    /// Per-group values from per-segment ones (noise, if any, after the segments): the others summed.
    pub fn sum<T: Copy + Default + std::ops::Add<Output = T>>(&self, values: &[T]) -> Vec<T> {
        let mut out: Vec<T> = vec![T::default(); self.shown + usize::from(self.others() > 0)];
        for (s, &v) in values.iter().enumerate().take(self.segments) {
            let g = self.group_of(s);
            out[g] = out[g] + v;
        }
        out.extend(values.iter().skip(self.segments).copied());
        out
    }

    /// Per-group histogram counts from per-segment ones (noise last): the others' bins summed.
    pub fn counts(&self, counts: &[Vec<u64>]) -> Vec<Vec<u64>> {
        let mut out: Vec<Vec<u64>> = Vec::with_capacity(self.shown + 2);
        for (s, c) in counts.iter().enumerate() {
            // Segments come largest first, so a group's first segment opens it and the rest add to it.
            match out.get_mut(self.group_of(s)).filter(|_| s < self.segments) {
                Some(group) => group.iter_mut().zip(c).for_each(|(n, add)| *n += add),
                None => out.push(c.clone()),
            }
        }
        out
    }

    /// Per-group means: the others' mean weighted by their filled counts.
    pub fn means(&self, segments: &[Summary]) -> Vec<f64> {
        let mut out: Vec<f64> = segments.iter().take(self.shown).map(|s| s.mean).collect();
        if self.others() > 0 {
            let rest = &segments[self.shown.min(segments.len())..];
            let n: usize = rest.iter().map(|s| s.count).sum();
            let total: f64 = rest.iter().filter(|s| s.count > 0).map(|s| s.mean * s.count as f64).sum();
            out.push(if n > 0 { total / n as f64 } else { f64::NAN });
        }
        out
    }

    /// Per-group box plots (quantiles do not add up: none for the others).
    pub fn boxes(&self, v: &Variable) -> Vec<Option<BoxStats>> {
        let mut out: Vec<Option<BoxStats>> = v.segments.iter().take(self.shown).map(box_of).collect();
        if self.others() > 0 {
            out.push(None);
        }
        out.push(box_of(&v.noise));
        out
    }

    /// A note under a chart that folds segments.
    pub fn note(&self) -> Option<String> {
        (self.others() > 0).then(|| {
            format!(
                "The {} largest of {} segments by name; the other {} together as “Others”.",
                self.shown,
                self.segments,
                self.others()
            )
        })
    }
}

pub fn box_of(s: &Summary) -> Option<BoxStats> {
    (s.count > 0).then_some(BoxStats {
        whisker_low: s.whisker_low,
        q1: s.q1,
        median: s.median,
        q3: s.q3,
        whisker_high: s.whisker_high,
    })
}

/// A `<select>` of the variables, bound to an index.
#[component]
pub fn VariableSelect(
    explore: Arc<Explore>,
    chosen: RwSignal<usize>,
    testid: &'static str,
    label: &'static str,
) -> impl IntoView {
    view! {
        <label class="inline">
            {label}
            <select
                data-testid=testid
                prop:value=move || chosen.get().to_string()
                on:change=move |ev| chosen.set(event_target_value(&ev).parse().unwrap_or(0))
            >
                {explore.variables.iter().enumerate().map(|(i, v)| view! {
                    <option value=i.to_string()>{v.name.clone()}</option>
                }).collect_view()}
            </select>
        </label>
    }
}

/// The first two features (else the first two variables): the default axes of a scatter.
pub fn feature_pair(e: &Explore) -> (usize, usize) {
    let mut f = e.variables.iter().enumerate().filter(|(_, v)| v.feature).map(|(i, _)| i);
    let last = e.variables.len().saturating_sub(1);
    let a = f.next().unwrap_or(0);
    (a, f.next().unwrap_or(1.min(last)))
}

/// The sampled rows at variables `x` and `y` with their chart group (noise after the segments), both
/// values filled; None when a variable is out of range.
pub fn sample_points(e: &Explore, x: usize, y: usize, folding: Folding) -> Option<Vec<(f64, f64, usize)>> {
    let (vx, vy) = (e.sample_values.get(x)?, e.sample_values.get(y)?);
    Some(
        vx.iter()
            .zip(vy)
            .zip(&e.sample_labels)
            .filter(|((a, b), _)| a.is_finite() && b.is_finite())
            .map(|((a, b), &l)| {
                let s = usize::try_from(l).unwrap_or(folding.segments);
                (f64::from(*a), f64::from(*b), folding.group_of(s))
            })
            .collect(),
    )
}

pub fn variable(e: &Explore, i: usize) -> Option<&Variable> {
    e.variables.get(i).or_else(|| e.variables.first())
}

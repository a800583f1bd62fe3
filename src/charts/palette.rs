//! Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. Noise is grey.

use plotters::style::RGBColor;

pub const SEGMENT_COLOURS: [RGBColor; 7] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(230, 159, 0),   // orange
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(240, 228, 66),  // yellow
];
pub const NOISE_COLOUR: RGBColor = RGBColor(170, 170, 170);

pub fn segment_colour(segment: usize) -> RGBColor {
    SEGMENT_COLOURS[segment % SEGMENT_COLOURS.len()]
}

/// CSS form of a segment's colour (-1 = noise), for legends drawn in HTML.
pub fn css_colour(label: i32) -> String {
    let RGBColor(r, g, b) = usize::try_from(label).map_or(NOISE_COLOUR, segment_colour);
    format!("rgb({r},{g},{b})")
}

/// "Others": the segments a chart folds together (Okabe-Ito's eighth colour, near black).
pub const OTHERS_COLOUR: RGBColor = RGBColor(40, 40, 40);

/// CSS form of a colour.
pub fn css_rgb(c: RGBColor) -> String {
    let RGBColor(r, g, b) = c;
    format!("rgb({r},{g},{b})")
}

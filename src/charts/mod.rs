//! Charts drawn with plotters. Each chart is a function from data to any plotters backend: the page draws
//! on a canvas (plotters-canvas), the native tests on an SVG string.

pub mod lines;
pub mod palette;
pub mod scatter;

//! The one Euclidean distance every step uses (DBSCAN, k-means, k-distance, the scores).

/// Squared Euclidean distance between two points given as iterators of coordinates (slices, ndarray
/// rows): comparing squared distances avoids a square root wherever only the order matters.
#[inline]
pub fn dist2<'a>(a: impl IntoIterator<Item = &'a f64>, b: impl IntoIterator<Item = &'a f64>) -> f64 {
    a.into_iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

#[inline]
pub fn dist<'a>(a: impl IntoIterator<Item = &'a f64>, b: impl IntoIterator<Item = &'a f64>) -> f64 {
    dist2(a, b).sqrt()
}

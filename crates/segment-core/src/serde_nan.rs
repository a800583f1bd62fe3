//! JSON has no NaN: serde_json writes a non-finite f64 as `null`. These read it back as NaN, so a value
//! that is "not comparable" survives the trip to the page and back.

use serde::{Deserialize, Deserializer};

pub fn f64_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// One number that may be null.
#[derive(Deserialize)]
struct Number(#[serde(deserialize_with = "f64_or_nan")] f64);

pub fn vec_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    Ok(Vec::<Number>::deserialize(d)?.into_iter().map(|n| n.0).collect())
}

pub fn rows_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f64>>, D::Error> {
    Ok(Vec::<Vec<Number>>::deserialize(d)?
        .into_iter()
        .map(|r| r.into_iter().map(|n| n.0).collect())
        .collect())
}

/// Rows of f32 that may hold nulls (the scatter sample's missing cells).
pub fn rows32_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<f32>>, D::Error> {
    Ok(Vec::<Vec<Option<f32>>>::deserialize(d)?
        .into_iter()
        .map(|r| r.into_iter().map(|n| n.unwrap_or(f32::NAN)).collect())
        .collect())
}

/// A value for an `f32` sent to the page: clamped to the f32 range, so a value as large as 1e99 does
/// not become infinity (JSON carries neither); NaN stays NaN (null, read back by the fields below).
pub fn to_f32(v: f64) -> f32 {
    if v.is_nan() {
        f32::NAN
    } else {
        v.clamp(-f64::from(f32::MAX), f64::from(f32::MAX)) as f32
    }
}

/// f32 values that may hold nulls.
pub fn vec32_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f32>, D::Error> {
    Ok(Vec::<Option<f32>>::deserialize(d)?.into_iter().map(|n| n.unwrap_or(f32::NAN)).collect())
}

#[cfg(test)]
mod tests {
    use crate::profile::FeatureLevel;

    #[test]
    fn nan_survives_json() {
        let level = FeatureLevel {
            feature: "x".into(),
            mean: 0.0,
            ratio: f64::NAN,
            yes_no: false,
            overall: 0.0,
            days: false,
        };
        let json = serde_json::to_string(&level).unwrap_or_default();
        assert!(json.contains("null"), "{json}");
        let back: Result<FeatureLevel, _> = serde_json::from_str(&json);
        assert!(back.is_ok_and(|b| b.ratio.is_nan()));
    }
}

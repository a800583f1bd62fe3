//! JSON has no NaN: serde_json writes a non-finite f64 as `null`. These read it back as NaN, so a value
//! that is "not comparable" survives the trip to the page and back.

use serde::{Deserialize, Deserializer};

pub fn f64_or_nan<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

#[cfg(test)]
mod tests {
    use crate::profile::FeatureLevel;

    #[test]
    fn nan_survives_json() {
        let level = FeatureLevel { feature: "x".into(), mean: 0.0, ratio: f64::NAN };
        let json = serde_json::to_string(&level).unwrap_or_default();
        assert!(json.contains("null"), "{json}");
        let back: Result<FeatureLevel, _> = serde_json::from_str(&json);
        assert!(back.is_ok_and(|b| b.ratio.is_nan()));
    }
}

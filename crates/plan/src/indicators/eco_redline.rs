//! `eco_redline` 生态保护红线面积.
//!
//! ## What it measures
//! The area of the ecological red line of the plan in force.
//!
//! ## Source
//! 内政字〔2024〕53号 clause 二 (≥ 1.5691 万平方公里).
//!
//! ## Formula
//! Σ over 生态保护红线 features of their `sandiao` area; county by the survey patch under an interior point.
//!
//! ## Example
//! 15 691 km² of red line is 1.5691 万平方公里: exactly the target (green unless within the band).

super::area_indicator!(EcoRedline, "eco_redline", "生态保护红线面积", |x| {
    super::Computed::layer(x, "stbhhx", "生态保护红线")
});

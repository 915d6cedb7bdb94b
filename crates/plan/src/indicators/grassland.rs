//! `grassland` 草地面积.
//!
//! ## What it measures
//! Grassland (草地) in the survey's 三调口径, 0402 沼泽草地 excluded (it is wetland).
//!
//! ## Source
//! TD/T 1063-2021 绿色 dimension; standards §4.3.3.
//!
//! ## Formula
//! Σ TBDLMJ of patches in `classes.grassland`.
//!
//! ## Example
//! A 0404 其他草地 patch of 66 666.67 m² counts 0.0100 万亩.

super::area_indicator!(Grassland, "grassland", "草地面积", |x| {
    super::Computed::areas(x, |a| a.grassland)
});

//! `urban_construction` 城镇建设用地面积.
//!
//! ## What it measures
//! Construction land with an urban CZCSXM (城市, 建制镇 and their independent industrial land).
//!
//! ## Source
//! TD/T 1063-2021; standards §4.4 planning indicators.
//!
//! ## Formula
//! Σ TBDLMJ of patches in `classes.construction` whose CZCSXM is in `classes.urban_czcsxm`.
//!
//! ## Example
//! A 0701 patch of 5 000.00 m² with CZCSXM 202 counts 5 000.00 m²; the same with 203 does not.

super::area_indicator!(
    UrbanConstruction,
    "urban_construction",
    "城镇建设用地面积",
    |x| super::Computed::areas(x, |a| a.urban_construction)
);

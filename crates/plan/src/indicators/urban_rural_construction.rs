//! `urban_rural_construction` 城乡建设用地面积.
//!
//! ## What it measures
//! Construction land of towns and villages (CZCSXM 201–203 with their A variants).
//!
//! ## Source
//! TD/T 1063-2021; standards §4.4.
//!
//! ## Formula
//! Σ TBDLMJ of patches in `classes.construction` whose CZCSXM is urban or rural.
//!
//! ## Example
//! A 0702 农村宅基地 patch with CZCSXM 203 counts; a 1003 公路用地 patch (no CZCSXM) does not.

super::area_indicator!(
    UrbanRuralConstruction,
    "urban_rural_construction",
    "城乡建设用地面积",
    |x| super::Computed::areas(x, |a| a.urban_rural_construction)
);

//! `saline_land` 盐碱地面积.
//!
//! ## What it measures
//! Saline-alkali land (1204 盐碱地).
//!
//! ## Source
//! TD/T 1063-2021; standards §4.3.1.
//!
//! ## Formula
//! Σ TBDLMJ of patches in `classes.saline`.
//!
//! ## Example
//! A 1204 patch of 10 000.00 m² counts 1.0000 公顷.

super::area_indicator!(SalineLand, "saline_land", "盐碱地面积", |x| {
    super::Computed::areas(x, |a| a.saline)
});

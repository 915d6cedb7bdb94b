//! `wetland` 湿地面积.
//!
//! ## What it measures
//! Wetland (湿地, 一级类 00 of the survey's working classification).
//!
//! ## Source
//! TD/T 1063-2021 绿色 dimension; standards §4.3.3.
//!
//! ## Formula
//! Σ TBDLMJ of patches in `classes.wetland`.
//!
//! ## Example
//! A 1106 内陆滩涂 patch of 12 000.00 m² counts 1.2000 公顷.

super::area_indicator!(Wetland, "wetland", "湿地面积", |x| {
    super::Computed::areas(x, |a| a.wetland)
});

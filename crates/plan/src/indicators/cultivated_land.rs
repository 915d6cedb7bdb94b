//! `cultivated_land` 耕地保有量.
//!
//! ## What it measures
//! The cultivated land (耕地, classes 0101–0103) of the survey year, net of 田坎.
//!
//! ## Source
//! 内政字〔2024〕53号 clause 二 (≥ 3179.6591 万亩); TD/T 1063-2021 安全 dimension; standards §4.3.3.
//!
//! ## Formula
//! Σ TBDLMJ of patches whose DLBM is in `classes.cultivated`, by the county of ZLDWDM; cents of m², reported in 万亩.
//!
//! ## Example
//! A 旱地 patch with TBMJ 20 000.00 m² and KCMJ 1 360.00 m² counts 18 640.00 m² (0.0028 万亩).

super::area_indicator!(CultivatedLand, "cultivated_land", "耕地保有量", |x| {
    super::Computed::areas(x, |a| a.cultivated)
});

//! `cultivated_in_pbf` 永久基本农田内耕地面积.
//!
//! ## What it measures
//! The cultivated land inside permanent basic farmland: how much of the protected land is still farmed.
//!
//! ## Source
//! TD/T 1063-2021 安全 dimension; 《土地管理法》第三十三条.
//!
//! ## Formula
//! Σ over 耕地 patches of (piece inside 永久基本农田 − its share of KCMJ), pieces and shares by largest remainder, so that inside + outside equals the patch's TBDLMJ exactly.
//!
//! ## Example
//! A 旱地 patch (TBMJ 20 000.00, KCMJ 1 360.00) half inside counts 10 000.00 − 680.00 = 9 320.00 m².

super::area_indicator!(
    CultivatedInPbf,
    "cultivated_in_pbf",
    "永久基本农田内耕地面积",
    |x| super::Computed::areas(x, |a| a.cultivated_in_pbf)
);

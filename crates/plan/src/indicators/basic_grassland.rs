//! `basic_grassland` 基本草原面积.
//!
//! ## What it measures
//! The area of basic grassland (基本草原) designated in the plan.
//!
//! ## Source
//! 内政字〔2024〕53号 clause 二 (≥ 1900.00 万亩); 《草原法》第四十二条.
//!
//! ## Formula
//! Σ over 基本草原 features of their `sandiao` area; county by ZLDWDM or the patch under an interior point.
//!
//! ## Example
//! A 666 666.67 m² basic-grassland polygon is 0.1000 万亩.

super::area_indicator!(
    BasicGrassland,
    "basic_grassland",
    "基本草原面积",
    |x| super::Computed::layer(x, "jbcy", "基本草原")
);

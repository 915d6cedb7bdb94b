//! `permanent_farmland` 永久基本农田保护面积.
//!
//! ## What it measures
//! The area of the permanent basic farmland layer of the plan in force.
//!
//! ## Source
//! 内政字〔2024〕53号 clause 二 (≥ 2597.1440 万亩).
//!
//! ## Formula
//! Σ over 永久基本农田 features of their `sandiao` area (each rounded to 0.01 m²); a feature counts in the county of its ZLDWDM, else of the survey patch under an interior point of it.
//!
//! ## Example
//! A layer of two polygons of 100 000.00 m² each gives 0.0300 万亩.

super::area_indicator!(
    PermanentFarmland,
    "permanent_farmland",
    "永久基本农田保护面积",
    |x| super::Computed::layer(x, "yjjbnt", "永久基本农田")
);

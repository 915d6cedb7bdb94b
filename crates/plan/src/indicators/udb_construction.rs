//! `udb_construction` 城镇开发边界内城乡建设用地面积.
//!
//! ## What it measures
//! Town and village construction land inside the urban development boundary.
//!
//! ## Source
//! TD/T 1063-2021 协调 dimension.
//!
//! ## Formula
//! Σ over 城乡建设用地 patches of the adjusted piece inside 城镇开发边界.
//!
//! ## Example
//! A 0601 patch (CZCSXM 202) of 8 000.00 m² wholly inside the boundary counts 8 000.00 m².

super::area_indicator!(
    UdbConstruction,
    "udb_construction",
    "城镇开发边界内城乡建设用地面积",
    |x| super::Computed::areas(x, |a| a.udb_construction)
);

//! `construction_in_redline` 生态保护红线内城乡建设用地面积.
//!
//! ## What it measures
//! Town and village construction land inside the ecological red line: what should not grow there.
//!
//! ## Source
//! TD/T 1063-2021 绿色 dimension; 生态保护红线 management rules.
//!
//! ## Formula
//! Σ over 城乡建设用地 patches of the piece inside 生态保护红线, the piece being TBMJ × a_in / a (sandiao areas of the overlay) rounded by largest remainder (面积平差).
//!
//! ## Example
//! A 600.00 m² village patch half inside the red line counts 300.00 m².

super::area_indicator!(
    ConstructionInRedline,
    "construction_in_redline",
    "生态保护红线内城乡建设用地面积",
    |x| super::Computed::areas(x, |a| a.construction_in_redline)
);

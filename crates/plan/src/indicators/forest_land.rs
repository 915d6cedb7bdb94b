//! `forest_land` 林地面积.
//!
//! ## What it measures
//! Forest land (林地) in the survey's 三调口径.
//!
//! ## Source
//! TD/T 1063-2021 绿色 dimension; standards §4.3.3.
//!
//! ## Formula
//! Σ TBDLMJ of patches in `classes.forest` (with K codes).
//!
//! ## Example
//! A 0301K patch counts as 0301 乔木林地.

super::area_indicator!(ForestLand, "forest_land", "林地面积", |x| {
    super::Computed::areas(x, |a| a.forest)
});

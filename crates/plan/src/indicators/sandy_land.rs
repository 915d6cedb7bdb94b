//! `sandy_land` 沙地面积.
//!
//! ## What it measures
//! Sandy land (1205 沙地): the 科尔沁沙地 the plan sets out to restore.
//!
//! ## Source
//! The plan's 科尔沁沙地综合治理 strategy; standards §4.3.1.
//!
//! ## Formula
//! Σ TBDLMJ of patches in `classes.sandy`.
//!
//! ## Example
//! A 1205 patch of 50 000.00 m² counts 5.0000 公顷.

super::area_indicator!(SandyLand, "sandy_land", "沙地面积", |x| {
    super::Computed::areas(x, |a| a.sandy)
});

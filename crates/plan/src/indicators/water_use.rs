//! `water_use` 用水总量.
//!
//! ## What it measures
//! Total water use of the year, from the statistics input (水资源公报).
//!
//! ## Source
//! 内政字〔2024〕53号 clause 二 (not above the allocation of the autonomous region).
//!
//! ## Formula
//! The `water_use` figure (亿立方米) of the year from `onemap stats-input import`: the
//! region's own row, else the sum of every county's. Unknown when missing — never estimated.
//!
//! ## Example
//! Counties reporting 3.1, 2.4, … 亿立方米 with no region row: the region is their sum.

use super::{Computed, IndicatorFn, Inputs, Quantity, UnitKind};

/// See the module doc.
pub struct WaterUse;

impl IndicatorFn for WaterUse {
    fn id(&self) -> &'static str {
        "water_use"
    }

    fn name(&self) -> &'static str {
        "用水总量"
    }

    fn unit_kind(&self) -> UnitKind {
        UnitKind::Fixed("亿立方米")
    }

    fn compute(&self, x: &Inputs) -> Computed {
        let region = x.stat("water_use", None).map(Quantity::Number);
        Computed {
            region,
            units: x
                .counties
                .iter()
                .map(|c| {
                    (
                        c.clone(),
                        x.stat("water_use", Some(c)).map(Quantity::Number),
                    )
                })
                .collect(),
            missing: region.is_none().then(|| {
                format!(
                    "缺少 {} 年用水总量统计数据（onemap stats-input import）",
                    x.tally.year
                )
            }),
        }
    }
}

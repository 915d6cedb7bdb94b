//! `udb_expansion` 城镇开发边界扩展倍数.
//!
//! ## What it measures
//! How large the urban development boundary is against the urban construction land of the
//! base year: the room the plan gives towns to grow.
//!
//! ## Source
//! 内政字〔2024〕53号 clause 二 (≤ 1.3033); standards §4.4 (base-year figure from the 2020
//! change survey).
//!
//! ## Formula
//! Σ `sandiao` area of 城镇开发边界 features ÷ 城镇建设用地 of the base year (Σ TBDLMJ of urban
//! construction patches in the base-year survey), per county and for the region, rounded to
//! 4 decimals. Unknown without the base-year survey or the boundary layer.
//!
//! ## Example
//! A boundary of 130.33 km² over 100.00 km² of 2020 urban construction land gives 1.3033.

use super::{Computed, IndicatorFn, Inputs, Quantity, UnitKind};

/// See the module doc.
pub struct UdbExpansion;

fn ratio(boundary: i64, base: i64) -> Option<Quantity> {
    (base > 0).then(|| Quantity::Number((boundary as f64 / base as f64 * 1e4).round() / 1e4))
}

impl IndicatorFn for UdbExpansion {
    fn id(&self) -> &'static str {
        "udb_expansion"
    }

    fn name(&self) -> &'static str {
        "城镇开发边界扩展倍数"
    }

    fn unit_kind(&self) -> UnitKind {
        UnitKind::Fixed("倍")
    }

    fn compute(&self, x: &Inputs) -> Computed {
        let Some(udb) = x.tally.layers.get("czkfbj") else {
            return Computed::missing(x, "库中没有城镇开发边界（czkfbj）图层".into());
        };
        let Some(base) = x.base else {
            return Computed::missing(
                x,
                format!(
                    "库中没有基期年（{}）地类图斑，无法计算基期城镇建设用地",
                    x.plan.plan.base_year
                ),
            );
        };
        Computed {
            region: ratio(udb.values().sum(), base.region.urban_construction),
            units: x
                .counties
                .iter()
                .map(|c| {
                    let b = base.units.get(c).map_or(0, |a| a.urban_construction);
                    (c.clone(), ratio(udb.get(c).copied().unwrap_or(0), b))
                })
                .collect(),
            missing: None,
        }
    }
}

//! `per_capita_urban_land` 人均城镇建设用地面积.
//!
//! ## What it measures
//! Urban construction land per urban resident.
//!
//! ## Source
//! TD/T 1063-2021 协调 dimension; GB 50137-2011 (≤ 115 m² per person in severely cold areas).
//!
//! ## Formula
//! 城镇建设用地 (m², as `urban_construction`) ÷ (urban population in 万人 from the statistics
//! input `urban_population` × 10 000), rounded to 0.01 m²/人. Unknown without the population.
//!
//! ## Example
//! 100.00 km² of urban construction land and 90 万 urban residents: 111.11 m²/人.

use super::{Computed, IndicatorFn, Inputs, Quantity, UnitKind};

/// See the module doc.
pub struct PerCapitaUrbanLand;

fn per_capita(cents: i64, pop_wan: Option<f64>) -> Option<Quantity> {
    let p = pop_wan.filter(|p| *p > 0.0)?;
    Some(Quantity::Number(
        (cents as f64 / 100.0 / (p * 1e4) * 100.0).round() / 100.0,
    ))
}

impl IndicatorFn for PerCapitaUrbanLand {
    fn id(&self) -> &'static str {
        "per_capita_urban_land"
    }

    fn name(&self) -> &'static str {
        "人均城镇建设用地面积"
    }

    fn unit_kind(&self) -> UnitKind {
        UnitKind::Fixed("平方米/人")
    }

    fn compute(&self, x: &Inputs) -> Computed {
        let region = per_capita(
            x.tally.region.urban_construction,
            x.stat("urban_population", None),
        );
        Computed {
            region,
            units: x
                .counties
                .iter()
                .map(|c| {
                    let a = x.tally.units.get(c).map_or(0, |a| a.urban_construction);
                    (
                        c.clone(),
                        per_capita(a, x.stat("urban_population", Some(c))),
                    )
                })
                .collect(),
            missing: region.is_none().then(|| {
                format!(
                    "缺少 {} 年城镇常住人口统计数据（onemap stats-input import）",
                    x.tally.year
                )
            }),
        }
    }
}

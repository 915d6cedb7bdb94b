//! The registry of indicators. Each indicator is one file: its id, Chinese name, doc (what it
//! measures, source, formula, example) and one function from the year's [`Inputs`] to values
//! for the region and each county. The plan file refers to indicators by id; adding one is
//! adding a file and a line here.

/// An area indicator whose values come from one function of the year's inputs:
/// `area_indicator!(Type, "id", "名称", |x| Computed::…)`.
macro_rules! area_indicator {
    ($st:ident, $id:literal, $name:literal, $compute:expr) => {
        /// See the module doc.
        pub struct $st;

        impl super::IndicatorFn for $st {
            fn id(&self) -> &'static str {
                $id
            }

            fn name(&self) -> &'static str {
                $name
            }

            fn unit_kind(&self) -> super::UnitKind {
                super::UnitKind::Area
            }

            fn compute(&self, x: &super::Inputs) -> super::Computed {
                let f: fn(&super::Inputs) -> super::Computed = $compute;
                f(x)
            }
        }
    };
}
pub(crate) use area_indicator;

mod basic_grassland;
mod construction_in_redline;
mod cultivated_in_pbf;
mod cultivated_land;
mod eco_redline;
mod forest_land;
mod grassland;
mod per_capita_urban_land;
mod permanent_farmland;
mod saline_land;
mod sandy_land;
mod udb_construction;
mod udb_expansion;
mod urban_construction;
mod urban_rural_construction;
mod water_use;
mod wetland;

use crate::tally::{Areas, Tally};
use crate::Plan;
use onemap_store::StatRow;
use std::collections::BTreeMap;

/// What an indicator computes from.
pub struct Inputs<'a> {
    /// The plan.
    pub plan: &'a Plan,
    /// The year's tally.
    pub tally: &'a Tally,
    /// The base year's tally (for 扩展倍数), when that survey is in the store.
    pub base: Option<&'a Tally>,
    /// Statistics inputs of every year.
    pub stats: &'a [StatRow],
    /// The reporting counties.
    pub counties: &'a [String],
}

impl Inputs<'_> {
    /// A statistics figure of the year for a unit; for the region, the region's own row, else
    /// the sum over every county when each has one.
    pub fn stat(&self, key: &str, unit: Option<&str>) -> Option<f64> {
        let find = |u: &str| {
            self.stats
                .iter()
                .find(|r| r.year == self.tally.year && r.key == key && r.unit == u)
                .map(|r| r.value)
        };
        match unit {
            Some(u) => find(u),
            None => find(&self.plan.plan.region).or_else(|| {
                self.counties
                    .iter()
                    .map(|c| find(c))
                    .sum::<Option<f64>>()
                    .filter(|_| !self.counties.is_empty())
            }),
        }
    }
}

/// A computed quantity.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Quantity {
    /// An area, cents of m² (converted to the plan's unit for output).
    Area(i64),
    /// Any other number, already in the plan's unit.
    Number(f64),
}

/// An indicator's values for a year.
#[derive(Clone, Debug, PartialEq)]
pub struct Computed {
    /// The region's value; `None` when it cannot be computed.
    pub region: Option<Quantity>,
    /// Each county's value.
    pub units: BTreeMap<String, Option<Quantity>>,
    /// Why a value is missing, in words.
    pub missing: Option<String>,
}

impl Computed {
    /// An area indicator read from the tally's per-unit areas.
    pub fn areas(x: &Inputs, f: impl Fn(&Areas) -> i64) -> Computed {
        Computed {
            region: Some(Quantity::Area(f(&x.tally.region))),
            units: x
                .counties
                .iter()
                .map(|c| {
                    (
                        c.clone(),
                        Some(Quantity::Area(x.tally.units.get(c).map_or(0, &f))),
                    )
                })
                .collect(),
            missing: None,
        }
    }

    /// An area indicator read from a control layer's areas per county.
    pub fn layer(x: &Inputs, kind: &str, name: &str) -> Computed {
        match x.tally.layers.get(kind) {
            Some(m) => Computed {
                region: Some(Quantity::Area(m.values().sum())),
                units: x
                    .counties
                    .iter()
                    .map(|c| {
                        (
                            c.clone(),
                            Some(Quantity::Area(m.get(c).copied().unwrap_or(0))),
                        )
                    })
                    .collect(),
                missing: None,
            },
            None => Computed::missing(x, format!("库中没有{name}（{kind}）图层")),
        }
    }

    /// Nothing computable, with the reason.
    pub fn missing(x: &Inputs, why: String) -> Computed {
        Computed {
            region: None,
            units: x.counties.iter().map(|c| (c.clone(), None)).collect(),
            missing: Some(why),
        }
    }
}

/// An indicator implementation.
pub trait IndicatorFn: Sync {
    /// Id, as the plan file writes it.
    fn id(&self) -> &'static str;
    /// Chinese name.
    fn name(&self) -> &'static str;
    /// Whether the value is an area (converted to the plan's area unit) or a number in a
    /// fixed unit.
    fn unit_kind(&self) -> UnitKind;
    /// The values for the year.
    fn compute(&self, x: &Inputs) -> Computed;
}

/// What units an indicator's values take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKind {
    /// Any area unit.
    Area,
    /// This fixed unit.
    Fixed(&'static str),
}

/// Every indicator.
pub static INDICATORS: &[&dyn IndicatorFn] = &[
    &cultivated_land::CultivatedLand,
    &permanent_farmland::PermanentFarmland,
    &eco_redline::EcoRedline,
    &udb_expansion::UdbExpansion,
    &basic_grassland::BasicGrassland,
    &water_use::WaterUse,
    &urban_construction::UrbanConstruction,
    &urban_rural_construction::UrbanRuralConstruction,
    &construction_in_redline::ConstructionInRedline,
    &udb_construction::UdbConstruction,
    &cultivated_in_pbf::CultivatedInPbf,
    &wetland::Wetland,
    &forest_land::ForestLand,
    &grassland::Grassland,
    &sandy_land::SandyLand,
    &saline_land::SalineLand,
    &per_capita_urban_land::PerCapitaUrbanLand,
];

/// The implementation of an id.
pub fn indicator(id: &str) -> Option<&'static dyn IndicatorFn> {
    INDICATORS.iter().copied().find(|i| i.id() == id)
}

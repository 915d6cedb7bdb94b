//! `farmland_to_construction` 耕地"非农化".
//!
//! ## What it finds
//! Cultivated land that became construction land, anywhere.
//!
//! ## Source
//! 国办发明电〔2020〕24号 (坚决制止耕地"非农化").
//!
//! ## Area
//! The whole changed piece.

use super::{AlertRule, Scope, Side};
use onemap_plan::ClassSets;

/// See the module doc.
pub struct FarmlandToConstruction;

impl AlertRule for FarmlandToConstruction {
    fn id(&self) -> &'static str {
        "farmland_to_construction"
    }

    fn scope(&self) -> Scope {
        Scope::Anywhere
    }

    fn matches(&self, a: Side, b: Side, c: &ClassSets) -> bool {
        c.is_cultivated(a.dlbm) && c.is_construction(b.dlbm)
    }
}

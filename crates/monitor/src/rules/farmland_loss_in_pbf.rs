//! `farmland_loss_in_pbf` 永久基本农田内耕地流失.
//!
//! ## What it finds
//! Cultivated land inside permanent basic farmland that became anything else.
//!
//! ## Source
//! 《土地管理法》第三十五条; 内政字〔2024〕53号 (永久基本农田 ≥ 2597.1440 万亩).
//!
//! ## Area
//! The part of the changed piece inside 永久基本农田.

use super::{AlertRule, Scope, Side};
use onemap_plan::ClassSets;
use onemap_survey::Kind;

/// See the module doc.
pub struct FarmlandLossInPbf;

impl AlertRule for FarmlandLossInPbf {
    fn id(&self) -> &'static str {
        "farmland_loss_in_pbf"
    }

    fn scope(&self) -> Scope {
        Scope::Inside(Kind::Yjjbnt)
    }

    fn matches(&self, a: Side, b: Side, c: &ClassSets) -> bool {
        c.is_cultivated(a.dlbm) && !c.is_cultivated(b.dlbm)
    }
}

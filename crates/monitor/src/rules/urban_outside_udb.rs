//! `urban_outside_udb` 城镇开发边界外新增城镇建设用地.
//!
//! ## What it finds
//! New urban construction land (construction land with CZCSXM 201/202 and their A codes)
//! outside the urban development boundary.
//!
//! ## Source
//! 内政字〔2024〕53号 clause 四 (城镇开发边界外不得进行城镇集中建设).
//!
//! ## Area
//! The part of the changed piece outside 城镇开发边界.

use super::{urban, AlertRule, Scope, Side};
use onemap_plan::ClassSets;
use onemap_survey::Kind;

/// See the module doc.
pub struct UrbanOutsideUdb;

impl AlertRule for UrbanOutsideUdb {
    fn id(&self) -> &'static str {
        "urban_outside_udb"
    }

    fn scope(&self) -> Scope {
        Scope::Outside(Kind::Czkfbj)
    }

    fn matches(&self, a: Side, b: Side, c: &ClassSets) -> bool {
        !urban(a, c) && urban(b, c)
    }
}

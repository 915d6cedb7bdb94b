//! `construction_in_redline` 生态保护红线内新增建设用地.
//!
//! ## What it finds
//! Land inside the ecological red line that became construction land (建设用地) this period.
//!
//! ## Source
//! 中办发〔2019〕48号 (生态保护红线内严格禁止开发性、生产性建设活动).
//!
//! ## Area
//! The part of the changed piece inside 生态保护红线.

use super::{AlertRule, Scope, Side};
use onemap_plan::ClassSets;
use onemap_survey::Kind;

/// See the module doc.
pub struct ConstructionInRedline;

impl AlertRule for ConstructionInRedline {
    fn id(&self) -> &'static str {
        "construction_in_redline"
    }

    fn scope(&self) -> Scope {
        Scope::Inside(Kind::Stbhhx)
    }

    fn matches(&self, a: Side, b: Side, c: &ClassSets) -> bool {
        !c.is_construction(a.dlbm) && c.is_construction(b.dlbm)
    }
}

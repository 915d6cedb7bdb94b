//! `sand_restored` 沙地治理成效 (a positive signal).
//!
//! ## What it finds
//! 沙地 (1205) that became 林地 or 草地: the 科尔沁沙地 being restored.
//!
//! ## Source
//! The plan's 科尔沁沙地综合治理 strategy.
//!
//! ## Area
//! The whole changed piece.

use super::{AlertRule, Scope, Side};
use onemap_plan::{in_set, ClassSets};

/// See the module doc.
pub struct SandRestored;

impl AlertRule for SandRestored {
    fn id(&self) -> &'static str {
        "sand_restored"
    }

    fn scope(&self) -> Scope {
        Scope::Anywhere
    }

    fn matches(&self, a: Side, b: Side, c: &ClassSets) -> bool {
        in_set(&c.sandy, a.dlbm) && (in_set(&c.forest, b.dlbm) || in_set(&c.grassland, b.dlbm))
    }
}

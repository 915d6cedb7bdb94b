//! `farmland_to_nongrain` 耕地"非粮化".
//!
//! ## What it finds
//! Cultivated land turned into 园地 (种植园用地), 林地 or 坑塘水面.
//!
//! ## Source
//! 国办发〔2020〕44号 (防止耕地"非粮化").
//!
//! ## Area
//! The whole changed piece.

use super::{AlertRule, Scope, Side};
use onemap_plan::{in_set, ClassSets};

/// See the module doc.
pub struct FarmlandToNongrain;

impl AlertRule for FarmlandToNongrain {
    fn id(&self) -> &'static str {
        "farmland_to_nongrain"
    }

    fn scope(&self) -> Scope {
        Scope::Anywhere
    }

    fn matches(&self, a: Side, b: Side, c: &ClassSets) -> bool {
        c.is_cultivated(a.dlbm)
            && (in_set(&c.garden, b.dlbm) || in_set(&c.forest, b.dlbm) || in_set(&c.pond, b.dlbm))
    }
}

//! D-W03 非耕地图斑有扣除系数或扣除面积.
//!
//! ## What it checks
//! KCXS and KCMJ are 0 or empty on patches whose DLBM is not 01xx.
//!
//! ## Why
//! 田坎 belongs to 耕地 only (§4.6.3); the delivered KCMJ is still honoured.
//!
//! ## Example
//! DLBM `0301` with KCMJ 12.00 → warning.

use super::{Check, Finding, Options, Record, Severity};
use crate::classes::is_cultivated;

struct KcNonCultivated;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(KcNonCultivated)
}

impl Check for KcNonCultivated {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        let Some(d) = r.text("DLBM") else { return };
        // Not 耕地, and a real class (an unknown DLBM is D-E03's).
        if is_cultivated(&d) || crate::classes::class_of(&d).is_none() {
            return;
        }
        let positive = |f: &str| matches!(r.decimal(f), Some(Ok(x)) if x.mantissa > 0);
        if positive("KCXS") || positive("KCMJ") {
            out.push(r.finding(
                Severity::Warning,
                "D-W03",
                Some("KCMJ"),
                format!("KCXS/KCMJ set on a {d} patch (not 耕地)"),
            ));
        }
    }
}

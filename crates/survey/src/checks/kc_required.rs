//! D-E06 耕地图斑缺少扣除系数、扣除面积或地类面积.
//!
//! ## What it checks
//! A 01xx patch carries KCXS, KCMJ and TBDLMJ.
//!
//! ## Why
//! 耕地 is counted by TBDLMJ and its 田坎 by KCMJ (§4.6.2); without them the 耕地保有量 cannot
//! be computed.
//!
//! ## Example
//! DLBM `0103` with KCMJ empty → error naming KCMJ.

use super::{Check, Finding, Options, Record, Severity};
use crate::classes::is_cultivated;

struct KcRequired {
    /// Missing columns already reported.
    reported: Vec<&'static str>,
}

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(KcRequired {
        reported: Vec::new(),
    })
}

impl Check for KcRequired {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        let Some(d) = r.text("DLBM") else { return };
        if !is_cultivated(&d) {
            return;
        }
        for f in ["KCXS", "KCMJ", "TBDLMJ"] {
            if !r.has(f) {
                if !self.reported.contains(&f) {
                    self.reported.push(f);
                    out.push(super::Finding {
                        severity: Severity::Error,
                        check: "D-E06",
                        feature: None,
                        field: Some(f.into()),
                        message: format!("the layer has no {f}, which every 耕地 (01xx) patch needs (first at feature {})", r.index),
                    });
                }
                continue;
            }
            if r.value(f)
                .is_none_or(|v| matches!(v, onemap_formats::Value::Null))
            {
                out.push(r.finding(
                    Severity::Error,
                    "D-E06",
                    Some(f),
                    format!("{f} is empty on a {d} (耕地) patch"),
                ));
            }
        }
    }
}

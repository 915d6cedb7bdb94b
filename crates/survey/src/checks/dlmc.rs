//! D-W01 地类名称与地类编码不符.
//!
//! ## What it checks
//! DLMC, when given, is the name of DLBM (§4.3).
//!
//! ## Why
//! DLBM is authoritative; a different name points at an editing mistake.
//!
//! ## Example
//! DLBM `0101` with DLMC `旱地` → warning (0101 is 水田).

use super::{Check, Finding, Options, Record, Severity};
use crate::classes::name_of;

struct Dlmc;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(Dlmc)
}

impl Check for Dlmc {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        let (Some(code), Some(name)) = (r.text("DLBM"), r.text("DLMC")) else {
            return;
        };
        if let Some(want) = name_of(&code) {
            if want != name {
                out.push(r.finding(
                    Severity::Warning,
                    "D-W01",
                    Some("DLMC"),
                    format!("DLMC {name} but DLBM {code} is {want}"),
                ));
            }
        }
    }
}

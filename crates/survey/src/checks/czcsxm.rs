//! D-W06 城镇村属性码不在值域中或与地类不符.
//!
//! ## What it checks
//! CZCSXM is one of the 8 codes of §4.4, and is carried only by the construction-land classes
//! of §4.4 rule 3.
//!
//! ## Why
//! 城镇村及工矿用地 and 城镇建设用地 are sums by CZCSXM.
//!
//! ## Example
//! DLBM `0101` with CZCSXM `203` → warning.

use super::{Check, Finding, Options, Record, Severity};
use crate::classes::{expects_czcsxm, CZCSXM};

struct Czcsxm;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(Czcsxm)
}

impl Check for Czcsxm {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        let Some(c) = r.text("CZCSXM") else { return };
        if !CZCSXM.iter().any(|x| x.0 == c) {
            out.push(r.finding(
                Severity::Warning,
                "D-W06",
                Some("CZCSXM"),
                format!("CZCSXM {c} is not a 城镇村属性码"),
            ));
        } else if let Some(d) = r.text("DLBM") {
            if !expects_czcsxm(&d) {
                out.push(r.finding(
                    Severity::Warning,
                    "D-W06",
                    Some("CZCSXM"),
                    format!("CZCSXM {c} on a {d} patch, which carries none"),
                ));
            }
        }
    }
}

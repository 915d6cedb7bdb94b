//! D-E09 扣除地类面积为负或大于图斑面积.
//!
//! ## What it checks
//! 0 ≤ KCMJ ≤ TBMJ.
//!
//! ## Why
//! KCMJ is a part of the patch; outside this range the class areas cannot add up (§4.6.2).
//!
//! ## Example
//! TBMJ 100.00, KCMJ 120.00 → error.

use super::{Check, Finding, Options, Record, Severity};
use onemap_geodesy::units::cents_to_m2_string as m2;

struct KcmjRange;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(KcmjRange)
}

impl Check for KcmjRange {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        let Some(Ok(k)) = r.cents("KCMJ") else { return };
        if k < 0 {
            out.push(r.finding(
                Severity::Error,
                "D-E09",
                Some("KCMJ"),
                format!("KCMJ {} is negative", m2(k)),
            ));
        } else if let Some(Ok(t)) = r.cents("TBMJ") {
            if k > t {
                out.push(r.finding(
                    Severity::Error,
                    "D-E09",
                    Some("KCMJ"),
                    format!("KCMJ {} > TBMJ {}", m2(k), m2(t)),
                ));
            }
        }
    }
}

//! D-E04 图斑面积为空或不大于零.
//!
//! ## What it checks
//! TBMJ is a number greater than zero.
//!
//! ## Why
//! TBMJ is the official area; every statistic is a sum of it (standards §4.6.1).
//!
//! ## Example
//! TBMJ `0` → `TBMJ 0.00 is not > 0`.

use super::{Check, Finding, Options, Record, Severity};

struct Tbmj;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(Tbmj)
}

impl Check for Tbmj {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        if !r.has("TBMJ") {
            return; // D-E01 reports the missing field once
        }
        match r.cents("TBMJ") {
            None => out.push(r.finding(Severity::Error, "D-E04", Some("TBMJ"), "TBMJ is empty")),
            Some(Err(e)) => out.push(r.finding(Severity::Error, "D-E04", Some("TBMJ"), e)),
            Some(Ok(c)) if c <= 0 => out.push(r.finding(
                Severity::Error,
                "D-E04",
                Some("TBMJ"),
                format!(
                    "TBMJ {} is not > 0",
                    onemap_geodesy::units::cents_to_m2_string(c)
                ),
            )),
            Some(Ok(_)) => {}
        }
    }
}

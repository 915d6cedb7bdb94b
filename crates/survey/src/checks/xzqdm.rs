//! X-E01 行政区代码不是6、9或12位数字.
//!
//! ## What it checks
//! XZQDM is 6 (county), 9 (township) or 12 (village) ASCII digits (GB/T 2260, §4.5.7).
//!
//! ## Why
//! Administrative units are joined to survey data by code; a malformed code joins nothing.
//!
//! ## Example
//! `15052` → error.

use super::{Check, Finding, Options, Record, Severity};

struct Xzqdm;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(Xzqdm)
}

impl Check for Xzqdm {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        if !r.has("XZQDM") {
            return; // D-E01 reports the missing field once
        }
        match r.text("XZQDM") {
            None => out.push(r.finding(Severity::Error, "X-E01", Some("XZQDM"), "XZQDM is empty")),
            Some(c)
                if !(matches!(c.len(), 6 | 9 | 12) && c.bytes().all(|b| b.is_ascii_digit())) =>
            {
                out.push(r.finding(
                    Severity::Error,
                    "X-E01",
                    Some("XZQDM"),
                    format!("XZQDM {c} is not a 6-, 9- or 12-digit code"),
                ))
            }
            Some(_) => {}
        }
    }
}

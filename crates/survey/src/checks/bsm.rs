//! D-E02 标识码为空或重复.
//!
//! ## What it checks
//! Every patch has a BSM, and no two patches of the dataset share one.
//!
//! ## Why
//! BSM identifies a patch across years and in the change ledger; a duplicate makes every later
//! comparison ambiguous (standards §4.2, D-E02).
//!
//! ## Example
//! Two patches with BSM `1001` → an error at the second, naming the first.

use super::{Check, Finding, Options, Record, Severity};
use std::collections::HashMap;

struct Bsm {
    seen: HashMap<String, u64>,
}

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(Bsm {
        seen: HashMap::new(),
    })
}

impl Check for Bsm {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        if !r.has("BSM") {
            return; // D-E01 reports the missing field once
        }
        match r.text("BSM") {
            None => out.push(r.finding(Severity::Error, "D-E02", Some("BSM"), "BSM is empty")),
            Some(b) => {
                if let Some(first) = self.seen.get(&b) {
                    out.push(r.finding(
                        Severity::Error,
                        "D-E02",
                        Some("BSM"),
                        format!("BSM {b} repeats feature {first}"),
                    ));
                } else {
                    self.seen.insert(b, r.index);
                }
            }
        }
    }
}

//! D-E07 图斑地类面积不等于图斑面积减扣除面积.
//!
//! ## What it checks
//! TBDLMJ = TBMJ − KCMJ exactly at 0.01 m² (KCMJ empty counts as 0).
//!
//! ## Why
//! Class areas must add up to the official total: Σ TBDLMJ + Σ KCMJ = Σ TBMJ (§4.6.2).
//!
//! ## Example
//! TBMJ 1000.00, KCMJ 68.00, TBDLMJ 932.01 → error: expected 932.00.

use super::{Check, Finding, Options, Record, Severity};
use onemap_geodesy::units::cents_to_m2_string as m2;

struct Tbdlmj;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(Tbdlmj)
}

impl Check for Tbdlmj {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        let (Some(Ok(t)), Some(Ok(d))) = (r.cents("TBMJ"), r.cents("TBDLMJ")) else {
            return;
        };
        let k = match r.cents("KCMJ") {
            Some(Ok(k)) => k,
            Some(Err(e)) => {
                out.push(r.finding(Severity::Error, "D-E07", Some("KCMJ"), e));
                return;
            }
            None => 0,
        };
        if d != t - k {
            out.push(r.finding(
                Severity::Error,
                "D-E07",
                Some("TBDLMJ"),
                format!(
                    "TBDLMJ {} ≠ TBMJ {} − KCMJ {} = {}",
                    m2(d),
                    m2(t),
                    m2(k),
                    m2(t - k)
                ),
            ));
        }
    }
}

//! D-W02 扣除面积与图斑面积×扣除系数相差超过0.01平方米.
//!
//! ## What it checks
//! |KCMJ − TBMJ × KCXS| ≤ 0.01 m², with the exact decimal product (KCXS at 4 decimals).
//!
//! ## Why
//! KCMJ is TBMJ × KCXS rounded to 0.01 m² (§4.6.2); producers' rounding may differ by one cent,
//! more means an edit that was not propagated.
//!
//! ## Example
//! TBMJ 10000.00, KCXS 0.068, KCMJ 700.00 → warning (expected 680.00).

use super::{Check, Finding, Options, Record, Severity};
use onemap_geodesy::units::cents_to_m2_string as m2;

struct KcmjProduct;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(KcmjProduct)
}

impl Check for KcmjProduct {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        let (Some(Ok(t)), Some(Ok(k)), Some(Ok(x))) =
            (r.cents("TBMJ"), r.cents("KCMJ"), r.decimal("KCXS"))
        else {
            return;
        };
        let x4 = x.round_to(4);
        if !(0..10_000).contains(&x4) {
            return; // D-E08 reports it
        }
        // In units of 1e-4 cent.
        if ((k as i128) * 10_000 - t as i128 * x4).abs() > 10_000 {
            let want = onemap_geodesy::units::q(t as i128 * x4, 10_000) as i64;
            out.push(r.finding(
                Severity::Warning,
                "D-W02",
                Some("KCMJ"),
                format!("KCMJ {} but TBMJ {} × KCXS = {}", m2(k), m2(t), m2(want)),
            ));
        }
    }
}

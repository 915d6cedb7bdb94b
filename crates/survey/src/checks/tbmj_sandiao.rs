//! D-W10 图斑面积与椭球面积相差超过容差.
//!
//! ## What it checks
//! |TBMJ − A| ≤ max(0.10 m², 1e-4 × TBMJ), A the `sandiao` area of the geometry (§4.2.3);
//! both tolerances are options.
//!
//! ## Why
//! TBMJ is adjusted to control totals and may differ from a fresh computation by a few cents;
//! more means edits after adjustment, or a wrong CRS or zone.
//!
//! ## Example
//! A 1 ha square delivered with TBMJ 10100.00 → warning with both areas.

use super::{Check, Finding, Options, Record, Severity};
use onemap_geodesy::units::cents_to_m2_string as m2;

struct TbmjSandiao {
    rel: f64,
    abs: i64,
}

pub(super) fn make(o: &Options) -> Box<dyn Check> {
    Box::new(TbmjSandiao {
        rel: o.tbmj_tolerance_rel,
        abs: o.tbmj_tolerance_cents,
    })
}

impl Check for TbmjSandiao {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        let (Some(Ok(t)), Some(a)) = (r.cents("TBMJ"), r.area_cents) else {
            return;
        };
        let tol = (self.abs as f64).max(self.rel * t as f64);
        if ((t - a) as f64).abs() > tol {
            out.push(r.finding(
                Severity::Warning,
                "D-W10",
                Some("TBMJ"),
                format!(
                    "TBMJ {} differs from the sandiao area {} of the geometry by {} m²",
                    m2(t),
                    m2(a),
                    m2(t - a)
                ),
            ));
        }
    }
}

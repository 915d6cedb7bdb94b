//! D-W04 有扣除面积但扣除地类编码不是1203.
//!
//! ## What it checks
//! KCDLBM is `1203` whenever KCMJ > 0.
//!
//! ## Why
//! KCMJ is always counted as 1203 田坎 (§4.6.2); another KCDLBM is a data error.
//!
//! ## Example
//! KCMJ 68.00 with KCDLBM empty → warning.

use super::{Check, Finding, Options, Record, Severity};

struct Kcdlbm;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(Kcdlbm)
}

impl Check for Kcdlbm {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        if !matches!(r.cents("KCMJ"), Some(Ok(k)) if k > 0) {
            return;
        }
        let code = r.text("KCDLBM");
        if code.as_deref() != Some("1203") {
            out.push(r.finding(
                Severity::Warning,
                "D-W04",
                Some("KCDLBM"),
                format!(
                    "KCMJ > 0 but KCDLBM is {}; KCMJ is counted as 1203",
                    code.as_deref().unwrap_or("empty")
                ),
            ));
        }
    }
}

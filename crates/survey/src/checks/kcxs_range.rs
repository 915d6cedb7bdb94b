//! D-E08 扣除地类系数不在[0,1)内.
//!
//! ## What it checks
//! 0 ≤ KCXS < 1. When KCXS ≥ 1 and KCMJ ≈ TBMJ × KCXS / 100 (within 0.01 m²), the coefficient
//! was written as a percentage: the message says so and proposes KCXS / 100 (§4.6.3); the
//! value is never corrected silently.
//!
//! ## Why
//! KCXS is a fraction (0.05, not 5); a percentage inflates 田坎 a hundredfold.
//!
//! ## Example
//! TBMJ 10000.00, KCXS 11.95, KCMJ 1195.00 → "written as a percentage: use 0.1195".

use super::{Check, Finding, Options, Record, Severity};

struct KcxsRange;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(KcxsRange)
}

impl Check for KcxsRange {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        let k = match r.decimal("KCXS") {
            None => return,
            Some(Err(e)) => {
                out.push(r.finding(Severity::Error, "D-E08", Some("KCXS"), e));
                return;
            }
            Some(Ok(k)) => k,
        };
        // Compared at 4 decimals (a stored 0.11949999 is 0.1195), in units of 1e-4.
        let k4 = k.round_to(4);
        if k4 < 0 {
            out.push(r.finding(
                Severity::Error,
                "D-E08",
                Some("KCXS"),
                format!("KCXS {} is negative", show(k4)),
            ));
        } else if k4 >= 10_000 {
            let percent = match (r.cents("TBMJ"), r.cents("KCMJ")) {
                // |KCMJ − TBMJ·KCXS/100| ≤ 0.01 m², in cents × 1e6.
                (Some(Ok(t)), Some(Ok(m))) => {
                    ((m as i128) * 1_000_000 - t as i128 * k4).abs() <= 1_000_000
                }
                _ => false,
            };
            let msg = if percent {
                format!(
                    "KCXS {} was written as a percentage: KCMJ matches TBMJ × {} / 100; use {}",
                    show(k4),
                    show(k4),
                    show(k4 / 100)
                )
            } else {
                format!("KCXS {} is not a fraction in [0, 1)", show(k4))
            };
            out.push(r.finding(Severity::Error, "D-E08", Some("KCXS"), msg));
        }
    }
}

fn show(k4: i128) -> String {
    let s = onemap_geodesy::units::fixed(k4, 4);
    let s = s.trim_end_matches('0');
    s.strip_suffix('.').unwrap_or(s).to_string()
}

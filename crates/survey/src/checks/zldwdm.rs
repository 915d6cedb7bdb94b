//! D-E05 坐落单位代码不是本市19位代码.
//!
//! ## What it checks
//! ZLDWDM is exactly 19 ASCII digits and its first 6 are a county of the city (§4.5.7, §4.7).
//!
//! ## Why
//! Statistics by county, township and village are read from ZLDWDM.
//!
//! ## Example
//! `15050210100` (11 digits) → error; `2105021010000000000` → not a Tongliao county.

use super::{Check, Finding, Options, Record, Severity};

struct Zldwdm {
    counties: Vec<String>,
}

pub(super) fn make(o: &Options) -> Box<dyn Check> {
    Box::new(Zldwdm {
        counties: o.county_codes.clone(),
    })
}

impl Check for Zldwdm {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        if !r.has("ZLDWDM") {
            return; // D-E01 reports the missing field once
        }
        let Some(z) = r.text("ZLDWDM") else {
            out.push(r.finding(Severity::Error, "D-E05", Some("ZLDWDM"), "ZLDWDM is empty"));
            return;
        };
        if z.len() != 19 || !z.bytes().all(|b| b.is_ascii_digit()) {
            out.push(r.finding(
                Severity::Error,
                "D-E05",
                Some("ZLDWDM"),
                format!("ZLDWDM {z} is not 19 digits"),
            ));
        } else if !self.counties.iter().any(|c| z.starts_with(c.as_str())) {
            out.push(r.finding(
                Severity::Error,
                "D-E05",
                Some("ZLDWDM"),
                format!(
                    "ZLDWDM {z}: county {} is not one of {}",
                    &z[..6],
                    self.counties.join(", ")
                ),
            ));
        }
    }
}

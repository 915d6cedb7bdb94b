//! D-E03 地类编码不在三调工作分类中.
//!
//! ## What it checks
//! DLBM is a code of the 三调 work classification (§4.3.1) or one of its extension codes
//! (§4.3.2), after normalisation; working-stage codes 1301–1304 and 二调 城镇村 codes 201–205
//! are refused.
//!
//! ## Why
//! Every statistic groups patches by DLBM; an unknown code would vanish from the tables.
//!
//! ## Example
//! DLBM `0199` → `DLBM 0199 is not a 三调 class`.

use super::{Check, Finding, Options, Record, Severity};
use crate::classes::class_of;

struct Dlbm;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(Dlbm)
}

impl Check for Dlbm {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        if !r.has("DLBM") {
            return; // D-E01 reports the missing field once
        }
        match r.text("DLBM") {
            None => out.push(r.finding(Severity::Error, "D-E03", Some("DLBM"), "DLBM is empty")),
            Some(c) if class_of(&c).is_none() => {
                let why = match c.as_str() {
                    "1301" | "1302" | "1303" | "1304" => {
                        " (a working-stage code; not allowed in a final DLTB)"
                    }
                    "201" | "202" | "203" | "204" | "205" => {
                        " (a 城镇村 code; it belongs in CZCSXM)"
                    }
                    _ => "",
                };
                out.push(r.finding(
                    Severity::Error,
                    "D-E03",
                    Some("DLBM"),
                    format!("DLBM {c} is not a 三调 class{why}"),
                ));
            }
            Some(_) => {}
        }
    }
}

//! D-W05 耕地坡度级别与耕地类型不符.
//!
//! ## What it checks
//! A 耕地 (01xx) patch has GDPDJB 1–5; GDLX (TT/PD) is filled for grades 2–5 and empty for
//! grade 1 (standards §4.5.2–4.5.3). Skipped when the layer has no GDPDJB.
//!
//! ## Why
//! The slope grade decides the 田坎 coefficient and the 耕地坡度分级 table.
//!
//! ## Example
//! DLBM `0103`, GDPDJB `3`, GDLX empty → warning.

use super::{Check, Finding, Options, Record, Severity};
use crate::classes::is_cultivated;

struct Gdpdjb;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(Gdpdjb)
}

impl Check for Gdpdjb {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        if !r.has("GDPDJB") {
            return;
        }
        let Some(d) = r.text("DLBM") else { return };
        if !is_cultivated(&d) {
            return;
        }
        let grade = r.text("GDPDJB");
        let gdlx = r.text("GDLX");
        let msg = match grade.as_deref().and_then(|g| g.parse::<u8>().ok()) {
            None | Some(0) | Some(6..) => Some(format!(
                "GDPDJB {} on a {d} patch; expected 1–5",
                grade.as_deref().unwrap_or("empty")
            )),
            Some(1) if gdlx.is_some() => Some(format!(
                "GDLX {} with GDPDJB 1 (flat land has no 耕地类型)",
                gdlx.as_deref().unwrap_or("")
            )),
            Some(g @ 2..=5) if r.has("GDLX") && gdlx.is_none() => {
                Some(format!("GDLX empty with GDPDJB {g}; expected TT or PD"))
            }
            Some(g @ 2..=5) if gdlx.as_deref().is_some_and(|x| x != "TT" && x != "PD") => {
                Some(format!(
                    "GDLX {} with GDPDJB {g}; expected TT or PD",
                    gdlx.as_deref().unwrap_or("")
                ))
            }
            _ => None,
        };
        if let Some(m) = msg {
            out.push(r.finding(Severity::Warning, "D-W05", Some("GDPDJB"), m));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onemap_formats::{Field, FieldType, Value};

    #[test]
    fn grades_and_types() {
        let fields = vec![
            Field::new("DLBM", FieldType::Text),
            Field::new("GDPDJB", FieldType::Text),
            Field::new("GDLX", FieldType::Text),
        ];
        let t = |s: &str| {
            if s.is_empty() {
                Value::Null
            } else {
                Value::Text(s.into())
            }
        };
        let run = |d: &str, g: &str, x: &str| {
            let values = vec![t(d), t(g), t(x)];
            super::super::run_on(&mut Gdpdjb, &fields, &values).len()
        };
        assert_eq!(run("0103", "1", ""), 0);
        assert_eq!(run("0103", "3", "PD"), 0);
        assert_eq!(run("0103", "3", ""), 1);
        assert_eq!(run("0103", "1", "TT"), 1);
        assert_eq!(run("0103", "", ""), 1);
        assert_eq!(run("0103", "7", "PD"), 1);
        assert_eq!(run("0103", "2", "FD"), 1);
        assert_eq!(run("0301", "", ""), 0);
    }
}

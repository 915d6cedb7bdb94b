//! D-W09 权属性质或权属单位代码不规范.
//!
//! ## What it checks
//! QSXZ, when given, is a code of §4.5.1 (10, 20, 30–34, 40); QSDWDM, when given, is 19 digits
//! (§4.5.7).
//!
//! ## Why
//! The ownership tables group by QSXZ (国有 1x/2x, 集体 3x/4x) and by owner unit.
//!
//! ## Example
//! QSXZ `21` → warning (collective sub-codes are 31–34, not 21–24).

use super::{Check, Finding, Options, Record, Severity};

struct Qsxz;

pub(super) fn make(_: &Options) -> Box<dyn Check> {
    Box::new(Qsxz)
}

const CODES: &[&str] = &["10", "20", "30", "31", "32", "33", "34", "40"];

impl Check for Qsxz {
    fn feature(&mut self, r: &Record, out: &mut Vec<Finding>) {
        if let Some(q) = r.text("QSXZ") {
            if !CODES.contains(&q.as_str()) {
                out.push(r.finding(
                    Severity::Warning,
                    "D-W09",
                    Some("QSXZ"),
                    format!("QSXZ {q} is not a 权属性质 code (10, 20, 30–34, 40)"),
                ));
            }
        }
        if let Some(d) = r.text("QSDWDM") {
            if d.len() != 19 || !d.bytes().all(|b| b.is_ascii_digit()) {
                out.push(r.finding(
                    Severity::Warning,
                    "D-W09",
                    Some("QSDWDM"),
                    format!("QSDWDM {d} is not 19 digits"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onemap_formats::{Field, FieldType, Value};

    #[test]
    fn codes() {
        let fields = vec![
            Field::new("QSXZ", FieldType::Text),
            Field::new("QSDWDM", FieldType::Text),
        ];
        let run = |q: &str, d: &str| {
            let values = vec![Value::Text(q.into()), Value::Text(d.into())];
            super::super::run_on(&mut Qsxz, &fields, &values).len()
        };
        assert_eq!(run("30", "1505021011010000000"), 0);
        assert_eq!(run("21", "1505021011010000000"), 1);
        assert_eq!(run("10", "150502101101"), 1);
        assert_eq!(run("99", "x"), 2);
    }
}

//! Source fields → the kind's canonical fields (standards §4.2.1), and value normalisation
//! (§4.2.2).

use crate::kinds::{Kind, ARTEFACTS, ERDIAO_FIELDS};
use onemap_formats::{Field, FieldType, Value};

/// How a source layer's fields become the dataset's fields.
#[derive(Clone, Debug)]
pub struct FieldMap {
    /// The dataset's fields: canonical ones first (in the kind's order), then the other source
    /// fields as they are.
    pub fields: Vec<Field>,
    /// For each dataset field, the source field index.
    pub sources: Vec<usize>,
    /// What was mapped or dropped, for the import report.
    pub notes: Vec<String>,
    /// Required fields of the kind that were not found.
    pub missing_required: Vec<&'static str>,
    /// 二调-era area fields present (XZDWMJ, LXDWMJ).
    pub erdiao: Vec<String>,
}

/// The output type of a canonical field.
fn canonical_type(kind: Kind, name: &str, source: FieldType) -> FieldType {
    match (kind, name) {
        (Kind::Dltb, "TBMJ" | "KCMJ" | "TBDLMJ" | "KCXS" | "XZDWKD")
        | (_, "MJ" | "DCMJ" | "JSMJ") => FieldType::Float,
        (Kind::Dltb, "GDDB" | "SJNF") => FieldType::Int,
        _ if source == FieldType::Date => FieldType::Date,
        _ => FieldType::Text,
    }
}

/// Map `source` fields for `kind`; `user` holds `--map CANONICAL=source` pairs.
pub fn map_fields(
    kind: Kind,
    source: &[Field],
    user: &[(String, String)],
) -> Result<FieldMap, String> {
    let norm = |s: &str| s.trim().to_uppercase();
    let mut used = vec![false; source.len()];
    let mut m = FieldMap {
        fields: Vec::new(),
        sources: Vec::new(),
        notes: Vec::new(),
        missing_required: Vec::new(),
        erdiao: Vec::new(),
    };
    for (canon, src) in user {
        if !kind
            .fields()
            .iter()
            .any(|f| f.0.eq_ignore_ascii_case(canon))
            && kind != Kind::Other
        {
            return Err(format!(
                "--map {canon}={src}: {canon} is not a field of {}",
                kind.id()
            ));
        }
        if !source.iter().any(|f| norm(&f.name) == norm(src)) {
            return Err(format!(
                "--map {canon}={src}: the source has no field {src:?}"
            ));
        }
    }
    for &(canon, aliases, required) in kind.fields() {
        let by_user = user
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(canon))
            .map(|(_, s)| norm(s));
        let found = source.iter().enumerate().position(|(i, f)| {
            !used[i]
                && match &by_user {
                    Some(u) => norm(&f.name) == *u,
                    None => {
                        norm(&f.name) == canon || aliases.iter().any(|a| norm(a) == norm(&f.name))
                    }
                }
        });
        match found {
            Some(i) => {
                used[i] = true;
                if norm(&source[i].name) != canon {
                    m.notes
                        .push(format!("field {} mapped to {canon}", source[i].name));
                }
                let ty = canonical_type(kind, canon, source[i].ty);
                m.fields.push(Field {
                    name: canon.to_string(),
                    ty,
                    width: 0,
                    decimals: if ty == FieldType::Float { 2 } else { 0 },
                });
                m.sources.push(i);
            }
            None if required => m.missing_required.push(canon),
            None => {}
        }
    }
    for (i, f) in source.iter().enumerate() {
        if used[i] {
            continue;
        }
        let n = norm(&f.name);
        if ARTEFACTS.contains(&n.as_str()) {
            m.notes.push(format!(
                "field {} dropped (storage artefact, standards §4.1.4)",
                f.name
            ));
            continue;
        }
        if kind == Kind::Dltb && ERDIAO_FIELDS.contains(&n.as_str()) {
            m.erdiao.push(f.name.clone());
        }
        if m.fields.iter().any(|g| norm(&g.name) == n) {
            m.notes
                .push(format!("field {} dropped (duplicate name)", f.name));
            continue;
        }
        m.fields.push(f.clone());
        m.sources.push(i);
    }
    Ok(m)
}

/// A problem found while normalising a value: (field, message, is_error).
pub type NormIssue = (String, String, bool);

/// Normalise one feature's values into the dataset's fields (standards §4.2.2).
pub fn normalize(
    kind: Kind,
    map: &FieldMap,
    values: &[Value],
    issues: &mut Vec<NormIssue>,
) -> Vec<Value> {
    let mut out = Vec::with_capacity(map.fields.len());
    for (f, &src) in map.fields.iter().zip(&map.sources) {
        let v = values.get(src).cloned().unwrap_or(Value::Null);
        let v = match v {
            Value::Text(t) => {
                let t = t.trim();
                if t.is_empty() {
                    Value::Null
                } else {
                    Value::Text(t.to_string())
                }
            }
            other => other,
        };
        let name = f.name.as_str();
        let v = match (f.ty, v) {
            (_, Value::Null) => Value::Null,
            (FieldType::Text, Value::Float(x)) if matches!(name, "BSM" | "ZLDWDM" | "QSDWDM") => {
                issues.push((name.into(), format!("{name} read as a floating-point number ({x}); a code cannot be held exactly in a double — export it as text"), true));
                Value::Null
            }
            (FieldType::Text, Value::Int(i)) if kind == Kind::Dltb && name == "DLBM" => {
                let s = i.to_string();
                let padded = match s.len() {
                    1 | 2 => format!("{i:02}"),
                    3 => format!("{i:04}"),
                    _ => s.clone(),
                };
                if padded != s {
                    issues.push((
                        name.into(),
                        format!("DLBM {s} from a numeric column padded to {padded}"),
                        false,
                    ));
                }
                Value::Text(padded)
            }
            (FieldType::Text, Value::Int(i)) if matches!(name, "ZLDWDM" | "QSDWDM") => {
                let s = i.to_string();
                Value::Text(if s.len() == 18 { format!("0{s}") } else { s })
            }
            (FieldType::Text, v) => Value::Text(v.as_text().unwrap_or_default()),
            (FieldType::Float, Value::Text(t)) => match t.parse::<f64>() {
                Ok(x) => Value::Float(x),
                Err(_) => {
                    issues.push((name.into(), format!("{name} {t:?} is not a number"), true));
                    Value::Null
                }
            },
            (FieldType::Float, Value::Int(i)) => Value::Float(i as f64),
            (FieldType::Int, Value::Float(x)) if x.fract() == 0.0 => Value::Int(x as i64),
            (FieldType::Int, Value::Text(t)) => match t.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => {
                    issues.push((
                        name.into(),
                        format!("{name} {t:?} is not an integer"),
                        false,
                    ));
                    Value::Null
                }
            },
            (_, v) => v,
        };
        // Codes in upper case (§4.2.2).
        let v = match v {
            Value::Text(t)
                if kind == Kind::Dltb
                    && matches!(
                        name,
                        "DLBM" | "KCDLBM" | "CZCSXM" | "TBXHDM" | "ZZSXDM" | "GDLX"
                    ) =>
            {
                Value::Text(t.to_ascii_uppercase())
            }
            v => v,
        };
        out.push(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_user_map() {
        let src = vec![
            Field::new("bsm", FieldType::Int),
            Field::new("地类编码", FieldType::Text),
            Field::new("坐落单位代码", FieldType::Text),
            Field::new("图斑面积", FieldType::Float),
            Field::new("Shape_Area", FieldType::Float),
            Field::new("MYFIELD", FieldType::Text),
            Field::new("DLMC_X", FieldType::Text),
        ];
        let m = map_fields(Kind::Dltb, &src, &[]).expect("map");
        let names: Vec<&str> = m.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["BSM", "DLBM", "ZLDWDM", "TBMJ", "MYFIELD", "DLMC_X"]
        );
        assert!(m.missing_required.is_empty());
        let m = map_fields(Kind::Dltb, &src, &[("DLMC".into(), "DLMC_X".into())]).expect("map");
        assert!(m.fields.iter().any(|f| f.name == "DLMC"));
        assert!(map_fields(Kind::Dltb, &src, &[("DLMC".into(), "nope".into())]).is_err());
        // Shape_Area is never TBMJ.
        let m = map_fields(Kind::Dltb, &src[4..], &[]).expect("map");
        assert_eq!(m.missing_required, ["BSM", "DLBM", "ZLDWDM", "TBMJ"]);
    }

    #[test]
    fn normalisation() {
        let src = vec![
            Field::new("DLBM", FieldType::Int),
            Field::new("BSM", FieldType::Float),
            Field::new("CZCSXM", FieldType::Text),
        ];
        let m = map_fields(Kind::Dltb, &src, &[]).expect("map");
        let mut issues = Vec::new();
        let v = normalize(
            Kind::Dltb,
            &m,
            &[
                Value::Int(101),
                Value::Float(12.0),
                Value::Text(" 201a ".into()),
            ],
            &mut issues,
        );
        // Canonical order: BSM, DLBM, CZCSXM.
        assert_eq!(
            v,
            vec![
                Value::Null,
                Value::Text("0101".into()),
                Value::Text("201A".into())
            ]
        );
        assert!(issues.iter().any(|i| i.0 == "BSM" && i.2), "{issues:?}");
        assert!(
            issues
                .iter()
                .any(|i| i.0 == "DLBM" && !i.2 && i.1.contains("0101")),
            "{issues:?}"
        );
    }
}

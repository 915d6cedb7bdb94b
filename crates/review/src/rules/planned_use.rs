//! `planned_use`: the project's purpose against the planned use at the parcel.
//!
//! ## What it checks
//! The zones (规划分区, or 规划用地) the parcel lies in, by the code field the rule names. A
//! purpose with an `allowed` list fits only those codes; the area in other zones above the
//! sliver tolerance gets the rule's verdict (attention: verify against the detailed plan).
//! Purposes without a list fit every zone.
//!
//! ## Source
//! The plan's 规划分区 and 用途管制 rules (TD/T 1065 / 国土空间规划用地用海分类).
//!
//! ## Formula
//! mismatch = Σ overlap with features whose code is not allowed for the purpose, m² to 0.01.
//!
//! ## Example
//! An urban (工业) parcel of 10 800.00 m² in 农田保护区 (03) while urban fits 04 and 07:
//! mismatch 10 800.00 m², `attention`.

use super::{layer_kind, not_loaded, quiet, verdict, RuleKind};
use crate::{cents_f64, m2_mu, mu, ControlRow, Finding, Measures, Purpose, Verdict};
use onemap_plan::{Plan, ReviewRule};
use std::collections::BTreeMap;

/// See the module doc.
pub struct PlannedUse;

impl RuleKind for PlannedUse {
    fn id(&self) -> &'static str {
        "planned_use"
    }

    fn summary(&self) -> &'static str {
        "the project's purpose does not fit the planned zone"
    }

    fn validate(&self, rule: &ReviewRule) -> Result<(), String> {
        layer_kind(rule)?;
        verdict(rule)?;
        if rule.field.is_none() {
            return Err("needs `field` (the zone code attribute, e.g. GHFQDM)".into());
        }
        for p in rule.allowed.keys() {
            Purpose::parse(p).ok_or_else(|| format!("`allowed`: {p:?} is not a purpose"))?;
        }
        Ok(())
    }

    fn check(&self, rule: &ReviewRule, m: &Measures, _plan: &Plan) -> Finding {
        let (Ok(kind), Ok(v)) = (layer_kind(rule), verdict(rule)) else {
            return quiet(rule);
        };
        let mut f = quiet(rule);
        let Some(layer) = m.snap.layer(kind) else {
            f.notes.push(not_loaded(kind));
            return f;
        };
        let Some(allowed) = rule.allowed.get(m.parcel.purpose.id()) else {
            return f;
        };
        let Some(o) = m.layer(kind) else {
            return f;
        };
        let code_f = rule.field.as_deref().and_then(|n| layer.field(n));
        let name_f = rule.name_field.as_deref().and_then(|n| layer.field(n));
        let mut off: BTreeMap<String, (String, i64)> = BTreeMap::new();
        for &(i, c) in &o.pieces {
            let code = code_f
                .map(|f| layer.text(f, i).into_owned())
                .unwrap_or_default();
            if allowed.contains(&code) {
                continue;
            }
            let name = name_f
                .map(|f| layer.text(f, i).into_owned())
                .unwrap_or_default();
            off.entry(code).or_insert((name, 0)).1 += c;
        }
        let total: i64 = off.values().map(|x| x.1).sum::<i64>().min(m.area_cents);
        let broken = total > m.sliver_cents;
        if broken {
            let zones: Vec<String> = off
                .iter()
                .filter(|(_, (_, c))| *c > 0)
                .map(|(code, (name, c))| format!("{name}（{code}）{}", m2_mu(*c)))
                .collect();
            f.verdict = v;
            f.reason = format!(
                "项目用途（{}）与{}不一致：{}。{}",
                m.parcel.purpose.chinese(),
                kind.chinese(),
                zones.join("，"),
                rule.text
            );
        }
        f.control = Some(ControlRow {
            rule: rule.id.clone(),
            kind: kind.id().into(),
            name: format!("{}（用途不符）", kind.chinese()),
            overlap_m2: cents_f64(total),
            overlap_mu: mu(total),
            verdict: if broken { v } else { Verdict::Pass }.id().into(),
            features: off
                .values()
                .map(|x| x.0.clone())
                .filter(|n| !n.is_empty())
                .collect(),
        });
        f
    }
}

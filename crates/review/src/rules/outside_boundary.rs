//! `outside_boundary`: the parcel lies (partly) outside a boundary layer, judged by purpose.
//!
//! ## What it checks
//! The part of the parcel outside the layer (城镇开发边界). The verdict depends on the project's
//! purpose: town-type construction outside the boundary is prohibited, a linear
//! infrastructure project needs justification, others pass — as the plan file's `verdicts`
//! table says.
//!
//! ## Source
//! 内政字〔2024〕53号 clause 四 and the plan's 城镇开发边界 management rules.
//!
//! ## Formula
//! outside = parcel area − overlap with the layer (both official, m² to 0.01).
//!
//! ## Example
//! An 仓储 (urban) parcel of 10 800.00 m² wholly outside the boundary: outside 10 800.00 m²,
//! `prohibited`.

use super::{layer_kind, not_loaded, purpose_verdicts, quiet, RuleKind};
use crate::{cents_f64, m2_mu, mu, ControlRow, Finding, Measures, Verdict};
use onemap_plan::{Plan, ReviewRule};

/// See the module doc.
pub struct OutsideBoundary;

impl RuleKind for OutsideBoundary {
    fn id(&self) -> &'static str {
        "outside_boundary"
    }

    fn summary(&self) -> &'static str {
        "the parcel lies outside a boundary layer; the verdict depends on the purpose"
    }

    fn validate(&self, rule: &ReviewRule) -> Result<(), String> {
        layer_kind(rule)?;
        if rule.verdicts.is_empty() {
            return Err("needs `verdicts` (a verdict per purpose)".into());
        }
        purpose_verdicts(rule)
    }

    fn check(&self, rule: &ReviewRule, m: &Measures, _plan: &Plan) -> Finding {
        let Ok(kind) = layer_kind(rule) else {
            return quiet(rule);
        };
        let mut f = quiet(rule);
        let Some(o) = m.layer(kind) else {
            f.notes.push(not_loaded(kind));
            f.control = Some(ControlRow {
                rule: rule.id.clone(),
                kind: kind.id().into(),
                name: kind.chinese().into(),
                overlap_m2: 0.0,
                overlap_mu: 0.0,
                verdict: "not_checked".into(),
                features: Vec::new(),
            });
            return f;
        };
        let outside = m.area_cents - o.cents;
        let purpose = m.parcel.purpose;
        let v = rule
            .verdicts
            .get(purpose.id())
            .and_then(|v| Verdict::parse(v))
            .unwrap_or(Verdict::Pass);
        let broken = outside > m.sliver_cents && v > Verdict::Pass;
        if outside > 0 && outside <= m.sliver_cents {
            f.notes.push(format!(
                "位于{}外 {} 平方米，不超过容差 {} 平方米，视为边界误差，已忽略。",
                kind.chinese(),
                cents_f64(outside),
                cents_f64(m.sliver_cents)
            ));
        }
        if broken {
            f.verdict = v;
            f.reason = format!(
                "{}项目位于{}外 {}：{}",
                purpose.chinese(),
                kind.chinese(),
                m2_mu(outside),
                rule.text
            );
        }
        f.control = Some(ControlRow {
            rule: rule.id.clone(),
            kind: kind.id().into(),
            name: format!("{}（界外）", kind.chinese()),
            overlap_m2: cents_f64(outside),
            overlap_mu: mu(outside),
            verdict: if broken { v } else { Verdict::Pass }.id().into(),
            features: Vec::new(),
        });
        f
    }
}

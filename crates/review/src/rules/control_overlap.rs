//! `control_overlap`: the parcel overlaps a control layer.
//!
//! ## What it checks
//! The area of the parcel inside the layer (永久基本农田, 生态保护红线, 洪涝风险控制线, 历史文化
//! 保护线, 战略性矿产资源保障区 …). Any overlap above the sliver tolerance gets the rule's
//! verdict; overlaps at or below it are ignored as boundary noise and noted.
//!
//! ## Source
//! 《土地管理法》第三十五条 (永久基本农田); 中办发〔2019〕48号 and 自然资发〔2022〕142号
//! (生态保护红线); the plan's control-line clauses. The rule text and exception come from the
//! plan file.
//!
//! ## Formula
//! overlap = Σ `sandiao` area of parcel ∩ feature over the layer's features (the union, for
//! layers whose features may overlap), scaled to the parcel's official area, m² to 0.01.
//!
//! `verdicts` (optional) overrides `verdict` for the purposes it names.
//!
//! ## Example
//! A 100 m × 100 m parcel whose eastern half lies in 永久基本农田 overlaps 5000.00 m² (7.5 亩):
//! `prohibited` with the 第三十五条 text and the 国家重大项目 exception.

use super::{feature_names, layer_kind, not_loaded, purpose_verdicts, quiet, verdict, RuleKind};
use crate::{cents_f64, m2_mu, mu, ControlRow, Finding, Measures, Verdict};
use onemap_plan::{Plan, ReviewRule};

/// See the module doc.
pub struct ControlOverlap;

impl RuleKind for ControlOverlap {
    fn id(&self) -> &'static str {
        "control_overlap"
    }

    fn summary(&self) -> &'static str {
        "the parcel overlaps a control layer"
    }

    fn validate(&self, rule: &ReviewRule) -> Result<(), String> {
        layer_kind(rule)?;
        verdict(rule)?;
        purpose_verdicts(rule)?;
        Ok(())
    }

    fn check(&self, rule: &ReviewRule, m: &Measures, _plan: &Plan) -> Finding {
        let (Ok(kind), Ok(v)) = (layer_kind(rule), verdict(rule)) else {
            return quiet(rule);
        };
        // A purpose the plan names gets its own verdict (e.g. linear infrastructure in the red
        // line: only the activities 自然资发〔2022〕142号 allows, after the province's 认定).
        let v = rule
            .verdicts
            .get(m.parcel.purpose.id())
            .and_then(|v| Verdict::parse(v))
            .unwrap_or(v);
        let mut f = quiet(rule);
        let row = |overlap: i64, verdict: &str, features: Vec<String>| ControlRow {
            rule: rule.id.clone(),
            kind: kind.id().into(),
            name: kind.chinese().into(),
            overlap_m2: cents_f64(overlap),
            overlap_mu: mu(overlap),
            verdict: verdict.into(),
            features,
        };
        let Some(o) = m.layer(kind) else {
            f.notes.push(not_loaded(kind));
            f.control = Some(row(0, "not_checked", Vec::new()));
            return f;
        };
        if o.cents == 0 {
            f.control = Some(row(0, Verdict::Pass.id(), Vec::new()));
            return f;
        }
        if o.cents <= m.sliver_cents {
            f.notes.push(format!(
                "与{}重叠 {} 平方米，不超过容差 {} 平方米，视为边界误差，已忽略。",
                kind.chinese(),
                cents_f64(o.cents),
                cents_f64(m.sliver_cents)
            ));
            f.control = Some(row(o.cents, Verdict::Pass.id(), Vec::new()));
            return f;
        }
        let names = feature_names(m, kind, &o.pieces);
        let mut reason = format!("占用{} {}", kind.chinese(), m2_mu(o.cents));
        if !names.is_empty() {
            reason.push_str(&format!("（{}）", names.join("、")));
        }
        reason.push_str(&format!("：{}", rule.text));
        if let Some(e) = &rule.exception {
            reason.push_str(&format!("例外情形：{e}"));
        }
        f.verdict = v;
        f.reason = reason;
        f.control = Some(row(o.cents, v.id(), names));
        f
    }
}

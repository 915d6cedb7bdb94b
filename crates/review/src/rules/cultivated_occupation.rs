//! `cultivated_occupation`: the parcel occupies 耕地.
//!
//! ## What it checks
//! The cultivated land (耕地 classes of the plan file, net of 田坎) inside the parcel, from the
//! survey. Above the sliver tolerance the rule's verdict applies (attention: 占补平衡 needed),
//! with the amount per class.
//!
//! ## Source
//! 《土地管理法》第三十条 (耕地占补平衡).
//!
//! ## Formula
//! Σ over survey patches of class 0101–0103: fragment − its 田坎 share, where fragment is the
//! patch's TBMJ apportioned by `sandiao` area between inside and outside the parcel (面积平差)
//! and the 田坎 share is KCMJ apportioned the same way; m² to 0.01.
//!
//! ## Example
//! A parcel covering half of a 旱地 patch with TBMJ 20 000.00 m² and KCMJ 1 360.00 m²
//! (KCXS 0.068): fragment 10 000.00, 田坎 680.00, 耕地 occupied 9 320.00 m².

use super::{quiet, verdict, RuleKind};
use crate::{m2_mu, Finding, Measures};
use onemap_plan::{Plan, ReviewRule};

/// See the module doc.
pub struct CultivatedOccupation;

impl RuleKind for CultivatedOccupation {
    fn id(&self) -> &'static str {
        "cultivated_occupation"
    }

    fn summary(&self) -> &'static str {
        "the parcel occupies cultivated land (占补平衡)"
    }

    fn validate(&self, rule: &ReviewRule) -> Result<(), String> {
        verdict(rule).map(|_| ())
    }

    fn check(&self, rule: &ReviewRule, m: &Measures, plan: &Plan) -> Finding {
        let Ok(v) = verdict(rule) else {
            return quiet(rule);
        };
        let mut f = quiet(rule);
        if m.survey.is_none() {
            f.notes
                .push("库中没有该年度地类图斑，未审查占用耕地。".into());
            return f;
        }
        if m.cultivated_cents <= m.sliver_cents {
            return f;
        }
        let parts: Vec<String> = m
            .landuse_cents
            .iter()
            .filter(|(d, &c)| plan.classes.is_cultivated(d) && c > 0)
            .map(|(d, &c)| {
                format!(
                    "{} {}",
                    onemap_survey::classes::name_of(d).unwrap_or(d),
                    m2_mu(c)
                )
            })
            .collect();
        f.verdict = v;
        f.reason = format!(
            "占用耕地 {}（{}）：{}",
            m2_mu(m.cultivated_cents),
            parts.join("，"),
            rule.text
        );
        f
    }
}

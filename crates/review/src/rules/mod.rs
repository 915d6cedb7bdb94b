//! The registry of review rule kinds. A rule in the plan file names one of these by `kind`
//! and gives its parameters; adding a kind is adding one file and one line here.

mod control_overlap;
mod cultivated_occupation;
mod outside_boundary;
mod planned_use;

use crate::{Finding, Measures, Verdict};
use onemap_plan::{Plan, ReviewRule};
use onemap_survey::Kind;

/// A kind of review rule.
pub trait RuleKind: Sync {
    /// The kind's id, as the plan file writes it.
    fn id(&self) -> &'static str;
    /// One line on what the kind checks.
    fn summary(&self) -> &'static str;
    /// Check a rule's parameters; the message says what is wrong.
    fn validate(&self, rule: &ReviewRule) -> Result<(), String>;
    /// Apply the rule to a measured parcel.
    fn check(&self, rule: &ReviewRule, m: &Measures, plan: &Plan) -> Finding;
}

/// Every rule kind.
pub static KINDS: &[&dyn RuleKind] = &[
    &control_overlap::ControlOverlap,
    &outside_boundary::OutsideBoundary,
    &cultivated_occupation::CultivatedOccupation,
    &planned_use::PlannedUse,
];

/// The kind with an id.
pub fn kind(id: &str) -> Option<&'static dyn RuleKind> {
    KINDS.iter().copied().find(|k| k.id() == id)
}

/// The rule's layer kind.
fn layer_kind(rule: &ReviewRule) -> Result<Kind, String> {
    let l = rule
        .layer
        .as_deref()
        .ok_or_else(|| "needs `layer` (a layer kind such as yjjbnt)".to_string())?;
    Kind::parse(l).ok_or_else(|| format!("`layer` {l:?} is not a layer kind"))
}

/// The rule's single verdict.
fn verdict(rule: &ReviewRule) -> Result<Verdict, String> {
    let v = rule
        .verdict
        .as_deref()
        .ok_or_else(|| "needs `verdict` (pass, attention, restricted or prohibited)".to_string())?;
    Verdict::parse(v)
        .ok_or_else(|| format!("`verdict` {v:?} is not pass, attention, restricted or prohibited"))
}

/// Check the rule's verdicts per purpose (`verdicts`, possibly empty).
fn purpose_verdicts(rule: &ReviewRule) -> Result<(), String> {
    for (p, v) in &rule.verdicts {
        crate::Purpose::parse(p).ok_or_else(|| {
            format!("`verdicts`: {p:?} is not a purpose (urban, linear, rural, other)")
        })?;
        Verdict::parse(v).ok_or_else(|| format!("`verdicts.{p}`: {v:?} is not a verdict"))?;
    }
    Ok(())
}

/// A finding that changes nothing.
fn quiet(rule: &ReviewRule) -> Finding {
    Finding {
        rule: rule.id.clone(),
        verdict: Verdict::Pass,
        reason: String::new(),
        control: None,
        notes: Vec::new(),
    }
}

/// Note for a layer the store does not hold.
fn not_loaded(kind: Kind) -> String {
    format!(
        "库中没有{}（{}）图层，本项未审查。",
        kind.chinese(),
        kind.id()
    )
}

/// Distinct names of the overlapped features of a layer.
fn feature_names(m: &Measures, kind: Kind, pieces: &[(u32, i64)]) -> Vec<String> {
    let Some(layer) = m.snap.layer(kind) else {
        return Vec::new();
    };
    let Some(f) = ["HXMC", "BJMC", "MC", "GHFQMC", "YDYHMC"]
        .iter()
        .find_map(|n| layer.field(n))
    else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    for &(i, c) in pieces {
        if c <= m.sliver_cents {
            continue;
        }
        let n = layer.text(f, i).into_owned();
        if !n.is_empty() && !names.contains(&n) {
            names.push(n);
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_names_only_known_kinds() {
        let plan = onemap_plan::load(None).unwrap();
        for r in &plan.review.rules {
            let k = kind(&r.kind).unwrap_or_else(|| panic!("{}", r.kind));
            k.validate(r).unwrap();
        }
    }
}

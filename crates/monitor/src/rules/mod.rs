//! The registry of alert rules. A rule looks at one changed piece (the classes before and after)
//! and says whether it breaks the plan, and where the area counts: inside or outside a control
//! layer, or the whole piece. The plan file lists the rules it runs by id.

mod construction_in_redline;
mod farmland_loss_in_pbf;
mod farmland_to_construction;
mod farmland_to_nongrain;
mod sand_restored;
mod urban_outside_udb;

use onemap_plan::ClassSets;
use onemap_survey::Kind;

/// One side of a change: the patch's class and 城镇村属性码.
#[derive(Clone, Copy, Debug)]
pub struct Side<'a> {
    /// DLBM.
    pub dlbm: &'a str,
    /// CZCSXM.
    pub czcsxm: &'a str,
}

/// Where an alert's area counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The whole changed piece.
    Anywhere,
    /// The part inside a control layer.
    Inside(Kind),
    /// The part outside a control layer.
    Outside(Kind),
}

/// An alert rule.
pub trait AlertRule: Sync {
    /// Id, as the plan file writes it.
    fn id(&self) -> &'static str;
    /// Where the area counts.
    fn scope(&self) -> Scope;
    /// Whether a change from `a` to `b` is what the rule looks for.
    fn matches(&self, a: Side, b: Side, c: &ClassSets) -> bool;
}

/// Every alert rule.
pub static RULES: &[&dyn AlertRule] = &[
    &farmland_loss_in_pbf::FarmlandLossInPbf,
    &construction_in_redline::ConstructionInRedline,
    &urban_outside_udb::UrbanOutsideUdb,
    &farmland_to_construction::FarmlandToConstruction,
    &farmland_to_nongrain::FarmlandToNongrain,
    &sand_restored::SandRestored,
];

/// The rule with an id.
pub fn rule(id: &str) -> Option<&'static dyn AlertRule> {
    RULES.iter().copied().find(|r| r.id() == id)
}

/// Construction land with an urban CZCSXM.
fn urban(s: Side, c: &ClassSets) -> bool {
    c.is_urban_construction(s.dlbm, s.czcsxm)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s<'a>(dlbm: &'a str, czcsxm: &'a str) -> Side<'a> {
        Side { dlbm, czcsxm }
    }

    /// A rule id, the change it must fire on, and its near miss.
    type Case<'a> = (&'a str, (Side<'a>, Side<'a>), (Side<'a>, Side<'a>));

    /// Each rule fires on its planted case and not on its near miss.
    #[test]
    fn planted_cases_and_near_misses() {
        let c = onemap_plan::load(None).unwrap().classes;
        let cases: &[Case] = &[
            (
                "farmland_loss_in_pbf",
                (s("0103", ""), s("0301", "")),
                (s("0103", ""), s("0101", "")),
            ),
            (
                "construction_in_redline",
                (s("0404", ""), s("0702", "203")),
                (s("0702", "203"), s("0702", "203")),
            ),
            (
                "urban_outside_udb",
                (s("0103", ""), s("0601", "202")),
                (s("0103", ""), s("0601", "204")),
            ),
            (
                "farmland_to_construction",
                (s("0102", ""), s("0508", "201")),
                (s("0102", ""), s("1202", "")),
            ),
            (
                "farmland_to_nongrain",
                (s("0103", ""), s("0201", "")),
                (s("0103", ""), s("0404", "")),
            ),
            (
                "sand_restored",
                (s("1205", ""), s("0305", "")),
                (s("1205", ""), s("1204", "")),
            ),
        ];
        for (id, hit, miss) in cases {
            let r = rule(id).unwrap();
            assert!(r.matches(hit.0, hit.1, &c), "{id} should fire");
            assert!(!r.matches(miss.0, miss.1, &c), "{id} should not fire");
        }
        let plan = onemap_plan::load(None).unwrap();
        for a in &plan.monitor.alerts {
            assert!(rule(&a.id).is_some(), "{}", a.id);
        }
    }
}

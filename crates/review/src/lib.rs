//! Project compliance review (用途管制合规性审查): a project parcel against the three control
//! lines and the other plan layers, with the land it occupies from the survey.
//!
//! Load a [`Snapshot`](onemap_overlay::Snapshot) once ([`load_snapshot`]), make a [`Reviewer`]
//! with the plan's rules, and review as many parcels as come ([`Reviewer::review`]). The rules
//! are data in the plan file; each rule kind is one file under `rules/` (the registry is
//! [`rules::KINDS`]).

pub mod conflicts;
mod measure;
mod parcel;
pub mod rules;

pub use measure::{LanduseRow, Measures, Overlap};
pub use parcel::{read_parcels, Parcel, Purpose};

use onemap_geodesy::units::AreaUnit;
use onemap_overlay::{Snapshot, SnapshotRequest};
use onemap_plan::{Plan, ReviewRule};
use onemap_store::Store;
use onemap_survey::Kind;
use serde::Serialize;

/// Review errors.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    /// The plan's review rules are wrong.
    #[error("plan file: {0}")]
    Plan(String),
    /// The parcel file could not be read or holds no usable parcel.
    #[error("{0}")]
    Parcel(String),
    /// The parcel file failed to parse.
    #[error(transparent)]
    Format(#[from] onemap_formats::FormatError),
    /// The store failed.
    #[error(transparent)]
    Overlay(#[from] onemap_overlay::OverlayError),
}

/// Result with [`ReviewError`].
pub type Result<T, E = ReviewError> = std::result::Result<T, E>;

/// A verdict, from mild to severe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No rule is broken.
    Pass,
    /// May proceed with something to do (e.g. 占补平衡).
    Attention,
    /// Needs an assessment or justification first.
    Restricted,
    /// May not proceed.
    Prohibited,
}

impl Verdict {
    /// Parse `pass`, `attention`, `restricted`, `prohibited`.
    pub fn parse(s: &str) -> Option<Verdict> {
        Some(match s {
            "pass" => Verdict::Pass,
            "attention" => Verdict::Attention,
            "restricted" => Verdict::Restricted,
            "prohibited" => Verdict::Prohibited,
            _ => return None,
        })
    }

    /// The JSON name.
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Attention => "attention",
            Verdict::Restricted => "restricted",
            Verdict::Prohibited => "prohibited",
        }
    }

    /// Chinese wording for reports.
    pub fn chinese(self) -> &'static str {
        match self {
            Verdict::Pass => "符合",
            Verdict::Attention => "需关注",
            Verdict::Restricted => "限制（需专项论证）",
            Verdict::Prohibited => "禁止",
        }
    }
}

/// One control layer's row of a review.
#[derive(Clone, Debug, Serialize)]
pub struct ControlRow {
    /// Rule id.
    pub rule: String,
    /// Layer kind id (`yjjbnt`, …).
    pub kind: String,
    /// Layer name (永久基本农田, …).
    pub name: String,
    /// Overlap with the parcel, m² (0.01).
    pub overlap_m2: f64,
    /// Overlap in 亩 (4 decimals).
    pub overlap_mu: f64,
    /// The rule's verdict, or `not_checked` when the layer is not in the store.
    pub verdict: String,
    /// Names of the overlapped features (e.g. HXMC), distinct.
    pub features: Vec<String>,
}

/// What one rule concluded.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Rule id.
    pub rule: String,
    /// Verdict.
    pub verdict: Verdict,
    /// Reason in words (Chinese), empty when the rule passed silently.
    pub reason: String,
    /// The control-layer row, for overlap rules.
    pub control: Option<ControlRow>,
    /// Notes (slivers ignored, layers missing).
    pub notes: Vec<String>,
}

/// Inside/outside the development boundary.
#[derive(Clone, Debug, Serialize)]
pub struct UdbSplit {
    /// Inside, m².
    pub inside_m2: f64,
    /// Outside, m².
    pub outside_m2: f64,
}

/// The review of one parcel (the JSON shape of `onemap check`).
#[derive(Clone, Debug, Serialize)]
pub struct ParcelReview {
    /// 0-based position in the file.
    pub index: usize,
    /// 地块编号 (or the feature's id field).
    pub id: Option<String>,
    /// 地块名称.
    pub name: Option<String>,
    /// The purpose reviewed against.
    pub purpose: Purpose,
    /// `sandiao` area of the parcel, m².
    pub area_m2: f64,
    /// Overall verdict: the worst of the rules.
    pub verdict: Verdict,
    /// Reasons in words, worst first.
    pub reasons: Vec<String>,
    /// Per control layer.
    pub controls: Vec<ControlRow>,
    /// Inside/outside the development boundary; absent without a czkfbj layer.
    pub udb: Option<UdbSplit>,
    /// Land-use status by DLBM (net of 田坎; 1203 carries the 田坎).
    pub landuse: Vec<LanduseRow>,
    /// Notes: slivers ignored, layers not in the store, land outside the survey.
    pub notes: Vec<String>,
    /// Each rule's verdict, in the plan's order (not in the JSON: the controls and reasons
    /// say it there).
    #[serde(skip)]
    pub rule_verdicts: Vec<(String, Verdict)>,
}

/// The layer kinds the plan's review rules need, and the survey.
pub fn required_kinds(plan: &Plan) -> Vec<Kind> {
    let mut kinds = vec![Kind::Czkfbj];
    for r in &plan.review.rules {
        if let Some(k) = r.layer.as_deref().and_then(Kind::parse) {
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
    }
    kinds
}

/// Load the Snapshot a review needs: the survey of `year` (latest when `None`) and the plan
/// layers the rules name, as in force on `as_of` (default: the latest approved version).
pub fn load_snapshot(
    store: &dyn Store,
    plan: &Plan,
    year: Option<i32>,
    as_of: Option<&str>,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Snapshot> {
    load_snapshot_with(store, plan, year, as_of, &[], progress)
}

/// [`load_snapshot`] with more layer kinds besides those the rules need (e.g. 行政区).
pub fn load_snapshot_with(
    store: &dyn Store,
    plan: &Plan,
    year: Option<i32>,
    as_of: Option<&str>,
    extra: &[Kind],
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Snapshot> {
    let mut kinds = required_kinds(plan);
    for &k in extra {
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    Ok(Snapshot::load(
        store,
        &SnapshotRequest {
            survey_years: year.into_iter().collect(),
            kinds,
            as_of: as_of.map(String::from),
        },
        progress,
    )?)
}

/// A reviewer: the plan's rules bound to a Snapshot. Cheap to make; reviews many parcels.
pub struct Reviewer<'a> {
    snap: &'a Snapshot,
    plan: &'a Plan,
    year: i32,
    rules: Vec<(&'a ReviewRule, &'static dyn rules::RuleKind)>,
    /// The layer kinds the rules measure.
    kinds: Vec<Kind>,
}

impl<'a> Reviewer<'a> {
    /// Bind the plan's rules to a Snapshot; `year` picks the survey (latest held when `None`).
    /// Unknown rule kinds and bad parameters are errors here, before any review.
    pub fn new(snap: &'a Snapshot, plan: &'a Plan, year: Option<i32>) -> Result<Reviewer<'a>> {
        let years = snap.survey_years();
        let year = match year {
            Some(y) if years.contains(&y) => y,
            Some(y) => {
                return Err(ReviewError::Parcel(format!(
                    "no 地类图斑 survey of {y} is loaded (held: {years:?})"
                )))
            }
            None => *years
                .last()
                .ok_or_else(|| ReviewError::Parcel("no 地类图斑 survey is loaded".into()))?,
        };
        let mut bound = Vec::new();
        for r in &plan.review.rules {
            let kind = rules::kind(&r.kind).ok_or_else(|| {
                ReviewError::Plan(format!(
                    "review rule {:?}: no rule kind {:?} (known: {})",
                    r.id,
                    r.kind,
                    rules::KINDS
                        .iter()
                        .map(|k| k.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            kind.validate(r)
                .map_err(|m| ReviewError::Plan(format!("review rule {:?}: {m}", r.id)))?;
            bound.push((r, kind));
        }
        Ok(Reviewer {
            kinds: required_kinds(plan),
            snap,
            plan,
            year,
            rules: bound,
        })
    }

    /// The survey year reviewed against.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The Snapshot.
    pub fn snapshot(&self) -> &'a Snapshot {
        self.snap
    }

    /// Measure also these layer kinds (e.g. 行政区 for the county of a feature); their
    /// overlaps are in [`Measures::overlaps`], and no rule reads them unless it names them.
    pub fn also_measure(mut self, kinds: &[Kind]) -> Reviewer<'a> {
        for &k in kinds {
            if !self.kinds.contains(&k) {
                self.kinds.push(k);
            }
        }
        self
    }

    /// The plan.
    pub fn plan(&self) -> &'a Plan {
        self.plan
    }

    /// Review one parcel.
    pub fn review(&self, parcel: &Parcel) -> ParcelReview {
        self.review_measured(parcel).0
    }

    /// Review one parcel, and return what was measured with the review.
    pub fn review_measured<'p>(&self, parcel: &'p Parcel) -> (ParcelReview, Measures<'p>)
    where
        'a: 'p,
    {
        let m = Measures::new(self.snap, self.year, self.plan, parcel, &self.kinds);
        let mut findings: Vec<Finding> = self
            .rules
            .iter()
            .map(|(r, k)| k.check(r, &m, self.plan))
            .collect();
        findings.sort_by_key(|f| std::cmp::Reverse(f.verdict));
        let verdict = findings
            .first()
            .map_or(Verdict::Pass, |f| f.verdict.max(Verdict::Pass));
        let mut notes: Vec<String> = findings.iter().flat_map(|f| f.notes.clone()).collect();
        notes.extend(m.notes.iter().cloned());
        let mut controls: Vec<ControlRow> = self
            .rules
            .iter()
            .filter_map(|(r, _)| {
                findings
                    .iter()
                    .find(|f| f.rule == r.id)
                    .and_then(|f| f.control.clone())
            })
            .collect();
        controls.dedup_by(|a, b| a.rule == b.rule);
        let rule_verdicts = self
            .rules
            .iter()
            .map(|(r, _)| {
                let v = findings
                    .iter()
                    .find(|f| f.rule == r.id)
                    .map_or(Verdict::Pass, |f| f.verdict);
                (r.id.clone(), v)
            })
            .collect();
        let review = ParcelReview {
            index: parcel.index,
            id: parcel.id.clone(),
            name: parcel.name.clone(),
            purpose: parcel.purpose,
            area_m2: cents_f64(m.area_cents),
            verdict,
            reasons: findings
                .iter()
                .filter(|f| !f.reason.is_empty())
                .map(|f| f.reason.clone())
                .collect(),
            controls,
            udb: m.layer(Kind::Czkfbj).map(|o| UdbSplit {
                inside_m2: cents_f64(o.cents),
                outside_m2: cents_f64(m.area_cents - o.cents),
            }),
            landuse: m.landuse.clone(),
            notes,
            rule_verdicts,
        };
        (review, m)
    }
}

/// Cents as an f64 of m² with two decimals.
pub fn cents_f64(c: i64) -> f64 {
    c as f64 / 100.0
}

/// Cents of m² in 亩, 4 decimals, as a number.
pub fn mu(c: i64) -> f64 {
    AreaUnit::Mu.value(c)
}

/// "1234.56 平方米（1.8518 亩）".
pub fn m2_mu(c: i64) -> String {
    format!(
        "{} 平方米（{} 亩）",
        AreaUnit::SquareMetre.format(c),
        AreaUnit::Mu.format(c)
    )
}

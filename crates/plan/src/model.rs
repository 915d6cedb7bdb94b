//! The plan file's model, read with serde from TOML.

use crate::PlanError;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A whole plan file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Identity of the approved plan.
    pub plan: PlanInfo,
    /// Land-class and CZCSXM sets.
    pub classes: ClassSets,
    /// Indicators with targets.
    #[serde(default)]
    pub indicators: Vec<Indicator>,
    /// Project-review rules.
    pub review: Review,
    /// Change-monitoring rules.
    #[serde(default)]
    pub monitor: Monitor,
    /// What the public sees without signing in.
    #[serde(default)]
    pub public: Public,
}

/// What the public sees without signing in (the public page, and the server's answers to
/// callers who have not signed in).
#[derive(Clone, Debug, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Public {
    /// Plan layer kinds on the public map (行政区 `xzq` may be listed too; never the survey).
    #[serde(default = "default_public_layers")]
    pub layers: Vec<String>,
    /// Indicator ids shown to the public; empty: the binding ones.
    #[serde(default)]
    pub indicators: Vec<String>,
}

fn default_public_layers() -> Vec<String> {
    ["yjjbnt", "stbhhx", "czkfbj", "jbcy", "ghfq", "xzq"]
        .map(String::from)
        .to_vec()
}

impl Default for Public {
    fn default() -> Public {
        Public {
            layers: default_public_layers(),
            indicators: Vec::new(),
        }
    }
}

/// The approved plan's identity.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInfo {
    /// Plan name.
    pub name: String,
    /// Approval document number (批复文号).
    pub approval: String,
    /// Approval date, `YYYY-MM-DD`.
    pub approved_on: String,
    /// Approving authority.
    #[serde(default)]
    pub approved_by: String,
    /// Region code (6-digit 行政区划代码).
    pub region: String,
    /// Region name.
    pub region_name: String,
    /// Base year (基期年).
    pub base_year: i32,
    /// Target year (规划目标年).
    pub target_year: i32,
}

/// Land-class sets (DLBM codes; extension codes count with their base class) and CZCSXM sets.
#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClassSets {
    /// 耕地.
    pub cultivated: Vec<String>,
    /// 建设用地.
    pub construction: Vec<String>,
    /// 湿地.
    pub wetland: Vec<String>,
    /// 林地.
    pub forest: Vec<String>,
    /// 草地.
    pub grassland: Vec<String>,
    /// 种植园用地.
    #[serde(default)]
    pub garden: Vec<String>,
    /// 沙地.
    #[serde(default)]
    pub sandy: Vec<String>,
    /// 盐碱地.
    #[serde(default)]
    pub saline: Vec<String>,
    /// 坑塘水面.
    #[serde(default)]
    pub pond: Vec<String>,
    /// CZCSXM codes of 城镇 (urban) land.
    pub urban_czcsxm: Vec<String>,
    /// CZCSXM codes of 村庄 (rural settlement) land.
    pub rural_czcsxm: Vec<String>,
}

/// Whether a DLBM belongs to a class set (directly or through its base class).
pub fn in_set(set: &[String], dlbm: &str) -> bool {
    if set.iter().any(|c| c == dlbm) {
        return true;
    }
    onemap_survey::classes::class_of(dlbm).is_some_and(|c| set.iter().any(|s| s == c.code))
}

impl ClassSets {
    /// Whether `dlbm` is 耕地.
    pub fn is_cultivated(&self, dlbm: &str) -> bool {
        in_set(&self.cultivated, dlbm)
    }

    /// Whether `dlbm` is 建设用地.
    pub fn is_construction(&self, dlbm: &str) -> bool {
        in_set(&self.construction, dlbm)
    }

    /// Whether a patch is 城镇建设用地 (construction land with an urban CZCSXM).
    pub fn is_urban_construction(&self, dlbm: &str, czcsxm: &str) -> bool {
        self.is_construction(dlbm) && self.urban_czcsxm.iter().any(|c| c == czcsxm)
    }

    /// Whether a patch is 城乡建设用地 (construction land with an urban or rural CZCSXM).
    pub fn is_urban_rural_construction(&self, dlbm: &str, czcsxm: &str) -> bool {
        self.is_construction(dlbm)
            && (self.urban_czcsxm.iter().any(|c| c == czcsxm)
                || self.rural_czcsxm.iter().any(|c| c == czcsxm))
    }
}

/// Direction of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Rule {
    /// The value must not fall below the target.
    #[serde(rename = ">=")]
    AtLeast,
    /// The value must not exceed the target.
    #[serde(rename = "<=")]
    AtMost,
}

impl Rule {
    /// `>=` or `<=`.
    pub fn symbol(self) -> &'static str {
        match self {
            Rule::AtLeast => ">=",
            Rule::AtMost => "<=",
        }
    }

    /// `≥` or `≤`.
    pub fn sign(self) -> &'static str {
        match self {
            Rule::AtLeast => "≥",
            Rule::AtMost => "≤",
        }
    }
}

/// One indicator of the plan.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Id of the implementation (snake_case).
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// TD/T 1063 dimension (安全、创新、协调、绿色、开放、共享).
    pub dimension: String,
    /// Unit of value and target.
    pub unit: String,
    /// Direction of the target.
    pub rule: Rule,
    /// Target for the region; none when not set.
    #[serde(default)]
    pub target: Option<f64>,
    /// 约束性 (binding) when true, 预期性 (expected) otherwise.
    pub binding: bool,
    /// Warning band as a fraction of the target.
    #[serde(default)]
    pub band: f64,
    /// Where the target comes from.
    #[serde(default)]
    pub source: String,
    /// Per-county targets.
    #[serde(default)]
    pub counties: BTreeMap<String, f64>,
}

/// Review settings and rules.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// Overlaps below this many m² are ignored as boundary noise.
    #[serde(default = "default_sliver")]
    pub sliver_m2: f64,
    /// Keywords of 地块用途 per purpose.
    #[serde(default)]
    pub purposes: BTreeMap<String, Vec<String>>,
    /// The rules.
    pub rules: Vec<ReviewRule>,
}

fn default_sliver() -> f64 {
    1.0
}

/// One review rule: an instance of a rule kind with its parameters.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewRule {
    /// Rule id (used in JSON and reports).
    pub id: String,
    /// Rule kind (an implementation in `crates/review/src/rules/`).
    pub kind: String,
    /// Layer kind the rule looks at.
    #[serde(default)]
    pub layer: Option<String>,
    /// Verdict when the rule is broken.
    #[serde(default)]
    pub verdict: Option<String>,
    /// Verdict per project purpose.
    #[serde(default)]
    pub verdicts: BTreeMap<String, String>,
    /// The rule text quoted in reasons and reports.
    pub text: String,
    /// The exception path, where one exists.
    #[serde(default)]
    pub exception: Option<String>,
    /// Attribute holding a code (e.g. GHFQDM).
    #[serde(default)]
    pub field: Option<String>,
    /// Attribute holding the code's name.
    #[serde(default)]
    pub name_field: Option<String>,
    /// Codes allowed per purpose.
    #[serde(default)]
    pub allowed: BTreeMap<String, Vec<String>>,
}

/// Change-monitoring settings.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Monitor {
    /// Changed pieces below this many m² are dropped.
    #[serde(default = "default_min_area")]
    pub min_area_m2: f64,
    /// Alert rules.
    #[serde(default)]
    pub alerts: Vec<Alert>,
}

impl Default for Monitor {
    fn default() -> Monitor {
        Monitor {
            min_area_m2: default_min_area(),
            alerts: Vec::new(),
        }
    }
}

fn default_min_area() -> f64 {
    400.0
}

/// One alert rule.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// Rule id (an implementation in `crates/monitor/src/rules/`).
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// high, medium, low or positive.
    pub severity: String,
}

impl Plan {
    /// Read a plan file.
    pub fn from_file(path: &Path) -> Result<Plan, PlanError> {
        let text = std::fs::read_to_string(path).map_err(|source| PlanError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Plan::parse(&text, path)
    }

    /// Parse plan-file text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Plan, PlanError> {
        let invalid = |message: String| PlanError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let plan: Plan = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            let msg = e.message().to_string();
            invalid(match line {
                Some(l) => format!("line {l}: {msg}"),
                None => msg,
            })
        })?;
        plan.validate().map_err(invalid)?;
        Ok(plan)
    }

    fn validate(&self) -> Result<(), String> {
        let p = &self.plan;
        if p.region.len() != 6 || !p.region.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "plan.region {:?} is not a 6-digit region code",
                p.region
            ));
        }
        if p.target_year <= p.base_year {
            return Err(format!(
                "plan.target_year {} is not after plan.base_year {}",
                p.target_year, p.base_year
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for i in &self.indicators {
            if !seen.insert(i.id.as_str()) {
                return Err(format!("indicator {:?} is defined twice", i.id));
            }
            if !(0.0..1.0).contains(&i.band) {
                return Err(format!(
                    "indicator {:?}: band {} is not a fraction in [0, 1)",
                    i.id, i.band
                ));
            }
            if i.target.is_some_and(|t| !t.is_finite()) {
                return Err(format!("indicator {:?}: target is not a number", i.id));
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for r in &self.review.rules {
            if !seen.insert(r.id.as_str()) {
                return Err(format!("review rule {:?} is defined twice", r.id));
            }
        }
        if self.review.sliver_m2.is_nan() || self.review.sliver_m2 < 0.0 {
            return Err("review.sliver_m2 must be 0 or more".into());
        }
        for l in &self.public.layers {
            match onemap_survey::Kind::parse(l) {
                Some(onemap_survey::Kind::Dltb) => {
                    return Err("public.layers: the survey (dltb) is not public".into())
                }
                Some(_) => {}
                None => return Err(format!("public.layers: {l:?} is not a layer kind")),
            }
        }
        for i in &self.public.indicators {
            if self.indicator(i).is_none() {
                return Err(format!(
                    "public.indicators: no indicator {i:?} in this file"
                ));
            }
        }
        Ok(())
    }

    /// The indicator ids the public sees: those of `[public]`, else the binding ones.
    pub fn public_indicators(&self) -> Vec<&str> {
        if self.public.indicators.is_empty() {
            self.indicators
                .iter()
                .filter(|i| i.binding)
                .map(|i| i.id.as_str())
                .collect()
        } else {
            self.public.indicators.iter().map(String::as_str).collect()
        }
    }

    /// The indicator with an id.
    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tongliao() -> Plan {
        Plan::parse(crate::TONGLIAO_PLAN, Path::new("plan.toml")).unwrap()
    }

    #[test]
    fn binding_targets_of_the_approval() {
        let p = tongliao();
        assert_eq!(p.plan.approval, "内政字〔2024〕53号");
        assert_eq!(p.plan.approved_on, "2024-03-25");
        let t = |id: &str| p.indicator(id).unwrap();
        assert_eq!(t("cultivated_land").target, Some(3179.6591));
        assert_eq!(t("permanent_farmland").target, Some(2597.1440));
        assert_eq!(t("eco_redline").target, Some(1.5691));
        assert_eq!(t("udb_expansion").target, Some(1.3033));
        assert_eq!(t("udb_expansion").rule, Rule::AtMost);
        assert_eq!(t("basic_grassland").target, Some(1900.0));
        assert!(t("water_use").binding && t("water_use").target.is_none());
        let binding: Vec<&str> = p
            .indicators
            .iter()
            .filter(|i| i.binding)
            .map(|i| i.id.as_str())
            .collect();
        assert_eq!(binding.len(), 6, "{binding:?}");
    }

    #[test]
    fn class_sets_take_extension_codes() {
        let c = tongliao().classes;
        assert!(c.is_cultivated("0103"));
        assert!(!c.is_cultivated("0201K"));
        assert!(in_set(&c.forest, "0301K"));
        assert!(c.is_urban_construction("0601", "202"));
        assert!(!c.is_urban_construction("0601", "203"));
        assert!(c.is_urban_rural_construction("0702", "203A"));
        assert!(!c.is_urban_rural_construction("1006", "201"));
    }

    #[test]
    fn public_defaults_and_errors() {
        let p = tongliao();
        assert!(p.public.layers.iter().any(|l| l == "yjjbnt"));
        assert_eq!(p.public_indicators().len(), 6, "the six binding indicators");
        let with = |extra: &str| {
            Plan::parse(
                &format!(
                    "{}\n{extra}",
                    crate::TONGLIAO_PLAN.replace("[public]", "[unused_public]")
                ),
                Path::new("x.toml"),
            )
        };
        let e = with("").unwrap_err().to_string();
        assert!(e.contains("unused_public"), "{e}");
        let strip = |t: &str| {
            let i = t.find("[public]").unwrap();
            let j = t[i..].find("\n# ---").map_or(t.len(), |j| i + j);
            format!("{}{}", &t[..i], &t[j..])
        };
        let base = strip(crate::TONGLIAO_PLAN);
        let p = Plan::parse(&base, Path::new("x.toml")).unwrap();
        assert_eq!(p.public, Public::default());
        for (extra, says) in [
            ("[public]\nlayers = [\"dltb\"]", "not public"),
            ("[public]\nlayers = [\"nope\"]", "not a layer kind"),
            ("[public]\nindicators = [\"nope\"]", "no indicator"),
            ("[public]\nlayer = []", "unknown field"),
        ] {
            let e = Plan::parse(&format!("{base}\n{extra}\n"), Path::new("x.toml"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(says), "{extra}: {e}");
        }
    }

    #[test]
    fn errors_name_the_line() {
        let bad = crate::TONGLIAO_PLAN.replace(
            "rule = \">=\"\ntarget = 3179",
            "rule = \"=>\"\ntarget = 3179",
        );
        let e = Plan::parse(&bad, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.toml: line "), "{e}");
        let typo = crate::TONGLIAO_PLAN.replace(
            "binding = true\nband = 0.005\nsource",
            "bindng = true\nband = 0.005\nsource",
        );
        let e = Plan::parse(&typo, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("bindng"), "{e}");
        let twice = format!("{}\n[[indicators]]\nid = \"wetland\"\nname = \"x\"\ndimension = \"绿色\"\nunit = \"公顷\"\nrule = \">=\"\nbinding = false\n", crate::TONGLIAO_PLAN);
        let e = Plan::parse(&twice, Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("defined twice"), "{e}");
    }
}

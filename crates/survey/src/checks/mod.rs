//! Import quality checks (质检), one file per check, collected by [`REGISTRY`] (style §3).
//!
//! A check sees each feature once ([`Check::feature`]) and may report findings at the end
//! ([`Check::finish`]) for dataset-wide rules such as duplicate BSM or overlaps. Errors stop an
//! import; warnings are stored with the dataset.

mod bsm;
mod czcsxm;
mod dlbm;
mod dlmc;
mod gdpdjb;
mod geometry;
mod kc_non_cultivated;
mod kc_required;
mod kcdlbm;
mod kcmj_product;
mod kcmj_range;
mod kcxs_range;
mod overlap;
mod qsxz;
mod tbdlmj;
mod tbmj;
mod tbmj_sandiao;
mod xzqdm;
mod zldwdm;

pub use geometry::{repair, ring_self_intersection, GeometryIssue};

use crate::kinds::Kind;
use crate::numbers::Decimal;
use onemap_formats::{Field, Geometry, Value};

/// Severity of a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Stops the import.
    Error,
    /// Stored with the dataset.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn id(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding of a check.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// Check id (`D-E07`, `G-E01`, …).
    pub check: &'static str,
    /// 0-based feature index in the source file; `None` for the layer as a whole.
    pub feature: Option<u64>,
    /// The field concerned.
    pub field: Option<String>,
    /// What is wrong, with the values.
    pub message: String,
}

/// Parameters of the checks.
#[derive(Clone, Debug)]
pub struct Options {
    /// D-W10: relative tolerance of TBMJ against the `sandiao` area (default 1e-4).
    pub tbmj_tolerance_rel: f64,
    /// D-W10: absolute tolerance in cents (default 10 = 0.10 m²).
    pub tbmj_tolerance_cents: i64,
    /// County codes accepted as the first 6 digits of ZLDWDM (default: Tongliao, §4.7).
    pub county_codes: Vec<String>,
    /// G-W02: overlap area below which two features are not reported, m² (default 0.01).
    pub overlap_min_m2: f64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            tbmj_tolerance_rel: 1e-4,
            tbmj_tolerance_cents: 10,
            county_codes: crate::TONGLIAO_COUNTIES
                .iter()
                .map(|(c, _)| c.to_string())
                .collect(),
            overlap_min_m2: 0.01,
        }
    }
}

/// One feature as the checks see it: normalised values under the dataset's field names, the
/// repaired geometry in the source CRS, its geometry in CGCS2000 longitude/latitude, and its
/// `sandiao` area.
pub struct Record<'a> {
    /// 0-based index in the source file.
    pub index: u64,
    /// The dataset's fields.
    pub fields: &'a [Field],
    /// Values aligned with `fields`.
    pub values: &'a [Value],
    /// Geometry in longitude/latitude (EPSG:4490), after repair.
    pub lonlat: Option<&'a Geometry>,
    /// `sandiao` area of the geometry, cents of m².
    pub area_cents: Option<i64>,
}

impl Record<'_> {
    /// The value of a field, `None` if the layer has no such field.
    pub fn value(&self, name: &str) -> Option<&Value> {
        self.fields
            .iter()
            .position(|f| f.name == name)
            .and_then(|i| self.values.get(i))
    }

    /// Whether the layer has the field.
    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|f| f.name == name)
    }

    /// A field's text; `None` when absent or empty.
    pub fn text(&self, name: &str) -> Option<String> {
        self.value(name)
            .and_then(Value::as_text)
            .filter(|t| !t.is_empty())
    }

    /// A field as an exact decimal: `None` when empty, `Some(Err)` when not a number.
    pub fn decimal(&self, name: &str) -> Option<Result<Decimal, String>> {
        match self.value(name)? {
            Value::Null => None,
            v => Some(Decimal::from_value(v).ok_or_else(|| {
                format!(
                    "{name} {:?} is not a number",
                    v.as_text().unwrap_or_default()
                )
            })),
        }
    }

    /// A field's area in cents: `None` when empty, `Some(Err)` when not a number.
    pub fn cents(&self, name: &str) -> Option<Result<i64, String>> {
        self.decimal(name).map(|d| d.map(|d| d.round_to(2) as i64))
    }

    /// A finding about this feature.
    pub fn finding(
        &self,
        severity: Severity,
        check: &'static str,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Finding {
        Finding {
            severity,
            check,
            feature: Some(self.index),
            field: field.map(str::to_string),
            message: message.into(),
        }
    }
}

/// A quality check.
pub trait Check {
    /// Look at one feature.
    fn feature(&mut self, _r: &Record, _out: &mut Vec<Finding>) {}
    /// Report dataset-wide findings after the last feature.
    fn finish(&mut self, _out: &mut Vec<Finding>) {}
}

/// A registered check.
pub struct CheckInfo {
    /// Stable id (`D-E07`).
    pub id: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// Chinese title.
    pub title: &'static str,
    /// The kinds it applies to.
    pub applies: fn(Kind) -> bool,
    /// A fresh instance.
    pub make: fn(&Options) -> Box<dyn Check>,
}

fn dltb(k: Kind) -> bool {
    k == Kind::Dltb
}

fn no_overlap(k: Kind) -> bool {
    k.no_overlaps()
}

/// Every check. Layer-level checks (required fields, 二调 fields, geometry repair) run in the
/// import itself and are listed here with ids D-E01, D-E10, G-E01 and G-W01 for reference.
pub static REGISTRY: &[CheckInfo] = &[
    CheckInfo {
        id: "D-E02",
        severity: Severity::Error,
        title: "标识码为空或重复",
        applies: dltb,
        make: bsm::make,
    },
    CheckInfo {
        id: "D-E03",
        severity: Severity::Error,
        title: "地类编码不在三调工作分类中",
        applies: dltb,
        make: dlbm::make,
    },
    CheckInfo {
        id: "D-E04",
        severity: Severity::Error,
        title: "图斑面积为空或不大于零",
        applies: dltb,
        make: tbmj::make,
    },
    CheckInfo {
        id: "D-E05",
        severity: Severity::Error,
        title: "坐落单位代码不是本市19位代码",
        applies: dltb,
        make: zldwdm::make,
    },
    CheckInfo {
        id: "D-E06",
        severity: Severity::Error,
        title: "耕地图斑缺少扣除系数、扣除面积或地类面积",
        applies: dltb,
        make: kc_required::make,
    },
    CheckInfo {
        id: "D-E07",
        severity: Severity::Error,
        title: "图斑地类面积不等于图斑面积减扣除面积",
        applies: dltb,
        make: tbdlmj::make,
    },
    CheckInfo {
        id: "D-E08",
        severity: Severity::Error,
        title: "扣除地类系数不在[0,1)内",
        applies: dltb,
        make: kcxs_range::make,
    },
    CheckInfo {
        id: "D-E09",
        severity: Severity::Error,
        title: "扣除地类面积为负或大于图斑面积",
        applies: dltb,
        make: kcmj_range::make,
    },
    CheckInfo {
        id: "D-W01",
        severity: Severity::Warning,
        title: "地类名称与地类编码不符",
        applies: dltb,
        make: dlmc::make,
    },
    CheckInfo {
        id: "D-W02",
        severity: Severity::Warning,
        title: "扣除面积与图斑面积×扣除系数相差超过0.01平方米",
        applies: dltb,
        make: kcmj_product::make,
    },
    CheckInfo {
        id: "D-W03",
        severity: Severity::Warning,
        title: "非耕地图斑有扣除系数或扣除面积",
        applies: dltb,
        make: kc_non_cultivated::make,
    },
    CheckInfo {
        id: "D-W04",
        severity: Severity::Warning,
        title: "有扣除面积但扣除地类编码不是1203",
        applies: dltb,
        make: kcdlbm::make,
    },
    CheckInfo {
        id: "D-W05",
        severity: Severity::Warning,
        title: "耕地坡度级别或耕地类型不符",
        applies: dltb,
        make: gdpdjb::make,
    },
    CheckInfo {
        id: "D-W06",
        severity: Severity::Warning,
        title: "城镇村属性码不在值域中或与地类不符",
        applies: dltb,
        make: czcsxm::make,
    },
    CheckInfo {
        id: "D-W09",
        severity: Severity::Warning,
        title: "权属性质或权属单位代码不规范",
        applies: dltb,
        make: qsxz::make,
    },
    CheckInfo {
        id: "D-W10",
        severity: Severity::Warning,
        title: "图斑面积与椭球面积相差超过容差",
        applies: dltb,
        make: tbmj_sandiao::make,
    },
    CheckInfo {
        id: "G-W02",
        severity: Severity::Warning,
        title: "同层要素重叠",
        applies: no_overlap,
        make: overlap::make,
    },
    CheckInfo {
        id: "X-E01",
        severity: Severity::Error,
        title: "行政区代码不是6、9或12位数字",
        applies: |k| k == Kind::Xzq,
        make: xzqdm::make,
    },
];

/// Checks that run in the import itself, for the listing: (id, severity, title).
pub static BUILT_IN: &[(&str, Severity, &str)] = &[
    ("D-E01", Severity::Error, "缺少必填字段"),
    (
        "D-E10",
        Severity::Error,
        "含二调面积字段（XZDWMJ/LXDWMJ），按二调口径的数据",
    ),
    (
        "G-E01",
        Severity::Error,
        "几何无效（自相交、环点数不足、面积为零、非面要素）",
    ),
    ("G-W01", Severity::Warning, "几何已修复（闭合环、重复点）"),
    (
        "V-E01",
        Severity::Error,
        "字段值无法转换（如代码读作浮点数）",
    ),
];

/// Run one check on one feature without geometry (for the checks' unit tests).
#[cfg(test)]
pub(crate) fn run_on(check: &mut dyn Check, fields: &[Field], values: &[Value]) -> Vec<Finding> {
    let r = Record {
        index: 0,
        fields,
        values,
        lonlat: None,
        area_cents: None,
    };
    let mut out = Vec::new();
    check.feature(&r, &mut out);
    out
}

/// Fresh instances of the checks that apply to `kind`.
pub fn checks_for(kind: Kind, opts: &Options) -> Vec<Box<dyn Check>> {
    REGISTRY
        .iter()
        .filter(|c| (c.applies)(kind))
        .map(|c| (c.make)(opts))
        .collect()
}

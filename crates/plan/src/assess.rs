//! Indicator values for a year graded against the plan: status (green, yellow, red, unknown),
//! the reason in words, the counties that drive it, the series over the survey years and a
//! linear projection to the target year.

use crate::indicators::{indicator, Computed, Inputs, Quantity, UnitKind};
use crate::model::{Indicator, Plan, Rule};
use crate::tally::Tally;
use onemap_geodesy::units::AreaUnit;
use onemap_store::StatRow;
use serde::Serialize;
use std::collections::BTreeMap;

/// A grade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Meets the target with room to spare.
    Green,
    /// Within the warning band, or heading to break the target before the target year, or (an
    /// expected indicator) broken.
    Yellow,
    /// A binding target broken.
    Red,
    /// No data.
    Unknown,
}

impl Status {
    /// Chinese wording.
    pub fn chinese(self) -> &'static str {
        match self {
            Status::Green => "正常",
            Status::Yellow => "预警",
            Status::Red => "超标",
            Status::Unknown => "无数据",
        }
    }
}

/// One county's value.
#[derive(Clone, Debug, Serialize)]
pub struct UnitResult {
    /// County code.
    pub code: String,
    /// County name.
    pub name: String,
    /// Value in the indicator's unit.
    pub value: Option<f64>,
    /// Grade.
    pub status: Status,
    /// The county's own target, when the plan sets one.
    pub target: Option<f64>,
    /// Change on the previous survey year.
    pub change: Option<f64>,
    /// Why the grade, in words.
    pub reason: String,
    /// The county's values of every survey year up to this one.
    pub series: Vec<Point>,
}

/// One year's value.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    /// Year.
    pub year: i32,
    /// Value.
    pub value: Option<f64>,
}

/// One graded indicator (the JSON shape of `onemap indicators`).
#[derive(Clone, Debug, Serialize)]
pub struct IndicatorResult {
    /// Id.
    pub id: String,
    /// Chinese name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Decimals the figures are given to in this unit.
    pub decimals: usize,
    /// The region's value.
    pub value: Option<f64>,
    /// The target.
    pub target: Option<f64>,
    /// `>=` or `<=`.
    pub rule: &'static str,
    /// Grade.
    pub status: Status,
    /// Why, in words.
    pub reason: String,
    /// Per county.
    pub units: Vec<UnitResult>,
    /// 约束性 or 预期性.
    pub binding: bool,
    /// TD/T 1063 dimension.
    pub dimension: String,
    /// Value of the previous survey year held.
    pub previous: Option<f64>,
    /// The values of every survey year up to this one.
    pub series: Vec<Point>,
    /// Linear projection of the series to the target year.
    pub projection: Option<f64>,
    /// Counties driving a yellow or red status, worst first.
    pub drivers: Vec<String>,
}

/// The graded indicators of a year.
#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    /// Survey year.
    pub year: i32,
    /// Plan name.
    pub plan: String,
    /// The region.
    pub region: Region,
    /// Every indicator of the plan, in plan order.
    pub indicators: Vec<IndicatorResult>,
}

/// The region.
#[derive(Clone, Debug, Serialize)]
pub struct Region {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// Decimals a unit is reported with.
pub fn decimals(unit: &str) -> usize {
    match area_unit(unit) {
        Some(u) => u.decimals() as usize,
        None => match unit {
            "倍" => 4,
            _ => 2,
        },
    }
}

fn area_unit(unit: &str) -> Option<AreaUnit> {
    Some(match unit {
        "平方米" => AreaUnit::SquareMetre,
        "亩" => AreaUnit::Mu,
        "公顷" => AreaUnit::Hectare,
        "平方公里" | "平方千米" => AreaUnit::SquareKilometre,
        "万亩" => AreaUnit::WanMu,
        "万平方公里" | "万平方千米" => AreaUnit::WanSquareKilometre,
        _ => return None,
    })
}

fn value_in(q: Quantity, unit: &str) -> f64 {
    match q {
        Quantity::Area(c) => area_unit(unit).map_or(f64::NAN, |u| u.value(c)),
        Quantity::Number(x) => x,
    }
}

/// `12.3456 万亩`.
pub fn fmt(v: f64, unit: &str) -> String {
    format!("{v:.*} {unit}", decimals(unit))
}

/// Check that every indicator of the plan has an implementation with a fitting unit.
pub fn check_plan(plan: &Plan) -> Result<(), String> {
    for i in &plan.indicators {
        let imp = indicator(&i.id).ok_or_else(|| {
            format!(
                "indicator {:?} has no implementation (`onemap indicators --list` lists them)",
                i.id
            )
        })?;
        match imp.unit_kind() {
            UnitKind::Area if area_unit(&i.unit).is_none() => {
                return Err(format!(
                    "indicator {:?}: unit {:?} is not an area unit (平方米, 亩, 公顷, 平方公里, 万亩, 万平方公里)",
                    i.id, i.unit
                ))
            }
            UnitKind::Fixed(u) if u != i.unit => {
                return Err(format!(
                    "indicator {:?}: unit must be {u:?}, not {:?}",
                    i.id, i.unit
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Grade every indicator of the plan for `year` from the tallies of the survey years (those
/// after `year` are ignored) and the statistics inputs. `names` gives county names.
pub fn assess(
    plan: &Plan,
    year: i32,
    tallies: &BTreeMap<i32, Tally>,
    stats: &[StatRow],
    names: &BTreeMap<String, String>,
) -> Result<Assessment, String> {
    check_plan(plan)?;
    if !tallies.contains_key(&year) {
        return Err(format!("no survey of {year} was counted"));
    }
    let counties: Vec<String> = {
        let mut c: Vec<String> = tallies
            .values()
            .flat_map(|t| t.units.keys().cloned())
            .filter(|c| !c.is_empty())
            .collect();
        c.sort();
        c.dedup();
        c
    };
    let base = tallies.get(&plan.plan.base_year);
    let years: Vec<i32> = tallies.keys().copied().filter(|y| *y <= year).collect();
    let mut out = Vec::new();
    for ind in &plan.indicators {
        let Some(imp) = indicator(&ind.id) else {
            continue;
        };
        let computed: BTreeMap<i32, Computed> = years
            .iter()
            .map(|y| {
                let x = Inputs {
                    plan,
                    tally: &tallies[y],
                    base,
                    stats,
                    counties: &counties,
                };
                (*y, imp.compute(&x))
            })
            .collect();
        let now = &computed[&year];
        let val = |c: &Computed| c.region.map(|q| value_in(q, &ind.unit));
        let series: Vec<Point> = years
            .iter()
            .map(|y| Point {
                year: *y,
                value: val(&computed[y]),
            })
            .collect();
        let previous = years
            .iter()
            .rev()
            .find(|y| **y < year)
            .and_then(|y| val(&computed[y]));
        let value = val(now);
        let (status, mut reason) =
            grade(ind, value, ind.target, &series, year, plan.plan.target_year);
        let reason_missing = now.missing.clone();
        if status == Status::Unknown {
            if let Some(m) = reason_missing {
                reason = m;
            }
        }
        let prev_year = years.iter().rev().find(|y| **y < year).copied();
        let mut units: Vec<UnitResult> = Vec::new();
        for c in &counties {
            let v = now
                .units
                .get(c)
                .copied()
                .flatten()
                .map(|q| value_in(q, &ind.unit));
            let pv = prev_year
                .and_then(|py| computed[&py].units.get(c).copied().flatten())
                .map(|q| value_in(q, &ind.unit));
            let target = ind.counties.get(c).copied();
            let cs: Vec<Point> = years
                .iter()
                .map(|y| Point {
                    year: *y,
                    value: computed[y]
                        .units
                        .get(c)
                        .copied()
                        .flatten()
                        .map(|q| value_in(q, &ind.unit)),
                })
                .collect();
            let (st, why) = grade(ind, v, target, &cs, year, plan.plan.target_year);
            units.push(UnitResult {
                code: c.clone(),
                name: names
                    .get(c)
                    .cloned()
                    .or_else(|| onemap_survey::county_name(c).map(String::from))
                    .unwrap_or_default(),
                value: v,
                status: st,
                target,
                change: v.zip(pv).map(|(a, b)| round(a - b, decimals(&ind.unit))),
                reason: why,
                series: cs,
            });
        }
        // Drivers: counties moving the wrong way (or breaking their own target), worst first.
        let mut drivers = Vec::new();
        if matches!(status, Status::Yellow | Status::Red) {
            let mut bad: Vec<(f64, String)> = units
                .iter()
                .filter_map(|u| {
                    let d = u.change?;
                    let against = match ind.rule {
                        Rule::AtLeast => -d,
                        Rule::AtMost => d,
                    };
                    (against > 0.0).then(|| {
                        (
                            against,
                            format!(
                                "{}（较 {} 年{}{}）",
                                u.name,
                                prev_year.unwrap_or(year),
                                if d < 0.0 { "减少 " } else { "增加 " },
                                fmt(d.abs(), &ind.unit)
                            ),
                        )
                    })
                })
                .collect();
            bad.sort_by(|a, b| b.0.total_cmp(&a.0));
            drivers = bad.into_iter().take(3).map(|b| b.1).collect();
            if drivers.is_empty() {
                drivers = units
                    .iter()
                    .filter(|u| {
                        u.status == Status::Red
                            || (u.status == Status::Yellow && u.target.is_some())
                    })
                    .map(|u| format!("{}（{}）", u.name, u.status.chinese()))
                    .collect();
            }
            if !drivers.is_empty() {
                reason.push_str(&format!("；主要涉及：{}", drivers.join("、")));
            }
        }
        out.push(IndicatorResult {
            id: ind.id.clone(),
            name: ind.name.clone(),
            unit: ind.unit.clone(),
            decimals: decimals(&ind.unit),
            value,
            target: ind.target,
            rule: ind.rule.symbol(),
            status,
            reason,
            units,
            binding: ind.binding,
            dimension: ind.dimension.clone(),
            previous,
            projection: fit(&series)
                .map(|(a, b)| round(a + b * plan.plan.target_year as f64, decimals(&ind.unit))),
            series,
            drivers,
        });
    }
    Ok(Assessment {
        year,
        plan: plan.plan.name.clone(),
        region: Region {
            code: plan.plan.region.clone(),
            name: plan.plan.region_name.clone(),
        },
        indicators: out,
    })
}

fn round(x: f64, d: usize) -> f64 {
    let k = 10f64.powi(d as i32);
    (x * k).round() / k
}

/// Least-squares line `a + b·year` through the points with values; `None` with fewer than 2.
pub fn fit(series: &[Point]) -> Option<(f64, f64)> {
    let pts: Vec<(f64, f64)> = series
        .iter()
        .filter_map(|p| p.value.map(|v| (p.year as f64, v)))
        .collect();
    if pts.len() < 2 {
        return None;
    }
    let n = pts.len() as f64;
    let mx = pts.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pts.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx) * (p.0 - mx)).sum();
    if sxx == 0.0 {
        return None;
    }
    let b = pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / sxx;
    Some((my - b * mx, b))
}

/// Grade a value: red when a binding target is broken (yellow for an expected one); yellow
/// within the band or when the trend crosses the target before the target year; green
/// otherwise. Without a target: yellow when the value moved against the rule's direction
/// since the previous year, green when not, unknown with a single year.
pub fn grade(
    ind: &Indicator,
    value: Option<f64>,
    target: Option<f64>,
    series: &[Point],
    year: i32,
    target_year: i32,
) -> (Status, String) {
    let u = ind.unit.as_str();
    let Some(v) = value else {
        return (Status::Unknown, "无数据".into());
    };
    let good = |x: f64, t: f64| match ind.rule {
        Rule::AtLeast => x >= t,
        Rule::AtMost => x <= t,
    };
    let Some(t) = target else {
        let prev = series
            .iter()
            .rev()
            .find(|p| p.year < year)
            .and_then(|p| p.value.map(|v| (p.year, v)));
        return match prev {
            None => (
                Status::Unknown,
                format!(
                    "{year} 年 {}；规划未设定目标值，且无上一年度数据可比",
                    fmt(v, u)
                ),
            ),
            Some((py, pv)) => {
                let d = round(v - pv, decimals(u));
                let word = if d < 0.0 { "减少" } else { "增加" };
                if d != 0.0 && !good(v, pv) {
                    (
                        Status::Yellow,
                        format!(
                            "{year} 年 {}，较 {py} 年{word} {}，变化方向与规划要求（{}）相反",
                            fmt(v, u),
                            fmt(d.abs(), u),
                            if ind.rule == Rule::AtLeast {
                                "不减少"
                            } else {
                                "不增加"
                            }
                        ),
                    )
                } else {
                    (
                        Status::Green,
                        format!(
                            "{year} 年 {}，较 {py} 年{word} {}",
                            fmt(v, u),
                            fmt(d.abs(), u)
                        ),
                    )
                }
            }
        };
    };
    let gap = round((v - t).abs(), decimals(u));
    if !good(v, t) {
        let status = if ind.binding {
            Status::Red
        } else {
            Status::Yellow
        };
        let word = if ind.rule == Rule::AtLeast {
            "低于"
        } else {
            "超过"
        };
        return (
            status,
            format!(
                "{year} 年 {}，{word}{}目标 {}（{} {}），差 {}",
                fmt(v, u),
                if ind.binding {
                    "约束性"
                } else {
                    "预期性"
                },
                fmt(t, u),
                ind.rule.sign(),
                fmt(t, u),
                fmt(gap, u)
            ),
        );
    }
    let band = ind.band * t.abs();
    if ind.band > 0.0 && gap <= band {
        return (
            Status::Yellow,
            format!(
                "{year} 年 {}，达到目标 {}，但余量仅 {}，在预警区间（目标的 {}%）内",
                fmt(v, u),
                fmt(t, u),
                fmt(gap, u),
                ind.band * 100.0
            ),
        );
    }
    if let Some((a, b)) = fit(series) {
        let bad_dir = match ind.rule {
            Rule::AtLeast => b < 0.0,
            Rule::AtMost => b > 0.0,
        };
        if bad_dir && b != 0.0 {
            let cross = (t - a) / b;
            let first = series
                .iter()
                .find(|p| p.value.is_some())
                .map_or(year, |p| p.year);
            if cross > year as f64 && cross <= target_year as f64 + 1e-9 {
                return (
                    Status::Yellow,
                    format!(
                        "{year} 年 {}，达到目标 {}；但按 {first}—{year} 年趋势（年均{} {}），预计 {} 年突破目标",
                        fmt(v, u),
                        fmt(t, u),
                        if b < 0.0 { "减少" } else { "增加" },
                        fmt(b.abs(), u),
                        (cross - 1e-9).ceil() as i32
                    ),
                );
            }
        }
    }
    (
        Status::Green,
        format!(
            "{year} 年 {}，达到目标 {}（余量 {}）",
            fmt(v, u),
            fmt(t, u),
            fmt(gap, u)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ind(binding: bool, band: f64) -> Indicator {
        Indicator {
            id: "cultivated_land".into(),
            name: "耕地保有量".into(),
            dimension: "安全".into(),
            unit: "万亩".into(),
            rule: Rule::AtLeast,
            target: Some(100.0),
            binding,
            band,
            source: String::new(),
            counties: BTreeMap::new(),
        }
    }

    fn series(pts: &[(i32, f64)]) -> Vec<Point> {
        pts.iter()
            .map(|&(year, v)| Point {
                year,
                value: Some(v),
            })
            .collect()
    }

    #[test]
    fn exactly_met() {
        let s = series(&[(2025, 100.0)]);
        assert_eq!(
            grade(&ind(true, 0.0), Some(100.0), Some(100.0), &s, 2025, 2035).0,
            Status::Green
        );
        // With a band, a target met with no room is a warning.
        assert_eq!(
            grade(&ind(true, 0.01), Some(100.0), Some(100.0), &s, 2025, 2035).0,
            Status::Yellow
        );
    }

    #[test]
    fn just_missed() {
        let s = series(&[(2025, 99.9999)]);
        let (st, why) = grade(&ind(true, 0.01), Some(99.9999), Some(100.0), &s, 2025, 2035);
        assert_eq!(st, Status::Red);
        assert!(
            why.contains("低于约束性目标") && why.contains("0.0001 万亩"),
            "{why}"
        );
        // An expected indicator missed is a warning, not red.
        assert_eq!(
            grade(
                &ind(false, 0.01),
                Some(99.9999),
                Some(100.0),
                &s,
                2025,
                2035
            )
            .0,
            Status::Yellow
        );
    }

    #[test]
    fn inside_the_band() {
        let s = series(&[(2025, 100.5)]);
        let (st, why) = grade(&ind(true, 0.01), Some(100.5), Some(100.0), &s, 2025, 2035);
        assert_eq!(st, Status::Yellow);
        assert!(why.contains("预警区间"), "{why}");
        // Just outside the band: green.
        let s = series(&[(2025, 101.5)]);
        assert_eq!(
            grade(&ind(true, 0.01), Some(101.5), Some(100.0), &s, 2025, 2035).0,
            Status::Green
        );
    }

    #[test]
    fn a_trend_crossing_in_2031() {
        // 122 in 2020 falling by 2 a year: 112 in 2025, at the target of 100 in 2031.
        let s = series(&[
            (2020, 122.0),
            (2021, 120.0),
            (2022, 118.0),
            (2023, 116.0),
            (2024, 114.0),
            (2025, 112.0),
        ]);
        let (st, why) = grade(&ind(true, 0.005), Some(112.0), Some(100.0), &s, 2025, 2035);
        assert_eq!(st, Status::Yellow);
        assert!(why.contains("预计 2031 年突破目标"), "{why}");
        // The same fall, but reaching the target only after 2035: green.
        let slow = series(&[(2020, 112.2), (2025, 112.0)]);
        assert_eq!(
            grade(
                &ind(true, 0.005),
                Some(112.0),
                Some(100.0),
                &slow,
                2025,
                2035
            )
            .0,
            Status::Green
        );
    }

    #[test]
    fn without_target_or_data() {
        let mut i = ind(false, 0.0);
        i.target = None;
        let s = series(&[(2024, 10.0), (2025, 9.0)]);
        let (st, why) = grade(&i, Some(9.0), None, &s, 2025, 2035);
        assert_eq!(st, Status::Yellow);
        assert!(why.contains("较 2024 年减少"), "{why}");
        assert_eq!(
            grade(
                &i,
                Some(11.0),
                None,
                &series(&[(2024, 10.0), (2025, 11.0)]),
                2025,
                2035
            )
            .0,
            Status::Green
        );
        assert_eq!(grade(&i, None, None, &s, 2025, 2035).0, Status::Unknown);
    }

    #[test]
    fn fit_is_least_squares() {
        let (a, b) = fit(&series(&[(2020, 1.0), (2021, 3.0), (2022, 5.0)])).unwrap();
        assert!((b - 2.0).abs() < 1e-9 && (a + 2.0 * 2020.0 - 1.0).abs() < 1e-6);
        assert!(fit(&series(&[(2020, 1.0)])).is_none());
    }
}

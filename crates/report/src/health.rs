//! 国土空间总体规划实施年度体检报告 and 五年评估报告: the indicators graded, explained,
//! mapped and charted, with their data sources.

use crate::chart::LineChart;
use crate::doc::{Block, Cell, Doc, Table};
use crate::map::MapBuilder;
use onemap_overlay::{BBox, Snapshot};
use onemap_plan::assess::{decimals, fmt, Assessment, IndicatorResult, Status};
use onemap_plan::Plan;
use onemap_store::{Dataset, StatRow};
use onemap_survey::Kind;
use std::collections::BTreeMap;

/// Where the figures came from.
pub struct Sources<'a> {
    /// Every dataset of the store.
    pub datasets: &'a [Dataset],
    /// Statistics inputs.
    pub stats: &'a [StatRow],
    /// Report date.
    pub date: String,
}

fn status_colour(s: Status) -> &'static str {
    match s {
        Status::Green => "#66bb6a",
        Status::Yellow => "#ffca28",
        Status::Red => "#ef5350",
        Status::Unknown => "#bdbdbd",
    }
}

fn v(x: Option<f64>, unit: &str) -> String {
    x.map_or_else(|| "—".into(), |x| format!("{x:.*}", decimals(unit)))
}

/// `≥ 3179.6591`, or a dash without a target.
fn target_text(i: &IndicatorResult) -> String {
    i.target.map_or_else(
        || "—".into(),
        |x| {
            format!(
                "{} {x:.*}",
                if i.rule == ">=" { "≥" } else { "≤" },
                decimals(&i.unit)
            )
        },
    )
}

fn counts(a: &Assessment) -> BTreeMap<Status, usize> {
    let mut m = BTreeMap::new();
    for i in &a.indicators {
        *m.entry(i.status).or_insert(0) += 1;
    }
    m
}

fn summary(d: &mut Doc, a: &Assessment) {
    let c = counts(a);
    let n = |s| c.get(&s).copied().unwrap_or(0);
    d.push(Block::Verdict(
        format!(
            "共监测指标 {} 项：正常 {} 项，预警 {} 项，超标 {} 项，无数据 {} 项。",
            a.indicators.len(),
            n(Status::Green),
            n(Status::Yellow),
            n(Status::Red),
            n(Status::Unknown)
        ),
        if n(Status::Red) > 0 {
            "red"
        } else if n(Status::Yellow) > 0 {
            "yellow"
        } else {
            "green"
        }
        .into(),
    ));
    let head: Vec<String> = a
        .indicators
        .iter()
        .filter(|i| matches!(i.status, Status::Red | Status::Yellow))
        .map(|i| format!("【{}】{}：{}", i.status.chinese(), i.name, i.reason))
        .collect();
    if head.is_empty() {
        d.p("各项指标均达到规划要求，未发现需要预警的问题。");
    } else {
        d.p("主要发现：");
        d.push(Block::List(head));
    }
}

fn indicator_table(a: &Assessment) -> Table {
    let mut t = Table {
        header: [
            "序号",
            "指标",
            "属性",
            "维度",
            "单位",
            "规划目标",
            "现状值",
            "较上年",
            "状态",
        ]
        .map(String::from)
        .to_vec(),
        widths: vec![1, 5, 2, 2, 3, 3, 3, 3, 2],
        rows: Vec::new(),
    };
    for (k, i) in a.indicators.iter().enumerate() {
        let change = i.value.zip(i.previous).map(|(a, b)| a - b);
        t.rows.push(vec![
            Cell::n((k + 1).to_string()),
            Cell::t(&i.name),
            Cell::t(if i.binding { "约束性" } else { "预期性" }),
            Cell::t(&i.dimension),
            Cell::t(&i.unit),
            Cell::n(target_text(i)),
            Cell::n(v(i.value, &i.unit)),
            Cell::n(change.map_or_else(|| "—".into(), |c| format!("{c:+.*}", decimals(&i.unit)))),
            Cell::t(i.status.chinese()).bold(),
        ]);
    }
    t
}

fn county_tables(d: &mut Doc, a: &Assessment) {
    let with_units: Vec<&IndicatorResult> = a
        .indicators
        .iter()
        .filter(|i| i.units.iter().any(|u| u.value.is_some()))
        .collect();
    let Some(first) = with_units.first() else {
        d.p("无分县数据。");
        return;
    };
    for chunk in with_units.chunks(5) {
        let mut header = vec!["旗县市区".to_string()];
        header.extend(chunk.iter().map(|i| format!("{}（{}）", i.name, i.unit)));
        let mut t = Table {
            widths: std::iter::once(3).chain(chunk.iter().map(|_| 3)).collect(),
            header,
            rows: Vec::new(),
        };
        for (k, u) in first.units.iter().enumerate() {
            let mut row = vec![Cell::t(format!("{} {}", u.code, u.name))];
            for i in chunk {
                let x = i.units.get(k);
                row.push(Cell::n(match x {
                    Some(x) => {
                        let s = v(x.value, &i.unit);
                        if x.status == Status::Green || x.status == Status::Unknown {
                            s
                        } else {
                            format!("{s}（{}）", x.status.chinese())
                        }
                    }
                    None => "—".into(),
                }));
            }
            t.rows.push(row);
        }
        d.push(Block::Table(t));
    }
}

fn chart(d: &mut Doc, i: &IndicatorResult, end: i32, n: &mut usize) {
    let pts: Vec<(i32, f64)> = i
        .series
        .iter()
        .filter_map(|p| p.value.map(|v| (p.year, v)))
        .collect();
    if pts.len() < 2 {
        return;
    }
    *n += 1;
    let c = LineChart {
        points: &pts,
        projection: i.projection,
        target: i.target,
        end,
        decimals: decimals(&i.unit),
    };
    d.push(Block::Figure {
        svg: c.svg(600, 220),
        width: 600,
        height: 220,
        caption: format!(
            "图 {n}　{}（{}）{}—{} 年变化与 {end} 年趋势外推{}（蓝线为实测，虚线为线性外推{}）",
            i.name,
            i.unit,
            pts[0].0,
            pts[pts.len() - 1].0,
            i.projection
                .map(|p| format!("：{end} 年约 {}", fmt(p, &i.unit)))
                .unwrap_or_default(),
            if i.target.is_some() {
                "，红色虚线为规划目标"
            } else {
                ""
            }
        ),
    });
}

/// City extent from the 行政区 layer.
fn city_box(snap: &Snapshot) -> Option<BBox> {
    let x = snap.layer(Kind::Xzq)?;
    let mut bb = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for i in 0..x.len() as u32 {
        let b = x.bbox(i);
        bb = [
            bb[0].min(b[0]),
            bb[1].min(b[1]),
            bb[2].max(b[2]),
            bb[3].max(b[3]),
        ];
    }
    bb[0].is_finite().then_some(bb)
}

/// County choropleth of the worst status among the binding indicators with county values.
fn status_map(snap: &Snapshot, a: &Assessment) -> Option<(String, u32, u32)> {
    let x = snap.layer(Kind::Xzq)?;
    let code = x.field("XZQDM")?;
    let bb = city_box(snap)?;
    let mut worst: BTreeMap<String, Status> = BTreeMap::new();
    for i in a.indicators.iter().filter(|i| i.binding) {
        for u in &i.units {
            if u.status != Status::Unknown {
                let w = worst.entry(u.code.clone()).or_insert(Status::Green);
                *w = (*w).max(u.status);
            }
        }
    }
    let mut m = MapBuilder::new(MapBuilder::padded(bb, 0.02, 0.0), 560);
    m.layer(x, |i| {
        let s = worst
            .get(x.text(code, i).as_ref())
            .copied()
            .unwrap_or(Status::Unknown);
        Some(format!(
            r##"fill="{}" stroke="#333" stroke-width="1""##,
            status_colour(s)
        ))
    });
    let name = x.field("XZQMC");
    for i in 0..x.len() as u32 {
        if let (Some(n), Some(p)) = (name, onemap_plan::tally::interior_point(x, i)) {
            m.label(p, &x.text(n, i), r#"font-size="11" text-anchor="middle""#);
        }
    }
    let (w, h) = m.size();
    Some((m.finish(), w, h))
}

/// The three control lines on a 160-column grid: each cell coloured by the control line
/// covering most of it, opacity by its share (a city-wide map in a few hundred kilobytes).
fn control_map(snap: &Snapshot) -> Option<(String, u32, u32)> {
    let bb = city_box(snap)?;
    let mut m = MapBuilder::new(MapBuilder::padded(bb, 0.02, 0.0), 560);
    let (cols, rows) = (
        160usize,
        ((160.0 * m.size().1 as f64 / m.size().0 as f64) as usize).max(1),
    );
    let mb = m.bbox();
    let (cw, ch) = ((mb[2] - mb[0]) / cols as f64, (mb[3] - mb[1]) / rows as f64);
    let mut cover: Vec<[f64; 3]> = vec![[0.0; 3]; cols * rows];
    for (k, kind) in [Kind::Yjjbnt, Kind::Stbhhx, Kind::Czkfbj]
        .into_iter()
        .enumerate()
    {
        let Some(l) = snap.layer(kind) else { continue };
        for i in 0..l.len() as u32 {
            let Some(p) = onemap_plan::tally::interior_point(l, i) else {
                continue;
            };
            let (c, r) = (
                ((p[0] - mb[0]) / cw) as usize,
                ((mb[3] - p[1]) / ch) as usize,
            );
            if c < cols && r < rows {
                cover[r * cols + c][k] += l.area(i);
            }
        }
    }
    let mid = ((mb[1] + mb[3]) / 2.0).to_radians().cos();
    let cell_m2 = cw * 111_320.0 * mid * ch * 110_540.0;
    let colours = ["#d4a017", "#2e7d32", "#7b1fa2"];
    for r in 0..rows {
        for c in 0..cols {
            let a = cover[r * cols + c];
            let (k, best) = a
                .iter()
                .enumerate()
                .fold((0, 0.0), |b, (k, v)| if *v > b.1 { (k, *v) } else { b });
            if best <= 0.0 {
                continue;
            }
            let op = (best / cell_m2).clamp(0.15, 1.0);
            let x0 = mb[0] + c as f64 * cw;
            let y1 = mb[3] - r as f64 * ch;
            m.rect(
                [x0, y1 - ch, x0 + cw, y1],
                &format!(r#"fill="{}" fill-opacity="{op:.2}""#, colours[k]),
            );
        }
    }
    if let Some(x) = snap.layer(Kind::Xzq) {
        m.layer(x, |_| {
            Some(r##"fill="none" stroke="#333" stroke-width="1""##.into())
        });
    }
    let (w, h) = m.size();
    Some((m.finish(), w, h))
}

fn sources(d: &mut Doc, a_years: &[i32], snap: &Snapshot, src: &Sources) {
    let plan_ids: Vec<&str> = snap
        .layers()
        .filter(|l| l.kind() != Kind::Dltb)
        .flat_map(|l| l.datasets().iter().map(|d| d.id.as_str()))
        .collect();
    let t = Table::datasets(src.datasets.iter().filter(|ds| match ds.kind {
        Kind::Dltb => ds.year.is_some_and(|y| a_years.contains(&y)),
        _ => plan_ids.contains(&ds.id.as_str()),
    }));
    d.push(Block::Table(t));
    let mut files: Vec<&str> = src.stats.iter().map(|s| s.source.as_str()).collect();
    files.sort_unstable();
    files.dedup();
    d.p(if files.is_empty() {
        "社会经济统计数据：未导入（相关指标标为无数据）。".to_string()
    } else {
        format!("社会经济统计数据：{}。", files.join("、"))
    });
    d.p("面积口径：图斑面积（TBMJ）与地类面积（TBDLMJ）为三调椭球面积；管控线内外分割按图斑面积平差（碎片面积之和等于图斑面积），耕地扣除田坎。");
}

fn maps(d: &mut Doc, snap: &Snapshot, a: &Assessment, n: &mut usize) {
    if let Some((svg, w, h)) = status_map(snap, a) {
        *n += 1;
        d.push(Block::Figure {
            svg,
            width: w,
            height: h,
            caption: format!(
                "图 {n}　各旗县市区约束性指标状态（绿色正常，黄色预警，红色超标，灰色无数据）"
            ),
        });
    }
    if let Some((svg, w, h)) = control_map(snap) {
        *n += 1;
        d.push(Block::Figure {
            svg,
            width: w,
            height: h,
            caption: format!("图 {n}　三条控制线分布（黄色永久基本农田，绿色生态保护红线，紫色城镇开发边界；颜色深浅表示覆盖比例）"),
        });
    }
}

fn diagnosis(d: &mut Doc, a: &Assessment) {
    let bad: Vec<&IndicatorResult> = a
        .indicators
        .iter()
        .filter(|i| matches!(i.status, Status::Red | Status::Yellow))
        .collect();
    if bad.is_empty() {
        d.p("未发现超标或预警指标。");
    }
    for i in bad {
        d.h(3, format!("{}（{}）", i.name, i.status.chinese()));
        d.p(&i.reason);
        if !i.drivers.is_empty() {
            d.p(format!("主要涉及旗县市区：{}。", i.drivers.join("、")));
        }
    }
    let unknown: Vec<String> = a
        .indicators
        .iter()
        .filter(|i| i.status == Status::Unknown && i.value.is_none())
        .map(|i| format!("{}：{}", i.name, i.reason))
        .collect();
    if !unknown.is_empty() {
        d.p("数据缺失：");
        d.push(Block::List(unknown));
    }
}

/// A report with its title and the approval and date under it.
fn titled(title: String, plan: &Plan, src: &Sources) -> Doc {
    let mut d = Doc::new(title);
    d.subtitle = vec![
        format!(
            "批复文号：{}（{}）",
            plan.plan.approval, plan.plan.approved_on
        ),
        format!("报告日期：{}", src.date),
    ];
    d
}

/// 年度体检报告 for the assessment's year.
pub fn health_check(a: &Assessment, plan: &Plan, snap: &Snapshot, src: &Sources) -> Doc {
    let mut d = titled(
        format!("{}实施年度体检报告（{} 年）", plan.plan.name, a.year),
        plan,
        src,
    );
    let mut fig = 0;
    d.h(1, "一、总体情况");
    summary(&mut d, a);
    d.h(1, "二、指标监测");
    d.push(Block::Table(indicator_table(a)));
    d.p("状态判定：约束性指标未达到目标为超标（红）；达到目标但余量在预警区间内、或按历年趋势将在规划期内突破目标为预警（黄）；其余为正常（绿）；缺少数据为无数据。未设定目标的监测指标按变化方向判定。");
    d.h(1, "三、分旗县市区情况");
    county_tables(&mut d, a);
    d.h(1, "四、变化趋势与预测");
    for i in &a.indicators {
        chart(&mut d, i, plan.plan.target_year, &mut fig);
    }
    if fig == 0 {
        d.p("库中只有一个年度的调查数据，暂无趋势。");
    }
    d.h(1, "五、空间分布");
    maps(&mut d, snap, a, &mut fig);
    d.h(1, "六、问题诊断");
    diagnosis(&mut d, a);
    d.h(1, "七、数据来源");
    let years: Vec<i32> = a
        .indicators
        .first()
        .map_or_else(Vec::new, |i| i.series.iter().map(|p| p.year).collect());
    sources(&mut d, &years, snap, src);
    d
}

/// 五年评估报告 from `from` to the assessment's year.
pub fn evaluation(a: &Assessment, from: i32, plan: &Plan, snap: &Snapshot, src: &Sources) -> Doc {
    let mut d = titled(
        format!("{}实施评估报告（{}—{} 年）", plan.plan.name, from, a.year),
        plan,
        src,
    );
    let mut fig = 0;
    d.h(1, "一、评估结论");
    summary(&mut d, a);
    d.h(1, format!("二、{from}—{} 年指标变化", a.year));
    let mut t = Table {
        header: [
            "指标",
            "单位",
            &format!("{from} 年"),
            &format!("{} 年", a.year),
            "变化",
            "规划目标",
            &format!("{} 年外推", plan.plan.target_year),
            "状态",
        ]
        .map(String::from)
        .to_vec(),
        widths: vec![5, 2, 3, 3, 3, 3, 3, 2],
        rows: Vec::new(),
    };
    for i in &a.indicators {
        let start = i
            .series
            .iter()
            .find(|p| p.year == from)
            .and_then(|p| p.value);
        t.rows.push(vec![
            Cell::t(&i.name),
            Cell::t(&i.unit),
            Cell::n(v(start, &i.unit)),
            Cell::n(v(i.value, &i.unit)),
            Cell::n(start.zip(i.value).map_or_else(
                || "—".into(),
                |(s, e)| format!("{:+.*}", decimals(&i.unit), e - s),
            )),
            Cell::n(target_text(i)),
            Cell::n(v(i.projection, &i.unit)),
            Cell::t(i.status.chinese()).bold(),
        ]);
    }
    d.push(Block::Table(t));
    d.h(1, "三、分旗县市区情况");
    county_tables(&mut d, a);
    d.h(1, "四、趋势与规划目标");
    for i in &a.indicators {
        chart(&mut d, i, plan.plan.target_year, &mut fig);
    }
    d.h(1, "五、空间分布");
    maps(&mut d, snap, a, &mut fig);
    d.h(1, "六、问题诊断与建议");
    diagnosis(&mut d, a);
    d.h(1, "七、数据来源");
    let years: Vec<i32> = a.indicators.first().map_or_else(Vec::new, |i| {
        i.series
            .iter()
            .map(|p| p.year)
            .filter(|y| *y >= from)
            .collect()
    });
    sources(&mut d, &years, snap, src);
    d
}

//! 建设项目用地合规性审查报告: the review report of `onemap check --format html|docx`.

use crate::doc::{Block, Cell, Doc, Table};
use crate::map::{class_colour, MapBuilder};
use onemap_geodesy::units::AreaUnit;
use onemap_overlay::Snapshot;
use onemap_plan::Plan;
use onemap_review::{Parcel, ParcelReview, Verdict};
use onemap_survey::Kind;

/// What the report says about where it came from.
#[derive(Clone, Debug)]
pub struct ReviewMeta {
    /// The parcel file's name.
    pub file: String,
    /// Report date, `YYYY-MM-DD`.
    pub date: String,
    /// Survey year reviewed against.
    pub year: i32,
}

fn cents(m2: f64) -> i64 {
    (m2 * 100.0).round() as i64
}

fn area_cells(m2: f64) -> [Cell; 3] {
    let c = cents(m2);
    [
        Cell::n(AreaUnit::SquareMetre.format(c)),
        Cell::n(AreaUnit::Mu.format(c)),
        Cell::n(AreaUnit::Hectare.format(c)),
    ]
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "green",
        Verdict::Attention => "yellow",
        Verdict::Restricted | Verdict::Prohibited => "red",
    }
}

fn control_verdict(v: &str) -> String {
    match Verdict::parse(v) {
        Some(v) => v.chinese().to_string(),
        None if v == "not_checked" => "未审查（无数据）".into(),
        None => v.to_string(),
    }
}

/// The review report.
pub fn review_report(
    reviews: &[ParcelReview],
    parcels: &[Parcel],
    snap: &Snapshot,
    plan: &Plan,
    meta: &ReviewMeta,
) -> Doc {
    let mut d = Doc::new("建设项目用地合规性审查报告");
    d.subtitle = vec![
        format!("审查依据：{}（{}）", plan.plan.name, plan.plan.approval),
        format!("报告日期：{}", meta.date),
    ];
    let worst = reviews
        .iter()
        .map(|r| r.verdict)
        .max()
        .unwrap_or(Verdict::Pass);
    d.h(1, "一、审查概况");
    let total: f64 = reviews.iter().map(|r| r.area_m2).sum();
    d.push(Block::Table(Table {
        header: vec!["项目".into(), "内容".into()],
        widths: vec![1, 3],
        rows: vec![
            vec![Cell::t("红线文件"), Cell::t(&meta.file)],
            vec![Cell::t("地块数"), Cell::t(reviews.len().to_string())],
            vec![
                Cell::t("用地总面积"),
                Cell::t(format!(
                    "{} 平方米（{} 亩，{} 公顷）",
                    AreaUnit::SquareMetre.format(cents(total)),
                    AreaUnit::Mu.format(cents(total)),
                    AreaUnit::Hectare.format(cents(total))
                )),
            ],
            vec![
                Cell::t("现状数据"),
                Cell::t(format!("{} 年度国土变更调查地类图斑", meta.year)),
            ],
            vec![
                Cell::t("面积计算"),
                Cell::t("椭球面积（三调 sandiao 方法），叠加碎片按图斑面积平差，耕地扣除田坎"),
            ],
            vec![
                Cell::t("边界容差"),
                Cell::t(format!("{} 平方米", plan.review.sliver_m2)),
            ],
        ],
    }));
    d.push(Block::Verdict(
        format!("总体结论：{}", worst.chinese()),
        verdict_class(worst).into(),
    ));
    let mut summary = Table {
        header: [
            "序号",
            "地块编号",
            "地块名称",
            "用途",
            "面积（平方米）",
            "结论",
        ]
        .map(String::from)
        .to_vec(),
        widths: vec![1, 2, 5, 2, 3, 2],
        rows: Vec::new(),
    };
    for r in reviews {
        summary.rows.push(vec![
            Cell::n((r.index + 1).to_string()),
            Cell::t(r.id.clone().unwrap_or_default()),
            Cell::t(r.name.clone().unwrap_or_default()),
            Cell::t(r.purpose.chinese()),
            Cell::n(AreaUnit::SquareMetre.format(cents(r.area_m2))),
            Cell::t(r.verdict.chinese()),
        ]);
    }
    d.push(Block::Table(summary));

    for (k, r) in reviews.iter().enumerate() {
        let title = format!(
            "{}、地块 {}{}",
            chinese_number(k + 2),
            r.index + 1,
            r.name
                .as_deref()
                .map(|n| format!("（{n}）"))
                .unwrap_or_default()
        );
        d.h(1, title);
        d.h(2, "（一）地块信息");
        let a = area_cells(r.area_m2);
        d.push(Block::Table(Table {
            header: vec!["项目".into(), "内容".into()],
            widths: vec![1, 3],
            rows: vec![
                vec![
                    Cell::t("地块编号"),
                    Cell::t(r.id.clone().unwrap_or_default()),
                ],
                vec![
                    Cell::t("地块名称"),
                    Cell::t(r.name.clone().unwrap_or_default()),
                ],
                vec![Cell::t("项目用途"), Cell::t(r.purpose.chinese())],
                vec![
                    Cell::t("地块面积"),
                    Cell::t(format!(
                        "{} 平方米（{} 亩，{} 公顷）",
                        a[0].text, a[1].text, a[2].text
                    )),
                ],
            ],
        }));
        if let Some(p) = parcels.iter().find(|p| p.index == r.index) {
            let (svg, w, h) = parcel_map(p, snap, meta.year);
            d.push(Block::Figure {
                svg,
                width: w,
                height: h,
                caption: format!(
                    "图 {}　地块与管控线、{} 年地类图斑叠加示意（红色粗线为项目红线；黄色斜线为永久基本农田，绿色为生态保护红线，紫色虚线为城镇开发边界，蓝色为洪涝风险控制线；底色为地类）",
                    k + 1,
                    meta.year
                ),
            });
        }
        d.h(2, "（二）管控线叠加分析");
        let mut t = Table {
            header: [
                "管控要素",
                "重叠面积（平方米）",
                "重叠面积（亩）",
                "涉及要素",
                "审查意见",
            ]
            .map(String::from)
            .to_vec(),
            widths: vec![3, 3, 2, 4, 2],
            rows: Vec::new(),
        };
        for c in &r.controls {
            t.rows.push(vec![
                Cell::t(&c.name),
                Cell::n(AreaUnit::SquareMetre.format(cents(c.overlap_m2))),
                Cell::n(format!("{:.4}", c.overlap_mu)),
                Cell::t(c.features.join("、")),
                Cell::t(control_verdict(&c.verdict)),
            ]);
        }
        d.push(Block::Table(t));
        if let Some(u) = &r.udb {
            d.p(format!(
                "城镇开发边界内 {} 平方米，边界外 {} 平方米。",
                AreaUnit::SquareMetre.format(cents(u.inside_m2)),
                AreaUnit::SquareMetre.format(cents(u.outside_m2))
            ));
        }
        d.h(2, format!("（三）土地利用现状（{} 年）", meta.year));
        let mut t = Table {
            header: [
                "地类编码",
                "地类名称",
                "面积（平方米）",
                "面积（亩）",
                "面积（公顷）",
            ]
            .map(String::from)
            .to_vec(),
            widths: vec![2, 4, 3, 3, 3],
            rows: Vec::new(),
        };
        let mut sum = 0.0;
        for l in &r.landuse {
            let a = area_cells(l.area_m2);
            let [m2, mu, ha] = a;
            t.rows
                .push(vec![Cell::t(&l.dlbm), Cell::t(&l.dlmc), m2, mu, ha]);
            sum += l.area_m2;
        }
        let [m2, mu, ha] = area_cells(sum);
        t.rows.push(vec![
            Cell::t("合计").bold(),
            Cell::t(""),
            m2.bold(),
            mu.bold(),
            ha.bold(),
        ]);
        d.push(Block::Table(t));
        d.p("注：地类面积为叠加碎片按所在图斑图斑面积（TBMJ）平差后的面积；耕地图斑按扣除系数拆分田坎，田坎计入 1203。");
        d.h(2, "（四）审查意见");
        d.push(Block::Verdict(
            format!("结论：{}", r.verdict.chinese()),
            verdict_class(r.verdict).into(),
        ));
        if r.reasons.is_empty() {
            d.p("未发现违反国土空间规划管控要求的情形。");
        } else {
            d.push(Block::List(r.reasons.clone()));
        }
        if !r.notes.is_empty() {
            d.p("说明：");
            d.push(Block::List(r.notes.clone()));
        }
    }

    d.h(
        1,
        format!("{}、数据来源", chinese_number(reviews.len() + 2)),
    );
    let t = Table::datasets(
        snap.layers()
            .filter(|l| l.kind() != Kind::Dltb || l.year() == Some(meta.year))
            .flat_map(|l| l.datasets()),
    );
    d.push(Block::Table(t));
    d.p(format!(
        "本报告由 onemap 国土空间规划“一张图”系统依据《{}》（{}）生成，审查规则见规划配置文件。",
        plan.plan.name, plan.plan.approval
    ));
    d.push(Block::Signatures(vec![
        "审查人".into(),
        "复核人".into(),
        "日期".into(),
    ]));
    d
}

/// The map of one parcel: survey patches coloured by class, control lines, the parcel.
fn parcel_map(p: &Parcel, snap: &Snapshot, year: i32) -> (String, u32, u32) {
    let bb = onemap_overlay::clip::bbox(&p.polygons);
    let mut m = MapBuilder::new(MapBuilder::padded(bb, 0.35, 300.0), 640);
    if let Some(s) = snap.survey(year) {
        let f = s.field("DLBM");
        m.layer(s, |i| {
            let d = f.map(|f| s.text(f, i).into_owned()).unwrap_or_default();
            Some(format!(
                r##"fill="{}" stroke="#ffffff" stroke-width="0.6""##,
                class_colour(&d)
            ))
        });
    }
    m.raw(r##"<defs><pattern id="pbf" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="none"/><line x1="0" y1="0" x2="0" y2="8" stroke="#c9a300" stroke-width="2"/></pattern></defs>"##);
    let styles: [(Kind, &str); 4] = [
        (
            Kind::Stbhhx,
            r##"fill="#2e7d32" fill-opacity="0.35" stroke="#1b5e20" stroke-width="1""##,
        ),
        (
            Kind::Yjjbnt,
            r##"fill="url(#pbf)" stroke="#c9a300" stroke-width="1""##,
        ),
        (
            Kind::Fxkz,
            r##"fill="#1e88e5" fill-opacity="0.2" stroke="#1565c0" stroke-width="1""##,
        ),
        (
            Kind::Czkfbj,
            r##"fill="none" stroke="#7b1fa2" stroke-width="2" stroke-dasharray="6 3""##,
        ),
    ];
    for (k, style) in styles {
        if let Some(l) = snap.layer(k) {
            m.layer(l, |_| Some(style.to_string()));
        }
    }
    let rings: Vec<Vec<[f64; 2]>> = p
        .polygons
        .0
        .iter()
        .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
        .map(|r| r.0.iter().map(|c| [c.x, c.y]).collect())
        .collect();
    m.polygon(
        rings.iter().map(|r| r.as_slice()),
        r##"fill="#ff0000" fill-opacity="0.08" stroke="#e00000" stroke-width="3""##,
    );
    let (w, h) = m.size();
    (m.finish(), w, h)
}

/// 一, 二, … 十九 for section numbers.
pub fn chinese_number(n: usize) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", D[n - 10]),
        20..=99 => format!(
            "{}十{}",
            D[n / 10],
            if n % 10 == 0 { "" } else { D[n % 10] }
        ),
        _ => n.to_string(),
    }
}

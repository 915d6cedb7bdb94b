//! 专项规划与国土空间总体规划符合性分析报告: the report of `onemap conflicts --format html|docx`.

use crate::doc::{Block, Cell, Doc, Table};
use crate::map::MapBuilder;
use crate::review::chinese_number;
use onemap_geodesy::units::AreaUnit;
use onemap_overlay::Snapshot;
use onemap_plan::Plan;
use onemap_review::conflicts::{ConflictReport, FeatureShape, SpecialFeature, Summary};
use onemap_review::Verdict;
use onemap_survey::Kind;

/// What the report says about where it came from.
#[derive(Clone, Debug)]
pub struct ConflictMeta {
    /// The layer file's name.
    pub file: String,
    /// Report date, `YYYY-MM-DD`.
    pub date: String,
    /// How the widths were set, in words.
    pub width: String,
}

/// Layers with more features than this are left off the overview map (a city-wide map of
/// every 永久基本农田 polygon is megabytes of SVG and says nothing at that scale).
const MAP_LAYER_LIMIT: usize = 20_000;

fn verdict_words(v: &str) -> String {
    match Verdict::parse(v) {
        Some(v) => v.chinese().to_string(),
        None if v == "outside_plan_area" => "规划范围以外".into(),
        None => v.to_string(),
    }
}

fn verdict_colour(v: &str) -> &'static str {
    match v {
        "prohibited" => "#d50000",
        "restricted" => "#ff6d00",
        "attention" => "#f9a825",
        "outside_plan_area" => "#1565c0",
        _ => "#757575",
    }
}

fn cents(m2: f64) -> i64 {
    (m2 * 100.0).round() as i64
}

fn layer_rows(s: &Summary, label: Option<&str>) -> Vec<Vec<Cell>> {
    s.layers
        .iter()
        .map(|l| {
            let mut row = Vec::new();
            if let Some(x) = label {
                row.push(Cell::t(x));
            }
            row.extend([
                Cell::t(&l.name),
                Cell::n(l.features.to_string()),
                Cell::n(format!("{:.4}", l.overlap_ha)),
                Cell::n(format!("{:.4}", l.overlap_mu)),
                Cell::n(format!("{:.3}", l.length_km)),
            ]);
            row
        })
        .collect()
}

/// The report.
pub fn conflicts_report(
    r: &ConflictReport,
    features: &[SpecialFeature],
    snap: &Snapshot,
    plan: &Plan,
    meta: &ConflictMeta,
) -> Doc {
    let mut d = Doc::new("专项规划与国土空间总体规划符合性分析报告");
    d.subtitle = vec![
        format!("{}（{}）", r.plan_type_name, meta.file),
        format!("分析依据：{}（{}）", plan.plan.name, plan.plan.approval),
        format!("报告日期：{}", meta.date),
    ];
    let s = &r.summary;
    let count = |k: FeatureShape| features.iter().filter(|f| f.shape == k).count();
    d.h(1, "一、分析概况");
    d.push(Block::Table(Table {
        header: vec!["项目".into(), "内容".into()],
        widths: vec![1, 3],
        rows: vec![
            vec![Cell::t("专项规划类型"), Cell::t(&r.plan_type_name)],
            vec![Cell::t("图层文件"), Cell::t(&meta.file)],
            vec![
                Cell::t("要素数"),
                Cell::t(format!(
                    "{} 个（线 {}，点 {}，面 {}）",
                    s.features,
                    count(FeatureShape::Line),
                    count(FeatureShape::Point),
                    count(FeatureShape::Polygon)
                )),
            ],
            vec![
                Cell::t("线要素总长度"),
                Cell::t(format!("{:.3} 千米", s.length_km)),
            ],
            vec![
                Cell::t("占地总面积"),
                Cell::t(format!("{:.4} 公顷", s.footprint_ha)),
            ],
            vec![Cell::t("占地宽度"), Cell::t(&meta.width)],
            vec![
                Cell::t("现状数据"),
                Cell::t(format!("{} 年度国土变更调查地类图斑", r.year)),
            ],
            vec![
                Cell::t("绕行分析"),
                Cell::t(format!(
                    "线要素占用永久基本农田或生态保护红线的，在两侧各 {} 米范围内按 {} 米步长整体平移中线，取占用最少的位置",
                    r.corridor_m,
                    r.corridor_m / 10.0
                )),
            ],
            vec![
                Cell::t("面积计算"),
                Cell::t("椭球面积（三调 sandiao 方法）；线长为 CGCS2000 椭球面测地线长度"),
            ],
        ],
    }));
    let worst = r
        .features
        .iter()
        .filter_map(|f| Verdict::parse(&f.verdict))
        .max()
        .unwrap_or(Verdict::Pass);
    d.push(Block::Verdict(
        format!(
            "共 {} 个要素，{} 个存在冲突，{} 个无冲突，{} 个位于规划范围以外；最严重结论：{}",
            s.features,
            s.with_conflicts,
            s.without_conflicts,
            s.outside_plan_area,
            worst.chinese()
        ),
        match worst {
            Verdict::Pass => "green",
            Verdict::Attention => "yellow",
            _ => "red",
        }
        .into(),
    ));
    let (svg, w, h, left_off) = overview_map(r, features, snap);
    let mut caption = "图 1　专项规划要素与管控线总图（灰线为县界，绿色为生态保护红线，黄色为永久基本农田；要素按结论着色：红色禁止，橙色限制，黄色需关注，灰色符合，蓝色规划范围以外）".to_string();
    if !left_off.is_empty() {
        caption.push_str(&format!(
            "。{}图斑过多，本图比例尺下不予绘制，详见冲突图层（--out *.gpkg）",
            left_off.join("、")
        ));
    }
    d.push(Block::Figure {
        svg,
        width: w,
        height: h,
        caption,
    });

    d.h(1, "二、冲突汇总");
    let header = [
        "冲突类型",
        "涉及要素数",
        "面积（公顷）",
        "面积（亩）",
        "线长（千米）",
    ]
    .map(String::from)
    .to_vec();
    if s.layers.is_empty() {
        d.p("未发现与国土空间总体规划管控要求冲突的要素。");
    } else {
        d.push(Block::Table(Table {
            header: header.clone(),
            widths: vec![4, 2, 3, 3, 3],
            rows: layer_rows(s, None),
        }));
    }
    let mut vt = Table {
        header: vec!["结论".into(), "要素数".into()],
        widths: vec![3, 2],
        rows: Vec::new(),
    };
    for v in [
        "prohibited",
        "restricted",
        "attention",
        "pass",
        "outside_plan_area",
    ] {
        if let Some(n) = s.verdicts.get(v) {
            vt.rows
                .push(vec![Cell::t(verdict_words(v)), Cell::n(n.to_string())]);
        }
    }
    d.push(Block::Table(vt));

    d.h(1, "三、分县（旗、市、区）汇总");
    let mut ct = Table {
        header: ["旗县市区", "要素数", "有冲突", "无冲突", "线长（千米）"]
            .map(String::from)
            .to_vec(),
        widths: vec![4, 2, 2, 2, 3],
        rows: Vec::new(),
    };
    for c in &r.counties {
        ct.rows.push(vec![
            Cell::t(c.name.clone().unwrap_or_default()),
            Cell::n(c.features.to_string()),
            Cell::n(c.with_conflicts.to_string()),
            Cell::n(c.without_conflicts.to_string()),
            Cell::n(format!("{:.3}", c.length_km)),
        ]);
    }
    d.push(Block::Table(ct));
    let mut lt = Table {
        header: std::iter::once("旗县市区".to_string())
            .chain(header)
            .collect(),
        widths: vec![3, 4, 2, 3, 3, 3],
        rows: Vec::new(),
    };
    for c in &r.counties {
        lt.rows
            .extend(layer_rows(c, Some(c.name.as_deref().unwrap_or(""))));
    }
    if !lt.rows.is_empty() {
        d.push(Block::Table(lt));
    }

    d.h(1, "四、冲突要素清单");
    if r.features.is_empty() {
        d.p("无。");
    } else {
        d.p(format!(
            "以下列出存在冲突或位于规划范围以外的 {} 个要素；无冲突的 {} 个要素仅计数，不再列出。",
            r.features.len(),
            s.without_conflicts
        ));
        let mut t = Table {
            header: [
                "序号",
                "编号",
                "名称",
                "类型",
                "旗县",
                "长度（米）",
                "占地（平方米）",
                "冲突情况",
                "结论",
                "绕行建议",
            ]
            .map(String::from)
            .to_vec(),
            widths: vec![1, 2, 3, 1, 2, 2, 2, 6, 2, 4],
            rows: Vec::new(),
        };
        for f in &r.features {
            let conflicts: Vec<String> = f
                .conflicts
                .iter()
                .map(|c| {
                    let mut x = format!(
                        "{} {} 平方米",
                        c.name,
                        AreaUnit::SquareMetre.format(cents(c.overlap_m2))
                    );
                    if let Some(l) = c.length_m.filter(|l| *l > 0.0) {
                        x.push_str(&format!("，{l:.2} 米"));
                    }
                    x
                })
                .collect();
            let detour = f.detour.as_ref().map_or(String::new(), |t| {
                let side = if t.offset_m > 0.0 { "左" } else { "右" };
                if t.avoids {
                    format!("向{side}平移 {:.0} 米可避让", t.offset_m.abs())
                } else {
                    format!(
                        "向{side}平移 {:.0} 米，占用由 {:.2} 降至 {:.2} 平方米，仍不能完全避让",
                        t.offset_m.abs(),
                        t.before_m2,
                        t.overlap_m2
                    )
                }
            });
            t.rows.push(vec![
                Cell::n((f.index + 1).to_string()),
                Cell::t(f.id.clone().unwrap_or_default()),
                Cell::t(f.name.clone().unwrap_or_default()),
                Cell::t(f.geometry_type.chinese()),
                Cell::t(f.county_name.clone().unwrap_or_default()),
                Cell::n(f.length_m.map_or(String::new(), |l| format!("{l:.2}"))),
                Cell::n(AreaUnit::SquareMetre.format(cents(f.footprint_m2))),
                Cell::t(if f.verdict == "outside_plan_area" {
                    f.reasons.join("")
                } else {
                    conflicts.join("；")
                }),
                Cell::t(verdict_words(&f.verdict)),
                Cell::t(detour),
            ]);
        }
        d.push(Block::Table(t));
    }

    d.h(1, "五、处理建议");
    d.push(Block::List(vec![
        "结论为“禁止”的要素（占用永久基本农田等）：应优化选址、线位避让；确实难以避让的国家重大项目，须按规定论证并报批，落实补划。".into(),
        "结论为“限制（需专项论证）”的要素：线性基础设施穿越生态保护红线的，须论证无法避让并报省级人民政府认定；涉及洪涝风险控制线、历史文化保护线、矿产资源保障区的，须开展相应评估。".into(),
        "结论为“需关注”的要素：位于城镇开发边界外的线性基础设施须提供选址论证；占用耕地的须落实占补平衡；与规划分区不一致的须核实详细规划。".into(),
        "绕行建议为中线整体平移的几何测算，仅供线位比选参考，不替代专业选线设计。".into(),
    ]));
    if !r.notes.is_empty() {
        d.p("说明：");
        d.push(Block::List(r.notes.clone()));
    }

    d.h(1, format!("{}、数据来源", chinese_number(6)));
    d.push(Block::Table(Table::datasets(
        snap.layers()
            .filter(|l| l.kind() != Kind::Dltb || l.year() == Some(r.year))
            .flat_map(|l| l.datasets()),
    )));
    d.p(format!(
        "本报告由 onemap 国土空间规划“一张图”系统依据《{}》（{}）生成，审查规则见规划配置文件。",
        plan.plan.name, plan.plan.approval
    ));
    d.push(Block::Signatures(vec![
        "分析人".into(),
        "复核人".into(),
        "日期".into(),
    ]));
    d
}

/// The overview map: counties, the red line and 永久基本农田 (when not too many), the
/// features coloured by verdict.
fn overview_map(
    r: &ConflictReport,
    features: &[SpecialFeature],
    snap: &Snapshot,
) -> (String, u32, u32, Vec<String>) {
    let mut bb = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for f in features {
        let b = onemap_overlay::clip::bbox(&f.parcel.polygons);
        bb = [
            bb[0].min(b[0]),
            bb[1].min(b[1]),
            bb[2].max(b[2]),
            bb[3].max(b[3]),
        ];
    }
    if !bb[0].is_finite() {
        bb = [0.0, 0.0, 1.0, 1.0];
    }
    let mut m = MapBuilder::new(MapBuilder::padded(bb, 0.08, 2000.0), 640);
    let mut left_off = Vec::new();
    for (k, style) in [
        (
            Kind::Yjjbnt,
            r##"fill="#f2d600" fill-opacity="0.45" stroke="none""##,
        ),
        (
            Kind::Stbhhx,
            r##"fill="#2e7d32" fill-opacity="0.35" stroke="none""##,
        ),
        (
            Kind::Xzq,
            r##"fill="none" stroke="#9e9e9e" stroke-width="1.2""##,
        ),
    ] {
        match snap.layer(k) {
            Some(l) if l.len() <= MAP_LAYER_LIMIT => m.layer(l, |_| Some(style.to_string())),
            Some(l) => left_off.push(format!("{}（{} 个图斑）", k.chinese(), l.len())),
            None => {}
        }
    }
    let verdicts: std::collections::HashMap<usize, &str> = r
        .features
        .iter()
        .map(|f| (f.index, f.verdict.as_str()))
        .collect();
    let verdict_of = |i: usize| verdicts.get(&i).copied().unwrap_or("pass");
    // Conflicts drawn last, on top.
    let mut order: Vec<&SpecialFeature> = features.iter().collect();
    order.sort_by_key(|f| verdict_of(f.parcel.index) != "pass");
    for f in order {
        let v = verdict_of(f.parcel.index);
        let colour = verdict_colour(v);
        let w = if v == "pass" { 1.2 } else { 2.4 };
        if f.lines.is_empty() {
            let rings: Vec<Vec<[f64; 2]>> = f
                .parcel
                .polygons
                .0
                .iter()
                .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
                .map(|r| r.0.iter().map(|c| [c.x, c.y]).collect())
                .collect();
            m.polygon(
                rings.iter().map(|r| r.as_slice()),
                &format!(
                    r##"fill="{colour}" fill-opacity="0.5" stroke="{colour}" stroke-width="{w}""##
                ),
            );
        } else {
            for l in &f.lines {
                m.polyline(l, &format!(r##"stroke="{colour}" stroke-width="{w}""##));
            }
        }
    }
    let (w, h) = m.size();
    (m.finish(), w, h, left_off)
}

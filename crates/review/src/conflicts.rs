//! Special plans against the one map (专项规划冲突检测): every feature of a special plan's layer
//! — planned roads and railways as lines, towers and substations as points, reservoirs and solar
//! farms as polygons — turned into its land footprint and reviewed with the plan's rules, with
//! the length of a line inside each control layer and, for a line that crosses 永久基本农田 or
//! 生态保护红线, the best straight shift inside a corridor.
//!
//! ## Footprints
//! A line is buffered by half its width (flat ends, round joins) and a point becomes a square
//! of side `width`, in the 3° Gauss–Krüger zone of the feature's first vertex (about a local
//! origin, so that the buffer keeps micrometre precision), then converted to CGCS2000
//! longitude/latitude. Polygons are their own footprint. The width comes from a field, the
//! `--width` option, or the plan type's default ([`PlanType::default_width`]).
//!
//! ## Lengths
//! A line's length is the sum of its segments' geodesic lengths on the CGCS2000 ellipsoid
//! (GeographicLib). The length inside a layer is, per segment, the union of the parameter
//! intervals inside the layer's features (crossings with every ring edge, each piece tested at
//! its midpoint), each interval measured geodesically between its end points.

use crate::{cents_f64, mu, Measures, Parcel, ParcelReview, Purpose, ReviewError, Reviewer};
use crate::{Result, Verdict};
use geo_types::{Coord, Geometry, LineString, MultiLineString, MultiPolygon, Polygon};
use onemap_formats::model::{map_coords, Field, FieldType, GeometryType, LayerInfo};
use onemap_formats::{Feature, ReadOptions, Value};
use onemap_geodesy::crs::{Crs, GaussKruger, Transform};
use onemap_geodesy::sandiao::to_cents;
use onemap_overlay::clip::{self, ring_contains};
use onemap_overlay::{BBox, Layer, Snapshot};
use onemap_survey::Kind;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::LazyLock;

/// The kind of special plan (专项规划).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanType {
    /// 综合交通 (roads, railways, stations).
    Transport,
    /// 水利 (reservoirs, canals, dykes, pipelines).
    Water,
    /// 能源 (power lines, towers, substations, wind and solar farms, pipelines).
    Energy,
    /// 市政基础设施 (water, sewage, gas, heat networks and plants).
    Municipal,
    /// 公共服务设施 (schools, hospitals, sports and culture).
    Public,
    /// 生态保护修复 (corridors, restoration areas).
    Ecology,
    /// 历史文化保护 (sites and their settings).
    Heritage,
    /// Any other special plan.
    Other,
}

/// The shape class of a special-plan feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureShape {
    /// A point or multipoint (towers, substations, wells).
    Point,
    /// A line or multiline (roads, railways, canals, power lines).
    Line,
    /// A polygon or multipolygon (reservoirs, farms, stations).
    Polygon,
}

impl FeatureShape {
    /// Chinese name.
    pub fn chinese(self) -> &'static str {
        match self {
            FeatureShape::Point => "点",
            FeatureShape::Line => "线",
            FeatureShape::Polygon => "面",
        }
    }
}

impl PlanType {
    /// Every plan type, in CLI order.
    pub const ALL: [PlanType; 8] = [
        PlanType::Transport,
        PlanType::Water,
        PlanType::Energy,
        PlanType::Municipal,
        PlanType::Public,
        PlanType::Ecology,
        PlanType::Heritage,
        PlanType::Other,
    ];

    /// Parse the CLI id.
    pub fn parse(s: &str) -> Option<PlanType> {
        PlanType::ALL.into_iter().find(|p| p.id() == s)
    }

    /// The CLI and JSON id.
    pub fn id(self) -> &'static str {
        match self {
            PlanType::Transport => "transport",
            PlanType::Water => "water",
            PlanType::Energy => "energy",
            PlanType::Municipal => "municipal",
            PlanType::Public => "public",
            PlanType::Ecology => "ecology",
            PlanType::Heritage => "heritage",
            PlanType::Other => "other",
        }
    }

    /// Chinese name of the special plan.
    pub fn chinese(self) -> &'static str {
        match self {
            PlanType::Transport => "综合交通专项规划",
            PlanType::Water => "水利专项规划",
            PlanType::Energy => "能源专项规划",
            PlanType::Municipal => "市政基础设施专项规划",
            PlanType::Public => "公共服务设施专项规划",
            PlanType::Ecology => "生态保护修复专项规划",
            PlanType::Heritage => "历史文化保护专项规划",
            PlanType::Other => "其他专项规划",
        }
    }

    /// The default footprint width in metres of a line (its full width) or a point (the side
    /// of its square), from the design standards:
    ///
    /// | plan type | line | point | basis |
    /// | --- | --- | --- | --- |
    /// | transport | 26 m | 50 m | JTG B01-2014: 路基宽度 of a four-lane 一级公路 / 高速公路 (24.5–28 m); a small station yard |
    /// | water | 20 m | 30 m | a branch canal with its berms (GB 50288-2018); a sluice or pumping station |
    /// | energy | 40 m | 15 m | GB 50293-2014: corridor of a 220 kV overhead line (30–40 m); the base of a 220 kV tower |
    /// | municipal | 10 m | 30 m | a trunk pipeline's working strip (GB 50289-2016); a pumping or pressure station |
    /// | public | 10 m | 60 m | an access road; a small facility's site |
    /// | ecology | 30 m | 30 m | a minimal ecological corridor strip |
    /// | heritage | 10 m | 30 m | a protected wall or trail; a point site's protection area |
    /// | other | 10 m | 30 m | |
    pub fn default_width(self, shape: FeatureShape) -> f64 {
        let (line, point) = match self {
            PlanType::Transport => (26.0, 50.0),
            PlanType::Water => (20.0, 30.0),
            PlanType::Energy => (40.0, 15.0),
            PlanType::Municipal => (10.0, 30.0),
            PlanType::Public => (10.0, 60.0),
            PlanType::Ecology => (30.0, 30.0),
            PlanType::Heritage | PlanType::Other => (10.0, 30.0),
        };
        match shape {
            FeatureShape::Line => line,
            FeatureShape::Point => point,
            FeatureShape::Polygon => 0.0,
        }
    }

    /// The review purpose of a feature: lines — and the points of energy and water networks
    /// (towers, wells) — are linear infrastructure; public facilities and municipal plants are
    /// town-type construction; the rest is `other`.
    pub fn purpose(self, shape: FeatureShape) -> Purpose {
        match (self, shape) {
            (PlanType::Ecology | PlanType::Heritage, _) => Purpose::Other,
            (_, FeatureShape::Line) => Purpose::Linear,
            (PlanType::Energy | PlanType::Water, FeatureShape::Point) => Purpose::Linear,
            (PlanType::Public | PlanType::Municipal, _) => Purpose::Urban,
            _ => Purpose::Other,
        }
    }
}

/// Where each feature's width comes from.
#[derive(Clone, Debug, Default)]
pub enum Width {
    /// The plan type's default.
    #[default]
    Default,
    /// One width for every line and point, metres.
    Metres(f64),
    /// A numeric field holding each feature's width in metres.
    Field(String),
}

/// How to analyse a special plan.
#[derive(Clone, Debug)]
pub struct ConflictOptions {
    /// The plan type.
    pub plan_type: PlanType,
    /// The width source.
    pub width: Width,
    /// How far a line may be shifted sideways when looking for a detour, metres (each side).
    pub corridor_m: f64,
}

impl ConflictOptions {
    /// Options with the defaults: widths by plan type, a 500 m corridor.
    pub fn new(plan_type: PlanType) -> ConflictOptions {
        ConflictOptions {
            plan_type,
            width: Width::Default,
            corridor_m: 500.0,
        }
    }
}

/// Parse the options shared by the CLI and the server.
pub fn options(
    plan_type: &str,
    width: Option<f64>,
    width_field: Option<&str>,
    corridor: f64,
) -> Result<ConflictOptions, String> {
    let pt = PlanType::parse(plan_type).ok_or_else(|| {
        format!(
            "--plan-type {plan_type:?}: use one of {}",
            PlanType::ALL.map(|p| p.id()).join(", ")
        )
    })?;
    let mut o = ConflictOptions::new(pt);
    if let Some(w) = width {
        if !(w.is_finite() && w > 0.0 && w <= 5000.0) {
            return Err(format!("--width {w}: a width in metres, 0 < w ≤ 5000"));
        }
        o.width = Width::Metres(w);
    }
    if let Some(f) = width_field {
        o.width = Width::Field(f.to_string());
    }
    if !(corridor.is_finite() && (0.0..=10_000.0).contains(&corridor)) {
        return Err(format!("--corridor {corridor}: metres, 0 to 10 000"));
    }
    o.corridor_m = corridor;
    Ok(o)
}

/// Words for the width rule, for reports.
pub fn width_words(o: &ConflictOptions) -> String {
    match &o.width {
        Width::Metres(w) => format!("统一取 {w} 米"),
        Width::Field(f) => format!("取字段 {f}（米）"),
        Width::Default => format!(
            "按规划类型默认：线 {} 米，点 {} 米见方",
            o.plan_type.default_width(FeatureShape::Line),
            o.plan_type.default_width(FeatureShape::Point)
        ),
    }
}

/// One feature of a special plan with its footprint.
#[derive(Clone, Debug)]
pub struct SpecialFeature {
    /// The footprint as a parcel (index = position in the file).
    pub parcel: Parcel,
    /// Point, line or polygon.
    pub shape: FeatureShape,
    /// The width used (lines and points).
    pub width_m: Option<f64>,
    /// The centre lines, CGCS2000 longitude/latitude (lines only).
    pub lines: Vec<Vec<[f64; 2]>>,
    /// Geodesic length of the lines, m.
    pub length_m: Option<f64>,
    /// The Gauss–Krüger zone the footprint was built in (lines and points).
    zone: Option<Crs>,
}

/// The CGCS2000 ellipsoid (a = 6 378 137 m, 1/f = 298.257222101) for geodesic lengths.
static CGCS2000: LazyLock<geographiclib_rs::Geodesic> =
    LazyLock::new(|| geographiclib_rs::Geodesic::new(6_378_137.0, 1.0 / 298.257_222_101));

/// Geodesic distance between two lon/lat points, m.
pub fn geodesic_m(a: [f64; 2], b: [f64; 2]) -> f64 {
    use geographiclib_rs::InverseGeodesic;
    InverseGeodesic::<f64>::inverse(&*CGCS2000, a[1], a[0], b[1], b[0])
}

fn line_length(lines: &[Vec<[f64; 2]>]) -> f64 {
    lines
        .iter()
        .flat_map(|l| l.windows(2))
        .map(|w| geodesic_m(w[0], w[1]))
        .sum()
}

fn coords(ls: &LineString<f64>) -> Vec<[f64; 2]> {
    let mut v: Vec<[f64; 2]> = ls.0.iter().map(|c| [c.x, c.y]).collect();
    v.dedup();
    v
}

impl SpecialFeature {
    /// A feature from its geometry in `crs`: its footprint, lengths and purpose.
    pub fn new(
        index: usize,
        geometry: Geometry<f64>,
        crs: Crs,
        width_m: Option<f64>,
        opts: &ConflictOptions,
    ) -> std::result::Result<SpecialFeature, String> {
        let shape = match &geometry {
            Geometry::Point(_) | Geometry::MultiPoint(_) => FeatureShape::Point,
            Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_) => {
                FeatureShape::Line
            }
            Geometry::Polygon(_)
            | Geometry::MultiPolygon(_)
            | Geometry::Rect(_)
            | Geometry::Triangle(_) => FeatureShape::Polygon,
            Geometry::GeometryCollection(_) => {
                return Err(
                    "is a geometry collection; split it into points, lines and polygons".into(),
                )
            }
        };
        let purpose = opts.plan_type.purpose(shape);
        if shape == FeatureShape::Polygon {
            let parcel = Parcel::new(index, geometry, crs, purpose).map_err(|e| e.to_string())?;
            return Ok(SpecialFeature {
                parcel,
                shape,
                width_m: None,
                lines: Vec::new(),
                length_m: None,
                zone: None,
            });
        }
        let width = width_m.unwrap_or_else(|| match &opts.width {
            Width::Metres(w) => *w,
            _ => opts.plan_type.default_width(shape),
        });
        if !(width.is_finite() && width > 0.0) {
            return Err(format!(
                "width {width} m is not a positive number of metres"
            ));
        }
        let mut g = geometry;
        let t = Transform::new(crs, Crs::Cgcs2000);
        if !t.is_identity() {
            map_coords(&mut g, &|p| t.apply(p));
        }
        let mut first = None;
        onemap_formats::model::for_each_coord(&g, &mut |c| {
            first.get_or_insert([c.x, c.y]);
        });
        let first = first.ok_or("has an empty geometry")?;
        let zone = GaussKruger::zone_of(3, first[0], false)
            .map(Crs::GaussKruger)
            .map_err(|e| format!("lies outside the Gauss–Krüger zones of China: {e}"))?;
        let origin = zone.from_lonlat(first);
        let to_local = |p: [f64; 2]| {
            let q = zone.from_lonlat(p);
            [q[0] - origin[0], q[1] - origin[1]]
        };
        let (footprint, lines) = match g {
            Geometry::Point(p) => (squares(&[p.0], width, &to_local), Vec::new()),
            Geometry::MultiPoint(mp) => (
                squares(
                    &mp.0.iter().map(|p| p.0).collect::<Vec<_>>(),
                    width,
                    &to_local,
                ),
                Vec::new(),
            ),
            Geometry::Line(l) => {
                let lines = vec![vec![[l.start.x, l.start.y], [l.end.x, l.end.y]]];
                (buffer_lines(&lines, width, &to_local), lines)
            }
            Geometry::LineString(ls) => {
                let lines = vec![coords(&ls)];
                (buffer_lines(&lines, width, &to_local), lines)
            }
            Geometry::MultiLineString(ml) => {
                let lines: Vec<Vec<[f64; 2]>> = ml.0.iter().map(coords).collect();
                (buffer_lines(&lines, width, &to_local), lines)
            }
            _ => return Err("has an unexpected geometry".into()),
        };
        let lines: Vec<Vec<[f64; 2]>> = lines.into_iter().filter(|l| l.len() >= 2).collect();
        if shape == FeatureShape::Line && lines.is_empty() {
            return Err("is a line without two distinct vertices".into());
        }
        let mut fp = Geometry::MultiPolygon(footprint);
        let back = |p: [f64; 2]| zone.to_lonlat([p[0] + origin[0], p[1] + origin[1]]);
        map_coords(&mut fp, &back);
        let parcel = Parcel::new(index, fp, Crs::Cgcs2000, purpose).map_err(|e| e.to_string())?;
        Ok(SpecialFeature {
            length_m: (shape == FeatureShape::Line).then(|| line_length(&lines)),
            parcel,
            shape,
            width_m: Some(width),
            lines,
            zone: Some(zone),
        })
    }
}

fn squares(
    points: &[Coord<f64>],
    side: f64,
    to_local: &dyn Fn([f64; 2]) -> [f64; 2],
) -> MultiPolygon<f64> {
    let h = side / 2.0;
    MultiPolygon(
        points
            .iter()
            .map(|c| {
                let [x, y] = to_local([c.x, c.y]);
                clip::polygon(&[
                    [x - h, y - h],
                    [x + h, y - h],
                    [x + h, y + h],
                    [x - h, y + h],
                ])
            })
            .collect(),
    )
}

fn buffer_lines(
    lines: &[Vec<[f64; 2]>],
    width: f64,
    to_local: &dyn Fn([f64; 2]) -> [f64; 2],
) -> MultiPolygon<f64> {
    use geo::algorithm::buffer::{Buffer, BufferStyle, LineCap, LineJoin};
    let ml = MultiLineString(
        lines
            .iter()
            .filter(|l| l.len() >= 2)
            .map(|l| {
                LineString(
                    l.iter()
                        .map(|&p| {
                            let [x, y] = to_local(p);
                            Coord { x, y }
                        })
                        .collect(),
                )
            })
            .collect(),
    );
    // Round joins: arcs of at most ~0.1 rad per segment.
    ml.buffer_with_style(
        BufferStyle::new(width / 2.0)
            .line_cap(LineCap::Butt)
            .line_join(LineJoin::Round(0.1)),
    )
}

/// Read every feature of a special plan's layer, with its footprint.
pub fn read_special(
    path: &Path,
    read: &ReadOptions,
    opts: &ConflictOptions,
) -> Result<Vec<SpecialFeature>> {
    let mut r = onemap_formats::open(path, read)?;
    let crs = r.info().crs.ok_or_else(|| {
        ReviewError::Parcel(format!(
            "{}: no coordinate system is declared; pass --crs (e.g. --crs EPSG:4490)",
            path.display()
        ))
    })?;
    let info = r.info().clone();
    let col = |names: &[&str]| names.iter().find_map(|n| info.field_index(n));
    let id_col = col(&["BSM", "XMBH", "DKBH", "BH", "ID", "CODE"]);
    let name_col = col(&["XMMC", "MC", "NAME", "DLMC", "DKMC"]);
    let width_col = match &opts.width {
        Width::Field(f) => Some(info.field_index(f).ok_or_else(|| {
            ReviewError::Parcel(format!(
                "{}: no field {f:?} for the width (fields: {})",
                path.display(),
                info.fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?),
        _ => None,
    };
    let mut out = Vec::new();
    while let Some(f) = r.read_feature()? {
        let i = out.len();
        let bad = |m: String| ReviewError::Parcel(format!("{}: feature {i}: {m}", path.display()));
        let Some(g) = f.geometry else {
            return Err(bad("has no geometry".into()));
        };
        let text = |c: Option<usize>| {
            c.and_then(|c| f.values.get(c))
                .and_then(|v| v.as_text())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let width = match width_col {
            Some(c) => {
                let name = &info.fields[c].name;
                let v = f.values.get(c).unwrap_or(&Value::Null);
                let w = match v {
                    Value::Int(x) => Some(*x as f64),
                    Value::Float(x) => Some(*x),
                    Value::Text(s) => s.trim().parse::<f64>().ok(),
                    _ => None,
                };
                match w {
                    Some(w) if w.is_finite() && w > 0.0 && w <= 5000.0 => Some(w),
                    _ if matches!(g, Geometry::Polygon(_) | Geometry::MultiPolygon(_)) => None,
                    _ if matches!(v, Value::Null) => {
                        return Err(bad(format!("field {name} (width) is empty")))
                    }
                    _ => {
                        return Err(bad(format!(
                            "field {name} (width) is {v:?}, not a width in metres (0 < w ≤ 5000)"
                        )))
                    }
                }
            }
            None => None,
        };
        let mut feature = SpecialFeature::new(i, g, crs, width, opts).map_err(bad)?;
        feature.parcel.id = text(id_col);
        feature.parcel.name = text(name_col);
        out.push(feature);
    }
    if out.is_empty() {
        return Err(ReviewError::Parcel(format!(
            "{}: no feature in the layer",
            path.display()
        )));
    }
    Ok(out)
}

/// One conflict of a feature with a control layer.
#[derive(Clone, Debug, Serialize)]
pub struct Conflict {
    /// The layer: `yjjbnt`, `stbhhx`, `czkfbj` (outside it), `ghfq` (use mismatch), `gd`
    /// (耕地 occupied), …
    pub kind: String,
    /// Chinese name of the conflict.
    pub name: String,
    /// The review rule.
    pub rule: String,
    /// Overlap, m² (0.01).
    pub overlap_m2: f64,
    /// Length of the centre line inside, m (0.01; lines only).
    pub length_m: Option<f64>,
    /// The rule's verdict.
    pub verdict: Verdict,
}

/// The best sideways shift of a line away from 永久基本农田 and 生态保护红线.
#[derive(Clone, Debug, Serialize)]
pub struct Detour {
    /// Shift, m: positive to the left of the line's direction (first to last vertex).
    pub offset_m: f64,
    /// Overlap of the shifted footprint with 永久基本农田 and 生态保护红线, m².
    pub overlap_m2: f64,
    /// Length of the shifted centre line inside them, m.
    pub length_m: f64,
    /// Overlap before the shift, m².
    pub before_m2: f64,
    /// Whether the shift clears both (overlap within the sliver tolerance).
    pub avoids: bool,
}

/// The analysis of one feature.
#[derive(Clone, Debug, Serialize)]
pub struct FeatureConflicts {
    /// 0-based position in the file.
    pub index: usize,
    /// The feature's id (BSM, XMBH …).
    pub id: Option<String>,
    /// The feature's name.
    pub name: Option<String>,
    /// `point`, `line` or `polygon`.
    pub geometry_type: FeatureShape,
    /// The review purpose.
    pub purpose: Purpose,
    /// The width used, m (lines and points).
    pub width_m: Option<f64>,
    /// Geodesic length, m (lines).
    pub length_m: Option<f64>,
    /// Footprint area, m² (`sandiao`).
    pub footprint_m2: f64,
    /// 县级行政区 code holding most of the footprint.
    pub county: Option<String>,
    /// Its name.
    pub county_name: Option<String>,
    /// Footprint outside the plan area (the city), m².
    pub outside_plan_m2: f64,
    /// The conflicts, worst first.
    pub conflicts: Vec<Conflict>,
    /// `pass`, `attention`, `restricted`, `prohibited`, or `outside_plan_area`.
    pub verdict: String,
    /// Reasons in words.
    pub reasons: Vec<String>,
    /// Notes (slivers ignored, layers missing).
    pub notes: Vec<String>,
    /// The best shift, for a line in 永久基本农田 or 生态保护红线.
    pub detour: Option<Detour>,
}

/// Totals of one conflict kind.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LayerTotal {
    /// Conflict kind.
    pub kind: String,
    /// Chinese name.
    pub name: String,
    /// Features with this conflict.
    pub features: usize,
    /// Overlap, m².
    pub overlap_m2: f64,
    /// Overlap, 公顷.
    pub overlap_ha: f64,
    /// Overlap, 亩.
    pub overlap_mu: f64,
    /// Centre-line length inside, km.
    pub length_km: f64,
    #[serde(skip)]
    cents: i64,
    #[serde(skip)]
    centimetres: i64,
}

/// The summary of a group of features (the plan, or one county).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// County code (absent for the whole plan).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// County name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Features.
    pub features: usize,
    /// Features with at least one conflict.
    pub with_conflicts: usize,
    /// Features without conflict (counted, not listed).
    pub without_conflicts: usize,
    /// Features wholly outside the plan area.
    pub outside_plan_area: usize,
    /// Features per verdict.
    pub verdicts: BTreeMap<String, usize>,
    /// Total line length, km.
    pub length_km: f64,
    /// Total footprint, 公顷.
    pub footprint_ha: f64,
    /// Per conflict kind.
    pub layers: Vec<LayerTotal>,
}

/// The whole analysis (the JSON of `onemap conflicts`).
#[derive(Clone, Debug, Serialize)]
pub struct ConflictReport {
    /// Plan type id.
    pub plan_type: PlanType,
    /// Its Chinese name.
    pub plan_type_name: String,
    /// Survey year reviewed against.
    pub year: i32,
    /// Detour corridor (each side), m.
    pub corridor_m: f64,
    /// The plan summary.
    pub summary: Summary,
    /// Per county (and `市域外` for features outside the plan area).
    pub counties: Vec<Summary>,
    /// The features with a conflict or outside the plan area; the rest are only counted.
    pub features: Vec<FeatureConflicts>,
    /// Notes for the whole analysis.
    pub notes: Vec<String>,
}

/// A feature's rings (`true` = hole).
type Rings<'a> = Vec<(&'a [[f64; 2]], bool)>;

/// Polylines of `[x, y]` points.
type Lines = Vec<Vec<[f64; 2]>>;

/// The layers a detour tries to leave.
const HARD: [Kind; 2] = [Kind::Yjjbnt, Kind::Stbhhx];

/// Which polygons a conflict is measured over.
enum Over<'a> {
    /// Inside these features of a layer.
    Inside(&'a Layer, Vec<u32>),
    /// Outside these features of a layer.
    Outside(&'a Layer, Vec<u32>),
}

/// Analyse every feature: the review, the conflicts with their lengths, detours, counties.
/// Features run on all cores; the order of the output is the file's.
pub fn analyse(
    reviewer: &Reviewer,
    features: &[SpecialFeature],
    opts: &ConflictOptions,
) -> Vec<(FeatureConflicts, ParcelReview)> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(features.len().max(1));
    let chunk = features.len().div_ceil(threads.max(1) * 8).max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut parts: Vec<(usize, Vec<(FeatureConflicts, ParcelReview)>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut got = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let start = k * chunk;
                        if start >= features.len() {
                            break;
                        }
                        let end = (start + chunk).min(features.len());
                        got.push((
                            start,
                            features[start..end]
                                .iter()
                                .map(|f| analyse_one(reviewer, f, opts))
                                .collect(),
                        ));
                    }
                    got
                })
            })
            .collect();
        // A worker that panicked takes its features with it: fail loudly rather than print
        // totals without them.
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    parts.sort_by_key(|p| p.0);
    parts.into_iter().flat_map(|p| p.1).collect()
}

/// Analyse one feature.
pub fn analyse_one(
    reviewer: &Reviewer,
    f: &SpecialFeature,
    opts: &ConflictOptions,
) -> (FeatureConflicts, ParcelReview) {
    let (review, m) = reviewer.review_measured(&f.parcel);
    let snap = reviewer.snapshot();
    let plan = reviewer.plan();
    let mut conflicts = Vec::new();
    for rule in &plan.review.rules {
        let Some(row) = review.controls.iter().find(|c| c.rule == rule.id) else {
            if rule.kind == "cultivated_occupation" {
                let v = review
                    .rule_verdicts
                    .iter()
                    .find(|r| r.0 == rule.id)
                    .map_or(Verdict::Pass, |r| r.1);
                if v > Verdict::Pass {
                    let feats = m
                        .fragments
                        .iter()
                        .filter(|(i, _, _)| {
                            m.survey.is_some_and(|s| {
                                s.field("DLBM")
                                    .is_some_and(|d| plan.classes.is_cultivated(&s.text(d, *i)))
                            })
                        })
                        .map(|x| x.0)
                        .collect();
                    let over = m.survey.map(|s| Over::Inside(s, feats));
                    conflicts.push(conflict(
                        f,
                        "gd",
                        "耕地（占用）",
                        &rule.id,
                        m.cultivated_cents,
                        v,
                        over,
                    ));
                }
            }
            continue;
        };
        let Some(v) = Verdict::parse(&row.verdict).filter(|v| *v > Verdict::Pass) else {
            continue;
        };
        let kind = Kind::parse(&row.kind);
        let layer = kind.and_then(|k| snap.layer(k));
        let pieces: Vec<u32> = kind
            .and_then(|k| m.layer(k))
            .map(|o| o.pieces.iter().map(|p| p.0).collect())
            .unwrap_or_default();
        let over = layer.map(|l| match rule.kind.as_str() {
            "outside_boundary" => Over::Outside(l, pieces),
            "planned_use" => Over::Inside(l, not_allowed(rule, m.parcel.purpose, l, &pieces)),
            _ => Over::Inside(l, pieces),
        });
        conflicts.push(conflict(
            f,
            &row.kind,
            &row.name,
            &rule.id,
            to_cents(row.overlap_m2),
            v,
            over,
        ));
    }
    conflicts.sort_by(|a, b| {
        b.verdict
            .cmp(&a.verdict)
            .then(b.overlap_m2.total_cmp(&a.overlap_m2))
    });
    // The county: the 行政区 holding most of the footprint.
    let (mut county, mut county_name, mut outside) = (None, None, 0i64);
    if let (Some(x), Some(o)) = (snap.layer(Kind::Xzq), m.layer(Kind::Xzq)) {
        outside = (m.area_cents - o.cents).max(0);
        if let Some(&(i, _)) = o
            .pieces
            .iter()
            .max_by_key(|p| (p.1, std::cmp::Reverse(p.0)))
        {
            county = x.field("XZQDM").map(|c| x.text(c, i).into_owned());
            county_name = x.field("XZQMC").map(|c| x.text(c, i).into_owned());
        }
    }
    let in_city = snap.layer(Kind::Xzq).is_none() || m.area_cents - outside > m.sliver_cents;
    let mut reasons = review.reasons.clone();
    let mut notes = review.notes.clone();
    let verdict = if in_city {
        review.verdict.id().to_string()
    } else {
        reasons = vec!["位于规划范围（市域）以外，不在本规划的审查范围内。".into()];
        conflicts.clear();
        "outside_plan_area".to_string()
    };
    if in_city && outside > m.sliver_cents {
        notes.push(format!(
            "占地有 {} 平方米位于规划范围（市域）以外，未审查。",
            cents_f64(outside)
        ));
    }
    let hard_cents: i64 = HARD
        .iter()
        .filter_map(|k| m.layer(*k))
        .map(|o| o.cents)
        .sum();
    let detour = (in_city && f.shape == FeatureShape::Line && hard_cents > m.sliver_cents)
        .then(|| detour(snap, f, &m, opts.corridor_m, hard_cents))
        .flatten();
    (
        FeatureConflicts {
            index: f.parcel.index,
            id: f.parcel.id.clone(),
            name: f.parcel.name.clone(),
            geometry_type: f.shape,
            purpose: f.parcel.purpose,
            width_m: f.width_m,
            length_m: f.length_m.map(round2),
            footprint_m2: cents_f64(f.parcel.area_cents),
            county,
            county_name,
            outside_plan_m2: cents_f64(outside),
            conflicts,
            verdict,
            reasons,
            notes,
            detour,
        },
        review,
    )
}

fn not_allowed(
    rule: &onemap_plan::ReviewRule,
    purpose: Purpose,
    l: &Layer,
    pieces: &[u32],
) -> Vec<u32> {
    let Some(allowed) = rule.allowed.get(purpose.id()) else {
        return Vec::new();
    };
    let code = rule.field.as_deref().and_then(|n| l.field(n));
    pieces
        .iter()
        .copied()
        .filter(|&i| {
            let c = code.map(|f| l.text(f, i).into_owned()).unwrap_or_default();
            !allowed.contains(&c)
        })
        .collect()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn conflict(
    f: &SpecialFeature,
    kind: &str,
    name: &str,
    rule: &str,
    cents: i64,
    verdict: Verdict,
    over: Option<Over>,
) -> Conflict {
    let length_m = (f.shape == FeatureShape::Line).then(|| {
        let total = f.length_m.unwrap_or(0.0);
        match &over {
            Some(Over::Inside(l, feats)) => length_inside(&f.lines, l, feats),
            Some(Over::Outside(l, feats)) => (total - length_inside(&f.lines, l, feats)).max(0.0),
            None => 0.0,
        }
    });
    Conflict {
        kind: kind.to_string(),
        name: name.to_string(),
        rule: rule.to_string(),
        overlap_m2: cents_f64(cents),
        length_m: length_m.map(round2),
        verdict,
    }
}

/// Crossing parameters of segment a→b with segment c→d (0 < t < 1 along a→b).
fn crossing(a: [f64; 2], b: [f64; 2], c: [f64; 2], d: [f64; 2]) -> Option<f64> {
    let r = [b[0] - a[0], b[1] - a[1]];
    let s = [d[0] - c[0], d[1] - c[1]];
    let den = r[0] * s[1] - r[1] * s[0];
    if den == 0.0 {
        return None;
    }
    let q = [c[0] - a[0], c[1] - a[1]];
    let t = (q[0] * s[1] - q[1] * s[0]) / den;
    let u = (q[0] * r[1] - q[1] * r[0]) / den;
    ((0.0..=1.0).contains(&t) && (0.0..=1.0).contains(&u)).then_some(t)
}

fn lerp(a: [f64; 2], b: [f64; 2], t: f64) -> [f64; 2] {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t]
}

/// The parameter intervals of segment a→b inside a feature (rings with holes, even–odd).
fn intervals_inside(
    a: [f64; 2],
    b: [f64; 2],
    rings: &[(&[[f64; 2]], bool)],
    out: &mut Vec<(f64, f64)>,
) {
    let mut ts = vec![0.0, 1.0];
    for (r, _) in rings {
        let n = r.len();
        for k in 0..n {
            if let Some(t) = crossing(a, b, r[k], r[(k + 1) % n]) {
                ts.push(t);
            }
        }
    }
    ts.sort_by(f64::total_cmp);
    for w in ts.windows(2) {
        if w[1] - w[0] <= 1e-12 {
            continue;
        }
        let mid = lerp(a, b, (w[0] + w[1]) / 2.0);
        let inside = rings.iter().filter(|(r, _)| ring_contains(r, mid)).count() % 2 == 1;
        if inside {
            match out.last_mut() {
                Some(last) if (last.1 - w[0]).abs() <= 1e-12 => last.1 = w[1],
                _ => out.push((w[0], w[1])),
            }
        }
    }
}

/// Geodesic length of the lines inside the union of the given features of a layer, m.
pub fn length_inside(lines: &[Vec<[f64; 2]>], layer: &Layer, feats: &[u32]) -> f64 {
    if feats.is_empty() {
        return 0.0;
    }
    let rings: Vec<(u32, Rings)> = feats
        .iter()
        .map(|&i| (i, layer.rings(i).collect()))
        .collect();
    let mut total = 0.0;
    let mut iv = Vec::new();
    for l in lines {
        for w in l.windows(2) {
            let (a, b) = (w[0], w[1]);
            let sb = [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[0].max(b[0]),
                a[1].max(b[1]),
            ];
            iv.clear();
            for (i, r) in &rings {
                let fb = layer.bbox(*i);
                if fb[0] > sb[2] || fb[2] < sb[0] || fb[1] > sb[3] || fb[3] < sb[1] {
                    continue;
                }
                intervals_inside(a, b, r, &mut iv);
            }
            total += measure_intervals(a, b, &mut iv);
        }
    }
    total
}

/// Geodesic length of the union of parameter intervals along a→b.
fn measure_intervals(a: [f64; 2], b: [f64; 2], iv: &mut [(f64, f64)]) -> f64 {
    iv.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut total = 0.0;
    let mut cur: Option<(f64, f64)> = None;
    let mut flush = |c: (f64, f64)| {
        total += if c.0 <= 0.0 && c.1 >= 1.0 {
            geodesic_m(a, b)
        } else {
            geodesic_m(lerp(a, b, c.0), lerp(a, b, c.1))
        }
    };
    for &x in iv.iter() {
        cur = match cur {
            Some(c) if x.0 <= c.1 => Some((c.0, c.1.max(x.1))),
            Some(c) => {
                flush(c);
                Some(x)
            }
            None => Some(x),
        };
    }
    if let Some(c) = cur {
        flush(c);
    }
    total
}

/// Length of lines inside any feature of the hard layers, found through each layer's index.
fn hard_length(snap: &Snapshot, lines: &[Vec<[f64; 2]>]) -> f64 {
    let mut total = 0.0;
    let mut iv = Vec::new();
    for l in lines {
        for w in l.windows(2) {
            let (a, b) = (w[0], w[1]);
            let sb: BBox = [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[0].max(b[0]),
                a[1].max(b[1]),
            ];
            iv.clear();
            for k in HARD {
                let Some(layer) = snap.layer(k) else { continue };
                for i in layer.query(sb) {
                    let rings: Vec<(&[[f64; 2]], bool)> = layer.rings(i).collect();
                    intervals_inside(a, b, &rings, &mut iv);
                }
            }
            total += measure_intervals(a, b, &mut iv);
        }
    }
    total
}

/// Overlap (official m² cents, scaled like a review) of a footprint with the hard layers.
fn hard_overlap(snap: &Snapshot, footprint: &MultiPolygon<f64>, official_cents: i64) -> i64 {
    let shape = crate::measure::Shape::new(footprint);
    let raw: f64 = HARD
        .iter()
        .filter_map(|&k| snap.layer(k))
        .flat_map(|layer| shape.overlaps(layer))
        .map(|x| x.1)
        .sum();
    let raw_area = shape.raw_area;
    if raw_area <= 0.0 {
        return 0;
    }
    to_cents(raw * cents_f64(official_cents) / raw_area).clamp(0, official_cents)
}

/// A line's zone, its vertices in the zone, and the unit normal it shifts along: the normal of
/// the chord first → last vertex (of the longest segment for a closed line), to the left.
fn shift_frame(f: &SpecialFeature) -> Option<(Crs, Lines, [f64; 2])> {
    let zone = f.zone?;
    let gk: Vec<Vec<[f64; 2]>> = f
        .lines
        .iter()
        .map(|l| l.iter().map(|&p| zone.from_lonlat(p)).collect())
        .collect();
    let first = *gk.first()?.first()?;
    let last = *gk.last()?.last()?;
    let mut d = [last[0] - first[0], last[1] - first[1]];
    if d[0].hypot(d[1]) < 1.0 {
        d = gk
            .iter()
            .flat_map(|l| l.windows(2))
            .map(|w| [w[1][0] - w[0][0], w[1][1] - w[0][1]])
            .max_by(|a, b| a[0].hypot(a[1]).total_cmp(&b[0].hypot(b[1])))?;
    }
    let len = d[0].hypot(d[1]);
    (len > 0.0).then(|| (zone, gk, [-d[1] / len, d[0] / len]))
}

fn shift(zone: Crs, gk: &[Vec<[f64; 2]>], normal: [f64; 2], off: f64) -> Vec<Vec<[f64; 2]>> {
    gk.iter()
        .map(|l| {
            l.iter()
                .map(|p| zone.to_lonlat([p[0] + normal[0] * off, p[1] + normal[1] * off]))
                .collect()
        })
        .collect()
}

/// The centre lines of a feature shifted as its detour suggests, lon/lat.
pub fn shifted_lines(f: &SpecialFeature, c: &FeatureConflicts) -> Option<Vec<Vec<[f64; 2]>>> {
    let off = c.detour.as_ref()?.offset_m;
    let (zone, gk, normal) = shift_frame(f)?;
    Some(shift(zone, &gk, normal, off))
}

/// The best straight shift of a line, in steps of a tenth of the corridor each side.
fn detour(
    snap: &Snapshot,
    f: &SpecialFeature,
    m: &Measures,
    corridor: f64,
    before: i64,
) -> Option<Detour> {
    if corridor <= 0.0 {
        return None;
    }
    let (zone, gk, normal) = shift_frame(f)?;
    let shifted = |off: f64| -> Vec<Vec<[f64; 2]>> { shift(zone, &gk, normal, off) };
    let step = corridor / 10.0;
    // The shifted footprint: the footprint moved by the same vector in the zone.
    let overlap_at = |off: f64| -> Option<i64> {
        let mut fp = Geometry::MultiPolygon(f.parcel.polygons.clone());
        map_coords(&mut fp, &|p| {
            let q = zone.from_lonlat(p);
            zone.to_lonlat([q[0] + normal[0] * off, q[1] + normal[1] * off])
        });
        let Geometry::MultiPolygon(fp) = fp else {
            return None;
        };
        Some(hard_overlap(snap, &fp, f.parcel.area_cents))
    };
    // Nearest shifts first. A shift whose centre line stays out is confirmed on the whole
    // footprint (a line just outside may still graze with its width); the first confirmed one
    // wins. Otherwise the shift with the least centre line inside, nearest first.
    let mut best: Option<(f64, f64, Option<i64>)> = None;
    for k in 1..=10 {
        for sign in [1.0, -1.0] {
            let off = sign * step * k as f64;
            let l = hard_length(snap, &shifted(off));
            let mut area = None;
            if l == 0.0 {
                let a = overlap_at(off)?;
                if a <= m.sliver_cents {
                    return Some(Detour {
                        offset_m: off,
                        overlap_m2: cents_f64(a),
                        length_m: 0.0,
                        before_m2: cents_f64(before),
                        avoids: true,
                    });
                }
                area = Some(a);
            }
            let better = match best {
                None => true,
                Some((_, bl, ba)) => {
                    l < bl - 1e-6
                        || (l <= bl + 1e-6 && area.unwrap_or(i64::MAX) < ba.unwrap_or(i64::MAX))
                }
            };
            if better {
                best = Some((off, l, area));
            }
        }
    }
    let (off, length, area) = best?;
    let overlap = match area {
        Some(a) => a,
        None => overlap_at(off)?,
    };
    Some(Detour {
        offset_m: off,
        overlap_m2: cents_f64(overlap),
        length_m: round2(length),
        before_m2: cents_f64(before),
        avoids: overlap <= m.sliver_cents,
    })
}

/// The report of an analysis: the per-feature list (conflicts only), the plan summary and
/// the county groups.
pub fn report(
    opts: &ConflictOptions,
    year: i32,
    analysed: Vec<FeatureConflicts>,
    notes: Vec<String>,
) -> ConflictReport {
    let mut summary = Summary::default();
    let mut counties: BTreeMap<String, Summary> = BTreeMap::new();
    for f in &analysed {
        let key = if f.verdict == "outside_plan_area" {
            "市域外".to_string()
        } else {
            f.county.clone().unwrap_or_else(|| "未知".into())
        };
        let c = counties.entry(key.clone()).or_insert_with(|| Summary {
            code: Some(key.clone()),
            name: Some(
                if f.verdict == "outside_plan_area" {
                    Some("规划范围以外".to_string())
                } else {
                    f.county_name.clone()
                }
                .unwrap_or_default(),
            ),
            ..Summary::default()
        });
        add(c, f);
        add(&mut summary, f);
    }
    for s in std::iter::once(&mut summary).chain(counties.values_mut()) {
        s.length_km = (s.length_km * 1000.0).round() / 1000.0;
        s.footprint_ha = (s.footprint_ha * 10_000.0).round() / 10_000.0;
        for l in &mut s.layers {
            l.overlap_m2 = cents_f64(l.cents);
            l.overlap_ha = onemap_geodesy::units::AreaUnit::Hectare.value(l.cents);
            l.overlap_mu = mu(l.cents);
            l.length_km = l.centimetres as f64 / 100_000.0;
        }
    }
    ConflictReport {
        plan_type: opts.plan_type,
        plan_type_name: opts.plan_type.chinese().into(),
        year,
        corridor_m: opts.corridor_m,
        summary,
        counties: counties.into_values().collect(),
        features: analysed
            .into_iter()
            .filter(|f| !f.conflicts.is_empty() || f.verdict == "outside_plan_area")
            .collect(),
        notes,
    }
}

fn add(s: &mut Summary, f: &FeatureConflicts) {
    s.features += 1;
    if f.verdict == "outside_plan_area" {
        s.outside_plan_area += 1;
    } else if f.conflicts.is_empty() {
        s.without_conflicts += 1;
    } else {
        s.with_conflicts += 1;
    }
    *s.verdicts.entry(f.verdict.clone()).or_default() += 1;
    s.length_km += f.length_m.unwrap_or(0.0) / 1000.0;
    s.footprint_ha += f.footprint_m2 / 10_000.0;
    for c in &f.conflicts {
        let pos = match s.layers.iter().position(|l| l.kind == c.kind) {
            Some(p) => p,
            None => {
                s.layers.push(LayerTotal {
                    kind: c.kind.clone(),
                    name: c.name.clone(),
                    ..LayerTotal::default()
                });
                s.layers.len() - 1
            }
        };
        let l = &mut s.layers[pos];
        l.features += 1;
        l.cents += to_cents(c.overlap_m2);
        l.centimetres += c.length_m.map_or(0, |x| (x * 100.0).round() as i64);
    }
}

/// The conflict pieces of a feature for a GeoPackage: (conflict kind, the part of the
/// footprint in conflict), CGCS2000 longitude/latitude.
pub fn conflict_pieces(
    reviewer: &Reviewer,
    f: &SpecialFeature,
    c: &FeatureConflicts,
) -> Vec<(String, MultiPolygon<f64>)> {
    let (_, m) = reviewer.review_measured(&f.parcel);
    let snap = reviewer.snapshot();
    let plan = reviewer.plan();
    let fp = &f.parcel.polygons;
    let bb = clip::bbox(fp);
    let union_of = |layer: &Layer, feats: &[u32]| -> Vec<Polygon<f64>> {
        feats
            .iter()
            .flat_map(|&i| clip::rings_in_box(layer.rings(i), bb).0)
            .collect()
    };
    let mut out = Vec::new();
    for k in &c.conflicts {
        let rule = plan.review.rules.iter().find(|r| r.id == k.rule);
        let piece = match (
            k.kind.as_str(),
            Kind::parse(&k.kind).and_then(|x| snap.layer(x)),
        ) {
            ("gd", _) => m.survey.map(|s| {
                let feats: Vec<u32> = m
                    .fragments
                    .iter()
                    .map(|x| x.0)
                    .filter(|&i| {
                        s.field("DLBM")
                            .is_some_and(|d| plan.classes.is_cultivated(&s.text(d, i)))
                    })
                    .collect();
                clip::intersection_with_union(fp, union_of(s, &feats))
            }),
            (_, Some(layer)) => {
                let kind = layer.kind();
                let pieces: Vec<u32> = m
                    .layer(kind)
                    .map(|o| o.pieces.iter().map(|p| p.0).collect())
                    .unwrap_or_default();
                match rule.map(|r| r.kind.as_str()) {
                    Some("outside_boundary") => Some(clip::difference(
                        fp,
                        &MultiPolygon(union_of(layer, &pieces)),
                    )),
                    Some("planned_use") => {
                        let feats = rule
                            .map(|r| not_allowed(r, f.parcel.purpose, layer, &pieces))
                            .unwrap_or_default();
                        Some(clip::intersection_with_union(fp, union_of(layer, &feats)))
                    }
                    _ => Some(clip::intersection_with_union(fp, union_of(layer, &pieces))),
                }
            }
            _ => None,
        };
        if let Some(p) = piece.filter(|p| !p.0.is_empty()) {
            out.push((k.kind.clone(), p));
        }
    }
    out
}

fn text(s: Option<&str>) -> Value {
    s.filter(|s| !s.is_empty())
        .map_or(Value::Null, |s| Value::Text(s.to_string()))
}

fn float(x: Option<f64>) -> Value {
    x.map_or(Value::Null, Value::Float)
}

/// The GeoPackage for QGIS: `conflicts` (the parts of each footprint in conflict, one row per
/// feature and conflict), `footprints` (every feature's footprint with its verdict) and
/// `detours` (the suggested shifted centre lines), all in EPSG:4490.
pub fn write_gpkg(
    path: &Path,
    reviewer: &Reviewer,
    features: &[SpecialFeature],
    analysed: &[FeatureConflicts],
) -> Result<()> {
    let date = onemap_formats::today();
    let f = |n: &str, t| Field::new(n, t);
    let layer = |name: &str, g, fields| LayerInfo {
        name: name.into(),
        crs: Some(Crs::Cgcs2000),
        fields,
        geometry_type: g,
        feature_count: None,
    };
    let mut w = onemap_formats::gpkg::GpkgWriter::create(
        path,
        &layer(
            "conflicts",
            GeometryType::Polygon,
            vec![
                f("FEATURE", FieldType::Int),
                f("ID", FieldType::Text),
                f("NAME", FieldType::Text),
                f("KIND", FieldType::Text),
                f("LAYER", FieldType::Text),
                f("RULE", FieldType::Text),
                f("VERDICT", FieldType::Text),
                f("OVERLAP_M2", FieldType::Float),
                f("LENGTH_M", FieldType::Float),
                f("COUNTY", FieldType::Text),
            ],
        ),
        &date,
    )?;
    use onemap_formats::FeatureWriter;
    for (sf, c) in features.iter().zip(analysed) {
        if c.conflicts.is_empty() {
            continue;
        }
        for (kind, piece) in conflict_pieces(reviewer, sf, c) {
            let Some(k) = c.conflicts.iter().find(|x| x.kind == kind) else {
                continue;
            };
            w.write_feature(&Feature {
                fid: None,
                geometry: Some(Geometry::MultiPolygon(piece)),
                values: vec![
                    Value::Int(c.index as i64),
                    text(c.id.as_deref()),
                    text(c.name.as_deref()),
                    Value::Text(k.kind.clone()),
                    Value::Text(k.name.clone()),
                    Value::Text(k.rule.clone()),
                    Value::Text(k.verdict.id().into()),
                    Value::Float(k.overlap_m2),
                    float(k.length_m),
                    text(c.county.as_deref()),
                ],
            })?;
        }
    }
    w.add_layer(
        &layer(
            "footprints",
            GeometryType::Polygon,
            vec![
                f("FEATURE", FieldType::Int),
                f("ID", FieldType::Text),
                f("NAME", FieldType::Text),
                f("TYPE", FieldType::Text),
                f("PURPOSE", FieldType::Text),
                f("WIDTH_M", FieldType::Float),
                f("LENGTH_M", FieldType::Float),
                f("AREA_M2", FieldType::Float),
                f("VERDICT", FieldType::Text),
                f("COUNTY", FieldType::Text),
            ],
        ),
        &date,
    )?;
    for (sf, c) in features.iter().zip(analysed) {
        w.write_feature(&Feature {
            fid: None,
            geometry: Some(Geometry::MultiPolygon(sf.parcel.polygons.clone())),
            values: vec![
                Value::Int(c.index as i64),
                text(c.id.as_deref()),
                text(c.name.as_deref()),
                Value::Text(format!("{:?}", c.geometry_type).to_lowercase()),
                Value::Text(c.purpose.id().into()),
                float(c.width_m),
                float(c.length_m),
                Value::Float(c.footprint_m2),
                Value::Text(c.verdict.clone()),
                text(c.county.as_deref()),
            ],
        })?;
    }
    w.add_layer(
        &layer(
            "detours",
            GeometryType::Line,
            vec![
                f("FEATURE", FieldType::Int),
                f("ID", FieldType::Text),
                f("OFFSET_M", FieldType::Float),
                f("BEFORE_M2", FieldType::Float),
                f("OVERLAP_M2", FieldType::Float),
                f("AVOIDS", FieldType::Bool),
            ],
        ),
        &date,
    )?;
    for (sf, c) in features.iter().zip(analysed) {
        let (Some(t), Some(lines)) = (&c.detour, shifted_lines(sf, c)) else {
            continue;
        };
        w.write_feature(&Feature {
            fid: None,
            geometry: Some(Geometry::MultiLineString(MultiLineString(
                lines
                    .into_iter()
                    .map(|l| {
                        LineString(
                            l.into_iter()
                                .map(|p| geo_types::Coord { x: p[0], y: p[1] })
                                .collect(),
                        )
                    })
                    .collect(),
            ))),
            values: vec![
                Value::Int(c.index as i64),
                text(c.id.as_deref()),
                Value::Float(t.offset_m),
                Value::Float(t.before_m2),
                Value::Float(t.overlap_m2),
                Value::Bool(t.avoids),
            ],
        })?;
    }
    Box::new(w).finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_types_round_trip() {
        for p in PlanType::ALL {
            assert_eq!(PlanType::parse(p.id()), Some(p));
            assert!(p.default_width(FeatureShape::Line) > 0.0);
        }
        assert_eq!(PlanType::parse("roads"), None);
    }

    #[test]
    fn intervals_of_a_segment_through_a_square_with_a_hole() {
        let outer: Vec<[f64; 2]> = vec![[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]];
        let hole: Vec<[f64; 2]> = vec![[1.0, 1.0], [1.0, 3.0], [3.0, 3.0], [3.0, 1.0]];
        let rings: Vec<(&[[f64; 2]], bool)> = vec![(&outer, false), (&hole, true)];
        let mut iv = Vec::new();
        intervals_inside([-1.0, 2.0], [5.0, 2.0], &rings, &mut iv);
        // Inside from x = 0 to 1 and from 3 to 4: t = 1/6..2/6 and 4/6..5/6.
        assert_eq!(iv.len(), 2);
        assert!((iv[0].0 - 1.0 / 6.0).abs() < 1e-12 && (iv[0].1 - 2.0 / 6.0).abs() < 1e-12);
        assert!((iv[1].0 - 4.0 / 6.0).abs() < 1e-12 && (iv[1].1 - 5.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn geodesic_length_matches_geographiclib_via_pyproj() {
        // pyproj 3.7.2: Geod(ellps='GRS80').inv(122.03, 43.6, 122.06, 43.6)[2]
        // (CGCS2000's ellipsoid is GRS80's to 0.1 mm in the semi-minor axis).
        let d = geodesic_m([122.03, 43.6], [122.06, 43.6]);
        assert!((d - 2422.29224896793).abs() < 1e-6, "{d}");
    }
}

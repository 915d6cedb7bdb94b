//! Plan amendments (规划修改): a change set of features to add to, remove from or replace in
//! the plan layers of the version in force, checked before it may be approved:
//!
//! - `geometry`: every added or replacing feature is a valid polygon inside the region;
//! - `control_lines`: 永久基本农田, 生态保护红线 and 城镇开发边界 still do not overlap each other;
//! - `binding_targets`: every binding indicator with a target still meets it, counted on the
//!   latest survey year with the changed layers.
//!
//! A feature is named by its `BSM` where the layer has one, else by its position (1-based).

use crate::assess::{assess, Status};
use crate::tally::Tally;
use crate::Plan;
use geo::Validation;
use geo_types::{Geometry, MultiPolygon};
use onemap_formats::{Feature, LayerInfo, MemReader, Value};
use onemap_overlay::overlap::{overlap_area, Shape};
use onemap_overlay::{layer_from, Layer, Snapshot};
use onemap_store::{Dataset, PlanVersion, Store};
use onemap_survey::Kind;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Overlaps and outside areas up to this many m² are slivers, not findings.
pub const TOLERANCE_M2: f64 = 1.0;

/// What a change does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// A new feature.
    Add,
    /// Take a feature out.
    Remove,
    /// A feature's new geometry and attributes.
    Replace,
}

/// One change of a change set.
#[derive(Clone, Debug)]
pub struct Change {
    /// Position in the change set, from 1.
    pub index: usize,
    /// What it does.
    pub op: Op,
    /// The plan layer.
    pub kind: Kind,
    /// The feature acted on (remove, replace) or the new feature's BSM (add).
    pub target: Option<String>,
    /// Geometry in EPSG:4490 longitude/latitude (add, replace).
    pub geometry: Option<Geometry<f64>>,
    /// The other attributes, by field name.
    pub values: Vec<(String, Value)>,
}

/// The result of one check.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct CheckResult {
    /// `geometry`, `control_lines`, `binding_targets`.
    pub id: String,
    /// In Chinese.
    pub name: String,
    /// Passed.
    pub passed: bool,
    /// Findings and figures, in Chinese.
    pub details: Vec<String>,
}

/// Read a change set (GeoJSON, GeoPackage or any readable polygon file): each feature with
/// `op` (add, remove, replace), `layer` (a plan layer kind) and, for remove and replace,
/// `id`. Errors name the file, the feature and the field.
pub fn read_changes(path: &Path) -> Result<Vec<Change>, String> {
    let p = path.display();
    let mut r = onemap_formats::open(path, &Default::default()).map_err(|e| e.to_string())?;
    let info = r.info().clone();
    let crs = info.crs.unwrap_or(onemap_geodesy::crs::Crs::Cgcs2000);
    let col = |name: &str| {
        info.fields
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(name))
    };
    let (Some(op_i), Some(layer_i)) = (col("op"), col("layer")) else {
        return Err(format!(
            "{p}: a change set needs the fields `op` (add, remove, replace) and `layer` (the plan layer kind); it has {}",
            info.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
        ));
    };
    let id_i = col("id");
    let text = |f: &Feature, i: usize| match f.values.get(i) {
        Some(Value::Text(s)) => s.trim().to_string(),
        Some(Value::Int(n)) => n.to_string(),
        Some(Value::Float(x)) => format!("{x}"),
        _ => String::new(),
    };
    let mut out = Vec::new();
    let mut n = 0;
    while let Some(mut f) = r.read_feature().map_err(|e| e.to_string())? {
        n += 1;
        let op = match text(&f, op_i).to_ascii_lowercase().as_str() {
            "add" => Op::Add,
            "remove" => Op::Remove,
            "replace" => Op::Replace,
            o => {
                return Err(format!(
                    "{p}: feature {n}, field op: {o:?} is not add, remove or replace"
                ))
            }
        };
        let layer = text(&f, layer_i);
        let kind = Kind::parse(&layer)
            .filter(|k| onemap_store::PLAN_KINDS.contains(k))
            .ok_or_else(|| {
                format!(
                    "{p}: feature {n}, field layer: {layer:?} is not a plan layer ({})",
                    onemap_store::PLAN_KINDS
                        .iter()
                        .map(|k| k.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
        let target = id_i.map(|i| text(&f, i)).filter(|s| !s.is_empty());
        if op != Op::Add && target.is_none() {
            return Err(format!(
                "{p}: feature {n}, field id: a {op:?} names the feature it acts on",
            ));
        }
        if let Some(g) = f.geometry.as_mut() {
            if crs != onemap_geodesy::crs::Crs::Cgcs2000 {
                onemap_formats::model::map_coords(g, &|q| crs.to_lonlat(q));
            }
        }
        if op != Op::Remove && f.geometry.is_none() {
            return Err(format!("{p}: feature {n}: an {op:?} needs a geometry"));
        }
        let values = info
            .fields
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != op_i && *i != layer_i && Some(*i) != id_i)
            .map(|(i, fd)| {
                (
                    fd.name.clone(),
                    f.values.get(i).cloned().unwrap_or(Value::Null),
                )
            })
            .collect();
        out.push(Change {
            index: n,
            op,
            kind,
            target,
            geometry: f.geometry.take(),
            values,
        });
    }
    if out.is_empty() {
        return Err(format!("{p}: the change set has no features"));
    }
    Ok(out)
}

/// A plan layer as the version holds it, in memory.
pub struct BaseLayer {
    /// Its dataset.
    pub dataset: Dataset,
    /// Fields and CRS.
    pub info: LayerInfo,
    /// Features, EPSG:4490.
    pub features: Vec<Feature>,
}

/// The key naming a feature: its BSM, else its position.
fn key_of(info: &LayerInfo, f: &Feature, pos: usize) -> String {
    match info
        .fields
        .iter()
        .position(|x| x.name.eq_ignore_ascii_case("BSM"))
        .and_then(|i| f.values.get(i))
    {
        Some(Value::Text(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::Int(n)) => n.to_string(),
        _ => (pos + 1).to_string(),
    }
}

/// Read the layers of `kinds` of a plan version.
pub fn base_layers(
    store: &dyn Store,
    version: &PlanVersion,
    kinds: &[Kind],
) -> Result<BTreeMap<&'static str, BaseLayer>, String> {
    let mut out = BTreeMap::new();
    for &k in kinds {
        let Some(id) = version.dataset(k) else {
            continue;
        };
        let dataset = store.dataset(id).map_err(|e| e.to_string())?;
        let mut r = store.features(id).map_err(|e| e.to_string())?;
        let info = r.info().clone();
        let features = onemap_formats::read_all(r.as_mut()).map_err(|e| e.to_string())?;
        out.insert(
            k.id(),
            BaseLayer {
                dataset,
                info,
                features,
            },
        );
    }
    Ok(out)
}

/// The changed layers by kind: fields, every feature after the change, and the positions of
/// the new or replaced ones.
pub type Changed = BTreeMap<&'static str, (LayerInfo, Vec<Feature>, Vec<usize>)>;

/// The layers after the change: each changed kind's features, and which of them are new or
/// replaced. Unknown ids and ids added twice are errors naming the change.
pub fn apply(
    base: &BTreeMap<&'static str, BaseLayer>,
    changes: &[Change],
) -> Result<Changed, Vec<String>> {
    let mut errors = Vec::new();
    let mut out = BTreeMap::new();
    for (&kind, b) in base {
        let mine: Vec<&Change> = changes.iter().filter(|c| c.kind.id() == kind).collect();
        if mine.is_empty() {
            continue;
        }
        let keys: Vec<String> = b
            .features
            .iter()
            .enumerate()
            .map(|(i, f)| key_of(&b.info, f, i))
            .collect();
        let index: HashMap<&str, usize> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        let mut feats: Vec<Option<Feature>> = b.features.iter().cloned().map(Some).collect();
        let mut changed = Vec::new();
        let set_values = |f: &mut Feature, c: &Change| {
            for (name, v) in &c.values {
                if let Some(i) = b
                    .info
                    .fields
                    .iter()
                    .position(|x| x.name.eq_ignore_ascii_case(name))
                {
                    if let Some(slot) = f.values.get_mut(i) {
                        *slot = v.clone();
                    }
                }
            }
        };
        let bsm = b
            .info
            .fields
            .iter()
            .position(|x| x.name.eq_ignore_ascii_case("BSM"));
        for c in mine {
            let at = c.target.as_deref().and_then(|t| index.get(t).copied());
            match c.op {
                Op::Remove | Op::Replace => {
                    let Some(i) = at.filter(|i| feats[*i].is_some()) else {
                        errors.push(format!(
                            "change {}: {} has no feature {:?} (or it was changed twice)",
                            c.index,
                            c.kind.chinese(),
                            c.target.as_deref().unwrap_or("")
                        ));
                        continue;
                    };
                    if c.op == Op::Remove {
                        feats[i] = None;
                    } else {
                        let mut f = feats[i].take().unwrap_or_else(|| b.features[i].clone());
                        f.geometry = c.geometry.clone();
                        set_values(&mut f, c);
                        feats.push(Some(f));
                        changed.push(feats.len() - 1);
                    }
                }
                Op::Add => {
                    if let Some(t) = c.target.as_deref() {
                        if index.contains_key(t) {
                            errors.push(format!(
                                "change {}: {} already has a feature {t:?}; use replace",
                                c.index,
                                c.kind.chinese()
                            ));
                            continue;
                        }
                    }
                    let mut f = Feature {
                        fid: None,
                        geometry: c.geometry.clone(),
                        values: vec![Value::Null; b.info.fields.len()],
                    };
                    set_values(&mut f, c);
                    if let (Some(i), Some(t)) = (bsm, c.target.as_deref()) {
                        f.values[i] = Value::Text(t.to_string());
                    }
                    feats.push(Some(f));
                    changed.push(feats.len() - 1);
                }
            }
        }
        // Renumber the changed positions over the kept features.
        let mut kept = Vec::new();
        let mut new_pos = vec![usize::MAX; feats.len()];
        for (i, f) in feats.into_iter().enumerate() {
            if let Some(f) = f {
                new_pos[i] = kept.len();
                kept.push(f);
            }
        }
        let changed = changed
            .into_iter()
            .map(|i| new_pos[i])
            .filter(|i| *i != usize::MAX)
            .collect();
        out.insert(kind, (b.info.clone(), kept, changed));
    }
    for c in changes {
        if !base.contains_key(c.kind.id()) {
            errors.push(format!(
                "change {}: the plan version has no {} layer",
                c.index,
                c.kind.chinese()
            ));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

fn layer_of(
    kind: Kind,
    dataset: &Dataset,
    info: &LayerInfo,
    feats: &[Feature],
) -> Result<Layer, String> {
    let mut r = MemReader::new(info.clone(), feats.to_vec());
    layer_from(kind, dataset.year, dataset, &mut r).map_err(|e| e.to_string())
}

fn m2_text(m2: f64) -> String {
    use onemap_geodesy::units::AreaUnit;
    let c = onemap_geodesy::sandiao::to_cents(m2);
    format!(
        "{} 平方米（{} 亩）",
        AreaUnit::SquareMetre.format(c),
        AreaUnit::Mu.format(c)
    )
}

/// The control-line kinds that must not overlap each other.
pub const CONTROL_LINES: [Kind; 3] = [Kind::Yjjbnt, Kind::Stbhhx, Kind::Czkfbj];

/// Run the checks of a change set against a plan version. `region` is the 行政区 layer.
pub fn check(
    store: &dyn Store,
    plan: &Plan,
    version: &PlanVersion,
    changes: &[Change],
) -> Result<(Vec<CheckResult>, Changed), String> {
    let mut kinds: Vec<Kind> = changes.iter().map(|c| c.kind).collect();
    kinds.extend(CONTROL_LINES);
    kinds.sort_by_key(|k| k.id());
    kinds.dedup();
    let base = base_layers(store, version, &kinds)?;
    let mut results = Vec::new();
    let after = match apply(&base, changes) {
        Ok(a) => a,
        Err(errors) => {
            results.push(CheckResult {
                id: "references".into(),
                name: "变更对象".into(),
                passed: false,
                details: errors,
            });
            return Ok((results, BTreeMap::new()));
        }
    };
    // The layers as the change leaves them.
    let mut layers: BTreeMap<&'static str, Layer> = BTreeMap::new();
    for (&k, b) in &base {
        let kind = Kind::parse(k).unwrap_or(Kind::Other);
        let l = match after.get(k) {
            Some((info, feats, _)) => layer_of(kind, &b.dataset, info, feats)?,
            None => layer_of(kind, &b.dataset, &b.info, &b.features)?,
        };
        layers.insert(k, l);
    }

    // 1. Geometry: valid polygons inside the region.
    let region = Snapshot::load_layers(store, &[Kind::Xzq], None, &mut |_, _| {})
        .map_err(|e| e.to_string())?;
    let xzq = region.layer(Kind::Xzq);
    let mut geo_details = Vec::new();
    let mut geo_ok = true;
    for c in changes.iter().filter(|c| c.op != Op::Remove) {
        let polys: Vec<geo_types::Polygon<f64>> = match &c.geometry {
            Some(Geometry::Polygon(p)) => vec![p.clone()],
            Some(Geometry::MultiPolygon(m)) => m.0.clone(),
            _ => {
                geo_ok = false;
                geo_details.push(format!("变更 {}：几何不是面", c.index));
                continue;
            }
        };
        for p in &polys {
            if let Err(e) = p.check_validation() {
                geo_ok = false;
                geo_details.push(format!("变更 {}：几何无效（{e}）", c.index));
            }
        }
        let mp = MultiPolygon(polys);
        let own = onemap_overlay::LayerBuilder::new(Kind::Other, None, &[]);
        let mut own = own;
        own.push(&mp.0, &[]);
        let own = own.finish();
        let shape = Shape::of(&own, 0);
        if shape.area() < TOLERANCE_M2 {
            geo_ok = false;
            geo_details.push(format!("变更 {}：面积为零", c.index));
            continue;
        }
        if let Some(x) = xzq {
            let inside: f64 = x
                .query(own.bbox(0))
                .map(|i| overlap_area(&shape, &Shape::of(x, i)))
                .sum();
            let outside = shape.area() - inside;
            if outside > TOLERANCE_M2 {
                geo_ok = false;
                geo_details.push(format!(
                    "变更 {}：{} 位于{}行政区域之外",
                    c.index,
                    m2_text(outside),
                    plan.plan.region_name
                ));
            }
        }
    }
    if geo_ok {
        geo_details.push(format!(
            "{} 个新增或替换要素均为有效面，且位于{}行政区域内",
            changes.iter().filter(|c| c.op != Op::Remove).count(),
            plan.plan.region_name
        ));
    }
    results.push(CheckResult {
        id: "geometry".into(),
        name: "几何有效且位于行政区域内".into(),
        passed: geo_ok,
        details: geo_details,
    });

    // 2. The three control lines do not overlap each other (the changed features are checked
    // against the other two layers as changed).
    let mut cl_details = Vec::new();
    for (&k, (_, _, changed)) in &after {
        let kind = Kind::parse(k).unwrap_or(Kind::Other);
        if !CONTROL_LINES.contains(&kind) {
            continue;
        }
        let Some(l) = layers.get(k) else { continue };
        for &i in changed {
            let s = Shape::of(l, i as u32);
            for other in CONTROL_LINES.iter().filter(|o| **o != kind) {
                let Some(ol) = layers.get(other.id()) else {
                    continue;
                };
                let mut total = 0.0;
                let mut with = Vec::new();
                for j in ol.query(l.bbox(i as u32)) {
                    let a = overlap_area(&s, &Shape::of(ol, j));
                    if a > TOLERANCE_M2 {
                        total += a;
                        with.push(ol.text_of("BSM", j).into_owned());
                    }
                }
                if total > 0.0 {
                    cl_details.push(format!(
                        "{} 要素 {} 与{}（{}）重叠 {}",
                        kind.chinese(),
                        l.text_of("BSM", i as u32),
                        other.chinese(),
                        with.iter().take(5).cloned().collect::<Vec<_>>().join("、"),
                        m2_text(total)
                    ));
                }
            }
        }
    }
    let cl_ok = cl_details.is_empty();
    if cl_ok {
        cl_details.push("永久基本农田、生态保护红线、城镇开发边界互不重叠".into());
    }
    results.push(CheckResult {
        id: "control_lines".into(),
        name: "三条控制线互不重叠".into(),
        passed: cl_ok,
        details: cl_details,
    });

    // 3. Binding targets on the latest survey with the changed layers.
    let (mut snap, mut tallies) =
        crate::count_years(store, plan, None, None, &mut |_, _| {}).map_err(|e| e.to_string())?;
    let year = *tallies.keys().last().ok_or("no survey year")?;
    // The changed layers, built above for the control-line check, replace the version's.
    for k in after.keys() {
        let kind = Kind::parse(k).unwrap_or(Kind::Other);
        if crate::INDICATOR_LAYERS.contains(&kind) {
            if let Some(l) = layers.remove(k) {
                snap.insert(l);
            }
        }
    }
    let stats = store.stats().map_err(|e| e.to_string())?;
    let before = assess(plan, year, &tallies, &stats, &Default::default())?;
    snap.load_survey(store, year, &mut |_, _| {})
        .map_err(|e| e.to_string())?;
    let t: Tally =
        crate::tally::tally(&snap, year, plan).ok_or("the survey could not be counted")?;
    tallies.insert(year, t);
    let now = assess(plan, year, &tallies, &stats, &Default::default())?;
    let mut bt_details = Vec::new();
    let mut bt_ok = true;
    for (b, a) in before.indicators.iter().zip(&now.indicators) {
        if !a.binding || a.target.is_none() {
            continue;
        }
        let (Some(v), Some(t)) = (a.value, a.target) else {
            continue;
        };
        let d = a.decimals;
        let was = b
            .value
            .map_or("—".into(), |x| format!("{x:.d$} {}", a.unit));
        let rule = match a.rule {
            ">=" => "不低于",
            "<=" => "不高于",
            r => r,
        };
        if a.status == Status::Red && b.status != Status::Red {
            bt_ok = false;
            bt_details.push(format!(
                "{}：修改后 {v:.d$} {}，不满足约束性目标（{rule} {t:.d$} {}）（修改前 {was}）",
                a.name, a.unit, a.unit
            ));
        } else if b.value != a.value {
            bt_details.push(format!(
                "{}：修改前 {was}，修改后 {v:.d$} {}（目标：{rule} {t:.d$} {}）",
                a.name, a.unit, a.unit
            ));
        }
    }
    if bt_ok {
        bt_details.push(format!("{year} 年现状下各约束性指标仍满足目标"));
    }
    results.push(CheckResult {
        id: "binding_targets".into(),
        name: "约束性指标仍满足目标".into(),
        passed: bt_ok,
        details: bt_details,
    });
    Ok((results, after))
}

/// The change set as GeoJSON (EPSG:4490), as the store keeps it.
pub fn changes_geojson(changes: &[Change]) -> String {
    let feats: Vec<serde_json::Value> = changes
        .iter()
        .map(|c| {
            let mut props = serde_json::Map::new();
            props.insert("op".into(), serde_json::json!(c.op));
            props.insert("layer".into(), serde_json::json!(c.kind.id()));
            props.insert("id".into(), serde_json::json!(c.target));
            for (k, v) in &c.values {
                props.insert(
                    k.clone(),
                    match v {
                        Value::Null => serde_json::Value::Null,
                        Value::Int(n) => serde_json::json!(n),
                        Value::Float(x) => serde_json::json!(x),
                        Value::Text(s) => serde_json::json!(s),
                        other => serde_json::json!(format!("{other:?}")),
                    },
                );
            }
            let geometry = c
                .geometry
                .as_ref()
                .map(|g| {
                    let mut b = Vec::new();
                    onemap_formats::wkb::encode(g, &mut b);
                    serde_json::json!({"wkb_hex": b.iter().map(|x| format!("{x:02x}")).collect::<String>()})
                })
                .unwrap_or(serde_json::Value::Null);
            serde_json::json!({"type": "Feature", "properties": props, "geometry": geometry})
        })
        .collect();
    serde_json::json!({"type": "FeatureCollection", "features": feats}).to_string()
}

/// Read back a stored change set.
pub fn changes_from_geojson(text: &str) -> Result<Vec<Change>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for (n, f) in v["features"].as_array().into_iter().flatten().enumerate() {
        let p = &f["properties"];
        let op = match p["op"].as_str() {
            Some("add") => Op::Add,
            Some("remove") => Op::Remove,
            _ => Op::Replace,
        };
        let kind = p["layer"]
            .as_str()
            .and_then(Kind::parse)
            .ok_or("stored change without a layer")?;
        let geometry = match f["geometry"]["wkb_hex"].as_str() {
            Some(h) => {
                let bytes: Vec<u8> = (0..h.len() / 2)
                    .filter_map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).ok())
                    .collect();
                Some(onemap_formats::wkb::decode(&bytes).map_err(|e| e.to_string())?)
            }
            None => None,
        };
        let values = p
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| !matches!(k.as_str(), "op" | "layer" | "id"))
            .map(|(k, v)| {
                (
                    k.clone(),
                    match v {
                        serde_json::Value::Null => Value::Null,
                        serde_json::Value::Number(x) if x.is_i64() => {
                            Value::Int(x.as_i64().unwrap_or(0))
                        }
                        serde_json::Value::Number(x) => Value::Float(x.as_f64().unwrap_or(0.0)),
                        serde_json::Value::String(s) => Value::Text(s.clone()),
                        other => Value::Text(other.to_string()),
                    },
                )
            })
            .collect();
        out.push(Change {
            index: n + 1,
            op,
            kind,
            target: p["id"].as_str().map(String::from),
            geometry,
            values,
        });
    }
    Ok(out)
}

/// Write a changed layer where the import can read it (GeoPackage, EPSG:4490).
pub fn write_layer(path: &Path, info: &LayerInfo, feats: &[Feature]) -> Result<(), String> {
    let mut info = info.clone();
    info.crs = Some(onemap_geodesy::crs::Crs::Cgcs2000);
    info.feature_count = Some(feats.len() as u64);
    let mut w =
        onemap_formats::create(path, &info, &Default::default()).map_err(|e| e.to_string())?;
    for f in feats {
        w.write_feature(f).map_err(|e| e.to_string())?;
    }
    w.finish().map_err(|e| e.to_string())
}

/// What changed in one layer between two plan versions.
#[derive(Clone, Debug, Serialize)]
pub struct LayerDiff {
    /// Layer kind id.
    pub kind: String,
    /// In Chinese.
    pub name: String,
    /// Dataset in the earlier version.
    pub from_dataset: Option<String>,
    /// Dataset in the later version.
    pub to_dataset: Option<String>,
    /// Features only in the later version (BSM or position).
    pub added: Vec<String>,
    /// Features only in the earlier version.
    pub removed: Vec<String>,
    /// Features in both with another geometry or other attributes.
    pub changed: Vec<String>,
    /// Area covered by the later version's layer and not by the earlier's, m².
    pub gained_m2: f64,
    /// Area covered by the earlier version's layer and not by the later's, m².
    pub lost_m2: f64,
    /// The gain and loss per county: code, name, gained m², lost m².
    pub counties: Vec<(String, String, f64, f64)>,
}

fn same(a: &Feature, b: &Feature) -> bool {
    let wkb = |f: &Feature| {
        let mut v = Vec::new();
        if let Some(g) = &f.geometry {
            onemap_formats::wkb::encode(g, &mut v);
        }
        v
    };
    wkb(a) == wkb(b) && format!("{:?}", a.values) == format!("{:?}", b.values)
}

fn multipolygon(f: &Feature) -> MultiPolygon<f64> {
    match &f.geometry {
        Some(Geometry::Polygon(p)) => MultiPolygon(vec![p.clone()]),
        Some(Geometry::MultiPolygon(m)) => m.clone(),
        _ => MultiPolygon(Vec::new()),
    }
}

/// The parts of `these` not covered by `those` (features of one layer each, not overlapping
/// within their layer), as a layer whose areas are `sandiao` areas.
fn uncovered(these: &[&Feature], those: &[&Feature]) -> Layer {
    use geo::{BooleanOps, BoundingRect, Intersects};
    let boxes: Vec<Option<geo_types::Rect<f64>>> = those
        .iter()
        .map(|f| multipolygon(f).bounding_rect())
        .collect();
    let mut b = onemap_overlay::LayerBuilder::new(Kind::Other, None, &[]);
    for f in these {
        let mut piece = multipolygon(f);
        let Some(r) = piece.bounding_rect() else {
            continue;
        };
        for (o, ob) in those.iter().zip(&boxes) {
            if ob.is_some_and(|ob| ob.intersects(&r)) {
                piece = piece.difference(&multipolygon(o));
            }
        }
        if !piece.0.is_empty() {
            b.push(&piece.0, &[]);
        }
    }
    b.finish()
}

/// The difference between two plan versions, layer by layer (layers whose dataset is the same
/// in both are unchanged and left out), with the area gained and lost per county.
pub fn diff(
    store: &dyn Store,
    from: &PlanVersion,
    to: &PlanVersion,
) -> Result<Vec<LayerDiff>, String> {
    let region = Snapshot::load_layers(store, &[Kind::Xzq], None, &mut |_, _| {})
        .map_err(|e| e.to_string())?;
    let xzq = region.layer(Kind::Xzq);
    let mut out = Vec::new();
    for &kind in onemap_store::PLAN_KINDS {
        let (a, b) = (from.dataset(kind), to.dataset(kind));
        if a == b {
            continue;
        }
        let la = base_layers(store, from, &[kind])?;
        let lb = base_layers(store, to, &[kind])?;
        let empty = Vec::new();
        let (ia, fa) = la
            .get(kind.id())
            .map_or((None, &empty), |l| (Some(&l.info), &l.features));
        let (ib, fb) = lb
            .get(kind.id())
            .map_or((None, &empty), |l| (Some(&l.info), &l.features));
        let keyed = |info: Option<&LayerInfo>, fs: &[Feature]| -> BTreeMap<String, usize> {
            fs.iter()
                .enumerate()
                .map(|(i, f)| (info.map_or((i + 1).to_string(), |inf| key_of(inf, f, i)), i))
                .collect()
        };
        let (ka, kb) = (keyed(ia, fa), keyed(ib, fb));
        let mut d = LayerDiff {
            kind: kind.id().into(),
            name: kind.chinese().into(),
            from_dataset: a.map(String::from),
            to_dataset: b.map(String::from),
            added: kb
                .keys()
                .filter(|k| !ka.contains_key(*k))
                .cloned()
                .collect(),
            removed: ka
                .keys()
                .filter(|k| !kb.contains_key(*k))
                .cloned()
                .collect(),
            changed: ka
                .iter()
                .filter_map(|(k, &i)| {
                    kb.get(k)
                        .filter(|&&j| !same(&fa[i], &fb[j]))
                        .map(|_| k.clone())
                })
                .collect(),
            gained_m2: 0.0,
            lost_m2: 0.0,
            counties: Vec::new(),
        };
        let old: Vec<&Feature> = d
            .removed
            .iter()
            .chain(&d.changed)
            .filter_map(|k| ka.get(k).map(|&i| &fa[i]))
            .collect();
        let new: Vec<&Feature> = d
            .added
            .iter()
            .chain(&d.changed)
            .filter_map(|k| kb.get(k).map(|&i| &fb[i]))
            .collect();
        let gained = uncovered(&new, &old);
        let lost = uncovered(&old, &new);
        // (+ 0.0: an empty sum is −0.0.)
        let sum = |l: &Layer| (0..l.len() as u32).map(|i| l.area(i)).sum::<f64>() + 0.0;
        d.gained_m2 = sum(&gained);
        d.lost_m2 = sum(&lost);
        if let Some(x) = xzq {
            for c in 0..x.len() as u32 {
                let cs = Shape::of(x, c);
                let part = |l: &Layer| -> f64 {
                    l.query(x.bbox(c))
                        .map(|i| overlap_area(&Shape::of(l, i), &cs))
                        .sum::<f64>()
                        + 0.0
                };
                let (g, lo) = (part(&gained), part(&lost));
                if g > 0.005 || lo > 0.005 {
                    d.counties.push((
                        x.text_of("XZQDM", c).into_owned(),
                        x.text_of("XZQMC", c).into_owned(),
                        g,
                        lo,
                    ));
                }
            }
        }
        out.push(d);
    }
    Ok(out)
}

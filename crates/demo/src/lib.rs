//! `onemap demo`: a realistic synthetic Tongliao for the demo, the tests and the benchmarks.
//!
//! The real survey of Tongliao is not public; this writes a stand-in that behaves like it: the
//! real county boundaries tiled by patches without gaps or overlaps, land classes placed by
//! geography (the 西辽河 plain, the 科尔沁 sandy land, the northern hills, seats and villages)
//! and tuned to the plan's 2020 totals, 田坎 by slope grade, the control lines, six survey years
//! with realistic change (including violations), project parcels as 报部 TXT, and a store with
//! all of it imported through the ordinary import.

mod geography;
mod land;
mod rng;
pub mod roads;
mod tiling;

use geo_types::{Geometry, Polygon};
use land::{cultivated, kcmj, Fixed, Patch};
use onemap_formats::{
    create, Feature, Field, FieldType, GeometryType, LayerInfo, TextEncoding, Value, WriteOptions,
};
use onemap_geodesy::crs::Crs;
use onemap_store::ImportRequest;
use onemap_survey::{Kind, Options, Severity};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Output folder.
    pub out: PathBuf,
    /// About this many patches in all.
    pub patches: u64,
    /// Seed.
    pub seed: u64,
    /// Survey years; the first is the plan's base year.
    pub years: Vec<i32>,
    /// Import everything into `out/onemap.gpkg`.
    pub import: bool,
    /// Import into this store instead (a GeoPackage path, or a `postgres://` URL of an empty
    /// store made by `onemap store init`).
    pub store: Option<PathBuf>,
}

/// What was generated: per year and county, (耕地 TBDLMJ, construction, Σ TBMJ) in cents.
pub struct Summary {
    /// Patches per year.
    pub patches: usize,
    /// (year, county code) → (耕地, 建设用地, 城镇建设用地, Σ TBMJ), cents.
    pub totals: BTreeMap<(i32, String), [i64; 4]>,
    /// (year, county code) → 一级类 (00 … 12) areas, cents: TBDLMJ per class, KCMJ in 12.
    pub level1: BTreeMap<(i32, String), [i64; 13]>,
    /// Plan layers: (name, cents).
    pub plan: Vec<(String, i64)>,
    /// Datasets imported.
    pub datasets: usize,
    /// Warnings stored with them.
    pub warnings: u64,
}

fn s(v: &str) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        Value::Text(v.to_string())
    }
}

fn c2(c: i64) -> Value {
    Value::Float(c as f64 / 100.0)
}

/// The DLTB field set of the delivery (standards §4.2).
fn dltb_fields() -> Vec<Field> {
    let t = |n: &str| Field::new(n, FieldType::Text);
    let f = |n: &str, d: u8| Field {
        name: n.into(),
        ty: FieldType::Float,
        width: 0,
        decimals: d,
    };
    vec![
        t("BSM"),
        t("DLBM"),
        t("DLMC"),
        t("QSXZ"),
        t("QSDWDM"),
        t("ZLDWDM"),
        t("ZLDWMC"),
        f("TBMJ", 2),
        t("KCDLBM"),
        f("KCXS", 4),
        f("KCMJ", 2),
        f("TBDLMJ", 2),
        t("CZCSXM"),
        t("GDLX"),
        t("GDPDJB"),
        Field::new("SJNF", FieldType::Int),
    ]
}

fn dltb_values(p: &Patch, f: &Fixed, year: i32, state: bool) -> Vec<Value> {
    let k = if cultivated(p.dlbm) {
        kcmj(f.tbmj, p.kcxs4)
    } else {
        0
    };
    let name = onemap_survey::classes::name_of(p.dlbm).unwrap_or("");
    vec![
        s(&f.bsm),
        s(p.dlbm),
        s(name),
        s(if state { "10" } else { "30" }),
        s(&f.zldwdm),
        s(&f.zldwdm),
        s(&f.zldwmc),
        c2(f.tbmj),
        s(if k > 0 || p.kcxs4 > 0 { "1203" } else { "" }),
        Value::Float(p.kcxs4 as f64 / 10_000.0),
        c2(k),
        c2(f.tbmj - k),
        s(p.czcsxm),
        s(p.gdlx),
        s(if p.grade > 0 {
            ["", "1", "2", "3", "4", "5"][p.grade as usize]
        } else {
            ""
        }),
        Value::Int(year as i64),
    ]
}

fn write(
    path: &Path,
    info: &LayerInfo,
    date: &str,
    enc: TextEncoding,
    feats: impl Iterator<Item = Feature>,
) -> Result<(), String> {
    let mut w = create(
        path,
        info,
        &WriteOptions {
            encoding: Some(enc),
            date: Some(date.into()),
        },
    )
    .map_err(|e| e.to_string())?;
    for f in feats {
        w.write_feature(&f).map_err(|e| e.to_string())?;
    }
    w.finish().map_err(|e| e.to_string())
}

fn to_lonlat(p: &Polygon<f64>, crs: &Crs) -> Geometry<f64> {
    let mut g = Geometry::Polygon(p.clone());
    onemap_formats::model::map_coords(&mut g, &|q| crs.to_lonlat(q));
    g
}

/// Planned roads in the demo's special plan (`source/special/roads.gpkg`).
pub const DEMO_ROADS: usize = 60;

/// Write `count` planned roads of about `mean_km` km each to `path` (see [`roads::road_plan`]);
/// the total length, km.
pub fn write_road_plan(path: &Path, seed: u64, count: usize, mean_km: f64) -> Result<f64, String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    roads::road_plan(path, &tiling::counties()?, seed, count, mean_km)
}

/// Generate everything. `log` receives progress lines.
pub fn generate(o: &DemoOptions, log: &mut dyn FnMut(&str)) -> Result<Summary, String> {
    if o.years.is_empty() {
        return Err("no years".into());
    }
    let counties = tiling::counties()?;
    let total_km2: f64 = counties.iter().map(|c| c.area_km2).sum();
    let s_km = ((total_km2 * 1e6) / (o.patches as f64 * tiling::MEAN_CELLS)).sqrt() / 1000.0;
    let is_line = |lon: f64, lat: f64| {
        geography::river(lon, lat).0 < 0.5 * s_km
            || geography::road(lon, lat) < 0.5 * s_km
            || geography::railway(lon, lat) < 0.5 * s_km
    };
    log(&format!(
        "tiling {} counties with about {} patches (cells of {:.0} m)",
        counties.len(),
        o.patches,
        s_km * 1000.0
    ));
    let cells = tiling::tile(&counties, o.patches, o.seed, &is_line);
    log(&format!("{} patches; placing land classes", cells.len()));
    let (fixed, y0) = land::classify(&counties, &cells, o.seed, s_km);
    let plan = land::plan(&cells, &fixed, &y0, o.seed);
    let restore = counties
        .iter()
        .position(|c| c.code == "150522")
        .unwrap_or(0);
    let mut years: Vec<Vec<Patch>> = vec![y0];
    for (i, &y) in o.years.iter().enumerate().skip(1) {
        let next = land::next_year(&years[i - 1], &cells, &fixed, &plan, y, o.seed, restore);
        years.push(next);
    }
    let src = o.out.join("source");
    std::fs::create_dir_all(&src).map_err(|e| format!("{}: {e}", src.display()))?;
    let mut files: Vec<(Kind, Option<i32>, String, PathBuf)> = Vec::new();

    // DLTB: a shapefile per county and year, GBK, in the county's zone.
    let mut totals = BTreeMap::new();
    let mut level1 = BTreeMap::new();
    for (yi, &year) in o.years.iter().enumerate() {
        let dir = src.join(year.to_string());
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for (ci, c) in counties.iter().enumerate() {
            let path = dir.join(format!("DLTB_{}.shp", c.code));
            let info = LayerInfo {
                name: format!("DLTB_{}", c.code),
                crs: Some(c.crs),
                fields: dltb_fields(),
                geometry_type: GeometryType::Polygon,
                feature_count: None,
            };
            let idx: Vec<usize> = (0..cells.len())
                .filter(|&k| cells[k].county == ci)
                .collect();
            let mut t = [0i64; 4];
            let mut l1 = [0i64; 13];
            for &k in &idx {
                let p = &years[yi][k];
                let kk = if cultivated(p.dlbm) {
                    kcmj(fixed[k].tbmj, p.kcxs4)
                } else {
                    0
                };
                let col = onemap_survey::classes::class_of(p.dlbm)
                    .and_then(|c| c.level1.parse::<usize>().ok())
                    .unwrap_or(12);
                l1[col] += fixed[k].tbmj - kk;
                l1[12] += kk;
                if cultivated(p.dlbm) {
                    t[0] += fixed[k].tbmj - kk;
                }
                if land::construction(p.dlbm) {
                    t[1] += fixed[k].tbmj;
                    if matches!(p.czcsxm, "201" | "201A" | "202" | "202A") {
                        t[2] += fixed[k].tbmj;
                    }
                }
                t[3] += fixed[k].tbmj;
            }
            totals.insert((year, c.code.clone()), t);
            level1.insert((year, c.code.clone()), l1);
            let feats = idx.iter().map(|&k| {
                let p = &years[yi][k];
                let state = matches!(p.czcsxm, "201")
                    || matches!(p.dlbm, "1101" | "1103" | "1001" | "1003")
                    || (geography::north(cells[k].lat) > 0.5 && !cultivated(p.dlbm));
                Feature {
                    fid: None,
                    geometry: Some(Geometry::Polygon(cells[k].geom.clone())),
                    values: dltb_values(p, &fixed[k], year, state),
                }
            });
            write(
                &path,
                &info,
                &format!("{year}-12-31"),
                TextEncoding::Gbk,
                feats,
            )?;
            files.push((
                Kind::Dltb,
                Some(year),
                format!("{} {year}年 地类图斑", c.name),
                path,
            ));
        }
        log(&format!("wrote DLTB {year}"));
    }

    // Plan layers (EPSG:4490), from the base year.
    let plan_dir = src.join("plan");
    std::fs::create_dir_all(&plan_dir).map_err(|e| e.to_string())?;
    let base = o.years[0];
    let ll = |k: usize| to_lonlat(&cells[k].geom, &counties[cells[k].county].crs);
    let mj = |k: usize| c2(fixed[k].tbmj);
    let mut plan_totals = Vec::new();
    let mut layer = |name: &str,
                     kind: Kind,
                     fields: Vec<Field>,
                     rows: Vec<(usize, Vec<Value>)>,
                     files: &mut Vec<(Kind, Option<i32>, String, PathBuf)>|
     -> Result<(), String> {
        let path = plan_dir.join(format!("{name}.gpkg"));
        let info = LayerInfo {
            name: name.to_uppercase(),
            crs: Some(Crs::Cgcs2000),
            fields,
            geometry_type: GeometryType::Polygon,
            feature_count: None,
        };
        plan_totals.push((
            name.to_string(),
            rows.iter().map(|(k, _)| fixed[*k].tbmj).sum::<i64>(),
        ));
        write(
            &path,
            &info,
            "2024-03-25",
            TextEncoding::Utf8,
            rows.into_iter().map(|(k, v)| Feature {
                fid: None,
                geometry: Some(ll(k)),
                values: v,
            }),
        )?;
        files.push((
            kind,
            Some(2024),
            format!("{} (通辽市国土空间总体规划)", kind.chinese()),
            path,
        ));
        Ok(())
    };
    let t = |n: &str| Field::new(n, FieldType::Text);
    let fmj = || Field {
        name: "MJ".into(),
        ty: FieldType::Float,
        width: 0,
        decimals: 2,
    };
    let n = cells.len();
    let bsm = |k: usize, p: &str| s(&format!("{p}{}", &fixed[k].bsm));
    layer(
        "yjjbnt",
        Kind::Yjjbnt,
        vec![t("BSM"), t("ZLDWDM"), fmj()],
        (0..n)
            .filter(|&k| plan.yjjbnt[k])
            .map(|k| (k, vec![bsm(k, "YJ"), s(&fixed[k].zldwdm), mj(k)]))
            .collect(),
        &mut files,
    )?;
    layer(
        "stbhhx",
        Kind::Stbhhx,
        vec![t("BSM"), t("HXMC"), fmj()],
        (0..n)
            .filter(|&k| plan.stbhhx[k])
            .map(|k| {
                let name = if geography::sand(cells[k].lon, cells[k].lat) > 0.0 {
                    "科尔沁沙地防风固沙生态保护红线"
                } else if geography::north(cells[k].lat) > 0.0 {
                    "大兴安岭南麓水源涵养生态保护红线"
                } else {
                    "西辽河流域水土保持生态保护红线"
                };
                (k, vec![bsm(k, "HX"), s(name), mj(k)])
            })
            .collect(),
        &mut files,
    )?;
    layer(
        "czkfbj",
        Kind::Czkfbj,
        vec![t("BSM"), t("BJMC"), fmj()],
        (0..n)
            .filter_map(|k| {
                plan.czkfbj[k].map(|i| {
                    (
                        k,
                        vec![
                            bsm(k, "KF"),
                            s(&format!(
                                "{}城镇开发边界",
                                counties
                                    .iter()
                                    .find(|c| c.code == geography::SEATS[i].0)
                                    .map_or("", |c| c.name.as_str())
                            )),
                            mj(k),
                        ],
                    )
                })
            })
            .collect(),
        &mut files,
    )?;
    layer(
        "jbcy",
        Kind::Jbcy,
        vec![t("BSM"), fmj()],
        (0..n)
            .filter(|&k| plan.jbcy[k])
            .map(|k| (k, vec![bsm(k, "CY"), mj(k)]))
            .collect(),
        &mut files,
    )?;
    layer(
        "ghfq",
        Kind::Ghfq,
        vec![t("GHFQDM"), t("GHFQMC")],
        (0..n)
            .map(|k| {
                let d = years[0][k].dlbm;
                let (c, m) = if plan.stbhhx[k] {
                    ("01", "生态保护区")
                } else if plan.yjjbnt[k] {
                    ("03", "农田保护区")
                } else if plan.czkfbj[k].is_some() {
                    ("04", "城镇发展区")
                } else if cultivated(d) || land::construction(d) {
                    ("05", "乡村发展区")
                } else {
                    ("02", "生态控制区")
                };
                (k, vec![s(c), s(m)])
            })
            .collect(),
        &mut files,
    )?;
    layer(
        "fxkz",
        Kind::Fxkz,
        vec![t("BSM"), t("MC")],
        (0..n)
            .filter(|&k| flood_zone(&cells[k]))
            .map(|k| {
                (
                    k,
                    vec![
                        bsm(k, "FX"),
                        s(&format!(
                            "{}洪涝风险控制区",
                            geography::river(cells[k].lon, cells[k].lat).1
                        )),
                    ],
                )
            })
            .collect(),
        &mut files,
    )?;
    // Administrative boundaries.
    let xzq = src.join("xzq.gpkg");
    write(
        &xzq,
        &LayerInfo {
            name: "XZQ".into(),
            crs: Some(Crs::Cgcs2000),
            fields: vec![t("XZQDM"), t("XZQMC")],
            geometry_type: GeometryType::Polygon,
            feature_count: None,
        },
        "2024-03-25",
        TextEncoding::Utf8,
        counties.iter().map(|c| Feature {
            fid: None,
            geometry: Some(Geometry::Polygon(c.lonlat.clone())),
            values: vec![s(&c.code), s(&c.name)],
        }),
    )?;
    files.insert(0, (Kind::Xzq, Some(base), "通辽市县级行政区".into(), xzq));
    log("wrote plan layers");

    // Project parcels as 报部 TXT: some clean, some on 永久基本农田 or the red line, some outside
    // the development boundary.
    let proj = src.join("projects");
    std::fs::create_dir_all(&proj).map_err(|e| e.to_string())?;
    let pick = |f: &dyn Fn(usize) -> bool, salt: u64, count: usize| -> Vec<usize> {
        let mut c: Vec<(u64, usize)> = (0..n)
            .filter(|&k| f(k) && fixed[k].tbmj > 3_000_000)
            .map(|k| (rng::hash(o.seed, salt, k as u64, 0), k))
            .collect();
        c.sort();
        // Only patches that hold the whole parcel, so that each project tests what its name
        // says and nothing else.
        c.into_iter()
            .map(|x| x.1)
            .filter(|&k| geo::Contains::contains(&cells[k].geom, &parcel_rect(&cells[k].geom)))
            .take(count)
            .collect()
    };
    let last = years.len() - 1;
    let mut projects: Vec<(String, usize)> = Vec::new();
    for (i, k) in pick(
        &|k| {
            plan.czkfbj[k].is_some()
                && !flood_zone(&cells[k])
                && !land::construction(years[last][k].dlbm)
                && !plan.yjjbnt[k]
                && !plan.stbhhx[k]
        },
        31,
        4,
    )
    .into_iter()
    .enumerate()
    {
        projects.push((format!("P{:02}_城镇开发边界内工业项目{}", i + 1, i + 1), k));
    }
    for (i, k) in pick(&|k| plan.yjjbnt[k], 32, 3).into_iter().enumerate() {
        projects.push((
            format!("P{:02}_占用永久基本农田道路项目{}", i + 5, i + 1),
            k,
        ));
    }
    for (i, k) in pick(&|k| plan.stbhhx[k], 33, 2).into_iter().enumerate() {
        projects.push((format!("P{:02}_生态保护红线内光伏项目{}", i + 8, i + 1), k));
    }
    for (i, k) in pick(
        &|k| {
            plan.czkfbj[k].is_none()
                && !plan.yjjbnt[k]
                && !plan.stbhhx[k]
                && cultivated(years[0][k].dlbm)
        },
        34,
        3,
    )
    .into_iter()
    .enumerate()
    {
        projects.push((format!("P{:02}_城镇开发边界外仓储项目{}", i + 10, i + 1), k));
    }
    for (name, k) in &projects {
        let c = &counties[cells[*k].county];
        let rect = parcel_rect(&cells[*k].geom);
        let info = LayerInfo {
            name: name.clone(),
            crs: Some(c.crs),
            fields: vec![t("DKBH"), t("DKMC"), t("DKYT"), t("DLBM")],
            geometry_type: GeometryType::Polygon,
            feature_count: Some(1),
        };
        let use_ = if name.contains("道路") {
            ("交通用地", "1003")
        } else if name.contains("光伏") {
            ("光伏用地", "0601")
        } else if name.contains("仓储") {
            ("仓储用地", "0508")
        } else {
            ("工业用地", "0601")
        };
        write(
            &proj.join(format!("{name}.txt")),
            &info,
            &format!("{}-06-30", o.years[last]),
            TextEncoding::Gbk,
            std::iter::once(Feature {
                fid: None,
                geometry: Some(Geometry::Polygon(rect)),
                values: vec![s("1"), s(name), s(use_.0), s(use_.1)],
            }),
        )?;
    }
    log(&format!("wrote {} project TXT files", projects.len()));
    let km = write_road_plan(&src.join("special/roads.gpkg"), o.seed, DEMO_ROADS, 4.0)?;
    log(&format!(
        "wrote a road plan of {DEMO_ROADS} roads ({km:.0} km) for `onemap conflicts`"
    ));

    // Statistics inputs (用水总量, population, GDP) per county and year, synthetic.
    let stats = statistics(&counties, &o.years);
    let stats_csv = o.out.join("source/stats.csv");
    let mut csv =
        String::from("年份,行政区代码,名称,用水总量,常住人口,城镇常住人口,地区生产总值\n");
    for (year, code, name, v) in &stats {
        csv.push_str(&format!(
            "{year},{code},{name},{:.4},{:.2},{:.2},{:.2}\n",
            v[0], v[1], v[2], v[3]
        ));
    }
    std::fs::write(&stats_csv, csv).map_err(|e| format!("{}: {e}", stats_csv.display()))?;

    // Import through the ordinary import path.
    let mut datasets = 0;
    let mut warnings = 0;
    if o.import {
        let store_path = o.store.clone().unwrap_or_else(|| o.out.join("onemap.gpkg"));
        if o.store.is_none() {
            let _ = std::fs::remove_file(&store_path);
        }
        let mut store = onemap_store::open(&store_path).map_err(|e| e.to_string())?;
        if !store.datasets().map_err(|e| e.to_string())?.is_empty() {
            return Err(format!(
                "{}: the store already holds datasets; the demo imports into an empty one",
                store.location()
            ));
        }
        for (kind, year, name, path) in &files {
            let mut r =
                onemap_formats::open(path, &Default::default()).map_err(|e| e.to_string())?;
            let req = ImportRequest {
                kind: *kind,
                year: *year,
                name: Some(name.clone()),
                source: path.clone(),
                map: vec![],
                options: Options::default(),
                user: "onemap demo".into(),
                // The plan layers are the approved plan: version 1 of 内政字〔2024〕53号.
                plan: onemap_store::PLAN_KINDS
                    .contains(kind)
                    .then(|| onemap_store::PlanApproval {
                        version: 1,
                        approval: "内政字〔2024〕53号".into(),
                        approved_on: "2024-03-25".into(),
                        authority: "内蒙古自治区人民政府".into(),
                        note: "imported".into(),
                    }),
            };
            let out = store
                .import(&req, r.as_mut(), &mut |_| {})
                .map_err(|e| e.to_string())?;
            if out.dataset.is_none() {
                let first: Vec<String> = out
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .take(5)
                    .map(|f| format!("{} {}", f.check, f.message))
                    .collect();
                return Err(format!(
                    "{}: refused by the import checks: {}",
                    path.display(),
                    first.join("; ")
                ));
            }
            datasets += 1;
            warnings += out.findings.len() as u64;
        }
        let rows: Vec<onemap_store::StatRow> = stats
            .iter()
            .flat_map(|(year, code, _, v)| {
                ["water_use", "population", "urban_population", "gdp"]
                    .iter()
                    .zip(v)
                    .map(move |(key, value)| onemap_store::StatRow {
                        year: *year,
                        unit: code.clone(),
                        key: key.to_string(),
                        value: (value * 10_000.0).round() / 10_000.0,
                        source: "stats.csv".into(),
                    })
            })
            .collect();
        store
            .import_stats(&rows, &stats_csv.display().to_string(), "onemap demo")
            .map_err(|e| e.to_string())?;
        log(&format!(
            "imported {datasets} datasets into {} ({warnings} warnings)",
            store.location()
        ));
    }
    let summary = Summary {
        patches: cells.len(),
        totals,
        level1,
        plan: plan_totals,
        datasets,
        warnings,
    };
    write_readme(o, &counties, &summary, &projects)?;
    Ok(summary)
}

/// Synthetic statistics per year for the city and each county: 用水总量 (亿立方米),
/// 常住人口 and 城镇常住人口 (万人), 地区生产总值 (亿元). Water use falls slowly, the urban
/// share and the economy grow; the city's row is the sum of its counties'.
fn statistics(counties: &[tiling::County], years: &[i32]) -> Vec<(i32, String, String, [f64; 4])> {
    // Shares of population and water use by county (plausible, not official).
    let weight = |code: &str| -> (f64, f64) {
        match code {
            "150502" => (0.27, 0.14),
            "150521" => (0.17, 0.17),
            "150522" => (0.13, 0.15),
            "150523" => (0.13, 0.18),
            "150524" => (0.06, 0.06),
            "150525" => (0.14, 0.17),
            "150526" => (0.07, 0.10),
            _ => (0.03, 0.03),
        }
    };
    let mut out = Vec::new();
    for &y in years {
        let t = (y - 2020) as f64;
        let (water, pop, urban_share, gdp) = (
            20.4 * (1.0 - 0.006 * t),
            287.0 - 1.1 * t,
            0.52 + 0.012 * t,
            1300.0 * 1.055f64.powf(t),
        );
        let mut city = [0.0; 4];
        for c in counties {
            let (wp, ww) = weight(&c.code);
            let urban = if c.code == "150502" || c.code == "150581" {
                0.85
            } else {
                urban_share * 0.8
            };
            let v = [water * ww, pop * wp, pop * wp * urban, gdp * wp];
            for (sum, x) in city.iter_mut().zip(v) {
                *sum += x;
            }
            out.push((y, c.code.clone(), c.name.clone(), v));
        }
        out.push((y, "150500".to_string(), "通辽市".to_string(), city));
    }
    out
}

/// Whether a cell lies in the 洪涝风险控制线 (within 2 km of the flood-prone rivers).
fn flood_zone(cell: &tiling::Cell) -> bool {
    let (d, r) = geography::river(cell.lon, cell.lat);
    d < 2.0 && matches!(r, "西辽河" | "新开河" | "教来河")
}

/// A 120 m × 90 m project parcel around a point inside a patch, on whole metres.
fn parcel_rect(cell: &Polygon) -> Polygon {
    let ctr = geo::InteriorPoint::interior_point(cell)
        .map(|p| p.0)
        .unwrap_or(cell.exterior().0[0]);
    let (x, y) = (ctr.x.round(), ctr.y.round());
    Polygon::new(
        geo_types::LineString::from(vec![
            (x - 60.0, y - 45.0),
            (x + 60.0, y - 45.0),
            (x + 60.0, y + 45.0),
            (x - 60.0, y + 45.0),
            (x - 60.0, y - 45.0),
        ]),
        vec![],
    )
}

fn wanmu(cents: i64) -> String {
    onemap_geodesy::units::AreaUnit::WanMu.format(cents)
}

fn write_readme(
    o: &DemoOptions,
    counties: &[tiling::County],
    sm: &Summary,
    projects: &[(String, usize)],
) -> Result<(), String> {
    let mut r = String::new();
    r.push_str("# onemap 演示数据：合成的通辽市\n\n");
    r.push_str(&format!(
        "由 `onemap demo --patches {} --seed {} --years {}` 生成。真实的县级行政区界线（`data/tongliao/counties.geojson`）内，{} 个地类图斑无缝无重叠地铺满全市；地类按地理分布（西辽河平原耕地、科尔沁沙地、北部山地草原林地、城镇与村庄）放置，并按规划基期数值调校。数据为合成数据，不代表真实调查结果。\n\n",
        o.patches,
        o.seed,
        o.years.iter().map(|y| y.to_string()).collect::<Vec<_>>().join(","),
        sm.patches
    ));
    r.push_str("## 文件\n\n- `source/<年份>/DLTB_<县代码>.shp`：各年度各旗县市区地类图斑（GBK，.cpg，CGCS2000 3度带 40/41 带，三调字段）\n- `source/plan/*.gpkg`：永久基本农田、生态保护红线、城镇开发边界、基本草原、规划分区、洪涝风险控制区（EPSG:4490）\n- `source/xzq.gpkg`：县级行政区\n- `source/projects/*.txt`：报部格式项目红线（部分占用永久基本农田、生态保护红线或位于城镇开发边界外）\n- `source/special/roads.gpkg`：综合交通专项规划（规划公路，线要素，EPSG:4550，字段 BSM、XMMC、DLDJ、KD 路基宽度），用于 `onemap conflicts`\n- `source/stats.csv`：各年度各旗县市区用水总量、常住人口、城镇常住人口、地区生产总值（合成数据，已用 `onemap stats-input import` 的同一格式入库）\n- `onemap.gpkg`：以上全部经 `onemap import` 入库的一张图数据库\n\n");
    r.push_str("## 各年度耕地面积（万亩，图斑地类面积）\n\n| 旗县市区 |");
    for y in &o.years {
        r.push_str(&format!(" {y} |"));
    }
    r.push_str("\n|---|");
    for _ in &o.years {
        r.push_str("---:|");
    }
    r.push('\n');
    let mut city = vec![[0i64; 4]; o.years.len()];
    for c in counties {
        r.push_str(&format!("| {} {} |", c.code, c.name));
        for (i, y) in o.years.iter().enumerate() {
            let t = sm
                .totals
                .get(&(*y, c.code.clone()))
                .copied()
                .unwrap_or_default();
            for j in 0..4 {
                city[i][j] += t[j];
            }
            r.push_str(&format!(" {} |", wanmu(t[0])));
        }
        r.push('\n');
    }
    r.push_str("| **通辽市** |");
    for t in &city {
        r.push_str(&format!(" **{}** |", wanmu(t[0])));
    }
    r.push_str("\n\n## 各年度各旗县市区一级地类面积（公顷；田坎计入 12 其他土地）\n");
    for y in &o.years {
        r.push_str(&format!("\n### {y} 年\n\n| 旗县市区 |"));
        for (code, name) in onemap_survey::classes::LEVEL1 {
            r.push_str(&format!(" {code} {name} |"));
        }
        r.push_str(" 合计 |\n|---|");
        for _ in 0..14 {
            r.push_str("---:|");
        }
        r.push('\n');
        for c in counties {
            if let Some(l) = sm.level1.get(&(*y, c.code.clone())) {
                r.push_str(&format!("| {} |", c.name));
                for v in l {
                    r.push_str(&format!(
                        " {} |",
                        onemap_geodesy::units::AreaUnit::Hectare.format(*v)
                    ));
                }
                r.push_str(&format!(
                    " {} |\n",
                    onemap_geodesy::units::AreaUnit::Hectare.format(l.iter().sum())
                ));
            }
        }
    }
    r.push_str("\n## 全市其他总量\n\n| 年份 | 建设用地（公顷） | 城镇建设用地（公顷） | 图斑面积合计（平方千米） |\n|---|---:|---:|---:|\n");
    let ha = |c: i64| onemap_geodesy::units::AreaUnit::Hectare.format(c);
    let km2 = |c: i64| onemap_geodesy::units::AreaUnit::SquareKilometre.format(c);
    for (i, y) in o.years.iter().enumerate() {
        r.push_str(&format!(
            "| {y} | {} | {} | {} |\n",
            ha(city[i][1]),
            ha(city[i][2]),
            km2(city[i][3])
        ));
    }
    r.push_str("\n## 规划控制线（基期图斑面积之和）\n\n| 图层 | 面积 |\n|---|---:|\n");
    for (name, c) in &sm.plan {
        let v = match name.as_str() {
            "stbhhx" => format!(
                "{} 万平方千米",
                onemap_geodesy::units::AreaUnit::WanSquareKilometre.format(*c)
            ),
            "czkfbj" => format!(
                "{} 公顷（基期城镇建设用地 {} 公顷）",
                ha(*c),
                ha(city[0][2])
            ),
            _ => format!("{} 万亩", wanmu(*c)),
        };
        r.push_str(&format!("| {name} | {v} |\n"));
    }
    r.push_str(&format!(
        "\n## 项目红线\n\n{} 个 TXT 文件，见 `source/projects/`。\n\n",
        projects.len()
    ));
    if sm.datasets > 0 {
        r.push_str(&format!(
            "## 入库\n\n{} 个数据集导入 `onemap.gpkg`，质检警告共 {} 条。\n",
            sm.datasets, sm.warnings
        ));
    }
    std::fs::write(o.out.join("README.md"), r).map_err(|e| e.to_string())
}

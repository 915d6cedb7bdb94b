//! `onemap conflicts`: a special plan's layer against the one map (专项规划冲突检测).

use crate::check::CheckFormat;
use crate::store_cmds::StoreArg;
use crate::{InputArgs, PathArg, UsageError};
use geo_types::{Geometry, LineString, MultiLineString};
use onemap_formats::model::{Field, FieldType, GeometryType, LayerInfo};
use onemap_formats::{Feature, Value};
use onemap_geodesy::crs::Crs;
use onemap_review::conflicts::{
    analyse, conflict_pieces, read_special, report, ConflictOptions, ConflictReport,
    FeatureConflicts, PlanType, SpecialFeature, Width,
};
use onemap_review::{load_snapshot_with, Reviewer};
use onemap_survey::Kind;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `onemap conflicts`.
#[derive(clap::Args)]
pub struct Args {
    /// The special plan's layer: shapefile, GeoPackage, GeoJSON, FlatGeobuf (points, lines,
    /// polygons).
    file: PathArg,
    #[command(flatten)]
    input: InputArgs,
    /// The special plan's type: transport, water, energy, municipal, public, ecology,
    /// heritage, other. It sets the default widths and the review purpose of each feature.
    #[arg(long)]
    plan_type: String,
    /// A field holding each line's or point's width in metres.
    #[arg(long, conflicts_with = "width")]
    width_field: Option<String>,
    /// One width in metres for every line and point (default: by plan type — transport 26,
    /// water 20, energy 40 (towers 15), municipal 10, …; see docs/conflicts.md).
    #[arg(long)]
    width: Option<f64>,
    /// How far a line may be shifted each side when looking for a detour around 永久基本农田
    /// and 生态保护红线, metres.
    #[arg(long, default_value_t = 500.0)]
    corridor: f64,
    /// Survey year to review against (default: the latest in the store).
    #[arg(long)]
    year: Option<i32>,
    #[command(flatten)]
    as_of: crate::AsOfArg,
    #[command(flatten)]
    store: StoreArg,
    /// Plan file (default: $ONEMAP_PLAN, else the built-in Tongliao plan).
    #[arg(long)]
    plan: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: CheckFormat,
    /// Write the output to a file instead of stdout (required for docx). A `.gpkg` file gets
    /// the conflict pieces, the footprints and the suggested shifts for QGIS, and the format
    /// still goes to stdout.
    #[arg(long)]
    out: Option<PathBuf>,
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
    use onemap_review::conflicts::FeatureShape;
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

/// Run `onemap conflicts`.
pub fn run(a: Args) -> anyhow::Result<()> {
    let opts =
        options(&a.plan_type, a.width, a.width_field.as_deref(), a.corridor).map_err(UsageError)?;
    let gpkg = a.out.as_deref().filter(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gpkg"))
    });
    if a.format == CheckFormat::Docx && (a.out.is_none() || gpkg.is_some()) {
        return Err(UsageError("--format docx needs --out FILE.docx".into()).into());
    }
    let plan = onemap_plan::load(a.plan.as_deref())?;
    let features = read_special(&a.file, &a.input.read_options()?, &opts)?;
    let store = a.store.open_store()?;
    let snap = crate::snapshot_with_progress(|p| {
        load_snapshot_with(&*store, &plan, a.year, a.as_of.get(), &[Kind::Xzq], p)
    })?;
    let reviewer = Reviewer::new(&snap, &plan, a.year)?.also_measure(&[Kind::Xzq]);
    let started = std::time::Instant::now();
    let analysed: Vec<FeatureConflicts> = analyse(&reviewer, &features, &opts)
        .into_iter()
        .map(|x| x.0)
        .collect();
    let mut notes = Vec::new();
    if snap.layer(Kind::Xzq).is_none() {
        notes.push(
            "库中没有行政区（xzq）图层：不能按县分组，也不能判断要素是否位于规划范围以内。"
                .to_string(),
        );
    }
    let rep = report(&opts, reviewer.year(), analysed.clone(), notes);
    eprintln!(
        "{} features analysed in {:.2} s: {} with conflicts, {} without, {} outside the plan area",
        features.len(),
        started.elapsed().as_secs_f64(),
        rep.summary.with_conflicts,
        rep.summary.without_conflicts,
        rep.summary.outside_plan_area
    );
    if let Some(path) = gpkg {
        write_gpkg(path, &reviewer, &features, &analysed)?;
    }
    let name = a.file.file_name().map_or_else(
        || a.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let bytes: Vec<u8> = match a.format {
        CheckFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&serde_json::json!({
                "file": a.file.display().to_string(),
                "plan": plan.plan.name,
                "report": rep,
            }))?;
            v.push(b'\n');
            v
        }
        CheckFormat::Table => table(&rep).into_bytes(),
        CheckFormat::Html | CheckFormat::Docx => {
            let meta = onemap_report::conflicts::ConflictMeta {
                file: name.clone(),
                date: onemap_formats::today(),
                width: width_words(&opts),
            };
            let doc =
                onemap_report::conflicts::conflicts_report(&rep, &features, &snap, &plan, &meta);
            if a.format == CheckFormat::Html {
                doc.to_html().into_bytes()
            } else {
                doc.to_docx()?
            }
        }
    };
    match a.out.as_deref().filter(|_| gpkg.is_none()) {
        Some(p) => {
            let mut f = onemap_formats::AtomicFile::create(p)?;
            f.write_all(&bytes)?;
            f.commit()?;
        }
        None => std::io::stdout().write_all(&bytes)?,
    }
    if matches!(a.format, CheckFormat::Html | CheckFormat::Docx) {
        let dest = a
            .out
            .as_ref()
            .map_or_else(|| "stdout".to_string(), |p| p.display().to_string());
        crate::audit::record_report(
            &a.store,
            &format!("{name} 专项规划符合性分析报告"),
            &dest,
            &bytes,
        )?;
    }
    Ok(())
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
) -> anyhow::Result<()> {
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
        let (Some(t), Some(lines)) = (&c.detour, onemap_review::conflicts::shifted_lines(sf, c))
        else {
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

fn table(r: &ConflictReport) -> String {
    let s = &r.summary;
    let mut o = format!(
        "{}: {} features ({:.3} km of line, {:.4} ha of footprint) against the {} survey\n  {} with conflicts, {} without, {} outside the plan area\n",
        r.plan_type_name, s.features, s.length_km, s.footprint_ha, r.year, s.with_conflicts, s.without_conflicts, s.outside_plan_area
    );
    for l in &s.layers {
        o.push_str(&format!(
            "  {:<20} {:>6} features {:>14.4} ha {:>12.3} km\n",
            l.name, l.features, l.overlap_ha, l.length_km
        ));
    }
    o.push_str("by county:\n");
    for c in &r.counties {
        o.push_str(&format!(
            "  {} {}: {} features, {} with conflicts\n",
            c.code.as_deref().unwrap_or(""),
            c.name.as_deref().unwrap_or(""),
            c.features,
            c.with_conflicts
        ));
    }
    for f in &r.features {
        o.push_str(&format!(
            "feature {}{}{}: {} — {}\n",
            f.index,
            f.id.as_deref()
                .map(|i| format!(" [{i}]"))
                .unwrap_or_default(),
            f.name
                .as_deref()
                .map(|i| format!(" {i}"))
                .unwrap_or_default(),
            f.geometry_type.chinese(),
            f.verdict
        ));
        for c in &f.conflicts {
            o.push_str(&format!(
                "  {:<20} {:>14.2} m² {:>12} {}\n",
                c.name,
                c.overlap_m2,
                c.length_m.map_or(String::new(), |l| format!("{l:.2} m")),
                c.verdict.id()
            ));
        }
        if let Some(t) = &f.detour {
            o.push_str(&format!(
                "  detour: shift {:+.0} m → overlap {:.2} m² (was {:.2}){}\n",
                t.offset_m,
                t.overlap_m2,
                t.before_m2,
                if t.avoids { ", avoids" } else { "" }
            ));
        }
    }
    o
}

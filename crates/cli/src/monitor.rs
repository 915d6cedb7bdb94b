//! `onemap monitor`: change between two survey years — transition matrix and alerts.

use crate::store_cmds::StoreArg;
use crate::{OutputFormat, UsageError};
use onemap_formats::{Feature, Field, FieldType, GeometryType, LayerInfo, Value};
use onemap_geodesy::crs::Crs;
use onemap_monitor::{monitor, Report};
use onemap_overlay::{Snapshot, SnapshotRequest};
use onemap_store::{os_user, AlertRecord};
use onemap_survey::Kind;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;

/// Arguments of `onemap monitor`.
#[derive(clap::Args)]
pub struct Args {
    /// Earlier survey year.
    #[arg(long)]
    from: i32,
    /// Later survey year.
    #[arg(long)]
    to: i32,
    /// 1 = 一级类, 2 = 二级类 (DLBM).
    #[arg(long, default_value_t = 1)]
    level: u8,
    /// Plan file (default: $ONEMAP_PLAN, else the built-in Tongliao plan).
    #[arg(long)]
    plan: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    as_of: crate::AsOfArg,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
    /// Write the alert pieces with their fields to a GeoPackage, shapefile or GeoJSON.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Run `onemap monitor`.
pub fn run(a: Args) -> anyhow::Result<()> {
    if a.from >= a.to {
        return Err(UsageError(format!("--from {} must be before --to {}", a.from, a.to)).into());
    }
    if !matches!(a.level, 1 | 2) {
        return Err(UsageError(format!("--level {}: use 1 or 2", a.level)).into());
    }
    if a.format == OutputFormat::Csv {
        return Err(UsageError("monitor prints table or json".into()).into());
    }
    let plan = onemap_plan::load(a.plan.as_deref())?;
    let mut store = a.store.open_store()?;
    let snap = crate::snapshot_with_progress(|p| {
        Snapshot::load(
            &*store,
            &SnapshotRequest {
                survey_years: vec![a.from, a.to],
                kinds: vec![Kind::Yjjbnt, Kind::Stbhhx, Kind::Czkfbj],
                as_of: a.as_of.as_of.clone(),
            },
            p,
        )
    })?;
    let previous: HashSet<String> = store
        .monitor_runs()?
        .iter()
        .rev()
        .find(|r| r.from == a.from && r.to == a.to)
        .map(|r| store.alerts(r.id))
        .transpose()?
        .unwrap_or_default()
        .into_iter()
        .map(|x| x.id)
        .collect();
    let report =
        monitor(&snap, a.from, a.to, &plan, a.level, &previous).map_err(anyhow::Error::msg)?;
    // Record the run: its inputs (datasets with hashes) and the rules that ran.
    let inputs: Vec<serde_json::Value> = snap
        .layers()
        .flat_map(|l| l.datasets().iter())
        .map(|d| serde_json::json!({"id": d.id, "sha256": d.sha256}))
        .collect();
    let rules = serde_json::json!({
        "plan": plan.plan.name,
        "rules": plan.monitor.alerts.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        "min_area_m2": plan.monitor.min_area_m2,
    });
    let records: Vec<AlertRecord> = report
        .alerts
        .iter()
        .map(|x| {
            let mut wkb = Vec::new();
            onemap_formats::wkb::encode(
                &geo_types::Geometry::MultiPolygon(x.geometry.clone()),
                &mut wkb,
            );
            AlertRecord {
                id: x.id.clone(),
                rule: x.rule.clone(),
                severity: x.severity.clone(),
                unit: x.unit.clone(),
                township: x.township.clone(),
                area_m2: x.area_m2,
                from_dlbm: x.from_dlbm.clone(),
                to_dlbm: x.to_dlbm.clone(),
                wkb,
            }
        })
        .collect();
    let run = store.record_alerts(
        a.from,
        a.to,
        &serde_json::Value::Array(inputs).to_string(),
        &rules.to_string(),
        &os_user(),
        &records,
    )?;
    if let Some(out) = &a.out {
        write_alerts(out, &report)?;
    }
    match a.format {
        OutputFormat::Json => {
            let mut v = serde_json::to_value(&report)?;
            v["run"] = serde_json::json!(run.id);
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        _ => print!("{}", table(&report, run.id)),
    }
    Ok(())
}

fn write_alerts(out: &std::path::Path, r: &Report) -> anyhow::Result<()> {
    let t = |n: &str| Field::new(n, FieldType::Text);
    let info = LayerInfo {
        name: format!("alerts_{}_{}", r.from, r.to),
        crs: Some(Crs::Cgcs2000),
        fields: vec![
            t("id"),
            t("rule"),
            t("name"),
            t("severity"),
            t("unit"),
            t("township"),
            Field {
                name: "area_m2".into(),
                ty: FieldType::Float,
                width: 0,
                decimals: 2,
            },
            t("from_dlbm"),
            t("to_dlbm"),
            t("from_bsm"),
            t("to_bsm"),
            Field::new("new", FieldType::Bool),
        ],
        geometry_type: GeometryType::Polygon,
        feature_count: Some(r.alerts.len() as u64),
    };
    let opts = onemap_formats::WriteOptions {
        encoding: None,
        date: None,
    };
    let mut w = onemap_formats::create(out, &info, &opts)?;
    for x in &r.alerts {
        let s = |v: &str| Value::Text(v.to_string());
        w.write_feature(&Feature {
            fid: None,
            geometry: Some(geo_types::Geometry::MultiPolygon(x.geometry.clone())),
            values: vec![
                s(&x.id),
                s(&x.rule),
                s(&x.name),
                s(&x.severity),
                s(&x.unit),
                s(&x.township),
                Value::Float(x.area_m2),
                s(&x.from_dlbm),
                s(&x.to_dlbm),
                s(&x.from_bsm),
                s(&x.to_bsm),
                Value::Bool(x.new),
            ],
        })?;
    }
    w.finish()?;
    eprintln!("wrote {} alerts to {}", r.alerts.len(), out.display());
    Ok(())
}

fn table(r: &Report, run: i64) -> String {
    let mut s = format!(
        "{}→{} (run {run}): {} pieces, {} unchanged geometry, {} changed class\n",
        r.from, r.to, r.pieces, r.identical, r.changed
    );
    let codes: BTreeSet<&str> = r
        .transitions
        .iter()
        .flat_map(|t| [t.from.as_str(), t.to.as_str()])
        .collect();
    let m: BTreeMap<(&str, &str), f64> = r
        .transitions
        .iter()
        .map(|t| ((t.from.as_str(), t.to.as_str()), t.area_m2))
        .collect();
    s.push_str("转移矩阵（公顷；行为前一年，列为后一年）\n      ");
    for c in &codes {
        s.push_str(&format!("{c:>12}"));
    }
    s.push('\n');
    for f in &codes {
        s.push_str(&format!("{f:<6}"));
        for t in &codes {
            let v = m.get(&(*f, *t)).copied().unwrap_or(0.0);
            s.push_str(&format!("{:>12.2}", v / 1e4));
        }
        s.push('\n');
    }
    let mut by_rule: BTreeMap<&str, (usize, f64, usize)> = BTreeMap::new();
    for x in &r.alerts {
        let e = by_rule.entry(x.rule.as_str()).or_default();
        e.0 += 1;
        e.1 += x.area_m2;
        e.2 += usize::from(x.new);
    }
    s.push_str("预警\n");
    for (rule, (n, area, new)) in by_rule {
        s.push_str(&format!(
            "  {rule:<26} {n:>6} pieces {:>12.2} 公顷  ({new} new)\n",
            area / 1e4
        ));
    }
    s
}

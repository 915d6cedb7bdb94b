//! `onemap area`.

use crate::{InputArgs, OutputFormat, PathArg};
use clap::ValueEnum;
use onemap_formats::model::polygon_rings;
use onemap_formats::{open, FeatureReader, FieldType, Value};
use onemap_geodesy::crs::Crs;
use onemap_geodesy::sandiao::{to_cents, AreaFrame};
use onemap_geodesy::units::{fixed, AreaUnit};
use onemap_geodesy::AreaMethod;
use serde_json::json;
use std::io::Write;

/// Area method option.
#[derive(Clone, Copy, Debug, ValueEnum, Default)]
pub enum Method {
    /// The land survey's method (standards §5): official figures.
    #[default]
    Sandiao,
    /// GeographicLib geodesic polygon area (a plausibility check).
    Geodesic,
}

/// Arguments of `onemap area`.
#[derive(clap::Args)]
pub struct Args {
    /// Input file (.txt, .shp, .gpkg, .geojson, .fgb).
    file: PathArg,
    #[command(flatten)]
    input: InputArgs,
    /// Area method.
    #[arg(long, value_enum, default_value_t)]
    method: Method,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

/// One feature's area.
pub struct Row {
    /// 0-based index in file order.
    pub index: u64,
    /// 地块编号 / BSM / id.
    pub id: Option<String>,
    /// Area in cents of m².
    pub cents: i64,
}

/// Areas of every polygon feature of a file.
pub fn areas(
    file: &std::path::Path,
    input: &InputArgs,
    method: AreaMethod,
) -> anyhow::Result<(Crs, Vec<Row>, Vec<String>)> {
    if file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("txt"))
    {
        // Every parcel of a TXT is a feature, 线 and 点 included: index them by file position
        // (the parsed file, read once).
        let mut r = onemap_formats::txt::TxtReader::open(file)?;
        if let Some(c) = input.read_options()?.crs {
            r.set_crs(c);
        }
        let crs = r
            .info()
            .crs
            .ok_or_else(|| anyhow::anyhow!("{}: no CRS", file.display()))?;
        let frame = crs.area_frame().unwrap_or(AreaFrame::LonLat);
        let mut rows = Vec::new();
        for (i, p) in r.file().parcels.iter().enumerate() {
            let Some(g) = p.geometry() else { continue };
            let area = method.feature_area(
                frame,
                polygon_rings(&g)
                    .iter()
                    .map(|(r, hole)| (r.0.iter().map(|c| [c.x, c.y]), *hole)),
            );
            rows.push(Row {
                index: i as u64,
                id: Some(p.id.clone()),
                cents: to_cents(area),
            });
        }
        return Ok((crs, rows, r.warnings()));
    }
    let mut r = open(file, &input.read_options()?)?;
    let info = r.info().clone();
    let crs = info
        .crs
        .ok_or_else(|| anyhow::anyhow!("{}: no CRS", file.display()))?;
    // Web Mercator is converted to longitude/latitude first; it is never measured in the plane.
    let frame = crs.area_frame().unwrap_or(AreaFrame::LonLat);
    let id_field = ["BSM", "DKBH", "id"]
        .iter()
        .find_map(|n| info.field_index(n));
    let is_json = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("geojson") || e.eq_ignore_ascii_case("json"));
    let mut rows = Vec::new();
    let mut index = 0u64;
    while let Some(mut f) = r.read_feature()? {
        let i = index;
        index += 1;
        let Some(g) = &mut f.geometry else { continue };
        if crs == Crs::WebMercator {
            onemap_formats::model::map_coords(g, &|p| crs.to_lonlat(p));
        }
        let rings = polygon_rings(g);
        if rings.is_empty() {
            continue;
        }
        let area = method.feature_area(
            frame,
            rings
                .iter()
                .map(|(r, hole)| (r.0.iter().map(|c| [c.x, c.y]), *hole)),
        );
        let id = if is_json && f.fid.is_some() && id_field.is_none() {
            f.fid.clone()
        } else {
            id_field.and_then(|k| match (&f.values[k], info.fields[k].ty) {
                (Value::Float(x), FieldType::Float) if x.fract() == 0.0 => Some(format!("{x:.0}")),
                (v, _) => v.as_text(),
            })
        };
        rows.push(Row {
            index: i,
            id,
            cents: to_cents(area),
        });
    }
    Ok((crs, rows, r.warnings()))
}

/// Run `onemap area`.
pub fn run(a: Args) -> anyhow::Result<()> {
    let method = match a.method {
        Method::Sandiao => AreaMethod::Sandiao,
        Method::Geodesic => AreaMethod::Geodesic,
    };
    let (crs, rows, warnings) = areas(&a.file, &a.input, method)?;
    for w in &warnings {
        eprintln!("warning: {}: {w}", a.file.display());
    }
    let total: i64 = rows.iter().map(|r| r.cents).sum();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let m2 = |c: i64| AreaUnit::SquareMetre.value(c);
    match a.format {
        OutputFormat::Json => {
            let features: Vec<_> = rows
                .iter()
                .map(|r| {
                    json!({
                        "index": r.index,
                        "id": r.id,
                        "area_m2": m2(r.cents),
                        "area_mu": AreaUnit::Mu.value(r.cents),
                        "area_ha": AreaUnit::Hectare.value(r.cents),
                    })
                })
                .collect();
            let doc = json!({
                "file": a.file.display().to_string(),
                "crs": crs.code(),
                "method": method.id(),
                "features": features,
                "total_m2": m2(total),
            });
            writeln!(out, "{doc}")?;
        }
        OutputFormat::Csv => {
            writeln!(out, "index,id,area_m2,area_mu,area_ha")?;
            for r in &rows {
                let [m, mu, ha] = m2_mu_ha(r.cents);
                writeln!(
                    out,
                    "{},{},{m},{mu},{ha}",
                    r.index,
                    csv_field(r.id.as_deref().unwrap_or(""))
                )?;
            }
            let [m, mu, ha] = m2_mu_ha(total);
            writeln!(out, "total,,{m},{mu},{ha}")?;
        }
        OutputFormat::Table => {
            writeln!(out, "{}  {}  method {}", a.file.display(), crs, method.id())?;
            let idw = rows
                .iter()
                .filter_map(|r| r.id.as_ref().map(|s| s.chars().count()))
                .max()
                .unwrap_or(2)
                .max(2);
            writeln!(
                out,
                "{:>7}  {:<idw$}  {:>16}  {:>14}  {:>12}",
                "index", "id", "area_m2", "area_mu", "area_ha"
            )?;
            for r in &rows {
                let [m, mu, ha] = m2_mu_ha(r.cents);
                writeln!(
                    out,
                    "{:>7}  {:<idw$}  {m:>16}  {mu:>14}  {ha:>12}",
                    r.index,
                    r.id.as_deref().unwrap_or("-")
                )?;
            }
            let [m, mu, ha] = m2_mu_ha(total);
            writeln!(
                out,
                "total ({} features): {m} 平方米 = {mu} 亩 = {ha} 公顷",
                rows.len()
            )?;
        }
    }
    Ok(())
}

/// An area in cents as (m², 亩, 公顷) text with the standard's decimals.
fn m2_mu_ha(c: i64) -> [String; 3] {
    [
        fixed(c as i128, 2),
        AreaUnit::Mu.format(c),
        AreaUnit::Hectare.format(c),
    ]
}

/// Quote a CSV field when needed.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

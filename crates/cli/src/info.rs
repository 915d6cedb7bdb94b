//! `onemap info`: what a file holds (like `ogrinfo -so`), reading every feature.

use crate::{InputArgs, OutputFormat, PathArg};
use onemap_formats::model::bbox;
use onemap_formats::{open, FieldType};
use serde_json::json;

/// Arguments of `onemap info`.
#[derive(clap::Args)]
pub struct Args {
    /// Input file.
    file: PathArg,
    #[command(flatten)]
    input: InputArgs,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

/// Run `onemap info`.
pub fn run(a: Args) -> anyhow::Result<()> {
    let mut r = open(&a.file, &a.input.read_options()?)?;
    let info = r.info().clone();
    let mut n = 0u64;
    let mut vertices = 0u64;
    let mut ext = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    while let Some(f) = r.read_feature()? {
        n += 1;
        if let Some(g) = &f.geometry {
            onemap_formats::model::for_each_coord(g, &mut |_| vertices += 1);
            if let Some(b) = bbox(g) {
                ext = [
                    ext[0].min(b[0]),
                    ext[1].min(b[1]),
                    ext[2].max(b[2]),
                    ext[3].max(b[3]),
                ];
            }
        }
    }
    let ty = |t: FieldType| match t {
        FieldType::Int => "integer",
        FieldType::Float => "real",
        FieldType::Text => "text",
        FieldType::Bool => "boolean",
        FieldType::Date => "date",
    };
    let crs = info.crs.map(|c| c.code());
    let extent = ext[0].is_finite().then_some(ext);
    if a.format == OutputFormat::Json {
        let fields: Vec<_> = info
            .fields
            .iter()
            .map(|f| json!({"name": f.name, "type": ty(f.ty)}))
            .collect();
        println!(
            "{}",
            json!({"file": a.file.display().to_string(), "layer": info.name, "crs": crs, "geometry_type": format!("{:?}", info.geometry_type).to_lowercase(),
                   "features": n, "vertices": vertices, "extent": extent, "fields": fields, "warnings": r.warnings()})
        );
        return Ok(());
    }
    println!("file:      {}", a.file.display());
    println!("layer:     {}", info.name);
    println!(
        "crs:       {}",
        info.crs.map_or("none".into(), |c| c.to_string())
    );
    println!("geometry:  {:?}", info.geometry_type);
    println!("features:  {n} ({vertices} vertices)");
    if let Some(e) = extent {
        println!("extent:    {} {} — {} {}", e[0], e[1], e[2], e[3]);
    }
    println!("fields:");
    for f in &info.fields {
        println!("  {} ({})", f.name, ty(f.ty));
    }
    for w in r.warnings() {
        println!("warning: {w}");
    }
    Ok(())
}

//! `onemap convert`.

use crate::{parse_crs, parse_encoding, InputArgs, PathArg, UsageError};
use onemap_formats::model::{bbox, map_coords};
use onemap_formats::{create, open, Format, WriteOptions};
use onemap_geodesy::crs::{Crs, GaussKruger, Transform};

/// Arguments of `onemap convert`.
#[derive(clap::Args)]
pub struct Args {
    /// Input file (.txt, .shp, .gpkg, .geojson, .fgb).
    input: PathArg,
    /// Output file; the format follows the extension.
    output: PathArg,
    #[command(flatten)]
    read: InputArgs,
    /// Target CRS, e.g. EPSG:4490 or EPSG:4528.
    #[arg(long)]
    to_crs: Option<String>,
    /// Target CGCS2000 Gauss–Krüger zone with prefixed eastings: 25–45 (3°) or 13–23 (6°).
    #[arg(long)]
    zone: Option<u32>,
    /// Attribute encoding of the output (Shapefile DBF, TXT): gbk or utf-8. Default: the
    /// input shapefile's encoding, else UTF-8.
    #[arg(long)]
    out_encoding: Option<String>,
}

/// Run `onemap convert`.
pub fn run(a: Args) -> anyhow::Result<()> {
    let out_format = Format::of(&a.output)?;
    if a.input == a.output {
        return Err(UsageError("input and output are the same file".into()).into());
    }
    let mut r = open(&a.input, &a.read.read_options()?)?;
    let mut info = r.info().clone();
    let src = info
        .crs
        .ok_or_else(|| anyhow::anyhow!("{}: no CRS", a.input.display()))?;
    let explicit = match (&a.to_crs, a.zone) {
        (Some(_), Some(_)) => {
            return Err(UsageError("give --to-crs or --zone, not both".into()).into())
        }
        (Some(c), None) => Some(parse_crs(c)?),
        (None, Some(z)) => {
            let width = if (13..=23).contains(&z) { 6 } else { 3 };
            Some(Crs::GaussKruger(
                GaussKruger::new(width, z as i64, true)
                    .map_err(|e| UsageError(format!("--zone {z}: {e}")))?,
            ))
        }
        (None, None) => None,
    };
    // Features are streamed, except when the target zone of a TXT must be found from the data.
    let mut buffered = None;
    let target = match explicit {
        Some(c) => c,
        None if out_format.requires_lonlat() && !src.is_geographic() => Crs::Cgcs2000,
        None if out_format == Format::Txt && !matches!(src, Crs::GaussKruger(_)) => {
            let all = onemap_formats::read_all(r.as_mut())?;
            let mut lon = (f64::INFINITY, f64::NEG_INFINITY);
            for g in all
                .iter()
                .filter_map(|f| f.geometry.as_ref())
                .filter_map(bbox)
            {
                for x in [g[0], g[2]] {
                    let ll = src.to_lonlat([x, g[1]]);
                    lon = (lon.0.min(ll[0]), lon.1.max(ll[0]));
                }
            }
            buffered = Some(all);
            if !lon.0.is_finite() {
                return Err(anyhow::anyhow!(
                    "{}: no geometry to place in a zone",
                    a.input.display()
                ));
            }
            let z = GaussKruger::zone_of(3, (lon.0 + lon.1) / 2.0, true)?;
            eprintln!(
                "note: writing CGCS2000 3° zone {} (EPSG:{}); choose another with --zone",
                z.zone,
                z.epsg()
            );
            Crs::GaussKruger(z)
        }
        None => src,
    };
    if out_format.requires_lonlat() && !target.is_geographic() {
        eprintln!("note: {} will carry a legacy \"crs\" member; RFC 7946 GeoJSON is longitude/latitude (EPSG:4490)", a.output.display());
    }
    let t = Transform::new(src, target);
    info.crs = Some(target);
    // Default: the input's own encoding (a GBK shapefile stays GBK), else UTF-8.
    let enc = match parse_encoding(a.out_encoding.as_deref())? {
        Some(e) => Some(e),
        None => r.text_encoding(),
    };
    let mut w = create(
        &a.output,
        &info,
        &WriteOptions {
            encoding: enc,
            ..Default::default()
        },
    )?;
    let mut n = 0u64;
    let mut write = |mut f: onemap_formats::Feature| -> anyhow::Result<()> {
        if !t.is_identity() {
            if let Some(g) = &mut f.geometry {
                map_coords(g, &|p| t.apply(p));
            }
        }
        w.write_feature(&f)?;
        n += 1;
        Ok(())
    };
    match buffered {
        Some(all) => all.into_iter().try_for_each(&mut write)?,
        None => {
            while let Some(f) = r.read_feature()? {
                write(f)?;
            }
        }
    }
    w.finish()?;
    for warning in r.warnings() {
        eprintln!("warning: {}: {warning}", a.input.display());
    }
    eprintln!("wrote {n} features to {} ({})", a.output.display(), target);
    Ok(())
}

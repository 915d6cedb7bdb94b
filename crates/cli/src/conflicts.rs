//! `onemap conflicts`: a special plan's layer against the one map (专项规划冲突检测).

use crate::check::CheckFormat;
use crate::{InputArgs, PathArg, UsageError};
use onemap_review::conflicts::{
    analyse, options, read_special, report, width_words, write_gpkg, ConflictReport,
    FeatureConflicts,
};
use onemap_review::{load_snapshot_with, Reviewer};
use onemap_survey::Kind;
use std::path::PathBuf;

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
    #[command(flatten)]
    against: crate::check::Against,
    /// Write the output to a file instead of stdout (required for docx). A `.gpkg` file gets
    /// the conflict pieces, the footprints and the suggested shifts for QGIS, and the format
    /// still goes to stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Run `onemap conflicts`.
pub fn run(a: Args) -> anyhow::Result<()> {
    let g = &a.against;
    let opts =
        options(&a.plan_type, a.width, a.width_field.as_deref(), a.corridor).map_err(UsageError)?;
    let gpkg = a.out.as_deref().filter(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("gpkg"))
    });
    if g.format == CheckFormat::Docx && (a.out.is_none() || gpkg.is_some()) {
        return Err(UsageError("--format docx needs --out FILE.docx".into()).into());
    }
    let plan = onemap_plan::load(g.plan.as_deref())?;
    let features = read_special(&a.file, &a.input.read_options()?, &opts)?;
    let store = g.store.open_store()?;
    let snap = crate::snapshot_with_progress(|p| {
        load_snapshot_with(&*store, &plan, g.year, g.as_of.get(), &[Kind::Xzq], p)
    })?;
    let reviewer = Reviewer::new(&snap, &plan, g.year)?.also_measure(&[Kind::Xzq]);
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
    let name = crate::check::file_name(&a.file);
    let bytes: Vec<u8> = match g.format {
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
            if g.format == CheckFormat::Html {
                doc.to_html().into_bytes()
            } else {
                doc.to_docx()?
            }
        }
    };
    crate::check::emit(
        &bytes,
        a.out.as_deref().filter(|_| gpkg.is_none()),
        g.format,
        &g.store,
        &format!("{name} 专项规划符合性分析报告"),
    )
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

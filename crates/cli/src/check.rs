//! `onemap check`: project compliance review against the three control lines.

use crate::store_cmds::StoreArg;
use crate::{InputArgs, PathArg, UsageError};
use clap::ValueEnum;
use onemap_review::{load_snapshot, read_parcels, ParcelReview, Purpose, Reviewer};
use std::io::Write;
use std::path::PathBuf;

/// Output formats of `check`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum CheckFormat {
    /// A summary for people.
    #[default]
    Table,
    /// One JSON object.
    Json,
    /// The review report (建设项目用地合规性审查报告) as self-contained HTML.
    Html,
    /// The review report as a Word document.
    Docx,
}

/// Arguments of `onemap check`.
#[derive(clap::Args)]
pub struct Args {
    /// The project's parcel file: coordinate TXT, shapefile, GeoPackage, GeoJSON, FlatGeobuf.
    file: PathArg,
    #[command(flatten)]
    input: InputArgs,
    /// Project purpose for every parcel: urban, linear, rural, other (default: from the TXT's
    /// 地块用途, else other).
    #[arg(long)]
    purpose: Option<String>,
    #[command(flatten)]
    against: Against,
    /// Write the output to a file instead of stdout (required for docx).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// What a review runs against and prints: shared by `check` and `conflicts`.
#[derive(clap::Args)]
pub struct Against {
    /// Survey year to review against (default: the latest in the store).
    #[arg(long)]
    pub year: Option<i32>,
    #[command(flatten)]
    pub as_of: crate::AsOfArg,
    #[command(flatten)]
    pub store: StoreArg,
    /// Plan file (default: $ONEMAP_PLAN, else the built-in Tongliao plan).
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: CheckFormat,
}

/// Run `onemap check`.
pub fn run(a: Args) -> anyhow::Result<()> {
    let g = &a.against;
    let purpose = a
        .purpose
        .as_deref()
        .map(|p| {
            Purpose::parse(p).ok_or_else(|| {
                UsageError(format!(
                    "--purpose {p:?}: use urban, linear, rural or other"
                ))
            })
        })
        .transpose()?;
    if g.format == CheckFormat::Docx && a.out.is_none() {
        return Err(UsageError("--format docx needs --out FILE.docx".into()).into());
    }
    let plan = onemap_plan::load(g.plan.as_deref())?;
    let parcels = read_parcels(&a.file, &a.input.read_options()?, purpose, &plan)?;
    let store = g.store.open_store()?;
    let snap =
        crate::snapshot_with_progress(|p| load_snapshot(&*store, &plan, g.year, g.as_of.get(), p))?;
    let reviewer = Reviewer::new(&snap, &plan, g.year)?;
    let reviews: Vec<ParcelReview> = parcels.iter().map(|p| reviewer.review(p)).collect();
    let bytes: Vec<u8> = match g.format {
        CheckFormat::Json => {
            let mut v = serde_json::to_vec_pretty(&serde_json::json!({
                "file": a.file.display().to_string(),
                "year": reviewer.year(),
                "plan": plan.plan.name,
                "parcels": reviews,
            }))?;
            v.push(b'\n');
            v
        }
        CheckFormat::Table => table(&reviews, reviewer.year()).into_bytes(),
        CheckFormat::Html | CheckFormat::Docx => {
            let meta = onemap_report::review::ReviewMeta {
                file: file_name(&a.file),
                date: onemap_formats::today(),
                year: reviewer.year(),
            };
            let doc = onemap_report::review::review_report(&reviews, &parcels, &snap, &plan, &meta);
            if g.format == CheckFormat::Html {
                doc.to_html().into_bytes()
            } else {
                doc.to_docx()?
            }
        }
    };
    emit(
        &bytes,
        a.out.as_deref(),
        g.format,
        &g.store,
        &format!("{} 审查报告", file_name(&a.file)),
    )
}

/// A file's name for reports (the path when it has none).
pub fn file_name(p: &std::path::Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Write the output to `out` (atomically) or stdout; a report (HTML, DOCX) is recorded in the
/// store's audit trail as `what`, with its destination and digest.
pub fn emit(
    bytes: &[u8],
    out: Option<&std::path::Path>,
    format: CheckFormat,
    store: &StoreArg,
    what: &str,
) -> anyhow::Result<()> {
    match out {
        Some(p) => {
            let mut f = onemap_formats::AtomicFile::create(p)?;
            f.write_all(bytes)?;
            f.commit()?;
        }
        None => std::io::stdout().write_all(bytes)?,
    }
    if matches!(format, CheckFormat::Html | CheckFormat::Docx) {
        let dest = out.map_or_else(|| "stdout".to_string(), |p| p.display().to_string());
        crate::audit::record_report(store, what, &dest, bytes)?;
    }
    Ok(())
}

fn table(reviews: &[ParcelReview], year: i32) -> String {
    let mut s = String::new();
    for r in reviews {
        s.push_str(&format!(
            "parcel {}{}{}: {:.2} m², purpose {} — {} ({})\n",
            r.index,
            r.id.as_deref()
                .map(|i| format!(" [{i}]"))
                .unwrap_or_default(),
            r.name
                .as_deref()
                .map(|i| format!(" {i}"))
                .unwrap_or_default(),
            r.area_m2,
            r.purpose.id(),
            r.verdict.id().to_uppercase(),
            r.verdict.chinese()
        ));
        for reason in &r.reasons {
            s.push_str(&format!("  - {reason}\n"));
        }
        for c in &r.controls {
            s.push_str(&format!(
                "  {:<24} {:>14.2} m² {:>12.4} 亩  {}\n",
                c.name, c.overlap_m2, c.overlap_mu, c.verdict
            ));
        }
        if let Some(u) = &r.udb {
            s.push_str(&format!(
                "  城镇开发边界 inside {:.2} m², outside {:.2} m²\n",
                u.inside_m2, u.outside_m2
            ));
        }
        s.push_str(&format!("  地类现状 ({year}):\n"));
        for l in &r.landuse {
            s.push_str(&format!(
                "    {:<5} {:<12} {:>14.2} m² {:>12.4} 亩 {:>10.4} 公顷\n",
                l.dlbm, l.dlmc, l.area_m2, l.area_mu, l.area_ha
            ));
        }
        for n in &r.notes {
            s.push_str(&format!("  note: {n}\n"));
        }
    }
    s
}

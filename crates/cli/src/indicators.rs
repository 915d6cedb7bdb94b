//! `onemap indicators`, `onemap stats-input import`, and the counting shared with the reports.

use crate::store_cmds::StoreArg;
use crate::{OutputFormat, UsageError};
use onemap_plan::assess::{assess, fmt, Assessment};
use onemap_plan::indicators::INDICATORS;
use onemap_plan::tally::Tally;
use onemap_plan::Plan;
use onemap_store::os_user;
use onemap_survey::Kind;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Arguments of `onemap indicators`.
#[derive(clap::Args)]
pub struct Args {
    /// Survey year (default: the latest in the store).
    #[arg(long)]
    year: Option<i32>,
    /// Plan file (default: $ONEMAP_PLAN, else the built-in Tongliao plan).
    #[arg(long)]
    plan: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    as_of: crate::AsOfArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
    /// List the indicator implementations and exit.
    #[arg(long)]
    list: bool,
}

/// Everything a report or the indicator table needs.
pub struct Counted {
    /// The plan.
    pub plan: Plan,
    /// Plan layers and the last survey.
    pub snap: onemap_overlay::Snapshot,
    /// Tallies per survey year.
    pub tallies: BTreeMap<i32, Tally>,
    /// Statistics inputs.
    pub stats: Vec<onemap_store::StatRow>,
    /// County names.
    pub names: BTreeMap<String, String>,
    /// The store's datasets (for data sources).
    pub datasets: Vec<onemap_store::Dataset>,
}

/// Count the store's survey years up to `upto` against the plan.
pub fn count(
    store: &StoreArg,
    plan: Option<&std::path::Path>,
    upto: Option<i32>,
    as_of: Option<&str>,
) -> anyhow::Result<Counted> {
    let plan = onemap_plan::load(plan)?;
    onemap_plan::assess::check_plan(&plan).map_err(|m| anyhow::anyhow!("plan file: {m}"))?;
    let store = store.open_store()?;
    let (snap, tallies) = crate::snapshot_with_progress(|p| {
        onemap_plan::count_years(&*store, &plan, upto, as_of, p)
    })?;
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    if let Some(x) = snap.layer(Kind::Xzq) {
        if let (Some(c), Some(n)) = (x.field("XZQDM"), x.field("XZQMC")) {
            for i in 0..x.len() as u32 {
                names.insert(x.text(c, i).into_owned(), x.text(n, i).into_owned());
            }
        }
    }
    Ok(Counted {
        stats: store.stats()?,
        datasets: store.datasets()?,
        plan,
        snap,
        tallies,
        names,
    })
}

impl Counted {
    /// The assessment of a year.
    pub fn assess(&self, year: i32) -> anyhow::Result<Assessment> {
        assess(&self.plan, year, &self.tallies, &self.stats, &self.names)
            .map_err(|m| anyhow::anyhow!(m))
    }

    /// The data sources of a report, dated today.
    pub fn sources(&self) -> onemap_report::health::Sources<'_> {
        onemap_report::health::Sources {
            datasets: &self.datasets,
            stats: &self.stats,
            date: onemap_formats::today(),
        }
    }

    /// The latest year counted.
    pub fn last_year(&self) -> anyhow::Result<i32> {
        self.tallies
            .keys()
            .last()
            .copied()
            .ok_or_else(|| anyhow::anyhow!("no survey year counted"))
    }
}

/// Run `onemap indicators`.
pub fn run(a: Args) -> anyhow::Result<()> {
    if a.list {
        for i in INDICATORS {
            println!("{:<26} {}", i.id(), i.name());
        }
        return Ok(());
    }
    let c = count(&a.store, a.plan.as_deref(), a.year, a.as_of.get())?;
    let year = a.year.map_or_else(|| c.last_year(), Ok)?;
    let r = c.assess(year)?;
    match a.format {
        OutputFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&r)?);
        }
        OutputFormat::Csv => {
            println!("id,name,unit,unit_code,unit_name,value,target,rule,status");
            let num = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
            for i in &r.indicators {
                println!(
                    "{},{},{},{},{},{},{},{},{}",
                    i.id,
                    i.name,
                    i.unit,
                    r.region.code,
                    r.region.name,
                    num(i.value),
                    num(i.target),
                    i.rule,
                    serde_json::to_value(i.status)?.as_str().unwrap_or("")
                );
                for u in &i.units {
                    println!(
                        "{},{},{},{},{},{},{},{},{}",
                        i.id,
                        i.name,
                        i.unit,
                        u.code,
                        u.name,
                        num(u.value),
                        num(u.target),
                        i.rule,
                        serde_json::to_value(u.status)?.as_str().unwrap_or("")
                    );
                }
            }
        }
        OutputFormat::Table => {
            println!("{} {} — {} 年", r.region.code, r.region.name, r.year);
            for i in &r.indicators {
                let v = i.value.map_or_else(|| "—".into(), |v| fmt(v, &i.unit));
                let t = i
                    .target
                    .map_or_else(|| "—".into(), |t| format!("{} {}", i.rule, fmt(t, &i.unit)));
                println!(
                    "{:<8} {:<26} {:>22}  target {:<22} {}",
                    i.status.chinese(),
                    i.name,
                    v,
                    t,
                    i.reason
                );
            }
        }
    }
    Ok(())
}

/// `onemap stats-input`.
#[derive(clap::Args)]
pub struct StatsInputArgs {
    #[command(subcommand)]
    cmd: StatsInputCmd,
}

#[derive(clap::Subcommand)]
enum StatsInputCmd {
    /// Import figures from a CSV: year, unit (行政区代码), then water_use 用水总量 (亿立方米),
    /// population 常住人口 (万人), urban_population 城镇常住人口 (万人), gdp 地区生产总值 (亿元).
    Import {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        store: StoreArg,
    },
    /// List the stored figures.
    List {
        #[command(flatten)]
        store: StoreArg,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
}

/// Run `onemap stats-input`.
pub fn stats_input(a: StatsInputArgs) -> anyhow::Result<()> {
    match a.cmd {
        StatsInputCmd::Import { file, store } => {
            let rows = onemap_plan::stats_input::read_csv(&file).map_err(anyhow::Error::msg)?;
            if rows.is_empty() {
                return Err(
                    UsageError(format!("{}: no figures in the file", file.display())).into(),
                );
            }
            let mut s = store.open_store()?;
            let source = file.file_name().map_or_else(
                || file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            let n = s.import_stats(&rows, &source, &os_user())?;
            eprintln!("stored {n} figures from {source}");
        }
        StatsInputCmd::List { store, format } => {
            let rows = store.open_store()?.stats()?;
            if format == OutputFormat::Json {
                let v: Vec<serde_json::Value> = rows
                    .iter()
                    .map(|r| serde_json::json!({"year": r.year, "unit": r.unit, "key": r.key, "value": r.value, "source": r.source}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&v)?);
            } else {
                for r in rows {
                    println!(
                        "{} {} {:<18} {:>14} {}",
                        r.year, r.unit, r.key, r.value, r.source
                    );
                }
            }
        }
    }
    Ok(())
}

/// Where a report goes and what it is made from.
#[derive(clap::Args)]
pub struct ReportArgs {
    /// The report: FILE.html or FILE.docx.
    #[arg(long)]
    out: PathBuf,
    /// Plan file (default: $ONEMAP_PLAN, else the built-in Tongliao plan).
    #[arg(long)]
    plan: Option<PathBuf>,
    #[command(flatten)]
    store: StoreArg,
    #[command(flatten)]
    as_of: crate::AsOfArg,
}

/// Arguments of `onemap health-check`.
#[derive(clap::Args)]
pub struct HealthArgs {
    /// Survey year (default: the latest in the store).
    #[arg(long)]
    year: Option<i32>,
    #[command(flatten)]
    report: ReportArgs,
}

/// Arguments of `onemap evaluation`.
#[derive(clap::Args)]
pub struct EvaluationArgs {
    /// First year of the period (its survey must be in the store).
    #[arg(long)]
    from: i32,
    /// Last year of the period.
    #[arg(long)]
    to: i32,
    #[command(flatten)]
    report: ReportArgs,
}

fn report_kind(out: &std::path::Path) -> anyhow::Result<bool> {
    match out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html") | Some("htm") => Ok(false),
        Some("docx") => Ok(true),
        _ => Err(UsageError(format!(
            "--out {}: the report is written as .html or .docx",
            out.display()
        ))
        .into()),
    }
}

/// Write a report and record it in the store's audit trail (with the digest of its bytes).
fn write_report(
    doc: &onemap_report::Doc,
    r: &ReportArgs,
    docx: bool,
    what: &str,
) -> anyhow::Result<()> {
    let bytes = if docx {
        doc.to_docx()?
    } else {
        doc.to_html().into_bytes()
    };
    let mut f = onemap_formats::AtomicFile::create(&r.out)?;
    f.write_all(&bytes)?;
    f.commit()?;
    crate::audit::record_report(&r.store, what, &r.out.display().to_string(), &bytes)?;
    eprintln!("wrote {}", r.out.display());
    Ok(())
}

/// Run `onemap health-check`.
pub fn health_check(a: HealthArgs) -> anyhow::Result<()> {
    let docx = report_kind(&a.report.out)?;
    let c = count(
        &a.report.store,
        a.report.plan.as_deref(),
        a.year,
        a.report.as_of.get(),
    )?;
    let year = a.year.map_or_else(|| c.last_year(), Ok)?;
    let r = c.assess(year)?;
    let src = c.sources();
    let doc = onemap_report::health::health_check(&r, &c.plan, &c.snap, &src);
    write_report(&doc, &a.report, docx, &format!("{year} 年度体检报告"))
}

/// Run `onemap evaluation`.
pub fn evaluation(a: EvaluationArgs) -> anyhow::Result<()> {
    let docx = report_kind(&a.report.out)?;
    if a.from >= a.to {
        return Err(UsageError(format!("--from {} must be before --to {}", a.from, a.to)).into());
    }
    let c = count(
        &a.report.store,
        a.report.plan.as_deref(),
        Some(a.to),
        a.report.as_of.get(),
    )?;
    if !c.tallies.contains_key(&a.from) {
        return Err(anyhow::anyhow!(
            "the store holds no 地类图斑 (dltb) dataset for {} (the start of the period)",
            a.from
        ));
    }
    let r = c.assess(a.to)?;
    let src = c.sources();
    let doc = onemap_report::health::evaluation(&r, a.from, &c.plan, &c.snap, &src);
    write_report(
        &doc,
        &a.report,
        docx,
        &format!("{}—{} 五年评估报告", a.from, a.to),
    )
}

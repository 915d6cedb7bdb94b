//! `onemap import`, `validate`, `datasets`, `export`, `remove`, `checks`.

use crate::{parse_crs, parse_encoding, InputArgs, OutputFormat, PathArg, UsageError};
use onemap_formats::model::map_coords;
use onemap_formats::{create, open, WriteOptions};
use onemap_geodesy::crs::{Crs, Transform};
use onemap_store::{os_user, store_path, GpkgStore, ImportRequest, Store};
use onemap_survey::checks::{BUILT_IN, REGISTRY};
use onemap_survey::{Finding, Kind, Options, Severity};
use serde_json::{json, Value as J};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// `--store`.
#[derive(clap::Args, Clone, Debug)]
pub struct StoreArg {
    /// The store (a GeoPackage); default $ONEMAP_STORE, else ./onemap.gpkg.
    #[arg(long)]
    store: Option<PathBuf>,
}

impl StoreArg {
    /// Where the store is: a GeoPackage path or a `postgres://` URL.
    pub fn location(&self) -> PathBuf {
        store_path(self.store.as_deref())
    }

    /// The PostgreSQL URL, when the store is one.
    fn url(&self) -> Option<String> {
        let p = self.location();
        p.to_str()
            .filter(|s| onemap_store::is_url(s))
            .map(String::from)
    }

    /// Open the store, creating it if it does not exist (import, the first user). A
    /// PostgreSQL database must have been made a store with `onemap store init` first.
    pub fn open_or_create(&self) -> anyhow::Result<Box<dyn Store + Send>> {
        if let Some(url) = self.url() {
            return Ok(Box::new(onemap_store::PostgisStore::open(&url)?));
        }
        Ok(Box::new(GpkgStore::open(&self.location())?))
    }

    /// Open an existing store: a mistyped path is an error, not a new empty store.
    pub fn open_store(&self) -> anyhow::Result<Box<dyn Store + Send>> {
        if let Some(url) = self.url() {
            return Ok(Box::new(onemap_store::PostgisStore::open(&url)?));
        }
        let p = self.location();
        if !p.exists() {
            return Err(anyhow::anyhow!(
                "{}: no store there (give --store or set ONEMAP_STORE; `onemap import` creates one)",
                p.display()
            ));
        }
        Ok(Box::new(GpkgStore::open(&p)?))
    }
}

/// Options shared by import and validate.
#[derive(clap::Args, Clone, Debug)]
pub struct CheckArgs {
    /// Dataset kind: xzq, dltb, yjjbnt, stbhhx, czkfbj, jbcy, ghfq, ghyd, fxkz, lswh, kcbz, other.
    #[arg(long)]
    kind: String,
    /// Map a canonical field to a source field, e.g. --map DLBM=地类编码 (repeatable).
    #[arg(long = "map", value_name = "CANONICAL=SOURCE")]
    map: Vec<String>,
    /// D-W10 tolerance of TBMJ against the sandiao area, relative (default 1e-4).
    #[arg(long, default_value_t = 1e-4)]
    tbmj_tolerance: f64,
    #[command(flatten)]
    input: InputArgs,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

impl CheckArgs {
    fn kind(&self) -> anyhow::Result<Kind> {
        Kind::parse(&self.kind).ok_or_else(|| {
            UsageError(format!(
                "--kind {}: use one of {}",
                self.kind,
                onemap_survey::kinds::KINDS
                    .iter()
                    .map(|k| k.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into()
        })
    }

    fn map(&self) -> anyhow::Result<Vec<(String, String)>> {
        self.map
            .iter()
            .map(|m| {
                m.split_once('=')
                    .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                    .ok_or_else(|| {
                        UsageError(format!(
                            "--map {m}: write CANONICAL=SOURCE, e.g. DLBM=地类编码"
                        ))
                        .into()
                    })
            })
            .collect()
    }

    fn options(&self) -> Options {
        Options {
            tbmj_tolerance_rel: self.tbmj_tolerance,
            ..Options::default()
        }
    }
}

fn finding_json(f: &Finding) -> J {
    json!({"severity": f.severity.id(), "check": f.check, "feature": f.feature, "field": f.field, "message": f.message})
}

fn finding_line(file: &str, f: &Finding) -> String {
    let mut s = format!("{}: {file}", f.severity.id());
    if let Some(i) = f.feature {
        s.push_str(&format!(": feature {i}"));
    }
    if let Some(fl) = &f.field {
        s.push_str(&format!(": field {fl}"));
    }
    format!("{s}: {} {}", f.check, f.message)
}

/// Print findings for people: errors all, warnings up to `limit`.
fn print_findings(file: &str, findings: &[Finding], limit: usize) {
    let mut shown = 0;
    for f in findings {
        if f.severity == Severity::Warning && shown >= limit {
            continue;
        }
        if f.severity == Severity::Warning {
            shown += 1;
        }
        eprintln!("{}", finding_line(file, f));
    }
    let w = findings
        .iter()
        .filter(|f| f.severity == Severity::Warning)
        .count();
    if w > shown {
        eprintln!("… and {} more warnings", w - shown);
    }
}

/// Arguments of `onemap import`.
#[derive(clap::Args)]
pub struct ImportArgs {
    /// Source file.
    file: PathArg,
    #[command(flatten)]
    check: CheckArgs,
    /// Survey year or plan version year.
    #[arg(long)]
    year: Option<i32>,
    /// Display name.
    #[arg(long)]
    name: Option<String>,
    /// Import a plan layer into this approved plan version (read-only once imported): the
    /// latest version, to add a layer it lacks, or the next one.
    #[arg(long, requires_all = ["approval", "approved_on"])]
    plan_version: Option<i64>,
    /// With --plan-version: the approval document number (批复文号).
    #[arg(long, requires = "plan_version")]
    approval: Option<String>,
    /// With --plan-version: the approval date, YYYY-MM-DD.
    #[arg(long, requires = "plan_version")]
    approved_on: Option<String>,
    /// With --plan-version: the approving authority.
    #[arg(long, requires = "plan_version", default_value = "")]
    approved_by: String,
    #[command(flatten)]
    store: StoreArg,
}

/// Run `onemap import`.
pub fn import(a: ImportArgs) -> anyhow::Result<()> {
    let kind = a.check.kind()?;
    let map = a.check.map()?;
    let mut src = open(&a.file, &a.check.input.read_options()?)?;
    let total = src.info().feature_count;
    let mut store = a.store.open_or_create()?;
    let req = ImportRequest {
        kind,
        year: a.year,
        name: a.name.clone(),
        source: a.file.clone(),
        map,
        options: a.check.options(),
        user: os_user(),
        plan: a.plan_version.map(|version| onemap_store::PlanApproval {
            version,
            approval: a.approval.clone().unwrap_or_default(),
            approved_on: a.approved_on.clone().unwrap_or_default(),
            authority: a.approved_by.clone(),
            note: "imported".into(),
        }),
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(total.unwrap_or(0));
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} importing {pos}/{len} features {bar:40} {per_sec} ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let mut progress = |n: u64| {
        if let Some(b) = &bar {
            b.set_position(n);
        }
    };
    let out = store.import(&req, src.as_mut(), &mut progress)?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let file = a.file.display().to_string();
    if a.check.format == OutputFormat::Json {
        println!(
            "{}",
            json!({
                "dataset": out.dataset.as_ref().map(crate::store_cmds::dataset_json),
                "store": store.location(),
                "read": out.read,
                "findings": out.findings.iter().map(finding_json).collect::<Vec<_>>(),
                "notes": out.notes,
            })
        );
    } else {
        for n in &out.notes {
            eprintln!("note: {n}");
        }
        print_findings(&file, &out.findings, 50);
    }
    match out.dataset {
        Some(ds) => {
            if a.check.format != OutputFormat::Json {
                println!(
                    "imported {} ({} {}, {} features, {} warnings) into {}",
                    ds.id,
                    ds.kind.id(),
                    ds.kind.chinese(),
                    ds.features,
                    ds.warnings,
                    store.location()
                );
            }
            Ok(())
        }
        None => {
            let n = out
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .count();
            Err(anyhow::anyhow!(
                "{file}: {n} error(s); nothing was imported"
            ))
        }
    }
}

/// Arguments of `onemap validate`.
#[derive(clap::Args)]
pub struct ValidateArgs {
    /// Source file.
    file: PathArg,
    #[command(flatten)]
    check: CheckArgs,
}

/// Run `onemap validate`: the import's checks, nothing stored. Exit 1 when errors are found.
pub fn validate(a: ValidateArgs) -> anyhow::Result<()> {
    let kind = a.check.kind()?;
    let map = a.check.map()?;
    let mut src = open(&a.file, &a.check.input.read_options()?)?;
    let (findings, notes, n) =
        onemap_survey::inspect::validate(src.as_mut(), kind, &map, &a.check.options())
            .map_err(|e| anyhow::anyhow!("{}: {e}", a.file.display()))?;
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let file = a.file.display().to_string();
    if a.check.format == OutputFormat::Json {
        println!(
            "{}",
            json!({"file": file, "kind": kind.id(), "features": n, "errors": errors, "warnings": findings.len() - errors,
                   "findings": findings.iter().map(finding_json).collect::<Vec<_>>(), "notes": notes})
        );
    } else {
        for n in &notes {
            eprintln!("note: {n}");
        }
        print_findings(&file, &findings, 200);
        println!(
            "{file}: {n} features, {errors} errors, {} warnings",
            findings.len() - errors
        );
    }
    if errors > 0 {
        // Exit 1 without repeating the findings.
        std::process::exit(1);
    }
    Ok(())
}

/// JSON of a dataset.
pub fn dataset_json(d: &onemap_store::Dataset) -> J {
    json!({
        "id": d.id, "kind": d.kind.id(), "year": d.year, "name": d.name, "features": d.features,
        "source": d.source, "sha256": d.sha256, "source_crs": d.source_crs, "imported_at": d.imported_at,
        "imported_by": d.imported_by, "warnings": d.warnings, "table": d.table,
    })
}

/// Arguments of `onemap datasets`.
#[derive(clap::Args)]
pub struct DatasetsArgs {
    #[command(flatten)]
    store: StoreArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

/// Run `onemap datasets`.
pub fn datasets(a: DatasetsArgs) -> anyhow::Result<()> {
    let store = a.store.open_store()?;
    let ds = store.datasets()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match a.format {
        OutputFormat::Json => writeln!(out, "{}", J::Array(ds.iter().map(dataset_json).collect()))?,
        OutputFormat::Csv => {
            writeln!(out, "id,kind,year,name,features,source,sha256,source_crs,imported_at,imported_by,warnings")?;
            for d in &ds {
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{},{}",
                    d.id,
                    d.kind.id(),
                    d.year.map(|y| y.to_string()).unwrap_or_default(),
                    crate::area::csv_field(&d.name),
                    d.features,
                    crate::area::csv_field(&d.source),
                    d.sha256,
                    d.source_crs,
                    d.imported_at,
                    d.imported_by,
                    d.warnings
                )?;
            }
        }
        OutputFormat::Table => {
            if ds.is_empty() {
                writeln!(out, "no datasets in {}", store.location())?;
            }
            for d in &ds {
                writeln!(
                    out,
                    "{:<16} {:<7} {:<5} {:>9} features  {:>6} warnings  {}  from {} ({})  {} by {}",
                    d.id,
                    d.kind.id(),
                    d.year.map(|y| y.to_string()).unwrap_or_default(),
                    d.features,
                    d.warnings,
                    d.name,
                    d.source,
                    d.source_crs,
                    d.imported_at,
                    d.imported_by
                )?;
            }
        }
    }
    Ok(())
}

/// Arguments of `onemap export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// Dataset id; with --as-of, a plan layer kind (yjjbnt, stbhhx, czkfbj, …) names that
    /// layer of the plan in force that day.
    id: String,
    #[command(flatten)]
    as_of: crate::AsOfArg,
    /// Output file; the format follows the extension.
    output: PathArg,
    /// Target CRS (default EPSG:4490, as stored).
    #[arg(long)]
    to_crs: Option<String>,
    /// Attribute encoding of a Shapefile or TXT output: gbk or utf-8 (default utf-8).
    #[arg(long)]
    out_encoding: Option<String>,
    #[command(flatten)]
    store: StoreArg,
}

/// Run `onemap export`.
pub fn export(a: ExportArgs) -> anyhow::Result<()> {
    let store = a.store.open_store()?;
    let id = match (a.as_of.get(), Kind::parse(&a.id)) {
        (Some(day), Some(kind)) => {
            let versions = store.plan_versions()?;
            let v = onemap_store::version_in_force(&versions, Some(day)).ok_or_else(|| {
                anyhow::anyhow!(
                    "no plan version was in force on {day} ({} versions in the store)",
                    versions.len()
                )
            })?;
            v.dataset(kind)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "plan version {} ({}), in force on {day}, has no {} layer",
                        v.version,
                        v.approval,
                        kind.chinese()
                    )
                })?
                .to_string()
        }
        (Some(day), None) => {
            // A dataset id: it must belong to the plan version in force that day.
            let versions = store.plan_versions()?;
            let v = onemap_store::version_in_force(&versions, Some(day));
            if !v.is_some_and(|v| v.layers.iter().any(|l| l.dataset == a.id)) {
                return Err(UsageError(format!(
                    "{}: not a layer of the plan version in force on {day}; give a plan layer kind (yjjbnt, stbhhx, …) with --as-of",
                    a.id
                ))
                .into());
            }
            a.id.clone()
        }
        (None, _) => a.id.clone(),
    };
    let mut r = store.features(&id)?;
    let mut info = r.info().clone();
    let target = match &a.to_crs {
        Some(c) => parse_crs(c)?,
        None => Crs::Cgcs2000,
    };
    let t = Transform::new(info.crs.unwrap_or(Crs::Cgcs2000), target);
    info.crs = Some(target);
    let mut w = create(
        &a.output,
        &info,
        &WriteOptions {
            encoding: parse_encoding(a.out_encoding.as_deref())?,
            ..Default::default()
        },
    )?;
    let mut n = 0;
    while let Some(mut f) = r.read_feature()? {
        if let (false, Some(g)) = (t.is_identity(), &mut f.geometry) {
            map_coords(g, &|p| t.apply(p));
        }
        f.fid = None;
        w.write_feature(&f)?;
        n += 1;
    }
    w.finish()?;
    eprintln!(
        "exported {n} features of {} to {} ({target})",
        a.id,
        a.output.display()
    );
    Ok(())
}

/// Arguments of `onemap remove`.
#[derive(clap::Args)]
pub struct RemoveArgs {
    /// Dataset id.
    id: String,
    /// Why (kept in the store's event log).
    #[arg(long)]
    reason: Option<String>,
    #[command(flatten)]
    store: StoreArg,
}

/// Run `onemap remove`.
pub fn remove(a: RemoveArgs) -> anyhow::Result<()> {
    let mut store = a.store.open_store()?;
    let ds = store.dataset(&a.id)?;
    store.remove(&a.id, &os_user(), a.reason.as_deref())?;
    println!(
        "removed {} ({} features of {}); recorded in the store's event log",
        ds.id, ds.features, ds.source
    );
    Ok(())
}

/// Arguments of `onemap checks`.
#[derive(clap::Args)]
pub struct ChecksArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
}

/// Run `onemap checks`: the quality checks, from the registry.
pub fn checks(a: ChecksArgs) -> anyhow::Result<()> {
    let kinds = |f: fn(Kind) -> bool| {
        onemap_survey::kinds::KINDS
            .iter()
            .filter(|k| f(**k))
            .map(|k| k.id())
            .collect::<Vec<_>>()
    };
    let mut rows: Vec<(String, &str, &str, Vec<&str>)> = BUILT_IN
        .iter()
        .map(|(id, s, t)| (id.to_string(), s.id(), *t, vec!["all"]))
        .collect();
    rows.extend(
        REGISTRY
            .iter()
            .map(|c| (c.id.to_string(), c.severity.id(), c.title, kinds(c.applies))),
    );
    rows.sort();
    if a.format == OutputFormat::Json {
        println!(
            "{}",
            J::Array(
                rows.iter()
                    .map(|r| json!({"id": r.0, "severity": r.1, "title": r.2, "kinds": r.3}))
                    .collect()
            )
        );
    } else {
        for r in rows {
            println!("{:<6} {:<7} {}  [{}]", r.0, r.1, r.2, r.3.join(", "));
        }
    }
    Ok(())
}

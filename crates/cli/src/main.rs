//! `onemap`: the command-line tool of the onemap 国土空间规划"一张图" system.
//!
//! Each command parses its arguments, calls one library function and prints. Exit codes: 0 ok,
//! 1 bad input (the message names the file, line or feature, and field), 2 usage.

mod amend;
mod area;
mod audit;
mod check;
mod conflicts;
mod convert;
mod demo;
mod indicators;
mod info;
mod monitor;
mod plan_cmds;
mod serve;
mod stats;
mod store_admin;
mod store_cmds;
mod user;

use clap::{Parser, Subcommand, ValueEnum};
use onemap_formats::{FormatError, ReadOptions, TextEncoding};
use onemap_geodesy::crs::Crs;
use std::path::PathBuf;
use std::process::ExitCode;

/// onemap — 国土空间规划"一张图": survey-exact areas, conversions and checks for CGCS2000 data.
#[derive(Parser)]
#[command(name = "onemap", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Area of every polygon feature and the total (standards §5 `sandiao`, or geodesic).
    Area(area::Args),
    /// Convert between coordinate TXT, Shapefile, GeoPackage, GeoJSON and FlatGeobuf.
    Convert(convert::Args),
    /// Layer summary: CRS, fields, feature count, extent.
    Info(info::Args),
    /// Import a layer into the store as a dataset, with quality checks (all or nothing).
    Import(store_cmds::ImportArgs),
    /// Run the import's quality checks on a file; store nothing.
    Validate(store_cmds::ValidateArgs),
    /// List the datasets of the store.
    Datasets(store_cmds::DatasetsArgs),
    /// Export a dataset to any writer format.
    Export(store_cmds::ExportArgs),
    /// Remove a dataset (recorded in the store's event log).
    Remove(store_cmds::RemoveArgs),
    /// Land-class area table of a survey dataset by county or township.
    Stats(stats::Args),
    /// List the quality checks.
    Checks(store_cmds::ChecksArgs),
    /// Write a realistic synthetic Tongliao (survey years, plan layers, projects) and its store.
    Demo(demo::Args),
    /// Review project parcels against the three control lines (用途管制合规性审查).
    Check(check::Args),
    /// A special plan's layer against the control lines and the zoning (专项规划冲突检测).
    Conflicts(conflicts::Args),
    /// The plan's indicators for a survey year, graded against their targets (监测评估预警).
    Indicators(indicators::Args),
    /// Statistics inputs (用水总量, population, GDP) per year and unit.
    StatsInput(indicators::StatsInputArgs),
    /// The annual health check report (年度体检报告), HTML or DOCX.
    HealthCheck(indicators::HealthArgs),
    /// The five-year evaluation report (五年评估报告), HTML or DOCX.
    Evaluation(indicators::EvaluationArgs),
    /// Change between two survey years: transition matrix and alerts (动态监测预警).
    Monitor(monitor::Args),
    /// Serve the store: OGC API – Features, vector tiles, the analysis API.
    Serve(serve::Args),
    /// The store's audit trail: list it, verify its hash chain.
    Audit(audit::Args),
    /// The approved plan versions.
    Plan(plan_cmds::Args),
    /// Plan amendments: propose (checked), approve as a new version, reject.
    Amend(amend::Args),
    /// Users of the server: add, passwd, role, remove, list.
    User(user::Args),
    /// The store itself: `init` a PostGIS database.
    Store(store_admin::Args),
}

/// Output format of data-printing commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// A table for people.
    #[default]
    Table,
    /// One JSON object on stdout.
    Json,
    /// CSV for spreadsheets.
    Csv,
}

/// `--as-of DATE`: read the plan as it was in force that day.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct AsOfArg {
    /// Use the plan layers in force on this day (YYYY-MM-DD): the approved plan version of
    /// that day (default: the latest approved version).
    #[arg(long, value_parser = parse_date)]
    pub as_of: Option<String>,
}

impl AsOfArg {
    /// The date, if given.
    pub fn get(&self) -> Option<&str> {
        self.as_of.as_deref()
    }
}

/// A `YYYY-MM-DD` date argument.
pub fn parse_date(s: &str) -> Result<String, String> {
    if onemap_store::valid_date(s) {
        Ok(s.to_string())
    } else {
        Err(format!("{s:?} is not a date YYYY-MM-DD"))
    }
}

/// Input options shared by the commands that read a file.
#[derive(clap::Args, Clone, Debug)]
pub struct InputArgs {
    /// GeoPackage layer (table) to read.
    #[arg(long)]
    pub layer: Option<String>,
    /// CRS of the input when it declares none or a wrong one, e.g. EPSG:4528.
    #[arg(long)]
    pub crs: Option<String>,
    /// Attribute encoding of a shapefile DBF: gbk or utf-8 (overrides the .cpg).
    #[arg(long)]
    pub encoding: Option<String>,
}

/// A usage error (exit 2): bad option values.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

impl InputArgs {
    /// Reader options from the command line.
    pub fn read_options(&self) -> anyhow::Result<ReadOptions> {
        Ok(ReadOptions {
            layer: self.layer.clone(),
            encoding: parse_encoding(self.encoding.as_deref())?,
            crs: self.crs.as_deref().map(parse_crs).transpose()?,
        })
    }
}

/// Parse `--encoding`.
pub fn parse_encoding(s: Option<&str>) -> anyhow::Result<Option<TextEncoding>> {
    match s {
        None => Ok(None),
        Some(t) => TextEncoding::parse(t)
            .map(Some)
            .ok_or_else(|| UsageError(format!("--encoding {t:?}: use gbk or utf-8")).into()),
    }
}

/// Parse a CRS option.
pub fn parse_crs(s: &str) -> anyhow::Result<Crs> {
    Crs::parse(s).map_err(|e| UsageError(format!("CRS {s:?}: {e}")).into())
}

/// A path argument.
pub type PathArg = PathBuf;

/// Load a Snapshot with a progress spinner on stderr (only on a terminal) and the load time.
pub fn snapshot_with_progress<T, E>(
    load: impl FnOnce(&mut dyn FnMut(&str, u64)) -> Result<T, E>,
) -> Result<T, E> {
    use std::io::IsTerminal;
    let bar = std::io::stderr().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new_spinner();
        b.set_style(
            indicatif::ProgressStyle::with_template("{spinner} loading {msg} {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        b
    });
    let mut progress = |id: &str, n: u64| {
        if let Some(b) = &bar {
            b.set_message(format!("{id} ({n} features)"));
            b.tick();
        }
    };
    let out = load(&mut progress);
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    out
}

/// Output piped into a program that stops reading (`onemap … | head`) ends onemap quietly, as
/// it does any Unix tool, instead of a panic from `println!`.
fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let p = info.payload();
        let msg = p
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| p.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info)
    }));
}

fn main() -> ExitCode {
    quiet_broken_pipe();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Area(a) => area::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Info(a) => info::run(a),
        Command::Import(a) => store_cmds::import(a),
        Command::Validate(a) => store_cmds::validate(a),
        Command::Datasets(a) => store_cmds::datasets(a),
        Command::Export(a) => store_cmds::export(a),
        Command::Remove(a) => store_cmds::remove(a),
        Command::Stats(a) => stats::run(a),
        Command::Checks(a) => store_cmds::checks(a),
        Command::Demo(a) => demo::run(a),
        Command::Check(a) => check::run(a),
        Command::Conflicts(a) => conflicts::run(a),
        Command::Indicators(a) => indicators::run(a),
        Command::StatsInput(a) => indicators::stats_input(a),
        Command::HealthCheck(a) => indicators::health_check(a),
        Command::Evaluation(a) => indicators::evaluation(a),
        Command::Monitor(a) => monitor::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Store(a) => store_admin::run(a),
        Command::Audit(a) => audit::run(a),
        Command::Plan(a) => plan_cmds::run(a),
        Command::Amend(a) => amend::run(a),
        Command::User(a) => user::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(u) = e.downcast_ref::<UsageError>() {
                eprintln!("error: {u}");
                return ExitCode::from(2);
            }
            match e.downcast_ref::<FormatError>() {
                Some(FormatError::Txt { path, errors }) => {
                    for d in errors {
                        eprintln!(
                            "error: {}:{}: {}: {}",
                            path.display(),
                            d.line,
                            d.code,
                            d.message
                        );
                    }
                }
                _ => eprintln!("error: {e}"),
            }
            ExitCode::from(1)
        }
    }
}

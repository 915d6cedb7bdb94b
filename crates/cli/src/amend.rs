//! `onemap amend`: plan amendments — propose a change set (checked), approve it as a new plan
//! version, or reject it.

use crate::store_cmds::StoreArg;
use crate::{OutputFormat, UsageError};
use onemap_plan::amend::{self, CheckResult};
use onemap_store::{os_user, Amendment, ImportRequest, PlanApproval};
use onemap_survey::Kind;
use std::path::PathBuf;

/// Arguments of `onemap amend`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Check a change set (GeoPackage or GeoJSON; features with op, layer, id) against the
    /// plan version in force and store it as a proposal; prints its id.
    Propose {
        /// The change set.
        changeset: PathBuf,
        /// Plan file whose targets the checks use (default: $ONEMAP_PLAN, else the built-in
        /// Tongliao plan).
        #[arg(long)]
        plan: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArg,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Approve a proposed amendment: the checks run again, and the changed layers become the
    /// next plan version.
    Approve {
        /// Amendment id.
        id: String,
        /// Approval document number (批复文号).
        #[arg(long)]
        approval: String,
        /// Approval date, YYYY-MM-DD.
        #[arg(long, value_parser = crate::parse_date)]
        date: String,
        /// Approving authority.
        #[arg(long)]
        authority: String,
        /// Plan file whose targets the checks use.
        #[arg(long)]
        plan: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArg,
    },
    /// Reject a proposed amendment.
    Reject {
        /// Amendment id.
        id: String,
        /// Why.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        store: StoreArg,
    },
    /// The amendments and their status.
    List {
        #[command(flatten)]
        store: StoreArg,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
}

fn print_checks(checks: &[CheckResult]) {
    for c in checks {
        println!(
            "  [{}] {}",
            if c.passed { "通过" } else { "不通过" },
            c.name
        );
        for d in &c.details {
            println!("      {d}");
        }
    }
}

fn failing(checks: &[CheckResult]) -> String {
    checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| format!("{}: {}", c.name, c.details.join("; ")))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Run `onemap amend`.
pub fn run(a: Args) -> anyhow::Result<()> {
    match a.cmd {
        Cmd::Propose {
            changeset,
            plan,
            store,
            format,
        } => {
            let plan = onemap_plan::load(plan.as_deref())?;
            let changes = amend::read_changes(&changeset).map_err(anyhow::Error::msg)?;
            let mut s = store.open_store()?;
            let versions = s.plan_versions()?;
            let base = versions.last().ok_or_else(|| {
                anyhow::anyhow!("the store has no plan version to amend: import the approved plan with --plan-version 1 first")
            })?;
            let (checks, _) =
                amend::check(&*s, &plan, base, &changes).map_err(anyhow::Error::msg)?;
            let passed = checks.iter().all(|c| c.passed);
            let stored = s.propose_amendment(&Amendment {
                id: String::new(),
                status: if passed { "proposed" } else { "refused" }.into(),
                base_version: base.version,
                proposed_at: String::new(),
                proposed_by: os_user(),
                source: changeset.display().to_string(),
                sha256: String::new(),
                changes: amend::changes_geojson(&changes),
                checks: serde_json::to_string(&checks)?,
                decided_at: None,
                decided_by: None,
                decision: None,
                version: None,
            })?;
            match format {
                OutputFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "id": stored.id, "checks": checks, "status": stored.status
                    }))?
                ),
                _ => {
                    println!(
                        "{}  {} changes to plan version {} ({})：{}",
                        stored.id,
                        changes.len(),
                        base.version,
                        base.approval,
                        if passed { "proposed" } else { "refused" }
                    );
                    print_checks(&checks);
                }
            }
            if !passed {
                anyhow::bail!(
                    "amendment {} refused by its checks: {}",
                    stored.id,
                    failing(&checks)
                );
            }
            Ok(())
        }
        Cmd::Approve {
            id,
            approval,
            date,
            authority,
            plan,
            store,
        } => {
            let plan = onemap_plan::load(plan.as_deref())?;
            let mut s = store.open_store()?;
            let am = s
                .amendments()?
                .into_iter()
                .find(|x| x.id == id)
                .ok_or_else(|| {
                    UsageError(format!("no amendment {id:?}; onemap amend list shows them"))
                })?;
            if am.status != "proposed" {
                anyhow::bail!(
                    "amendment {id} is {}; only a proposed amendment can be approved",
                    am.status
                );
            }
            let versions = s.plan_versions()?;
            let base = versions
                .last()
                .ok_or_else(|| anyhow::anyhow!("the store has no plan version"))?;
            if base.version != am.base_version {
                anyhow::bail!(
                    "amendment {id} changes plan version {}, but version {} ({}) has been approved since: propose it again against the plan in force",
                    am.base_version,
                    base.version,
                    base.approval
                );
            }
            if date.as_str() < base.approved_on.as_str() {
                anyhow::bail!(
                    "--date {date} is before version {} was approved ({})",
                    base.version,
                    base.approved_on
                );
            }
            let changes = amend::changes_from_geojson(&am.changes).map_err(anyhow::Error::msg)?;
            let (checks, after) =
                amend::check(&*s, &plan, base, &changes).map_err(anyhow::Error::msg)?;
            if !checks.iter().all(|c| c.passed) {
                print_checks(&checks);
                anyhow::bail!("amendment {id} cannot be approved: {}", failing(&checks));
            }
            let version = base.version + 1;
            let tmp = tempfile::tempdir()?;
            let user = os_user();
            // Every changed layer in one transaction: the new version is whole or absent.
            let mut jobs: Vec<(ImportRequest, Box<dyn onemap_formats::FeatureReader>)> = Vec::new();
            for (kind, (info, feats, _)) in &after {
                let k = Kind::parse(kind).ok_or_else(|| anyhow::anyhow!("layer {kind}"))?;
                let path = tmp.path().join(format!("{id}-{kind}.gpkg"));
                amend::write_layer(&path, info, feats).map_err(anyhow::Error::msg)?;
                let r = onemap_formats::open(&path, &Default::default())?;
                let req = ImportRequest {
                    kind: k,
                    year: date.get(..4).and_then(|y| y.parse().ok()),
                    name: Some(format!("{}（{approval}）", k.chinese())),
                    source: path.clone(),
                    map: vec![],
                    options: Default::default(),
                    user: user.clone(),
                    plan: Some(PlanApproval {
                        version,
                        approval: approval.clone(),
                        approved_on: date.clone(),
                        authority: authority.clone(),
                        note: format!("amendment {id}"),
                    }),
                };
                jobs.push((req, r));
            }
            let outs = s.import_all(&mut jobs)?;
            if let (Some(out), Some((req, _))) =
                (outs.last(), jobs.get(outs.len().saturating_sub(1)))
            {
                if out.dataset.is_none() {
                    let first: Vec<String> = out
                        .findings
                        .iter()
                        .filter(|f| f.severity == onemap_survey::Severity::Error)
                        .take(5)
                        .map(|f| format!("{} {}", f.check, f.message))
                        .collect();
                    anyhow::bail!(
                        "the changed {} was refused by the import checks (nothing was stored): {}",
                        req.kind.chinese(),
                        first.join("; ")
                    );
                }
            }
            let done = s.decide_amendment(&id, "approved", &user, &approval, Some(version))?;
            println!(
                "amendment {} approved ({approval}, {date}, {authority}): plan version {version}",
                done.id
            );
            Ok(())
        }
        Cmd::Reject { id, reason, store } => {
            let mut s = store.open_store()?;
            let done = s.decide_amendment(&id, "rejected", &os_user(), &reason, None)?;
            println!("amendment {} rejected: {reason}", done.id);
            Ok(())
        }
        Cmd::List { store, format } => {
            let list = store.open_store()?.amendments()?;
            match format {
                OutputFormat::Json => {
                    let v: Vec<serde_json::Value> = list
                        .iter()
                        .map(|a| {
                            serde_json::json!({
                                "id": a.id, "status": a.status, "base_version": a.base_version,
                                "proposed_at": a.proposed_at, "proposed_by": a.proposed_by,
                                "source": a.source, "sha256": a.sha256,
                                "checks": serde_json::from_str::<serde_json::Value>(&a.checks).unwrap_or_default(),
                                "decided_at": a.decided_at, "decided_by": a.decided_by,
                                "decision": a.decision, "version": a.version
                            })
                        })
                        .collect();
                    println!("{}", serde_json::to_string_pretty(&v)?);
                }
                _ => {
                    for a in &list {
                        println!(
                            "{}  {:<9} version {} → {}  {} by {}  {}",
                            a.id,
                            a.status,
                            a.base_version,
                            a.version.map_or("—".into(), |v| v.to_string()),
                            a.proposed_at,
                            a.proposed_by,
                            a.decision.as_deref().unwrap_or("")
                        );
                    }
                }
            }
            Ok(())
        }
    }
}

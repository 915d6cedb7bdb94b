//! `onemap plan`: the approved plan versions held by the store.

use crate::store_cmds::StoreArg;
use crate::OutputFormat;
use onemap_survey::Kind;

/// Arguments of `onemap plan`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// The approved plan versions: number, approval, date, authority, and their layers.
    Versions {
        #[command(flatten)]
        store: StoreArg,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// What changed between two plan versions: per layer the features added, removed and
    /// changed, and the area gained and lost per layer and county.
    Diff {
        /// The earlier version.
        from: i64,
        /// The later version.
        to: i64,
        #[command(flatten)]
        store: StoreArg,
        /// Output format (table or json).
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
}

/// m² and 亩 of an area, as the survey gives them (cents of m², 2 decimals).
fn m2_mu(m2: f64) -> String {
    use onemap_geodesy::units::AreaUnit;
    let c = onemap_geodesy::sandiao::to_cents(m2);
    format!(
        "{} m² ({} 亩)",
        AreaUnit::SquareMetre.format(c),
        AreaUnit::Mu.format(c)
    )
}

/// Run `onemap plan`.
pub fn run(a: Args) -> anyhow::Result<()> {
    match a.cmd {
        Cmd::Diff {
            from,
            to,
            store,
            format,
        } => {
            let s = store.open_store()?;
            let versions = s.plan_versions()?;
            let get = |n: i64| {
                versions.iter().find(|v| v.version == n).ok_or_else(|| {
                    crate::UsageError(format!(
                        "no plan version {n}; the store holds {}",
                        versions
                            .iter()
                            .map(|v| v.version.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                })
            };
            let (va, vb) = (get(from)?, get(to)?);
            let t = std::time::Instant::now();
            let d = onemap_plan::amend::diff(&*s, va, vb).map_err(anyhow::Error::msg)?;
            match format {
                OutputFormat::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "from": {"version": va.version, "approval": va.approval, "approved_on": va.approved_on},
                        "to": {"version": vb.version, "approval": vb.approval, "approved_on": vb.approved_on},
                        "layers": d.iter().map(|l| serde_json::json!({
                            "kind": l.kind, "name": l.name, "from_dataset": l.from_dataset, "to_dataset": l.to_dataset,
                            "added": l.added, "removed": l.removed, "changed": l.changed,
                            "gained_m2": (l.gained_m2 * 100.0).round() / 100.0,
                            "lost_m2": (l.lost_m2 * 100.0).round() / 100.0,
                            "counties": l.counties.iter().map(|(c, n, g, lo)| serde_json::json!({
                                "code": c, "name": n,
                                "gained_m2": (g * 100.0).round() / 100.0,
                                "lost_m2": (lo * 100.0).round() / 100.0
                            })).collect::<Vec<_>>()
                        })).collect::<Vec<_>>()
                    }))?
                ),
                _ => {
                    println!(
                        "plan version {} ({}, {}) → {} ({}, {})",
                        va.version,
                        va.approval,
                        va.approved_on,
                        vb.version,
                        vb.approval,
                        vb.approved_on
                    );
                    if d.is_empty() {
                        println!("  no layer changed");
                    }
                    for l in &d {
                        println!(
                            "  {} ({}): {} → {}; {} added, {} removed, {} changed; gained {}, lost {}",
                            l.name,
                            l.kind,
                            l.from_dataset.as_deref().unwrap_or("—"),
                            l.to_dataset.as_deref().unwrap_or("—"),
                            l.added.len(),
                            l.removed.len(),
                            l.changed.len(),
                            m2_mu(l.gained_m2),
                            m2_mu(l.lost_m2)
                        );
                        for (c, n, g, lo) in &l.counties {
                            println!("      {c} {n:<10} +{g:.2} m²  −{lo:.2} m²");
                        }
                    }
                    eprintln!("diff in {:.2} s", t.elapsed().as_secs_f64());
                }
            }
            Ok(())
        }
        Cmd::Versions { store, format } => {
            let s = store.open_store()?;
            let versions = s.plan_versions()?;
            let today = onemap_formats::today();
            let in_force =
                onemap_store::version_in_force(&versions, Some(&today)).map(|v| v.version);
            match format {
                OutputFormat::Json => {
                    let mut v = serde_json::to_value(&versions)?;
                    if let Some(list) = v.as_array_mut() {
                        for x in list {
                            let n = x["version"].as_i64();
                            x["in_force"] = serde_json::json!(n == in_force);
                        }
                    }
                    println!("{}", serde_json::to_string_pretty(&v)?);
                }
                _ => {
                    if versions.is_empty() {
                        println!("no plan versions: import the approved plan layers with --plan-version 1 --approval … --approved-on …");
                    }
                    for v in &versions {
                        println!(
                            "version {}  {}  approved {}{}  {}{}",
                            v.version,
                            v.approval,
                            v.approved_on,
                            if v.authority.is_empty() {
                                String::new()
                            } else {
                                format!(" by {}", v.authority)
                            },
                            v.note,
                            if Some(v.version) == in_force {
                                "  (in force)"
                            } else {
                                ""
                            }
                        );
                        for l in &v.layers {
                            let name = Kind::parse(&l.kind).map_or("", Kind::chinese);
                            println!(
                                "    {:<8} {:<16} {}{}",
                                l.kind,
                                name,
                                l.dataset,
                                if l.inherited { "  (unchanged)" } else { "" }
                            );
                        }
                    }
                }
            }
            Ok(())
        }
    }
}

//! `onemap plan`: the approved plan versions held by the store.

use crate::store_cmds::StoreArg;
use crate::OutputFormat;
use onemap_store::Store;
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
}

/// Run `onemap plan`.
pub fn run(a: Args) -> anyhow::Result<()> {
    match a.cmd {
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

//! `onemap audit`: the store's audit trail (全过程留痕) — list it, verify its hash chain.

use crate::store_cmds::StoreArg;
use crate::OutputFormat;

/// Arguments of `onemap audit`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// List every entry: position, time, actor, action, object, details, digest, hash.
    Log {
        #[command(flatten)]
        store: StoreArg,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: OutputFormat,
    },
    /// Recompute the hash chain and report the first broken or missing entry (exit 1).
    Verify {
        #[command(flatten)]
        store: StoreArg,
        /// A head hash printed by an earlier verify: the chain must still contain it (so
        /// entries removed at the end are found).
        #[arg(long)]
        head: Option<String>,
    },
}

/// Record a report written by a command in the audit trail: what it is, where it went, the
/// digest of its bytes.
pub fn record_report(store: &StoreArg, what: &str, dest: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let mut s = store.open_store()?;
    s.audit(
        &onemap_store::os_user(),
        "report",
        what,
        &format!("{what} → {dest} ({} bytes)", bytes.len()),
        &onemap_store::audit::digest(bytes),
    )?;
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Run `onemap audit`.
pub fn run(a: Args) -> anyhow::Result<()> {
    match a.cmd {
        Cmd::Log { store, format } => {
            let log = store.open_store()?.audit_log()?;
            match format {
                OutputFormat::Json => {
                    println!("{}", serde_json::to_string_pretty(&log)?);
                }
                OutputFormat::Csv => {
                    println!("seq,at,actor,action,object,detail,digest,prev,hash");
                    for e in &log {
                        println!(
                            "{},{},{},{},{},{},{},{},{}",
                            e.seq,
                            e.at,
                            csv_field(&e.actor),
                            csv_field(&e.action),
                            csv_field(&e.object),
                            csv_field(&e.detail),
                            e.digest,
                            e.prev,
                            e.hash
                        );
                    }
                }
                OutputFormat::Table => {
                    for e in &log {
                        println!(
                            "{:>6}  {}  {:<10} {:<13} {:<24} {}  [{}]",
                            e.seq,
                            e.at,
                            e.actor,
                            e.action,
                            e.object,
                            e.detail,
                            e.hash.get(..12).unwrap_or("")
                        );
                    }
                }
            }
            Ok(())
        }
        Cmd::Verify { store, head } => {
            let s = store.open_store()?;
            let t = std::time::Instant::now();
            match s.audit_verify()? {
                Ok((n, last)) => {
                    if let Some(h) = head {
                        let log = s.audit_log()?;
                        if !log.iter().any(|e| e.hash == h) {
                            anyhow::bail!(
                                "audit trail of {}: the head {h} given is not in the chain of {n} entries: entries after it were removed or the chain was rebuilt",
                                s.location()
                            );
                        }
                    }
                    println!(
                        "audit trail of {}: {n} entries verified in {:.2} s; head {last}",
                        s.location(),
                        t.elapsed().as_secs_f64()
                    );
                    Ok(())
                }
                Err(b) => anyhow::bail!(
                    "audit trail of {}: broken at entry {}: {}",
                    s.location(),
                    b.seq,
                    b.message
                ),
            }
        }
    }
}

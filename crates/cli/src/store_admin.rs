//! `onemap store`: make a PostgreSQL database a store (`init`, the versioned migrations), and
//! move a whole store between GeoPackage and PostGIS (`copy`).

use crate::UsageError;

/// Arguments of `onemap store`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// Create or upgrade the onemap schema in a PostGIS database (postgres://user@host/db):
    /// applies the migrations it lacks, in one transaction. A GeoPackage store needs none.
    Init {
        /// The database URL.
        url: String,
    },
    /// Copy a whole store — datasets with their features, findings, statistics, monitoring
    /// runs, plan versions, amendments, reviews, the audit trail and the users — into an empty
    /// one (a new GeoPackage, or a database after `store init`), in either direction; then
    /// check the feature counts and that the audit chain verifies to the same head.
    Copy {
        /// The store to copy (a GeoPackage path or a postgres:// URL).
        from: String,
        /// The empty store to fill.
        to: String,
    },
}

/// Run `onemap store`.
pub fn run(a: Args) -> anyhow::Result<()> {
    match a.cmd {
        Cmd::Init { url } => {
            if !onemap_store::is_url(&url) {
                return Err(UsageError(format!(
                    "{url}: `onemap store init` takes a postgres:// URL; a GeoPackage store is made by its first import"
                ))
                .into());
            }
            let applied = onemap_store::PostgisStore::init(&url)?;
            let shown = onemap_store::PostgisStore::open(&url)?;
            use onemap_store::Store;
            match applied.as_slice() {
                [] => println!("{}: the onemap schema is up to date", shown.location()),
                v => println!(
                    "{}: applied migration{} {}",
                    shown.location(),
                    if v.len() > 1 { "s" } else { "" },
                    v.iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        }
        Cmd::Copy { from, to } => copy(&from, &to)?,
    }
    Ok(())
}

fn copy(from: &str, to: &str) -> anyhow::Result<()> {
    use onemap_store::Store;
    let t = std::time::Instant::now();
    if !onemap_store::is_url(from) && !std::path::Path::new(from).exists() {
        return Err(UsageError(format!("{from}: no store there")).into());
    }
    let src = onemap_store::open(std::path::Path::new(from))?;
    let mut dst = onemap_store::open(std::path::Path::new(to))?;
    let dump = src.dump()?;
    let total: u64 = dump.datasets.iter().map(|(d, _)| d.features).sum();
    let bar = indicatif::ProgressBar::new(total).with_style(
        indicatif::ProgressStyle::with_template("{msg} {bar:40} {pos}/{len} features")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut done = 0u64;
    dst.restore(&dump, &mut |ds| {
        bar.set_message(ds.id.clone());
        bar.set_position(done);
        done += ds.features;
        src.features(&ds.id)
    })?;
    bar.finish_and_clear();
    // Check what arrived: every dataset with its count, the chain to the same head.
    let copied = dst.dump()?;
    for ((a, _), (b, _)) in dump.datasets.iter().zip(&copied.datasets) {
        let mut n = 0u64;
        let mut r = dst.features(&b.id)?;
        while r.read_feature()?.is_some() {
            n += 1;
        }
        anyhow::ensure!(
            a.id == b.id && n == a.features,
            "{}: dataset {} arrived with {n} of {} features",
            dst.location(),
            a.id,
            a.features
        );
    }
    anyhow::ensure!(
        copied.datasets.len() == dump.datasets.len(),
        "{}: {} of {} datasets arrived",
        dst.location(),
        copied.datasets.len(),
        dump.datasets.len()
    );
    let head = |s: &dyn Store| -> anyhow::Result<String> {
        match s.audit_verify()? {
            Ok((_, h)) => Ok(h),
            Err(b) => anyhow::bail!(
                "{}: the audit trail breaks at entry {}: {}",
                s.location(),
                b.seq,
                b.message
            ),
        }
    };
    let (h1, h2) = (head(&*src)?, head(&*dst)?);
    anyhow::ensure!(
        h1 == h2,
        "the audit trail of {} ends at {h2}, not {h1} as in {}",
        dst.location(),
        src.location()
    );
    println!(
        "copied {} datasets ({total} features), {} plan versions, {} amendments, {} monitoring runs, {} reviews, {} users and {} audit entries from {} to {} in {:.1} s; the audit trail verifies to the same head {}",
        dump.datasets.len(),
        dump.versions.len(),
        dump.amendments.len(),
        dump.runs.len(),
        dump.reviews.len(),
        dump.users.len(),
        dump.audit.len(),
        src.location(),
        dst.location(),
        t.elapsed().as_secs_f64(),
        &h1[..16.min(h1.len())]
    );
    Ok(())
}

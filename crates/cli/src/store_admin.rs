//! `onemap store`: make a PostgreSQL database a store (`init`, the versioned migrations).

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
    }
    Ok(())
}

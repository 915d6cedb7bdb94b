//! The plan file (DESIGN §7): the approved plan's identity, its indicators and targets, the
//! land-class sets they count, and the review and alert rules — data, not code, so that another
//! city is another file. `data/tongliao/plan.toml` is Tongliao's; `docs/plan-file.md` documents
//! every key.

mod model;

pub use model::{Alert, ClassSets, Indicator, Monitor, Plan, PlanInfo, Review, ReviewRule, Rule};

use std::path::{Path, PathBuf};

/// Plan-file errors, naming the file and (for syntax errors) the line.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid plan file.
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line where known.
        message: String,
    },
}

/// The plan file shipped with onemap for Tongliao, as text.
pub const TONGLIAO_PLAN: &str = include_str!("../../../data/tongliao/plan.toml");

/// The plan file to use: `--plan`, else `ONEMAP_PLAN`, else the built-in Tongliao plan.
pub fn load(arg: Option<&Path>) -> Result<Plan, PlanError> {
    match arg
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("ONEMAP_PLAN").map(PathBuf::from))
    {
        Some(p) => Plan::from_file(&p),
        None => Plan::parse(TONGLIAO_PLAN, Path::new("data/tongliao/plan.toml")),
    }
}

//! The plan file (DESIGN §7): the approved plan's identity, its indicators and targets, the
//! land-class sets they count, and the review and alert rules — data, not code, so that another
//! city is another file. `data/tongliao/plan.toml` is Tongliao's; `docs/plan-file.md` documents
//! every key.

pub mod assess;
pub mod indicators;
mod model;
pub mod stats_input;
pub mod tally;

pub use model::{
    in_set, Alert, ClassSets, Indicator, Monitor, Plan, PlanInfo, Review, ReviewRule, Rule,
};

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

/// The plan layers the indicators read besides the survey.
pub const INDICATOR_LAYERS: &[onemap_survey::Kind] = &[
    onemap_survey::Kind::Yjjbnt,
    onemap_survey::Kind::Stbhhx,
    onemap_survey::Kind::Czkfbj,
    onemap_survey::Kind::Jbcy,
    onemap_survey::Kind::Xzq,
];

/// Count every survey year in the store up to `upto` (all when `None`) against the plan
/// layers in force: the control layers and 行政区 are loaded once, each survey year is loaded,
/// counted and released in turn (memory stays at one year). Returns the Snapshot of the plan
/// layers (with the last year's survey kept) and the tallies.
pub fn count_years(
    store: &dyn onemap_store::Store,
    plan: &Plan,
    upto: Option<i32>,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<
    (
        onemap_overlay::Snapshot,
        std::collections::BTreeMap<i32, tally::Tally>,
    ),
    onemap_overlay::OverlayError,
> {
    use onemap_survey::Kind;
    let mut years: Vec<i32> = store
        .datasets()?
        .iter()
        .filter(|d| d.kind == Kind::Dltb)
        .filter_map(|d| d.year)
        .filter(|y| upto.is_none_or(|u| *y <= u))
        .collect();
    years.sort_unstable();
    years.dedup();
    if let Some(u) = upto {
        if years.last() != Some(&u) {
            return Err(onemap_overlay::OverlayError::Missing(format!(
                "the store holds no 地类图斑 (dltb) dataset for {u}"
            )));
        }
    }
    let Some(&last) = years.last() else {
        return Err(onemap_overlay::OverlayError::Missing(
            "the store holds no 地类图斑 (dltb) dataset; import a survey year first".into(),
        ));
    };
    let mut snap = onemap_overlay::Snapshot::load(
        store,
        &onemap_overlay::SnapshotRequest {
            survey_years: vec![last],
            kinds: INDICATOR_LAYERS.to_vec(),
        },
        progress,
    )?;
    let mut out = std::collections::BTreeMap::new();
    for &y in &years {
        if y != last {
            snap.load_survey(store, y, progress)?;
        }
        if let Some(t) = tally::tally(&snap, y, plan) {
            out.insert(y, t);
        }
        if y != last {
            snap.drop_survey(y);
        }
    }
    Ok((snap, out))
}

//! The plan file (DESIGN §7): the approved plan's identity, its indicators and targets, the
//! land-class sets they count, and the review and alert rules — data, not code, so that another
//! city is another file. `data/tongliao/plan.toml` is Tongliao's; `docs/plan-file.md` documents
//! every key.

pub mod amend;
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
/// layers in force. A year's tally is kept in the store, keyed by the hashes of its survey
/// datasets, of the plan layers and of the plan's class sets: a year counted before is read
/// back, any other is loaded, counted and released in turn (memory stays at one year). Returns
/// the Snapshot of the plan layers and 行政区 (for maps) and the tallies. `as_of` takes the
/// plan layers in force that day (default: the latest approved plan version).
pub fn count_years(
    store: &dyn onemap_store::Store,
    plan: &Plan,
    upto: Option<i32>,
    as_of: Option<&str>,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<
    (
        onemap_overlay::Snapshot,
        std::collections::BTreeMap<i32, tally::Tally>,
    ),
    onemap_overlay::OverlayError,
> {
    use onemap_survey::Kind;
    use sha2::{Digest, Sha256};
    let all = store.datasets()?;
    let mut years = onemap_store::survey_years(&all);
    years.retain(|y| upto.is_none_or(|u| *y <= u));
    if let Some(u) = upto {
        if years.last() != Some(&u) {
            return Err(onemap_overlay::OverlayError::Missing(format!(
                "the store holds no 地类图斑 (dltb) dataset for {u}"
            )));
        }
    }
    if years.is_empty() {
        return Err(onemap_overlay::OverlayError::Missing(
            "the store holds no 地类图斑 (dltb) dataset; import a survey year first".into(),
        ));
    }
    let mut snap = onemap_overlay::Snapshot::load_layers(store, INDICATOR_LAYERS, as_of, progress)?;
    let sig = |kinds: &dyn Fn(&onemap_store::Dataset) -> bool| -> String {
        all.iter()
            .filter(|d| kinds(d))
            .map(|d| format!("{}={}", d.id, d.sha256))
            .collect::<Vec<_>>()
            .join(",")
    };
    let plan_ids: Vec<String> = snap
        .layers()
        .flat_map(|l| l.datasets().iter().map(|d| d.id.clone()))
        .collect();
    let plan_sig = sig(&|d| plan_ids.contains(&d.id));
    let classes = serde_json::to_string(&plan.classes).unwrap_or_default();
    let mut out = std::collections::BTreeMap::new();
    for &y in &years {
        let survey_sig = sig(&|d| d.kind == Kind::Dltb && d.year == Some(y));
        let key = format!(
            "tally-v2-{:x}",
            Sha256::digest(format!("{y}|{classes}|{survey_sig}|{plan_sig}").as_bytes())
        );
        if let Some(t) = store
            .cache_get(&key)?
            .and_then(|j| serde_json::from_str::<tally::Tally>(&j).ok())
        {
            out.insert(y, t);
            continue;
        }
        snap.load_survey(store, y, progress)?;
        if let Some(t) = tally::tally(&snap, y, plan) {
            if let Ok(j) = serde_json::to_string(&t) {
                // A read-only store still answers; it just counts again next time.
                let _ = store.cache_put(&key, &j);
            }
            out.insert(y, t);
        }
        snap.drop_survey(y);
    }
    Ok((snap, out))
}

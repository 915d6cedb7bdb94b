//! Loading a [`Snapshot`] from a store.

use crate::layer::{Layer, LayerBuilder};
use crate::{OverlayError, Result};
use geo_types::{Geometry, Polygon};
use onemap_formats::{FieldType, Value};
use onemap_store::{Dataset, Store};
use onemap_survey::Kind;
use std::collections::BTreeMap;

/// What to load.
#[derive(Clone, Debug, Default)]
pub struct SnapshotRequest {
    /// Survey years to load; empty loads the latest year in the store.
    pub survey_years: Vec<i32>,
    /// Other layer kinds to load (their latest version each); kinds the store lacks are
    /// simply absent from the Snapshot.
    pub kinds: Vec<Kind>,
    /// Plan layers as the plan in force on this day (`YYYY-MM-DD`); `None`: the latest
    /// approved plan version. Only for stores with plan versions.
    pub as_of: Option<String>,
}

/// The layers an analysis works on, in memory.
#[derive(Debug, Default)]
pub struct Snapshot {
    surveys: BTreeMap<i32, Layer>,
    layers: BTreeMap<&'static str, Layer>,
}

impl Snapshot {
    /// An empty Snapshot (add layers with [`Snapshot::insert`]).
    pub fn new() -> Snapshot {
        Snapshot::default()
    }

    /// Add a layer: a survey layer under its year, any other under its kind.
    pub fn insert(&mut self, layer: Layer) {
        match (layer.kind(), layer.year()) {
            (Kind::Dltb, Some(y)) => {
                self.surveys.insert(y, layer);
            }
            (k, _) => {
                self.layers.insert(k.id(), layer);
            }
        }
    }

    /// Load what `req` asks for. `progress` is told each dataset as it starts and every
    /// 100 000 features.
    pub fn load(
        store: &dyn Store,
        req: &SnapshotRequest,
        progress: &mut dyn FnMut(&str, u64),
    ) -> Result<Snapshot> {
        let all = store.datasets()?;
        let mut snap = Snapshot::new();
        let mut years: Vec<i32> = req.survey_years.clone();
        if years.is_empty() {
            let latest = *onemap_store::survey_years(&all).last().ok_or_else(|| {
                OverlayError::Missing(
                    "the store holds no 地类图斑 (dltb) dataset; import a survey year first".into(),
                )
            })?;
            years.push(latest);
        }
        let mut jobs: Vec<Job> = Vec::new();
        for y in years {
            jobs.push(survey_job(&all, y)?);
        }
        jobs.extend(latest_jobs(store, &all, &req.kinds, req.as_of.as_deref())?);
        for layer in load_jobs(store, jobs, progress)? {
            snap.insert(layer);
        }
        Ok(snap)
    }

    /// Load only the given layer kinds (their latest version each), no survey.
    pub fn load_layers(
        store: &dyn Store,
        kinds: &[Kind],
        as_of: Option<&str>,
        progress: &mut dyn FnMut(&str, u64),
    ) -> Result<Snapshot> {
        let all = store.datasets()?;
        let mut snap = Snapshot::new();
        for layer in load_jobs(store, latest_jobs(store, &all, kinds, as_of)?, progress)? {
            snap.insert(layer);
        }
        Ok(snap)
    }

    /// Load the survey of one more year (all its datasets) into the Snapshot.
    pub fn load_survey(
        &mut self,
        store: &dyn Store,
        year: i32,
        progress: &mut dyn FnMut(&str, u64),
    ) -> Result<()> {
        let (kind, y, ds) = survey_job(&store.datasets()?, year)?;
        let refs: Vec<&Dataset> = ds.iter().collect();
        self.insert(load_layer(store, kind, y, &refs, progress)?);
        Ok(())
    }

    /// Release the survey of a year.
    pub fn drop_survey(&mut self, year: i32) {
        self.surveys.remove(&year);
    }

    /// The survey layer of a year.
    pub fn survey(&self, year: i32) -> Option<&Layer> {
        self.surveys.get(&year)
    }

    /// The survey years held, ascending.
    pub fn survey_years(&self) -> Vec<i32> {
        self.surveys.keys().copied().collect()
    }

    /// The layer of a kind (other than the survey).
    pub fn layer(&self, kind: Kind) -> Option<&Layer> {
        self.layers.get(kind.id())
    }

    /// Every layer held, surveys first.
    pub fn layers(&self) -> impl Iterator<Item = &Layer> {
        self.surveys.values().chain(self.layers.values())
    }
}

/// A layer to load: kind, year and its datasets.
type Job = (Kind, Option<i32>, Vec<Dataset>);

/// The survey of a year (all its datasets) as a loading job; an error when the store has none.
fn survey_job(all: &[Dataset], year: i32) -> Result<Job> {
    let ds: Vec<Dataset> = all
        .iter()
        .filter(|d| d.kind == Kind::Dltb && d.year == Some(year))
        .cloned()
        .collect();
    if ds.is_empty() {
        return Err(OverlayError::Missing(format!(
            "the store holds no 地类图斑 (dltb) dataset for {year}"
        )));
    }
    Ok((Kind::Dltb, Some(year), ds))
}

/// The latest version of each kind the store holds, as loading jobs (kinds it lacks are
/// skipped).
/// The layers of `kinds`: a plan layer from the plan version in force on `as_of` (the latest
/// approved when `None`) where the store keeps plan versions and some version holds that kind;
/// any other kind from its latest datasets.
fn latest_jobs(
    store: &dyn Store,
    all: &[Dataset],
    kinds: &[Kind],
    as_of: Option<&str>,
) -> Result<Vec<Job>> {
    let versions = store.plan_versions()?;
    let in_force = onemap_store::version_in_force(&versions, as_of);
    if let (Some(d), None, false) = (as_of, in_force, versions.is_empty()) {
        return Err(OverlayError::Missing(format!(
            "no plan version was in force on {d}: the first, {}, was approved on {}",
            versions[0].approval, versions[0].approved_on
        )));
    }
    let mut jobs = Vec::new();
    for &k in kinds {
        let versioned = versions.iter().any(|v| v.dataset(k).is_some());
        if versioned {
            let Some(id) = in_force.and_then(|v| v.dataset(k)) else {
                continue;
            };
            let ds: Vec<Dataset> = all.iter().filter(|d| d.id == id).cloned().collect();
            if let Some(d) = ds.first() {
                jobs.push((k, d.year, ds));
            }
            continue;
        }
        let Some(latest) = all.iter().filter(|d| d.kind == k).map(|d| d.year).max() else {
            continue;
        };
        let ds: Vec<Dataset> = all
            .iter()
            .filter(|d| d.kind == k && d.year == latest)
            .cloned()
            .collect();
        jobs.push((k, latest, ds));
    }
    Ok(jobs)
}

/// Load layers, on as many threads as there are cores when the store can be reopened (each
/// thread reads its own layers over its own connection), else one after the other.
fn load_jobs(
    store: &dyn Store,
    mut jobs: Vec<Job>,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Vec<Layer>> {
    let threads = std::thread::available_parallelism().map_or(1, |x| x.get());
    let handles: Vec<Box<dyn Store + Send>> = if jobs.len() > 1 && threads > 1 {
        (0..threads.min(jobs.len()))
            .map_while(|_| store.reopen())
            .collect()
    } else {
        Vec::new()
    };
    if handles.len() < 2 {
        return jobs
            .iter()
            .map(|(k, y, ds)| {
                let refs: Vec<&Dataset> = ds.iter().collect();
                load_layer(store, *k, *y, &refs, progress)
            })
            .collect();
    }
    // Largest first, each to the least loaded thread.
    jobs.sort_by_key(|j| std::cmp::Reverse(j.2.iter().map(|d| d.features).sum::<u64>()));
    let mut plan: Vec<(u64, Vec<Job>)> = (0..handles.len()).map(|_| (0, Vec::new())).collect();
    for j in jobs {
        let n: u64 = j.2.iter().map(|d| d.features).sum();
        if let Some(slot) = plan.iter_mut().min_by_key(|p| p.0) {
            slot.0 += n;
            slot.1.push(j);
        }
    }
    let names: Vec<String> = plan
        .iter()
        .flat_map(|p| p.1.iter().map(|j| j.0.id().to_string()))
        .collect();
    progress(&names.join(", "), 0);
    let results: Vec<Result<Vec<Layer>>> = std::thread::scope(|s| {
        let hs: Vec<_> = handles
            .into_iter()
            .zip(plan)
            .map(|(st, (_, js))| {
                s.spawn(move || {
                    js.iter()
                        .map(|(k, y, ds)| {
                            let refs: Vec<&Dataset> = ds.iter().collect();
                            load_layer(st.as_ref(), *k, *y, &refs, &mut |_, _| {})
                        })
                        .collect::<Result<Vec<Layer>>>()
                })
            })
            .collect();
        hs.into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(OverlayError::Missing("a loading thread failed".into()))
                })
            })
            .collect()
    });
    let mut out = Vec::new();
    for r in results {
        out.extend(r?);
    }
    Ok(out)
}

/// The polygons of a geometry (other geometry types have none).
pub fn polygons_of(g: &Geometry<f64>) -> Vec<Polygon<f64>> {
    match g {
        Geometry::Polygon(p) => vec![p.clone()],
        Geometry::MultiPolygon(mp) => mp.0.clone(),
        Geometry::GeometryCollection(gc) => gc.0.iter().flat_map(polygons_of).collect(),
        _ => Vec::new(),
    }
}

/// The fields the analyses read of a layer kind.
fn wanted_fields(kind: Kind) -> Vec<&'static str> {
    match kind {
        // What the analyses read of a survey patch; the other 三调 fields stay in the store.
        Kind::Dltb => vec![
            "BSM", "DLBM", "DLMC", "ZLDWDM", "TBMJ", "KCDLBM", "KCXS", "KCMJ", "TBDLMJ", "CZCSXM",
        ],
        _ => kind.fields().iter().map(|f| f.0).collect(),
    }
}

fn load_layer(
    store: &dyn Store,
    kind: Kind,
    year: Option<i32>,
    datasets: &[&Dataset],
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Layer> {
    let wanted = wanted_fields(kind);
    let mut builder: Option<LayerBuilder> = None;
    let mut count = 0u64;
    for d in datasets {
        progress(&d.id, count);
        let mut r = store.features_with(&d.id, &wanted)?;
        feed(
            &mut builder,
            kind,
            year,
            &wanted,
            d,
            r.as_mut(),
            &mut count,
            progress,
        )?;
    }
    Ok(builder
        .unwrap_or_else(|| LayerBuilder::new(kind, year, &[]))
        .finish())
}

/// A layer of one dataset from any reader (features in EPSG:4490): e.g. a plan layer as an
/// amendment would make it, before it is stored.
pub fn layer_from(
    kind: Kind,
    year: Option<i32>,
    dataset: &Dataset,
    reader: &mut dyn onemap_formats::FeatureReader,
) -> Result<Layer> {
    let wanted = wanted_fields(kind);
    let mut builder = None;
    feed(
        &mut builder,
        kind,
        year,
        &wanted,
        dataset,
        reader,
        &mut 0,
        &mut |_, _| {},
    )?;
    Ok(builder
        .unwrap_or_else(|| LayerBuilder::new(kind, year, &[]))
        .finish())
}

#[allow(clippy::too_many_arguments)]
fn feed(
    builder: &mut Option<LayerBuilder>,
    kind: Kind,
    year: Option<i32>,
    wanted: &[&str],
    d: &Dataset,
    r: &mut dyn onemap_formats::FeatureReader,
    count: &mut u64,
    progress: &mut dyn FnMut(&str, u64),
) -> Result<()> {
    let info = r.info().clone();
    let idx: Vec<Option<usize>> = wanted
        .iter()
        .map(|w| {
            info.fields
                .iter()
                .position(|f| f.name.eq_ignore_ascii_case(w))
        })
        .collect();
    let b = builder.get_or_insert_with(|| {
        let fields: Vec<(&str, bool)> = wanted
            .iter()
            .zip(&idx)
            .map(|(w, i)| {
                let numeric = i.is_some_and(|i| {
                    matches!(info.fields[i].ty, FieldType::Int | FieldType::Float)
                });
                (*w, numeric)
            })
            .collect();
        LayerBuilder::new(kind, year, &fields)
    });
    b.dataset(d.clone());
    while let Some(f) = r.read_feature()? {
        let polys = f.geometry.as_ref().map(polygons_of).unwrap_or_default();
        let vals: Vec<Option<&Value>> = idx
            .iter()
            .map(|i| i.and_then(|i| f.values.get(i)))
            .collect();
        b.push(&polys, &vals);
        *count += 1;
        if *count % 100_000 == 0 {
            progress(&d.id, *count);
        }
    }
    Ok(())
}

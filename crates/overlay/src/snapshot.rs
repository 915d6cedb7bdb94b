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
            let latest = all
                .iter()
                .filter(|d| d.kind == Kind::Dltb)
                .filter_map(|d| d.year)
                .max()
                .ok_or_else(|| {
                    OverlayError::Missing(
                        "the store holds no 地类图斑 (dltb) dataset; import a survey year first"
                            .into(),
                    )
                })?;
            years.push(latest);
        }
        for y in years {
            let ds: Vec<&Dataset> = all
                .iter()
                .filter(|d| d.kind == Kind::Dltb && d.year == Some(y))
                .collect();
            if ds.is_empty() {
                return Err(OverlayError::Missing(format!(
                    "the store holds no 地类图斑 (dltb) dataset for {y}"
                )));
            }
            snap.insert(load_layer(store, Kind::Dltb, Some(y), &ds, progress)?);
        }
        for &k in &req.kinds {
            let latest = all.iter().filter(|d| d.kind == k).map(|d| d.year).max();
            let Some(latest) = latest else { continue };
            let ds: Vec<&Dataset> = all
                .iter()
                .filter(|d| d.kind == k && d.year == latest)
                .collect();
            snap.insert(load_layer(store, k, latest, &ds, progress)?);
        }
        Ok(snap)
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

/// The polygons of a geometry (other geometry types have none).
pub fn polygons_of(g: &Geometry<f64>) -> Vec<Polygon<f64>> {
    match g {
        Geometry::Polygon(p) => vec![p.clone()],
        Geometry::MultiPolygon(mp) => mp.0.clone(),
        Geometry::GeometryCollection(gc) => gc.0.iter().flat_map(polygons_of).collect(),
        _ => Vec::new(),
    }
}

fn load_layer(
    store: &dyn Store,
    kind: Kind,
    year: Option<i32>,
    datasets: &[&Dataset],
    progress: &mut dyn FnMut(&str, u64),
) -> Result<Layer> {
    let wanted: Vec<&str> = kind.fields().iter().map(|f| f.0).collect();
    let mut builder: Option<LayerBuilder> = None;
    let mut count = 0u64;
    for d in datasets {
        progress(&d.id, count);
        let mut r = store.features(&d.id)?;
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
        b.dataset((*d).clone());
        while let Some(f) = r.read_feature()? {
            let polys = f.geometry.as_ref().map(polygons_of).unwrap_or_default();
            let vals: Vec<Option<&Value>> = idx
                .iter()
                .map(|i| i.and_then(|i| f.values.get(i)))
                .collect();
            b.push(&polys, &vals);
            count += 1;
            if count % 100_000 == 0 {
                progress(&d.id, count);
            }
        }
    }
    Ok(builder
        .unwrap_or_else(|| LayerBuilder::new(kind, year, &[]))
        .finish())
}

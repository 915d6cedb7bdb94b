//! Vector tiles of the collections (`/tiles/{id}/{z}/{x}/{y}.mvt`), their TileJSON and a
//! MapLibre style with the standard land-class colours. Features are clipped to the tile with a
//! buffer, snapped to the tile grid (which simplifies them per zoom) and thinned where they are
//! too small to read; a tile is never shipped above 500 KB. Tiles are cached per dataset
//! version (its SHA-256) and carry an ETag.

use crate::auth::{shows, Principal, ALL};
use crate::mvt::{encode_layer, lonlat_to_tile, tile_to_lonlat, TileFeature, TileValue, EXTENT};
use crate::ogc::base;
use crate::{ApiError, Shared};
use axum::extract::{Extension, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_overlay::clip::clip_ring_to_box;
use onemap_survey::Kind;
use serde_json::{json, Value};
use std::sync::Arc;

/// Largest tile shipped.
pub const MAX_TILE: usize = 500 * 1024;
/// Buffer around the tile, tile units.
const BUFFER: f64 = 64.0;
/// Deepest zoom served.
pub const MAX_ZOOM: u8 = 18;

/// Build one tile of a tileset (a collection or a whole layer), with only the features of
/// county index `scope` ([`ALL`]: every feature). Feature ids are the collection's item ids,
/// or for a whole layer the feature's place in the layer plus one.
pub fn build(s: &Shared, id: &str, z: u8, x: u32, y: u32, scope: u16) -> Result<Vec<u8>, ApiError> {
    let c = s.tileset(id)?;
    let l = s.layer_at(c.kind, c.survey);
    let visible = s.visible_in(scope, c.kind, c.survey);
    let b = BUFFER / EXTENT as f64;
    let nw = tile_to_lonlat(z, x as f64 - b, y as f64 - b);
    let se = tile_to_lonlat(z, x as f64 + 1.0 + b, y as f64 + 1.0 + b);
    let bb = [nw[0], se[1], se[0], nw[1]];
    let mut ids: Vec<u32> = l
        .query(bb)
        .filter(|&i| c.range.contains(&i) && shows(&visible, i))
        .collect();
    ids.sort_unstable();
    let keys: Vec<String> = l.field_names().to_vec();
    let clip = [
        -BUFFER,
        -BUFFER,
        EXTENT as f64 + BUFFER,
        EXTENT as f64 + BUFFER,
    ];
    // Features below `min_area` tile units² are not readable at this zoom: thinned, and the
    // threshold rises until the tile fits. Each feature is projected once; a feature whose
    // box (cut to the tile) is already below the first threshold is not projected at all.
    let mut min_area = 64.0;
    struct Candidate {
        id: u64,
        area: f64,
        rings: Vec<(Vec<[i32; 2]>, bool, f64)>,
        values: Vec<TileValue>,
    }
    let mut cands: Vec<Candidate> = Vec::new();
    for &i in &ids {
        let fb = l.bbox(i);
        let lo = lonlat_to_tile(z, x, y, [fb[0], fb[3]]);
        let hi = lonlat_to_tile(z, x, y, [fb[2], fb[1]]);
        let w = hi[0].min(clip[2]) - lo[0].max(clip[0]);
        let h = hi[1].min(clip[3]) - lo[1].max(clip[1]);
        if w <= 0.0 || h <= 0.0 || w * h < min_area {
            continue;
        }
        let mut rings = Vec::new();
        let mut area = 0.0;
        for (r, hole) in l.rings(i) {
            let proj: Vec<[f64; 2]> = r.iter().map(|p| lonlat_to_tile(z, x, y, *p)).collect();
            let cut = clip_ring_to_box(&proj, clip);
            let mut pts: Vec<[i32; 2]> = Vec::with_capacity(cut.len());
            for p in cut {
                let q = [p[0].round() as i32, p[1].round() as i32];
                if pts.last() != Some(&q) {
                    pts.push(q);
                }
            }
            while pts.len() > 1 && pts.first() == pts.last() {
                pts.pop();
            }
            if pts.len() < 3 {
                continue;
            }
            let a: f64 = (0..pts.len())
                .map(|k| {
                    let (p, q) = (pts[k], pts[(k + 1) % pts.len()]);
                    p[0] as f64 * q[1] as f64 - q[0] as f64 * p[1] as f64
                })
                .sum::<f64>()
                .abs()
                / 2.0;
            if !hole {
                area += a;
            } else if a < min_area {
                continue;
            }
            if !hole || !rings.is_empty() {
                rings.push((pts, hole, a));
            }
        }
        if rings.is_empty() || area < min_area {
            continue;
        }
        let values = (0..keys.len())
            .map(|f| {
                if l.is_numeric(f) {
                    TileValue::Num(l.num(f, i).unwrap_or(0.0))
                } else {
                    TileValue::Str(l.text(f, i).into_owned())
                }
            })
            .collect();
        cands.push(Candidate {
            id: (i - c.range.start + 1) as u64,
            area,
            rings,
            values,
        });
    }
    loop {
        let feats: Vec<TileFeature> = cands
            .iter()
            .filter(|f| f.area >= min_area)
            .map(|f| TileFeature {
                id: f.id,
                rings: f
                    .rings
                    .iter()
                    .filter(|r| !r.1 || r.2 >= min_area)
                    .map(|r| (r.0.clone(), r.1))
                    .collect(),
                values: f.values.clone(),
            })
            .collect();
        let t = encode_layer(id, &keys, &feats);
        if t.len() <= MAX_TILE || min_area > 1e9 {
            return Ok(t);
        }
        min_area *= 4.0;
    }
}

/// A tile from the cache, built and cached if absent.
fn cached_tile(s: &Shared, key: crate::TileKey) -> Result<Arc<Vec<u8>>, ApiError> {
    if let Some(b) = s.tiles.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(b);
    }
    let b = Arc::new(build(s, &key.0, key.1, key.2, key.3, key.4)?);
    if let Ok(mut m) = s.tiles.lock() {
        if m.len() > 50_000 {
            m.clear();
        }
        m.insert(key, b.clone());
    }
    Ok(b)
}

/// Build the tiles of the first views ahead of the first visitor: zoom 0 to `max_zoom` over
/// each whole layer's extent, the latest survey first. Low-zoom tiles of a dense city are the
/// slow ones (every patch of the view is projected and thinned); the rest are quick on
/// demand. Returns the tiles built.
pub fn warm(s: &Shared, max_zoom: u8) -> usize {
    let mut sets: Vec<&crate::Tileset> = s.tilesets.iter().filter(|t| t.whole_layer).collect();
    sets.sort_by_key(|t| std::cmp::Reverse(t.survey.unwrap_or(0)));
    let mut n = 0;
    for t in sets {
        let bb = crate::range_bbox(s.layer_at(t.kind, t.survey), t.range.clone());
        if !bb[0].is_finite() {
            continue;
        }
        for z in 0..=max_zoom {
            let lo = lonlat_to_tile(z, 0, 0, [bb[0], bb[3]]);
            let hi = lonlat_to_tile(z, 0, 0, [bb[2], bb[1]]);
            let m = (1u32 << z) - 1;
            let t0 = |v: f64| ((v / EXTENT as f64).floor().max(0.0) as u32).min(m);
            for x in t0(lo[0])..=t0(hi[0]) {
                for y in t0(lo[1])..=t0(hi[1]) {
                    if cached_tile(s, (t.id.clone(), z, x, y, ALL)).is_ok() {
                        n += 1;
                    }
                }
            }
        }
    }
    n
}

/// `/tiles/{id}/{z}/{x}/{y}.mvt`.
pub async fn tile(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    h: HeaderMap,
    Path((id, z, x, tile)): Path<(String, u8, u32, String)>,
) -> Result<Response, ApiError> {
    let y: u32 = tile
        .strip_suffix(".mvt")
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| ApiError::bad(format!("{tile}: tiles are {{y}}.mvt")))?;
    if z > MAX_ZOOM || x >= (1u32 << z) || y >= (1u32 << z) {
        return Err(ApiError::bad(format!(
            "tile {z}/{x}/{y} does not exist (zoom 0–{MAX_ZOOM})"
        )));
    }
    let c = s.tileset(&id)?;
    s.may_read(&p, c.kind, c.survey)?;
    // A county user's tiles hold only the county's features: their own cache entries and
    // ETags, and no shared caches.
    let etag = match p.scope {
        ALL => format!("\"{}-{z}-{x}-{y}\"", c.version),
        k => format!("\"{}-{z}-{x}-{y}-c{k}\"", c.version),
    };
    let cache_control = if p.scope == ALL
        && s.may_read(&crate::auth::Principal::public(), c.kind, c.survey)
            .is_ok()
    {
        "public, max-age=3600"
    } else {
        "private, max-age=3600"
    };
    if h.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, cache_control.to_string()),
            ],
        )
            .into_response());
    }
    let key = (id.clone(), z, x, y, p.scope);
    let cached = s.tiles.lock().ok().and_then(|m| m.get(&key).cloned());
    let bytes = match cached {
        Some(b) => b,
        None => {
            let s2 = s.clone();
            tokio::task::spawn_blocking(move || cached_tile(&s2, key))
                .await
                .map_err(|e| ApiError::internal(e.to_string()))??
        }
    };
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.mapbox-vector-tile".to_string(),
            ),
            (header::CACHE_CONTROL, cache_control.to_string()),
            (header::ETAG, etag),
        ],
        bytes.as_ref().clone(),
    )
        .into_response())
}

/// `/tiles/{id}.json`: TileJSON 3.0.
pub async fn tilejson(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    h: HeaderMap,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = name
        .strip_suffix(".json")
        .ok_or_else(|| ApiError::bad(format!("{name}: TileJSON is /tiles/{{collection}}.json")))?;
    let c = s.tileset(id)?;
    s.may_read(&p, c.kind, c.survey)?;
    let l = s.layer_at(c.kind, c.survey);
    let b = base(&h);
    let fields: serde_json::Map<String, Value> = l
        .field_names()
        .iter()
        .enumerate()
        .map(|(f, n)| {
            (
                n.clone(),
                json!(if l.is_numeric(f) { "Number" } else { "String" }),
            )
        })
        .collect();
    Ok(Json(json!({
        "tilejson": "3.0.0",
        "name": c.name,
        "tiles": [format!("{b}/tiles/{id}/{{z}}/{{x}}/{{y}}.mvt")],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "vector_layers": [{"id": id, "fields": fields}]
    })))
}

/// Fill and outline colours of a plan layer kind, and whether it is on at first.
fn plan_paint(kind: Kind) -> (&'static str, f64, bool) {
    match kind {
        Kind::Yjjbnt => ("#d4a017", 0.35, true),
        Kind::Stbhhx => ("#2e7d32", 0.35, true),
        Kind::Czkfbj => ("#7b1fa2", 0.2, true),
        Kind::Fxkz => ("#1e88e5", 0.25, false),
        Kind::Jbcy => ("#8bc34a", 0.3, false),
        Kind::Lswh => ("#a1887f", 0.35, false),
        Kind::Kcbz => ("#546e7a", 0.3, false),
        Kind::Xzq => ("#37474f", 0.0, true),
        _ => ("#999999", 0.15, false),
    }
}

/// `/style.json`: a MapLibre style with one source per layer (a survey year, a plan layer):
/// survey patches in the standard land-class colours (the latest year on), the control lines
/// on top, the county boundaries over everything. Layer metadata says which group of the
/// layer tree (现状, 规划) each belongs to.
pub async fn style(
    State(s): State<Shared>,
    Extension(p): Extension<Principal>,
    h: HeaderMap,
) -> Json<Value> {
    let b = base(&h);
    let mut sources = serde_json::Map::new();
    let mut layers =
        vec![json!({"id": "背景", "type": "background", "paint": {"background-color": "#f8f8f4"}})];
    let mut class_match = vec![json!("match"), json!(["get", "DLBM"])];
    for c in onemap_survey::classes::CLASSES {
        class_match.push(json!(c.code));
        class_match.push(json!(onemap_report::map::class_colour(c.code)));
    }
    class_match.push(json!("#dddddd"));
    let mut sets: Vec<&crate::Tileset> = s
        .tilesets
        .iter()
        .filter(|t| t.whole_layer && s.may_read(&p, t.kind, t.survey).is_ok())
        .collect();
    // Surveys, then plan layers with the control lines last, the county boundaries on top.
    let rank = |k: Kind| match k {
        Kind::Dltb => 0,
        Kind::Yjjbnt | Kind::Stbhhx | Kind::Czkfbj => 2,
        Kind::Xzq => 3,
        _ => 1,
    };
    sets.sort_by_key(|t| (rank(t.kind), t.survey));
    for t in sets {
        let id = &t.id;
        sources.insert(
            id.clone(),
            json!({"type": "vector", "url": format!("{b}/tiles/{id}.json")}),
        );
        let group = if t.kind == Kind::Dltb {
            "现状"
        } else {
            "规划"
        };
        let meta = json!({"onemap:kind": t.kind.id(), "onemap:name": t.name, "onemap:group": group, "onemap:year": t.survey});
        if t.kind == Kind::Dltb {
            let visible = t.survey == Some(s.year);
            layers.push(json!({
                "id": id, "type": "fill", "source": id, "source-layer": id,
                "layout": {"visibility": if visible { "visible" } else { "none" }},
                "paint": {"fill-color": class_match, "fill-outline-color": "rgba(255,255,255,0.6)"},
                "metadata": meta
            }));
            continue;
        }
        let (colour, opacity, visible) = plan_paint(t.kind);
        let visibility = if visible { "visible" } else { "none" };
        if opacity > 0.0 {
            layers.push(json!({
                "id": id, "type": "fill", "source": id, "source-layer": id,
                "layout": {"visibility": visibility},
                "paint": {"fill-color": colour, "fill-opacity": opacity},
                "metadata": meta
            }));
        }
        layers.push(json!({
            "id": format!("{id}-边界"), "type": "line", "source": id, "source-layer": id,
            "layout": {"visibility": visibility},
            "paint": {"line-color": colour, "line-width": if t.kind == Kind::Xzq { 1.6 } else { 0.8 }},
            "metadata": meta
        }));
    }
    Json(json!({
        "version": 8,
        "name": format!("{} 一张图", s.plan.plan.region_name),
        "sources": sources,
        "layers": layers
    }))
}

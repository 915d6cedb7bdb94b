//! A synthetic special plan: planned roads (综合交通专项规划 — 公路) across the city, for the
//! conflict analysis (`onemap conflicts`) and its benchmark.

use crate::rng::{hash, unit};
use crate::tiling::County;
use geo::Contains;
use geo_types::{Coord, Geometry, LineString, Point};
use onemap_formats::model::{Field, FieldType, GeometryType, LayerInfo};
use onemap_formats::{create, Feature, Value, WriteOptions};
use onemap_geodesy::crs::Crs;
use std::path::Path;

/// Road grades with their 路基宽度 (JTG B01-2014), m.
const GRADES: [(&str, f64); 3] = [("高速公路", 26.0), ("一级公路", 24.5), ("二级公路", 12.0)];

/// Write `count` planned roads of about `mean_km` each to `path` (any writer format), in
/// CGCS2000 3° zone 41 without prefix (EPSG:4550), as a design institute would deliver them.
/// Each starts at a random point of a random county and wanders with gentle bends, a vertex
/// every 400 m. Fields: BSM, XMMC, DLDJ (grade), KD (width, m). Returns the total length, km
/// (plane).
pub fn road_plan(
    path: &Path,
    counties: &[County],
    seed: u64,
    count: usize,
    mean_km: f64,
) -> Result<f64, String> {
    let crs = Crs::from_epsg(4550).map_err(|e| e.to_string())?;
    let info = LayerInfo {
        name: "规划公路".into(),
        crs: Some(crs),
        fields: vec![
            Field::new("BSM", FieldType::Text),
            Field::new("XMMC", FieldType::Text),
            Field::new("DLDJ", FieldType::Text),
            Field::new("KD", FieldType::Float),
        ],
        geometry_type: GeometryType::Line,
        feature_count: Some(count as u64),
    };
    let mut w = create(
        path,
        &info,
        &WriteOptions {
            encoding: None,
            date: Some("2025-06-30".into()),
        },
    )
    .map_err(|e| e.to_string())?;
    let weights: Vec<f64> = counties.iter().map(|c| c.area_km2).collect();
    let total_w: f64 = weights.iter().sum();
    let mut total_km = 0.0;
    for i in 0..count {
        let h = |k: u64| unit(hash(seed, 7001, i as u64, k));
        // A county by area, then a point inside it.
        let mut pick = h(0) * total_w;
        let c = weights
            .iter()
            .position(|w| {
                pick -= w;
                pick < 0.0
            })
            .unwrap_or(0);
        let county = &counties[c];
        let b = geo::BoundingRect::bounding_rect(&county.lonlat).ok_or("empty county")?;
        let mut start = None;
        for k in 0..1000 {
            let p = Point::new(
                b.min().x + h(10 + 2 * k) * b.width(),
                b.min().y + h(11 + 2 * k) * b.height(),
            );
            if county.lonlat.contains(&p) {
                start = Some(p);
                break;
            }
        }
        let start = start.ok_or("no point inside a county")?;
        let len_m = mean_km * 1000.0 * (0.5 + h(3));
        let n = (len_m / 400.0).ceil().max(1.0) as usize;
        let step = len_m / n as f64;
        let mut heading = h(4) * std::f64::consts::TAU;
        let mut p = crs.from_lonlat([start.x(), start.y()]);
        let mut pts = vec![Coord { x: p[0], y: p[1] }];
        for k in 0..n {
            heading += (h(100 + k as u64) - 0.5) * 0.35;
            p = [p[0] + step * heading.cos(), p[1] + step * heading.sin()];
            // Surveyed to the millimetre.
            pts.push(Coord {
                x: (p[0] * 1000.0).round() / 1000.0,
                y: (p[1] * 1000.0).round() / 1000.0,
            });
        }
        total_km += len_m / 1000.0;
        let (grade, width) = GRADES[(h(5) * GRADES.len() as f64) as usize % GRADES.len()];
        w.write_feature(&Feature {
            fid: None,
            geometry: Some(Geometry::LineString(LineString(pts))),
            values: vec![
                Value::Text(format!("GL{:05}", i + 1)),
                Value::Text(format!(
                    "{}{}规划{}{}号线",
                    county.name,
                    grade,
                    "公路",
                    i + 1
                )),
                Value::Text(grade.into()),
                Value::Float(width),
            ],
        })
        .map_err(|e| e.to_string())?;
    }
    w.finish().map_err(|e| e.to_string())?;
    Ok(total_km)
}

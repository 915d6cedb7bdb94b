//! Project parcels: read from a coordinate TXT, shapefile or any supported file, converted to
//! CGCS2000 longitude/latitude, with their `sandiao` area in the source frame.

use crate::{Result, ReviewError};
use geo_types::{Geometry, MultiPolygon};
use onemap_formats::model::{map_coords, polygon_rings};
use onemap_formats::ReadOptions;
use onemap_geodesy::crs::{Crs, Transform};
use onemap_geodesy::sandiao::{feature_area, to_cents, AreaFrame};
use onemap_plan::Plan;
use serde::Serialize;
use std::path::Path;

/// What a project is for; the rules treat purposes differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// 城镇建设 (town-type construction).
    Urban,
    /// 线性基础设施 (roads, railways, pipelines, power lines, canals).
    Linear,
    /// 村庄建设 (rural settlement).
    Rural,
    /// Anything else.
    Other,
}

impl Purpose {
    /// Parse `urban`, `linear`, `rural`, `other`.
    pub fn parse(s: &str) -> Option<Purpose> {
        Some(match s {
            "urban" => Purpose::Urban,
            "linear" => Purpose::Linear,
            "rural" => Purpose::Rural,
            "other" => Purpose::Other,
            _ => return None,
        })
    }

    /// The id used in JSON and the plan file.
    pub fn id(self) -> &'static str {
        match self {
            Purpose::Urban => "urban",
            Purpose::Linear => "linear",
            Purpose::Rural => "rural",
            Purpose::Other => "other",
        }
    }

    /// Chinese name.
    pub fn chinese(self) -> &'static str {
        match self {
            Purpose::Urban => "城镇建设",
            Purpose::Linear => "线性基础设施",
            Purpose::Rural => "村庄建设",
            Purpose::Other => "其他",
        }
    }

    /// The purpose a 地块用途 text maps to by the plan's keywords; `Other` when none matches.
    pub fn from_use(text: &str, plan: &Plan) -> Purpose {
        for p in [Purpose::Linear, Purpose::Urban, Purpose::Rural] {
            if plan.review.purposes.get(p.id()).is_some_and(|ks| {
                ks.iter()
                    .any(|k| !k.is_empty() && text.contains(k.as_str()))
            }) {
                return p;
            }
        }
        Purpose::Other
    }
}

/// One project parcel.
#[derive(Clone, Debug)]
pub struct Parcel {
    /// 0-based position in the file.
    pub index: usize,
    /// 地块编号 / BSM / id.
    pub id: Option<String>,
    /// 地块名称.
    pub name: Option<String>,
    /// 地块用途 as written.
    pub use_text: Option<String>,
    /// The purpose reviewed against.
    pub purpose: Purpose,
    /// Geometry in CGCS2000 longitude/latitude.
    pub polygons: MultiPolygon<f64>,
    /// `sandiao` area in the source frame, cents of m².
    pub area_cents: i64,
}

impl Parcel {
    /// A parcel from a geometry in `crs`; the area is computed in the source frame (so a TXT
    /// parcel keeps exactly the area its coordinates give), the geometry converted to lon/lat.
    pub fn new(
        index: usize,
        geometry: Geometry<f64>,
        crs: Crs,
        purpose: Purpose,
    ) -> Result<Parcel> {
        let polys = match &geometry {
            Geometry::Polygon(p) => MultiPolygon(vec![p.clone()]),
            Geometry::MultiPolygon(mp) => mp.clone(),
            other => {
                return Err(ReviewError::Parcel(format!(
                    "parcel {index} is a {}; project review needs a polygon",
                    geometry_name(other)
                )))
            }
        };
        let frame = crs.area_frame();
        let mut g = Geometry::MultiPolygon(polys);
        let source_area = frame.map(|f| area_of(&g, f));
        let t = Transform::new(crs, Crs::Cgcs2000);
        if !t.is_identity() {
            map_coords(&mut g, &|p| t.apply(p));
        }
        let area = source_area.unwrap_or_else(|| area_of(&g, AreaFrame::LonLat));
        let Geometry::MultiPolygon(polygons) = g else {
            return Err(ReviewError::Parcel(format!("parcel {index}: no polygon")));
        };
        if area <= 0.0 {
            return Err(ReviewError::Parcel(format!(
                "parcel {index} has no area (degenerate rings)"
            )));
        }
        Ok(Parcel {
            index,
            id: None,
            name: None,
            use_text: None,
            purpose,
            polygons,
            area_cents: to_cents(area),
        })
    }
}

fn area_of(g: &Geometry<f64>, frame: AreaFrame) -> f64 {
    feature_area(
        frame,
        polygon_rings(g)
            .iter()
            .map(|(r, hole)| (r.0.iter().map(|c| [c.x, c.y]), *hole)),
    )
}

fn geometry_name(g: &Geometry<f64>) -> &'static str {
    match g {
        Geometry::Point(_) | Geometry::MultiPoint(_) => "point (点)",
        Geometry::LineString(_) | Geometry::MultiLineString(_) | Geometry::Line(_) => "line (线)",
        _ => "geometry other than a polygon",
    }
}

/// Read every parcel of a file. `purpose` applies to every parcel when given; otherwise each
/// parcel's 地块用途 (DKYT, YT) maps through the plan's keywords, else `other`.
pub fn read_parcels(
    path: &Path,
    opts: &ReadOptions,
    purpose: Option<Purpose>,
    plan: &Plan,
) -> Result<Vec<Parcel>> {
    let mut r = onemap_formats::open(path, opts)?;
    let crs = r.info().crs.ok_or_else(|| {
        ReviewError::Parcel(format!(
            "{}: no coordinate system is declared; pass --crs (e.g. --crs EPSG:4528)",
            path.display()
        ))
    })?;
    let fields: Vec<String> = r
        .info()
        .fields
        .iter()
        .map(|f| f.name.to_ascii_uppercase())
        .collect();
    let col = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| fields.iter().position(|f| f == n))
    };
    let id_col = col(&["DKBH", "BSM", "XMBH", "ID"]);
    let name_col = col(&["DKMC", "XMMC", "MC", "NAME"]);
    let use_col = col(&["DKYT", "YT", "XMYT"]);
    let mut out = Vec::new();
    let mut index = 0usize;
    while let Some(f) = r.read_feature()? {
        let i = index;
        index += 1;
        let Some(g) = f.geometry else {
            return Err(ReviewError::Parcel(format!(
                "{}: parcel {i} has no geometry",
                path.display()
            )));
        };
        let text = |c: Option<usize>| {
            c.and_then(|c| f.values.get(c))
                .and_then(|v| v.as_text())
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let use_text = text(use_col);
        let p = purpose.unwrap_or_else(|| {
            use_text
                .as_deref()
                .map_or(Purpose::Other, |u| Purpose::from_use(u, plan))
        });
        let mut parcel = Parcel::new(i, g, crs, p)
            .map_err(|e| ReviewError::Parcel(format!("{}: {e}", path.display())))?;
        parcel.id = text(id_col);
        parcel.name = text(name_col);
        parcel.use_text = use_text;
        out.push(parcel);
    }
    if out.is_empty() {
        return Err(ReviewError::Parcel(format!(
            "{}: no parcel in the file",
            path.display()
        )));
    }
    Ok(out)
}

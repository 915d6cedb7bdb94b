//! The measurements a review's rules read: the parcel's overlap with each plan layer and the
//! land-use status table from the survey, with 面积平差.

use crate::{cents_f64, m2_mu, mu, Parcel};
use geo_types::MultiPolygon;
use onemap_geodesy::sandiao::to_cents;
use onemap_geodesy::units::AreaUnit;
use onemap_overlay::clip::{self, boxes_overlap};
use onemap_overlay::overlap::{overlap_area, Shape as OShape};
use onemap_overlay::BBox;
use onemap_overlay::{apportion, Layer, Snapshot};
use onemap_plan::Plan;
use onemap_survey::Kind;
use serde::Serialize;
use std::collections::BTreeMap;

/// A parcel's overlap with one layer.
#[derive(Clone, Debug, Default)]
pub struct Overlap {
    /// Total overlap, cents of m², scaled to the parcel's official area (never more than it).
    pub cents: i64,
    /// Per overlapped feature: its index and the overlap, cents (scaled likewise).
    pub pieces: Vec<(u32, i64)>,
}

/// One row of the land-use status table.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LanduseRow {
    /// DLBM.
    pub dlbm: String,
    /// Class name.
    pub dlmc: String,
    /// Net class area in the parcel, m² (田坎 split out to 1203).
    pub area_m2: f64,
    /// In 亩.
    pub area_mu: f64,
    /// In 公顷.
    pub area_ha: f64,
}

/// Everything measured for one parcel.
#[derive(Debug)]
pub struct Measures<'a> {
    /// The Snapshot measured against.
    pub snap: &'a Snapshot,
    /// The survey layer.
    pub survey: Option<&'a Layer>,
    /// The parcel.
    pub parcel: &'a Parcel,
    /// The parcel's official area, cents.
    pub area_cents: i64,
    /// Overlap per plan layer held by the Snapshot.
    pub overlaps: Vec<(Kind, Overlap)>,
    /// Land use by DLBM, cents (net; 1203 holds the 田坎).
    pub landuse_cents: BTreeMap<String, i64>,
    /// The land-use table.
    pub landuse: Vec<LanduseRow>,
    /// Cultivated land (耕地, net of 田坎) occupied, cents.
    pub cultivated_cents: i64,
    /// The parcel's survey pieces: patch index, adjusted fragment area, its 田坎 share.
    pub fragments: Vec<(u32, i64, i64)>,
    /// Notes for the reader.
    pub notes: Vec<String>,
    /// Sliver tolerance, cents.
    pub sliver_cents: i64,
}

/// A parcel's rings, box and raw area, for overlaps with layers.
pub(crate) struct Shape {
    mp: MultiPolygon<f64>,
    rings: Vec<(Vec<[f64; 2]>, bool)>,
    bbox: BBox,
    pub(crate) raw_area: f64,
}

impl Shape {
    pub(crate) fn new(mp: &MultiPolygon<f64>) -> Shape {
        let mut rings = Vec::new();
        for p in &mp.0 {
            for (k, r) in std::iter::once(p.exterior())
                .chain(p.interiors())
                .enumerate()
            {
                let mut pts: Vec<[f64; 2]> = r.0.iter().map(|c| [c.x, c.y]).collect();
                if pts.len() > 1 && pts.first() == pts.last() {
                    pts.pop();
                }
                if pts.len() >= 3 {
                    rings.push((pts, k > 0));
                }
            }
        }
        Shape {
            mp: mp.clone(),
            rings,
            bbox: clip::bbox(mp),
            raw_area: clip::area(mp),
        }
    }

    /// Raw overlap (m², unrounded `sandiao`) with each feature of a layer that it overlaps.
    pub(crate) fn overlaps(&self, layer: &Layer) -> Vec<(u32, f64)> {
        let me = OShape::new(
            self.rings.iter().map(|(r, h)| (r.as_slice(), *h)).collect(),
            self.raw_area,
        );
        let mut cands: Vec<u32> = layer
            .query(self.bbox)
            .filter(|&i| boxes_overlap(layer.bbox(i), self.bbox))
            .collect();
        cands.sort_unstable();
        cands
            .into_iter()
            .filter_map(|i| {
                let a = overlap_area(&me, &OShape::of(layer, i));
                (a > 0.0).then_some((i, a))
            })
            .collect()
    }

    /// Raw area of the shape covered by the union of the given features (for layers whose
    /// features may overlap each other), in one boolean operation.
    fn covered_by_union(&self, layer: &Layer, feats: &[u32]) -> f64 {
        let covers: Vec<geo_types::Polygon<f64>> = feats
            .iter()
            .flat_map(|&i| clip::rings_in_box(layer.rings(i), self.bbox).0)
            .collect();
        clip::area(&clip::intersection_with_union(&self.mp, covers))
    }
}

impl<'a> Measures<'a> {
    /// Measure a parcel against the survey of `year` and the given plan layers.
    pub fn new(
        snap: &'a Snapshot,
        year: i32,
        plan: &Plan,
        parcel: &'a Parcel,
        kinds: &[Kind],
    ) -> Measures<'a> {
        let shape = Shape::new(&parcel.polygons);
        let area_cents = parcel.area_cents;
        // Raw lon/lat areas are scaled to the parcel's official area.
        let scale = if shape.raw_area > 0.0 {
            cents_f64(area_cents) / shape.raw_area
        } else {
            0.0
        };
        let to_c = |raw: f64| to_cents(raw * scale).clamp(0, area_cents);
        let mut overlaps = Vec::new();
        for &k in kinds {
            let Some(layer) = snap.layer(k) else { continue };
            let raw = shape.overlaps(layer);
            let pieces: Vec<(u32, i64)> = raw.iter().map(|&(i, a)| (i, to_c(a))).collect();
            let total = if k.no_overlaps() || raw.len() < 2 {
                raw.iter().map(|p| p.1).sum()
            } else {
                let feats: Vec<u32> = raw.iter().map(|p| p.0).collect();
                shape.covered_by_union(layer, &feats)
            };
            overlaps.push((
                k,
                Overlap {
                    cents: to_c(total),
                    pieces,
                },
            ));
        }
        let mut m = Measures {
            snap,
            survey: snap.survey(year),
            parcel,
            area_cents,
            overlaps,
            landuse_cents: BTreeMap::new(),
            landuse: Vec::new(),
            cultivated_cents: 0,
            fragments: Vec::new(),
            notes: Vec::new(),
            sliver_cents: to_cents(plan.review.sliver_m2),
        };
        if let Some(survey) = m.survey {
            m.measure_landuse(survey, &shape, plan, year);
        }
        m
    }

    fn measure_landuse(&mut self, survey: &Layer, shape: &Shape, plan: &Plan, year: i32) {
        let f_tbmj = survey.field("TBMJ");
        let f_kcmj = survey.field("KCMJ");
        let f_dlbm = survey.field("DLBM");
        let mut total = 0i64;
        for (i, raw) in shape.overlaps(survey) {
            let whole = survey.area(i);
            let tbmj = f_tbmj
                .and_then(|f| survey.cents(f, i))
                .unwrap_or_else(|| to_cents(whole));
            // 面积平差: the piece inside and the rest of the patch share the patch's TBMJ.
            let frag = if raw >= whole {
                tbmj
            } else {
                apportion(tbmj, &[raw, whole - raw])[0]
            };
            let kcmj = f_kcmj.and_then(|f| survey.cents(f, i)).unwrap_or(0);
            let kc = if kcmj > 0 && tbmj > 0 {
                apportion(kcmj, &[frag as f64, (tbmj - frag) as f64])[0]
            } else {
                0
            };
            let dlbm = f_dlbm
                .map(|f| survey.text(f, i).into_owned())
                .unwrap_or_default();
            if plan.classes.is_cultivated(&dlbm) {
                self.cultivated_cents += frag - kc;
            }
            *self.landuse_cents.entry(dlbm).or_default() += frag - kc;
            if kc > 0 {
                *self.landuse_cents.entry("1203".into()).or_default() += kc;
            }
            total += frag;
            self.fragments.push((i, frag, kc));
        }
        self.landuse = self
            .landuse_cents
            .iter()
            .filter(|(_, &c)| c != 0)
            .map(|(d, &c)| LanduseRow {
                dlbm: d.clone(),
                dlmc: onemap_survey::classes::name_of(d).unwrap_or("").to_string(),
                area_m2: cents_f64(c),
                area_mu: mu(c),
                area_ha: AreaUnit::Hectare.value(c),
            })
            .collect();
        let outside = self.area_cents - total;
        if outside > self.sliver_cents {
            self.notes.push(format!(
                "地块有 {} 不在 {year} 年地类图斑范围内，未计入地类现状表。",
                m2_mu(outside)
            ));
        }
    }

    /// The overlap with a layer kind, if the Snapshot holds that layer.
    pub fn layer(&self, kind: Kind) -> Option<&Overlap> {
        self.overlaps.iter().find(|o| o.0 == kind).map(|o| &o.1)
    }
}

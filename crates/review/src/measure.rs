//! The measurements a review's rules read: the parcel's overlap with each plan layer and the
//! land-use status table from the survey, with 面积平差.

use crate::{cents_f64, m2_mu, mu, Parcel};
use geo_types::MultiPolygon;
use onemap_geodesy::sandiao::{feature_area, to_cents, AreaFrame};
use onemap_geodesy::units::AreaUnit;
use onemap_overlay::clip::{self, boxes_overlap};
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

struct Shape {
    mp: MultiPolygon<f64>,
    rings: Vec<(Vec<[f64; 2]>, bool)>,
    /// `sandiao` area of each ring, negative for holes.
    ring_areas: Vec<f64>,
    /// Every edge.
    edges: Vec<([f64; 2], [f64; 2])>,
    bbox: BBox,
    raw_area: f64,
}

impl Shape {
    fn new(mp: &MultiPolygon<f64>) -> Shape {
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
        let ring_areas = rings
            .iter()
            .map(|(r, hole)| {
                let a = feature_area(AreaFrame::LonLat, [(r.iter().copied(), false)]);
                if *hole {
                    -a
                } else {
                    a
                }
            })
            .collect();
        let edges = rings
            .iter()
            .flat_map(|(r, _)| (0..r.len()).map(move |i| (r[i], r[(i + 1) % r.len()])))
            .collect();
        Shape {
            mp: mp.clone(),
            rings,
            ring_areas,
            edges,
            bbox: clip::bbox(mp),
            raw_area: clip::area(mp),
        }
    }

    /// Whether the box lies wholly inside the shape.
    fn contains_box(&self, bb: BBox) -> bool {
        if bb[0] < self.bbox[0]
            || bb[1] < self.bbox[1]
            || bb[2] > self.bbox[2]
            || bb[3] > self.bbox[3]
        {
            return false;
        }
        if self.rings.iter().any(|(r, _)| clip::ring_meets_box(r, bb)) {
            return false;
        }
        self.rings.iter().fold(false, |inside, (r, _)| {
            inside ^ clip::ring_contains(r, [bb[0], bb[1]])
        })
    }

    /// Whether point `p` is inside the shape (even–odd).
    fn contains_point(&self, p: [f64; 2]) -> bool {
        self.rings
            .iter()
            .fold(false, |inside, (r, _)| inside ^ clip::ring_contains(r, p))
    }

    /// The overlap with feature `i` when the two boundaries share no point: then every ring of
    /// each lies wholly inside or outside the other, and the overlap is the signed sum of the
    /// rings inside the other shape. `None` when the boundaries meet (clipping needed).
    fn overlap_without_contact(&self, layer: &Layer, i: u32, fb: BBox) -> Option<f64> {
        let near: Vec<&([f64; 2], [f64; 2])> = self
            .edges
            .iter()
            .filter(|(a, b)| clip::segment_meets_box(*a, *b, fb))
            .collect();
        if near.is_empty() {
            // The feature lies in its box, which our boundary does not reach.
            let first = layer.rings(i).next().map(|(r, _)| r[0])?;
            return Some(if self.contains_point(first) {
                layer.area(i)
            } else {
                0.0
            });
        }
        for (ring, _) in layer.rings(i) {
            let n = ring.len();
            for k in 0..n {
                let (c, d) = (ring[k], ring[(k + 1) % n]);
                if near.iter().any(|(a, b)| clip::segments_meet(*a, *b, c, d)) {
                    return None;
                }
            }
        }
        let mut area = 0.0;
        for ((r, _), a) in self.rings.iter().zip(&self.ring_areas) {
            if layer.contains_point(i, r[0]) {
                area += a;
            }
        }
        for (r, hole) in layer.rings(i) {
            if self.contains_point(r[0]) {
                let a = feature_area(AreaFrame::LonLat, [(r.iter().copied(), false)]);
                area += if hole { -a } else { a };
            }
        }
        Some(area.max(0.0))
    }

    /// The overlap by Sutherland–Hodgman when one side is a single convex ring (exact for
    /// area, much cheaper than a general boolean operation); `None` otherwise.
    fn convex_overlap(&self, layer: &Layer, i: u32, ib: BBox) -> Option<f64> {
        let mut frings = layer.rings(i);
        let (first, _) = frings.next()?;
        let single = frings.next().is_none();
        let ring_area = |r: &[[f64; 2]]| {
            if r.len() < 3 {
                0.0
            } else {
                feature_area(AreaFrame::LonLat, [(r.iter().copied(), false)])
            }
        };
        if single {
            if let Some(convex) = clip::convex_ccw(first) {
                let mut a = 0.0;
                for (r, hole) in &self.rings {
                    let piece = clip::clip_ring_to_convex(&clip::clip_ring_to_box(r, ib), &convex);
                    a += if *hole {
                        -ring_area(&piece)
                    } else {
                        ring_area(&piece)
                    };
                }
                return Some(a.max(0.0));
            }
        }
        if let [(r, false)] = self.rings.as_slice() {
            if let Some(convex) = clip::convex_ccw(r) {
                let mut a = 0.0;
                for (fr, hole) in layer.rings(i) {
                    let piece = clip::clip_ring_to_convex(&clip::clip_ring_to_box(fr, ib), &convex);
                    a += if hole {
                        -ring_area(&piece)
                    } else {
                        ring_area(&piece)
                    };
                }
                return Some(a.max(0.0));
            }
        }
        None
    }

    /// Raw overlap (m², unrounded `sandiao`) with each feature of a layer that it overlaps.
    fn overlaps(&self, layer: &Layer) -> Vec<(u32, f64)> {
        let mut out = Vec::new();
        let mut cands: Vec<u32> = layer
            .query(self.bbox)
            .filter(|&i| boxes_overlap(layer.bbox(i), self.bbox))
            .collect();
        cands.sort_unstable();
        for i in cands {
            let fb = layer.bbox(i);
            let a = if layer.contains_box(i, self.bbox) {
                self.raw_area
            } else if self.contains_box(fb) {
                layer.area(i)
            } else if let Some(a) = self.overlap_without_contact(layer, i, fb) {
                a
            } else {
                // Cut both to the common box first: a big parcel or a big control polygon
                // then brings only its vertices near the other into the boolean operation.
                let Some(ib) = clip::box_intersection(self.bbox, fb) else {
                    continue;
                };
                if let Some(a) = self.convex_overlap(layer, i, ib) {
                    out.push((i, a));
                    continue;
                }
                let a = clip::rings_in_box(self.rings.iter().map(|(r, h)| (r.as_slice(), *h)), ib);
                let b = clip::rings_in_box(layer.rings(i), ib);
                if a.0.is_empty() || b.0.is_empty() {
                    continue;
                }
                clip::area(&clip::intersection(&a, &b))
            };
            if a > 0.0 {
                out.push((i, a));
            }
        }
        out
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

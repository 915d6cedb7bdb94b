//! One layer of the Snapshot: features in a flat, cache-friendly layout (coordinates in one
//! buffer, rings and parts as offsets), attribute columns, bounding boxes, `sandiao` areas and
//! a bulk-loaded R-tree of the boxes.

use crate::clip;
use crate::edges::{EdgeBands, BANDED};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use onemap_formats::Value;
use onemap_geodesy::sandiao::{feature_area, AreaFrame};
use onemap_store::Dataset;
use onemap_survey::Kind;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// A bounding box `[min_x, min_y, max_x, max_y]` in degrees.
pub type BBox = [f64; 4];

type Entry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// An attribute column.
#[derive(Clone, Debug)]
enum Column {
    /// Text values, concatenated; `ends[i]` is where value `i` ends. Null is empty.
    Text { buf: String, ends: Vec<usize> },
    /// Numbers; NaN is null.
    Num(Vec<f64>),
}

impl Column {
    fn push(&mut self, v: Option<&Value>) {
        match self {
            Column::Text { buf, ends } => {
                if let Some(s) = v.and_then(Value::as_text) {
                    buf.push_str(&s);
                }
                ends.push(buf.len());
            }
            Column::Num(xs) => xs.push(match v {
                Some(Value::Int(i)) => *i as f64,
                Some(Value::Float(f)) => *f,
                Some(Value::Text(s)) => s.trim().parse().unwrap_or(f64::NAN),
                _ => f64::NAN,
            }),
        }
    }
}

/// One layer: every feature of one kind (for the survey, of one year) across its datasets.
#[derive(Debug)]
pub struct Layer {
    kind: Kind,
    year: Option<i32>,
    datasets: Vec<Dataset>,
    /// First feature index of each dataset (in `datasets` order).
    starts: Vec<u32>,
    names: Vec<String>,
    columns: Vec<Column>,
    coords: Vec<[f64; 2]>,
    /// End of each ring in `coords`.
    ring_end: Vec<u32>,
    /// Whether each ring is a hole.
    ring_hole: Vec<bool>,
    /// End of each feature's rings in `ring_end`.
    feature_end: Vec<u32>,
    bbox: Vec<BBox>,
    area: Vec<f64>,
    tree: RTree<Entry>,
    /// Edge bands of the large features (county boundaries, large zones), by feature.
    banded: std::collections::HashMap<u32, EdgeBands>,
}

/// Builds a [`Layer`] feature by feature.
#[derive(Debug)]
pub struct LayerBuilder {
    layer: Layer,
    entries: Vec<Entry>,
}

impl LayerBuilder {
    /// A builder for a layer of `kind` with the given fields; `numeric` fields are held as
    /// numbers, the others as text.
    pub fn new(kind: Kind, year: Option<i32>, fields: &[(&str, bool)]) -> LayerBuilder {
        LayerBuilder {
            layer: Layer {
                kind,
                year,
                datasets: Vec::new(),
                starts: Vec::new(),
                names: fields.iter().map(|f| f.0.to_string()).collect(),
                columns: fields
                    .iter()
                    .map(|f| {
                        if f.1 {
                            Column::Num(Vec::new())
                        } else {
                            Column::Text {
                                buf: String::new(),
                                ends: Vec::new(),
                            }
                        }
                    })
                    .collect(),
                coords: Vec::new(),
                ring_end: Vec::new(),
                ring_hole: Vec::new(),
                feature_end: Vec::new(),
                bbox: Vec::new(),
                area: Vec::new(),
                tree: RTree::new(),
                banded: Default::default(),
            },
            entries: Vec::new(),
        }
    }

    /// Record a dataset the layer's features come from (provenance).
    pub fn dataset(&mut self, d: Dataset) {
        self.layer.starts.push(self.layer.bbox.len() as u32);
        self.layer.datasets.push(d);
    }

    /// Add a feature: its polygons (lon/lat degrees) and its values in field order (missing
    /// values are null). Returns the feature's index.
    pub fn push(&mut self, polygons: &[Polygon<f64>], values: &[Option<&Value>]) -> u32 {
        let l = &mut self.layer;
        let idx = l.bbox.len() as u32;
        let mut bb = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        let ring_start = l.ring_end.len();
        for p in polygons {
            for (k, ring) in std::iter::once(p.exterior())
                .chain(p.interiors())
                .enumerate()
            {
                let pts = &ring.0;
                // Drop the closing vertex; rings are implicitly closed here.
                let n = if pts.len() > 1 && pts[0] == pts[pts.len() - 1] {
                    pts.len() - 1
                } else {
                    pts.len()
                };
                if n < 3 {
                    continue;
                }
                for c in &pts[..n] {
                    bb[0] = bb[0].min(c.x);
                    bb[1] = bb[1].min(c.y);
                    bb[2] = bb[2].max(c.x);
                    bb[3] = bb[3].max(c.y);
                    l.coords.push([c.x, c.y]);
                }
                l.ring_end.push(l.coords.len() as u32);
                l.ring_hole.push(k > 0);
            }
        }
        l.feature_end.push(l.ring_end.len() as u32);
        if l.ring_end.len() == ring_start {
            bb = [0.0; 4];
        }
        l.bbox.push(bb);
        for (c, v) in l.columns.iter_mut().zip(values) {
            c.push(*v);
        }
        for c in l.columns.iter_mut().skip(values.len()) {
            c.push(None);
        }
        if l.ring_end.len() > ring_start {
            self.entries.push(GeomWithData::new(
                Rectangle::from_corners([bb[0], bb[1]], [bb[2], bb[3]]),
                idx,
            ));
        }
        idx
    }

    /// The finished layer: `sandiao` areas of every feature (on every core) and the R-tree.
    pub fn finish(self) -> Layer {
        let mut l = self.layer;
        let n = l.bbox.len();
        let threads = std::thread::available_parallelism()
            .map_or(1, |x| x.get())
            .min(8);
        let chunk = n.div_ceil(threads.max(1)).max(1);
        let mut area = vec![0.0f64; n];
        {
            let lr = &l;
            std::thread::scope(|s| {
                for (k, out) in area.chunks_mut(chunk).enumerate() {
                    s.spawn(move || {
                        for (j, a) in out.iter_mut().enumerate() {
                            let i = (k * chunk + j) as u32;
                            *a = feature_area(
                                AreaFrame::LonLat,
                                lr.rings(i).map(|(r, h)| (r.iter().copied(), h)),
                            );
                        }
                    });
                }
            });
        }
        l.area = area;
        l.tree = RTree::bulk_load(self.entries);
        let big: Vec<u32> = (0..n as u32)
            .filter(|&i| l.rings(i).map(|(r, _)| r.len()).sum::<usize>() > BANDED)
            .collect();
        l.banded = big
            .into_iter()
            .map(|i| (i, EdgeBands::new(l.rings(i), l.bbox(i))))
            .collect();
        l
    }
}

impl Layer {
    /// The layer's kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Survey year or plan year.
    pub fn year(&self) -> Option<i32> {
        self.year
    }

    /// The datasets the features come from.
    pub fn datasets(&self) -> &[Dataset] {
        &self.datasets
    }

    /// The features of the layer's `k`-th dataset, as a range of feature indices.
    pub fn dataset_range(&self, k: usize) -> std::ops::Range<u32> {
        let start = self.starts.get(k).copied().unwrap_or(0);
        let end = self
            .starts
            .get(k + 1)
            .copied()
            .unwrap_or(self.bbox.len() as u32);
        start..end
    }

    /// The names of the attribute fields.
    pub fn field_names(&self) -> &[String] {
        &self.names
    }

    /// Whether field `f` holds numbers.
    pub fn is_numeric(&self, f: usize) -> bool {
        matches!(self.columns[f], Column::Num(_))
    }

    /// Number of features.
    pub fn len(&self) -> usize {
        self.bbox.len()
    }

    /// Whether the layer has no features.
    pub fn is_empty(&self) -> bool {
        self.bbox.is_empty()
    }

    /// The index of a field, if the layer holds it.
    pub fn field(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(name))
    }

    /// Text of field `f` of feature `i` (numbers formatted); empty for null.
    pub fn text(&self, f: usize, i: u32) -> std::borrow::Cow<'_, str> {
        match &self.columns[f] {
            Column::Text { buf, ends } => {
                let i = i as usize;
                let s = if i == 0 { 0 } else { ends[i - 1] };
                std::borrow::Cow::Borrowed(&buf[s..ends[i]])
            }
            Column::Num(xs) => {
                let x = xs[i as usize];
                if x.is_nan() {
                    std::borrow::Cow::Borrowed("")
                } else {
                    std::borrow::Cow::Owned(x.to_string())
                }
            }
        }
    }

    /// Text of the named field, empty when the layer lacks it or the value is null.
    pub fn text_of(&self, name: &str, i: u32) -> std::borrow::Cow<'_, str> {
        match self.field(name) {
            Some(f) => self.text(f, i),
            None => std::borrow::Cow::Borrowed(""),
        }
    }

    /// Number in field `f` of feature `i`; `None` for null or text that is not a number.
    pub fn num(&self, f: usize, i: u32) -> Option<f64> {
        match &self.columns[f] {
            Column::Num(xs) => Some(xs[i as usize]).filter(|x| !x.is_nan()),
            Column::Text { .. } => self.text(f, i).trim().parse().ok(),
        }
    }

    /// A number field in cents of a square metre (areas are stored to 0.01 m²).
    pub fn cents(&self, f: usize, i: u32) -> Option<i64> {
        self.num(f, i).map(|x| (x * 100.0).round() as i64)
    }

    /// The edge bands of feature `i`, if it is large enough to have them.
    pub fn bands(&self, i: u32) -> Option<&EdgeBands> {
        if self.banded.is_empty() {
            return None;
        }
        self.banded.get(&i)
    }

    /// Bounding box of feature `i`.
    pub fn bbox(&self, i: u32) -> BBox {
        self.bbox[i as usize]
    }

    /// Unrounded `sandiao` area of feature `i`'s geometry, m².
    pub fn area(&self, i: u32) -> f64 {
        self.area[i as usize]
    }

    /// Features whose box intersects `bb` (touching counts).
    pub fn query(&self, bb: BBox) -> impl Iterator<Item = u32> + '_ {
        self.tree
            .locate_in_envelope_intersecting(&AABB::from_corners([bb[0], bb[1]], [bb[2], bb[3]]))
            .map(|e| e.data)
    }

    /// The rings of feature `i`: coordinates (not repeating the first) and whether it is a hole.
    pub fn rings(&self, i: u32) -> impl Iterator<Item = (&[[f64; 2]], bool)> + '_ {
        let i = i as usize;
        let r0 = if i == 0 {
            0
        } else {
            self.feature_end[i - 1] as usize
        };
        (r0..self.feature_end[i] as usize).map(move |r| {
            let s = if r == 0 {
                0
            } else {
                self.ring_end[r - 1] as usize
            };
            (
                &self.coords[s..self.ring_end[r] as usize],
                self.ring_hole[r],
            )
        })
    }

    /// Feature `i` as geo polygons.
    pub fn polygons(&self, i: u32) -> MultiPolygon<f64> {
        let mut out: Vec<Polygon<f64>> = Vec::new();
        for (ring, hole) in self.rings(i) {
            let mut ls: Vec<Coord<f64>> = ring.iter().map(|p| Coord { x: p[0], y: p[1] }).collect();
            ls.push(ls[0]);
            let ls = LineString(ls);
            match (hole, out.last_mut()) {
                (true, Some(p)) => p.interiors_push(ls),
                _ => out.push(Polygon::new(ls, vec![])),
            }
        }
        MultiPolygon(out)
    }

    /// Whether point `p` lies inside feature `i` (even–odd over all rings; boundary points are
    /// either).
    pub fn contains_point(&self, i: u32, p: [f64; 2]) -> bool {
        if let Some(e) = self.bands(i) {
            return e.contains_point(p);
        }
        self.rings(i).fold(false, |inside, (ring, _)| {
            inside ^ clip::ring_contains(ring, p)
        })
    }

    /// Whether the box `bb` lies wholly inside feature `i`: no edge of the feature meets the
    /// box and one corner is inside. Exact for the decision "no clipping needed".
    pub fn contains_box(&self, i: u32, bb: BBox) -> bool {
        let f = self.bbox(i);
        if bb[0] < f[0] || bb[1] < f[1] || bb[2] > f[2] || bb[3] > f[3] {
            return false;
        }
        let meets = match self.bands(i) {
            Some(e) => e.meets_box(bb),
            None => self
                .rings(i)
                .any(|(ring, _)| clip::ring_meets_box(ring, bb)),
        };
        if meets {
            return false;
        }
        self.contains_point(i, [bb[0], bb[1]])
    }
}

//! One pass over a survey year and the control lines: the areas every indicator is made of,
//! per county, in cents of m². Overlays use 面积平差: the piece of a patch inside a control
//! line is the patch's TBMJ apportioned by `sandiao` area between inside and outside, and a
//! cultivated piece carries its share of KCMJ the same way, so inside + outside = the patch.

use crate::model::{in_set, Plan};
use onemap_overlay::overlap::{overlap_area, Shape};
use onemap_overlay::{apportion, Layer, Snapshot};
use onemap_survey::Kind;
use std::collections::BTreeMap;

/// Areas of one reporting unit, cents of m².
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Areas {
    /// Σ TBMJ.
    pub total: i64,
    /// 耕地 (TBDLMJ).
    pub cultivated: i64,
    /// 林地.
    pub forest: i64,
    /// 草地.
    pub grassland: i64,
    /// 湿地.
    pub wetland: i64,
    /// 沙地.
    pub sandy: i64,
    /// 盐碱地.
    pub saline: i64,
    /// 建设用地.
    pub construction: i64,
    /// 城镇建设用地.
    pub urban_construction: i64,
    /// 城乡建设用地.
    pub urban_rural_construction: i64,
    /// 耕地 inside 永久基本农田 (adjusted pieces, net of 田坎).
    pub cultivated_in_pbf: i64,
    /// 耕地 outside 永久基本农田: the complementary pieces, so that inside + outside =
    /// `cultivated` exactly.
    pub cultivated_outside_pbf: i64,
    /// 城乡建设用地 inside 生态保护红线 (adjusted pieces).
    pub construction_in_redline: i64,
    /// 城乡建设用地 inside 城镇开发边界 (adjusted pieces).
    pub udb_construction: i64,
}

impl Areas {
    fn add(&mut self, o: &Areas) {
        self.total += o.total;
        self.cultivated += o.cultivated;
        self.forest += o.forest;
        self.grassland += o.grassland;
        self.wetland += o.wetland;
        self.sandy += o.sandy;
        self.saline += o.saline;
        self.construction += o.construction;
        self.urban_construction += o.urban_construction;
        self.urban_rural_construction += o.urban_rural_construction;
        self.cultivated_in_pbf += o.cultivated_in_pbf;
        self.cultivated_outside_pbf += o.cultivated_outside_pbf;
        self.construction_in_redline += o.construction_in_redline;
        self.udb_construction += o.udb_construction;
    }
}

/// The tally of one survey year.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Tally {
    /// Survey year.
    pub year: i32,
    /// Per county (first 6 digits of ZLDWDM).
    pub units: BTreeMap<String, Areas>,
    /// The region: the sum of the counties.
    pub region: Areas,
    /// Area of each control layer (`yjjbnt`, `stbhhx`, `czkfbj`, `jbcy`) per county, cents:
    /// features' `sandiao` areas, each attributed to the county where it lies.
    pub layers: BTreeMap<String, BTreeMap<String, i64>>,
    /// Survey patches read.
    pub patches: usize,
}

impl Tally {
    /// A control layer's area for the region (Σ of counties), if the layer is loaded.
    pub fn layer_total(&self, kind: &str) -> Option<i64> {
        self.layers.get(kind).map(|m| m.values().sum())
    }
}

/// Count one survey year of a Snapshot.
pub fn tally(snap: &Snapshot, year: i32, plan: &Plan) -> Option<Tally> {
    let survey = snap.survey(year)?;
    let layers = [
        snap.layer(Kind::Yjjbnt),
        snap.layer(Kind::Stbhhx),
        snap.layer(Kind::Czkfbj),
    ];
    // Patches split in ranges, one per core; the counts are sums, so the split is exact.
    let n = survey.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |x| x.get())
        .min(8);
    let chunk = n.div_ceil(threads.max(1)).max(1);
    let parts: Vec<BTreeMap<String, Areas>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                s.spawn(move || count_range(survey, plan, layers, start..(start + chunk).min(n)))
            })
            .collect();
        hs.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut t = Tally {
        year,
        patches: n,
        ..Tally::default()
    };
    for part in parts {
        for (k, a) in part {
            t.units.entry(k).or_default().add(&a);
        }
    }
    let mut region = Areas::default();
    for a in t.units.values() {
        region.add(a);
    }
    t.region = region;
    for k in [Kind::Yjjbnt, Kind::Stbhhx, Kind::Czkfbj, Kind::Jbcy] {
        if let Some(l) = snap.layer(k) {
            t.layers
                .insert(k.id().to_string(), layer_by_county(l, survey, snap));
        }
    }
    Some(t)
}

/// Count the patches in `range` (one thread's share).
fn count_range(
    survey: &Layer,
    plan: &Plan,
    [pbf, red, udb]: [Option<&Layer>; 3],
    range: std::ops::Range<usize>,
) -> BTreeMap<String, Areas> {
    let f = |n: &str| survey.field(n);
    let (f_dlbm, f_zl, f_tbmj, f_kcmj, f_tbdlmj, f_cz) = (
        f("DLBM"),
        f("ZLDWDM"),
        f("TBMJ"),
        f("KCMJ"),
        f("TBDLMJ"),
        f("CZCSXM"),
    );
    let c = &plan.classes;
    let mut units: BTreeMap<String, Areas> = BTreeMap::new();
    // Class-set membership per distinct code, worked out once (a city has a few dozen codes).
    const CULT: u16 = 1;
    const FOREST: u16 = 2;
    const GRASS: u16 = 4;
    const WET: u16 = 8;
    const SANDY: u16 = 16;
    const SALINE: u16 = 32;
    const BUILT: u16 = 64;
    let mut flags_of: std::collections::HashMap<String, u16> = std::collections::HashMap::new();
    let mut cz_of: std::collections::HashMap<String, (bool, bool)> =
        std::collections::HashMap::new();
    for i in range.start as u32..range.end as u32 {
        let zl = f_zl.map(|k| survey.text(k, i)).unwrap_or_default();
        let county = zl.get(..6).unwrap_or("");
        let dlbm = f_dlbm.map(|k| survey.text(k, i)).unwrap_or_default();
        let cz = f_cz.map(|k| survey.text(k, i)).unwrap_or_default();
        let tbmj = f_tbmj
            .and_then(|k| survey.cents(k, i))
            .unwrap_or_else(|| onemap_geodesy::sandiao::to_cents(survey.area(i)));
        let kcmj = f_kcmj.and_then(|k| survey.cents(k, i)).unwrap_or(0);
        let net = f_tbdlmj
            .and_then(|k| survey.cents(k, i))
            .unwrap_or(tbmj - kcmj);
        let flags = *flags_of.entry(dlbm.to_string()).or_insert_with(|| {
            let mut f = 0;
            for (set, bit) in [
                (&c.cultivated, CULT),
                (&c.forest, FOREST),
                (&c.grassland, GRASS),
                (&c.wetland, WET),
                (&c.sandy, SANDY),
                (&c.saline, SALINE),
                (&c.construction, BUILT),
            ] {
                if in_set(set, &dlbm) {
                    f |= bit;
                }
            }
            f
        });
        let (urban_cz, rural_cz) = *cz_of.entry(cz.to_string()).or_insert_with(|| {
            (
                c.urban_czcsxm.iter().any(|x| x == &cz),
                c.rural_czcsxm.iter().any(|x| x == &cz),
            )
        });
        if !units.contains_key(county) {
            units.insert(county.to_string(), Areas::default());
        }
        let Some(a) = units.get_mut(county) else {
            continue;
        };
        a.total += tbmj;
        let cultivated = flags & CULT != 0;
        for (bit, slot) in [
            (CULT, &mut a.cultivated),
            (FOREST, &mut a.forest),
            (GRASS, &mut a.grassland),
            (WET, &mut a.wetland),
            (SANDY, &mut a.sandy),
            (SALINE, &mut a.saline),
            (BUILT, &mut a.construction),
        ] {
            if flags & bit != 0 {
                *slot += net;
            }
        }
        let construction = flags & BUILT != 0;
        if construction && urban_cz {
            a.urban_construction += net;
        }
        let urban_rural = construction && (urban_cz || rural_cz);
        if urban_rural {
            a.urban_rural_construction += net;
        }
        if !(cultivated || urban_rural) {
            continue;
        }
        let shape = Shape::of(survey, i);
        let whole = survey.area(i);
        let inside = |layer: Option<&Layer>| -> i64 {
            let Some(l) = layer else { return 0 };
            let raw: f64 = l
                .query(shape.bbox())
                .filter(|&j| onemap_overlay::clip::boxes_overlap(l.bbox(j), shape.bbox()))
                .map(|j| overlap_area(&shape, &Shape::of(l, j)))
                .sum();
            if raw <= 0.0 {
                0
            } else if raw >= whole {
                tbmj
            } else {
                apportion(tbmj, &[raw, whole - raw])[0]
            }
        };
        if cultivated {
            let piece = inside(pbf);
            let kc = if kcmj > 0 && tbmj > 0 && piece > 0 {
                apportion(kcmj, &[piece as f64, (tbmj - piece) as f64])[0]
            } else {
                0
            };
            a.cultivated_in_pbf += piece - kc;
            a.cultivated_outside_pbf += (tbmj - piece) - (kcmj - kc);
        }
        if urban_rural {
            a.construction_in_redline += inside(red);
            a.udb_construction += inside(udb);
        }
    }
    units
}

/// A layer's feature areas summed per county: a feature counts in the county of its own
/// ZLDWDM/XZQDM when it has one, else of the survey patch (or the 行政区 polygon) under an
/// interior point of it.
fn layer_by_county(l: &Layer, survey: &Layer, snap: &Snapshot) -> BTreeMap<String, i64> {
    let n = l.len();
    let threads = std::thread::available_parallelism()
        .map_or(1, |x| x.get())
        .min(8);
    let chunk = n.div_ceil(threads.max(1)).max(1);
    let parts: Vec<BTreeMap<String, i64>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                s.spawn(move || counties_range(l, survey, snap, start..(start + chunk).min(n)))
            })
            .collect();
        hs.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for p in parts {
        for (k, v) in p {
            *out.entry(k).or_default() += v;
        }
    }
    out
}

/// [`layer_by_county`] for the features in `range`.
fn counties_range(
    l: &Layer,
    survey: &Layer,
    snap: &Snapshot,
    range: std::ops::Range<usize>,
) -> BTreeMap<String, i64> {
    let locate = CountyOf::new(l, Some(survey), snap.layer(Kind::Xzq));
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for i in range.start as u32..range.end as u32 {
        let area = onemap_geodesy::sandiao::to_cents(l.area(i));
        *out.entry(locate.county(i)).or_default() += area;
    }
    out
}

/// The county (6-digit code) of each feature of a layer: its own ZLDWDM/XZQDM when it has
/// one, else that of the survey patch under an interior point of it, else of the 行政区
/// polygon there; empty when none applies.
pub struct CountyOf<'a> {
    l: &'a Layer,
    own: Option<usize>,
    survey: Option<(&'a Layer, usize)>,
    xzq: Option<(&'a Layer, usize)>,
}

impl<'a> CountyOf<'a> {
    /// For the features of `l`, with the survey and the 行政区 layer to fall back on.
    pub fn new(l: &'a Layer, survey: Option<&'a Layer>, xzq: Option<&'a Layer>) -> CountyOf<'a> {
        CountyOf {
            l,
            own: l.field("ZLDWDM").or_else(|| l.field("XZQDM")),
            survey: survey.and_then(|s| Some((s, s.field("ZLDWDM")?))),
            xzq: xzq.and_then(|x| Some((x, x.field("XZQDM")?))),
        }
    }

    /// The county of feature `i`.
    pub fn county(&self, i: u32) -> String {
        let l = self.l;
        let code = |t: std::borrow::Cow<str>| t.get(..6).unwrap_or("").to_string();
        if let Some(c) = self
            .own
            .map(|k| code(l.text(k, i)))
            .filter(|c| !c.is_empty())
        {
            return c;
        }
        let Some(p) = interior_point(l, i) else {
            return String::new();
        };
        let bb = [p[0], p[1], p[0], p[1]];
        [self.survey, self.xzq]
            .into_iter()
            .flatten()
            .find_map(|(x, f)| {
                x.query(bb)
                    .find(|&j| x.contains_point(j, p))
                    .map(|j| code(x.text(f, j)))
            })
            .unwrap_or_default()
    }
}

/// A point strictly inside feature `i`: the middle of the first span of the horizontal line
/// through the middle of its box.
pub fn interior_point(l: &Layer, i: u32) -> Option<[f64; 2]> {
    let bb = l.bbox(i);
    let y = (bb[1] + bb[3]) / 2.0;
    let mut xs: Vec<f64> = Vec::new();
    for (r, _) in l.rings(i) {
        let n = r.len();
        for k in 0..n {
            let (a, b) = (r[k], r[(k + 1) % n]);
            if (a[1] > y) != (b[1] > y) {
                xs.push(a[0] + (y - a[1]) / (b[1] - a[1]) * (b[0] - a[0]));
            }
        }
    }
    xs.sort_by(f64::total_cmp);
    (xs.len() >= 2).then(|| [(xs[0] + xs[1]) / 2.0, y])
}

//! The land: a class for every patch in 2020 placed by geography and tuned to the city totals,
//! 田坎 by slope grade, unit codes, the plan's control lines, and the changes of later years.

use crate::geography::{self as g, Family, FAMILIES};
use crate::rng::{hash, unit};
use crate::tiling::{Cell, County};
use onemap_geodesy::sandiao;
use std::collections::BTreeMap;

/// One patch and its attributes in one year.
#[derive(Clone, Debug)]
pub struct Patch {
    /// DLBM.
    pub dlbm: &'static str,
    /// CZCSXM, empty if none.
    pub czcsxm: &'static str,
    /// GDPDJB (1–5), 0 if not 耕地.
    pub grade: u8,
    /// GDLX: `TT`, `PD` or empty.
    pub gdlx: &'static str,
    /// KCXS in units of 1e-4.
    pub kcxs4: i64,
}

/// Per-patch facts that do not change between years.
pub struct Fixed {
    /// TBMJ, cents (the patch's `sandiao` area).
    pub tbmj: i64,
    /// BSM.
    pub bsm: String,
    /// ZLDWDM.
    pub zldwdm: String,
    /// ZLDWMC.
    pub zldwmc: String,
    /// Nearest seat and its distance, km.
    pub seat: (usize, f64),
}

/// Whether a class is 耕地.
pub fn cultivated(d: &str) -> bool {
    matches!(d, "0101" | "0102" | "0103")
}

/// Whether a class is construction land (DLBM list of standards §4.3.3).
pub fn construction(d: &str) -> bool {
    onemap_survey::classes::class_of(d)
        .is_some_and(|c| c.category == onemap_survey::classes::Category::Construction)
}

/// KCMJ of a patch in cents: TBMJ × KCXS, half away from zero.
pub fn kcmj(tbmj: i64, kcxs4: i64) -> i64 {
    onemap_geodesy::units::q(tbmj as i128 * kcxs4 as i128, 10_000) as i64
}

fn kcxs_for(grade: u8, tt: bool) -> i64 {
    match (grade, tt) {
        (1, _) => 0,
        (2, true) => 300,
        (2, false) => 480,
        (3, true) => 580,
        (3, false) => 890,
        (4, true) => 850,
        (4, false) => 1220,
        (_, true) => 1100,
        (_, false) => 1570,
    }
}

/// A 耕地 patch of class `d` at a place: grade, GDLX and KCXS by slope.
pub fn cultivated_patch(d: &'static str, lon: f64, lat: f64, h: u64) -> Patch {
    let u = unit(hash(h, 55, 0, 0));
    let hills = g::north(lat).max(g::south_hills(lat));
    let grade = if hills > 0.2 {
        2 + (u * 3.0) as u8
    } else if g::sand(lon, lat) > 0.05 {
        if u < 0.5 {
            2
        } else {
            3
        }
    } else if u < 0.62 {
        1
    } else {
        2
    };
    let tt = grade >= 2 && unit(hash(h, 56, 0, 0)) < 0.2;
    Patch {
        dlbm: d,
        czcsxm: "",
        grade,
        gdlx: if grade >= 2 {
            if tt {
                "TT"
            } else {
                "PD"
            }
        } else {
            ""
        },
        kcxs4: kcxs_for(grade, tt),
    }
}

fn plain(d: &'static str, czcsxm: &'static str) -> Patch {
    Patch {
        dlbm: d,
        czcsxm,
        grade: 0,
        gdlx: "",
        kcxs4: 0,
    }
}

/// An urban construction patch near seat `i`.
fn urban(i: usize, h: u64) -> Patch {
    let u = unit(hash(h, 61, 0, 0));
    let d = match u {
        x if x < 0.55 => "0701",
        x if x < 0.67 => "05H1",
        x if x < 0.77 => "0601",
        x if x < 0.83 => "08H2",
        x if x < 0.88 => "0810",
        x if x < 0.96 => "1004",
        _ => "0809",
    };
    plain(d, if g::SEATS[i].3 { "201" } else { "202" })
}

/// The 2020 classes, and the fixed facts, of every cell.
pub fn classify(
    counties: &[County],
    cells: &[Cell],
    seed: u64,
    s_km: f64,
) -> (Vec<Fixed>, Vec<Patch>) {
    // Fixed facts: areas, codes.
    // (county, township cell) → village cells in it.
    type Units = BTreeMap<(usize, i64, i64), BTreeMap<(i64, i64), u32>>;
    let mut units: Units = BTreeMap::new();
    let mut fixed = Vec::with_capacity(cells.len());
    let mut seq: Vec<u64> = vec![0; counties.len()];
    for c in cells {
        let county = &counties[c.county];
        let frame = county
            .crs
            .area_frame()
            .unwrap_or(sandiao::AreaFrame::LonLat);
        let g = geo_types::Geometry::Polygon(c.geom.clone());
        let tbmj = sandiao::to_cents(sandiao::feature_area(
            frame,
            onemap_formats::model::polygon_rings(&g)
                .into_iter()
                .map(|(r, h)| (r.0.iter().map(|p| [p.x, p.y]), h)),
        ));
        let ctr = c.geom.exterior().0[0];
        let (tx, ty) = (
            (ctr.x / 25_000.0).floor() as i64,
            (ctr.y / 25_000.0).floor() as i64,
        );
        let (vx, vy) = (
            (ctr.x / 5_000.0).floor() as i64,
            (ctr.y / 5_000.0).floor() as i64,
        );
        units
            .entry((c.county, tx, ty))
            .or_default()
            .entry((vx, vy))
            .or_insert(0);
        seq[c.county] += 1;
        fixed.push(Fixed {
            tbmj,
            bsm: format!("{}{:08}", county.code, seq[c.county]),
            zldwdm: format!("{tx}:{ty}:{vx}:{vy}"), // resolved below
            zldwmc: String::new(),
            seat: g::seat(c.lon, c.lat),
        });
    }
    // Township and village numbers in a stable order: 镇 101…, 嘎查村 201….
    let mut township_no: BTreeMap<(usize, i64, i64), u32> = BTreeMap::new();
    let mut village_no: BTreeMap<(usize, i64, i64, i64, i64), u32> = BTreeMap::new();
    let mut per_county: Vec<u32> = vec![0; counties.len()];
    for ((ci, tx, ty), villages) in &units {
        per_county[*ci] += 1;
        township_no.insert((*ci, *tx, *ty), 100 + per_county[*ci]);
        for (k, (vx, vy)) in villages.keys().enumerate() {
            village_no.insert((*ci, *tx, *ty, *vx, *vy), 200 + (k as u32 % 700) + 1);
        }
    }
    for (c, f) in cells.iter().zip(fixed.iter_mut()) {
        let p: Vec<i64> = f.zldwdm.split(':').filter_map(|t| t.parse().ok()).collect();
        let t = township_no
            .get(&(c.county, p[0], p[1]))
            .copied()
            .unwrap_or(101);
        let v = village_no
            .get(&(c.county, p[0], p[1], p[2], p[3]))
            .copied()
            .unwrap_or(201);
        f.zldwdm = format!("{}{t:03}{v:03}0000000", counties[c.county].code);
        f.zldwmc = format!("{}第{}镇第{}村", counties[c.county].name, t - 100, v - 200);
    }

    // Classes placed by geography first.
    let mut classes: Vec<Option<Patch>> = Vec::with_capacity(cells.len());
    for (k, c) in cells.iter().enumerate() {
        let h = hash(seed, 3, k as u64, 0);
        let u = unit(h);
        let (si, sd) = fixed[k].seat;
        let (rd, _) = g::river(c.lon, c.lat);
        let p = if sd < g::urban_radius(si) {
            Some(urban(si, h))
        } else if g::km(c.lon, c.lat, 119.78, 45.47) < 7.0 && u < 0.7 {
            Some(plain("0602", "204"))
        } else if c.line && rd < 0.5 * s_km {
            Some(plain(if u < 0.75 { "1101" } else { "1106" }, ""))
        } else if c.line && g::railway(c.lon, c.lat) < 0.5 * s_km {
            Some(plain("1001", ""))
        } else if c.line {
            Some(plain("1003", ""))
        } else if g::RESERVOIRS
            .iter()
            .any(|r| g::km(c.lon, c.lat, r.1, r.2) < r.3)
        {
            Some(plain("1103", ""))
        } else if rd < 1.5 && u < 0.3 {
            Some(plain(if u < 0.15 { "1106" } else { "0402" }, ""))
        } else if u > 1.0 - 0.035 * (1.0 - g::north(c.lat) * 0.7) {
            Some(plain("0702", "203"))
        } else {
            None
        };
        classes.push(p);
    }

    // The rest by quota: biases adjusted until each family reaches its target. 耕地 targets
    // TBDLMJ; field roads, ditches, facility land and 田坎 come off it afterwards.
    let city_km2: f64 = fixed.iter().map(|f| f.tbmj as f64 / 1e8).sum();
    let free: Vec<usize> = (0..cells.len()).filter(|&k| classes[k].is_none()).collect();
    let free_km2: f64 = free.iter().map(|&k| fixed[k].tbmj as f64 / 1e8).sum();
    let scale = city_km2 / 58_884.5;
    let mut targets: Vec<f64> = FAMILIES
        .iter()
        .map(|(f, t)| {
            if *f == Family::Cultivated {
                t / (0.955 * 0.985) * scale
            } else {
                t * scale
            }
        })
        .collect();
    let others: f64 = targets.iter().sum();
    let gi = FAMILIES
        .iter()
        .position(|f| f.0 == Family::Grass)
        .unwrap_or(FAMILIES.len() - 1);
    targets[gi] = (free_km2 - others).max(0.0);
    // Fill the families one by one with the best-suited free patches: exact to within one
    // patch at any size. Scarce and specific families first; grassland takes the rest.
    let mut pick = vec![gi; free.len()];
    let mut assigned = vec![false; free.len()];
    for fam in [
        Family::Sand,
        Family::Saline,
        Family::Forest,
        Family::Cultivated,
    ] {
        let j = FAMILIES.iter().position(|f| f.0 == fam).unwrap_or(gi);
        let mut order: Vec<(f64, usize)> = (0..free.len())
            .filter(|&n| !assigned[n])
            .map(|n| {
                (
                    g::score(
                        fam,
                        cells[free[n]].lon,
                        cells[free[n]].lat,
                        unit(hash(seed, 11 + j as u64, free[n] as u64, 0)),
                    ),
                    n,
                )
            })
            .collect();
        order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut area = 0.0;
        for (_, n) in order {
            if area >= targets[j] {
                break;
            }
            pick[n] = j;
            assigned[n] = true;
            area += fixed[free[n]].tbmj as f64 / 1e8;
        }
    }
    for (n, &k) in free.iter().enumerate() {
        let c = &cells[k];
        let fam = FAMILIES[pick[n]].0;
        let h = hash(seed, 5, k as u64, 0);
        let d = g::class_in(fam, c.lon, c.lat, h);
        let u = unit(hash(h, 8, 0, 0));
        let p = if fam == Family::Cultivated {
            // Field roads, ditches, facility land and ponds among the fields.
            if u < 0.022 {
                plain("1006", "")
            } else if u < 0.030 && d == "0102" {
                plain("1107", "")
            } else if u < 0.036 {
                plain("1202", "")
            } else if u < 0.040 && g::river(c.lon, c.lat).0 < 10.0 {
                plain("1104", "")
            } else {
                cultivated_patch(d, c.lon, c.lat, h)
            }
        } else {
            plain(d, "")
        };
        classes[k] = Some(p);
    }
    let classes = classes
        .into_iter()
        .map(|p| p.unwrap_or_else(|| plain("0404", "")))
        .collect();
    (fixed, classes)
}

/// The control lines and plan layers, as sets of patch indices.
pub struct Plan {
    /// 永久基本农田.
    pub yjjbnt: Vec<bool>,
    /// 生态保护红线.
    pub stbhhx: Vec<bool>,
    /// 城镇开发边界, with the seat it belongs to.
    pub czkfbj: Vec<Option<usize>>,
    /// 基本草原.
    pub jbcy: Vec<bool>,
}

/// Choose the control lines from the 2020 patches: 城镇开发边界 around each seat at 1.3 × its
/// urban construction land, then 永久基本农田 from the best 耕地 outside it, then 生态保护红线
/// from natural land outside both (never 耕地 or towns); 基本草原 from grassland. The three
/// control lines share no patch, so they cannot overlap.
pub fn plan(cells: &[Cell], fixed: &[Fixed], y2020: &[Patch], seed: u64) -> Plan {
    let n = cells.len();
    let mut czkfbj = vec![None; n];
    for i in 0..g::SEATS.len() {
        let mut near: Vec<usize> = (0..n)
            .filter(|&k| fixed[k].seat.0 == i && fixed[k].seat.1 < 40.0)
            .collect();
        near.sort_by(|&a, &b| fixed[a].seat.1.total_cmp(&fixed[b].seat.1));
        let urban: i64 = near
            .iter()
            .filter(|&&k| matches!(y2020[k].czcsxm, "201" | "202") && construction(y2020[k].dlbm))
            .map(|&k| fixed[k].tbmj)
            .sum();
        let mut area = 0i64;
        for &k in &near {
            let is_urban = matches!(y2020[k].czcsxm, "201" | "202");
            if is_urban || (area as f64) < 1.3 * urban as f64 {
                czkfbj[k] = Some(i);
                area += fixed[k].tbmj;
            }
        }
    }
    let take = |cands: &mut Vec<(f64, usize)>, target_cents: f64, mark: &mut Vec<bool>| {
        cands.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut area = 0.0;
        for &(_, k) in cands.iter() {
            if area >= target_cents {
                break;
            }
            mark[k] = true;
            area += fixed[k].tbmj as f64;
        }
    };
    // 2600.5 万亩 = 17 336.67 km².
    let mut yjjbnt = vec![false; n];
    let mut c: Vec<(f64, usize)> = (0..n)
        .filter(|&k| cultivated(y2020[k].dlbm) && czkfbj[k].is_none())
        .map(|k| {
            (
                -(y2020[k].grade as f64) + 2.0 * unit(hash(seed, 21, k as u64, 0)),
                k,
            )
        })
        .collect();
    take(&mut c, 17_336.67e8, &mut yjjbnt);
    // 1.5720 万 km².
    let mut stbhhx = vec![false; n];
    let natural = |d: &str| {
        matches!(
            d,
            "0301"
                | "0305"
                | "0307"
                | "0401"
                | "0404"
                | "0402"
                | "1205"
                | "1106"
                | "1101"
                | "1103"
                | "1108"
        )
    };
    let mut c: Vec<(f64, usize)> = (0..n)
        .filter(|&k| natural(y2020[k].dlbm) && czkfbj[k].is_none() && !yjjbnt[k])
        .map(|k| {
            let (lon, lat) = (cells[k].lon, cells[k].lat);
            (
                1.5 * g::north(lat)
                    + 1.2 * g::sand(lon, lat)
                    + (1.0 - g::river(lon, lat).0 / 5.0).max(0.0)
                    + unit(hash(seed, 22, k as u64, 0)),
                k,
            )
        })
        .collect();
    take(&mut c, 15_720.0e8, &mut stbhhx);
    // 1905 万亩 = 12 700 km².
    let mut jbcy = vec![false; n];
    let mut c: Vec<(f64, usize)> = (0..n)
        .filter(|&k| matches!(y2020[k].dlbm, "0401" | "0403" | "0404") && czkfbj[k].is_none())
        .map(|k| {
            (
                g::north(cells[k].lat) + unit(hash(seed, 23, k as u64, 0)),
                k,
            )
        })
        .collect();
    take(&mut c, 12_700.0e8, &mut jbcy);
    Plan {
        yjjbnt,
        stbhhx,
        czkfbj,
        jbcy,
    }
}

/// The next year from the previous one: urban growth (mostly inside the development boundary,
/// some outside), some 耕地 lost (a few inside 永久基本农田), 耕地 restored in 科尔沁左翼后旗, sand
/// turned to shrub and grass, dry land irrigated.
pub fn next_year(
    prev: &[Patch],
    cells: &[Cell],
    fixed: &[Fixed],
    plan: &Plan,
    year: i32,
    seed: u64,
    restore_county: usize,
) -> Vec<Patch> {
    let mut out = prev.to_vec();
    for (k, p) in out.iter_mut().enumerate() {
        let h = hash(seed, 1000 + year as u64, k as u64, 0);
        let u = unit(h);
        let (lon, lat) = (cells[k].lon, cells[k].lat);
        let urbanised = matches!(p.czcsxm, "201" | "202");
        if let Some(i) = plan.czkfbj[k] {
            if !urbanised && u < 0.05 {
                *p = urban(i, h);
                continue;
            }
        } else if !urbanised
            && cultivated(p.dlbm)
            && fixed[k].seat.1 < 1.6 * g::urban_radius(fixed[k].seat.0)
            && u < 0.01
        {
            // Built outside the development boundary.
            *p = plain(
                if u < 0.006 { "0702" } else { "0601" },
                if g::SEATS[fixed[k].seat.0].3 {
                    "201"
                } else {
                    "202"
                },
            );
            continue;
        }
        if plan.yjjbnt[k] && cultivated(p.dlbm) && u < 0.0006 {
            *p = plain(
                ["0301", "1104", "0702"][(h % 3) as usize],
                if h % 3 == 2 { "203" } else { "" },
            );
        } else if cells[k].county == restore_county
            && matches!(p.dlbm, "0404" | "1205")
            && !plan.stbhhx[k]
            && u < 0.012
        {
            *p = cultivated_patch("0103", lon, lat, h);
        } else if p.dlbm == "1205" && u < 0.03 {
            *p = plain(if u < 0.018 { "0305" } else { "0404" }, "");
        } else if p.dlbm == "0103" && u < 0.01 {
            p.dlbm = "0102";
        } else if cultivated(p.dlbm) && !plan.yjjbnt[k] && u < 0.0015 {
            *p = plain("0702", "203");
        }
    }
    out
}

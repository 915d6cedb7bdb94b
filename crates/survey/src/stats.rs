//! Land-class area tables (standards §4.3.4, §4.6.2) with balanced rounding (§3.4): each patch
//! gives TBDLMJ to its class and KCMJ to 1203 田坎, so every table adds up to Σ TBMJ exactly.

use crate::classes::{class_of, CLASSES, LEVEL1};
use onemap_geodesy::units::q;
use std::collections::BTreeMap;

/// The administrative level of the rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    /// County: ZLDWDM[..6].
    County,
    /// Township: ZLDWDM[..9].
    Township,
}

/// One patch as the statistics see it.
pub struct PatchAreas<'a> {
    /// ZLDWDM.
    pub zldwdm: &'a str,
    /// DLBM.
    pub dlbm: &'a str,
    /// TBMJ, cents.
    pub tbmj: i64,
    /// KCMJ, cents (0 when empty).
    pub kcmj: i64,
    /// TBDLMJ, cents (TBMJ − KCMJ when empty).
    pub tbdlmj: i64,
}

/// A class table: rows (units) × columns (classes), exact cents and balanced 0.01 公顷 units.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Column codes, in classification order, and their names.
    pub columns: Vec<(String, String)>,
    /// Rows keyed by unit code: exact cents per column.
    pub exact: BTreeMap<String, BTreeMap<String, i64>>,
    /// The same cells balanced to 0.01 公顷 (units of 100 m²), per county control (§3.4).
    pub hectares: BTreeMap<String, BTreeMap<String, i64>>,
    /// Σ TBMJ per row, cents (the control).
    pub row_tbmj: BTreeMap<String, i64>,
}

/// Build the table. `level` 1 groups by 一级类, 2 by 二级类 (extension codes in their base).
pub fn class_table<'a>(
    patches: impl IntoIterator<Item = PatchAreas<'a>>,
    by: GroupBy,
    level: u8,
) -> Result<Table, String> {
    let column_of = |dlbm: &str| -> Result<String, String> {
        let c = class_of(dlbm).ok_or_else(|| format!("DLBM {dlbm} is not a 三调 class"))?;
        Ok(if level == 1 {
            c.level1.to_string()
        } else {
            c.code.to_string()
        })
    };
    let tk = if level == 1 {
        "12".to_string()
    } else {
        "1203".to_string()
    };
    let mut exact: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut row_tbmj: BTreeMap<String, i64> = BTreeMap::new();
    for p in patches {
        let n = if by == GroupBy::County { 6 } else { 9 };
        let unit = p
            .zldwdm
            .get(..n)
            .ok_or_else(|| format!("ZLDWDM {} is too short", p.zldwdm))?
            .to_string();
        let row = exact.entry(unit.clone()).or_default();
        *row.entry(column_of(p.dlbm)?).or_default() += p.tbdlmj;
        if p.kcmj != 0 {
            *row.entry(tk.clone()).or_default() += p.kcmj;
        }
        *row_tbmj.entry(unit).or_default() += p.tbmj;
    }
    // Balance each county's atoms to its control.
    let mut hectares: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    let mut counties: BTreeMap<String, Vec<(String, String, i64)>> = BTreeMap::new();
    for (unit, row) in &exact {
        for (col, &c) in row {
            counties
                .entry(unit[..6].to_string())
                .or_default()
                .push((unit.clone(), col.clone(), c));
        }
    }
    for atoms in counties.values() {
        for (unit, col, v) in balance(atoms) {
            hectares.entry(unit).or_default().insert(col, v);
        }
    }
    let columns = if level == 1 {
        LEVEL1
            .iter()
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect()
    } else {
        CLASSES
            .iter()
            .map(|c| (c.code.to_string(), c.name.to_string()))
            .collect()
    };
    Ok(Table {
        columns,
        exact,
        hectares,
        row_tbmj,
    })
}

/// §3.4 balanced rounding of atoms (exact cents) to units of 0.01 公顷 (10 000 cents): floors,
/// then one unit to the largest remainders until the rounded total equals the rounded exact
/// total; ties by larger value, then by ascending key.
pub fn balance(atoms: &[(String, String, i64)]) -> Vec<(String, String, i64)> {
    const U: i64 = 10_000;
    let total: i64 = atoms.iter().map(|a| a.2).sum();
    let control = q(total as i128, U as i128) as i64;
    let mut out: Vec<(String, String, i64)> = atoms
        .iter()
        .map(|a| (a.0.clone(), a.1.clone(), a.2.div_euclid(U)))
        .collect();
    let mut r = control - out.iter().map(|a| a.2).sum::<i64>();
    let mut order: Vec<usize> = (0..atoms.len()).collect();
    order.sort_by(|&i, &j| {
        let (ri, rj) = (atoms[i].2.rem_euclid(U), atoms[j].2.rem_euclid(U));
        rj.cmp(&ri)
            .then(atoms[j].2.cmp(&atoms[i].2))
            .then((&atoms[i].0, &atoms[i].1).cmp(&(&atoms[j].0, &atoms[j].1)))
    });
    for &i in &order {
        if r <= 0 {
            break;
        }
        out[i].2 += 1;
        r -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p<'a>(z: &'a str, d: &'a str, t: i64, k: i64) -> PatchAreas<'a> {
        PatchAreas {
            zldwdm: z,
            dlbm: d,
            tbmj: t,
            kcmj: k,
            tbdlmj: t - k,
        }
    }

    #[test]
    fn tian_kan_goes_to_1203_and_totals_reconcile() {
        let z1 = "1505021010000000000";
        let z2 = "1505021020000000000";
        let patches = [
            p(z1, "0103", 1_000_000, 68_000),
            p(z1, "1203", 50_000, 0),
            p(z2, "0301", 333_333, 0),
            p(z2, "1104K", 12_345, 0),
        ];
        let t = class_table(
            patches.iter().map(|x| PatchAreas { ..*x }),
            GroupBy::Township,
            2,
        )
        .expect("table");
        let r1 = &t.exact["150502101"];
        assert_eq!((r1["0103"], r1["1203"]), (932_000, 118_000));
        assert_eq!(t.exact["150502102"]["1104"], 12_345);
        let cells: i64 = t.exact.values().flat_map(|r| r.values()).sum();
        assert_eq!(cells, t.row_tbmj.values().sum::<i64>());
        // Balanced 0.01 公顷 units sum to the rounded county total: 13 956.78 m² → 1.40 公顷.
        let ha: i64 = t.hectares.values().flat_map(|r| r.values()).sum();
        assert_eq!(ha, 140);
        let t1 = class_table(
            patches.iter().map(|x| PatchAreas { ..*x }),
            GroupBy::County,
            1,
        )
        .expect("table");
        assert_eq!(t1.exact["150502"]["12"], 118_000);
        assert_eq!(t1.exact["150502"]["11"], 12_345);
    }

    #[test]
    fn balancing_keeps_the_control() {
        // Three atoms of 0.3333 ha each: cell-by-cell rounding gives 0.99, balancing 1.00.
        let atoms: Vec<(String, String, i64)> = (0..3)
            .map(|i| ("u".to_string(), format!("c{i}"), 333_333))
            .collect();
        let b = balance(&atoms);
        assert_eq!(b.iter().map(|a| a.2).sum::<i64>(), 100);
        assert_eq!(b.iter().map(|a| a.2).collect::<Vec<_>>(), vec![34, 33, 33]);
    }
}

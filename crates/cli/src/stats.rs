//! `onemap stats`: the land-class area table of a survey dataset by county or township, from the
//! survey's own areas (TBDLMJ per class, KCMJ as 1203 田坎), reconciling to Σ TBMJ exactly.

use crate::store_cmds::StoreArg;
use crate::{OutputFormat, UsageError};
use clap::ValueEnum;
use onemap_formats::Value;
use onemap_geodesy::units::fixed;
use onemap_survey::classes::{class_of, level1_name};
use onemap_survey::numbers::cents;
use onemap_survey::stats::{class_table, GroupBy, PatchAreas};
use onemap_survey::{county_name, Kind};
use serde_json::{json, Value as J};
use std::io::Write;

/// Row level.
#[derive(Clone, Copy, Debug, ValueEnum, Default)]
pub enum By {
    /// 旗县市区 (first 6 digits of ZLDWDM).
    #[default]
    County,
    /// 乡镇 (first 9 digits).
    Township,
}

/// Arguments of `onemap stats`.
#[derive(clap::Args)]
pub struct Args {
    /// Dataset id (a dltb dataset).
    id: String,
    /// Rows by county or township.
    #[arg(long, value_enum, default_value_t)]
    by: By,
    /// 1 = 一级类, 2 = 二级类.
    #[arg(long, default_value_t = 1)]
    level: u8,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
    #[command(flatten)]
    store: StoreArg,
}

fn class_name(code: &str, level: u8) -> String {
    if level == 1 {
        level1_name(code).unwrap_or("").to_string()
    } else {
        class_of(code).map(|c| c.name).unwrap_or("").to_string()
    }
}

/// Run `onemap stats`.
pub fn run(a: Args) -> anyhow::Result<()> {
    if !matches!(a.level, 1 | 2) {
        return Err(UsageError(format!("--level {}: use 1 or 2", a.level)).into());
    }
    let store = a.store.open_store()?;
    let ds = store.dataset(&a.id)?;
    if ds.kind != Kind::Dltb {
        return Err(anyhow::anyhow!(
            "dataset {} is {}, not dltb: class statistics need 地类图斑",
            ds.id,
            ds.kind.id()
        ));
    }
    let mut rows: Vec<(String, String, i64, i64, i64)> = Vec::new();
    let mut bad: Option<String> = None;
    let mut n = 0u64;
    // Summed where the data is when the store can (PostGIS: a GROUP BY in the database);
    // otherwise every patch's row. The table is the same either way: it only adds cents.
    if let Some(sums) = store.class_sums(&a.id)? {
        for s in sums {
            n += s.features;
            rows.push((s.zldwdm, s.dlbm, s.tbmj, s.kcmj, s.tbdlmj));
        }
    } else {
        rows.reserve(ds.features as usize);
        store.for_each_row(
            &a.id,
            &["ZLDWDM", "DLBM", "TBMJ", "KCMJ", "TBDLMJ"],
            &mut |v| {
                n += 1;
                let text = |x: &Value| x.as_text().unwrap_or_default();
                let (Some(t), k) = (cents(&v[2]), cents(&v[3]).unwrap_or(0)) else {
                    bad.get_or_insert_with(|| format!("feature {}: TBMJ is empty", n - 1));
                    return;
                };
                let d = cents(&v[4]).unwrap_or(t - k);
                rows.push((text(&v[0]), text(&v[1]), t, k, d));
            },
        )?;
    }
    if let Some(b) = bad {
        return Err(anyhow::anyhow!("dataset {}: {b}", a.id));
    }
    let by = match a.by {
        By::County => GroupBy::County,
        By::Township => GroupBy::Township,
    };
    let table = class_table(
        rows.iter().map(|r| PatchAreas {
            zldwdm: &r.0,
            dlbm: &r.1,
            tbmj: r.2,
            kcmj: r.3,
            tbdlmj: r.4,
        }),
        by,
        a.level,
    )
    .map_err(|e| anyhow::anyhow!("dataset {}: {e}", a.id))?;
    let m2 = |c: i64| fixed(c as i128, 2);
    // Balanced 0.01 公顷 units; 亩 = balanced 公顷 × 15 (standards §3.3).
    let ha = |u: i64| fixed(u as i128, 2);
    let mu = |u: i64| fixed(u as i128 * 15, 2);
    let unit_name = |code: &str| match code.len() {
        6 => county_name(code).unwrap_or("").to_string(),
        _ => String::new(),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let total_cents: i64 = table.row_tbmj.values().sum();
    let total_ha: i64 = table.hectares.values().flat_map(|r| r.values()).sum();
    match a.format {
        OutputFormat::Json => {
            let num = |s: String| s.parse::<f64>().map_or(J::Null, |x| json!(x));
            let units: Vec<J> = table
                .exact
                .iter()
                .map(|(u, row)| {
                    let hrow = &table.hectares[u];
                    let uha: i64 = hrow.values().sum();
                    let classes: Vec<J> = table
                        .columns
                        .iter()
                        .filter_map(|(c, name)| {
                            let v = *row.get(c)?;
                            let h = hrow.get(c).copied().unwrap_or(0);
                            Some(json!({"code": c, "name": name, "area_m2": num(m2(v)), "area_ha": num(ha(h)), "area_mu": num(mu(h))}))
                        })
                        .collect();
                    json!({"code": u, "name": unit_name(u), "tbmj_m2": num(m2(table.row_tbmj[u])), "total_m2": num(m2(row.values().sum())),
                           "total_ha": num(ha(uha)), "total_mu": num(mu(uha)), "classes": classes})
                })
                .collect();
            writeln!(
                out,
                "{}",
                json!({"dataset": a.id, "by": format!("{:?}", a.by).to_lowercase(), "level": a.level, "features": n,
                       "units": units, "total_m2": num(m2(total_cents)), "total_ha": num(ha(total_ha)), "total_mu": num(mu(total_ha))})
            )?;
        }
        OutputFormat::Csv => {
            writeln!(
                out,
                "unit,unit_name,class,class_name,area_m2,area_mu,area_ha"
            )?;
            for (u, row) in &table.exact {
                let hrow = &table.hectares[u];
                for (c, _) in &table.columns {
                    if let Some(&v) = row.get(c) {
                        let h = hrow.get(c).copied().unwrap_or(0);
                        writeln!(
                            out,
                            "{u},{},{c},{},{},{},{}",
                            unit_name(u),
                            class_name(c, a.level),
                            m2(v),
                            mu(h),
                            ha(h)
                        )?;
                    }
                }
                let uha: i64 = hrow.values().sum();
                writeln!(
                    out,
                    "{u},{},total,合计,{},{},{}",
                    unit_name(u),
                    m2(table.row_tbmj[u]),
                    mu(uha),
                    ha(uha)
                )?;
            }
            writeln!(
                out,
                "total,,total,合计,{},{},{}",
                m2(total_cents),
                mu(total_ha),
                ha(total_ha)
            )?;
        }
        OutputFormat::Table => {
            writeln!(
                out,
                "{} ({} features) — 土地利用现状{}分类面积 (面积单位：平方米 / 亩 / 公顷)",
                a.id,
                n,
                if a.level == 1 { "一级" } else { "二级" }
            )?;
            for (u, row) in &table.exact {
                let hrow = &table.hectares[u];
                let uha: i64 = hrow.values().sum();
                writeln!(
                    out,
                    "\n{u} {}  合计 {} / {} / {}",
                    unit_name(u),
                    m2(table.row_tbmj[u]),
                    mu(uha),
                    ha(uha)
                )?;
                for (c, _) in &table.columns {
                    if let Some(&v) = row.get(c) {
                        let h = hrow.get(c).copied().unwrap_or(0);
                        writeln!(
                            out,
                            "  {c:<5} {:<12} {:>18} {:>16} {:>14}",
                            class_name(c, a.level),
                            m2(v),
                            mu(h),
                            ha(h)
                        )?;
                    }
                }
            }
            writeln!(
                out,
                "\n总计 {} 平方米 = {} 亩 = {} 公顷 (Σ TBMJ)",
                m2(total_cents),
                mu(total_ha),
                ha(total_ha)
            )?;
        }
    }
    Ok(())
}

//! Statistics inputs from CSV (`onemap stats-input import`): one row per year and unit, one
//! column per figure. Headers may be the keys or their Chinese names:
//!
//! | key | Chinese header | unit |
//! | --- | --- | --- |
//! | `year` | 年份 | — |
//! | `unit` | 行政区代码 | 6-digit code of the region or a county |
//! | `water_use` | 用水总量 | 亿立方米 |
//! | `population` | 常住人口 | 万人 |
//! | `urban_population` | 城镇常住人口, 城镇人口 | 万人 |
//! | `gdp` | 地区生产总值 | 亿元 |
//!
//! A `name` (名称) column is allowed and ignored. An empty cell is no figure.

use onemap_store::StatRow;
use std::path::Path;

/// Figure keys with their Chinese headers and units.
pub const KEYS: &[(&str, &[&str], &str)] = &[
    ("water_use", &["用水总量"], "亿立方米"),
    ("population", &["常住人口"], "万人"),
    ("urban_population", &["城镇常住人口", "城镇人口"], "万人"),
    ("gdp", &["地区生产总值", "GDP"], "亿元"),
];

enum Col {
    Year,
    Unit,
    Ignore,
    Key(&'static str),
}

/// Read a statistics CSV (UTF-8, with or without BOM, comma-separated, no quoted commas).
/// Errors name the file, line and column.
pub fn read_csv(path: &Path) -> Result<Vec<StatRow>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = text.trim_start_matches('\u{feff}');
    let p = path.display();
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines.next().ok_or_else(|| format!("{p}: empty file"))?;
    let cols: Vec<Col> = header
        .split(',')
        .map(|h| {
            let h = h.trim().trim_matches('"');
            Ok(match h {
                "year" | "年份" => Col::Year,
                "unit" | "行政区代码" | "单位代码" => Col::Unit,
                "name" | "名称" | "行政区名称" => Col::Ignore,
                _ => Col::Key(
                    KEYS.iter()
                        .find(|k| k.0 == h || k.1.contains(&h))
                        .map(|k| k.0)
                        .ok_or_else(|| {
                            format!(
                                "{p}:1: column {h:?} is not a known figure ({})",
                                KEYS.iter()
                                    .map(|k| format!("{} {}", k.0, k.1[0]))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            )
                        })?,
                ),
            })
        })
        .collect::<Result<_, String>>()?;
    if !cols.iter().any(|c| matches!(c, Col::Year)) || !cols.iter().any(|c| matches!(c, Col::Unit))
    {
        return Err(format!(
            "{p}:1: the header needs year (年份) and unit (行政区代码) columns"
        ));
    }
    let source = path
        .file_name()
        .map_or_else(|| p.to_string(), |n| n.to_string_lossy().into_owned());
    let mut out = Vec::new();
    for (ln, line) in lines {
        let ln = ln + 1;
        let cells: Vec<&str> = line
            .split(',')
            .map(|c| c.trim().trim_matches('"'))
            .collect();
        if cells.len() != cols.len() {
            return Err(format!(
                "{p}:{ln}: {} cells, the header has {}",
                cells.len(),
                cols.len()
            ));
        }
        let mut year = None;
        let mut unit = None;
        for (c, v) in cols.iter().zip(&cells) {
            match c {
                Col::Year => {
                    year = Some(
                        v.parse::<i32>()
                            .ok()
                            .filter(|y| (1949..=2100).contains(y))
                            .ok_or_else(|| format!("{p}:{ln}: year {v:?} is not a year"))?,
                    )
                }
                Col::Unit => {
                    if v.len() != 6 || !v.bytes().all(|b| b.is_ascii_digit()) {
                        return Err(format!("{p}:{ln}: unit {v:?} is not a 6-digit region code"));
                    }
                    unit = Some(v.to_string());
                }
                _ => {}
            }
        }
        let (Some(year), Some(unit)) = (year, unit) else {
            continue;
        };
        for (c, v) in cols.iter().zip(&cells) {
            if let Col::Key(k) = c {
                if v.is_empty() {
                    continue;
                }
                let value: f64 = v
                    .parse()
                    .ok()
                    .filter(|x: &f64| x.is_finite() && *x >= 0.0)
                    .ok_or_else(|| format!("{p}:{ln}: {k} {v:?} is not a non-negative number"))?;
                out.push(StatRow {
                    year,
                    unit: unit.clone(),
                    key: k.to_string(),
                    value,
                    source: source.clone(),
                });
            }
        }
    }
    Ok(out)
}

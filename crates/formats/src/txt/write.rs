//! Writer of the 报部 coordinate TXT in the standard layout (standards §6.4, example 1).

use crate::error::{FormatError, Result};
use crate::model::{polygon_rings, Feature, LayerInfo, Value};
use crate::{AtomicFile, FeatureWriter, TextEncoding};
use onemap_geodesy::crs::Crs;
use onemap_geodesy::sandiao::{self, AreaFrame};
use onemap_geodesy::units::AreaUnit;
use std::path::Path;

/// Streams polygon features into a coordinate TXT file: one parcel per feature, rings numbered
/// 1, 2, … (outer rings and holes alike, clockwise from the north-west vertex), 地块面积 in 公顷
/// by `sandiao` on the coordinates as written (to the millimetre).
pub struct TxtWriter {
    out: AtomicFile,
    info: LayerInfo,
    frame: AreaFrame,
    encoding: TextEncoding,
    index: u64,
}

impl TxtWriter {
    /// Create the file; the layer's CRS must be a Gauss–Krüger zone.
    pub fn create(
        path: &Path,
        info: &LayerInfo,
        encoding: TextEncoding,
        date: &str,
    ) -> Result<TxtWriter> {
        let Some(Crs::GaussKruger(g)) = info.crs else {
            return Err(FormatError::invalid(
                path,
                "a coordinate TXT is written in a Gauss–Krüger zone; give --zone N or --to-crs EPSG:45xx",
            ));
        };
        let frame = AreaFrame::GaussKruger {
            cm_deg: g.cm_deg(),
            false_easting: g.false_easting(),
        };
        let mut w = TxtWriter {
            out: AtomicFile::create(path)?,
            info: info.clone(),
            frame,
            encoding,
            index: 0,
        };
        let header = format!(
            "[属性描述]\r\n格式版本号=1.0\r\n数据产生单位=\r\n数据产生日期={}\r\n坐标系=2000国家大地坐标系\r\n几度分带={}\r\n投影类型=高斯克吕格\r\n计量单位=米\r\n带号={}\r\n精度=0.001\r\n转换参数=,,,,,,\r\n[地块坐标]\r\n",
            date,
            g.width,
            g.zone
        );
        w.put(&header)?;
        Ok(w)
    }

    fn put(&mut self, s: &str) -> Result<()> {
        let bytes = self.encoding.encode(s).ok_or_else(|| {
            FormatError::invalid(
                self.out.path(),
                format!("{s:?} cannot be written in {}", self.encoding.name()),
            )
        })?;
        self.out.write_all(&bytes)
    }

    fn field(&self, f: &Feature, names: &[&str]) -> String {
        names
            .iter()
            .find_map(|n| self.info.field_index(n))
            .and_then(|i| f.values.get(i))
            .and_then(Value::as_text)
            .unwrap_or_default()
            // A comma would split the field: use the full-width comma.
            .replace(',', "，")
    }
}

/// Ring as whole-millimetre (X, Y), clockwise, starting at the north-west vertex, closed.
fn survey_ring(ring: &geo_types::LineString<f64>) -> Vec<(f64, f64)> {
    let mm = |v: f64| (v * 1000.0).round() / 1000.0;
    let mut pts: Vec<(f64, f64)> = ring.0.iter().map(|c| (mm(c.y), mm(c.x))).collect();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    // Signed area in (Y east, X north): positive = counter-clockwise.
    let n = pts.len();
    let s: f64 = (0..n)
        .map(|i| pts[i].1 * pts[(i + 1) % n].0 - pts[(i + 1) % n].1 * pts[i].0)
        .sum();
    if s > 0.0 {
        pts.reverse();
    }
    if let Some(start) = (0..n).max_by(|&a, &b| {
        (pts[a].0 - pts[a].1)
            .total_cmp(&(pts[b].0 - pts[b].1))
            .then(b.cmp(&a))
    }) {
        pts.rotate_left(start);
    }
    if let Some(&f) = pts.first() {
        pts.push(f);
    }
    pts
}

impl FeatureWriter for TxtWriter {
    fn write_feature(&mut self, f: &Feature) -> Result<()> {
        self.index += 1;
        let Some(g) = &f.geometry else { return Ok(()) };
        let rings: Vec<(Vec<(f64, f64)>, bool)> = polygon_rings(g)
            .into_iter()
            .map(|(r, hole)| (survey_ring(r), hole))
            .collect();
        if rings.is_empty() {
            return Err(FormatError::feature(
                self.out.path(),
                self.index - 1,
                None,
                "only polygons can be written to a coordinate TXT",
            ));
        }
        let count: usize = rings.iter().map(|(r, _)| r.len()).sum();
        let area = sandiao::feature_area(
            self.frame,
            rings
                .iter()
                .map(|(r, hole)| (r.iter().map(|&(x, y)| [y, x]), *hole)),
        );
        let ha = AreaUnit::Hectare.format(sandiao::to_cents(area));
        let mut id = self.field(f, &["DKBH", "BSM", "XMBH", "ID"]);
        if id.is_empty() {
            id = f.fid.clone().unwrap_or_else(|| self.index.to_string());
        }
        let mut s = format!(
            "{count},{ha},{id},{},面,{},{},{},@\r\n",
            self.field(f, &["DKMC", "XMMC", "NAME", "MC"]),
            self.field(f, &["TFH"]),
            self.field(f, &["DKYT", "YT"]),
            self.field(f, &["DLBM"]),
        );
        let mut j = 0;
        for (k, (r, _)) in rings.iter().enumerate() {
            let first = j + 1;
            for (i, &(x, y)) in r.iter().enumerate() {
                let name = if i + 1 == r.len() {
                    first
                } else {
                    j += 1;
                    j
                };
                s.push_str(&format!("J{name},{},{x:.3},{y:.3}\r\n", k + 1));
            }
        }
        self.put(&s)
    }

    fn finish(self: Box<Self>) -> Result<()> {
        self.out.commit()
    }
}

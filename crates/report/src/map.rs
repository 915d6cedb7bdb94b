//! SVG maps: features in longitude/latitude drawn in a local equirectangular frame (x scaled by
//! the cosine of the middle latitude, so that shapes look right at city scale).

use onemap_overlay::{BBox, Layer};
use std::fmt::Write;

/// The standard colour of a DLBM's 一级类 (三调 cartography, approximately).
pub fn class_colour(dlbm: &str) -> &'static str {
    let l1 = onemap_survey::classes::class_of(dlbm).map_or("", |c| c.level1);
    match l1 {
        "00" => "#8ed3e8",
        "01" => "#f6eb8c",
        "02" => "#e3c47a",
        "03" => "#5fb06a",
        "04" => "#b9d989",
        "05" => "#e8707a",
        "06" => "#c9865a",
        "07" => "#f1a1a1",
        "08" => "#e6a3cf",
        "09" => "#9a7b5a",
        "10" => "#b4b4b4",
        "11" => "#7fb2f0",
        "12" => "#ddd2b4",
        _ => "#eeeeee",
    }
}

/// Draws an SVG map of a box.
pub struct MapBuilder {
    bbox: BBox,
    kx: f64,
    ky: f64,
    width: u32,
    height: u32,
    body: String,
}

impl MapBuilder {
    /// A map of `bbox` (lon/lat), `width` px wide; the height follows the box's shape.
    pub fn new(bbox: BBox, width: u32) -> MapBuilder {
        let mid = ((bbox[1] + bbox[3]) / 2.0).to_radians().cos();
        let w_deg = ((bbox[2] - bbox[0]) * mid).max(1e-9);
        let h_deg = (bbox[3] - bbox[1]).max(1e-9);
        let height = ((width as f64 * h_deg / w_deg).round() as u32).clamp(80, width * 2);
        MapBuilder {
            bbox,
            kx: width as f64 / (bbox[2] - bbox[0]).max(1e-12),
            ky: height as f64 / (bbox[3] - bbox[1]).max(1e-12),
            width,
            height,
            body: String::new(),
        }
    }

    /// A box around `bb` with a margin of `frac` of its size on every side, at least `min_m`
    /// metres wide and high.
    pub fn padded(bb: BBox, frac: f64, min_m: f64) -> BBox {
        let cos = ((bb[1] + bb[3]) / 2.0).to_radians().cos().max(0.1);
        let (w, h) = (
            (bb[2] - bb[0]).max(min_m / (111_320.0 * cos)),
            (bb[3] - bb[1]).max(min_m / 110_540.0),
        );
        let (cx, cy) = ((bb[0] + bb[2]) / 2.0, (bb[1] + bb[3]) / 2.0);
        let (hw, hh) = (w * (0.5 + frac), h * (0.5 + frac));
        [cx - hw, cy - hh, cx + hw, cy + hh]
    }

    /// A filled rectangle over a lon/lat box.
    pub fn rect(&mut self, bb: BBox, attrs: &str) {
        let (x0, y0) = self.xy([bb[0], bb[3]]);
        let (x1, y1) = self.xy([bb[2], bb[1]]);
        let _ = writeln!(
            self.body,
            r#"<rect x="{x0:.1}" y="{y0:.1}" width="{:.1}" height="{:.1}" {attrs}/>"#,
            x1 - x0,
            y1 - y0
        );
    }

    /// The map's box.
    pub fn bbox(&self) -> BBox {
        self.bbox
    }

    fn xy(&self, p: [f64; 2]) -> (f64, f64) {
        (
            (p[0] - self.bbox[0]) * self.kx,
            (self.bbox[3] - p[1]) * self.ky,
        )
    }

    /// A polygon from rings, with SVG presentation attributes (`fill="…" stroke="…"`).
    pub fn polygon<'a>(&mut self, rings: impl IntoIterator<Item = &'a [[f64; 2]]>, attrs: &str) {
        let mut d = String::new();
        for r in rings {
            // Vertices closer than half a pixel to the last one drawn add nothing visible.
            let mut last = (f64::NAN, f64::NAN);
            for (k, p) in r.iter().enumerate() {
                let (x, y) = self.xy(*p);
                if k > 0 && (x - last.0).abs() < 0.5 && (y - last.1).abs() < 0.5 {
                    continue;
                }
                let _ = write!(d, "{}{:.1} {:.1}", if k == 0 { "M" } else { "L" }, x, y);
                last = (x, y);
            }
            d.push('Z');
        }
        if !d.is_empty() {
            let _ = writeln!(self.body, r#"<path d="{d}" fill-rule="evenodd" {attrs}/>"#);
        }
    }

    /// A polyline through lon/lat points, with SVG presentation attributes.
    pub fn polyline(&mut self, points: &[[f64; 2]], attrs: &str) {
        let mut d = String::new();
        let mut last = (f64::NAN, f64::NAN);
        for (k, p) in points.iter().enumerate() {
            let (x, y) = self.xy(*p);
            if k > 0 && k + 1 < points.len() && (x - last.0).abs() < 0.5 && (y - last.1).abs() < 0.5
            {
                continue;
            }
            let _ = write!(d, "{}{:.1} {:.1}", if k == 0 { "M" } else { "L" }, x, y);
            last = (x, y);
        }
        if points.len() >= 2 {
            let _ = writeln!(self.body, r#"<path d="{d}" fill="none" {attrs}/>"#);
        }
    }

    /// Every feature of a layer in the map's box, styled by `style` (`None` skips it).
    pub fn layer(&mut self, layer: &Layer, style: impl Fn(u32) -> Option<String>) {
        let mut ids: Vec<u32> = layer.query(self.bbox).collect();
        ids.sort_unstable();
        for i in ids {
            if let Some(attrs) = style(i) {
                let rings: Vec<&[[f64; 2]]> = layer.rings(i).map(|(r, _)| r).collect();
                self.polygon(rings, &attrs);
            }
        }
    }

    /// A text label at a lon/lat point.
    pub fn label(&mut self, p: [f64; 2], text: &str, attrs: &str) {
        let (x, y) = self.xy(p);
        let _ = writeln!(
            self.body,
            r#"<text x="{x:.1}" y="{y:.1}" {attrs}>{}</text>"#,
            crate::esc(text)
        );
    }

    /// Raw SVG appended in map pixel space.
    pub fn raw(&mut self, svg: &str) {
        self.body.push_str(svg);
    }

    /// Width and height, px.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The finished SVG, with a scale bar and a north arrow.
    pub fn finish(self) -> String {
        let (w, h) = (self.width, self.height);
        // Scale bar: a round length near a fifth of the width.
        let mid = ((self.bbox[1] + self.bbox[3]) / 2.0).to_radians().cos();
        let m_per_px = (self.bbox[2] - self.bbox[0]) * 111_320.0 * mid / w as f64;
        let target = m_per_px * w as f64 / 5.0;
        let mag = 10f64.powf(target.log10().floor());
        let len = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|k| k * mag)
            .rfind(|l| *l <= target)
            .unwrap_or(mag);
        let px = len / m_per_px;
        let label = if len >= 1000.0 {
            format!("{} km", len / 1000.0)
        } else {
            format!("{len} m")
        };
        let (x0, y0) = (12.0, h as f64 - 14.0);
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif">
<rect width="{w}" height="{h}" fill="#ffffff"/>
{body}<g stroke="#000" stroke-width="1.5" fill="none"><path d="M{x0} {y0}h{px:.1}M{x0} {ya}v6M{xe:.1} {ya}v6"/></g>
<text x="{x0}" y="{yt}" font-size="11">{label}</text>
<g transform="translate({xn},24)"><path d="M0 -14L6 6L0 2L-6 6Z" fill="#000"/><text x="0" y="20" font-size="11" text-anchor="middle">N</text></g>
<rect x="0.5" y="0.5" width="{wr}" height="{hr}" fill="none" stroke="#333"/>
</svg>"##,
            body = self.body,
            ya = y0 - 3.0,
            xe = x0 + px,
            yt = y0 - 6.0,
            xn = w as f64 - 20.0,
            wr = w as f64 - 1.0,
            hr = h as f64 - 1.0,
        )
    }
}

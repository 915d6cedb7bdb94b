//! SVG line charts of an indicator over the years: the observed series, its linear projection
//! to the target year and the target as a horizontal line.

use std::fmt::Write;

/// A line chart.
pub struct LineChart<'a> {
    /// Observed (year, value) points.
    pub points: &'a [(i32, f64)],
    /// Projected value at `end` (drawn dashed from the last point).
    pub projection: Option<f64>,
    /// The target.
    pub target: Option<f64>,
    /// Last year on the axis (the plan's target year).
    pub end: i32,
    /// Decimals of axis labels.
    pub decimals: usize,
}

impl LineChart<'_> {
    /// The SVG, `w` × `h` px.
    pub fn svg(&self, w: u32, h: u32) -> String {
        let (l, r, t, b) = (70.0, 16.0, 14.0, 28.0);
        let (pw, ph) = (w as f64 - l - r, h as f64 - t - b);
        let first = self.points.first().map_or(self.end - 1, |p| p.0);
        let x0 = first.min(self.end - 1) as f64;
        let x1 = self.end as f64;
        let mut vals: Vec<f64> = self.points.iter().map(|p| p.1).collect();
        vals.extend(self.projection);
        vals.extend(self.target);
        let (mut lo, mut hi) = vals
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(*v), b.max(*v))
            });
        if !lo.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        let pad = ((hi - lo) * 0.1).max(hi.abs() * 0.01).max(1e-9);
        let (lo, hi) = (lo - pad, hi + pad);
        let x = |y: f64| l + (y - x0) / (x1 - x0) * pw;
        let y = |v: f64| t + (hi - v) / (hi - lo) * ph;
        let mut s = String::new();
        let _ = write!(
            s,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, sans-serif" font-size="11"><rect width="{w}" height="{h}" fill="#fff"/>"##
        );
        // Axes and grid.
        for k in 0..=4 {
            let v = lo + (hi - lo) * k as f64 / 4.0;
            let yy = y(v);
            let _ = write!(
                s,
                r##"<line x1="{l}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#e0e0e0"/><text x="{:.1}" y="{:.1}" text-anchor="end">{v:.*}</text>"##,
                l + pw,
                l - 4.0,
                yy + 4.0,
                self.decimals
            );
        }
        let step = if x1 - x0 > 10.0 { 5 } else { 1 };
        let mut yr = x0 as i32;
        while yr <= self.end {
            if yr % step == 0 || yr == x0 as i32 {
                let xx = x(yr as f64);
                let _ = write!(
                    s,
                    r##"<line x1="{xx:.1}" y1="{:.1}" x2="{xx:.1}" y2="{:.1}" stroke="#999"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{yr}</text>"##,
                    t + ph,
                    t + ph + 4.0,
                    t + ph + 17.0
                );
            }
            yr += 1;
        }
        let _ = write!(
            s,
            r##"<path d="M{l} {t}V{:.1}H{:.1}" fill="none" stroke="#333"/>"##,
            t + ph,
            l + pw
        );
        if let Some(tv) = self.target {
            let _ = write!(
                s,
                r##"<line x1="{l}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#c62828" stroke-width="1.5" stroke-dasharray="6 4"/>"##,
                y(tv),
                l + pw
            );
        }
        if let (Some(pv), Some(last)) = (self.projection, self.points.last()) {
            let _ = write!(
                s,
                r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#1565c0" stroke-width="1.5" stroke-dasharray="3 3"/>"##,
                x(last.0 as f64),
                y(last.1),
                x(x1),
                y(pv)
            );
        }
        if !self.points.is_empty() {
            let d: Vec<String> = self
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    format!(
                        "{}{:.1} {:.1}",
                        if i == 0 { "M" } else { "L" },
                        x(p.0 as f64),
                        y(p.1)
                    )
                })
                .collect();
            let _ = write!(
                s,
                r##"<path d="{}" fill="none" stroke="#1565c0" stroke-width="2"/>"##,
                d.join("")
            );
            for p in self.points {
                let _ = write!(
                    s,
                    r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#1565c0"/>"##,
                    x(p.0 as f64),
                    y(p.1)
                );
            }
        }
        s.push_str("</svg>");
        s
    }
}

//! Plots as inline SVG, written by hand: axes with round ticks, labels,
//! lines, points and contour lines. Small on purpose: the report needs
//! five kinds of plot and no fonts, no JavaScript and no crate for them.

use super::num;
use std::fmt::Write;

/// A line segment between two points in data coordinates.
pub type Segment = ((f64, f64), (f64, f64));

const W: f64 = 480.0;
const H: f64 = 300.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 30.0;
const BOTTOM: f64 = 46.0;

/// A data-to-pixel mapping with its axes.
pub struct Frame {
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
    log_y: bool,
}

impl Frame {
    /// A frame around the points; a log-scale y when asked and all y > 0.
    pub fn around(xs: &[f64], ys: &[f64], log_y: bool) -> Frame {
        let log_y = log_y && ys.iter().all(|&y| y > 0.0);
        let t = |y: f64| if log_y { y.log10() } else { y };
        let (x0, x1) = padded(xs.iter().copied(), 0.0);
        let (mut y0, y1) = padded(ys.iter().map(|&y| t(y)), if log_y { 0.0 } else { 0.05 });
        if log_y {
            // Six decades below the largest value are plenty; a step whose
            // J is 1e-25 would squash the rest into a line.
            y0 = y0.max(y1 - 6.0);
        }
        Frame {
            x0,
            x1,
            y0,
            y1,
            log_y,
        }
    }

    pub fn px(&self, x: f64) -> f64 {
        LEFT + (x - self.x0) / (self.x1 - self.x0) * (W - LEFT - RIGHT)
    }

    pub fn py(&self, y: f64) -> f64 {
        let y = if self.log_y { y.log10() } else { y };
        H - BOTTOM - (y - self.y0) / (self.y1 - self.y0) * (H - TOP - BOTTOM)
    }
}

/// The range of the values, widened by `pad` of its width (and to a unit
/// width around a single value).
fn padded(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 * lo.abs().max(1.0) {
        return (lo - 0.5, hi + 0.5);
    }
    let d = (hi - lo) * pad;
    (lo - d, hi + d)
}

/// Round tick positions covering [lo, hi]: steps of 1, 2 or 5 × 10^k.
pub fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An SVG plot under construction.
pub struct Plot {
    frame: Frame,
    body: String,
    title: String,
    x_label: String,
    y_label: String,
    legend: Vec<(String, &'static str)>,
}

impl Plot {
    pub fn new(frame: Frame, title: &str, x_label: &str, y_label: &str) -> Plot {
        Plot {
            frame,
            body: String::new(),
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            legend: Vec::new(),
        }
    }

    pub fn frame(&self) -> &Frame {
        &self.frame
    }

    pub fn line(&mut self, points: &[(f64, f64)], color: &'static str, label: &str) -> &mut Self {
        let d: Vec<String> = points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .map(|&(x, y)| format!("{:.1},{:.1}", self.frame.px(x), self.frame.py(y)))
            .collect();
        if d.len() > 1 {
            let _ = writeln!(
                self.body,
                r#"<polyline points="{}" fill="none" stroke="{color}" stroke-width="1.8"/>"#,
                d.join(" ")
            );
        }
        if !label.is_empty() {
            self.legend.push((label.into(), color));
        }
        self
    }

    pub fn points(
        &mut self,
        points: &[(f64, f64)],
        color: &'static str,
        r: f64,
        label: &str,
    ) -> &mut Self {
        for &(x, y) in points
            .iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
        {
            let _ = writeln!(
                self.body,
                r#"<circle cx="{:.1}" cy="{:.1}" r="{r}" fill="{color}" fill-opacity="0.75"/>"#,
                self.frame.px(x),
                self.frame.py(y)
            );
        }
        if !label.is_empty() {
            self.legend.push((label.into(), color));
        }
        self
    }

    /// Line segments in data coordinates (contours).
    pub fn segments(&mut self, segs: &[Segment], color: &'static str) -> &mut Self {
        let mut d = String::new();
        for &((ax, ay), (bx, by)) in segs {
            let _ = write!(
                d,
                "M{:.1},{:.1}L{:.1},{:.1}",
                self.frame.px(ax),
                self.frame.py(ay),
                self.frame.px(bx),
                self.frame.py(by)
            );
        }
        if !d.is_empty() {
            let _ = writeln!(
                self.body,
                r#"<path d="{d}" fill="none" stroke="{color}" stroke-width="1" stroke-opacity="0.8"/>"#
            );
        }
        self
    }

    pub fn svg(&self) -> String {
        let f = &self.frame;
        let mut out = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" class="plot" viewBox="0 0 {W} {H}" role="img" aria-label="{t}" font-family="system-ui, sans-serif">
<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="#fbfcfd" stroke="#c5ccd4"/>
<text x="{cx}" y="18" text-anchor="middle" font-size="14" font-weight="600" fill="#1d2733">{t}</text>
"##,
            t = xml(&self.title),
            pw = W - LEFT - RIGHT,
            ph = H - TOP - BOTTOM,
            cx = (LEFT + W - RIGHT) / 2.0,
        );
        out.push_str(&format!(
            "<defs><clipPath id=\"clip\"><rect x=\"{LEFT}\" y=\"{TOP}\" width=\"{}\" height=\"{}\"/></clipPath></defs>\n",
            W - LEFT - RIGHT,
            H - TOP - BOTTOM
        ));
        for x in ticks(f.x0, f.x1, 6) {
            let px = f.px(x);
            let _ = writeln!(
                out,
                r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{b}" stroke="#e3e7ec"/><text x="{px:.1}" y="{ty}" text-anchor="middle" font-size="11" fill="#4a5868">{l}</text>"##,
                b = H - BOTTOM,
                ty = H - BOTTOM + 15.0,
                l = num::uni(x)
            );
        }
        let (y_lo, y_hi) = (f.y0, f.y1);
        let y_ticks: Vec<(f64, String)> = if f.log_y {
            // 1, 2 and 5 × 10^k within a decade and a half; beyond, powers
            // of ten, every `stride`-th so that about six remain.
            let decades = y_hi - y_lo;
            let mults: &[f64] = if decades > 1.5 {
                &[1.0]
            } else {
                &[1.0, 2.0, 5.0]
            };
            let stride = ((decades / 6.0).ceil() as usize).max(1);
            (y_lo.floor() as i32..=y_hi.ceil() as i32)
                .step_by(stride)
                .flat_map(|k| mults.iter().map(move |m| m * 10f64.powi(k)))
                .filter(|v| (y_lo..=y_hi).contains(&v.log10()))
                .map(|v| (v, num::uni(v)))
                .collect()
        } else {
            ticks(y_lo, y_hi, 5)
                .into_iter()
                .map(|y| (y, num::uni(y)))
                .collect()
        };
        for (y, label) in y_ticks {
            let py = f.py(y);
            let _ = writeln!(
                out,
                r##"<line x1="{LEFT}" y1="{py:.1}" x2="{r}" y2="{py:.1}" stroke="#e3e7ec"/><text x="{tx}" y="{ty:.1}" text-anchor="end" font-size="11" fill="#4a5868">{label}</text>"##,
                r = W - RIGHT,
                tx = LEFT - 5.0,
                ty = py + 4.0,
            );
        }
        let _ = writeln!(
            out,
            r##"<text x="{cx}" y="{y}" text-anchor="middle" font-size="12" fill="#1d2733">{l}</text>"##,
            cx = (LEFT + W - RIGHT) / 2.0,
            y = H - 8.0,
            l = xml(&self.x_label)
        );
        let _ = writeln!(
            out,
            r##"<text transform="translate(14 {cy}) rotate(-90)" text-anchor="middle" font-size="12" fill="#1d2733">{l}</text>"##,
            cy = (TOP + H - BOTTOM) / 2.0,
            l = xml(&self.y_label)
        );
        out.push_str(r#"<g clip-path="url(#clip)">"#);
        out.push_str(&self.body);
        out.push_str("</g>\n");
        for (k, (label, color)) in self.legend.iter().enumerate() {
            let y = TOP + 14.0 + 16.0 * k as f64;
            let _ = writeln!(
                out,
                r##"<rect x="{x}" y="{ry}" width="10" height="10" fill="{color}"/><text x="{tx}" y="{y}" font-size="11" fill="#1d2733">{l}</text>"##,
                x = W - RIGHT - 150.0,
                ry = y - 9.0,
                tx = W - RIGHT - 136.0,
                l = xml(label)
            );
        }
        out.push_str("</svg>\n");
        out
    }
}

/// Contour segments of f on a grid over [x0, x1] × [y0, y1] at `levels`
/// (marching squares, one segment per crossing pair, no joining).
pub fn contours(
    f: &dyn Fn(f64, f64) -> f64,
    (x0, x1): (f64, f64),
    (y0, y1): (f64, f64),
    grid: usize,
    levels: &[f64],
) -> Vec<Segment> {
    let g = grid.max(2);
    let xs: Vec<f64> = (0..=g)
        .map(|i| x0 + (x1 - x0) * i as f64 / g as f64)
        .collect();
    let ys: Vec<f64> = (0..=g)
        .map(|j| y0 + (y1 - y0) * j as f64 / g as f64)
        .collect();
    let v: Vec<Vec<f64>> = ys
        .iter()
        .map(|&y| xs.iter().map(|&x| f(x, y)).collect())
        .collect();
    let mut segs = Vec::new();
    for &level in levels {
        for j in 0..g {
            for i in 0..g {
                // Corners counter-clockwise from bottom-left.
                let c = [
                    (xs[i], ys[j], v[j][i]),
                    (xs[i + 1], ys[j], v[j][i + 1]),
                    (xs[i + 1], ys[j + 1], v[j + 1][i + 1]),
                    (xs[i], ys[j + 1], v[j + 1][i]),
                ];
                let mut hits = Vec::with_capacity(4);
                for k in 0..4 {
                    let (a, b) = (c[k], c[(k + 1) % 4]);
                    if (a.2 < level) != (b.2 < level) {
                        let t = (level - a.2) / (b.2 - a.2);
                        hits.push((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1)));
                    }
                }
                if hits.len() >= 2 {
                    segs.push((hits[0], hits[1]));
                }
                if hits.len() == 4 {
                    segs.push((hits[2], hits[3]));
                }
            }
        }
    }
    segs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        let labels =
            |lo, hi| -> Vec<String> { ticks(lo, hi, 5).into_iter().map(num::ascii).collect() };
        assert_eq!(labels(0.0, 10.0), ["0", "2", "4", "6", "8", "10"]);
        assert_eq!(labels(0.13, 0.61), ["0.2", "0.3", "0.4", "0.5", "0.6"]);
    }

    #[test]
    fn contours_of_a_bowl_are_rings() {
        // x² + y² = 1 crosses the grid in a ring: every segment's ends lie
        // within a cell's diagonal (2/20·√2) of the unit circle.
        let segs = contours(&|x, y| x * x + y * y, (-2.0, 2.0), (-2.0, 2.0), 20, &[1.0]);
        assert!(segs.len() > 20);
        for ((ax, ay), _) in segs {
            assert!(((ax * ax + ay * ay).sqrt() - 1.0).abs() < 0.15);
        }
    }
}

//! The computational graph drawn three ways: DOT for Graphviz, Mermaid, and
//! SVG laid out here (layers by topological depth, no Graphviz needed).
//! Boxes show a node's name and formula (its op), value and gradient;
//! edges show the local partial.

use super::lang::Lang;
use super::math::Render;
use super::num;
use super::view::{Edge, View};
use crate::graph::LeafKind;
use std::fmt::Write;

/// The text of a node's box: title (name and formula or leaf kind),
/// value, gradient.
pub struct NodeText {
    pub title: String,
    pub value: String,
    pub grad: String,
}

/// A tensor in a box: up to four numbers, else the first three and a count.
pub fn short(values: &[f64]) -> String {
    match values {
        [v] => num::uni(*v),
        vs if vs.len() <= 4 => num::uni_list(vs),
        vs => format!(
            "[{}, … ({} numbers)]",
            vs[..3]
                .iter()
                .map(|&v| num::uni(v))
                .collect::<Vec<_>>()
                .join(", "),
            vs.len()
        ),
    }
}

pub fn node_text(view: &View<'_>, id: usize, lang: Lang) -> NodeText {
    let r = Render { trace: view.trace };
    let n = view.node(id);
    let name = r.name_text(id);
    let title = match (view.formula(id), n.kind) {
        (Some(f), _) => format!(
            "{name} = {}",
            r.text(&super::math::Math::Expr(f.expr.clone(), false))
        ),
        (None, Some(LeafKind::Param)) => format!("{name} ({})", lang.t("node-param")),
        (None, Some(LeafKind::Input)) => format!("{name} ({})", lang.t("node-input")),
        (None, Some(LeafKind::Constant)) => format!("{name} ({})", lang.t("node-constant")),
        (None, None) => format!("{name} ({})", n.op),
    };
    let root = r.name_text(view.root());
    NodeText {
        title,
        value: lang.tr("node-value", &[("value", &short(&n.value))]),
        grad: match &n.grad {
            Some(g) => format!("∂{root}/∂{name} = {}", short(g)),
            None => lang.t("node-no-grad"),
        },
    }
}

/// An edge's label: ∂to/∂from in symbols, and its value when a number.
pub fn edge_text(view: &View<'_>, e: &Edge) -> String {
    let r = Render { trace: view.trace };
    let sym = r.text(&super::math::Math::Expr(e.sym.clone(), false));
    let head = format!("∂{}/∂{} = {sym}", r.name_text(e.to), r.name_text(e.from));
    match &e.local {
        Some(j) if j.rows * j.cols == 1 && sym != num::uni(j.data[0]) => {
            format!("{head} = {}", num::uni(j.data[0]))
        }
        _ => head,
    }
}

/// What an edge shows while the gradient flows back along it:
/// upstream × local = contribution (this edge's share of ∂root/∂from), on
/// two lines split before the `=`.
pub fn flow_text(view: &View<'_>, e: &Edge) -> String {
    let r = Render { trace: view.trace };
    // A tensor upstream goes by name (its numbers are in its box).
    let to = view.node(e.to);
    let up = match to.grad.as_deref() {
        Some([g]) => num::uni(*g),
        Some(_) => format!("∂{}/∂{}", r.name_text(view.root()), r.name_text(e.to)),
        None => "—".into(),
    };
    let local = match &e.local {
        Some(j) if j.rows * j.cols == 1 && j.data[0] < 0.0 => format!("({})", num::uni(j.data[0])),
        Some(j) if j.rows * j.cols == 1 => num::uni(j.data[0]),
        _ => format!(
            "({})",
            r.text(&super::math::Math::Expr(e.sym.clone(), false))
        ),
    };
    let product = e.product.as_deref().map_or("—".into(), short);
    format!("{up} × {local}\n= {product}")
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// A text's width in Latin characters: Hangul and CJK count double.
fn text_units(s: &str) -> usize {
    s.chars()
        .map(|c| match c {
            '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}' => 2,
            _ => 1,
        })
        .sum()
}

/// Graphviz DOT, left to right, in English.
pub fn dot(view: &View<'_>) -> String {
    dot_in(view, Lang::En)
}

/// Graphviz DOT, its words in `lang`.
pub fn dot_in(view: &View<'_>, lang: Lang) -> String {
    let mut out = String::from(
        "digraph chainrule {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for &id in &view.nodes {
        let t = node_text(view, id, lang);
        let _ = writeln!(
            out,
            "  n{id} [label=\"{}\\n{}\\n{}\"];",
            dot_escape(&t.title),
            dot_escape(&t.value),
            dot_escape(&t.grad)
        );
    }
    for e in &view.edges {
        let _ = writeln!(
            out,
            "  n{} -> n{} [label=\"{}\"];",
            e.from,
            e.to,
            dot_escape(&edge_text(view, e))
        );
    }
    out.push_str("}\n");
    out
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// A Mermaid flowchart, left to right, in English.
pub fn mermaid(view: &View<'_>) -> String {
    mermaid_in(view, Lang::En)
}

/// A Mermaid flowchart, its words in `lang`.
pub fn mermaid_in(view: &View<'_>, lang: Lang) -> String {
    let mut out = String::from("flowchart LR\n");
    for &id in &view.nodes {
        let t = node_text(view, id, lang);
        let _ = writeln!(
            out,
            "  n{id}[\"{}<br/>{}<br/>{}\"]",
            mermaid_escape(&t.title),
            mermaid_escape(&t.value),
            mermaid_escape(&t.grad)
        );
    }
    for e in &view.edges {
        let _ = writeln!(
            out,
            "  n{} -->|\"{}\"| n{}",
            e.from,
            mermaid_escape(&edge_text(view, e)),
            e.to
        );
    }
    out
}

/// Where each visible node sits: layer (column) and slot (row).
pub struct Layout {
    /// (trace id, x, y, width, height) of each box, by view order.
    pub boxes: Vec<Placed>,
    pub width: f64,
    pub height: f64,
}

#[derive(Clone, Copy, Debug)]
pub struct Placed {
    pub id: usize,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

const BOX_H: f64 = 58.0;
const V_GAP: f64 = 22.0;
const MIN_H_GAP: f64 = 70.0;
/// Approximate advance of one character of an edge label (11 px).
const LABEL_CHAR_W: f64 = 6.0;
const MARGIN: f64 = 16.0;
/// Approximate advance of one character at the box font size (13 px).
const CHAR_W: f64 = 6.9;

/// Layers by depth: a computed node sits one column right of its deepest
/// input; a leaf sits just left of its first reader. Within a column,
/// nodes are ordered by the mean row of their neighbours (two sweeps), so
/// the unrolled branches run side by side without crossing.
pub fn layout(view: &View<'_>, lang: Lang) -> Layout {
    let n = view.trace.nodes.len();
    let mut layer = vec![0usize; n];
    for &id in &view.nodes {
        if view.node(id).kind.is_none() {
            layer[id] = view
                .edges_into(id)
                .map(|e| layer[e.from] + 1)
                .max()
                .unwrap_or(0);
        }
    }
    for &id in &view.nodes {
        if view.node(id).kind.is_some() {
            if let Some(first) = view.edges_from(id).map(|e| layer[e.to]).min() {
                layer[id] = first.saturating_sub(1);
            }
        }
    }
    let depth = view.nodes.iter().map(|&id| layer[id]).max().unwrap_or(0);
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); depth + 1];
    for &id in &view.nodes {
        columns[layer[id]].push(id);
    }
    let mut row = vec![0.0f64; n];
    let set_rows = |columns: &Vec<Vec<usize>>, row: &mut Vec<f64>| {
        for col in columns {
            for (k, &id) in col.iter().enumerate() {
                row[id] = k as f64 - (col.len() as f64 - 1.0) / 2.0;
            }
        }
    };
    set_rows(&columns, &mut row);
    for _ in 0..2 {
        for c in 0..columns.len() {
            let key = |id: usize| {
                let ns: Vec<f64> = view
                    .edges_into(id)
                    .map(|e| row[e.from])
                    .chain(view.edges_from(id).map(|e| row[e.to]))
                    .collect();
                if ns.is_empty() {
                    row[id]
                } else {
                    ns.iter().sum::<f64>() / ns.len() as f64
                }
            };
            let mut keyed: Vec<(f64, usize)> = columns[c].iter().map(|&id| (key(id), id)).collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            columns[c] = keyed.into_iter().map(|(_, id)| id).collect();
            set_rows(&columns, &mut row);
        }
    }
    let tallest = columns.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let height = tallest * BOX_H + (tallest - 1.0) * V_GAP + 2.0 * MARGIN;
    // The gap before a column fits the longest edge label entering it.
    let gap_before = |c: usize| {
        columns[c]
            .iter()
            .flat_map(|&id| view.edges_into(id))
            .map(|e| {
                let text = edge_text(view, e).chars().count();
                let flow = if view.node(e.from).grad.is_some() {
                    let f = flow_text(view, e);
                    f.lines().map(|l| l.chars().count()).max().unwrap_or(0)
                } else {
                    0
                };
                text.max(flow) as f64 * LABEL_CHAR_W + 40.0
            })
            .fold(MIN_H_GAP, f64::max)
    };
    let mut boxes = Vec::new();
    let mut x = MARGIN;
    for (c, col) in columns.iter().enumerate() {
        if c > 0 {
            x += gap_before(c);
        }
        let w = col
            .iter()
            .map(|&id| {
                let t = node_text(view, id, lang);
                [t.title, t.value, t.grad]
                    .iter()
                    .map(|s| text_units(s))
                    .max()
                    .unwrap_or(0) as f64
                    * CHAR_W
                    + 16.0
            })
            .fold(90.0, f64::max);
        let used = col.len() as f64 * BOX_H + (col.len() as f64 - 1.0) * V_GAP;
        let mut y = (height - used) / 2.0;
        for &id in col {
            boxes.push(Placed {
                id,
                x,
                y,
                w,
                h: BOX_H,
            });
            y += BOX_H + V_GAP;
        }
        x += w;
    }
    Layout {
        boxes,
        width: x + MARGIN,
        height,
    }
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The graph as a standalone SVG. Each box is `<g id="n{id}">` with text
/// of classes `title`, `val`, `grad`; each edge `<g id="e{from}-{to}">`
/// with a `lab` label, so that the report's player can light them up.
pub fn svg(view: &View<'_>) -> String {
    svg_in(view, Lang::En)
}

/// The SVG drawing, its words in `lang`.
pub fn svg_in(view: &View<'_>, lang: Lang) -> String {
    let lay = layout(view, lang);
    let at = |id: usize| {
        lay.boxes
            .iter()
            .find(|b| b.id == id)
            .copied()
            .expect("every visible node is placed")
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="cr-graph" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" role="img" aria-label="{label}">
<style>
.cr-graph .box rect {{ fill: #fff; stroke: #5b6b7f; stroke-width: 1.2; }}
.cr-graph .box.param rect {{ fill: #fff7e6; stroke: #c98a00; }}
.cr-graph .box.input rect {{ fill: #eef5ff; stroke: #4a78b5; }}
.cr-graph .box.root rect {{ stroke-width: 2.4; }}
.cr-graph .title {{ font-size: 13px; font-weight: 600; fill: #1d2733; }}
.cr-graph .val {{ font-size: 12px; fill: #1f6f3f; }}
.cr-graph .grad {{ font-size: 12px; fill: #a03020; }}
.cr-graph .edge path {{ fill: none; stroke: #8a97a6; stroke-width: 1.3; }}
.cr-graph .lab {{ font-size: 11px; fill: #3d4a5a; }}
.cr-graph .labbg {{ fill: #fff; opacity: 0.85; }}
</style>
<defs><marker id="cr-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8a97a6"/></marker><marker id="cr-arrow-back" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#a03020"/></marker></defs>
"##,
        w = lay.width,
        h = lay.height,
        label = xml(&lang.t("report-graph-label")),
    );
    for e in &view.edges {
        let (a, b) = (at(e.from), at(e.to));
        let (x1, y1) = (a.x + a.w, a.y + a.h / 2.0);
        let (x2, y2) = (b.x, b.y + b.h / 2.0);
        let dx = (x2 - x1) / 2.0;
        let label = edge_text(view, e);
        // The label sits in the middle of the curve: the gap between columns
        // is the longest label + 40 px, so every label clears both
        // arrowheads by 20 px, and labels of edges meeting at one box sit
        // half a row (40 px) apart.
        let t = 0.5;
        let bez = |p0: f64, p1: f64, p2: f64, p3: f64| {
            let u = 1.0 - t;
            u * u * u * p0 + 3.0 * u * u * t * p1 + 3.0 * u * t * t * p2 + t * t * t * p3
        };
        let (lx, ly) = (bez(x1, x1 + dx, x2 - dx, x2), bez(y1, y1, y2, y2));
        let lw = label.chars().count() as f64 * LABEL_CHAR_W + 6.0;
        let _ = writeln!(
            out,
            r#"<g class="edge" id="e{f}-{to}"><path d="M{x1:.1},{y1:.1} C{c1:.1},{y1:.1} {c2:.1},{y2:.1} {x2:.1},{y2:.1}" marker-end="url(#cr-arrow)"/><rect class="labbg" x="{rx:.1}" y="{ry:.1}" width="{lw:.1}" height="15" rx="3"/><text class="lab" x="{lx:.1}" y="{ty:.1}" text-anchor="middle">{label}</text></g>"#,
            f = e.from,
            to = e.to,
            c1 = x1 + dx,
            c2 = x2 - dx,
            rx = lx - lw / 2.0,
            ry = ly - 11.0,
            ty = ly,
            label = xml(&label)
        );
    }
    for b in &lay.boxes {
        let node = view.node(b.id);
        let kind = match node.kind {
            Some(LeafKind::Param) => " param",
            Some(LeafKind::Input) => " input",
            _ => "",
        };
        let root = if b.id == view.root() { " root" } else { "" };
        let t = node_text(view, b.id, lang);
        let _ = writeln!(
            out,
            r#"<g class="box{kind}{root}" id="n{id}"><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="8"/><text class="title" x="{tx:.1}" y="{y1:.1}">{title}</text><text class="val" x="{tx:.1}" y="{y2:.1}">{val}</text><text class="grad" x="{tx:.1}" y="{y3:.1}">{grad}</text></g>"#,
            id = b.id,
            x = b.x,
            y = b.y,
            w = b.w,
            h = b.h,
            tx = b.x + 8.0,
            y1 = b.y + 18.0,
            y2 = b.y + 35.0,
            y3 = b.y + 51.0,
            title = xml(&t.title),
            val = xml(&t.value),
            grad = xml(&t.grad),
        );
    }
    out.push_str("</svg>\n");
    out
}

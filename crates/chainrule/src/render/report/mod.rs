//! The HTML report: one self-contained file (no network: styles, script
//! and drawings are all inline) with, per lesson or training run, the graph
//! and a step-through player, the chain-rule derivation, and plots of the
//! training: J by epoch and by step, the data with the fit, and J over θ
//! with the path of gradient descent.
//!
//! The player's script (`player.js`) reads one JSON object per section:
//! forward steps (a node and its caption), backward steps (a node, its
//! caption, and for each edge out of it upstream × local = contribution).
//! All text in it is rendered here from the trace.

use super::explain::{derive_in, steps_table, Line};
use super::graph::{self, short};
use super::lang::Lang;
use super::math::{Math, Render};
use super::num;
use super::plot::{contours, Frame, Plot};
use super::step::Step;
use super::view::View;
use crate::data::Design;
use crate::model::{LinearModel, Mode};
use serde_json::json;
use std::collections::HashMap;
use std::fmt::Write;

const PLAYER_JS: &str = include_str!("player.js");
const STYLE_CSS: &str = include_str!("style.css");

/// Most points a line plot draws (longer series are thinned evenly).
const MAX_PLOT_POINTS: usize = 800;
/// Most gradient-descent steps marked on J(θ) and on the contours.
const MAX_PATH_POINTS: usize = 60;

/// A training run as the report draws it: where θ ended, how it got there.
#[derive(Clone, Debug)]
pub struct Run {
    /// θ after training (θ0 first when there is an intercept).
    pub theta: Vec<f64>,
    /// Mean J of each epoch.
    pub epoch_j: Vec<f64>,
    /// J of each recorded step.
    pub step_j: Vec<f64>,
    /// θ before training and after each recorded epoch.
    pub theta_path: Vec<Vec<f64>>,
    pub epochs: usize,
    pub steps: usize,
    pub lr: f64,
    pub batch_size: usize,
}

/// One section of the report: steps to play and a training run to plot.
pub struct Section {
    /// Anchor (`line-unrolled`) and heading.
    pub id: String,
    pub title: String,
    /// The steps the player runs through, one after another (θ carried
    /// by each update); at least one.
    pub steps: Vec<Step>,
    pub design: Design,
    pub run: Run,
    pub mode: Mode,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The player's script data for one step: forward frames (nodes and a
/// caption), backward frames (a node, its caption, and for each edge out
/// of it upstream × local = contribution), the update frame, and what the
/// boxes and edge labels show during this step.
pub fn step_data(step: &Step, lang: Lang) -> serde_json::Value {
    let view = View::new(&step.trace, true);
    let r = Render { trace: &step.trace };
    let root = view.root();
    let d = derive_in(step, lang);
    // The derivation's forward, backward and update lines, by node.
    let mut forward_lines: HashMap<usize, String> = HashMap::new();
    let mut backward_lines: HashMap<usize, String> = HashMap::new();
    let mut update_lines: Vec<String> = Vec::new();
    for s in &d.sections {
        for line in &s.lines {
            let (Line::Eq(lhs, rhs) | Line::Assign(lhs, rhs)) = line else {
                continue;
            };
            let arrow = if matches!(line, Line::Assign(..)) {
                " ← "
            } else {
                " = "
            };
            let mut text = r.text(lhs);
            for (k, m) in rhs.iter().enumerate() {
                text.push_str(if k == 0 { arrow } else { " = " });
                text.push_str(&r.text(m));
            }
            match lhs {
                Math::Name(id) if s.key == "forward" => {
                    forward_lines.insert(*id, text);
                }
                Math::Partial(top, id) if *top == root && s.key == "backward" => {
                    backward_lines.insert(*id, text);
                }
                _ if s.key == "update" => update_lines.push(text),
                _ => {}
            }
        }
    }
    let leaves: Vec<usize> = view
        .nodes
        .iter()
        .copied()
        .filter(|&id| view.node(id).kind.is_some())
        .collect();
    let leaf_caption = leaves
        .iter()
        .map(|&id| format!("{} = {}", r.name_text(id), short(&view.node(id).value)))
        .collect::<Vec<_>>()
        .join(",  ");
    let mut forward = vec![json!({
        "nodes": leaves,
        "caption": lang.tr("report-inputs", &[("values", &leaf_caption)]),
    })];
    for &id in &view.nodes {
        if view.node(id).kind.is_none() {
            forward.push(json!({
                "nodes": [id],
                "caption": forward_lines.get(&id).cloned().unwrap_or_else(|| r.name_text(id)),
            }));
        }
    }
    let mut backward = Vec::new();
    for id in view.backward_order() {
        let n = view.node(id);
        if n.grad.is_none() {
            continue;
        }
        let edges: Vec<serde_json::Value> = view
            .edges_from(id)
            .map(|e| {
                json!({
                    "id": format!("e{}-{}", e.from, e.to),
                    "text": graph::flow_text(&view, e),
                })
            })
            .collect();
        backward.push(json!({
            "nodes": [id],
            "edges": edges,
            "caption": backward_lines.get(&id).cloned().unwrap_or_else(|| format!("∂{}/∂{} = 1", r.name_text(root), r.name_text(root))),
        }));
    }
    let mut vals = serde_json::Map::new();
    let mut grads = serde_json::Map::new();
    for &id in &view.nodes {
        let t = graph::node_text(&view, id, lang);
        vals.insert(id.to_string(), t.value.into());
        grads.insert(id.to_string(), t.grad.into());
    }
    let labs: serde_json::Map<String, serde_json::Value> = view
        .edges
        .iter()
        .map(|e| {
            (
                format!("e{}-{}", e.from, e.to),
                graph::edge_text(&view, e).into(),
            )
        })
        .collect();
    // The update: each param's box shows its new value.
    let mut updated = serde_json::Map::new();
    for &p in &step.params {
        if let Some(v) = step.updated(p) {
            let text = lang.tr(
                "report-updated",
                &[("name", &r.name_text(p)), ("value", &short(&v))],
            );
            updated.insert(p.to_string(), text.into());
        }
    }
    let update = (!updated.is_empty()).then(|| {
        json!({
            "nodes": step.params,
            "caption": update_lines.join("\n"),
            "vals": updated,
        })
    });
    json!({
        "heading": step.heading(lang),
        "forward": forward,
        "backward": backward,
        "update": update,
        "vals": vals,
        "grads": grads,
        "labs": labs,
    })
}

/// The player's data for a section: its steps in order.
pub fn player_data(steps: &[Step], lang: Lang) -> serde_json::Value {
    json!({ "steps": steps.iter().map(|s| step_data(s, lang)).collect::<Vec<_>>() })
}

/// The words the player's script shows, in `lang`.
fn ui_words(lang: Lang) -> serde_json::Value {
    let keys = [
        "report-play",
        "report-pause",
        "report-caption-start",
        "report-counter-start",
        "report-phase-forward",
        "report-phase-backward",
        "report-phase-update",
    ];
    let mut words: serde_json::Map<String, serde_json::Value> = keys
        .iter()
        .map(|k| (k.to_string(), lang.t(k).into()))
        .collect();
    // The counter with its placeables left for the script to fill.
    let counter = lang.tr(
        "report-counter",
        &[
            ("step", "{step}"),
            ("steps", "{steps}"),
            ("phase", "{phase}"),
            ("k", "{k}"),
            ("n", "{n}"),
        ],
    );
    words.insert("report-counter".into(), counter.into());
    words.into()
}

/// A plot and, when it says something the picture cannot, a caption.
pub struct Figure {
    pub svg: String,
    pub caption: Option<String>,
}

/// J by epoch, J by step, the data with the fit, and J over θ.
pub fn plots(s: &Section, lang: Lang) -> Vec<Figure> {
    let run = &s.run;
    let mut out = Vec::new();
    let figure = |svg: String| Figure { svg, caption: None };
    out.push(figure(epoch_plot(&run.epoch_j, lang)));
    let step_points: Vec<(f64, f64)> = thin(&run.step_j)
        .map(|(i, j)| ((i + 1) as f64, j))
        .collect();
    out.push(figure(line_plot(
        &lang.t("plot-j-step"),
        &lang.t("plot-step"),
        &lang.t("plot-j-batch"),
        &step_points,
        "#a0522d",
    )));
    out.push(data_plot(s, lang));
    let model = LinearModel::new(s.design.d, s.design.intercept);
    match model.n_params() {
        1 => out.push(figure(parabola_plot(s, &model, lang))),
        2 => out.push(figure(contour_plot(s, &model, lang))),
        _ => {}
    }
    out
}

/// J by epoch (the mean J of each epoch), as the report draws it.
pub fn epoch_plot(epoch_j: &[f64], lang: Lang) -> String {
    let points: Vec<(f64, f64)> = thin(epoch_j).map(|(i, j)| ((i + 1) as f64, j)).collect();
    line_plot(
        &lang.t("plot-j-epoch"),
        &lang.t("plot-epoch"),
        &lang.t("plot-j-epoch-mean"),
        &points,
        "#2f6fb0",
    )
}

/// (index, value) of at most `MAX_PLOT_POINTS` evenly spaced entries.
fn thin(values: &[f64]) -> impl Iterator<Item = (usize, f64)> + '_ {
    let every = values.len().div_ceil(MAX_PLOT_POINTS).max(1);
    values
        .iter()
        .copied()
        .enumerate()
        .filter(move |(i, _)| i % every == 0 || *i + 1 == values.len())
}

/// Most rows a scatter plot draws: beyond it the rows are an even sample
/// (every ⌈n/MAX⌉-th row, so the picture is the same on every run) and the
/// caption says so. Keeps a report on 10⁶ rows to a few hundred kB.
pub const MAX_SCATTER_POINTS: usize = 2000;

/// Rows drawn in a scatter plot of n rows.
fn scatter_rows(n: usize) -> impl Iterator<Item = usize> {
    let every = n.div_ceil(MAX_SCATTER_POINTS).max(1);
    (0..n).step_by(every)
}

fn line_plot(title: &str, x: &str, y: &str, points: &[(f64, f64)], color: &'static str) -> String {
    let ys: Vec<f64> = points.iter().map(|p| p.1).collect();
    let xs: Vec<f64> = points.iter().map(|p| p.0).collect();
    let spread =
        ys.iter().cloned().fold(0.0, f64::max) / ys.iter().cloned().fold(f64::INFINITY, f64::min);
    let mut p = Plot::new(Frame::around(&xs, &ys, spread > 20.0), title, x, y);
    p.line(points, color, "");
    if points.len() == 1 {
        p.points(points, color, 3.0, "");
    }
    p.svg()
}

fn data_plot(s: &Section, lang: Lang) -> Figure {
    let d = &s.design;
    let theta = &s.run.theta;
    let model = LinearModel::new(d.d, d.intercept);
    let rows: Vec<usize> = scatter_rows(d.n).collect();
    let caption = (rows.len() < d.n).then(|| {
        lang.tr(
            "plot-sampled",
            &[("shown", &rows.len().to_string()), ("n", &d.n.to_string())],
        )
    });
    let svg = if d.d == 1 {
        let pts: Vec<(f64, f64)> = rows.iter().map(|&i| (d.x[i], d.y[i])).collect();
        let (lo, hi) =
            d.x.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
        let xs: Vec<f64> = pts.iter().map(|p| p.0).collect();
        let line: Vec<(f64, f64)> = (0..=40)
            .map(|k| {
                let x = lo + (hi - lo) * k as f64 / 40.0;
                (x, model.predict_row(theta, &[x]))
            })
            .collect();
        let mut ys: Vec<f64> = pts.iter().map(|p| p.1).collect();
        ys.extend(line.iter().map(|p| p.1));
        let mut all_x = xs.clone();
        all_x.extend(line.iter().map(|p| p.0));
        let mut p = Plot::new(
            Frame::around(&all_x, &ys, false),
            &lang.t("plot-data-fit"),
            &d.names[0],
            &d.response,
        );
        p.points(&pts, "#2f6fb0", 3.5, &lang.t("plot-data")).line(
            &line,
            "#c0392b",
            &lang.t("plot-fit"),
        );
        p.svg()
    } else {
        let pts: Vec<(f64, f64)> = rows
            .iter()
            .map(|&i| (d.y[i], d.predict_row(theta, i)))
            .collect();
        let mut all: Vec<f64> = pts.iter().map(|p| p.0).collect();
        all.extend(pts.iter().map(|p| p.1));
        let (lo, hi) = all
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let mut p = Plot::new(
            Frame::around(&all, &all, false),
            &lang.t("plot-predicted-actual"),
            &lang.tr("plot-actual", &[("y", &d.response)]),
            &lang.t("plot-predicted"),
        );
        p.line(&[(lo, lo), (hi, hi)], "#9aa5b1", &lang.t("plot-perfect"))
            .points(&pts, "#2f6fb0", 3.5, &lang.t("plot-rows"));
        p.svg()
    };
    Figure { svg, caption }
}

/// J(θ) over the whole data set.
fn cost(d: &Design, model: &LinearModel, theta: &[f64]) -> f64 {
    (0..d.n)
        .map(|i| {
            let r = d.y[i] - model.predict_row(theta, d.row(i));
            r * r
        })
        .sum::<f64>()
        / d.n as f64
}

fn path_points(run: &Run) -> Vec<Vec<f64>> {
    run.theta_path
        .iter()
        .take(MAX_PATH_POINTS)
        .cloned()
        .collect()
}

fn parabola_plot(s: &Section, model: &LinearModel, lang: Lang) -> String {
    let d = &s.design;
    let path = path_points(&s.run);
    let ts: Vec<f64> = path.iter().map(|t| t[0]).chain([s.run.theta[0]]).collect();
    let (lo, hi) = ts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let pad = (hi - lo).max(0.5) * 0.25;
    let curve: Vec<(f64, f64)> = (0..=80)
        .map(|k| {
            let t = lo - pad + (hi - lo + 2.0 * pad) * k as f64 / 80.0;
            (t, cost(d, model, &[t]))
        })
        .collect();
    let steps: Vec<(f64, f64)> = path.iter().map(|t| (t[0], cost(d, model, t))).collect();
    let xs: Vec<f64> = curve.iter().map(|p| p.0).collect();
    let ys: Vec<f64> = curve.iter().map(|p| p.1).collect();
    let name = model.param_symbol(0);
    let mut p = Plot::new(
        Frame::around(&xs, &ys, false),
        &lang.tr("plot-parabola", &[("name", &name)]),
        &name,
        &lang.t("plot-j-all"),
    );
    p.line(&curve, "#2f6fb0", "J(θ)")
        .line(&steps, "#c0392b", "")
        .points(&steps, "#c0392b", 3.0, &lang.t("plot-theta-epoch"));
    p.svg()
}

fn contour_plot(s: &Section, model: &LinearModel, lang: Lang) -> String {
    let d = &s.design;
    let path = path_points(&s.run);
    let pts: Vec<(f64, f64)> = path.iter().map(|t| (t[0], t[1])).collect();
    let xs: Vec<f64> = pts.iter().map(|p| p.0).chain([s.run.theta[0]]).collect();
    let ys: Vec<f64> = pts.iter().map(|p| p.1).chain([s.run.theta[1]]).collect();
    let span = |v: &[f64]| {
        let (lo, hi) = v
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                (a.min(x), b.max(x))
            });
        let pad = (hi - lo).max(0.5) * 0.2;
        (lo - pad, hi + pad)
    };
    let (bx, by) = (span(&xs), span(&ys));
    let f = |a: f64, b: f64| cost(d, model, &[a, b]);
    let j_min = cost(d, model, &s.run.theta);
    let j_max = [f(bx.0, by.0), f(bx.0, by.1), f(bx.1, by.0), f(bx.1, by.1)]
        .into_iter()
        .fold(j_min, f64::max);
    // Levels crowd near the minimum, where the path ends.
    let levels: Vec<f64> = (1..=12)
        .map(|k| j_min + (j_max - j_min) * (k as f64 / 12.0).powi(2))
        .collect();
    let segs = contours(&f, bx, by, 60, &levels);
    let (n0, n1) = (model.param_symbol(0), model.param_symbol(1));
    let mut p = Plot::new(
        Frame::around(&[bx.0, bx.1], &[by.0, by.1], false),
        &lang.tr("plot-contours", &[("a", &n0), ("b", &n1)]),
        &n0,
        &n1,
    );
    p.segments(&segs, "#7f9cc0")
        .line(&pts, "#c0392b", "")
        .points(&pts, "#c0392b", 2.5, &lang.t("plot-theta-epoch"));
    p.svg()
}

/// The whole page, in English.
pub fn html(title: &str, sections: &[Section]) -> String {
    html_in(title, sections, Lang::En)
}

/// The whole page, its words in `lang` (and `<html lang>` saying which).
pub fn html_in(title: &str, sections: &[Section], lang: Lang) -> String {
    let mut nav = String::new();
    let mut body = String::new();
    for (k, s) in sections.iter().enumerate() {
        let _ = write!(
            nav,
            r#"<button type="button" data-target="{id}"{cur}>{t}</button>"#,
            id = esc(&s.id),
            cur = if k == 0 {
                r#" aria-current="true""#
            } else {
                ""
            },
            t = esc(&s.title)
        );
        body.push_str(&section_html(s, k == 0, lang));
    }
    let sections_data: serde_json::Map<String, serde_json::Value> = sections
        .iter()
        .map(|s| (s.id.clone(), player_data(&s.steps, lang)))
        .collect();
    let data = json!({ "ui": ui_words(lang), "sections": sections_data });
    let data = serde_json::to_string(&data)
        .expect("player data serializes")
        .replace("</", "<\\/");
    format!(
        r#"<!doctype html>
<html lang="{code}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<script>
// Errors are collected from the first line on, for the browser self-test.
window.crErrors = [];
window.addEventListener("error", function (e) {{ window.crErrors.push(String(e.message)); }});
(function () {{ var ce = console.error; console.error = function () {{ window.crErrors.push(Array.prototype.join.call(arguments, " ")); ce.apply(console, arguments); }}; }})();
</script>
<style>
{STYLE_CSS}
</style>
</head>
<body>
<header>
<h1>{title}</h1>
<p class="sub">{sub}</p>
<nav aria-label="{nav_label}">{nav}</nav>
</header>
<main>
{body}
</main>
<pre id="selftest" hidden></pre>
<script type="application/json" id="cr-data">{data}</script>
<script>
{PLAYER_JS}
</script>
</body>
</html>
"#,
        code = lang.code(),
        title = esc(title),
        sub = esc(&lang.t("report-sub")),
        nav_label = esc(&lang.t("report-nav")),
    )
}

fn section_html(s: &Section, first: bool, lang: Lang) -> String {
    let step = &s.steps[0];
    let view = View::new(&step.trace, true);
    let svg = graph::svg_in(&view, lang);
    let mut derivation = derive_in(step, lang).text();
    if s.steps.len() > 1 {
        derivation.push('\n');
        derivation.push_str(&steps_table(&s.steps, false, lang));
    }
    let plots: String = plots(s, lang)
        .into_iter()
        .map(|f| match f.caption {
            Some(c) => format!(
                r#"<figure class="plot">{}<figcaption>{}</figcaption></figure>"#,
                f.svg,
                esc(&c)
            ),
            None => format!(r#"<figure class="plot">{}</figure>"#, f.svg),
        })
        .collect();
    let run = &s.run;
    let model = LinearModel::new(s.design.d, s.design.intercept);
    let theta: Vec<String> = (0..run.theta.len())
        .map(|k| format!("{} = {}", model.param_symbol(k), num::uni(run.theta[k])))
        .collect();
    let meta = lang.tr(
        "report-meta",
        &[
            ("step", &step.heading(lang)),
            ("mode", &s.mode.to_string()),
            ("epochs", &run.epochs.to_string()),
            ("steps", &run.steps.to_string()),
            ("batch", &run.batch_size.to_string()),
            ("lr", &num::uni(run.lr)),
            ("theta", &theta.join(", ")),
        ],
    );
    let t = |k: &str| esc(&lang.t(k));
    format!(
        r#"<section class="lesson" id="{id}"{hidden}>
<h2>{title}</h2>
<p class="meta">{meta}</p>
<div class="player" data-section="{id}">
<div class="controls">
<button type="button" data-act="first" title="{start_title}">{start}</button>
<button type="button" data-act="back" title="{back_title}">{back}</button>
<button type="button" data-act="play" title="{play_title}">{play}</button>
<button type="button" data-act="step" title="{step_title}">{step}</button>
<span class="counter" aria-live="polite"></span>
</div>
<p class="keys">{keys}</p>
<p class="caption" aria-live="polite"></p>
<div class="graph">{svg}</div>
<p class="hint">{hint}</p>
</div>
<div class="cols">
<div class="derivation"><h3>{derivation_title}</h3><pre>{derivation}</pre></div>
<div class="plots"><h3>{training}</h3>{plots}</div>
</div>
</section>
"#,
        id = esc(&s.id),
        hidden = if first { "" } else { " hidden" },
        title = esc(&s.title),
        meta = esc(&meta),
        start = t("report-start"),
        start_title = t("report-start-title"),
        back = t("report-back"),
        back_title = t("report-back-title"),
        play = t("report-play"),
        play_title = t("report-play-title"),
        step = t("report-step"),
        step_title = t("report-step-title"),
        keys = t("report-keys"),
        hint = t("report-hint"),
        derivation_title = t("report-derivation"),
        training = t("report-training"),
        derivation = esc(&derivation),
    )
}

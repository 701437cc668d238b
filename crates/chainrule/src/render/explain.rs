//! `explain`: one forward + backward + update step, written out as the
//! derivation writes it — node values, local partials, the chain rule node
//! by node and path by path, in symbols and then with numbers, and the
//! update θ ← θ − lr·∂J/∂θ. Every number is the trace's (or lr, or the
//! update computed from the trace's θ and ∂J/∂θ).

use super::lang::Lang;
use super::math::{Block, Math, Render};
use super::step::Step;
use super::symbolic::{self, Monomial};
use super::view::{Edge, Expr, Piece, View};
use crate::graph::LeafKind;

/// Most root-to-parameter paths written out for one parameter.
const MAX_PATHS: usize = 8;
/// Text lines wrap (at an `=`) beyond this many characters.
const MAX_WIDTH: usize = 100;
/// TeX rows longer than this put each `= …` on a row of its own.
const MAX_TEX_ROW: usize = 240;
/// Largest Jacobian (rows × cols) written as a matrix in a product.
const MAX_SHOWN: usize = 64;

/// One line `lhs = rhs[0] = rhs[1] = …`, or a sentence.
#[derive(Clone, Debug)]
pub enum Line {
    Eq(Math, Vec<Math>),
    /// `lhs ← rhs[0] = rhs[1] …`: the update.
    Assign(Math, Vec<Math>),
    Note(String),
}

#[derive(Clone, Debug)]
pub struct Section {
    /// Which part: `inputs`, `forward`, `locals`, `backward`, `chain`,
    /// `update` (the same in every language).
    pub key: &'static str,
    pub title: String,
    pub lines: Vec<Line>,
}

/// The derivation of a step, ready to render as text or Markdown.
pub struct Derivation<'s> {
    pub step: &'s Step,
    pub lang: Lang,
    pub sections: Vec<Section>,
}

/// The derivation in English.
pub fn derive(step: &Step) -> Derivation<'_> {
    derive_in(step, Lang::En)
}

/// The derivation with its words in `lang`.
pub fn derive_in(step: &Step, lang: Lang) -> Derivation<'_> {
    let view = View::new(&step.trace, true);
    let root = view.root();
    let totals = symbolic::totals(&view);
    let mut sections = Vec::new();

    let leaves = view
        .nodes
        .iter()
        .filter(|&&id| view.node(id).kind.is_some())
        .map(|&id| {
            let n = view.node(id);
            Line::Eq(Math::Name(id), vec![Math::Tensor(n.value.clone(), n.shape)])
        })
        .collect();
    sections.push(Section {
        key: "inputs",
        title: lang.t("explain-inputs"),
        lines: leaves,
    });

    let forward = view
        .nodes
        .iter()
        .filter_map(|&id| {
            let f = view.formula(id)?;
            let n = view.node(id);
            let mut rhs = vec![Math::Expr(f.expr.clone(), false)];
            if has_scalar_node(&view, &f.expr) {
                rhs.push(Math::Expr(f.expr.clone(), true));
            }
            rhs.push(Math::Tensor(n.value.clone(), n.shape));
            Some(Line::Eq(Math::Name(id), rhs))
        })
        .collect();
    sections.push(Section {
        key: "forward",
        title: lang.t("explain-forward"),
        lines: forward,
    });

    let locals = view
        .edges
        .iter()
        .filter(|e| view.node(e.from).grad.is_some())
        .map(|e| {
            let mut rhs = vec![Math::Expr(e.sym.clone(), false)];
            let scalar = e.local.as_ref().is_some_and(|j| j.rows * j.cols == 1);
            let single = e.sym.0.len() == 1;
            if scalar && !single && has_scalar_node(&view, &e.sym) {
                rhs.push(Math::Expr(e.sym.clone(), true));
            }
            if let Some(j) = &e.local {
                if !(scalar && is_plain_number(&e.sym)) {
                    rhs.push(Math::Jacobian(j.clone()));
                }
            }
            Line::Eq(Math::Partial(e.to, e.from), rhs)
        })
        .collect();
    sections.push(Section {
        key: "locals",
        title: lang.t("explain-locals"),
        lines: locals,
    });

    let root_name = view.node(root).label();
    let mut backward = vec![Line::Eq(Math::Partial(root, root), vec![Math::Num(1.0)])];
    for id in view.backward_order() {
        let n = view.node(id);
        let Some(grad) = &n.grad else { continue };
        if id == root {
            continue;
        }
        let outs: Vec<&Edge> = view.edges_from(id).collect();
        let symbols: Vec<Math> = outs
            .iter()
            .map(|e| Math::Product(vec![Math::Partial(root, e.to), Math::Partial(e.to, e.from)]))
            .collect();
        let mut rhs = vec![sum_or_one(symbols)];
        rhs.extend(closed_forms(&view, totals[id].as_deref()));
        let scalars = outs.iter().all(|e| view.node(e.to).shape.is_scalar());
        if scalars && n.shape.is_scalar() {
            let numbers: Vec<Math> = outs
                .iter()
                .map(|e| {
                    let up = view.node(e.to).grad.as_ref().map_or(f64::NAN, |g| g[0]);
                    let local = e.local.as_ref().map_or(f64::NAN, |j| j.data[0]);
                    Math::Product(
                        vec![Math::Num(up), Math::Num(local)]
                            .into_iter()
                            .map(paren_negative)
                            .collect(),
                    )
                })
                .collect();
            rhs.push(sum_or_one(numbers));
        }
        if outs.len() > 1 {
            let shares: Vec<Math> = outs
                .iter()
                .filter_map(|e| e.product.as_ref().map(|p| Math::Tensor(p.clone(), n.shape)))
                .collect();
            rhs.push(Math::Sum(shares));
        }
        rhs.push(Math::Tensor(grad.clone(), n.shape));
        backward.push(Line::Eq(Math::Partial(root, id), rhs));
    }
    sections.push(Section {
        key: "backward",
        title: lang.tr("explain-backward", &[("root", &root_name)]),
        lines: backward,
    });

    let mut chains = Vec::new();
    for &p in &step.params {
        chains.extend(chain_lines(&view, p, totals[p].as_deref()));
    }
    sections.push(Section {
        key: "chain",
        title: lang.tr("explain-chain", &[("root", &root_name)]),
        lines: chains,
    });

    if let Some(lr) = step.lr {
        let mut lines = vec![Line::Eq(
            Math::raw("lr", "\\mathrm{lr}"),
            vec![Math::Num(lr)],
        )];
        for &p in &step.params {
            let n = view.node(p);
            let (Some(grad), Some(new)) = (&n.grad, step.updated(p)) else {
                continue;
            };
            let r = super::math::Render { trace: view.trace };
            let rule = Math::Raw(
                format!(
                    "{} − lr·∂{}/∂{}",
                    r.name_text(p),
                    r.name_text(root),
                    r.name_text(p)
                ),
                format!(
                    "{} - \\mathrm{{lr}} \\cdot \\frac{{\\partial {}}}{{\\partial {}}}",
                    r.name_tex(p),
                    r.name_tex(root),
                    r.name_tex(p)
                ),
            );
            let numbers = Math::Sum(vec![
                Math::Tensor(n.value.clone(), n.shape),
                Math::Product(vec![
                    Math::Num(-lr),
                    paren_negative(Math::Tensor(grad.clone(), n.shape)),
                ]),
            ]);
            let lhs = Math::Name(p);
            let mut rhs = vec![rule];
            rhs.extend(totals[p].as_deref().and_then(|t| update_form(&view, p, t)));
            rhs.extend([numbers, Math::Tensor(new, n.shape)]);
            lines.push(Line::Assign(lhs, rhs));
        }
        sections.push(Section {
            key: "update",
            title: lang.t("explain-update"),
            lines,
        });
    }
    Derivation {
        step,
        lang,
        sections,
    }
}

/// The whole-path form of ∂root/∂p: per path the product of partials in
/// symbols, then with numbers, then the path's share; then the sum.
fn chain_lines(view: &View<'_>, p: usize, total: Option<&[Monomial]>) -> Vec<Line> {
    let r = Render { trace: view.trace };
    let root = view.root();
    let n = view.node(p);
    let Some(grad) = &n.grad else {
        return vec![];
    };
    let paths = view.paths_to(p, MAX_PATHS + 1);
    if paths.is_empty() {
        return vec![];
    }
    let symbols: Vec<Math> = paths
        .iter()
        .take(MAX_PATHS)
        .map(|path| Math::Product(path.iter().map(|e| Math::Partial(e.to, e.from)).collect()))
        .collect();
    let mut rhs = vec![sum_or_one(symbols)];
    rhs.extend(closed_forms(view, total));
    let all_scalar = paths
        .iter()
        .flatten()
        .all(|e| view.node(e.to).shape.is_scalar() && view.node(e.from).shape.is_scalar());
    if paths.len() <= MAX_PATHS {
        if all_scalar {
            let with_symbols: Vec<Math> = paths
                .iter()
                .map(|path| Math::Product(path.iter().map(|e| factor(&r, e, true)).collect()))
                .collect();
            rhs.push(Math::Sum(with_symbols));
        } else {
            let shown = paths.len() == 1
                && paths[0].iter().all(|e| {
                    e.local
                        .as_ref()
                        .is_some_and(|j| j.rows * j.cols <= MAX_SHOWN)
                });
            let symbolic: Vec<Math> = paths
                .iter()
                .map(|path| Math::Product(path.iter().map(|e| factor(&r, e, false)).collect()))
                .collect();
            rhs.push(Math::Sum(symbolic));
            if shown {
                let matrices = paths[0]
                    .iter()
                    .map(|e| Math::Jacobian(e.local.clone().expect("checked above")))
                    .collect();
                rhs.push(Math::Product(matrices));
            }
        }
        if paths.len() > 1 {
            // Each path's share: the product along it (for the unrolled
            // graph, the trace's product on that branch's edge into θ).
            let shares: Vec<Math> = paths
                .iter()
                .filter_map(|path| path_product(path).map(|v| Math::Tensor(v, n.shape)))
                .collect();
            rhs.push(Math::Sum(shares));
        }
    }
    rhs.push(Math::Tensor(grad.clone(), n.shape));
    vec![Line::Eq(Math::Partial(root, p), rhs)]
}

/// A total gradient multiplied out, then in the leaves' terms (the
/// tutorial's −2·(y − z1), −2·x·(y − θ·x)); nothing when it has no names.
fn closed_forms(view: &View<'_>, total: Option<&[Monomial]>) -> Vec<Math> {
    let Some(terms) = total else { return vec![] };
    symbolic::forms(view, terms, false)
        .into_iter()
        .filter(symbolic::has_names)
        .map(|e| Math::Expr(e, false))
        .collect()
}

/// The update in the tutorial's form: θ − lr·∂L/∂θ = θ + lr·2·x·(y − θ·x).
fn update_form(view: &View<'_>, p: usize, terms: &[Monomial]) -> Option<Math> {
    let minus = symbolic::forms(view, terms, true).pop()?;
    if !symbolic::has_names(&minus) {
        return None;
    }
    let single = terms.len() == 1;
    let mut pieces = vec![Piece::Node(p)];
    match minus.0.split_first() {
        Some((Piece::Sym("−", _), rest)) if single => {
            pieces.push(Piece::Sym(" − lr·", r" - \mathrm{lr} \cdot "));
            pieces.extend(rest.iter().cloned());
        }
        _ if single => {
            pieces.push(Piece::Sym(" + lr·", r" + \mathrm{lr} \cdot "));
            pieces.extend(minus.0);
        }
        _ => {
            pieces.push(Piece::Sym(" + lr·(", r" + \mathrm{lr} \cdot \left("));
            pieces.extend(minus.0);
            pieces.push(Piece::Sym(")", r"\right)"));
        }
    }
    Some(Math::Expr(Expr(pieces), false))
}

/// upstream = 1 at the root, then upstream · local down the path.
fn path_product(path: &[&Edge]) -> Option<Vec<f64>> {
    let mut v = vec![1.0];
    for e in path {
        v = e.local.as_ref()?.vjp(&v);
    }
    Some(v)
}

/// One factor of a product of partials: its symbol, with numbers when
/// `subst`, parenthesized unless it is a single name or number.
fn factor(r: &Render<'_>, e: &Edge, subst: bool) -> Math {
    let m = Math::Expr(e.sym.clone(), subst);
    if needs_parens(&r.text(&m)) {
        Math::Paren(Box::new(m))
    } else {
        m
    }
}

/// Whether a factor must be parenthesized inside a product: it starts
/// with a minus, or has an operator outside any parentheses.
fn needs_parens(text: &str) -> bool {
    let mut depth = 0i32;
    for (k, c) in text.chars().enumerate() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            '−' | '-' if k == 0 => return true,
            '·' | ' ' | '/' | '+' | '−' if depth == 0 => return true,
            _ => {}
        }
    }
    false
}

fn paren_negative(m: Math) -> Math {
    let negative = match &m {
        Math::Num(v) => *v < 0.0,
        Math::Tensor(v, _) if v.len() == 1 => v[0] < 0.0,
        _ => false,
    };
    if negative {
        Math::Paren(Box::new(m))
    } else {
        m
    }
}

fn sum_or_one(terms: Vec<Math>) -> Math {
    if terms.len() == 1 {
        terms.into_iter().next().expect("one term")
    } else {
        Math::Sum(terms)
    }
}

/// Whether substituting values changes the formula and leaves no tensor
/// named in it: every node in it is a scalar (and there is one).
fn has_scalar_node(view: &View<'_>, e: &Expr) -> bool {
    let nodes: Vec<usize> =
        e.0.iter()
            .filter_map(|p| match p {
                super::view::Piece::Node(id) => Some(*id),
                _ => None,
            })
            .collect();
    !nodes.is_empty() && nodes.iter().all(|&id| view.node(id).shape.is_scalar())
}

fn has_node(e: &Expr) -> bool {
    e.0.iter().any(|p| matches!(p, super::view::Piece::Node(_)))
}

fn is_plain_number(e: &Expr) -> bool {
    !has_node(e) && e.0.len() == 1
}

/// Steps taken one after another (θ carried by the updates): per step, θ,
/// J and ∂J/∂θ before the update, and θ after it. Text columns, or a
/// Markdown table.
pub fn steps_table(steps: &[Step], markdown: bool, lang: Lang) -> String {
    let Some(first) = steps.first() else {
        return String::new();
    };
    let r = Render {
        trace: &first.trace,
    };
    let root = r.name_text(first.trace.root);
    let names: Vec<String> = first.params.iter().map(|&p| r.name_text(p)).collect();
    let tensor = |v: &[f64]| {
        v.iter()
            .map(|&x| super::num::uni(x))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut header = vec![lang.t("steps-step")];
    header.extend(names.iter().cloned());
    header.push(root.clone());
    header.extend(names.iter().map(|n| format!("∂{root}/∂{n}")));
    header.extend(names.iter().map(|n| lang.tr("steps-after", &[("name", n)])));
    let rows: Vec<Vec<String>> = steps
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let t = &s.trace;
            let mut row = vec![(k + 1).to_string()];
            row.extend(s.params.iter().map(|&p| tensor(&t.node(p).value)));
            row.push(tensor(&t.node(t.root).value));
            row.extend(
                s.params
                    .iter()
                    .map(|&p| t.node(p).grad.as_deref().map_or("—".into(), tensor)),
            );
            row.extend(
                s.params
                    .iter()
                    .map(|&p| s.updated(p).map_or("—".into(), |v| tensor(&v))),
            );
            row
        })
        .collect();
    if markdown {
        let mut out = format!("**{}**\n\n", lang.tr("steps-table", &[("root", &root)]));
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
        for row in rows {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        return out;
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| display_width(&r[c]))
                .chain([display_width(&header[c])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, &w)| format!("{c}{}", " ".repeat(w - display_width(c))))
            .collect();
        format!("  {}\n", padded.join("  ").trim_end())
    };
    let mut out = format!("{}\n", lang.tr("steps-table", &[("root", &root)]));
    out.push_str(&line(&header));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

/// Columns a terminal gives `s`: Hangul and CJK take two.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c {
            '\u{1100}'..='\u{115F}' | '\u{2E80}'..='\u{A4CF}' | '\u{AC00}'..='\u{D7A3}' => 2,
            _ => 1,
        })
        .sum()
}

impl Derivation<'_> {
    /// Aligned Unicode text for a terminal.
    pub fn text(&self) -> String {
        let r = Render {
            trace: &self.step.trace,
        };
        let mut out = format!("{}\n", self.step.heading(self.lang));
        if let Some(note) = self.mean_note() {
            out.push_str(&format!("{note}\n"));
        }
        for s in &self.sections {
            if s.lines.is_empty() {
                continue;
            }
            out.push_str(&format!("\n{}\n", s.title));
            let blocks: Vec<(Block, Vec<Block>)> = s
                .lines
                .iter()
                .filter_map(|l| match l {
                    Line::Eq(lhs, rhs) | Line::Assign(lhs, rhs) => Some((
                        r.block(lhs, false),
                        rhs.iter().map(|m| r.block(m, true)).collect(),
                    )),
                    Line::Note(_) => None,
                })
                .collect();
            let width = blocks.iter().map(|(l, _)| l.width()).max().unwrap_or(0);
            let mut eqs = blocks.into_iter();
            for line in &s.lines {
                match line {
                    Line::Note(t) => out.push_str(&format!("  {t}\n")),
                    Line::Eq(..) | Line::Assign(..) => {
                        let arrow = if matches!(line, Line::Assign(..)) {
                            " ← "
                        } else {
                            " = "
                        };
                        let (lhs, rhs) = eqs.next().expect("one block per equation");
                        let pad = width - lhs.width();
                        let lhs = Block {
                            lines: lhs
                                .lines
                                .iter()
                                .map(|l| format!("{l}{}", " ".repeat(pad)))
                                .collect(),
                            base: lhs.base,
                        };
                        let indent = Block::line(" ".repeat(lhs.width()));
                        let mut rhs = rhs.into_iter();
                        let mut parts = vec![lhs];
                        parts.extend(rhs.next());
                        let mut current = Block::hcat(parts, arrow);
                        // Long chains continue on the next line, `=` under `=`.
                        for next in rhs {
                            if current.width() + 3 + next.width() > MAX_WIDTH {
                                for l in &current.lines {
                                    out.push_str(&format!("  {l}\n"));
                                }
                                current = Block::hcat(vec![indent.clone(), next], " = ");
                            } else {
                                current = Block::hcat(vec![current, next], " = ");
                            }
                        }
                        for l in &current.lines {
                            out.push_str(&format!("  {l}\n"));
                        }
                    }
                }
            }
        }
        out
    }

    /// Markdown with TeX math in ```` ```math ```` blocks (GitHub renders them).
    pub fn markdown(&self) -> String {
        let r = Render {
            trace: &self.step.trace,
        };
        let mut out = format!("### {}\n\n", self.step.heading(self.lang));
        if let Some(note) = self.mean_note() {
            out.push_str(&format!("{note}\n\n"));
        }
        for s in &self.sections {
            if s.lines.is_empty() {
                continue;
            }
            out.push_str(&format!("**{}**\n\n", s.title));
            let mut eqs = Vec::new();
            for line in &s.lines {
                match line {
                    Line::Note(t) => out.push_str(&format!("{t}\n\n")),
                    Line::Eq(lhs, rhs) | Line::Assign(lhs, rhs) => {
                        let arrow = if matches!(line, Line::Assign(..)) {
                            "\\leftarrow"
                        } else {
                            "="
                        };
                        let rhs: Vec<String> = rhs
                            .iter()
                            .map(|m| r.tex(m))
                            .filter(|t| !t.is_empty())
                            .collect();
                        let first = rhs.first().cloned().unwrap_or_default();
                        // Long chains continue on the next row, `=` under `=`.
                        let long = rhs.iter().map(String::len).sum::<usize>() > MAX_TEX_ROW;
                        let sep = if long { " \\\\\n  &= " } else { " = " };
                        let rest: String =
                            rhs.iter().skip(1).map(|t| format!("{sep}{t}")).collect();
                        eqs.push(format!("{} &{arrow} {first}{rest}", r.tex(lhs)));
                    }
                }
            }
            if !eqs.is_empty() {
                out.push_str("```math\n\\begin{aligned}\n");
                out.push_str(&eqs.join(" \\\\\n"));
                out.push_str("\n\\end{aligned}\n```\n\n");
            }
        }
        out
    }

    /// The unrolled graph's J is built as (L(1) + … + L(k)) / k: say it is
    /// the mean node of the derivation.
    fn mean_note(&self) -> Option<String> {
        let t = &self.step.trace;
        let root = t.node(t.root);
        let k = root
            .edges
            .iter()
            .find(|e| t.node(e.from).kind == Some(LeafKind::Constant))
            .map(|e| t.node(e.from).value[0])?;
        (root.op == "div" && root.name.as_deref() == Some("J")).then(|| {
            self.lang
                .tr("explain-mean-note", &[("k", &super::num::uni(k))])
        })
    }
}

//! Math to render two ways: aligned Unicode text (matrices as bracketed
//! blocks of lines) and TeX for Markdown (GitHub's math blocks).

use super::num;
use super::view::{Expr, Piece};
use crate::graph::{Jacobian, Shape, Trace};

/// A piece of a derivation line.
#[derive(Clone, Debug)]
pub enum Math {
    /// A node's name.
    Name(usize),
    /// ∂top/∂bottom.
    Partial(usize, usize),
    /// A formula; `subst`: scalar nodes written as their values.
    Expr(Expr, bool),
    Num(f64),
    /// A node-shaped value: a scalar, a vector (as a row) or a matrix.
    Tensor(Vec<f64>, Shape),
    Jacobian(Jacobian),
    /// Factors joined by `·`.
    Product(Vec<Math>),
    /// Terms joined by `+`.
    Sum(Vec<Math>),
    Paren(Box<Math>),
    /// Fixed notation (text, TeX).
    Raw(String, String),
}

impl Math {
    pub fn raw(text: &str, tex: &str) -> Math {
        Math::Raw(text.into(), tex.into())
    }
}

/// A block of text lines, all of one width, with the line that carries
/// the block's baseline (where `=` and `·` sit when blocks are joined).
#[derive(Clone, Debug)]
pub struct Block {
    pub lines: Vec<String>,
    pub base: usize,
}

impl Block {
    pub fn line(s: String) -> Block {
        Block {
            lines: vec![s],
            base: 0,
        }
    }

    pub fn width(&self) -> usize {
        self.lines
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    }

    /// Blocks side by side, `sep` on the baseline, baselines aligned.
    pub fn hcat(blocks: Vec<Block>, sep: &str) -> Block {
        let above = blocks.iter().map(|b| b.base).max().unwrap_or(0);
        let below = blocks
            .iter()
            .map(|b| b.lines.len() - b.base - 1)
            .max()
            .unwrap_or(0);
        let height = above + below + 1;
        let mut lines = vec![String::new(); height];
        let blank_sep = " ".repeat(sep.chars().count());
        for (k, b) in blocks.iter().enumerate() {
            let w = b.width();
            for (r, line) in lines.iter_mut().enumerate() {
                if k > 0 {
                    line.push_str(if r == above { sep } else { &blank_sep });
                }
                let src = (r + b.base).checked_sub(above).and_then(|i| b.lines.get(i));
                let text = src.map_or("", String::as_str);
                line.push_str(text);
                line.push_str(&" ".repeat(w - text.chars().count()));
            }
        }
        for line in &mut lines {
            let t = line.trim_end().len();
            line.truncate(t);
        }
        Block { lines, base: above }
    }

    pub fn is_multiline(&self) -> bool {
        self.lines.len() > 1
    }
}

/// Renders math against the trace that names its nodes.
pub struct Render<'t> {
    pub trace: &'t Trace,
}

impl<'t> Render<'t> {
    pub fn name_text(&self, id: usize) -> String {
        text_name(&self.trace.node(id).label())
    }

    pub fn name_tex(&self, id: usize) -> String {
        tex_name(&self.trace.node(id).label())
    }

    /// One-line text (matrices written row by row: `[[1, 2], [3, 4]]`).
    pub fn text(&self, m: &Math) -> String {
        let b = self.block(m, false);
        b.lines.join(" ")
    }

    /// Text, matrices as multi-line blocks.
    pub fn block(&self, m: &Math, tall: bool) -> Block {
        match m {
            Math::Name(id) => Block::line(self.name_text(*id)),
            Math::Partial(a, b) => {
                Block::line(format!("∂{}/∂{}", self.name_text(*a), self.name_text(*b)))
            }
            Math::Expr(e, subst) => Block::line(self.expr_text(e, *subst)),
            Math::Num(v) => Block::line(num::uni(*v)),
            Math::Tensor(values, shape) => match *shape {
                Shape::Matrix(r, c) if tall && r > 1 => matrix_block(values, r, c),
                Shape::Matrix(_, c) => Block::line(rows_inline(values, c)),
                _ => Block::line(num::uni_list(values)),
            },
            Math::Jacobian(j) => {
                if j.rows * j.cols == 1 {
                    Block::line(num::uni(j.data[0]))
                } else if tall && j.rows > 1 {
                    matrix_block(&j.data, j.rows, j.cols)
                } else if j.rows == 1 {
                    Block::line(format!("[{}]", row_text(&j.data, "  ")))
                } else {
                    Block::line(rows_inline(&j.data, j.cols))
                }
            }
            Math::Product(fs) => Block::hcat(fs.iter().map(|f| self.block(f, tall)).collect(), "·"),
            Math::Sum(ts) => {
                let parts = ts
                    .iter()
                    .enumerate()
                    .map(|(k, t)| {
                        let b = self.block(t, tall);
                        // `a + −b` reads badly: write `a − b`.
                        match (k, b.lines.as_slice()) {
                            (1.., [one]) if one.starts_with('−') && !b.is_multiline() => {
                                Block::line(format!("\u{0}{}", &one['−'.len_utf8()..]))
                            }
                            _ => b,
                        }
                    })
                    .collect();
                let b = Block::hcat(parts, " + ");
                Block {
                    lines: b
                        .lines
                        .into_iter()
                        .map(|l| l.replace(" + \u{0}", " − "))
                        .collect(),
                    base: b.base,
                }
            }
            Math::Paren(inner) => {
                let b = self.block(inner, tall);
                Block::hcat(
                    vec![Block::line("(".into()), b, Block::line(")".into())],
                    "",
                )
            }
            Math::Raw(t, _) => Block::line(t.clone()),
        }
    }

    pub fn tex(&self, m: &Math) -> String {
        match m {
            Math::Name(id) => self.name_tex(*id),
            Math::Partial(a, b) => format!(
                "\\frac{{\\partial {}}}{{\\partial {}}}",
                self.name_tex(*a),
                self.name_tex(*b)
            ),
            Math::Expr(e, subst) => self.expr_tex(e, *subst),
            Math::Num(v) => num::ascii(*v),
            Math::Tensor(values, shape) => match *shape {
                Shape::Scalar => num::ascii(values[0]),
                // A vector is a column, as in Z1 = Xθ.
                Shape::Vector(_) => bmatrix(values, values.len(), 1),
                Shape::Matrix(r, c) => bmatrix(values, r, c),
            },
            Math::Jacobian(j) if j.rows * j.cols == 1 => num::ascii(j.data[0]),
            Math::Jacobian(j) => bmatrix(&j.data, j.rows, j.cols),
            Math::Product(fs) => fs
                .iter()
                .map(|f| self.tex(f))
                .collect::<Vec<_>>()
                .join(" \\cdot "),
            Math::Sum(ts) => {
                let mut out = String::new();
                for (k, t) in ts.iter().enumerate() {
                    let s = self.tex(t);
                    match (k, s.strip_prefix('-')) {
                        (0, _) => out.push_str(&s),
                        (_, Some(rest)) => {
                            out.push_str(" - ");
                            out.push_str(rest);
                        }
                        _ => {
                            out.push_str(" + ");
                            out.push_str(&s);
                        }
                    }
                }
                out
            }
            Math::Paren(inner) => format!("\\left({}\\right)", self.tex(inner)),
            Math::Raw(_, t) => t.clone(),
        }
    }

    fn expr_text(&self, e: &Expr, subst: bool) -> String {
        let mut out = String::new();
        for (k, p) in e.0.iter().enumerate() {
            match p {
                Piece::Sym(t, _) => out.push_str(t),
                Piece::Num(v) => out.push_str(&wrap_negative(num::uni(*v), k)),
                Piece::Node(id) => match self.scalar(*id, subst) {
                    Some(v) => out.push_str(&wrap_negative(num::uni(v), k)),
                    None => out.push_str(&self.name_text(*id)),
                },
            }
        }
        out
    }

    fn expr_tex(&self, e: &Expr, subst: bool) -> String {
        let mut out = String::new();
        for (k, p) in e.0.iter().enumerate() {
            match p {
                Piece::Sym(_, t) => out.push_str(t),
                Piece::Num(v) => out.push_str(&wrap_negative(num::ascii(*v), k)),
                Piece::Node(id) => match self.scalar(*id, subst) {
                    Some(v) => out.push_str(&wrap_negative(num::ascii(v), k)),
                    None => out.push_str(&self.name_tex(*id)),
                },
            }
        }
        out
    }

    fn scalar(&self, id: usize, subst: bool) -> Option<f64> {
        let node = self.trace.node(id);
        match (subst, node.value.as_slice()) {
            (true, [v]) if node.shape.is_scalar() => Some(*v),
            _ => None,
        }
    }
}

/// A negative number inside a formula goes in parentheses: `2·(−1.5)`.
fn wrap_negative(s: String, position: usize) -> String {
    if position > 0 && (s.starts_with('-') || s.starts_with('−')) {
        format!("({s})")
    } else {
        s
    }
}

fn row_text(values: &[f64], sep: &str) -> String {
    values
        .iter()
        .map(|&v| num::uni(v))
        .collect::<Vec<_>>()
        .join(sep)
}

fn rows_inline(values: &[f64], cols: usize) -> String {
    let rows: Vec<String> = values
        .chunks(cols.max(1))
        .map(|r| format!("[{}]", row_text(r, ", ")))
        .collect();
    format!("[{}]", rows.join(", "))
}

/// A matrix as bracketed lines, columns right-aligned:
/// ```text
/// ⎡1  0⎤
/// ⎣0  1⎦
/// ```
pub fn matrix_block(values: &[f64], rows: usize, cols: usize) -> Block {
    let cells: Vec<String> = values.iter().map(|&v| num::uni(v)).collect();
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            (0..rows)
                .map(|r| cells[r * cols + c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let lines = (0..rows)
        .map(|r| {
            let (open, close) = match r {
                _ if rows == 1 => ('[', ']'),
                0 => ('⎡', '⎤'),
                _ if r == rows - 1 => ('⎣', '⎦'),
                _ => ('⎢', '⎥'),
            };
            let body: Vec<String> = (0..cols)
                .map(|c| format!("{:>w$}", cells[r * cols + c], w = widths[c]))
                .collect();
            format!("{open}{}{close}", body.join("  "))
        })
        .collect();
    Block {
        lines,
        base: (rows - 1) / 2,
    }
}

fn bmatrix(values: &[f64], rows: usize, cols: usize) -> String {
    let body: Vec<String> = values
        .chunks(cols.max(1))
        .take(rows)
        .map(|r| {
            r.iter()
                .map(|&v| num::ascii(v))
                .collect::<Vec<_>>()
                .join(" & ")
        })
        .collect();
    format!(
        "\\begin{{bmatrix}} {} \\end{{bmatrix}}",
        body.join(" \\\\ ")
    )
}

/// A node name for text: the sample index as a superscript, `z1(2)` → `z1⁽²⁾`.
pub fn text_name(label: &str) -> String {
    match split_sample(label) {
        Some((base, i)) => format!("{base}⁽{}⁾", superscript(i)),
        None => label.to_string(),
    }
}

/// A node name in TeX: `z1(2)` → `z_{1}^{(2)}`, `θ0` → `\theta_{0}`.
pub fn tex_name(label: &str) -> String {
    let (base, sup) = match split_sample(label) {
        Some((b, i)) => (b, Some(i)),
        None => (label, None),
    };
    let stem = base.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &base[stem.len()..];
    let stem_tex = match stem {
        "θ" => "\\theta".to_string(),
        s if s.chars().count() == 1 && s.chars().all(|c| c.is_ascii_alphabetic()) => s.into(),
        s => format!(
            "\\mathrm{{{}}}",
            s.replace('\\', "\\backslash ")
                .replace('_', "\\_")
                .replace('#', "\\#")
                .replace('{', "\\{")
                .replace('}', "\\}")
        ),
    };
    let mut out = stem_tex;
    if !digits.is_empty() {
        out.push_str(&format!("_{{{digits}}}"));
    }
    if let Some(i) = sup {
        // Braced, so that a power of it (`{z_{2}^{(1)}}^{2}`) is valid TeX.
        out = format!("{{{out}^{{({i})}}}}");
    }
    out
}

/// `z1(12)` → (`z1`, `12`).
fn split_sample(label: &str) -> Option<(&str, &str)> {
    let inner = label.strip_suffix(')')?;
    let open = inner.rfind('(')?;
    let digits = &inner[open + 1..];
    (open > 0 && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()))
        .then(|| (&label[..open], digits))
}

fn superscript(digits: &str) -> String {
    digits
        .chars()
        .map(|c| match c {
            '0' => '⁰',
            '1' => '¹',
            '2' => '²',
            '3' => '³',
            '4' => '⁴',
            '5' => '⁵',
            '6' => '⁶',
            '7' => '⁷',
            '8' => '⁸',
            _ => '⁹',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_text_and_tex() {
        assert_eq!(text_name("z1(2)"), "z1⁽²⁾");
        assert_eq!(text_name("θ0"), "θ0");
        assert_eq!(tex_name("z1(12)"), "{z_{1}^{(12)}}");
        assert_eq!(tex_name("θ0"), "\\theta_{0}");
        assert_eq!(tex_name("θ"), "\\theta");
        assert_eq!(tex_name("Z2"), "Z_{2}");
        assert_eq!(tex_name("#7"), "\\mathrm{\\#}_{7}");
    }

    #[test]
    fn blocks_join_on_their_baselines() {
        let m = matrix_block(&[1.0, 0.0, 0.0, 1.0], 2, 2);
        let b = Block::hcat(vec![Block::line("A".into()), m], " = ");
        assert_eq!(b.lines, ["A = ⎡1  0⎤", "    ⎣0  1⎦"]);
    }
}

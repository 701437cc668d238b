//! How the derivation writes an op: its forward formula and the local
//! partial ∂out/∂input_i, as marks in text and TeX with slots for the
//! operands. Each op states its notation beside its forward and VJP; the
//! trace records it per node and per edge, and `render` fills the slots
//! (with a name, a value, or the operand's own formula) and picks the
//! shape-dependent forms (1, 𝟏 or I; a scalar partial or diag(…)).

use std::fmt::Write;

/// One mark of a formula.
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    /// Operand i, in parentheses when its own formula binds looser than
    /// `min` (see [`Notation::precedence`]).
    Operand(usize, u8),
    /// A number, printed by the view.
    Num(f64),
    /// Fixed notation: (text, TeX).
    Text(&'static str, &'static str),
}

/// An op's forward formula.
#[derive(Clone, Debug, PartialEq)]
pub struct Notation {
    pub marks: Vec<Mark>,
    /// How tightly the formula binds: 1 sums, 2 products, 3 unary minus,
    /// 4 powers, 9 atoms (calls, names).
    pub precedence: u8,
}

impl Notation {
    /// `a op b`, operands bound at least `left` and `right`.
    pub fn infix(
        a_min: u8,
        text: &'static str,
        tex: &'static str,
        b_min: u8,
        precedence: u8,
    ) -> Self {
        Notation {
            marks: vec![
                Mark::Operand(0, a_min),
                Mark::Text(text, tex),
                Mark::Operand(1, b_min),
            ],
            precedence,
        }
    }

    /// `f(a)`: `text`/`tex` include the opening parenthesis.
    pub fn call(text: &'static str, tex: &'static str) -> Self {
        Notation {
            marks: vec![
                Mark::Text(text, tex),
                Mark::Operand(0, 0),
                Mark::Text(")", ")"),
            ],
            precedence: 9,
        }
    }
}

/// An op's local partial ∂out/∂input_i.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Partial {
    /// 1: written 1, 𝟏 (a scalar read by every element) or I.
    One,
    /// −1: written −1, −𝟏 or −I.
    MinusOne,
    /// The scalar partial of an elementwise op, written diag(…) when a
    /// vector output reads a vector input.
    Elementwise(Vec<Mark>),
    /// Written as it stands (1ᵀ, Xᵀ, X).
    Plain(Vec<Mark>),
    /// No notation stated: written ∂.
    #[default]
    Unstated,
}

/// The marks as plain text with operands as `a0`, `a1` (for tests and
/// debugging).
pub fn sketch(marks: &[Mark]) -> String {
    let mut s = String::new();
    for m in marks {
        match m {
            Mark::Operand(i, _) => {
                let _ = write!(s, "a{i}");
            }
            Mark::Num(v) => {
                let _ = write!(s, "{v}");
            }
            Mark::Text(t, _) => s.push_str(t),
        }
    }
    s
}

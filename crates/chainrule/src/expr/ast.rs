//! The syntax tree, kept flat: every expression lives in one arena
//! (`Program::exprs`) and refers to its operands by `ExprId`. A flat arena
//! drops, compares and prints without recursion, so a 10,000-deep `-(-(…))`
//! costs no native stack anywhere.
//!
//! Equality ignores spans: two programs are equal when they say the same
//! thing, wherever it was written (that is what `parse(print(p)) == p`
//! checks).

use std::fmt;

/// Where something was written: 1-based line and column (columns count
/// chars, not bytes) and its length in chars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    pub line: usize,
    pub col: usize,
    pub len: usize,
}

impl Span {
    /// Line 1, column 1: the spot of errors about the program as a whole.
    pub const START: Span = Span {
        line: 1,
        col: 1,
        len: 1,
    };
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Index of an expression in its program's arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExprId(pub(crate) u32);

impl ExprId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    /// `M @ v`: matrix times vector.
    MatVec,
    /// `x ^ p`, p a constant number expression.
    Pow,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::MatVec => "@",
            BinOp::Pow => "^",
        }
    }

    /// Binding power: + - < * / @ < unary minus < ^ < atoms.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Add | BinOp::Sub => 1,
            BinOp::Mul | BinOp::Div | BinOp::MatVec => 2,
            BinOp::Pow => 4,
        }
    }

    pub fn right_assoc(self) -> bool {
        self == BinOp::Pow
    }
}

/// Precedence of unary minus: below `^` (so -2^2 = -4), above `*`.
pub const NEG_PRECEDENCE: u8 = 3;
/// Precedence of numbers, names, literals, calls.
pub const ATOM_PRECEDENCE: u8 = 5;

/// The built-in functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Relu,
    Exp,
    Log,
    Tanh,
    Sum,
    Mean,
    Square,
    Dot,
}

impl Func {
    pub const ALL: [Func; 8] = [
        Func::Relu,
        Func::Exp,
        Func::Log,
        Func::Tanh,
        Func::Sum,
        Func::Mean,
        Func::Square,
        Func::Dot,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Func::Relu => "relu",
            Func::Exp => "exp",
            Func::Log => "log",
            Func::Tanh => "tanh",
            Func::Sum => "sum",
            Func::Mean => "mean",
            Func::Square => "square",
            Func::Dot => "dot",
        }
    }

    pub fn arity(self) -> usize {
        match self {
            Func::Dot => 2,
            _ => 1,
        }
    }

    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A non-negative number (a leading minus is `Neg`).
    Number(f64),
    /// `[1, 2, 3]`.
    Vector(Vec<f64>),
    /// `[[1, 2], [3, 4]]`, row-major.
    Matrix {
        rows: usize,
        cols: usize,
        values: Vec<f64>,
    },
    Name(String),
    Neg(ExprId),
    /// `operands` = [left, right].
    Binary {
        op: BinOp,
        operands: [ExprId; 2],
    },
    Call {
        func: Func,
        args: Vec<ExprId>,
    },
}

impl ExprKind {
    /// Operands in source order.
    pub fn operands(&self) -> &[ExprId] {
        match self {
            ExprKind::Neg(a) => std::slice::from_ref(a),
            ExprKind::Binary { operands, .. } => operands,
            ExprKind::Call { args, .. } => args,
            _ => &[],
        }
    }

    pub fn precedence(&self) -> u8 {
        match self {
            ExprKind::Neg(_) => NEG_PRECEDENCE,
            ExprKind::Binary { op, .. } => op.precedence(),
            _ => ATOM_PRECEDENCE,
        }
    }

    /// Equal apart from operand ids (compared separately, as trees).
    fn same_head(&self, other: &ExprKind) -> bool {
        use ExprKind::*;
        match (self, other) {
            (Number(a), Number(b)) => a == b,
            (Vector(a), Vector(b)) => a == b,
            (
                Matrix { rows, cols, values },
                Matrix {
                    rows: r,
                    cols: c,
                    values: v,
                },
            ) => rows == r && cols == c && values == v,
            (Name(a), Name(b)) => a == b,
            (Neg(_), Neg(_)) => true,
            (Binary { op: a, .. }, Binary { op: b, .. }) => a == b,
            (Call { func: f, args: a }, Call { func: g, args: b }) => f == g && a.len() == b.len(),
            _ => false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    /// The spot errors point at: the operator of a binary or unary
    /// expression, the function name of a call, the opening bracket of a
    /// literal, the token itself otherwise.
    pub span: Span,
}

/// What a declaration says a name is: `data x = 2` (a number given to the
/// model, never updated, no gradient) or `param θ = 0.5` (what training
/// updates, so it collects ∂root/∂θ).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decl {
    Data,
    Param,
}

impl Decl {
    pub fn keyword(self) -> &'static str {
        match self {
            Decl::Data => "data",
            Decl::Param => "param",
        }
    }

    pub fn from_keyword(word: &str) -> Option<Decl> {
        match word {
            "data" => Some(Decl::Data),
            "param" => Some(Decl::Param),
            _ => None,
        }
    }
}

/// `name = value`, `data name = value`, `param name = value`, or a bare
/// `value` (`target` is `None`).
#[derive(Clone, Debug)]
pub struct Statement {
    /// `data` or `param` when the statement is a declaration.
    pub decl: Option<Decl>,
    pub target: Option<String>,
    pub value: ExprId,
    /// The statement's first token.
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct Program {
    pub(crate) statements: Vec<Statement>,
    pub(crate) exprs: Vec<Expr>,
}

impl Program {
    /// Whether any statement is a `data` or `param` declaration. A program
    /// with declarations binds undeclared literals as data; one without
    /// keeps the older rule (every literal binding is a param).
    pub fn declares(&self) -> bool {
        self.statements.iter().any(|s| s.decl.is_some())
    }

    /// Makes the literal bindings of `name` params, so the gradient
    /// reaches them too (`grad --wrt x`). False when `name` binds no
    /// literal.
    pub fn ask_gradient(&mut self, name: &str) -> bool {
        let mut found = false;
        let declares = self.declares();
        let literals: Vec<bool> = self
            .statements
            .iter()
            .map(|s| {
                matches!(
                    self.expr(s.value).kind,
                    ExprKind::Vector(_) | ExprKind::Matrix { .. }
                ) || super::build::constant(self, s.value).is_ok()
            })
            .collect();
        for (s, literal) in self.statements.iter_mut().zip(literals) {
            if s.target.as_deref() == Some(name) && (s.decl.is_some() || literal) {
                if s.decl.is_some() || declares {
                    s.decl = Some(Decl::Param);
                }
                found = true;
            }
        }
        found
    }

    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Its syntax nodes: a bound on the graph nodes it builds (a literal,
    /// one node, counts once; an alias adds none).
    pub fn nodes(&self) -> usize {
        self.exprs.len()
    }

    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.index()]
    }

    pub(crate) fn push(&mut self, kind: ExprKind, span: Span) -> ExprId {
        self.exprs.push(Expr { kind, span });
        ExprId((self.exprs.len() - 1) as u32)
    }

    /// Whether the trees under `a` (in self) and `b` (in other) are equal,
    /// spans aside. Walks an explicit stack: deep trees cost heap, not stack.
    fn same_tree(&self, a: ExprId, other: &Program, b: ExprId) -> bool {
        let mut pending = vec![(a, b)];
        while let Some((a, b)) = pending.pop() {
            let (ea, eb) = (&self.expr(a).kind, &other.expr(b).kind);
            if !ea.same_head(eb) {
                return false;
            }
            pending.extend(
                ea.operands()
                    .iter()
                    .copied()
                    .zip(eb.operands().iter().copied()),
            );
        }
        true
    }
}

impl PartialEq for Program {
    fn eq(&self, other: &Program) -> bool {
        self.statements.len() == other.statements.len()
            && self.statements.iter().zip(&other.statements).all(|(s, t)| {
                s.decl == t.decl && s.target == t.target && self.same_tree(s.value, other, t.value)
            })
    }
}

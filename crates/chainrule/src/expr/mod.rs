//! A small language that builds graphs, so the formulas of the derivation
//! can be typed and differentiated:
//!
//! ```text
//! # one sample of y = θ·x
//! data x = 2; data y = 3; param θ = 0.5
//! z1 = θ * x
//! z2 = y - z1
//! L = z2^2
//! ```
//!
//! - Numbers `2`, `0.5`, `.5`, `1e-3`; vectors `[1, 2]`; matrices
//!   `[[1, 2], [3, 4]]` (rows of equal length; newlines allowed inside).
//! - Operators, loosest first: `+ -`, then `* / @` (`@` is matrix @ vector),
//!   then unary `-`, then `^` (right-associative; `-2^2` is −4). The
//!   exponent of `^` is a constant number expression: `x^2`, `x^(1/2)`,
//!   `x^-1`. For a node exponent write `exp(y * log(x))`.
//! - Functions: relu exp log tanh sum mean square (one argument), dot (two).
//!   `log` of a negative number is NaN, as in f64, not an error.
//! - Statements are split by newlines or `;`; `#` comments to end of line;
//!   names are Unicode (`θ`, `θ0`, `z₁`, `_tmp`). A statement is
//!   `name = expr` or a bare `expr`.
//!
//! How statements become nodes (see `build`): `param θ = 0.5` declares a
//! parameter (it gets a gradient and is what an update changes), `data x =
//! 2` declares data (a given number: no gradient unless asked for with
//! `Program::ask_gradient`). An undeclared `name = <number, constant
//! expression or literal>` is data in a program that declares anything and
//! a param in one that declares nothing (programs written before
//! declarations keep working); `name = other` aliases `other`'s node; `name = expr` labels expr's node
//! `name`, and rebinding adds a new node. Numbers inside expressions are
//! unnamed constants.
//!
//! Nothing here recurses on the depth of an expression: parsing, building,
//! printing, comparing and dropping all use explicit stacks or a flat arena.

mod ast;
mod build;
mod error;
mod lexer;
mod literal;
mod parser;
mod print;
mod run;

pub use ast::{BinOp, Decl, Expr, ExprId, ExprKind, Func, Program, Span, Statement};
pub use build::{build, Built, MAX_EXPONENT};
pub use error::{ErrorKind, ExprError};
pub use lexer::DEFAULT_MAX_TOKENS;
pub use parser::{parse, parse_with_limit};
pub use print::format_number;
pub use run::{run, run_program, run_with_limit, Evaluated};

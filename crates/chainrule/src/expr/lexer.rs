//! Source text → tokens, in one pass. Positions are 1-based line:column,
//! columns counted in chars. `#` starts a comment to the end of the line.
//! A newline ends a statement, except inside ( ) or [ ], where it is
//! whitespace (so a matrix may span lines).

use super::ast::Span;
use super::error::{ErrorKind, ExprError};
use super::print::format_number;

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    Num(f64),
    Ident(String),
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    At,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Eq,
    Semi,
    Newline,
    Eof,
}

impl Tok {
    /// How an error message names the token.
    pub fn describe(&self) -> String {
        match self {
            Tok::Num(v) => format!("number {}", format_number(*v)),
            Tok::Ident(name) => format!("name '{name}'"),
            Tok::Newline => "end of line".into(),
            Tok::Eof => "end of input".into(),
            other => format!("'{}'", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Caret => "^",
            Tok::At => "@",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Eq => "=",
            Tok::Semi => ";",
            _ => "",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub span: Span,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    col: usize,
    /// Open ( and [ not yet closed; newlines inside them are whitespace.
    depth: usize,
    tokens: Vec<Token>,
}

/// Default cap on a program's tokens. Every later stage is linear in them
/// (each token makes at most one syntax node and one graph node, about
/// 1 KB with its trace), so this bounds memory near 1 GB, in line with the
/// engine's element limit; a 10 MB program of `-` stops here, after
/// allocating at most the limit's tokens.
pub const DEFAULT_MAX_TOKENS: usize = 1_000_000;

/// The tokens of `src`, ending with `Eof` (placed just after the last
/// token); more than `max_tokens` of them is an error at the first one
/// past the limit.
pub(crate) fn lex(src: &str, max_tokens: usize) -> Result<Vec<Token>, ExprError> {
    let mut lx = Lexer {
        chars: src.chars().peekable(),
        line: 1,
        col: 1,
        depth: 0,
        tokens: Vec::new(),
    };
    while let Some(&c) = lx.chars.peek() {
        lx.token(c)?;
        if lx.tokens.len() > max_tokens {
            let span = lx.tokens[max_tokens].span;
            return Err(ExprError::new(
                span,
                ErrorKind::TooManyTokens { limit: max_tokens },
            ));
        }
    }
    let end = lx
        .tokens
        .iter()
        .rev()
        .find(|t| t.tok != Tok::Newline)
        .map_or(
            Span {
                line: 1,
                col: 1,
                len: 1,
            },
            |t| Span {
                line: t.span.line,
                col: t.span.col + t.span.len,
                len: 1,
            },
        );
    lx.tokens.push(Token {
        tok: Tok::Eof,
        span: end,
    });
    Ok(lx.tokens)
}

impl Lexer<'_> {
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn here(&self, len: usize) -> Span {
        Span {
            line: self.line,
            col: self.col,
            len,
        }
    }

    fn token(&mut self, c: char) -> Result<(), ExprError> {
        let start = self.here(1);
        let tok = match c {
            '\n' => {
                self.bump();
                if self.depth > 0 {
                    return Ok(());
                }
                Tok::Newline
            }
            // A byte-order mark (files saved by some editors) is space.
            c if c.is_whitespace() || c == '\u{feff}' => {
                self.bump();
                return Ok(());
            }
            '#' => {
                while self.chars.peek().is_some_and(|&c| c != '\n') {
                    self.bump();
                }
                return Ok(());
            }
            c if c.is_ascii_digit() || c == '.' => return self.number(start),
            c if c.is_alphabetic() || c == '_' => {
                let mut name = String::new();
                while let Some(&c) = self
                    .chars
                    .peek()
                    .filter(|c| c.is_alphanumeric() || **c == '_')
                {
                    name.push(c);
                    self.bump();
                }
                let len = name.chars().count();
                self.tokens.push(Token {
                    tok: Tok::Ident(name),
                    span: Span { len, ..start },
                });
                return Ok(());
            }
            _ => {
                let tok = match c {
                    '+' => Tok::Plus,
                    '-' => Tok::Minus,
                    '*' => Tok::Star,
                    '/' => Tok::Slash,
                    '^' => Tok::Caret,
                    '@' => Tok::At,
                    '(' | '[' => {
                        self.depth += 1;
                        if c == '(' {
                            Tok::LParen
                        } else {
                            Tok::LBracket
                        }
                    }
                    ')' | ']' => {
                        self.depth = self.depth.saturating_sub(1);
                        if c == ')' {
                            Tok::RParen
                        } else {
                            Tok::RBracket
                        }
                    }
                    ',' => Tok::Comma,
                    '=' => Tok::Eq,
                    ';' => Tok::Semi,
                    _ => return Err(ExprError::new(start, ErrorKind::UnexpectedChar(c))),
                };
                self.bump();
                tok
            }
        };
        self.tokens.push(Token { tok, span: start });
        Ok(())
    }

    fn take_while(&mut self, text: &mut String, pred: impl Fn(char) -> bool) -> usize {
        let mut n = 0;
        while let Some(&c) = self.chars.peek().filter(|&&c| pred(c)) {
            text.push(c);
            self.bump();
            n += 1;
        }
        n
    }

    /// digits [. digits] [e [+-] digits], or . digits; finite.
    fn number(&mut self, start: Span) -> Result<(), ExprError> {
        let mut text = String::new();
        let digits = self.take_while(&mut text, |c| c.is_ascii_digit() || c == '.');
        let mut why = (digits == text.matches('.').count()).then_some("a number needs digits");
        if why.is_none() && self.take_while(&mut text, |c| c == 'e' || c == 'E') > 0 {
            self.take_while(&mut text, |c| c == '+' || c == '-');
            if self.take_while(&mut text, |c| c.is_ascii_digit()) == 0 {
                why = Some("expected digits after the exponent's 'e'");
            }
        }
        let span = Span {
            len: text.chars().count(),
            ..start
        };
        if text.matches('.').count() > 1 {
            why = Some("a number has one '.' at most");
        }
        let value = match (why, text.parse::<f64>()) {
            (None, Ok(v)) if v.is_finite() => v,
            (None, Ok(_)) => {
                why = Some("too large for an f64");
                f64::NAN
            }
            (None, Err(_)) => {
                why = Some("not a number");
                f64::NAN
            }
            (Some(_), _) => f64::NAN,
        };
        if let Some(why) = why {
            if text == "." {
                return Err(ExprError::new(span, ErrorKind::UnexpectedChar('.')));
            }
            return Err(ExprError::new(
                span,
                ErrorKind::MalformedNumber { text, why },
            ));
        }
        self.tokens.push(Token {
            tok: Tok::Num(value),
            span,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src, DEFAULT_MAX_TOKENS)
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    #[test]
    fn a_byte_order_mark_is_space() {
        // "\u{feff}x = 2" is the program "x = 2" saved with a BOM.
        let with = lex("\u{feff}x = 2", DEFAULT_MAX_TOKENS).unwrap();
        let without = lex("x = 2", DEFAULT_MAX_TOKENS).unwrap();
        let kinds = |t: &[Token]| t.iter().map(|t| format!("{:?}", t.tok)).collect::<Vec<_>>();
        assert_eq!(kinds(&with), kinds(&without));
    }

    #[test]
    fn numbers_in_every_spelling() {
        // 1e-3 = 0.001, .5 = 0.5, 2. = 2, 1E+2 = 100.
        assert_eq!(
            toks("1e-3 .5 2. 1E+2"),
            vec![
                Tok::Num(0.001),
                Tok::Num(0.5),
                Tok::Num(2.0),
                Tok::Num(100.0),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn unicode_identifiers_and_columns_in_chars() {
        let t = lex("θ0 = z₁", DEFAULT_MAX_TOKENS).unwrap();
        assert_eq!(t[0].tok, Tok::Ident("θ0".into()));
        assert_eq!(t[2].tok, Tok::Ident("z₁".into()));
        // "θ0 = " is 5 chars (6 bytes), so z₁ starts at column 6.
        assert_eq!((t[2].span.col, t[2].span.len), (6, 2));
    }

    #[test]
    fn comments_and_newlines_inside_brackets() {
        assert_eq!(
            toks("[1, # one\n 2] # done\nx"),
            vec![
                Tok::LBracket,
                Tok::Num(1.0),
                Tok::Comma,
                Tok::Num(2.0),
                Tok::RBracket,
                Tok::Newline,
                Tok::Ident("x".into()),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn bad_input_is_an_error_with_its_spot() {
        let e = lex("x = 1\ny = $", DEFAULT_MAX_TOKENS).unwrap_err();
        assert_eq!((e.span.line, e.span.col), (2, 5));
        assert_eq!(e.kind, ErrorKind::UnexpectedChar('$'));
        assert!(matches!(
            lex("1e", DEFAULT_MAX_TOKENS).unwrap_err().kind,
            ErrorKind::MalformedNumber { .. }
        ));
        assert!(matches!(
            lex("1e999", DEFAULT_MAX_TOKENS).unwrap_err().kind,
            ErrorKind::MalformedNumber { .. }
        ));
        assert!(matches!(
            lex("1.2.3", DEFAULT_MAX_TOKENS).unwrap_err().kind,
            ErrorKind::MalformedNumber { .. }
        ));
        assert_eq!(
            lex(".", DEFAULT_MAX_TOKENS).unwrap_err().kind,
            ErrorKind::UnexpectedChar('.')
        );
    }
}

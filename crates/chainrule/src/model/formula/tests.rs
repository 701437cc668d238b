//! The parser's and the design's unit tests (R's coding rules for
//! interactions are tested in `tests/lib/formula_terms.rs`).

use super::*;
use proptest::prelude::*;

fn parse(s: &str) -> Formula {
    Formula::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn col(c: &str) -> Term {
    Term::column(c)
}

fn var(v: Variable) -> Term {
    Term::Interaction(vec![v])
}

fn power(c: &str, k: f64) -> Variable {
    Variable::Numeric(Expr::pow(Expr::column(c), k))
}

fn syntax_column(s: &str) -> (usize, String) {
    match Formula::parse(s) {
        Err(FormulaError::Syntax {
            column, message, ..
        }) => (column, message),
        other => panic!("{s}: expected a syntax error, got {other:?}"),
    }
}

#[test]
fn intercept_forms() {
    assert!(parse("y ~ x").intercept);
    assert!(!parse("y ~ x - 1").intercept);
    assert!(!parse("y ~ 0 + x").intercept);
    assert!(!parse("y ~ -1 + x").intercept);
    assert!(parse("y ~ 1 + x").intercept);
    let only = parse("y ~ 1");
    assert!(only.intercept && only.terms.is_empty());
    assert_eq!(parse("y~x-1"), parse("  y  ~  x  -  1 "));
}

#[test]
fn term_forms() {
    assert_eq!(parse("y ~ x1 + x2").terms, [col("x1"), col("x2")]);
    assert_eq!(
        parse("y ~ x + I(x^2) + I(a*b) + poly(z, 5) + .").terms,
        [
            col("x"),
            var(power("x", 2.0)),
            var(Variable::Numeric(Expr::binary(
                Op::Mul,
                Expr::column("a"),
                Expr::column("b")
            ))),
            var(Variable::Poly("z".into(), 5)),
            Term::Dot
        ]
    );
    assert_eq!(parse("`my col` ~ `a b`").terms, [col("a b")]);
    assert_eq!(parse("`my col` ~ `a b`").response, Expr::column("my col"));
    assert_eq!(parse("`my col` ~ `a b`").response_name(), "my col");
}

#[test]
fn parsing_normalizes() {
    assert_eq!(
        parse("y ~ I(x^1) + poly(x, 1, raw = TRUE) + I(x)").terms,
        [col("x")]
    );
    assert_eq!(parse("y ~ I(x*x)").terms, [var(power("x", 2.0))]);
    assert_eq!(parse("y ~ I(log(x))"), parse("y ~ log(x)"));
    // raw = FALSE is the default, R's orthogonal basis.
    assert_eq!(
        parse("y ~ poly(x, 2, raw = FALSE)"),
        parse("y ~ poly(x, 2)")
    );
    assert_eq!(
        parse("y ~ poly(x, 2, raw = T)").to_string(),
        "y ~ poly(x, 2, raw = TRUE)"
    );
    assert_ne!(parse("y ~ poly(x, 2, raw = TRUE)"), parse("y ~ poly(x, 2)"));
    assert_eq!(parse("y ~ x + z + x").terms, [col("x"), col("z")]);
}

#[test]
fn presets_print_as_documented() {
    let printed: Vec<String> = ["origin", "line", "plane"]
        .iter()
        .map(|p| Formula::preset(p).unwrap().to_string())
        .collect();
    assert_eq!(printed, ["y ~ x - 1", "y ~ x", "y ~ x1 + x2"]);
    assert!(Formula::preset("cube").is_none());
}

#[test]
fn canonical_print() {
    assert_eq!(parse("y~0+poly(x,3)").to_string(), "y ~ poly(x, 3) - 1");
    assert_eq!(parse("y ~ 1").to_string(), "y ~ 1");
    assert_eq!(parse("`a b` ~ I( c*d )").to_string(), "`a b` ~ I(c*d)");
    // R's variable order survives a removal: x came first, so x:x2;
    // printed with the interaction first, so a parse reads x first again.
    let removed = parse("y ~ x*x2 - x");
    assert_eq!(removed.to_string(), "y ~ x:x2 + x2");
    // Written order otherwise, and `b:a` is `a:b` once a came first.
    assert_eq!(parse("y ~ a + b:a").to_string(), "y ~ a + a:b");
    assert_eq!(parse("y ~ (a + b)^2").to_string(), "y ~ a + b + a:b");
    assert_eq!(parse("log(y) ~ I(x^-1)").to_string(), "log(y) ~ I(x^-1)");
    // A case no order of the terms can print faithfully (R's order has
    // a < b < c, written b:c before a:b): the variables then follow the
    // terms as written, and printing is still a fixed point.
    let odd = parse("y ~ a + b:c + a:b - a");
    assert_eq!(odd.to_string(), "y ~ b:c + b:a");
    // A column out of `.`, printed after the terms; added back, it is in.
    let dot = parse("y ~ . - id - `my col` - 1");
    assert_eq!(dot.removed, ["id", "my col"]);
    assert_eq!(dot.to_string(), "y ~ . - id - `my col` - 1");
    assert_eq!(parse("y ~ x + . - x").to_string(), "y ~ . - x");
    assert_eq!(parse("y ~ . - x + x").to_string(), "y ~ . + x");
    assert_eq!(parse("y ~ . - x + x:z").to_string(), "y ~ . + x:z - x");
    for f in [removed, odd, dot, parse("y ~ . - x + x:z")] {
        assert_eq!(Formula::parse(&f.to_string()), Ok(f));
    }
}

#[test]
fn errors_point_at_the_column() {
    // "y ~ x +" is 7 characters; the missing term would start at column 8.
    assert_eq!(syntax_column("y ~ x +").0, 8);
    let e = Formula::parse("y ~ x +").unwrap_err().to_string();
    assert!(e.starts_with("y ~ x +\n       ^ expected a term"), "{e}");
    assert_eq!(syntax_column("y x").0, 3); // `~` expected at "x"
    assert_eq!(syntax_column("").0, 1);
    assert_eq!(syntax_column("y ~ x - z").0, 9);
    assert_eq!(syntax_column("y ~ I(x^0)").0, 9);
    assert_eq!(syntax_column("y ~ poly(x)").0, 11);
    assert_eq!(syntax_column("y ~ ln(x)").0, 5);
    assert_eq!(syntax_column("y ~ 2").0, 5);
    assert_eq!(syntax_column("y ~ x x").0, 7);
    assert_eq!(syntax_column("y ~ 0").0, 4);
    assert_eq!(syntax_column("y ~ 1 + x - 1").0, 13);
    assert_eq!(syntax_column("y ~ `x").0, 5);
    // 11 variables to order 11: 2^11 − 1 = 2047 terms, over the limit;
    // the error points at the `(`.
    let (at, message) = syntax_column("y ~ (a + b + c + d + e + f + g + h + i + j + k)^11");
    assert_eq!(at, 5);
    assert!(message.contains("more than 1000 terms"), "{message}");
    // Columns count characters, not bytes: θ is two bytes in UTF-8.
    assert_eq!(syntax_column("θ ~ x +").0, 8);
}

fn data() -> Dataset {
    Dataset::new(
        vec!["a".into(), "y".into(), "b".into()],
        vec![
            vec![1.0, 2.0, 3.0],
            vec![10.0, 20.0, 30.0],
            vec![-1.0, 0.5, 2.0],
        ],
    )
    .unwrap()
}

#[test]
fn design_builds_features_row_major() {
    let d = parse("y ~ a + I(a^2) + I(a*b)").design(&data()).unwrap();
    assert_eq!(d.names, ["a", "a^2", "a*b"]);
    assert_eq!((d.n, d.d, d.intercept), (3, 3, true));
    // Row 2: a = 3, a² = 9, a·b = 3·2 = 6.
    assert_eq!(d.row(2), [3.0, 9.0, 6.0]);
    assert_eq!(d.y, [10.0, 20.0, 30.0]);
}

#[test]
fn design_dot_and_poly() {
    let dot = parse("y ~ .").design(&data()).unwrap();
    assert_eq!(dot.names, ["a", "b"]);
    let poly = parse("y ~ poly(b, 3, raw = TRUE) - 1")
        .design(&data())
        .unwrap();
    assert_eq!(poly.names, ["b", "b^2", "b^3"]);
    assert!(!poly.intercept);
    // b = 0.5: 0.5, 0.25, 0.125.
    assert_eq!(poly.row(1), [0.5, 0.25, 0.125]);
    // x and poly(x, 2, raw = TRUE) share the feature x: it appears once.
    let overlap = parse("y ~ a + poly(a, 2, raw = TRUE) + .")
        .design(&data())
        .unwrap();
    assert_eq!(overlap.names, ["a", "a^2", "b"]);
    let only = parse("y ~ 1").design(&data()).unwrap();
    assert_eq!((only.d, only.x.len()), (0, 0));
}

#[test]
fn design_errors_name_the_column() {
    let e = parse("y ~ a + c").design(&data()).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("\"c\"") && msg.contains("a, y, b"), "{msg}");
    let e = parse("z ~ a").design(&data()).unwrap_err();
    assert!(matches!(e, FormulaError::UnknownColumn { ref name, .. } if name == "z"));
    let e = parse("y ~ a + y").design(&data()).unwrap_err();
    assert_eq!(e, FormulaError::ResponseOnBothSides { name: "y".into() });
}

fn table(text: &str) -> Dataset {
    let opts = crate::data::ReadOptions::default();
    let mut data = crate::data::read_csv_str("t.csv", text, &opts).unwrap().0;
    data.path = Some("t.csv".into());
    data
}

/// y, a number x, and a text column region (levels written unsorted).
fn regions() -> Dataset {
    table("y,x,region\n1,10,South\n2,2,North\n3,9,west\n4,2,East\n5,10,South\n")
}

#[test]
fn a_text_column_is_treatment_coded_in_code_point_order() {
    let d = parse("y ~ x + region").design(&regions()).unwrap();
    // Code-point order: uppercase before lowercase, so East (the
    // reference) < North < South < west; R in the C locale and patsy agree.
    assert_eq!(d.names, ["x", "regionNorth", "regionSouth", "regionwest"]);
    // Row 3 (line 4) is west: only the west indicator is 1.
    assert_eq!(d.row(2), [9.0, 0.0, 0.0, 1.0]);
    // Row 4 is East, the reference: every indicator 0.
    assert_eq!(d.row(3), [2.0, 0.0, 0.0, 0.0]);
    let coding = parse("y ~ region").coding(&regions()).unwrap();
    assert_eq!(coding.levels["region"], ["East", "North", "South", "west"]);
}

#[test]
fn factor_sorts_numbers_as_numbers_and_c_names_the_reference() {
    let d = parse("y ~ factor(x)").design(&regions()).unwrap();
    // x takes 10, 2, 9: as numbers 2 < 9 < 10 (as strings "10" < "2").
    assert_eq!(d.names, ["factor(x)9", "factor(x)10"]);
    assert_eq!(d.row(0), [0.0, 1.0]);
    let c = parse("y ~ C(region, ref = \"South\")")
        .design(&regions())
        .unwrap();
    assert_eq!(
        c.names,
        ["C(region)East", "C(region)North", "C(region)west"]
    );
    let patsy = parse("y ~ C(region, Treatment(\"South\"))");
    assert_eq!(patsy, parse("y ~ C(region, ref = \"South\")"));
    assert_eq!(patsy.to_string(), "y ~ C(region, ref = \"South\")");
    let e = parse("y ~ C(region, ref = \"Mars\")")
        .design(&regions())
        .unwrap_err();
    assert!(e.to_string().contains("East, North, South, west"), "{e}");
}

#[test]
fn a_stray_word_in_a_numeric_column_is_named_not_coded() {
    // Line 4 holds "l0" (a typo for 10) among numbers.
    let data = table("y,x\n1,1\n2,2\n3,l0\n4,4\n");
    let e = parse("y ~ x").design(&data).unwrap_err();
    assert!(
        matches!(
            e,
            FormulaError::NotANumber {
                ref at,
                index: 2,
                numbers: 3,
                words: 1,
                ..
            } if at == "t.csv:4"
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.starts_with("t.csv:4: column \"x\" (column 2): \"l0\""),
        "{msg}"
    );
    assert!(msg.contains("factor(x)"), "{msg}");
    // Said to be a category, every value is a label (sorted as text).
    let f = parse("y ~ factor(x)").design(&data).unwrap();
    assert_eq!(f.names, ["factor(x)2", "factor(x)4", "factor(x)l0"]);
    // A text column cannot enter arithmetic.
    let e = parse("y ~ I(region^2)").design(&regions()).unwrap_err();
    assert!(
        matches!(e, FormulaError::TextInArithmetic { ref at, .. } if at == "t.csv:2"),
        "{e:?}"
    );
}

#[test]
fn new_rows_are_coded_with_the_fitted_levels() {
    let f = parse("y ~ region");
    let coding = f.coding(&regions()).unwrap();
    // The new file has only two of the levels: still four columns.
    let new = table("y,region\n0,west\n0,North\n");
    let d = f.design_coded(&new, &coding).unwrap();
    assert_eq!(d.names, ["regionNorth", "regionSouth", "regionwest"]);
    assert_eq!(d.x, [0.0, 0.0, 1.0, 1.0, 0.0, 0.0]);
    let new = table("y,region\n0,west\n0,Central\n");
    let e = f.design_coded(&new, &coding).unwrap_err();
    assert!(
        matches!(e, FormulaError::UnseenLevel { ref at, ref level, .. }
            if at == "t.csv:3" && level == "Central"),
        "{e:?}"
    );
}

#[test]
fn functions_of_a_column_and_their_domains() {
    let data = table("y,x\n1,1\n2,4\n3,0.25\n");
    let d = parse("y ~ log(x) + sqrt(x) + abs(x) + exp(x) - 1")
        .design(&data)
        .unwrap();
    assert_eq!(d.names, ["log(x)", "sqrt(x)", "abs(x)", "exp(x)"]);
    // x = 4: ln 4, √4 = 2, |4| = 4, e⁴ (f64's own ln and exp).
    assert_eq!(d.row(1), [4f64.ln(), 2.0, 4.0, 4f64.exp()]);
    // Line 3 holds x = 0: log is undefined there.
    let zero = table("y,x\n1,1\n2,0\n");
    let e = parse("y ~ log(x)").design(&zero).unwrap_err();
    assert!(
        matches!(e, FormulaError::Domain { ref at, value, .. } if at == "t.csv:3" && value == 0.0),
        "{e:?}"
    );
    assert!(e.to_string().contains("log(x) needs x > 0"), "{e}");
    let big = table("y,x\n1,1000\n");
    let e = parse("y ~ exp(x)").design(&big).unwrap_err();
    assert!(matches!(e, FormulaError::Overflow { row: 1, .. }), "{e:?}");
}

#[test]
fn columns_to_read_are_the_formulas() {
    let f = parse("y ~ a + I(a*b) + C(r)");
    assert_eq!(f.columns_to_read().unwrap(), ["y", "a", "b", "r"]);
    assert_eq!(parse("y ~ . - 1").columns_to_read(), None);
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_.]{0,6}",
        Just("I".to_string()),
        Just("poly".to_string()),
        Just("my col".to_string()),
        Just("θ2".to_string()),
        Just("1x".to_string()),
    ]
}

/// Arithmetic as the parser leaves it: no `x^1`, no `x*x` of a column
/// (those normalize), no negative literal (the parser reads `-2` as
/// −(2)).
fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        name().prop_map(Expr::Column),
        (0.0..1e6f64).prop_map(|k| Expr::Number(Literal(k))),
        Just(Expr::Number(Literal(0.5))),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        let ops = prop::sample::select(vec![Op::Add, Op::Sub, Op::Mul, Op::Div]);
        let exponent = (-30i32..=30)
            .prop_filter("not 0 or 1", |k| *k != 0 && *k != 1)
            .prop_map(f64::from);
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Neg(Box::new(e))),
            (ops, inner.clone(), inner.clone()).prop_map(|(op, a, b)| Expr::binary(op, a, b)),
            (inner.clone(), exponent).prop_map(|(e, k)| Expr::pow(e, k)),
            (inner.clone(), Just(0.5)).prop_map(|(e, k)| Expr::pow(e, k)),
            (prop::sample::select(Function::ALL.to_vec()), inner)
                .prop_map(|(f, e)| Expr::Call(f, Box::new(e))),
        ]
    })
}

fn variable() -> impl Strategy<Value = Variable> {
    prop_oneof![
        expr().prop_map(Variable::Numeric),
        (name(), 1..=MAX_DEGREE).prop_map(|(c, k)| Variable::Poly(c, k)),
        (name(), 2..=MAX_DEGREE).prop_map(|(c, k)| Variable::RawPoly(c, k)),
        name().prop_map(Variable::Factor),
        (name(), prop::option::of("[a-zA-Z0-9 ._θ-]{0,6}"))
            .prop_map(|(c, r)| Variable::Categorical(c, r)),
    ]
}

/// A term as the parser leaves it: distinct variables (their order is
/// fixed by [`formula`]).
fn term() -> impl Strategy<Value = Term> {
    prop_oneof![
        4 => prop::collection::vec(variable(), 1..4).prop_map(|vars| {
            let mut distinct: Vec<Variable> = Vec::new();
            for v in vars {
                if !distinct.contains(&v) {
                    distinct.push(v);
                }
            }
            Term::Interaction(distinct)
        }),
        1 => Just(Term::Dot),
    ]
}

fn formula() -> impl Strategy<Value = Formula> {
    (expr(), any::<bool>(), prop::collection::vec(term(), 0..6)).prop_map(
        |(response, intercept, raw)| {
            // As the parser does: variables within a term in order of
            // first appearance, so `a:b` and `b:a` are one term.
            let mut seen: Vec<Variable> = Vec::new();
            for t in &raw {
                if let Term::Interaction(vars) = t {
                    for v in vars {
                        if !seen.contains(v) {
                            seen.push(v.clone());
                        }
                    }
                }
            }
            let at = |v: &Variable| seen.iter().position(|s| s == v);
            let mut terms = terms::Terms::default();
            for t in raw {
                let t = match t {
                    Term::Interaction(mut vars) => {
                        vars.sort_by_key(at);
                        Term::Interaction(vars)
                    }
                    dot => dot,
                };
                terms = terms.plus(terms::Terms::one(t));
            }
            let terms = terms.finish(&seen);
            let intercept = intercept || terms.is_empty();
            Formula {
                response,
                intercept,
                terms,
                removed: Vec::new(),
            }
        },
    )
}

proptest! {
    /// Law: the canonical print parses back to the same formula.
    #[test]
    fn parse_inverts_print(f in formula()) {
        let printed = f.to_string();
        prop_assert_eq!(Formula::parse(&printed), Ok(f), "{}", printed);
    }

    /// Law: parsing never panics, and what parses prints to a fixed point.
    #[test]
    fn print_is_a_fixed_point_of_parse(s in "[ya-c~+\\-*/:^().,`I01 2]{0,24}") {
        if let Ok(f) = Formula::parse(&s) {
            let again = Formula::parse(&f.to_string());
            prop_assert_eq!(again, Ok(f));
        }
    }
}

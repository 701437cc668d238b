//! Formulas as R writes them: interactions, R's coding of categorical
//! variables inside them, arithmetic in `I()` and functions, and a
//! transformed response.
//!
//! The expected column names and counts are written by hand from R's rule
//! (R's `model.matrix`, after Chambers & Hastie 1992 §2.4.1 and R's
//! `TermCode` in `src/library/stats/src/model.c`): terms are sorted by
//! order (main effects, then two-way, …), each group as written; in term
//! T, a categorical variable F gets treatment contrasts (k − 1 columns)
//! when T without F is empty or contained in a term before T, else one
//! indicator per level (k columns); with no intercept, the first
//! categorical variable of the first term holding one gets k columns.
//! Columns of an interaction are the products of one column per variable,
//! the first variable varying fastest, named `a:b` in the order the
//! variables first appear. R itself was not run here.

use chainrule::data::{read_csv_str, Dataset, ReadOptions};
use chainrule::model::formula::{Formula, FormulaError};
use chainrule::LinearRegression;

fn table(text: &str) -> Dataset {
    let mut data = read_csv_str("t.csv", text, &ReadOptions::default())
        .unwrap()
        .0;
    data.path = Some("t.csv".into());
    data
}

/// y, two numbers x and x2, region (East < North < South) and g (a < b).
fn data() -> Dataset {
    table(
        "y,x,x2,region,g\n\
         1,1,2,East,a\n\
         2,2,1,North,b\n\
         3,3,5,South,a\n\
         4,4,3,East,b\n\
         5,5,4,North,a\n\
         6,6,7,South,b\n",
    )
}

fn names(formula: &str) -> Vec<String> {
    Formula::parse(formula)
        .unwrap_or_else(|e| panic!("{formula}: {e}"))
        .feature_names(&data())
        .unwrap_or_else(|e| panic!("{formula}: {e}"))
}

#[test]
fn numeric_interactions_and_their_order() {
    // a*b = a + b + a:b.
    // x:x is x, so x*x is x alone (as in R).
    assert_eq!(names("y ~ x * x"), ["x"]);
    assert_eq!(names("y ~ x * x2"), ["x", "x2", "x:x2"]);
    // Main effects first, then by order, each as written; x appears
    // before x2 in the formula, so the interaction is x:x2.
    assert_eq!(
        names("y ~ x:x2 + region + x"),
        ["regionNorth", "regionSouth", "x", "x:x2"]
    );
    // x2 appears first: R labels the term x2:x.
    assert_eq!(names("y ~ x2:x + x"), ["x", "x2:x"]);
    // `-` takes a term out.
    assert_eq!(names("y ~ x * x2 - x:x2"), ["x", "x2"]);
    assert_eq!(names("y ~ x * x2 - x"), ["x2", "x:x2"]);
    // (a + b + c)^2: main effects, then every two-way interaction.
    assert_eq!(
        names("y ~ (x + x2 + log(x))^2"),
        ["x", "x2", "log(x)", "x:x2", "x:log(x)", "x2:log(x)"]
    );
    // (a + b)^3 has no three-way term with two variables: same as ^2.
    assert_eq!(names("y ~ (x + x2)^3"), names("y ~ x * x2"));
}

#[test]
fn interaction_values_are_products() {
    let d = Formula::parse("y ~ x * x2 + x:region")
        .unwrap()
        .design(&data())
        .unwrap();
    // x:region with x's main effect present: T \ {region} = {x} is in the
    // model, so region gets contrasts there (North, South).
    assert_eq!(
        d.names,
        ["x", "x2", "x:x2", "x:regionNorth", "x:regionSouth"]
    );
    // Row 3 (1-based 3): x = 3, x2 = 5, South → x·x2 = 15, 0, x·1 = 3.
    assert_eq!(d.row(2), [3.0, 5.0, 15.0, 0.0, 3.0]);
}

#[test]
fn numeric_by_categorical() {
    // region's main effect: contrasts; x:region: T \ {region} = {x} is in
    // the model → contrasts: 1 + 1 + 2 + 2 columns with θ0.
    assert_eq!(
        names("y ~ x * region"),
        [
            "x",
            "regionNorth",
            "regionSouth",
            "x:regionNorth",
            "x:regionSouth"
        ]
    );
    // Without the margin x, T \ {region} = {x} is not in the model → one
    // slope per level (3 columns).
    assert_eq!(
        names("y ~ x:region"),
        ["x:regionEast", "x:regionNorth", "x:regionSouth"]
    );
    // Written region first: the names follow the order of appearance.
    assert_eq!(
        names("y ~ region:x"),
        ["regionEast:x", "regionNorth:x", "regionSouth:x"]
    );
    // With region's margin but not x's: region:x has T \ {region} = {x},
    // absent → indicators for every level.
    assert_eq!(
        names("y ~ region + region:x"),
        [
            "regionNorth",
            "regionSouth",
            "regionEast:x",
            "regionNorth:x",
            "regionSouth:x"
        ]
    );
}

#[test]
fn categorical_by_categorical() {
    // Both margins present: (3 − 1)·(2 − 1) = 2 interaction columns.
    assert_eq!(
        names("y ~ region * g"),
        [
            "regionNorth",
            "regionSouth",
            "gb",
            "regionNorth:gb",
            "regionSouth:gb"
        ]
    );
    // No margins: both get indicators: 3·2 = 6 columns, region (first)
    // varying fastest (R gives these 6 with θ0, one of them aliased).
    assert_eq!(
        names("y ~ region:g"),
        [
            "regionEast:ga",
            "regionNorth:ga",
            "regionSouth:ga",
            "regionEast:gb",
            "regionNorth:gb",
            "regionSouth:gb"
        ]
    );
    // Nested (g within region): region's margin only. For region in
    // region:g, T \ {region} = {g} is absent → 3 indicators; for g,
    // T \ {g} = {region} is present → contrasts (b only): 2 + 3·1.
    assert_eq!(
        names("y ~ region + region:g"),
        [
            "regionNorth",
            "regionSouth",
            "regionEast:gb",
            "regionNorth:gb",
            "regionSouth:gb"
        ]
    );
    let d = Formula::parse("y ~ region:g")
        .unwrap()
        .design(&data())
        .unwrap();
    // Row 2 is North, b: only regionNorth:gb (the 5th column) is 1.
    assert_eq!(d.row(1), [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
}

#[test]
fn without_an_intercept_the_first_categorical_variable_is_full() {
    // One mean per region.
    assert_eq!(
        names("y ~ region - 1"),
        ["regionEast", "regionNorth", "regionSouth"]
    );
    // Only the first: g keeps its contrast.
    assert_eq!(
        names("y ~ region + g - 1"),
        ["regionEast", "regionNorth", "regionSouth", "gb"]
    );
    // The first term holding a categorical variable, after a numeric one.
    assert_eq!(
        names("y ~ x + region - 1"),
        ["x", "regionEast", "regionNorth", "regionSouth"]
    );
}

#[test]
fn arithmetic_in_i_and_functions() {
    let f = Formula::parse("y ~ I(x/x2) + I((x - 1)^2) + log(x + 1) + sqrt(I(2*x)) - 1").unwrap();
    assert_eq!(
        f.to_string(),
        "y ~ I(x/x2) + I((x - 1)^2) + log(x + 1) + sqrt(2*x) - 1"
    );
    assert_eq!(Formula::parse(&f.to_string()), Ok(f.clone()));
    let d = f.design(&data()).unwrap();
    assert_eq!(d.names, ["x/x2", "(x - 1)^2", "log(x + 1)", "sqrt(2*x)"]);
    // Row 3: x = 3, x2 = 5 → 3/5, (3 − 1)² = 4, ln 4, √6 (f64's own).
    assert_eq!(d.row(2), [3.0 / 5.0, 4.0, 4f64.ln(), 6f64.sqrt()]);
    // Unary minus binds looser than ^, as in R: -x^2 = −(x²).
    let neg = Formula::parse("y ~ I(-x^2)")
        .unwrap()
        .design(&data())
        .unwrap();
    assert_eq!(neg.row(1), [-4.0]);
    // A negative exponent: x^-1 = 1/x.
    let inv = Formula::parse("y ~ I(x^-1)")
        .unwrap()
        .design(&data())
        .unwrap();
    assert_eq!(inv.row(3), [0.25]);
}

#[test]
fn domain_errors_name_the_row() {
    // Line 2 of the file (data row 1) has x − 1 = 0.
    let e = Formula::parse("y ~ log(x - 1)")
        .unwrap()
        .design(&data())
        .unwrap_err();
    assert!(
        matches!(e, FormulaError::Domain { ref at, value, .. } if at == "t.csv:2" && value == 0.0),
        "{e:?}"
    );
    assert!(e.to_string().contains("log(x - 1) needs x - 1 > 0"), "{e}");
    // Division by zero: x − 1 is 0 on line 2.
    let e = Formula::parse("y ~ I(x2/(x - 1))")
        .unwrap()
        .design(&data())
        .unwrap_err();
    assert!(
        matches!(e, FormulaError::Domain { ref at, .. } if at == "t.csv:2"),
        "{e:?}"
    );
    assert!(e.to_string().contains("x2/(x - 1) needs x - 1 ≠ 0"), "{e}");
    // sqrt of a negative number, line 2: 1 − 2 = −1.
    let e = Formula::parse("y ~ sqrt(x - x2)")
        .unwrap()
        .design(&data())
        .unwrap_err();
    assert!(
        matches!(e, FormulaError::Domain { ref at, value, .. } if at == "t.csv:2" && value == -1.0),
        "{e:?}"
    );
    // A non-finite result: e^(1000·x) overflows on the first row.
    let e = Formula::parse("y ~ exp(1000*x)")
        .unwrap()
        .design(&data())
        .unwrap_err();
    assert!(matches!(e, FormulaError::Overflow { row: 1, .. }), "{e:?}");
    // A text column cannot enter arithmetic.
    let e = Formula::parse("y ~ I(region + 1)")
        .unwrap()
        .design(&data())
        .unwrap_err();
    assert!(matches!(e, FormulaError::TextInArithmetic { .. }), "{e:?}");
}

#[test]
fn syntax_errors_point_at_the_column() {
    let column = |s: &str| match Formula::parse(s) {
        Err(FormulaError::Syntax { column, .. }) => column,
        other => panic!("{s}: {other:?}"),
    };
    // `x^2` outside I() is R's interaction power, which is x itself:
    // refused at x (column 5) rather than silently fitting x.
    assert_eq!(column("y ~ x^2"), 5);
    // Removing a term that is not there: at z (column 9).
    assert_eq!(column("y ~ x - z"), 9);
    // `.` cannot interact: at the `.` of `.:x`, column 5.
    assert_eq!(column("y ~ .:x"), 5);
    // poly() inside arithmetic, column 7.
    assert_eq!(column("y ~ I(poly(x, 2))"), 7);
    // The response cannot be categorical (column 1).
    assert_eq!(column("factor(y) ~ x"), 1);
}

#[test]
fn a_transformed_response() {
    let f = Formula::parse("log(y) ~ x").unwrap();
    assert_eq!(f.response_name(), "log(y)");
    assert_eq!(f.to_string(), "log(y) ~ x");
    assert_eq!(f.columns_to_read().unwrap(), ["y", "x"]);
    let d = f.design(&data()).unwrap();
    assert_eq!(d.response, "log(y)");
    // y = 1, 2, …, 6 → ln y.
    let want: Vec<f64> = (1..=6).map(|v| f64::from(v).ln()).collect();
    assert_eq!(d.y, want);
    let scaled = Formula::parse("I(y/1000) ~ x").unwrap();
    assert_eq!(scaled.response_name(), "I(y/1000)");
    assert_eq!(scaled.design(&data()).unwrap().y[2], 0.003);
    // y is on the left: it cannot be a term, and `.` leaves it out.
    assert!(matches!(
        Formula::parse("sqrt(y) ~ y").unwrap().design(&data()),
        Err(FormulaError::ResponseOnBothSides { .. })
    ));
    let dot = Formula::parse("sqrt(y) ~ .").unwrap();
    assert_eq!(
        dot.feature_names(&data()).unwrap(),
        ["x", "x2", "regionNorth", "regionSouth", "gb"]
    );
}

#[test]
fn a_transformed_response_predicts_without_it() {
    // log(y) = 2·x exactly on these rows (y = e^(2x)), so the exact fit
    // is θ = (0, 2) and predictions are on the log scale: 2·x.
    let rows: String = (1..=5)
        .map(|x| format!("{},{x}\n", (2.0 * f64::from(x)).exp()))
        .collect();
    let train = table(&format!("y,x\n{rows}"));
    let fit = LinearRegression::new("log(y) ~ x")
        .unwrap()
        .fit_exact(&train)
        .unwrap();
    assert!((fit.theta()[1] - 2.0).abs() < 1e-12, "{:?}", fit.theta());
    // New rows without the response column at all.
    let new = table("x\n10\n0.5\n");
    let p = fit.predict(&new).unwrap();
    assert!(
        (p[0] - 20.0).abs() < 1e-10 && (p[1] - 1.0).abs() < 1e-12,
        "{p:?}"
    );
}

#[test]
fn new_rows_keep_the_fitted_coding_in_interactions() {
    let f = Formula::parse("y ~ x:region").unwrap();
    let coding = f.coding(&data()).unwrap();
    // Only North appears in the new rows: still three columns.
    let new = table("y,x,region\n0,2,North\n");
    let d = f.design_coded(&new, &coding).unwrap();
    assert_eq!(d.names, ["x:regionEast", "x:regionNorth", "x:regionSouth"]);
    assert_eq!(d.x, [0.0, 2.0, 0.0]);
    // Only the formula's columns are read (g is not).
    assert_eq!(
        Formula::parse("log(y) ~ x * region + I(x2/x)")
            .unwrap()
            .columns_to_read()
            .unwrap(),
        ["y", "x", "region", "x2"]
    );
}

#[test]
fn poly_is_rs_orthogonal_basis_and_predict_reuses_it() {
    // x = 1..6 (the x column): α0 = 3.5, p1 = x − 3.5, ‖p1‖² = 17.5;
    // α1 = Σ x·p1² / 17.5 = 61.25/17.5 = 3.5, p2 = (x − 3.5)·p1 − 17.5/6,
    // i.e. (25/4 − 35/12, …) = (10/3, −2/3, −8/3, −8/3, −2/3, 10/3),
    // ‖p2‖² = 2·(100 + 4 + 64)/9 = 112/3. R's poly(1:6, 2) is p1/√17.5
    // and p2/√(112/3) (hand derivation of the recurrence).
    let f = Formula::parse("y ~ poly(x, 2)").unwrap();
    let d = f.design(&data()).unwrap();
    assert_eq!(d.names, ["poly(x, 2)1", "poly(x, 2)2"]);
    let p1 = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5].map(|v: f64| v / 17.5f64.sqrt());
    let p2 = [10.0, -2.0, -8.0, -8.0, -2.0, 10.0].map(|v: f64| v / 3.0 / (112.0f64 / 3.0).sqrt());
    for i in 0..6 {
        assert!((d.row(i)[0] - p1[i]).abs() < 1e-15, "row {i}");
        assert!((d.row(i)[1] - p2[i]).abs() < 1e-15, "row {i}");
    }
    // The basis is the fit's: new rows are evaluated with it, not refitted
    // (x = 7 is outside the fitted range: p1 = 3.5/√17.5).
    let coding = f.coding(&data()).unwrap();
    assert_eq!(coding.poly["poly(x, 2)"].alpha, [3.5, 3.5]);
    let new = table("x\n7\n");
    let row = f.design_predictors(&new, &coding).unwrap();
    assert!((row.x[0] - 3.5 / 17.5f64.sqrt()).abs() < 1e-15);
    // p2(7) = (7 − 3.5)·3.5 − 17.5/6 = 12.25 − 35/12 = 112/12.
    assert!((row.x[1] - 112.0 / 12.0 / (112.0f64 / 3.0).sqrt()).abs() < 1e-14);
    // A model without the basis (fitted from a stream) cannot predict.
    let none = f.design_predictors(&new, &Default::default()).unwrap_err();
    assert!(matches!(none, FormulaError::NoBasis { .. }), "{none:?}");
    // As R: the degree must be below the number of distinct points.
    let e = Formula::parse("y ~ poly(x, 6)").unwrap().design(&data());
    assert!(matches!(e, Err(FormulaError::PolyBasis { .. })), "{e:?}");
    // Raw powers as before, with raw = TRUE.
    assert_eq!(names("y ~ poly(x, 3, raw = TRUE)"), ["x", "x^2", "x^3"]);
}

#[test]
fn dot_minus_a_column_leaves_it_out() {
    // R's idiom for an id column: every other column, the id left out,
    // and not read either (a missing x2 cell would not drop a row).
    let f = Formula::parse("y ~ . - x2 - g").unwrap();
    assert_eq!(
        f.feature_names(&data()).unwrap(),
        ["x", "regionNorth", "regionSouth"]
    );
    let all: Vec<String> = ["y", "x", "x2", "region", "g"].map(String::from).to_vec();
    assert_eq!(f.columns_used(&all), ["y", "x", "region"]);
    // Without `.`, removing a column that is not a term is an error.
    assert!(matches!(
        Formula::parse("y ~ x - x2"),
        Err(FormulaError::Syntax { column: 9, .. })
    ));
}

//! A table as people keep it (`tests/data/tables/houses.csv`: an id column,
//! a text column, free text with empty cells, an empty response): only the
//! formula's columns are read, text is categorical under R's treatment
//! coding, and new rows are coded with the fitted levels.

use std::path::PathBuf;

use chainrule::data::{read_csv, ReadOptions};
use chainrule::model::formula::Formula;
use chainrule::{Dataset, LinearRegression};

fn houses(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/tables")
        .join(name)
}

/// The file read for `formula`, rows with a missing used cell dropped.
fn read_for(file: &str, formula: &str) -> (Dataset, usize) {
    let f = Formula::parse(formula).unwrap();
    let opts = ReadOptions {
        only: f.columns_to_read(),
        drop_missing: true,
        ..ReadOptions::default()
    };
    let (data, report) = read_csv(&houses(file), &opts).unwrap();
    (data, report.rows_dropped)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn one_factor_gives_the_group_means() {
    let (data, dropped) = read_for("houses.csv", "price ~ region");
    // Only H06 (empty price) is dropped: the empty notes are never read.
    assert_eq!((dropped, data.n_rows()), (1, 9));
    let fit = LinearRegression::new("price ~ region")
        .unwrap()
        .fit_exact(&data)
        .unwrap();
    assert_eq!(fit.names(), ["θ0", "regionSouth", "regionWest"]);
    // Treatment coding, closed form: θ0 = mean(North) = 605/3, θk = mean(k)
    // − mean(North): South 790/3 − 605/3 = 185/3, West 280 − 605/3 = 235/3
    // (group sums in tests/data/tables/README.md).
    let want = [605.0 / 3.0, 185.0 / 3.0, 235.0 / 3.0];
    for (t, w) in fit.theta().iter().zip(want) {
        assert!(close(*t, w), "{:?} vs {want:?}", fit.theta());
    }
}

#[test]
fn coding_equals_indicator_columns_made_by_hand() {
    let formula = "price ~ area + C(region, ref = \"West\")";
    let (data, _) = read_for("houses.csv", formula);
    let coded = LinearRegression::new(formula)
        .unwrap()
        .fit_exact(&data)
        .unwrap();
    // The same model from numbers only: indicators of North and South
    // written out, West the reference.
    let region = &data.text_column("region").unwrap().values;
    let is = |level: &str| -> Vec<f64> {
        region
            .iter()
            .map(|r| f64::from(u8::from(r == level)))
            .collect()
    };
    let by_hand = Dataset::new(
        vec!["price".into(), "area".into(), "n".into(), "s".into()],
        vec![
            data.column("price").unwrap().to_vec(),
            data.column("area").unwrap().to_vec(),
            is("North"),
            is("South"),
        ],
    )
    .unwrap();
    let numeric = LinearRegression::new("price ~ area + n + s")
        .unwrap()
        .fit_exact(&by_hand)
        .unwrap();
    assert_eq!(
        coded.names(),
        ["θ0", "area", "C(region)North", "C(region)South"]
    );
    for (a, b) in coded.theta().iter().zip(numeric.theta()) {
        assert!(
            close(*a, *b),
            "{:?} vs {:?}",
            coded.theta(),
            numeric.theta()
        );
    }
}

#[test]
fn new_rows_are_coded_with_the_fitted_levels() {
    let (data, _) = read_for("houses.csv", "price ~ area + region");
    let fit = LinearRegression::new("price ~ area + region")
        .unwrap()
        .fit_exact(&data)
        .unwrap();
    let (new, _) = read_csv(&houses("new_houses.csv"), &ReadOptions::default()).unwrap();
    // Line 4 (N03) has the region Central, which the fit never saw.
    let err = fit.predict(&new).unwrap_err().to_string();
    assert!(
        err.contains("new_houses.csv:4")
            && err.contains("\"Central\"")
            && err.contains("North, South, West"),
        "{err}"
    );
    // The first two rows alone: z1 = θ0 + θ_area·area + θ_West·[West].
    let mut two = new.clone();
    two.columns.iter_mut().for_each(|c| c.truncate(2));
    two.text.iter_mut().for_each(|t| t.values.truncate(2));
    two.lines.truncate(2);
    let z1 = fit.predict(&two).unwrap();
    let t = fit.theta();
    assert!(close(z1[0], t[0] + t[1] * 72.0), "{z1:?}");
    assert!(close(z1[1], t[0] + t[1] * 95.0 + t[3]), "{z1:?}");
}

//! `argmax_rows` with zero columns: values that cannot be whole rows of 0 are refused as the
//! doc promises ("a value count that is not a whole number of rows" is an error), instead of
//! silently giving no predictions for them; no values with zero columns still gives none.

use synchgraph::report::argmax_rows;

#[test]
fn zero_columns_with_values_is_an_error() {
    let r = argmax_rows(&[0.5, 1.0, 2.0], 0, "logits");
    let err = r.expect_err("3 values with 0 columns gave predictions");
    assert!(err.to_string().contains("logits"), "{err}");
    assert_eq!(argmax_rows(&[], 0, "logits").unwrap(), Vec::<u32>::new());
}

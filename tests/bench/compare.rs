//! Comparing saved benchmark reports (no device): a row whose name the old report holds only at
//! another size is not passed off as a new row, a report cut short (`"complete": false`) is
//! named as such above the comparison, and a report of a format version this reader does not
//! know is refused instead of being read as the current one.

use serde_json::{json, Value};
use synchgraph::bench::compare::{compare, Verdict};
use synchgraph::bench::{compare_saved, BenchReport};

use crate::support::{saved_report, write};

/// A saved report of rows given as (name, size, median ms), each with a 1 % spread.
fn report(rows: &[(&str, &str, f64)]) -> Value {
    let rows: Vec<_> = rows
        .iter()
        .map(|&(n, size, ms)| (n, size, ms, 0.01))
        .collect();
    saved_report(&rows)
}

fn load(name: &str, v: &Value) -> BenchReport {
    BenchReport::load(&write(name, v)).unwrap()
}

#[test]
fn a_row_held_by_the_old_report_at_another_size_is_named_as_resized() {
    let old = load(
        "resized-old.json",
        &report(&[
            ("add", "1M f32", 1.0),
            ("matmul_nn", "1024x1024x1024", 5.0),
            ("matmul_nn", "2048x2048x2048", 40.0),
        ]),
    );
    let new = load(
        "resized-new.json",
        &report(&[
            ("add", "2M f32", 2.0),
            ("matmul_nn", "256x256x256", 0.1),
            ("cast", "1M f32", 1.0),
        ]),
    );
    let c = compare(&old, &new);
    let row = |n: &str| c.rows.iter().find(|r| r.name == n).unwrap();
    // No ratio across sizes, but not a new row either: the old report's sizes are named.
    assert_eq!(row("add").ratio, None);
    assert_eq!(row("add").verdict, Verdict::New);
    assert_eq!(row("add").old_sizes, ["1M f32"]);
    assert_eq!(
        row("matmul_nn").old_sizes,
        ["1024x1024x1024", "2048x2048x2048"]
    );
    assert!(row("cast").old_sizes.is_empty());
    let text = c.to_string();
    let line = |n: &str| {
        text.lines()
            .find(|l| l.starts_with(n))
            .unwrap_or_else(|| panic!("no {n} line:\n{text}"))
            .to_string()
    };
    assert!(
        line("add").contains("old report has it at 1M f32"),
        "{}",
        line("add")
    );
    assert!(
        line("matmul_nn").contains("1024x1024x1024, 2048x2048x2048"),
        "{}",
        line("matmul_nn")
    );
    assert!(!line("cast").contains("old report"), "{}", line("cast"));
    assert!(
        text.contains("2 row(s) of this run held by the old report at another size only"),
        "{text}"
    );
}

#[test]
fn a_report_cut_short_is_named_above_the_comparison() {
    let old = write("short-old.json", &{
        let mut v = report(&[("add", "1M f32", 1.0)]);
        v["complete"] = json!(false);
        v
    });
    let new = write("short-new.json", &report(&[("add", "1M f32", 1.0)]));
    let mut out = Vec::new();
    compare_saved(&old, &new, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let header: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("name"))
        .collect();
    assert!(
        header
            .iter()
            .any(|l| l.contains(&old.display().to_string()) && l.contains("incomplete")),
        "{text}"
    );
    assert!(
        !header
            .iter()
            .any(|l| l.contains("incomplete") && l.contains(&new.display().to_string())),
        "{text}"
    );
    // Both complete: no such line.
    let mut out = Vec::new();
    compare_saved(&new, &new, &mut out).unwrap();
    assert!(!String::from_utf8(out).unwrap().contains("incomplete"));
}

#[test]
fn a_report_of_another_format_version_is_refused() {
    let mut v = report(&[("add", "1M f32", 1.0)]);
    v["schema"] = json!(2);
    let path = write("schema2.json", &v);
    let e = BenchReport::load(&path).unwrap_err().to_string();
    assert!(e.contains("schema 2") && e.contains("schema 1"), "{e}");
    v["schema"] = json!(1);
    let path = write("schema1.json", &v);
    assert!(BenchReport::load(&path).is_ok());
}

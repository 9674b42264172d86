//! The `metrics.json` entries that every training and evaluation command shares, so that the
//! runs of different commands read alike: where and how they ran (`engine`, `adapter`,
//! `command`) and, for classifiers, the test results (`test_accuracy`, `unweighted_accuracy`,
//! `per_class_recall`, `confusion`, `classes`).

use serde_json::{json, Map, Value};
use synchgraph::report::Confusion;
use synchgraph::Gpu;

/// `engine` (crate version, the commit built and whether it had uncommitted edits), `adapter`
/// (the full adapter report: name, backend, device type, driver, limits) and `command` (the
/// command line, see [`command_line`]).
pub fn provenance(gpu: &Gpu) -> Value {
    json!({
        "engine": synchgraph::report::provenance::engine_json(),
        "adapter": gpu.info().adapter,
        "command": command_line(),
    })
}

/// The command line of this process, arguments separated by spaces and each quoted for a POSIX
/// shell where it holds anything but letters, digits and `-_./=:,+@%` (so an argument with a
/// space stays one). An argument that is not valid UTF-8 is recorded with U+FFFD in place of
/// its bad bytes, never a panic (`std::env::args` panics on one).
pub fn command_line() -> String {
    std::env::args_os()
        .map(|a| shell_quoted(&a.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `arg` as one POSIX shell word: as it is when it needs no quoting, else in single quotes
/// (a single quote inside written `'\''`).
fn shell_quoted(arg: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !arg.is_empty() && arg.chars().all(plain) {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// A classifier's test results: accuracy, unweighted accuracy (the mean of the per-class
/// recalls), recall per class name (null for a class without test clips), the confusion matrix
/// (rows true, columns predicted) and the class names.
pub fn classifier(classes: &[String], confusion: &Confusion) -> Value {
    let recall: Map<String, Value> = classes
        .iter()
        .zip(confusion.per_class_recall())
        .map(|(c, r)| (c.clone(), json!(r)))
        .collect();
    json!({
        "test_accuracy": confusion.accuracy(),
        "unweighted_accuracy": confusion.unweighted_accuracy(),
        "per_class_recall": recall,
        "confusion": confusion.counts,
        "classes": classes,
    })
}

/// The metrics of a classifier run: [`classifier`] and [`provenance`], then the command's own
/// `extra` entries, which win where a key repeats (a k-fold run's `test_accuracy` is the mean
/// over its folds, not the accuracy of the pooled confusion).
pub fn classifier_metrics(
    gpu: &Gpu,
    classes: &[String],
    confusion: &Confusion,
    extra: Value,
) -> Value {
    let mut v = classifier(classes, confusion);
    extend(&mut v, provenance(gpu));
    extend(&mut v, extra);
    v
}

/// Add the entries of the object `part` to the object `target`, replacing repeated keys.
pub fn extend(target: &mut Value, part: Value) {
    if let (Some(o), Value::Object(p)) = (target.as_object_mut(), part) {
        o.extend(p);
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quoted;

    #[test]
    fn arguments_are_quoted_only_where_a_shell_needs_it() {
        assert_eq!(shell_quoted("--out"), "--out");
        assert_eq!(shell_quoted("a/b-1.5,x=y"), "a/b-1.5,x=y");
        assert_eq!(shell_quoted(""), "''");
        assert_eq!(shell_quoted("my run"), "'my run'");
        assert_eq!(shell_quoted("it's"), "'it'\\''s'");
        assert_eq!(shell_quoted("$HOME"), "'$HOME'");
    }
}

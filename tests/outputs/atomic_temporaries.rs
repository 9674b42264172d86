//! `write_atomic` creates its temporary file new: a file that already has the temporary name
//! (another writer's, such as a process with the same pid in another container sharing the
//! folder) is never opened, truncated or renamed; the write moves on to the next name, and after
//! a bounded number of taken names fails with an error naming the target. The two scenarios run
//! in one test, in a child process that runs only that test, so that no other write of the
//! process moves the temporary-name counter between reading the next names and writing (the
//! other tests of this binary write files in parallel).

use crate::common;
use std::path::PathBuf;

use synchgraph::report::atomic::{next_temporary_paths, TEMPORARY_ATTEMPTS};
use synchgraph::report::write_atomic;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-outputs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Pre-create `names` with distinct contents; return the contents.
fn occupy(names: &[PathBuf]) -> Vec<Vec<u8>> {
    names
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let bytes = format!("another writer's partial file {k}").into_bytes();
            std::fs::write(p, &bytes).unwrap();
            bytes
        })
        .collect()
}

fn assert_untouched(names: &[PathBuf], contents: &[Vec<u8>]) {
    for (p, want) in names.iter().zip(contents) {
        assert_eq!(
            &std::fs::read(p).unwrap_or_else(|e| panic!("{} is gone: {e}", p.display())),
            want,
            "{} was overwritten",
            p.display()
        );
    }
}

/// Set in the child process that runs the scenario alone.
const ALONE: &str = "SYNCHGRAPH_TEST_ATOMIC_ALONE";

#[test]
fn write_atomic_never_opens_a_temporary_name_that_exists() {
    if std::env::var_os(ALONE).is_some() {
        taken_names_scenario();
        return;
    }
    common::run_test_alone(
        module_path!(),
        "write_atomic_never_opens_a_temporary_name_that_exists",
        ALONE,
    );
}

fn taken_names_scenario() {
    let d = scratch("taken");
    let target = d.join("metrics.json");

    // The next three names are taken: the write uses the fourth and leaves the three alone.
    let taken = next_temporary_paths(&target, 3).unwrap();
    assert!(taken.iter().all(|p| p.parent() == Some(d.as_path())));
    let contents = occupy(&taken);
    write_atomic(&target, b"{\"new\": 1}").unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"{\"new\": 1}");
    assert_untouched(&taken, &contents);

    // Every name one write may try is taken: it fails, naming the target, changes nothing and
    // removes none of the other writer's files.
    let all = next_temporary_paths(&target, TEMPORARY_ATTEMPTS).unwrap();
    let contents_all = occupy(&all);
    let err = write_atomic(&target, b"{\"newer\": 2}")
        .unwrap_err()
        .to_string();
    assert!(err.contains(&target.display().to_string()), "{err}");
    assert!(err.contains("temporary"), "{err}");
    assert_eq!(std::fs::read(&target).unwrap(), b"{\"new\": 1}");
    assert_untouched(&all, &contents_all);
    assert_untouched(&taken, &contents);

    // Those files belong to a live process (this one), so a later successful write keeps them
    // too; it uses the name after the ones tried.
    write_atomic(&target, b"{\"newest\": 3}").unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"{\"newest\": 3}");
    assert_untouched(&all, &contents_all);
    let _ = std::fs::remove_dir_all(&d);
}

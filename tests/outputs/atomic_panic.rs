//! `write_atomic_with` removes its temporary file on any failure, a panic of the writing
//! closure included: a caught panic leaves the folder as it was, the old file whole and no
//! `.tmp` file behind (the process lives on, so no later write takes it for a dead writer's).

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};

use synchgraph::report::{write_atomic, write_atomic_with};

#[test]
fn a_panicking_writer_leaves_no_temporary_file_and_the_old_file_whole() {
    let dir = std::env::temp_dir().join(format!("sg-atomic-panic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("record.csv");
    write_atomic(&path, b"good\n").unwrap();
    let caught = catch_unwind(AssertUnwindSafe(|| {
        write_atomic_with(&path, |w| {
            w.write_all(b"partial")?;
            w.flush()?;
            panic!("the writer failed half-way");
        })
    }));
    assert!(caught.is_err(), "the panic should reach the caller");
    assert_eq!(std::fs::read(&path).unwrap(), b"good\n");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["record.csv".to_string()], "left in the folder");
    // An ordinary error still removes it too.
    let err = write_atomic_with(&path, |w| {
        w.write_all(b"partial")?;
        Err(std::io::Error::other("refused"))
    });
    assert!(err.is_err());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

//! `write_atomic` writes a target whose name is near the file system's 255-byte limit: its
//! temporary file, named after the target plus a pid, a counter and `.tmp`, must still be a
//! name the file system takes.

use synchgraph::report::atomic::next_temporary_paths;
use synchgraph::report::write_atomic;

#[test]
fn a_target_with_a_name_near_the_limit_is_written() {
    let dir = std::env::temp_dir().join(format!("sg-atomic-long-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // 250 bytes, multi-byte characters at the cut included: a valid name on Linux file systems.
    let name = format!("{}{}.csv", "r".repeat(198), "é".repeat(24));
    assert_eq!(name.len(), 250);
    let path = dir.join(&name);
    std::fs::write(&path, b"old").expect("the file system takes the name itself");
    write_atomic(&path, b"new").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "a temporary file is left"
    );
    for tmp in next_temporary_paths(&path, 2).unwrap() {
        let n = tmp.file_name().unwrap().len();
        assert!(n <= 255, "temporary name of {n} bytes");
        assert_eq!(tmp.parent(), Some(dir.as_path()));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

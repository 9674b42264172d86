//! A file replaced by an atomic write keeps its permissions: a model or metrics file that its
//! owner made private is not left readable by everyone after the next run writes over it.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;

use synchgraph::report::write_atomic;

#[test]
fn a_file_written_over_keeps_its_permissions() {
    let dir = std::env::temp_dir().join(format!("synchgraph-atomic-mode-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    write_atomic(&path, b"first").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    write_atomic(&path, b"second").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"second");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o} after writing over a 0600 file");
    std::fs::remove_dir_all(&dir).unwrap();
}

//! The temporary file of an atomic write over a private file is private while it is written.
//! The old file's permissions were passed on only after the contents were written, so for the
//! whole write a model its owner had made 0600 sat in a temporary file readable by everyone
//! (0644 under the usual umask), and a reader could open it then and keep reading.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;

use synchgraph::report::write_atomic_with;

/// While `write` runs, the temporary file already has the 0600 mode of the file it replaces.
#[test]
fn the_temporary_file_has_the_old_mode_while_it_is_written() {
    let dir = std::env::temp_dir().join(format!("sg-atomic-private-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    std::fs::write(&path, b"old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut during = 0;
    write_atomic_with(&path, |w| {
        during = w.get_ref().metadata()?.permissions().mode() & 0o777;
        std::io::Write::write_all(w, b"new")
    })
    .unwrap();
    assert_eq!(
        during, 0o600,
        "the temporary file was {during:o} while written"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"new");
    // A read-only old file makes the temporary file read-only too, which must not stop the
    // write that already holds it open.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    synchgraph::report::write_atomic(&path, &[7u8; 100_000]).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), vec![7u8; 100_000]);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444);
    std::fs::remove_dir_all(&dir).unwrap();
}

//! `write_atomic` into a folder that does not exist says that the folder is missing. The error
//! read "I/O error on out/model.safetensors: No such file or directory", which names the file
//! to be written as the thing that is missing; a file in the folder's place gave "Not a
//! directory".

use synchgraph::report::write_atomic;

/// The error names the missing folder (or the file in its place), and nothing is created.
#[test]
fn a_missing_target_folder_is_named() {
    let base = std::env::temp_dir().join(format!("sg-atomic-missing-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let folder = base.join("not-made");
    let err = write_atomic(&folder.join("model.safetensors"), b"x").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("folder") && text.contains(&folder.display().to_string()),
        "{text}"
    );
    assert!(!folder.exists());
    // A "folder" that is a file is named as such.
    let file = base.join("a-file");
    std::fs::write(&file, b"kept").unwrap();
    let text = write_atomic(&file.join("model.safetensors"), b"x")
        .unwrap_err()
        .to_string();
    assert!(text.contains("is not a folder"), "{text}");
    assert_eq!(std::fs::read(&file).unwrap(), b"kept");
    std::fs::remove_dir_all(&base).unwrap();
}

//! The README's "Structure" section names every folder of `src/`, `tests/` and `benches/`, and
//! every `src/` or `tests/` folder it names exists.

use std::path::Path;

fn structure_section() -> String {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let start = readme.find("## Structure").expect("a Structure section");
    let rest = &readme[start + 2..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    rest[..end].to_string()
}

fn subfolders(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.') && n != "__pycache__")
        .collect();
    names.sort();
    names
}

#[test]
fn structure_names_every_source_test_and_bench_folder() {
    let text = structure_section();
    let mut missing = Vec::new();
    for name in subfolders("src") {
        if !text.contains(&format!("`src/{name}/`")) {
            missing.push(format!("src/{name}/"));
        }
    }
    for name in subfolders("tests") {
        if !text.contains(&format!("`tests/{name}/`")) {
            missing.push(format!("tests/{name}/"));
        }
    }
    for name in subfolders("benches") {
        if !text.contains(&format!("`{name}/`")) {
            missing.push(format!("benches/{name}/"));
        }
    }
    assert!(
        missing.is_empty(),
        "the README's Structure section does not name {missing:?}"
    );
}

#[test]
fn folders_the_structure_names_exist() {
    let text = structure_section();
    for part in text.split('`').skip(1).step_by(2) {
        if (part.starts_with("src/") || part.starts_with("tests/")) && part.ends_with('/') {
            assert!(
                Path::new(part).is_dir(),
                "the README names {part}, which does not exist"
            );
        }
    }
}

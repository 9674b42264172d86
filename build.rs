//! Records which code the engine is built from, so every metrics file and bench report can name
//! it: the git commit (`SYNCHGRAPH_COMMIT`, `unknown` outside a git checkout) and whether the
//! engine's sources differ from that commit (`SYNCHGRAPH_BUILD`: the commit, followed by
//! `, modified` when `src/`, `shaders/`, `build.rs` or the manifests have uncommitted edits).

use std::path::Path;
use std::process::Command;

/// The files whose edits change what the engine computes.
const SOURCES: [&str; 5] = ["src", "shaders", "build.rs", "Cargo.toml", "Cargo.lock"];

fn git(args: &[&str]) -> Option<String> {
    Command::new("git")
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
}

fn main() {
    let commit = git(&["rev-parse", "HEAD"])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let modified = commit.is_some()
        && git(&[&["status", "--porcelain", "--"][..], &SOURCES[..]].concat())
            .is_some_and(|s| !s.trim().is_empty());
    let commit = commit.unwrap_or_else(|| "unknown".to_string());
    let build = if modified {
        format!("{commit}, modified")
    } else {
        commit.clone()
    };
    println!("cargo:rustc-env=SYNCHGRAPH_COMMIT={commit}");
    println!("cargo:rustc-env=SYNCHGRAPH_BUILD={build}");
    println!(
        "cargo:rustc-env=SYNCHGRAPH_MODIFIED={}",
        if modified { "true" } else { "false" }
    );
    // A new commit moves HEAD or the branch it names, and an edit to the sources changes the
    // modified flag; rebuild the stamp then.
    for path in [".git/HEAD", ".git/refs/heads", ".git/packed-refs"]
        .into_iter()
        .chain(SOURCES)
    {
        if Path::new(path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

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
    // modified flag; rebuild the stamp then. HEAD lives in the git folder of this checkout and
    // the branches in the common one: the same `.git` folder, except in a linked worktree,
    // whose `.git` is a file naming its own folder.
    let dir = |arg: &str| git(&["rev-parse", arg]).map(|s| s.trim().to_string());
    let (own, common) = (dir("--git-dir"), dir("--git-common-dir"));
    let mut watched: Vec<String> = Vec::new();
    if let Some(own) = &own {
        watched.push(format!("{own}/HEAD"));
    }
    if let Some(common) = common.as_ref().or(own.as_ref()) {
        watched.push(format!("{common}/refs/heads"));
        watched.push(format!("{common}/packed-refs"));
    }
    watched.extend(SOURCES.iter().map(|s| s.to_string()));
    for path in watched {
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

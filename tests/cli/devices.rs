//! The command-line tool: adapter listing, the missing-GPU error and the build stamp.

use std::process::{Command, Stdio};

fn synchgraph() -> Command {
    Command::new(env!("CARGO_BIN_EXE_synchgraph"))
}

#[test]
fn devices_lists_at_least_one_adapter_with_its_limits() {
    let out = synchgraph().args(["devices", "--json"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &list.as_array().expect("a JSON list")[0];
    for key in [
        "name",
        "backend",
        "device_type",
        "driver",
        "features",
        "max_storage_buffer_binding_size",
    ] {
        assert!(first.get(key).is_some(), "devices --json lacks {key}");
    }
}

#[test]
fn a_closed_stdout_ends_quietly_not_with_a_panic() {
    // The reader is gone before the first write (`synchgraph devices | head -0`).
    for args in [&["devices"][..], &["devices", "--json"][..]] {
        let mut child = synchgraph()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn no_adapter_gives_an_install_hint_not_a_panic() {
    // Restricting wgpu to a backend this platform lacks leaves no adapter at all.
    let out = synchgraph()
        .arg("demo")
        .env("WGPU_BACKEND", crate::common::cli::ABSENT_BACKEND)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no GPU adapter found"), "{err}");
    assert!(err.contains("mesa-vulkan-drivers"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn an_unknown_adapter_name_lists_the_real_ones() {
    let out = synchgraph()
        .args(["demo", "--adapter", "no-such-gpu"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("adapter 'no-such-gpu' not found"), "{err}");
}

#[test]
fn demo_runs_and_checks_itself_against_the_cpu() {
    let out = synchgraph()
        .args(["demo", "--size", "5000"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("max |gpu - cpu|"), "{text}");
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    // The stamp is `git rev-parse HEAD` at build time; cargo rebuilds it when HEAD moves, so it
    // matches the checkout the tests run in (or `unknown` outside a git checkout).
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let commit = synchgraph::report::provenance::COMMIT;
    match head {
        Some(h) => assert_eq!(commit, h),
        None => assert_eq!(commit, "unknown"),
    }
    // The modified flag follows `git status` over the engine's sources, which cargo also
    // watches, so a test build made after an edit carries the edit's flag.
    let modified = Command::new("git")
        .args(["status", "--porcelain", "--"])
        .args(["src", "shaders", "build.rs", "Cargo.toml", "Cargo.lock"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .is_some_and(|o| !String::from_utf8_lossy(&o.stdout).trim().is_empty());
    assert_eq!(synchgraph::report::provenance::MODIFIED, modified);
    let engine = synchgraph::report::provenance::engine_json();
    assert_eq!(engine["modified"], serde_json::json!(modified));
    let out = synchgraph().arg("--version").output().unwrap();
    assert!(out.status.success());
    let version = String::from_utf8_lossy(&out.stdout);
    let suffix = if modified { ", modified" } else { "" };
    assert_eq!(
        version.trim(),
        format!(
            "synchgraph {} ({commit}{suffix})",
            env!("CARGO_PKG_VERSION")
        )
    );
}

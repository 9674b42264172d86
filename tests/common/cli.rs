//! Fixtures of the tests that run the `synchgraph` binary: scratch folders, runs with a time
//! limit, assertions on clean failures, and small generated feature data sets.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use synchgraph::data::emotion_features::npy_bytes;
use synchgraph::features::FrameMatrix;

/// A `WGPU_BACKEND` value naming a backend this platform lacks, so that wgpu finds no adapter:
/// Metal everywhere but Apple platforms, DX12 there.
pub const ABSENT_BACKEND: &str = if cfg!(target_vendor = "apple") {
    "dx12"
} else {
    "metal"
};

/// The binary under test.
pub fn synchgraph() -> Command {
    Command::new(env!("CARGO_BIN_EXE_synchgraph"))
}

/// A fresh scratch folder `sg-<suite>-<pid>-<name>` for one test.
pub fn scratch(suite: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sg-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A path as a command-line argument.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Write `bytes` to `p`, creating its folder.
pub fn write(p: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// Run with `args` and extra environment variables, killing the process after `secs` seconds
/// (a hang fails the test).
pub fn run_for(args: &[&str], envs: &[(&str, &str)], secs: u64) -> Output {
    let mut child = synchgraph()
        .args(args)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(secs) {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{args:?} still running after {secs} s; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Assert a clean failure (exit 1 or 2, no panic) whose stderr holds every needle.
pub fn fails_with(out: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(1) | Some(2)),
        "expected exit 1 or 2, got {:?}; stderr: {err}",
        out.status.code()
    );
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "'{n}' missing from: {err}");
    }
}

/// Assert a successful run.
pub fn succeeds(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what}: {:?}; stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A `rows` x `cols` matrix of varied finite values.
pub fn matrix(rows: usize, cols: usize, seed: usize) -> FrameMatrix {
    FrameMatrix {
        rows,
        cols,
        data: (0..rows * cols)
            .map(|k| ((k * 7 + seed * 13) % 11) as f32 * 0.1)
            .collect(),
    }
}

/// A features layout of `.npy` clips (20 frames x 4 features, clip k filled from seed k) at
/// `dir/<class>/<name>.npy` for each (class, name) of `clips`.
pub fn npy_clips(dir: &Path, clips: &[(&str, &str)]) {
    for (k, (class, name)) in clips.iter().enumerate() {
        write(
            &dir.join(format!("{class}/{name}.npy")),
            npy_bytes(&matrix(20, 4, k)),
        );
    }
}

/// A features layout of `per` `.npy` clips (20 frames x `cols`) in each of two classes.
pub fn npy_dataset(dir: &Path, per: usize, cols: usize) {
    for (c, class) in ["a", "b"].iter().enumerate() {
        for k in 0..per {
            write(
                &dir.join(format!("{class}/clip{k}.npy")),
                npy_bytes(&matrix(20, cols, c * 10 + k)),
            );
        }
    }
}

/// A tiny L-GrIN model (`--folds 2 --epochs 1 --hidden 8`) trained on an [`npy_dataset`] of
/// two clips of 3 columns per class (`a` and `b`) written to `d/data`; returns its folder,
/// `d/model`.
pub fn tiny_npy_model(d: &Path) -> PathBuf {
    let data = d.join("data");
    npy_dataset(&data, 2, 3);
    let model = d.join("model");
    let train = lgrin_args(
        s(&data),
        s(&model),
        &["--folds", "2", "--epochs", "1", "--hidden", "8"],
    );
    succeeds(&run_for(&train, &[], 120), "train lgrin");
    model
}

/// `train lgrin` on `data` with small batches, one iteration per epoch and (unless `extra`
/// names it) 4 nodes.
pub fn lgrin_args<'a>(data: &'a str, out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "train",
        "lgrin",
        "--data",
        data,
        "--batch",
        "2",
        "--iters-per-epoch",
        "1",
        "--out",
        out,
    ];
    a.extend_from_slice(extra);
    if !extra.contains(&"--nodes") {
        a.extend_from_slice(&["--nodes", "4"]);
    }
    a
}

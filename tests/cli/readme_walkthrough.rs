//! README claims a new user meets on a first walk through it that no other test pins: the
//! bundled EmoDB example the first command trains on, the commands that run without any GPU
//! adapter ("all but `features` and `bench --from`"), and `predict` taking one file or folder.

use std::collections::BTreeMap;

use crate::common;
use common::cli::{fails_with, run_for, s, scratch, succeeds, ABSENT_BACKEND};

/// wgpu restricted to a backend this platform lacks: no adapter at all.
const NO_ADAPTER: &[(&str, &str)] = &[("WGPU_BACKEND", ABSENT_BACKEND)];

/// The README with every run of white space (line breaks included) read as one space.
fn readme() -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// README (first paragraph): the first command trains "on the bundled EmoDB example (41 clips,
/// `assets/examples/emodb`: train on speakers 03 and 13, test on speaker 14)".
#[test]
fn the_bundled_example_holds_the_clips_and_speakers_the_readme_names() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/emodb");
    let mut speakers = BTreeMap::<String, usize>::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".wav") {
            *speakers.entry(name[..2].to_string()).or_default() += 1;
        }
    }
    let clips: usize = speakers.values().sum();
    let text = readme();
    let claim = format!(
        "({clips} clips, `assets/examples/emodb`: train on speakers 03 and 13, test on speaker 14)"
    );
    assert!(text.contains(&claim), "the README does not say {claim}");
    assert_eq!(
        speakers.keys().map(String::as_str).collect::<Vec<_>>(),
        ["03", "13", "14"],
        "{speakers:?}"
    );
    assert!(text.contains("--split speaker --test-speakers 14 "));
}

/// README ("GPUs and drivers"): "Without any adapter every command that uses the GPU (all but
/// `features` and `bench --from`) stops with `no GPU adapter found ... apt-get install
/// mesa-vulkan-drivers libvulkan1`."
#[test]
fn features_and_bench_from_run_without_an_adapter_and_bench_list_stops() {
    let d = scratch("readme-walkthrough", "no-adapter");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/emodb");
    let out = d.join("features");
    let o = run_for(
        &[
            "features",
            "--data",
            example,
            "--limit",
            "2",
            "--nodes",
            "4",
            "--out",
            s(&out),
        ],
        NO_ADAPTER,
        120,
    );
    succeeds(&o, "features without an adapter");
    assert!(out.join("features.json").is_file());

    let report = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/results/lavapipe-quick.json"
    );
    let o = run_for(
        &["bench", "--from", report, "--compare", report],
        NO_ADAPTER,
        60,
    );
    succeeds(&o, "bench --from without an adapter");

    let o = run_for(&["bench", "--list", "--quick"], NO_ADAPTER, 60);
    fails_with(
        &o,
        &[
            "no GPU adapter found",
            "apt-get install mesa-vulkan-drivers libvulkan1",
        ],
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// README ("Commands"): `synchgraph predict --model DIR [--json] FILE|FOLDER`, and
/// `--normalize speaker` is repeated by `predict` "on the clips of the one file or folder it is
/// given (it takes one)": a second clip is refused before any model is read.
#[test]
fn predict_takes_one_file_or_folder() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/emodb");
    let a = format!("{example}/03a01Fa.wav");
    let b = format!("{example}/03a01Nc.wav");
    let o = run_for(
        &["predict", "--model", "no-such-model", &a, &b],
        NO_ADAPTER,
        30,
    );
    fails_with(&o, &["unexpected argument"]);
    assert!(readme().contains("`synchgraph predict --model DIR [--json] FILE\\|FOLDER`"));
}

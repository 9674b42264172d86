//! Deterministic mutation fuzzing of saved L-GrIN models (`load_model`), past the safetensors
//! container that `tests/outputs/checkpoint_fuzz.rs` fuzzes: a tiny valid saved model has only
//! its metadata values edited (configuration keys set to out-of-range numbers, wrong types,
//! removed or added; class lists emptied, repeated or huge; feature settings changed) or its
//! tensors given shapes that disagree with the configuration, and is written back as a valid
//! safetensors file, so every case reaches the loader's own checks (cases: `fuzz_saved_cases.rs`). Each case runs under
//! `guarded` (time and allocation limits): a refused file is an error naming the file and the
//! key or value at fault, an accepted one is a consistent model whose prediction of one clip is
//! a probability distribution. Regressions found here: `lgrin_load_metadata.rs`.
use crate::common::gpu;
use crate::fuzz::{cases, check_error, guarded};

use std::path::{Path, PathBuf};

use super::fuzz_saved_cases::{apply, random_cases, seed_model, single_cases, Case, Edit};
use synchgraph::data::emotion_features::FeatureSettings;
use synchgraph::features::FrameMatrix;
use synchgraph::models::lgrin::{load_model, predict_proba, Lgrin};
use synchgraph::report::Checkpoint;
use synchgraph::Gpu;

/// Seconds one load (with its prediction) may take.
const SECS: u64 = 5;
/// Largest single host allocation of one case: the files are a few kilobytes, the largest
/// class list about a megabyte.
const ALLOC: usize = 16 << 20;

/// Load `ck` from `path` under [`guarded`]: `Err` (why) for a panic, a hang, a large
/// allocation, an error that does not name the file or one of `needles`, or an accepted model
/// that is inconsistent; `Ok(true)` when accepted.
pub fn check_case(
    g: &Gpu,
    ck: &Checkpoint,
    path: &Path,
    needles: &[String],
) -> Result<bool, String> {
    // Written plainly: `Checkpoint::save`'s synced atomic write would take most of the time.
    let bytes = ck
        .to_bytes()
        .map_err(|e| format!("could not encode the case: {e}"))?;
    std::fs::write(path, bytes).map_err(|e| format!("could not write the case: {e}"))?;
    let (g, p) = (g.clone(), path.to_path_buf());
    let got = guarded(SECS, ALLOC, move || -> Result<(), String> {
        let mut saved = load_model(&g, &p).map_err(|e| e.to_string())?;
        consistent(&mut saved.model, &saved.classes, &saved.features)
            .map_err(|why| format!("ACCEPTED BUT {why}"))
    })?;
    let file = path.display().to_string();
    match got {
        Ok(()) => Ok(true),
        Err(m) if m.starts_with("ACCEPTED BUT") => Err(m),
        Err(m) => {
            check_error(&m, Some(&file))?;
            let lower = m.to_lowercase();
            if !needles.is_empty() && !needles.iter().any(|n| lower.contains(&n.to_lowercase())) {
                return Err(format!("error names none of {needles:?}: {m}"));
            }
            Ok(false)
        }
    }
}

/// Why an accepted model is not what its metadata says: its state's shapes, its class and
/// feature counts, and its probabilities for one clip.
fn consistent(
    model: &mut Lgrin,
    classes: &[String],
    features: &FeatureSettings,
) -> Result<(), String> {
    let c = model.config.clone();
    if classes.len() != c.classes || features.nodes != c.nodes || features.dims != c.in_dims {
        return Err(format!(
            "metadata disagrees: {c:?} {classes:?} {features:?}"
        ));
    }
    let count: usize = model
        .state()
        .map_err(|e| e.to_string())?
        .iter()
        .filter(|(n, _, _)| !n.ends_with(".running_mean") && !n.ends_with(".running_var"))
        .map(|(_, _, v)| v.len())
        .sum();
    if Some(count) != c.parameter_count() {
        return Err(format!("{count} values for {:?}", c.parameter_count()));
    }
    let clip = FrameMatrix {
        rows: c.nodes,
        cols: c.in_dims,
        data: (0..c.nodes * c.in_dims)
            .map(|k| (k % 7) as f32 * 0.1)
            .collect(),
    };
    let p = predict_proba(model, &[&clip]).map_err(|e| format!("predict: {e}"))?;
    let sum: f32 = p[0].iter().sum();
    if p.len() != 1 || p[0].len() != c.classes || (sum - 1.0).abs() > 1e-4 {
        return Err(format!("probabilities {p:?}"));
    }
    Ok(())
}

/// A scratch folder of this test process.
pub fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("fuzz-saved-{name}-{}", std::process::id()))
}

/// Run `all` from `seed`, failing with the first failing cases; returns (accepted, refused).
fn run(g: &Gpu, seed: &Checkpoint, all: &[Case], dir: &Path) -> (usize, usize) {
    let path = dir.join("case.safetensors");
    let mut failures = Vec::new();
    let mut tally = (0, 0);
    for (k, case) in all.iter().enumerate() {
        let ck = apply(seed, &case.edits);
        match check_case(g, &ck, &path, &case.needles) {
            Ok(true) => tally.0 += 1,
            Ok(false) => tally.1 += 1,
            Err(why) => {
                let shown = format!("{:?}", case.edits);
                failures.push(format!(
                    "case {k} {}: {why}",
                    &shown[..shown.len().min(300)]
                ))
            }
        }
    }
    let n = failures.len();
    for f in &failures {
        eprintln!("FAIL {f}");
    }
    failures.truncate(12);
    eprintln!(
        "{} cases: {} accepted, {} refused",
        all.len(),
        tally.0,
        tally.1
    );
    assert!(
        n == 0,
        "{n} of {} cases failed:\n{}",
        all.len(),
        failures.join("\n")
    );
    tally
}

/// Run the single-edit cases of which `pick` keeps the first edit.
fn run_singles(name: &str, pick: fn(&Edit) -> bool) {
    let g = gpu();
    let dir = scratch(name);
    let seed = seed_model(&g, &dir);
    let all: Vec<Case> = single_cases(&seed)
        .into_iter()
        .filter(|c| pick(&c.edits[0]))
        .collect();
    let (ok, refused) = run(&g, &seed, &all, &dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(refused > 0, "{name}: {ok} accepted, {refused} refused");
}

#[test]
fn every_config_key_edit_is_refused_by_name_or_loads_consistently() {
    run_singles("config", |e| matches!(e, Edit::Field("config", ..)));
}

#[test]
fn every_other_metadata_edit_is_refused_by_name_or_loads_consistently() {
    run_singles("meta", |e| {
        matches!(e, Edit::Meta(..) | Edit::Field("features", ..))
    });
}

#[test]
fn every_tensor_shape_edit_is_refused_by_name() {
    run_singles("shapes", |e| matches!(e, Edit::Shape(..)));
}

#[test]
fn random_combined_metadata_edits_are_refused_or_load_consistently() {
    let g = gpu();
    let dir = scratch("random");
    let seed = seed_model(&g, &dir);
    let singles = single_cases(&seed);
    let all = random_cases(&singles, cases(100), 0x5a7e);
    let (ok, refused) = run(&g, &seed, &all, &dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(refused > 0, "{ok} accepted, {refused} refused");
}

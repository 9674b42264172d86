//! "Results are deterministic for a given seed" and "outputs are written atomically", checked
//! through the binary: every training and simulation command cheap enough for CI runs twice with
//! the same seed (the two runs at once, into two folders) and every output must match byte for
//! byte (metrics.json apart from its timing keys and the command line), and each output folder
//! must hold exactly the expected files, no temporary file left behind. Feature extraction must
//! not depend on its thread count. Plus the library level: checkpoint bytes depend only on the
//! checkpoint, and `write_atomic_with` never shows a partial file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use synchgraph::report::{write_atomic, write_atomic_with, Checkpoint};
use synchgraph::snn::unsupervised::stdp_config;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");
const EMODB: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/emodb");
const SMALL_SNN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/snn/small.toml");

/// A fresh, empty scratch folder for this test process.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "synchgraph-determinism-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn spawn(args: &[String]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running synchgraph")
}

fn finish(child: Child, args: &[String]) {
    let o = child.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "synchgraph {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Run the two commands at the same time and wait for both to succeed.
fn run_pair(a: Vec<String>, b: Vec<String>) {
    let (ca, cb) = (spawn(&a), spawn(&b));
    finish(ca, &a);
    finish(cb, &b);
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every file under `dir`, relative to it, sorted.
fn files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Drop the keys that legitimately differ between two runs: wall-clock timings (`seconds*`,
/// `*wall_s*`) and the command line (it names the output folder).
fn without_timings(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => serde_json::Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !(k.as_str() == "command" || k.starts_with("seconds") || k.contains("wall_s"))
                })
                .map(|(k, v)| (k.clone(), without_timings(v)))
                .collect(),
        ),
        serde_json::Value::Array(a) => {
            serde_json::Value::Array(a.iter().map(without_timings).collect())
        }
        other => other.clone(),
    }
}

/// Neither folder holds a hidden or temporary file, both hold the same files (exactly `expected`,
/// sorted relative paths, when given), and every file matches byte for byte, JSON files apart
/// from their timing keys.
fn assert_same_outputs(a: &Path, b: &Path, expected: Option<&[&str]>) {
    let (fa, fb) = (files(a), files(b));
    for f in fa.iter().chain(&fb) {
        let name = Path::new(f).file_name().unwrap().to_string_lossy();
        assert!(
            !name.starts_with('.') && !name.ends_with(".tmp"),
            "temporary file left behind: {f}"
        );
    }
    assert_eq!(fa, fb, "the two runs wrote different files");
    if let Some(e) = expected {
        assert_eq!(fa, e, "unexpected files in {a:?}");
    }
    for f in &fa {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        if f.ends_with(".json") {
            let (jx, jy): (serde_json::Value, serde_json::Value) = (
                serde_json::from_slice(&x).unwrap(),
                serde_json::from_slice(&y).unwrap(),
            );
            assert_eq!(
                without_timings(&jx),
                without_timings(&jy),
                "{f} differs between two runs with the same seed"
            );
        } else {
            assert!(x == y, "{f} differs between two runs with the same seed");
        }
    }
}

#[test]
fn train_gcn_on_tu_graphs_twice_gives_identical_outputs() {
    let d = scratch("gcn");
    let run = |out: &str| {
        let mut a = args(&["train", "gcn", "--data"]);
        a.push(format!("{DATA}/tu/MUTAG"));
        a.extend(args(&[
            "--epochs", "1", "--folds", "2", "--seed", "4", "--out",
        ]));
        a.push(s(&d.join(out)).to_string());
        a
    };
    run_pair(run("a"), run("b"));
    assert_same_outputs(
        &d.join("a"),
        &d.join("b"),
        Some(&["loss.png", "metrics.json", "model.safetensors"]),
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn train_lgrin_and_eval_twice_give_identical_outputs() {
    let d = scratch("lgrin");
    let run = |out: &str| {
        let mut a = args(&["train", "lgrin", "--data", EMODB]);
        a.extend(args(&[
            "--limit",
            "10",
            "--nodes",
            "8",
            "--folds",
            "2",
            "--epochs",
            "1",
            "--iters-per-epoch",
            "1",
            "--batch",
            "4",
            "--seed",
            "6",
            "--out",
        ]));
        a.push(s(&d.join(out)).to_string());
        a
    };
    run_pair(run("a"), run("b"));
    let expected = [
        "adjacency.png",
        "confusion.png",
        "loss.png",
        "metrics.json",
        "model.safetensors",
    ];
    assert_same_outputs(&d.join("a"), &d.join("b"), Some(&expected));

    // eval of the saved model on four clips, twice (the metrics name the model folder, so both
    // runs score the same one; the two models are already known to be identical).
    let clips = d.join("clips");
    std::fs::create_dir_all(&clips).unwrap();
    for f in ["03a01Fa.wav", "03a01Nc.wav", "03a01Wa.wav", "03a02Fc.wav"] {
        std::fs::copy(Path::new(EMODB).join(f), clips.join(f)).unwrap();
    }
    let eval = |out: &str| {
        let mut a = args(&["eval", "--model", s(&d.join("a"))]);
        a.extend(args(&["--data", s(&clips), "--out", s(&d.join(out))]));
        a
    };
    run_pair(eval("eval-a"), eval("eval-b"));
    assert_same_outputs(
        &d.join("eval-a"),
        &d.join("eval-b"),
        Some(&["confusion.png", "metrics.json"]),
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn features_do_not_depend_on_the_thread_count() {
    let d = scratch("features");
    // `None`: no --threads, so as many threads as the machine has cores.
    let run = |threads: Option<&str>, out: &str| {
        let mut a = args(&["features", "--data", EMODB, "--limit", "9", "--nodes", "8"]);
        a.extend(args(&["--normalize", "speaker"]));
        if let Some(t) = threads {
            a.extend(args(&["--threads", t]));
        }
        a.extend(args(&["--out", s(&d.join(out))]));
        a
    };
    run_pair(run(Some("1"), "one"), run(Some("3"), "three"));
    assert_same_outputs(&d.join("one"), &d.join("three"), None);
    run_pair(run(None, "cores"), run(Some("4"), "four"));
    assert_same_outputs(&d.join("one"), &d.join("cores"), None);
    assert_same_outputs(&d.join("one"), &d.join("four"), None);
    let written = files(&d.join("one"));
    assert_eq!(
        written.iter().filter(|f| f.ends_with(".npy")).count(),
        9,
        "{written:?}"
    );
    assert!(written.contains(&"clips.csv".to_string()), "{written:?}");
    assert!(
        written.contains(&"features.json".to_string()),
        "{written:?}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn simulate_twice_records_identical_spikes() {
    let d = scratch("simulate");
    // Three clips of 40 input intensities each.
    let csv: String = (0..3)
        .map(|c| {
            let row: Vec<String> = (0..40)
                .map(|i| ((i * 37 + c * 91) % 256).to_string())
                .collect();
            row.join(",") + "\n"
        })
        .collect();
    std::fs::write(d.join("features.csv"), csv).unwrap();
    for out in ["a", "b"] {
        std::fs::create_dir_all(d.join(out)).unwrap();
    }
    let run = |out: &str| {
        let mut a = args(&["simulate", "--config", SMALL_SNN]);
        a.extend(args(&["--features", s(&d.join("features.csv"))]));
        a.extend(args(&["--duration-ms", "350", "--record"]));
        a.push(s(&d.join(out).join("spikes.csv")).to_string());
        a
    };
    run_pair(run("a"), run("b"));
    assert_same_outputs(&d.join("a"), &d.join("b"), Some(&["spikes.csv"]));
    let text = std::fs::read_to_string(d.join("a").join("spikes.csv")).unwrap();
    assert!(text.starts_with("clip,group,neuron,time_ms\n"), "{text}");
    assert!(text.lines().count() > 1, "no spike recorded: {text}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn train_synchgraph_twice_gives_identical_outputs() {
    let d = scratch("synchgraph");
    let run = |out: &str| {
        let mut a = args(&["train", "synchgraph", "--audio", EMODB, "--limit", "8"]);
        a.extend(args(&[
            "--epochs",
            "2",
            "--seed",
            "3",
            "--out",
            s(&d.join(out)),
        ]));
        a
    };
    run_pair(run("a"), run("b"));
    assert_same_outputs(
        &d.join("a"),
        &d.join("b"),
        Some(&[
            "confusion.png",
            "loss.png",
            "metrics.json",
            "model.safetensors",
            "raster.png",
        ]),
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn train_stdp_twice_gives_identical_outputs() {
    let d = scratch("stdp");
    // The Diehl & Cook network for the 8x8 digits with short presentations, to keep it quick.
    let mut cfg = stdp_config(64, 8, 0);
    cfg.sim.sample_ms = 100.0;
    cfg.sim.rest_ms = 20.0;
    let config = d.join("stdp.toml");
    std::fs::write(&config, cfg.to_toml().unwrap()).unwrap();
    let run = |out: &str| {
        let mut a = args(&["train", "stdp", "--data"]);
        a.push(format!("{DATA}/digits"));
        a.extend(args(&["--config", s(&config), "--limit", "10"]));
        a.extend(args(&[
            "--train-limit",
            "2",
            "--batch",
            "16",
            "--seed",
            "2",
        ]));
        a.extend(args(&["--out", s(&d.join(out))]));
        a
    };
    run_pair(run("a"), run("b"));
    assert_same_outputs(
        &d.join("a"),
        &d.join("b"),
        Some(&[
            "confusion.png",
            "metrics.json",
            "model.safetensors",
            "weights.png",
        ]),
    );
    let _ = std::fs::remove_dir_all(&d);
}

/// A checkpoint with many metadata keys, inserted in the given order.
fn checkpoint_with_meta(keys: &[&str]) -> Checkpoint {
    let mut ck = Checkpoint::new();
    ck.insert("b", &[2], vec![0.5, -1.0]).unwrap();
    ck.insert("a.weight", &[2, 2], vec![1.0, 2.0, 3.0, 4.0])
        .unwrap();
    for k in keys {
        ck.set_meta(k, format!("value of {k}"));
    }
    ck
}

#[test]
fn checkpoint_bytes_depend_only_on_the_contents() {
    let keys = [
        "model", "classes", "config", "dataset", "features", "nodes", "seed", "variant",
    ];
    let first = checkpoint_with_meta(&keys).to_bytes().unwrap();
    let mut reversed = keys;
    reversed.reverse();
    for _ in 0..8 {
        assert_eq!(checkpoint_with_meta(&keys).to_bytes().unwrap(), first);
        assert_eq!(checkpoint_with_meta(&reversed).to_bytes().unwrap(), first);
    }
    // The header lists the metadata keys sorted, then the tensors by name; it is padded to a
    // multiple of 8 bytes and the file reads back whole.
    let n = u64::from_le_bytes(first[..8].try_into().unwrap()) as usize;
    assert_eq!(n % 8, 0);
    let header = std::str::from_utf8(&first[8..8 + n]).unwrap();
    let mut sorted = keys;
    sorted.sort();
    let at = |k: &str| header.find(&format!("\"{k}\"")).unwrap();
    let positions: Vec<usize> = sorted.iter().map(|k| at(k)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{header}");
    assert!(at("__metadata__") < at("a.weight") && at("a.weight") < at("b"));
    let back = Checkpoint::from_bytes(&first, Path::new("memory")).unwrap();
    assert_eq!(back, checkpoint_with_meta(&keys));
    assert_eq!(back.metadata.len(), keys.len());
    // No metadata at all is still a valid file.
    let bare = checkpoint_with_meta(&[]);
    let bytes = bare.to_bytes().unwrap();
    assert_eq!(
        Checkpoint::from_bytes(&bytes, Path::new("memory")).unwrap(),
        bare
    );
}

#[test]
fn atomic_writes_never_show_a_partial_file_and_leave_no_temporary() {
    let d = scratch("atomic");
    let path = d.join("record.csv");
    write_atomic(&path, b"old contents\n").unwrap();
    // While the new contents are being written, readers still see the old file whole.
    write_atomic_with(&path, |w| {
        use std::io::Write;
        w.write_all(b"new ")?;
        w.flush()?;
        assert_eq!(std::fs::read(&path).unwrap(), b"old contents\n");
        assert_eq!(files(&d).len(), 2, "a temporary file beside the target");
        w.write_all(b"contents\n")
    })
    .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"new contents\n");
    assert_eq!(files(&d), ["record.csv"]);
    // A write that fails half-way keeps the old file and removes its temporary file.
    let err = write_atomic_with(&path, |w| {
        use std::io::Write;
        w.write_all(b"half")?;
        Err(std::io::Error::other("disk full"))
    })
    .unwrap_err();
    assert!(err.to_string().contains("record.csv"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"new contents\n");
    assert_eq!(files(&d), ["record.csv"]);
    let _ = std::fs::remove_dir_all(&d);
}

#[cfg(target_os = "linux")]
#[test]
fn a_successful_write_removes_the_temporaries_of_killed_writers() {
    let d = scratch("stale");
    let path = d.join("record.csv");
    // A process that has exited stands for a writer killed mid-write; a sleeping one for a
    // concurrent writer that is still running.
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    gone.wait().unwrap();
    let mut live = std::process::Command::new("sleep")
        .arg("30")
        .spawn()
        .unwrap();
    let (gone, me) = (gone.id(), std::process::id());
    let stale = [
        format!(".record.csv.{gone}.0.tmp"),
        format!(".record.csv.{gone}.17.tmp"),
    ];
    let kept = [
        format!(".record.csv.{}.0.tmp", live.id()),
        format!(".record.csv.{me}.99.tmp"),
        format!(".other.csv.{gone}.0.tmp"),
        format!(".record.csv.{gone}.x.tmp"),
        "notes.txt".to_string(),
    ];
    for name in stale.iter().chain(&kept) {
        std::fs::write(d.join(name), b"partial").unwrap();
    }
    write_atomic(&path, b"contents\n").unwrap();
    let _ = live.kill();
    let _ = live.wait();
    let mut want: Vec<String> = kept.to_vec();
    want.push("record.csv".into());
    want.sort();
    assert_eq!(files(&d), want);
    let _ = std::fs::remove_dir_all(&d);
}

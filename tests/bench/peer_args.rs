//! The PyTorch peer scripts refuse the flag values the engine refuses, before they run anything:
//! a `--time-budget` that is not a finite number of seconds, zero or more (NaN would never be
//! spent, a negative budget would skip every row), and a twin trainer size that cannot train (a
//! minibatch of 0 divides by zero, 0 epochs select no epoch, a learning-rate step of 0, a
//! negative count of iterations or threads, a validation share that is negative or NaN).
//! PyTorch and NumPy are replaced by empty stubs, so neither is needed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PEERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peers");

fn python() -> Option<Command> {
    Command::new("python3").arg("--version").output().ok()?;
    Some(Command::new("python3"))
}

/// A folder with empty `torch` (with `nn.functional`), `numpy` and `lgrin_model` stubs: enough
/// to import the peer scripts and parse their flags.
fn stubs(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "synchgraph-peer-args-{}-{name}",
        std::process::id()
    ));
    let nn = dir.join("torch/nn");
    std::fs::create_dir_all(&nn).unwrap();
    std::fs::write(dir.join("torch/__init__.py"), "from . import nn\n").unwrap();
    std::fs::write(nn.join("__init__.py"), "from . import functional\n").unwrap();
    std::fs::write(nn.join("functional.py"), "").unwrap();
    std::fs::write(dir.join("numpy.py"), "").unwrap();
    std::fs::write(
        dir.join("lgrin_model.py"),
        "class Config: pass\nclass Lgrin: pass\n",
    )
    .unwrap();
    dir
}

/// Run `script` with `args` on the stubs, the peers importable after them.
fn run(name: &str, script: &str, args: &[&str]) -> Option<Output> {
    let mut py = python()?;
    let dir = stubs(name);
    let path = format!("{}:{}", dir.display(), Path::new(PEERS).display());
    Some(
        py.args(["-c", script])
            .args(args)
            .env("PYTHONPATH", path)
            .env("PYTHONPYCACHEPREFIX", dir.join("pycache"))
            .output()
            .unwrap(),
    )
}

/// `peer_common.parse_args` on the given flags; prints the parsed budget.
const PARSE: &str = r#"
import sys
import peer_common
sys.argv = ["peer"] + sys.argv[1:]
print(peer_common.parse_args("peer").time_budget)
"#;

#[test]
fn the_peer_time_budget_refuses_what_the_engine_refuses() {
    for (text, seconds) in [("90.5", 90.5), ("0", 0.0)] {
        let Some(out) = run("budget", PARSE, &["--time-budget", text]) else {
            eprintln!("python3 not found: peer flags not checked");
            return;
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{text}: {stderr}");
        let parsed: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
        assert_eq!(parsed, seconds);
        assert_eq!(
            synchgraph::bench::args::parse_seconds(text).unwrap(),
            seconds
        );
    }
    for bad in ["nan", "-1", "inf", "soon"] {
        assert!(synchgraph::bench::args::parse_seconds(bad).is_err());
        let Some(out) = run("budget", PARSE, &["--time-budget", bad]) else {
            return;
        };
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad} accepted: {stderr}");
        assert!(stderr.contains("--time-budget"), "{bad}: {stderr}");
    }
}

/// `train_lgrin.main` on the given flags, with `load` replaced so nothing is read: prints
/// `loaded` when the flags were accepted.
const TRAIN: &str = r#"
import sys
import train_lgrin
def load(features):
    print("loaded")
    raise SystemExit(0)
train_lgrin.load = load
sys.argv = ["train_lgrin.py", "--features", "none"] + sys.argv[1:]
train_lgrin.main()
"#;

#[test]
fn the_twin_trainer_refuses_sizes_it_cannot_train_with() {
    let Some(out) = run("train", TRAIN, &["--batch", "4", "--epochs", "1"]) else {
        eprintln!("python3 not found: trainer flags not checked");
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "loaded");
    for (flag, bad) in [
        ("--batch", "0"),
        ("--epochs", "0"),
        ("--lr-step", "0"),
        ("--iters-per-epoch", "-1"),
        ("--val-fraction", "-0.1"),
        ("--val-fraction", "nan"),
        ("--threads", "-2"),
    ] {
        let out = run("train", TRAIN, &[flag, bad]).unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag} {bad} accepted: {stderr}"
        );
        assert!(stderr.contains(flag), "{flag} {bad}: {stderr}");
        assert!(String::from_utf8_lossy(&out.stdout).is_empty());
    }
}

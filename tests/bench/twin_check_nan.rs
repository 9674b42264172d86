//! `benches/peers/lgrin_twin_check.py` fails a check whose twin probabilities are NaN: Python's
//! `max` kept the earlier difference when the new one was NaN, so a NaN twin whose argmax (the
//! first NaN, as NumPy picks it) matched the engine's label passed the check.

use std::path::PathBuf;
use std::process::Command;

const PEERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peers");

/// Just enough of NumPy (1-D arrays of floats) and of torch for the script's `main`; the
/// model's probabilities are those of `TWIN` in the environment (`nan` allowed).
const STUBS: &[(&str, &str)] = &[
    (
        "numpy.py",
        r#"
import math
float32 = "f4"
class Arr:
    def __init__(self, v):
        self.v = [float(x) for x in v]
    def astype(self, t):
        return self
    def __sub__(self, o):
        return Arr([a - b for a, b in zip(self.v, o.v)])
    def max(self):
        return float("nan") if any(math.isnan(x) for x in self.v) else max(self.v)
    def argmax(self):
        nans = [i for i, x in enumerate(self.v) if math.isnan(x)]
        return nans[0] if nans else self.v.index(max(self.v))
def array(v):
    return Arr(v)
def abs(a):
    return Arr([x if math.isnan(x) else (x if x >= 0 else -x) for x in a.v])
def load(path):
    return Arr([0.0])
"#,
    ),
    (
        "torch/__init__.py",
        r#"
import contextlib, os
from . import nn
class _T:
    def __init__(self, v):
        self.v = v
    def __getitem__(self, k):
        return self
    def numpy(self):
        import numpy
        return numpy.Arr(self.v)
def from_numpy(a):
    return _T(a.v)
def no_grad():
    return contextlib.nullcontext()
def softmax(x, dim=None):
    return _T([float(p) for p in os.environ["TWIN"].split(",")])
"#,
    ),
    ("torch/nn/__init__.py", "from . import functional\n"),
    ("torch/nn/functional.py", ""),
    (
        "lgrin_model.py",
        r#"
class Config: pass
class Lgrin:
    def __init__(self, cfg): pass
    def eval(self): pass
    def __call__(self, x): return x
"#,
    ),
];

/// `main` on one clip the engine labelled `a` with probabilities a=0.75 b=0.25, the twin's
/// probabilities being `twin`; the script's exit status.
fn check(name: &str, twin: &str) -> Option<i32> {
    Command::new("python3").arg("--version").output().ok()?;
    let dir: PathBuf =
        std::env::temp_dir().join(format!("synchgraph-twin-nan-{}-{name}", std::process::id()));
    std::fs::create_dir_all(dir.join("torch/nn")).unwrap();
    for (file, text) in STUBS {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let predictions = dir.join("predict.txt");
    std::fs::write(&predictions, "clip.npy\ta\t0.75\ta=0.75 b=0.25\n").unwrap();
    let driver = r#"
import sys
import lgrin_twin_check as m
m.read_safetensors = lambda path: ({}, {"config": "{}", "classes": "[\"a\", \"b\"]"})
m.twin_config = lambda cfg: None
m.load_into = lambda model, tensors: None
sys.argv = ["lgrin_twin_check.py", "--model", "m", "--predictions", sys.argv[1]]
m.main()
"#;
    let out = Command::new("python3")
        .args(["-c", driver])
        .arg(&predictions)
        .env("PYTHONPATH", format!("{}:{PEERS}", dir.display()))
        .env("PYTHONPYCACHEPREFIX", dir.join("pycache"))
        .env("TWIN", twin)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("clips 1"),
        "{out:?}"
    );
    out.status.code()
}

/// A twin that agrees passes; one whose probabilities are NaN fails, though its argmax (the
/// first NaN) names the engine's label.
#[test]
fn a_nan_twin_probability_fails_the_check() {
    let Some(agreeing) = check("agree", "0.75,0.25") else {
        eprintln!("python3 not found: twin check not run");
        return;
    };
    assert_eq!(agreeing, 0);
    assert_eq!(check("nan", "nan,nan"), Some(1));
}

//! `benches/peers/train_lgrin.py` (the PyTorch twin of `train lgrin`) trains without a
//! validation part, as the engine does: with `--val-fraction 0`, or a training set whose classes
//! are too small to give up a clip, it scored the empty part and crashed (`torch.cat` of no
//! batches); now it keeps the last epoch and reports no validation figures, whatever `--select`
//! says. With a validation part the selection rule is unchanged. The script's `run` is driven
//! end to end on stand-ins for NumPy, PyTorch and the model (no data, no training), so neither
//! library is needed.

use std::path::PathBuf;
use std::process::Command;

const PEERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peers");

/// 1-D NumPy arrays as Python lists (a `shape` may be given), with the indexing, comparisons and
/// functions the script uses. As NumPy does, an empty array made without a `dtype` holds floats
/// and refuses to index.
const NUMPY: &str = r#"
import random as _random
int64 = "i8"
float32 = "f4"
class Arr:
    def __init__(self, v, shape=None, dtype=None):
        self.v = list(v)
        self.shape = shape or (len(self.v),)
        self.dtype = dtype or ("f8" if not self.v else "i8")
    def __len__(self):
        return len(self.v)
    def __iter__(self):
        return iter(self.v)
    def __getitem__(self, k):
        if isinstance(k, slice):
            return Arr(self.v[k], dtype=self.dtype)
        if isinstance(k, Arr):
            if k.dtype == "f8":
                raise IndexError("arrays used as indices must be of integer type")
            if k.dtype == "?":
                return Arr([a for a, keep in zip(self.v, k.v) if keep], dtype=self.dtype)
            return Arr([self.v[i] for i in k.v], dtype=self.dtype)
        return self.v[k]
    def __eq__(self, o):
        other = o.v if isinstance(o, Arr) else [o] * len(self.v)
        return Arr([a == b for a, b in zip(self.v, other)], dtype="?")
    def __invert__(self):
        return Arr([not a for a in self.v], dtype="?")
    def copy(self):
        return Arr(self.v, dtype=self.dtype)
    def mean(self):
        return sum(self.v) / len(self.v) if self.v else float("nan")
    def any(self):
        return any(self.v)
def array(v, dtype=None):
    return Arr(v, dtype=dtype)
def isin(a, values):
    return Arr([x in values for x in a.v], dtype="?")
def where(a):
    return (Arr([i for i, x in enumerate(a.v) if x], dtype="i8"),)
def unique(a):
    return Arr(sorted(set(a.v)), dtype=a.dtype)
def mean(v):
    v = list(v)
    return sum(v) / len(v) if v else float("nan")
class _Rng:
    def __init__(self, seed):
        self.r = _random.Random(seed)
    def shuffle(self, a):
        self.r.shuffle(a.v)
    def permutation(self, a):
        b = a.copy()
        self.r.shuffle(b.v)
        return b
    def choice(self, a, n, replace=False):
        return Arr(self.r.sample(a.v, n), dtype=a.dtype)
class random:
    default_rng = _Rng
"#;

/// Tensors that only count rows (every value reads 0.5, every argmax 0); `cat` of no tensors
/// fails as PyTorch's does.
const TORCH: &str = r#"
import contextlib, types
from . import nn
class T:
    def __init__(self, n):
        self.n = n
    def __getitem__(self, k):
        return self
    def clamp_min(self, m):
        return self
    def mean(self):
        return self
    def item(self):
        return 0.5
    def argmax(self, dim):
        return self
    def numpy(self):
        import numpy
        return numpy.Arr([0] * self.n, dtype="i8")
    def backward(self):
        pass
    def clone(self):
        return self
def manual_seed(s):
    pass
def from_numpy(a):
    return a
def no_grad():
    return contextlib.nullcontext()
def cat(ts):
    if not ts:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    return T(sum(t.n for t in ts))
def arange(n):
    return T(n)
def log(t):
    return t
class _Opt:
    def __init__(self, *a, **k):
        pass
    def zero_grad(self):
        pass
    def step(self):
        pass
optim = types.SimpleNamespace(Adam=_Opt, lr_scheduler=types.SimpleNamespace(StepLR=_Opt))
"#;

/// A model of one parameter whose outputs are `T` rows.
const MODEL: &str = r#"
import torch
class Config:
    def __init__(self, *a, **k):
        pass
class _P:
    def numel(self):
        return 1
class Lgrin:
    def __init__(self, cfg):
        pass
    def parameters(self):
        return [_P()]
    def train(self):
        pass
    def eval(self):
        pass
    def __call__(self, x):
        return torch.T(len(x))
    def loss(self, logits, y):
        return torch.T(logits.n)
    def state_dict(self):
        return {"w": torch.T(1)}
    def load_state_dict(self, d):
        pass
"#;

/// `main` on six clips instead of loaded features: speakers a and b (one clip of each class
/// each) train, speaker c tests; 3 epochs of full passes in minibatches of 2.
const DRIVER: &str = r#"
import sys
import numpy as np
import train_lgrin
def load(features):
    speakers = ["a", "a", "b", "b", "c", "c"]
    labels = [0, 1, 0, 1, 0, 1]
    return np.Arr(range(6), shape=(6, 4, 3)), np.Arr(labels), np.Arr(speakers), ["x", "y"]
train_lgrin.load = load
sys.argv = ["train_lgrin.py", "--features", "none", "--test-speakers", "c", "--epochs", "3",
            "--batch", "2", "--lr-step", "1", "--log"] + sys.argv[1:]
train_lgrin.main()
"#;

/// The script's run with `flags`, or None without python3.
fn run(name: &str, flags: &[&str]) -> Option<std::process::Output> {
    Command::new("python3").arg("--version").output().ok()?;
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "synchgraph-peer-empty-val-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(dir.join("torch/nn")).unwrap();
    for (file, text) in [
        ("numpy.py", NUMPY),
        ("torch/__init__.py", TORCH),
        ("torch/nn/__init__.py", "from . import functional\n"),
        (
            "torch/nn/functional.py",
            "def softmax(t, dim=None):\n    return t\n",
        ),
        ("lgrin_model.py", MODEL),
    ] {
        std::fs::write(dir.join(file), text).unwrap();
    }
    let out = Command::new("python3")
        .args(["-c", DRIVER])
        .args(flags)
        .env("PYTHONPATH", format!("{}:{PEERS}", dir.display()))
        .env("PYTHONPYCACHEPREFIX", dir.join("pycache"))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    Some(out)
}

/// The JSON line the script prints for `flags`, or None without python3.
fn train(name: &str, flags: &[&str]) -> Option<serde_json::Value> {
    let out = run(name, flags)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{flags:?}: {:?}; stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}")))
}

/// Without validation clips (none asked for, or two training clips per class, whose 10% share
/// rounds to none) every rule keeps the last epoch and reports no validation
/// accuracy; every epoch's log has no validation figures.
#[test]
fn no_validation_part_keeps_the_last_epoch() {
    let cases: [&[&str]; 5] = [
        &["--val-fraction", "0"],
        &["--val-fraction", "0", "--select", "loss"],
        &["--val-fraction", "0", "--select", "last"],
        &["--val-fraction", "0", "--iters-per-epoch", "3"],
        &["--val-fraction", "0.1"],
    ];
    for flags in cases {
        let Some(r) = train("none", flags) else {
            eprintln!("python3 not found: the twin trainer not run");
            return;
        };
        assert_eq!(r["best_epoch"], 2, "{flags:?}: {r}");
        assert!(r["best_val_accuracy"].is_null(), "{flags:?}: {r}");
        for epoch in r["log"].as_array().unwrap() {
            assert!(
                epoch[2].is_null() && epoch[3].is_null(),
                "{flags:?}: {epoch}"
            );
        }
    }
}

/// With a validation clip per class the rule still applies: every epoch scores alike here, so
/// accuracy and loss keep the first epoch (a tie is no improvement) and `last` the last.
#[test]
fn a_validation_part_still_selects_by_the_rule() {
    for (select, epoch) in [("accuracy", 0), ("loss", 0), ("last", 2)] {
        let Some(r) = train(select, &["--val-fraction", "0.5", "--select", select]) else {
            eprintln!("python3 not found: the twin trainer not run");
            return;
        };
        assert_eq!(r["best_epoch"], epoch, "{select}: {r}");
        assert_eq!(r["best_val_accuracy"], 0.5, "{select}: {r}");
        assert_eq!(r["log"][0][3], 0.5, "{select}: {r}");
    }
}

/// Fewer than 2 training clips (every training speaker validates) is refused by name, as the
/// engine refuses it, instead of dividing by a minibatch of 0.
#[test]
fn fewer_than_two_training_clips_are_refused() {
    let Some(out) = run("few", &["--val-speakers", "a,b"]) else {
        eprintln!("python3 not found: the twin trainer not run");
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("training needs at least 2 clips, got 0"),
        "{stderr}"
    );
    assert!(!stderr.contains("Traceback"), "{stderr}");
}

//! The PyTorch peers mirror the engine: the L-GrIN twin built from an engine checkpoint's
//! configuration has the engine's parameter count for every classifier width and ablation
//! switch, and the torch peer's `synapse_propagate` spike lists are the engine's. PyTorch and
//! NumPy are replaced by stubs that only track shapes, so neither is needed.

use std::path::{Path, PathBuf};
use std::process::Command;

use synchgraph::bench::cases_snn::synapse_lists;
use synchgraph::models::lgrin::{LgrinConfig, ModelKind};

const PEERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peers");

/// `torch`: shape-only tensors (every operation gives a tensor of the same shape) and
/// constructors taking sizes; enough for the twin's constructor and the pure-Python helpers.
const TORCH_INIT: &str = r#"
import contextlib
from . import nn
__version__ = "stub"
float32 = "float32"
int64 = "int64"
class version:
    cuda = None
class Tensor:
    def __init__(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        self.shape = tuple(shape)
    def numel(self):
        n = 1
        for s in self.shape:
            n *= s
        return n
    def dim(self):
        return len(self.shape)
    def _same(self, *a, **k):
        return Tensor(self.shape)
    __getitem__ = __sub__ = __rsub__ = __add__ = __radd__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __pow__ = __le__ = __lt__ = __ge__ = __gt__ = _same
    __eq__ = __ne__ = __and__ = __or__ = __invert__ = __neg__ = _same
    __hash__ = object.__hash__
    def __getattr__(self, name):
        return self._same
def _sizes(a):
    return a[0] if len(a) == 1 and isinstance(a[0], (tuple, list)) else a
def rand(*a, **k):
    return Tensor(*_sizes(a))
randn = ones = zeros = empty = rand
def full(size, value, **k):
    return Tensor(*size)
def arange(n, **k):
    return Tensor(n)
def tensor(data, **k):
    return data
def no_grad():
    return contextlib.nullcontext()
"#;

/// `torch.nn`: modules that register their parameters, counted by `parameters()`.
const TORCH_NN: &str = r#"
from . import functional
class Module:
    def __init__(self):
        object.__setattr__(self, "_params", {})
        object.__setattr__(self, "_mods", {})
    def __setattr__(self, k, v):
        if isinstance(v, Parameter):
            self._params[k] = v
        elif isinstance(v, Module):
            self._mods[k] = v
        object.__setattr__(self, k, v)
    def register_buffer(self, k, v):
        object.__setattr__(self, k, v)
    def parameters(self):
        for p in self._params.values():
            yield p
        for m in self._children():
            yield from m.parameters()
    def _children(self):
        return list(self._mods.values())
    def to(self, *a, **k):
        return self
class ModuleList(Module):
    def __init__(self, mods=()):
        super().__init__()
        object.__setattr__(self, "_list", list(mods))
    def append(self, m):
        self._list.append(m)
    def _children(self):
        return list(self._list)
    def __iter__(self):
        return iter(self._list)
    def __len__(self):
        return len(self._list)
    def __getitem__(self, i):
        return self._list[i]
class Parameter:
    def __new__(cls, t):
        p = object.__new__(cls)
        p.shape = t.shape
        return p
    def numel(self):
        n = 1
        for s in self.shape:
            n *= s
        return n
class Linear(Module):
    def __init__(self, i, o):
        super().__init__()
        from torch import Tensor
        self.weight = Parameter(Tensor(o, i))
        self.bias = Parameter(Tensor(o))
class BatchNorm1d(Module):
    def __init__(self, n, affine=True, **k):
        super().__init__()
        from torch import Tensor
        if affine:
            self.weight = Parameter(Tensor(n))
            self.bias = Parameter(Tensor(n))
class PReLU(Module):
    def __init__(self, n, init=0.25):
        super().__init__()
        from torch import Tensor
        self.weight = Parameter(Tensor(n))
class Dropout(Module):
    def __init__(self, p=0.5):
        super().__init__()
class init:
    @staticmethod
    def xavier_uniform_(t):
        return t
    @staticmethod
    def zeros_(t):
        return t
"#;

fn python() -> Option<Command> {
    Command::new("python3").arg("--version").output().ok()?;
    Some(Command::new("python3"))
}

/// A folder with the `torch` (and empty `numpy`) stubs.
fn stubs(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("synchgraph-mirror-{}-{name}", std::process::id()));
    let nn = dir.join("torch/nn");
    std::fs::create_dir_all(&nn).unwrap();
    std::fs::write(dir.join("torch/__init__.py"), TORCH_INIT).unwrap();
    std::fs::write(nn.join("__init__.py"), TORCH_NN).unwrap();
    std::fs::write(nn.join("functional.py"), "").unwrap();
    std::fs::write(dir.join("numpy.py"), "").unwrap();
    dir
}

/// Run `script` on the stubs with the peers importable; its stdout.
fn run_python(name: &str, script: &str, args: &[&str]) -> Option<String> {
    let mut py = python()?;
    let dir = stubs(name);
    let path = format!("{}:{}", dir.display(), Path::new(PEERS).display());
    let out = py
        .args(["-c", script])
        .args(args)
        .env("PYTHONPATH", path)
        .env("PYTHONPYCACHEPREFIX", dir.join("pycache"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The twin that `lgrin_twin_check.py` builds for an engine checkpoint's `config` metadata,
/// and its parameter count.
const TWIN_COUNT: &str = r#"
import json, sys
import lgrin_twin_check
from lgrin_model import Lgrin
cfg = lgrin_twin_check.twin_config(json.loads(sys.argv[1]))
print(sum(p.numel() for p in Lgrin(cfg).parameters()))
"#;

#[test]
fn the_twin_of_a_checkpoint_has_the_engine_parameter_count_for_every_width_and_switch() {
    let base = LgrinConfig {
        nodes: 40,
        ..LgrinConfig::reference(32, 7)
    };
    let cases = [
        ("default", base.clone()),
        (
            "hidden 32",
            LgrinConfig {
                hidden: 32,
                ..base.clone()
            },
        ),
        (
            "no G*conv MLP",
            LgrinConfig {
                gconv_mlp: false,
                ..base.clone()
            },
        ),
        (
            "no inception",
            LgrinConfig {
                inception: false,
                ..base.clone()
            },
        ),
        (
            "fixed adjacency and p",
            LgrinConfig {
                learned_a: false,
                learned_p: false,
                hidden: 64,
                ..base.clone()
            },
        ),
    ];
    assert_eq!(base.model, ModelKind::Lgrin);
    assert_eq!(base.parameter_count(), Some(707_471));
    for (what, config) in cases {
        let json = serde_json::to_string(&config).unwrap();
        let Some(out) = run_python("twin", TWIN_COUNT, &[&json]) else {
            eprintln!("python3 not found: twin not checked");
            return;
        };
        let twin: usize = out.trim().parse().unwrap();
        assert_eq!(Some(twin), config.parameter_count(), "{what}");
    }
}

/// `bench_torch.synapse_lists` for (clips, n_pre, k, set) given on the command line, as JSON.
const SPIKE_LISTS: &str = r#"
import json, sys
import bench_torch
c, n, k, s = (int(v) for v in sys.argv[1:])
print(json.dumps(bench_torch.synapse_lists(c, n, k, s)))
"#;

#[test]
fn the_torch_peer_propagates_the_engine_spike_lists() {
    for (clips, n_pre, k, set) in [(8, 256, 32, 0), (8, 256, 32, 1), (5, 97, 9, 1)] {
        let args = [clips, n_pre, k, set].map(|v| v.to_string());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let Some(out) = run_python("spikes", SPIKE_LISTS, &args) else {
            eprintln!("python3 not found: spike lists not checked");
            return;
        };
        let peer: Vec<Vec<u32>> = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(
            peer,
            synapse_lists(clips, n_pre, k, set),
            "clips {clips}, n_pre {n_pre}, k {k}, set {set}"
        );
    }
}

/// `train_lgrin.py`'s parsed flags: `--hidden` reaches the twin's configuration.
const TRAIN_HIDDEN: &str = r#"
import sys
import train_lgrin
seen = {}
def stop(args, seed, *rest):
    seen["hidden"] = args.hidden
    raise SystemExit(0)
train_lgrin.load = lambda features: (None, None, None, None)
train_lgrin.run = stop
sys.argv = ["train_lgrin.py", "--features", "none", "--hidden", "32"]
try:
    train_lgrin.main()
except SystemExit:
    pass
print(seen.get("hidden"))
"#;

#[test]
fn the_twin_trainer_takes_the_classifier_width() {
    let Some(out) = run_python("train", TRAIN_HIDDEN, &[]) else {
        eprintln!("python3 not found: trainer flags not checked");
        return;
    };
    assert_eq!(out.trim(), "32");
}

#[test]
fn a_record_flag_without_its_value_is_named() {
    let out = std::env::temp_dir().join(format!("synchgraph-mirror-{}-flags", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    for flag in ["--deadline", "--filter", "--peer-device", "--out"] {
        let run = Command::new("bash")
            .arg("benches/device/record.sh")
            .arg(flag)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("OUT", &out)
            .env("SYNCHGRAPH_BIN", "/no/such/synchgraph")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{flag}: {stderr}");
        assert!(
            stderr.contains(&format!("record.sh: {flag} needs a value")),
            "{flag}: {stderr}"
        );
    }
}

#!/usr/bin/env python3
"""Check that lgrin_model.py computes what the engine computes: load an engine checkpoint
(`model.safetensors` of `synchgraph train lgrin`, reference variant, any `--hidden` and ablation
switches, which the twin takes from the checkpoint's configuration) into the PyTorch twin, score
feature files written by `synchgraph features` in evaluation mode, and compare with the lines
`synchgraph predict` printed for the same files.

    synchgraph features --data ../shared/data/emodb/wav --nodes 40 --out feat40
    synchgraph predict --model runs/lgrin feat40/anger > predict.txt
    python3 benches/peers/lgrin_twin_check.py --model runs/lgrin --predictions predict.txt

Prints the number of clips, how many predicted labels agree and the largest probability
difference; exits 1 on any disagreement larger than --tolerance.
"""

import argparse
import json
import math
import struct
import sys

import numpy as np
import torch

from lgrin_model import Config, Lgrin


def read_safetensors(path):
    """(tensors by name as float32 arrays, metadata) of a safetensors file."""
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = raw[8 + n:]
    out = {}
    for name, h in header.items():
        if h["dtype"] != "F32":
            raise SystemExit("%s: dtype %s, expected F32" % (name, h["dtype"]))
        a, b = h["data_offsets"]
        out[name] = np.frombuffer(body[a:b], dtype="<f4").reshape(h["shape"])
    return out, meta


def twin_config(cfg_e):
    """The twin's Config for an engine checkpoint's `config` metadata: its shape (nodes,
    features, classes, classifier width) and ablation switches. Only the reference L-GrIN is
    mirrored; other branch widths or layer counts than the twin's are refused."""
    if cfg_e["model"] != "lgrin" or not cfg_e["loss_means"]:
        raise SystemExit("only the reference L-GrIN variant is mirrored here")
    cfg = Config(cfg_e["nodes"], cfg_e["in_dims"], cfg_e["classes"], hidden=cfg_e["hidden"],
                 dropout=cfg_e["dropout"], gconv_mlp=cfg_e["gconv_mlp"],
                 inception=cfg_e["inception"], learned_a=cfg_e["learned_a"],
                 learned_p=cfg_e["learned_p"])
    for k in ("g1", "g2", "layers"):
        if cfg_e[k] != getattr(cfg, k):
            raise SystemExit("the checkpoint's %s is %s; the twin has %s"
                             % (k, cfg_e[k], getattr(cfg, k)))
    return cfg


def load_into(model, tensors):
    """Copy engine tensors into the twin (engine linear weights are [in, out])."""
    sd = model.state_dict()
    mapping = {"input_bn.running_mean": "input_bn.running_mean",
               "input_bn.running_var": "input_bn.running_var",
               "adjacency": "adjacency", "psi_p": "psi_p", "prelu.weight": "prelu.weight",
               "classifier0.weight": "cls1.weight", "classifier0.bias": "cls1.bias",
               "classifier1.weight": "cls2.weight", "classifier1.bias": "cls2.bias"}
    for l in range(model.cfg.layers):
        for bi, br in enumerate(["g1", "g2"]):
            e, t = "inception%d.%s" % (l, br), "layers.%d.%d" % (l, bi)
            # A G*conv without its MLP (--no-gconv-mlp) is one linear map, `lin`.
            for suffix, target in [("mlp0", "mlp.0"), ("mlp_bn", "mlp.1"), ("mlp1", "mlp.2"),
                                   ("lin", "mlp.0"), ("bn", "bn")]:
                for k in ["weight", "bias", "running_mean", "running_var"]:
                    mapping["%s.%s.%s" % (e, suffix, k)] = "%s.%s.%s" % (t, target, k)
    used = set()
    for src, dst in mapping.items():
        if src not in tensors:
            continue
        v = torch.from_numpy(tensors[src].copy())
        if dst.endswith("weight") and v.dim() == 2:
            v = v.t().contiguous()
        if sd[dst].shape != v.shape:
            raise SystemExit("%s %s does not fit %s %s" % (src, tuple(v.shape), dst,
                                                           tuple(sd[dst].shape)))
        sd[dst] = v
        used.add(src)
    missing = set(tensors) - used
    if missing:
        raise SystemExit("engine tensors without a twin: %s" % sorted(missing))
    model.load_state_dict(sd)


def worse(worst, diff):
    """The larger of two probability differences, a NaN counting as the largest: `max` keeps
    its first argument when the second is NaN, so a twin (or engine) probability that is NaN
    would otherwise vanish from the check instead of failing it."""
    return diff if math.isnan(diff) or math.isnan(worst) or diff > worst else worst


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="folder holding model.safetensors")
    p.add_argument("--predictions", required=True, help="output of `synchgraph predict`")
    p.add_argument("--tolerance", type=float, default=1e-3)
    args = p.parse_args()
    tensors, meta = read_safetensors(args.model + "/model.safetensors")
    cfg_e = json.loads(meta["config"])
    classes = json.loads(meta["classes"])
    model = Lgrin(twin_config(cfg_e))
    load_into(model, tensors)
    model.eval()
    agree, worst, n = 0, 0.0, 0
    for line in open(args.predictions):
        f = line.rstrip("\n").split("\t")
        if len(f) < 4:
            continue
        x = torch.from_numpy(np.load(f[0]).astype(np.float32))[None]
        with torch.no_grad():
            prob = torch.softmax(model(x), dim=1)[0].numpy()
        theirs = np.array([float(kv.split("=")[1]) for kv in f[3].split(" ")])
        agree += classes[int(prob.argmax())] == f[1]
        worst = worse(worst, float(np.abs(prob - theirs).max()))
        n += 1
    print("clips %d, labels agreeing %d, largest probability difference %.2e" % (n, agree, worst))
    sys.exit(0 if n > 0 and agree == n and worst <= args.tolerance else 1)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Train the PyTorch twin of L-GrIN (lgrin_model.py) on features written by `synchgraph features`,
with the protocol of `synchgraph train lgrin --split speaker`: train on some speakers, hold out a
stratified share of them for model selection (by default best validation accuracy, then lowest
validation cross-entropy; `--select` changes the rule; with no validation clips, as with
`--val-fraction 0`, the last epoch is kept), test on other speakers. Prints one JSON line per seed.

    synchgraph features --data ../shared/data/emodb/wav --nodes 40 --out feat40
    python3 benches/peers/train_lgrin.py --features feat40 --test-speakers 13,14 \\
        --epochs 40 --batch 32 --iters-per-epoch 0 --lr-step 20 --seeds 0,1

`--train-speakers` restricts training to those speakers (for example to tune on an inner split
that never touches the test speakers).
"""

import argparse
import csv
import json
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from lgrin_model import Config, Lgrin


def load(features):
    rows = list(csv.DictReader(open(os.path.join(features, "clips.csv"))))
    classes = sorted({r["class"] for r in rows})
    x = np.stack([np.load(os.path.join(features, r["file"])) for r in rows]).astype(np.float32)
    y = np.array([classes.index(r["class"]) for r in rows])
    speakers = np.array([r["speaker"] for r in rows])
    return x, y, speakers, classes


def stratified_holdout(idx, y, fraction, rng):
    """Split `idx` per class: a `fraction` of each class (rounded, at most all but one clip) to
    validation, the rest to training. Both index arrays are integer arrays, even when empty."""
    train, val = [], []
    for c in np.unique(y[idx]):
        members = idx[y[idx] == c].copy()
        rng.shuffle(members)
        n = min(int(round(len(members) * fraction)), len(members) - 1)
        val += list(members[:n])
        train += list(members[n:])
    return np.array(sorted(train), dtype=np.int64), np.array(sorted(val), dtype=np.int64)


def evaluate(model, x, y, idx, batch):
    model.eval()
    probs = []
    with torch.no_grad():
        for k in range(0, len(idx), batch):
            probs.append(F.softmax(model(x[idx[k:k + batch]]), dim=1))
    p = torch.cat(probs)
    ce = -torch.log(p[torch.arange(len(idx)), y[idx]].clamp_min(1e-12)).mean().item()
    return p.argmax(1), ce


def validation_scores(model, xt, yt, y, val, batch):
    """Accuracy and mean cross-entropy on the validation clips `val`; (None, None) when there
    are none (a validation share of 0, or classes too small to give up a clip)."""
    if len(val) == 0:
        return None, None
    pred, vce = evaluate(model, xt, yt, val, batch)
    return float((pred.numpy() == y[val]).mean()), vce


def keeps(best, select, vacc, vce):
    """Whether an epoch of validation accuracy `vacc` and cross-entropy `vce` replaces the kept
    one, `best` ((accuracy, cross-entropy, epoch, state) or None), under the rule `select`.
    Without a validation part (`vacc` None) every epoch replaces it, so the last one is kept,
    as `synchgraph train lgrin` keeps its last epoch then."""
    if vacc is None or select == "last":
        return True
    if select == "loss":
        return best is None or vce < best[1]
    return best is None or vacc > best[0] or (vacc == best[0] and vce < best[1])


def run(args, seed, x, y, speakers, classes):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    test_sp = args.test_speakers.split(",")
    test = np.where(np.isin(speakers, test_sp))[0]
    if args.train_speakers:
        pool = np.where(np.isin(speakers, args.train_speakers.split(",")))[0]
    else:
        pool = np.where(~np.isin(speakers, test_sp))[0]
    if args.val_speakers:
        in_val = np.isin(speakers[pool], args.val_speakers.split(","))
        train, val = pool[~in_val], pool[in_val]
    else:
        train, val = stratified_holdout(pool, y, args.val_fraction, rng)
    if len(train) < 2:
        # As `synchgraph train lgrin`: a smaller part leaves no minibatch to train on.
        raise SystemExit("training needs at least 2 clips, got %d" % len(train))
    cfg = Config(x.shape[1], x.shape[2], len(classes), model=args.model, variant=args.variant,
                 p_init=args.p_init, dropout=args.dropout, hidden=args.hidden,
                 learned_a=not args.fixed_adjacency, learned_p=not args.fixed_p)
    model = Lgrin(cfg)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=args.lr_step, gamma=0.5)
    batch = min(args.batch, len(train))
    best, log, secs = None, [], []
    for epoch in range(args.epochs):
        model.train()
        t0 = time.time()
        order = rng.permutation(train)
        iters = args.iters_per_epoch or -(-len(train) // batch)
        losses = []
        for it in range(iters):
            if args.iters_per_epoch:
                chosen = rng.choice(train, batch, replace=False)
            else:
                chosen = order[it * batch:(it + 1) * batch]
                if len(chosen) < 2:
                    chosen = order[-batch:]
            logits = model(xt[chosen])
            loss = model.loss(logits, yt[chosen])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        sched.step()
        secs.append(time.time() - t0)
        vacc, vce = validation_scores(model, xt, yt, y, val, args.batch)
        log.append((epoch, float(np.mean(losses)), vce, vacc))
        if keeps(best, args.select, vacc, vce):
            best = (vacc, vce, epoch, {k: v.clone() for k, v in model.state_dict().items()})
    model.load_state_dict(best[3])
    pred, tce = evaluate(model, xt, yt, test, args.batch)
    pred = pred.numpy()
    acc = float((pred == y[test]).mean())
    recall = [float((pred[y[test] == c] == c).mean()) for c in range(len(classes))
              if (y[test] == c).any()]
    return {
        "seed": seed, "model": args.model, "test_accuracy": acc,
        "unweighted_accuracy": float(np.mean(recall)), "test_ce": tce,
        "best_epoch": best[2], "best_val_accuracy": best[0],
        "seconds_per_epoch": float(np.mean(secs)),
        "parameters": sum(p.numel() for p in model.parameters()),
        "final_train_loss": log[-1][1], "log": log if args.log else None,
    }


def check_sizes(parser, args):
    """Refuse sizes the trainer cannot train with (argparse's exit status 2): a minibatch of 0
    divides by zero, 0 epochs select no epoch, StepLR needs a step of 1 or more, a negative
    count of iterations runs no step, a NaN validation share fails to round and a negative one
    moves the training clips to validation, and torch refuses a negative thread count."""
    for flag, value, least in [("--batch", args.batch, 1), ("--epochs", args.epochs, 1),
                               ("--lr-step", args.lr_step, 1),
                               ("--iters-per-epoch", args.iters_per_epoch, 0),
                               ("--threads", args.threads, 0)]:
        if value < least:
            parser.error("%s takes %d or more, not %d" % (flag, least, value))
    if not 0.0 <= args.val_fraction < 1.0:
        parser.error("--val-fraction takes a share in [0, 1), not %r" % args.val_fraction)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--features", required=True)
    p.add_argument("--model", default="lgrin", choices=["lgrin", "gcn-baseline"])
    p.add_argument("--variant", default="reference", choices=["reference", "paper"])
    p.add_argument("--p-init", default="ones", choices=["ones", "mean"])
    p.add_argument("--fixed-adjacency", action="store_true")
    p.add_argument("--fixed-p", action="store_true")
    p.add_argument("--test-speakers", default="13,14")
    p.add_argument("--train-speakers", default=None)
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--iters-per-epoch", type=int, default=50)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--lr-step", type=int, default=90)
    p.add_argument("--weight-decay", type=float, default=0.0)
    p.add_argument("--dropout", type=float, default=0.5)
    p.add_argument("--hidden", type=int, default=512,
                   help="classifier hidden width (the engine's `train lgrin --hidden`)")
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--val-speakers", default=None,
                   help="validate on these training speakers (held out of training) instead")
    p.add_argument("--speaker-norm", action="store_true",
                   help="standardise each feature over all nodes of each speaker's clips")
    p.add_argument("--select", default="accuracy", choices=["accuracy", "loss", "last"],
                   help="kept epoch: best validation accuracy (then lowest cross-entropy), "
                        "lowest validation cross-entropy, or the last epoch")
    p.add_argument("--seeds", default="0")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--log", action="store_true", help="include the per-epoch log")
    args = p.parse_args()
    check_sizes(p, args)
    if args.threads:
        torch.set_num_threads(args.threads)
    x, y, speakers, classes = load(args.features)
    if args.speaker_norm:
        for sp in np.unique(speakers):
            rows = speakers == sp
            frames = x[rows].reshape(-1, x.shape[2])
            x[rows] = (x[rows] - frames.mean(0)) / (frames.std(0) + 1e-5)
    for s in args.seeds.split(","):
        print(json.dumps(run(args, int(s), x, y, speakers, classes)), flush=True)


if __name__ == "__main__":
    main()

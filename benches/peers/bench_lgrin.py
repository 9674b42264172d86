#!/usr/bin/env python3
"""PyTorch peer of the engine's `lgrin_epoch` row: one L-GrIN training epoch (forward,
cross-entropy plus structure loss, backward, Adam) over random RAVDESS-shaped graphs,
4904 graphs x 90 nodes x 136 features in minibatches of 128 (39 steps), 8 classes; 4 graphs in
minibatches of 2 with --quick. The model is lgrin_model.py, the twin of the engine's reference
configuration (`LgrinConfig::reference`). Same name, size text, FLOP and byte counts as
src/bench/cases_train.rs, so `synchgraph bench --compare` pairs the rows.

    python3 benches/peers/bench_lgrin.py --json lgrin-torch.json [--device cpu] [--quick]

With torch.compile available (and without --no-compile) a second row `lgrin_epoch_compiled`
times the compiled model. Both rows are timed by the host clock (start to idle), to compare with
the engine's `bench --wall` run; a row that fails (compile error, out of memory) is listed under
`failures` and the other still runs.
"""

import sys

import torch

from lgrin_model import Config, Lgrin
from peer_common import Harness, count_text, parse_args

RAVDESS = (4904, 90, 136, 8)


def forward_flops(c, b):
    """Dense-product FLOPs of one forward pass of b graphs (cases_train.rs lgrin_forward_flops)."""
    m = c.nodes

    def gconv(w, o):
        k = max((w + o) // 4, 1)
        return 2 * m * b * w * k + 2 * m * b * k * o

    w, total = c.in_dims, 0
    for _ in range(c.layers):
        total += 2 * m * m * b * w + gconv(w, c.g1) + gconv(w, c.g2)
        w += c.g1 + c.g2
    return total + 2 * b * 3 * w * c.hidden + 2 * b * c.hidden * c.classes


def step_flops(c, b):
    """Forward and backward dense-product FLOPs of one step (cases_train.rs lgrin_step_flops):
    backward doubles every product but the first layer's adjacency product, whose input needs
    no gradient (dA only)."""
    return 3 * forward_flops(c, b) - 2 * c.nodes * c.nodes * b * c.in_dims


def epoch_row(h, compiled):
    graphs, m, feats, classes = RAVDESS
    batch = 128
    if h.args.quick:
        graphs, batch = 4, 2
    dev = h.device
    torch.manual_seed(0)
    cfg = Config(m, feats, classes)
    model = Lgrin(cfg).to(dev)
    params = sum(p.numel() for p in model.parameters())
    sizes = [min(batch, graphs - k) for k in range(0, graphs, batch)]
    # As the engine's one_pass_batches: a single leftover graph joins the last batch.
    if len(sizes) > 1 and sizes[-1] == 1:
        sizes.pop()
        sizes[-1] += 1
    g = torch.Generator().manual_seed(901)
    xs = [torch.randn(b, m, feats, generator=g).to(dev) for b in sizes]
    ys = [torch.randint(0, classes, (b,), generator=g).to(dev) for b in sizes]
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    step = torch.compile(model) if compiled else model

    def epoch(i):
        model.train()
        for x, y in zip(xs, ys):
            loss = model.loss(step(x), y)
            opt.zero_grad(set_to_none=False)
            loss.backward()
            opt.step()

    flops = sum(step_flops(cfg, b) for b in sizes)
    nbytes = 4 * graphs * m * feats + 28 * params * len(sizes)
    runs = (1, 3) if h.args.quick else (1, 5)  # as the engine's lgrin_epoch row

    def counted():
        return nbytes, flops, {"graphs": graphs, "steps": len(sizes)}

    name = "lgrin_epoch_compiled" if compiled else "lgrin_epoch"
    size = "%s graphs x %d x %d b %d" % (count_text(graphs), m, feats, batch)
    # Timed by the host clock, start to idle, as the engine's `--wall` run times the row
    # (benches/device/record.sh compares the two).
    h.case(name, "e2e", size, nbytes, flops, epoch, bound="compute", grad=True, runs=runs,
           counted=counted, wall=True)


def main():
    args = parse_args(__doc__.splitlines()[0])
    h = Harness(args)
    h.copy_ceiling()
    epoch_row(h, compiled=False)
    if not args.no_compile and hasattr(torch, "compile"):
        try:
            epoch_row(h, compiled=True)
        except Exception as e:  # a missing compiler toolchain is not this row's failure
            print("torch.compile failed, lgrin_epoch_compiled skipped: %s" % e, file=sys.stderr)
    h.finish()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PyTorch / PyG peer of the engine's graph rows: SpMM with 64 (and 16) features through
torch.sparse (CSR) and torch_geometric (torch_sparse SparseTensor, torch_geometric.utils.spmm),
and one GCN training epoch on Cora. Same table and JSON shape as `synchgraph bench`.

    python3 benches/peers/bench_pyg.py --cora data/Cora --json pyg.json

--cora DIR reads the same files the engine reads: the engine's plain-text layout
(DIR/cora.nodes.txt, DIR/cora.edges.txt, as in shared/data/cora), the LINQS release
(DIR/cora.content, DIR/cora.cites) or the Planetoid release (DIR/raw/ind.cora.*, read with PyG's
read_planetoid_data). Nothing is ever downloaded: without --cora, or when DIR is missing or holds
none of these, a random graph of Cora's shape stands in for the GCN epoch
(`gcn_epoch_pyg_synthetic`) and the real-Cora SpMM rows are left out.

SpMM rows and their engine pairs: `spmm_cora` (family sparse; "2708 nodes, 13264 nnz x 64") is
the engine's `spmm_cora` problem, a random graph of Cora's size (5278 uniform undirected edges,
both directions, duplicates merged, self loops, GCN-normalised; its own draw), not the real Cora
graph. `spmm_random` / `spmm_backward_random` and `spmm_large` / `spmm_backward_large` (family
graph) pair with the engine's rows of those names. `spmm_cora_real` (real Cora at 16 and 64
features) has no engine pair. `spmm_pyg*` and `spmm_pyg_utils*` are PyG's formulations of the
same products.

SpMM bytes (compulsory traffic, CSR, as the engine's spmm_bytes): row offsets 4(N+1), columns
and values 8 nnz, the feature matrix read once 4 min(nnz, N) F, output written 4 N F; FLOPs
2 nnz F. The feature rows gathered per non-zero (4 nnz F, served by the cache where the features
fit in it) are the `gathered_bytes` metric. The backward rows (`spmm_backward*`) compute A^T G,
the gradient of A X with respect to X, from a transposed CSR built once (as the engine keeps its
transpose structure; 4 nnz more bytes for its permutation, as the engine counts); the `_large`
graph has 16 uniformly drawn columns per row (1M nodes; 2048 in --quick), like
src/bench/cases_graph.rs.
"""

import os
import sys

import torch
import torch.nn.functional as F

from peer_common import INPUT_SETS, Harness, count_text, normal_sets, parse_args

CORA_NODES, CORA_FEATURES, CORA_CLASSES, CORA_UNDIRECTED_EDGES = 2708, 1433, 7, 5278
LARGE_DEGREE = 16


def spmm_bytes(n, nnz, f):
    """Same count as src/graph/spmm.rs spmm_bytes (square A): X read once, not per entry."""
    return 4 * (n + 1) + 8 * nnz + 4 * min(nnz, n) * f + 4 * n * f


def spmm_gathered_bytes(nnz, f):
    """Same count as src/graph/spmm.rs spmm_gathered_bytes: one X row per stored entry."""
    return 4 * nnz * f


def gcn_normalized(edge_index, n, device):
    """Symmetric GCN normalisation D^-1/2 (A + I) D^-1/2 as (row, col, value), self loops added."""
    loops = torch.arange(n, device=device)
    row = torch.cat([edge_index[0], loops])
    col = torch.cat([edge_index[1], loops])
    deg = torch.zeros(n, device=device).index_add_(0, row, torch.ones_like(row, dtype=torch.float))
    dinv = deg.pow(-0.5)
    return row, col, dinv[row] * dinv[col]


def cora_shaped_graph(device, seed):
    """The engine's `spmm_cora` graph (src/bench/cases_sparse.rs random_graph), own draw: 5278
    uniform random undirected edges stored both ways, duplicates merged, a self loop per node,
    GCN-normalised. (row, col, value)."""
    n = CORA_NODES
    g = torch.Generator().manual_seed(seed)
    pairs = torch.randint(0, n, (2, CORA_UNDIRECTED_EDGES), generator=g)
    loops = torch.arange(n)
    row = torch.cat([pairs[0], pairs[1], loops])
    col = torch.cat([pairs[1], pairs[0], loops])
    keys = torch.unique(row * n + col)
    row, col = (keys // n).to(device), (keys % n).to(device)
    deg = torch.zeros(n, device=device).index_add_(0, row, torch.ones_like(row, dtype=torch.float))
    dinv = deg.pow(-0.5)
    return row, col, dinv[row] * dinv[col]


def planetoid_raw(path):
    """DIR/raw when it holds the Planetoid release of Cora (ind.cora.*), else None."""
    raw = os.path.join(path, "raw")
    names = ["x", "tx", "allx", "y", "ty", "ally", "graph", "test.index"]
    if all(os.path.isfile(os.path.join(raw, "ind.cora." + n)) for n in names):
        return raw
    return None


def load_cora(path, device):
    """(x [N, 1433], y [N], edge_index [2, E] both directions, label) from the Cora files, or a
    random stand-in of Cora's shape (label "synthetic") when `path` is None, missing or holds no
    known layout. Never downloads."""
    if path is not None and not os.path.isdir(path):
        print("bench_pyg: no Cora folder at %s: a synthetic graph stands in" % path,
              file=sys.stderr)
        path = None
    if path is not None and not any(
            os.path.exists(os.path.join(path, f)) for f in ("cora.nodes.txt", "cora.content")) \
            and planetoid_raw(path) is None:
        print("bench_pyg: %s holds no Cora files (cora.nodes.txt, cora.content or "
              "raw/ind.cora.*): a synthetic graph stands in" % path, file=sys.stderr)
        path = None
    if path is None:
        g = torch.Generator().manual_seed(0)
        src = torch.randint(0, CORA_NODES, (CORA_UNDIRECTED_EDGES,), generator=g)
        dst = torch.randint(0, CORA_NODES, (CORA_UNDIRECTED_EDGES,), generator=g)
        ei = torch.stack([torch.cat([src, dst]), torch.cat([dst, src])])
        x = (torch.rand(CORA_NODES, CORA_FEATURES, generator=g) < 0.0127).float()
        y = torch.randint(0, CORA_CLASSES, (CORA_NODES,), generator=g)
        return x.to(device), y.to(device), ei.to(device), "synthetic"
    nodes_txt = os.path.join(path, "cora.nodes.txt")
    if os.path.exists(nodes_txt):
        # The engine's plain-text layout (shared/data/cora): "node label count idx..." per node
        # (binary features), "u v" per undirected edge; the first 140 nodes are the train split.
        feats, labels = [], []
        with open(nodes_txt) as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                parts = [int(v) for v in line.split()]
                labels.append(max(parts[1], 0))
                feats.append(parts[3:3 + parts[2]])
        x = torch.zeros(len(feats), CORA_FEATURES)
        for i, idx in enumerate(feats):
            x[i, idx] = 1.0
        edges = []
        with open(os.path.join(path, "cora.edges.txt")) as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                a, b = (int(v) for v in line.split())
                edges += [(a, b), (b, a)]
        ei = torch.tensor(sorted(edges), dtype=torch.long).t()
        return x.to(device), torch.tensor(labels).to(device), ei.to(device), "cora"
    content = os.path.join(path, "cora.content")
    if os.path.exists(content):
        ids, feats, labels = {}, [], []
        classes = {}
        with open(content) as f:
            for line in f:
                parts = line.split()
                ids[parts[0]] = len(ids)
                feats.append([float(v) for v in parts[1:-1]])
                labels.append(classes.setdefault(parts[-1], len(classes)))
        edges = set()
        with open(os.path.join(path, "cora.cites")) as f:
            for line in f:
                a, b = line.split()
                if a in ids and b in ids and a != b:
                    edges.add((ids[a], ids[b]))
                    edges.add((ids[b], ids[a]))
        ei = torch.tensor(sorted(edges), dtype=torch.long).t()
        x = torch.tensor(feats)
        return x.to(device), torch.tensor(labels).to(device), ei.to(device), "cora"
    try:
        from torch_geometric.io import read_planetoid_data
    except ImportError:
        print("bench_pyg: torch_geometric.io.read_planetoid_data not available to read %s: a "
              "synthetic graph stands in" % planetoid_raw(path), file=sys.stderr)
        return load_cora(None, device)
    try:
        data = read_planetoid_data(planetoid_raw(path), "cora")
    except Exception as e:  # a damaged release: the synthetic graph, not a failed step
        print("bench_pyg: reading %s failed (%s): a synthetic graph stands in"
              % (planetoid_raw(path), e), file=sys.stderr)
        return load_cora(None, device)
    return data.x.to(device), data.y.to(device), data.edge_index.to(device), "cora"


def spmm_rows(h, name_suffix, n, row, col, val, dev, features, backward=False, family="graph",
              size=None):
    """SpMM rows of one graph; `size(f)` gives the size text (default "N nodes NNZ nnz x F",
    the engine's graph rows)."""
    nnz = row.numel()
    if size is None:
        size = lambda f: "%s nodes %s nnz x %d" % (count_text(n), count_text(nnz), f)
    order = torch.argsort(row * n + col)
    row, col, val = row[order], col[order], val[order]
    crow = torch.zeros(n + 1, dtype=torch.long, device=dev)
    crow[1:] = torch.cumsum(torch.bincount(row, minlength=n), 0)
    a_csr = torch.sparse_csr_tensor(crow, col, val, (n, n))
    try:
        from torch_sparse import SparseTensor

        adj = SparseTensor(row=row, col=col, value=val, sparse_sizes=(n, n))
    except ImportError:
        adj = None
        print("torch_sparse not installed: spmm_pyg rows skipped", file=sys.stderr)
    try:
        from torch_geometric.utils import spmm as pyg_spmm
    except ImportError:
        pyg_spmm = None
    t_order = torch.argsort(col * n + row)
    t_col, t_row, t_val = col[t_order], row[t_order], val[t_order]
    t_crow = torch.zeros(n + 1, dtype=torch.long, device=dev)
    t_crow[1:] = torch.cumsum(torch.bincount(t_col, minlength=n), 0)
    a_t = torch.sparse_csr_tensor(t_crow, t_row, t_val, (n, n))
    adj_t = adj.t() if adj is not None and backward else None
    for f in features:
        x = normal_sets([n, f], dev, 301 + f)
        work = (spmm_bytes(n, nnz, f), 2 * nnz * f)
        # The transpose's permutation: 4 B per entry more, as the engine's backward rows count.
        back = (work[0] + 4 * nnz, work[1])
        counts = {"gathered_bytes": spmm_gathered_bytes(nnz, f)}
        h.case("spmm" + name_suffix, family, size(f), *work,
               lambda i, x=x: torch.sparse.mm(a_csr, x[i % INPUT_SETS]), counts=counts)
        if adj is not None:
            h.case("spmm_pyg" + name_suffix, family, size(f), *work,
                   lambda i, x=x: adj.matmul(x[i % INPUT_SETS]), counts=counts)
        if pyg_spmm is not None and adj is not None:
            h.case("spmm_pyg_utils" + name_suffix, family, size(f), *work,
                   lambda i, x=x: pyg_spmm(adj, x[i % INPUT_SETS], reduce="sum"), counts=counts)
        if backward:
            h.case("spmm_backward" + name_suffix, family, size(f), *back,
                   lambda i, x=x: torch.sparse.mm(a_t, x[i % INPUT_SETS]), counts=counts)
        if adj_t is not None:
            h.case("spmm_pyg_backward" + name_suffix, family, size(f), *back,
                   lambda i, x=x: adj_t.matmul(x[i % INPUT_SETS]), counts=counts)


def gcn_epoch(h, x, y, ei, label, dev):
    """One training epoch of the 2-layer GCN (1433-16-7, ReLU, dropout 0.5, Adam lr 0.01, weight
    decay 5e-4, 140 training nodes): forward, loss, backward, step. FLOPs: 3x the forward
    (dense X W, sparse propagation); bytes: features, adjacency and weights read once."""
    try:
        from torch_geometric.nn import GCNConv
    except ImportError:
        print("torch_geometric not installed: gcn_epoch_pyg skipped", file=sys.stderr)
        return
    n, fin = x.shape
    hidden, classes = 16, int(y.max()) + 1
    nnz = ei.shape[1] + n

    class Gcn(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.c1 = GCNConv(fin, hidden, cached=True)
            self.c2 = GCNConv(hidden, classes, cached=True)

        def forward(self, x, ei):
            x = F.dropout(F.relu(self.c1(x, ei)), 0.5, self.training)
            return self.c2(x, ei)

    model = Gcn().to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    train = torch.zeros(n, dtype=torch.bool, device=dev)
    train[:140] = True

    def epoch(i):
        model.train()
        opt.zero_grad()
        loss = F.cross_entropy(model(x, ei)[train], y[train])
        loss.backward()
        opt.step()

    # Each product once forward, then in the backward once per gradient it passes on: X W1
    # gives only W1's gradient (X needs none), each A_hat product only its input's gradient (A_hat
    # is constant), H1 W2 both W2's and H1's.
    x_w1, a_h1 = 2 * n * fin * hidden, 2 * nnz * hidden
    h1_w2, a_h2 = 2 * n * hidden * classes, 2 * nnz * classes
    flops = 2 * x_w1 + 2 * a_h1 + 3 * h1_w2 + 2 * a_h2
    nbytes = 4 * n * fin + 12 * nnz + 4 * (fin * hidden + hidden * classes)
    # Named and sized like the engine's row on real Cora, so `--compare` pairs them. Timed by
    # the host clock, start to idle, as the engine's `--wall` run times its epoch (record.sh
    # compares the two); CUDA events would time from the first launch only.
    name, size = ("gcn_epoch_cora", "%d nodes %d feats h %d" % (n, fin, hidden)) if label == "cora" \
        else ("gcn_epoch_pyg_synthetic", "%s %d nodes %d nnz" % (label, n, nnz))
    h.case(name, "e2e", size, nbytes, flops, epoch, grad=True, wall=True)


def main():
    import argparse

    extra = argparse.ArgumentParser(add_help=False)
    extra.add_argument("--cora", default=None)
    known, rest = extra.parse_known_args()
    sys.argv = [sys.argv[0]] + rest
    args = parse_args(__doc__.splitlines()[0])
    cora_arg = ["--cora", known.cora] if known.cora is not None else []
    h = Harness(args, command=" ".join(["python3"] + sys.argv + cora_arg))
    dev = h.device
    h.copy_ceiling()
    x, y, ei, label = load_cora(known.cora, dev)
    n = x.shape[0]
    # The engine's spmm_cora problem: a random graph of Cora's size, sized as the engine sizes
    # it (Cora's 2 x 5278 + 2708 entries; the merged duplicates are a handful).
    c_row, c_col, c_val = cora_shaped_graph(dev, 77)
    nominal = 2 * CORA_UNDIRECTED_EDGES + CORA_NODES
    spmm_rows(h, "_cora", CORA_NODES, c_row, c_col, c_val, dev, [64], family="sparse",
              size=lambda f: "%s nodes, %s nnz x %d" % (count_text(CORA_NODES),
                                                        count_text(nominal), f))
    if label == "cora":
        # The real graph: no engine row computes it (the engine's spmm_cora is synthetic).
        row, col, val = gcn_normalized(ei, n, dev)
        spmm_rows(h, "_cora_real", n, row, col, val, dev, [16, 64], family="sparse")
    # A random graph of ~1M edges (plus self loops), 64 features; tiny in --quick mode.
    nodes, edges = (4096, 32768) if args.quick else (131072, 1 << 20)
    g = torch.Generator().manual_seed(1)
    rand = torch.randint(0, nodes, (2, edges), generator=g).to(dev)
    r_row, r_col, r_val = gcn_normalized(rand, nodes, dev)
    spmm_rows(h, "_random", nodes, r_row, r_col, r_val, dev, [64], backward=True)
    # A large graph: LARGE_DEGREE uniform columns per row, values 1 / LARGE_DEGREE.
    large = 2048 if args.quick else 1 << 20
    l_row = torch.arange(large, device=dev).repeat_interleave(LARGE_DEGREE)
    l_col = torch.randint(0, large, (large * LARGE_DEGREE,), generator=g).to(dev)
    l_val = torch.full((large * LARGE_DEGREE,), 1.0 / LARGE_DEGREE, device=dev)
    spmm_rows(h, "_large", large, l_row, l_col, l_val, dev, [64], backward=True)
    gcn_epoch(h, x, y, ei, label, dev)
    h.finish()


if __name__ == "__main__":
    main()

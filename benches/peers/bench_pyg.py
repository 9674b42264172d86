#!/usr/bin/env python3
"""PyTorch / PyG peer of the engine's graph rows: SpMM with 64 (and 16) features through
torch.sparse (CSR) and torch_geometric (torch_sparse SparseTensor, torch_geometric.utils.spmm),
and one GCN training epoch on Cora. Same table and JSON shape as `synchgraph bench`.

    python3 benches/peers/bench_pyg.py --cora data/Cora --json pyg.json

--cora DIR reads the same files the engine reads: the engine's plain-text layout
(DIR/cora.nodes.txt, DIR/cora.edges.txt, as in shared/data/cora), the LINQS release
(DIR/cora.content, DIR/cora.cites) or the Planetoid release (DIR/raw/ind.cora.*, read with PyG's
Planetoid loader, root = the parent of DIR). Without --cora a random graph of Cora's shape stands in (rows are then
labelled "synthetic").

SpMM bytes (compulsory traffic, CSR): row offsets 4(N+1), columns and values 8 nnz, one feature
row gathered per non-zero 4 nnz F, output written 4 N F; FLOPs 2 nnz F. The backward rows
(`spmm_backward*`) compute A^T G, the gradient of A X with respect to X, from a transposed CSR
built once (as the engine keeps its transpose structure); the `_large` graph has 16 uniformly drawn
columns per row (1M nodes; 2048 in --quick), like src/bench/cases_graph.rs.
"""

import os
import sys

import torch
import torch.nn.functional as F

from peer_common import INPUT_SETS, Harness, count_text, normal_sets, parse_args

CORA_NODES, CORA_FEATURES, CORA_CLASSES, CORA_UNDIRECTED_EDGES = 2708, 1433, 7, 5278
LARGE_DEGREE = 16


def spmm_bytes(n, nnz, f):
    return 4 * (n + 1) + 8 * nnz + 4 * nnz * f + 4 * n * f


def gcn_normalized(edge_index, n, device):
    """Symmetric GCN normalisation D^-1/2 (A + I) D^-1/2 as (row, col, value), self loops added."""
    loops = torch.arange(n, device=device)
    row = torch.cat([edge_index[0], loops])
    col = torch.cat([edge_index[1], loops])
    deg = torch.zeros(n, device=device).index_add_(0, row, torch.ones_like(row, dtype=torch.float))
    dinv = deg.pow(-0.5)
    return row, col, dinv[row] * dinv[col]


def load_cora(path, device):
    """(x [N, 1433], y [N], edge_index [2, E] both directions, label) from the Cora files."""
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
    from torch_geometric.datasets import Planetoid

    data = Planetoid(os.path.dirname(os.path.abspath(path)), "Cora")[0]
    return data.x.to(device), data.y.to(device), data.edge_index.to(device), "cora"


def spmm_rows(h, name_suffix, n, row, col, val, dev, features, backward=False):
    nnz = row.numel()
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
        h.case("spmm" + name_suffix, "graph", size(f), *work,
               lambda i, x=x: torch.sparse.mm(a_csr, x[i % INPUT_SETS]))
        if adj is not None:
            h.case("spmm_pyg" + name_suffix, "graph", size(f), *work,
                   lambda i, x=x: adj.matmul(x[i % INPUT_SETS]))
        if pyg_spmm is not None and adj is not None:
            h.case("spmm_pyg_utils" + name_suffix, "graph", size(f), *work,
                   lambda i, x=x: pyg_spmm(adj, x[i % INPUT_SETS], reduce="sum"))
        if backward:
            h.case("spmm_backward" + name_suffix, "graph", size(f), *work,
                   lambda i, x=x: torch.sparse.mm(a_t, x[i % INPUT_SETS]))
        if adj_t is not None:
            h.case("spmm_pyg_backward" + name_suffix, "graph", size(f), *work,
                   lambda i, x=x: adj_t.matmul(x[i % INPUT_SETS]))


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
    # Named and sized like the engine's row on real Cora, so `--compare` pairs them.
    name, size = ("gcn_epoch_cora", "%d nodes %d feats h %d" % (n, fin, hidden)) if label == "cora" \
        else ("gcn_epoch_pyg_synthetic", "%s %d nodes %d nnz" % (label, n, nnz))
    h.case(name, "e2e", size, nbytes, flops, epoch, grad=True)


def main():
    import argparse

    extra = argparse.ArgumentParser(add_help=False)
    extra.add_argument("--cora", default=None)
    known, rest = extra.parse_known_args()
    sys.argv = [sys.argv[0]] + rest
    args = parse_args(__doc__.splitlines()[0])
    h = Harness(args, command=" ".join(["python3"] + sys.argv + ["--cora", str(known.cora)]))
    dev = h.device
    h.copy_ceiling()
    x, y, ei, label = load_cora(known.cora, dev)
    n = x.shape[0]
    row, col, val = gcn_normalized(ei, n, dev)
    spmm_rows(h, "" if label == "cora" else "_synthetic", n, row, col, val, dev, [16, 64])
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

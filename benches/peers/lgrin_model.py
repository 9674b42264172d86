"""PyTorch twin of the engine's L-GrIN (src/models/lgrin) and its fixed-graph GCN baseline.

Same architecture, initialisation and loss as `LgrinConfig::reference` (and its switches):
input batch norm without affine parameters; a learnable M x M adjacency A used as ReLU(A),
U[0, 1) (reference) or N(0, 1) (paper); G*conv = ReLU(BN(MLP(ReLU(A) H))) with the MLP
Linear -> BN -> ReLU -> Linear of hidden width (in + out) / 4; inception layers
[1-hop maxpool | G1 (128) | G2 (64)]; pooling [max | Psi = H^T p | mean]; the classifier
Linear(3 w, 512) -> Dropout(0.5) -> PReLU(512) -> Linear(512, classes); loss = cross-entropy
+ 0.1 (mean(ReLU(A) * A_d) + mean(ReLU(A)^2)) + 1e-4 mean(p^2) (sums for the paper variant).
Linear weights are Xavier-uniform, biases zero, batch norms PyTorch's defaults (momentum 0.1,
eps 1e-5). Features are [graphs, nodes, features].
"""

import torch
import torch.nn as nn
import torch.nn.functional as F


def temporal_adjacency(m):
    """Binary temporal graph: i ~ j when |i - j| <= 1 (self loops included)."""
    i = torch.arange(m)
    return ((i[:, None] - i[None, :]).abs() <= 1).float()


def temporal_neighbours(m):
    """The temporal max-pool's neighbours: i ~ j when |i - j| = 1 (a node is not its own)."""
    i = torch.arange(m)
    return ((i[:, None] - i[None, :]).abs() == 1).float()


def normalised_temporal(m):
    """D^-1/2 T D^-1/2 of the temporal graph (the GCN baseline's adjacency)."""
    t = temporal_adjacency(m)
    d = t.sum(1).rsqrt()
    return d[:, None] * t * d[None, :]


class Config:
    """The engine's LgrinConfig fields that shape the network and its loss."""

    def __init__(self, nodes, in_dims, classes, **kw):
        self.model = kw.get("model", "lgrin")
        self.nodes, self.in_dims, self.classes = nodes, in_dims, classes
        self.g1, self.g2, self.layers = 128, 64, 2
        self.hidden = kw.get("hidden", 512)
        self.dropout = kw.get("dropout", 0.5)
        self.lambda_struct, self.lambda_p = 0.1, 1e-4
        self.variant = kw.get("variant", "reference")
        self.loss_means = self.variant == "reference"
        self.a_init = "uniform" if self.variant == "reference" else "normal"
        self.maxpool_graph = "temporal" if self.variant == "reference" else "learned"
        self.gconv_mlp = kw.get("gconv_mlp", True)
        self.inception = kw.get("inception", True)
        self.learned_a = kw.get("learned_a", True)
        self.learned_p = kw.get("learned_p", True)
        self.p_init = kw.get("p_init", "ones")


def batch_norm_rows(bn, h):
    """Batch norm over every node of every graph: [b, m, f] -> [b, m, f]."""
    b, m, f = h.shape
    return bn(h.reshape(b * m, f)).reshape(b, m, f)


def xavier_linear(i, o):
    lin = nn.Linear(i, o)
    nn.init.xavier_uniform_(lin.weight)
    nn.init.zeros_(lin.bias)
    return lin


class GConv(nn.Module):
    """ReLU(BN(MLP(agg))), or ReLU(BN(Linear(agg))) without the MLP, for agg = adj H."""

    def __init__(self, i, o, mlp):
        super().__init__()
        hidden = max((i + o) // 4, 1)
        if mlp:
            self.mlp = nn.ModuleList([xavier_linear(i, hidden), nn.BatchNorm1d(hidden),
                                      xavier_linear(hidden, o)])
        else:
            self.mlp = nn.ModuleList([xavier_linear(i, o)])
        self.bn = nn.BatchNorm1d(o)

    def forward(self, agg):
        t = self.mlp[0](agg)
        if len(self.mlp) == 3:
            t = F.relu(batch_norm_rows(self.mlp[1], t))
            t = self.mlp[2](t)
        return F.relu(batch_norm_rows(self.bn, t))


def neighbour_max(mask, h):
    """out[b, i, f] = max over j with mask[i, j] > 0 of h[b, j, f] (0 without neighbours).
    Gathers each node's neighbours into [b, m, max degree, f] (3 for the temporal graph)."""
    m = mask.shape[0]
    linked = mask > 0
    deg = linked.sum(dim=1)
    width = max(int(deg.max()), 1)
    order = torch.argsort(linked.float(), dim=1, descending=True, stable=True)[:, :width]
    valid = torch.arange(width, device=h.device)[None, :] < deg[:, None]
    g = h[:, order]
    g = g.masked_fill(~valid[None, :, :, None], torch.finfo(h.dtype).min)
    out = g.max(dim=2).values
    return torch.where((deg > 0)[None, :, None], out, torch.zeros_like(out))


class Lgrin(nn.Module):
    """L-GrIN or the GCN baseline (cfg.model == "gcn-baseline")."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = c = cfg
        m = c.nodes
        self.input_bn = nn.BatchNorm1d(c.in_dims, affine=False)
        lgrin = c.model == "lgrin"
        if lgrin and c.learned_a:
            a = torch.rand(m, m) if c.a_init == "uniform" else torch.randn(m, m)
            self.adjacency = nn.Parameter(a)
        else:
            self.adjacency = None
        p0 = torch.ones(m) if c.p_init == "ones" else torch.full((m,), 1.0 / m)
        if lgrin and c.learned_p:
            self.psi_p = nn.Parameter(p0)
        else:
            self.register_buffer("psi_fixed", p0)
            self.psi_p = None
        fixed = normalised_temporal(m) if not lgrin else temporal_adjacency(m)
        self.register_buffer("fixed_adj", fixed)
        self.register_buffer("temporal_mask", temporal_neighbours(m))
        i = torch.arange(m, dtype=torch.float32)
        self.register_buffer("a_d", (i[:, None] - i[None, :]) ** 2)
        self.layers = nn.ModuleList()
        self.maxpool = lgrin and c.inception
        w = c.in_dims
        for _ in range(c.layers):
            if not lgrin:
                self.layers.append(nn.ModuleList([GConv(w, c.g1, False)]))
                w = c.g1
            elif c.inception:
                self.layers.append(nn.ModuleList([GConv(w, c.g1, c.gconv_mlp),
                                                  GConv(w, c.g2, c.gconv_mlp)]))
                w = w + c.g1 + c.g2
            else:
                self.layers.append(nn.ModuleList([GConv(w, c.g1, c.gconv_mlp)]))
                w = c.g1
        readouts = 3 if lgrin else 2
        self.cls1 = xavier_linear(readouts * w, c.hidden)
        self.drop = nn.Dropout(c.dropout)
        self.prelu = nn.PReLU(c.hidden, init=0.25)
        self.cls2 = xavier_linear(c.hidden, c.classes)

    def relu_a(self):
        return F.relu(self.adjacency) if self.adjacency is not None else None

    def forward(self, x):
        c = self.cfg
        h = batch_norm_rows(self.input_bn, x)
        ra = self.relu_a()
        adj = ra if ra is not None else self.fixed_adj
        mask = self.temporal_mask if c.maxpool_graph == "temporal" else adj.detach()
        for layer in self.layers:
            parts = [neighbour_max(mask, h)] if self.maxpool else []
            agg = torch.einsum("ij,bjf->bif", adj, h)  # shared by the layer's branches
            parts += [g(agg) for g in layer]
            h = torch.cat(parts, dim=2) if len(parts) > 1 else parts[0]
        mx = h.max(dim=1).values
        mean = h.mean(dim=1)
        if c.model == "lgrin":
            p = self.psi_p if self.psi_p is not None else self.psi_fixed
            pooled = torch.cat([mx, torch.einsum("bmf,m->bf", h, p), mean], dim=1)
        else:
            pooled = torch.cat([mx, mean], dim=1)
        z = self.prelu(self.drop(self.cls1(pooled)))
        return self.cls2(z)

    def loss(self, logits, y):
        c = self.cfg
        total = F.cross_entropy(logits, y)
        ra = self.relu_a()
        if ra is not None:
            k = ra.numel() if c.loss_means else 1.0
            # The reference code penalises mean(ReLU(A)^2); the paper's lambda2 ||A||_F^2 is of A
            # itself, negative entries included.
            sq = ra * ra if c.loss_means else self.adjacency * self.adjacency
            total = total + c.lambda_struct * ((ra * self.a_d).sum() + sq.sum()) / k
        if self.psi_p is not None:
            kp = self.psi_p.numel() if c.loss_means else 1.0
            total = total + c.lambda_p * (self.psi_p ** 2).sum() / kp
        return total

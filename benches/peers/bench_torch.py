#!/usr/bin/env python3
"""PyTorch peer of `synchgraph bench`: the same workloads at the same sizes, eager and
torch.compile, printing the same table and JSON shape (see peer_common.py).

    python3 benches/peers/bench_torch.py --quick --json torch-quick.json
    python3 benches/peers/bench_torch.py --json torch-full.json
    synchgraph bench --json ours.json --compare torch-full.json   # ratio per matching row

Rows named like the Rust rows are directly comparable; `*_compiled` rows are torch.compile, and
rows with other suffixes (`adam_step_fused`, `synapse_propagate_dense`) are alternative PyTorch
formulations of the same workload. Matmuls run in true fp32 (TF32 disabled), like the engine's
WGSL GEMM. Each row counts the bytes of its own formulation where it differs from the engine's.
"""

import torch
import torch.nn.functional as F

from peer_common import (
    INPUT_SETS,
    Harness,
    count_text,
    maybe_compile,
    normal_sets,
    parse_args,
    random_index_list,
    random_indices,
)

FEATURES = 64
SEGMENT_ROWS = 32
SCATTER_FAN_IN = 8
BROADCAST_COLS = 1024
ROW_LEN = 1024
ADAM_TENSORS = 16


def _add(a, b):
    return a + b


def _relu(x):
    return torch.relu(x)


def _mul(a, b):
    return a * b


def elementwise(h, dev, compile_on):
    n = h.sizes.elements
    b = 4 * n
    a, c = normal_sets([n], dev, 1), normal_sets([n], dev, 11)
    x = normal_sets([n], dev, 21)
    cols = min(BROADCAST_COLS, n)
    rows = n // cols
    m, v = normal_sets([rows, cols], dev, 31), normal_sets([cols], dev, 41)
    size = "%s f32" % count_text(n)
    msize = "%sx%d * %d" % (count_text(rows), cols, cols)
    mbytes = (2 * rows * cols + cols) * 4
    fns = {"add": _add, "relu": _relu, "mul": _mul}
    for suffix, f in [("", fns)] + (
        [("_compiled", {k: maybe_compile(g, True) for k, g in fns.items()})] if compile_on else []
    ):
        h.case("add" + suffix, "elementwise", size, 3 * b, n,
               lambda i, f=f: f["add"](a[i % INPUT_SETS], c[i % INPUT_SETS]))
        h.case("relu" + suffix, "elementwise", size, 2 * b, n,
               lambda i, f=f: f["relu"](x[i % INPUT_SETS]))
        h.case("mul_broadcast" + suffix, "elementwise", msize, mbytes, rows * cols,
               lambda i, f=f: f["mul"](m[i % INPUT_SETS], v[i % INPUT_SETS]))
    out = torch.empty(n, device=dev)
    h.case("normal_fill", "random", size, b, 0, lambda i: out.normal_(0.0, 1.0))
    xs = normal_sets([n], dev, 51)
    hs = [t.half() for t in normal_sets([n], dev, 61)]
    h.case("f32_to_f16", "cast", size, b + b // 2, 0, lambda i: xs[i % INPUT_SETS].half())
    h.case("f16_to_f32", "cast", "%s f16" % count_text(n), b // 2 + b, 0,
           lambda i: hs[i % INPUT_SETS].float())


def matmuls(h, dev):
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    for s in h.sizes.matmul:
        a, b = normal_sets([s, s], dev, 71), normal_sets([s, s], dev, 81)
        size = "%dx%dx%d" % (s, s, s)
        variants = [
            ("matmul_nn", lambda x, y: x @ y),
            ("matmul_tn", lambda x, y: x.t() @ y),  # A stored [k, m]
            ("matmul_nt", lambda x, y: x @ y.t()),  # B stored [n, k]
        ]
        for name, f in variants:
            h.case(name, "matmul", size, 3 * s * s * 4, 2 * s * s * s,
                   lambda i, f=f: f(a[i % INPUT_SETS], b[i % INPUT_SETS]), bound="compute")
    # Gradient shapes (src/bench/cases_linalg.rs gradient_shapes): A stored [k, m], small output.
    if h.sizes.quick:
        shapes = [("matmul_tn_adjacency_grad", 40, 32 * 224, 40),
                  ("matmul_tn_weight_grad", 224, 40 * 32, 88)]
    else:
        shapes = [("matmul_tn_adjacency_grad", 90, 128 * 520, 90),
                  ("matmul_tn_weight_grad", 328, 90 * 128, 114)]
    for name, m, k, n in shapes:
        a, b = normal_sets([k, m], dev, 73), normal_sets([k, n], dev, 83)
        h.case(name, "matmul", "%dx%dx%d" % (m, k, n), 4 * (m * k + k * n + m * n), 2 * m * k * n,
               lambda i, a=a, b=b: a[i % INPUT_SETS].t() @ b[i % INPUT_SETS], bound="compute")


def xent_closed_form(x, labels):
    """Mean cross-entropy and its gradient without autograd (what the engine's kernel returns)."""
    p = torch.softmax(x, dim=1)
    loss = -torch.log(p.gather(1, labels[:, None])).mean()
    minus_one = torch.full_like(labels[:, None], -1, dtype=x.dtype)
    grad = p.scatter_add(1, labels[:, None], minus_one) / x.shape[0]
    return loss, grad


def reductions(h, dev, compile_on):
    cols = min(ROW_LEN, h.sizes.elements)
    rows = h.sizes.elements // cols
    n = rows * cols
    size = "%sx%d" % (count_text(rows), cols)
    x = normal_sets([rows, cols], dev, 91)
    h.case("reduce_rows", "reduce", size, 4 * (n + rows), n,
           lambda i: x[i % INPUT_SETS].sum(dim=1))
    h.case("reduce_cols", "reduce", size, 4 * (n + cols), n,
           lambda i: x[i % INPUT_SETS].sum(dim=0))
    h.case("softmax_rows", "softmax", size, 8 * n, 5 * n,
           lambda i: torch.softmax(x[i % INPUT_SETS], dim=1))
    logits = [t.requires_grad_(True) for t in normal_sets([rows, cols], dev, 101)]
    labels = torch.tensor([r * 7919 % cols for r in range(rows)], device=dev)

    def eager(i):
        t = logits[i % INPUT_SETS]
        loss = F.cross_entropy(t, labels)
        return torch.autograd.grad(loss, t)

    h.case("softmax_xent", "softmax", size, 8 * n + 4 * rows, 6 * n, eager, grad=True)
    compiled = maybe_compile(xent_closed_form, compile_on)
    if compiled is not None:
        plain = [t.detach() for t in logits]
        h.case("softmax_xent_compiled", "softmax", size, 8 * n + 4 * rows, 6 * n,
               lambda i: compiled(plain[i % INPUT_SETS], labels))


def layout(h, dev):
    rows = max(h.sizes.elements // FEATURES, 1)
    n = rows * FEATURES
    size = "%sx%d" % (count_text(rows), FEATURES)
    segments = -(-rows // SEGMENT_ROWS)
    dests = -(-rows // SCATTER_FAN_IN)
    x = normal_sets([rows, FEATURES], dev, 111)
    seg = (torch.arange(rows, device=dev) // SEGMENT_ROWS)[:, None].expand(rows, FEATURES)

    def segment_sum(i):
        out = torch.zeros(segments, FEATURES, device=dev)
        return out.scatter_reduce_(0, seg, x[i % INPUT_SETS], "sum", include_self=False)

    h.case("segment_sum", "segment", "%s / %s segs" % (size, count_text(segments)),
           4 * (n + segments * (FEATURES + 1) + 1), n, segment_sum)
    tcols = min(1024, h.sizes.elements)
    trows = h.sizes.elements // tcols
    t = normal_sets([trows, tcols], dev, 121)
    h.case("transpose", "layout", "%sx%d" % (count_text(trows), tcols), 8 * trows * tcols, 0,
           lambda i: t[i % INPUT_SETS].t().contiguous())
    g = normal_sets([rows, FEATURES], dev, 131)
    gidx = random_indices(rows, rows, 7, dev)
    h.case("gather_rows", "layout", size, 8 * n + 4 * rows, 0,
           lambda i: g[i % INPUT_SETS].index_select(0, gidx))
    src = normal_sets([rows, FEATURES], dev, 141)
    sidx = random_indices(rows, dests, 11, dev)
    h.case("scatter_add_rows", "layout", "%s -> %s" % (size, count_text(dests)),
           4 * (n + rows + dests * FEATURES), n,
           lambda i: torch.zeros(dests, FEATURES, device=dev).index_add_(0, sidx, src[i % 2]))
    half = FEATURES // 2
    ca, cb = normal_sets([rows, half], dev, 151), normal_sets([rows, half], dev, 161)
    h.case("concat_cols", "layout", "2 x %sx%d" % (count_text(rows), half), 8 * n, 0,
           lambda i: torch.cat([ca[i % INPUT_SETS], cb[i % INPUT_SETS]], dim=1))


def adam(h, dev, compile_on):
    """Adam over ADAM_TENSORS parameters totalling `elements` values: reads p, g, m, v and
    writes p, m, v (28 bytes and ~13 FLOPs per value)."""
    n = h.sizes.elements
    each = n // ADAM_TENSORS
    size = "%s params / %d tensors" % (count_text(each * ADAM_TENSORS), ADAM_TENSORS)
    total = each * ADAM_TENSORS
    variants = [("adam_step", dict(foreach=True)), ("adam_step_fused", dict(fused=True))]
    for name, kw in variants:
        params = [torch.zeros(each, device=dev, requires_grad=True) for _ in range(ADAM_TENSORS)]
        grads = [normal_sets([each], dev, 171 + k) for k in range(ADAM_TENSORS)]
        opt = torch.optim.Adam(params, lr=1e-3, **kw)
        step = opt.step
        if name == "adam_step" and compile_on:
            opt_c = torch.optim.Adam(
                [torch.zeros(each, device=dev, requires_grad=True) for _ in range(ADAM_TENSORS)],
                lr=1e-3, foreach=True)
            step_c = maybe_compile(opt_c.step, True)

            def run_c(i, opt_c=opt_c, step_c=step_c):
                for p, g in zip(opt_c.param_groups[0]["params"], grads):
                    p.grad = g[i % INPUT_SETS]
                step_c()

            h.case("adam_step_compiled", "adam", size, 28 * total, 13 * total, run_c, grad=True)

        def run(i, params=params, grads=grads, step=step):
            for p, g in zip(params, grads):
                p.grad = g[i % INPUT_SETS]
            step()

        h.case(name, "adam", size, 28 * total, 13 * total, run, grad=True)


# Diehl & Cook (2015) excitatory-neuron constants at dt = 0.5 ms (mV, steps).
DT = 0.5
V_REST, V_RESET, V_TH = -65.0, -65.0, -52.0 - 20.0  # threshold minus theta offset
E_EXC, E_INH = 0.0, -100.0
K_V, K_GE, K_GI, K_THETA = DT / 100.0, DT / 1.0, DT / 2.0, DT / 1e7
THETA_PLUS, REFR_STEPS = 0.05, int(5.0 / DT)
NU_PRE, NU_POST, W_MAX = 0.0001, 0.01, 1.0


def lif_step(v, ge, gi, theta, refr):
    """One conductance-based LIF step with adaptive threshold and refractory countdown (the
    engine's planned LIF update): Euler integration from the old values (held
    while refractory), exponential decay of ge, gi and theta, spike above the adaptive
    threshold, reset. Reads and writes v, ge, gi, theta (f32) and the countdown (i32): 40 bytes
    and about 18 FLOPs per neuron."""
    free = refr == 0
    dv = K_V * ((V_REST - v) + ge * (E_EXC - v) + gi * (E_INH - v))
    v = torch.where(free, v + dv, v)
    ge = ge - K_GE * ge
    gi = gi - K_GI * gi
    theta = theta - K_THETA * theta
    spike = free & (v > V_TH + theta)
    v = torch.where(spike, V_RESET, v)
    theta = torch.where(spike, theta + THETA_PLUS, theta)
    refr = torch.where(spike, REFR_STEPS, torch.where(free, 0, refr - 1))
    return v, ge, gi, theta, refr, spike


def stdp_dense(w, pre_trace, post1, post2, pre_spike, post_spike):
    """Dense pre-post STDP (Diehl & Cook): a presynaptic spike depresses by nu_pre x post1, a
    postsynaptic spike potentiates by nu_post x pre-trace x post2; weights clip to [0, w_max].
    Reads and writes w (8 bytes and 6 FLOPs per weight, plus the four vectors)."""
    dw = NU_POST * torch.outer(pre_trace, post_spike * post2) - NU_PRE * torch.outer(
        pre_spike, post1
    )
    return (w + dw).clamp_(0.0, W_MAX)


def snn(h, dev, compile_on):
    nn_ = h.sizes.neurons
    size = "%s neurons" % count_text(nn_)
    state = [normal_sets([nn_], dev, 201 + 10 * k) for k in range(4)]
    sets = []
    for s in range(INPUT_SETS):
        v, ge, gi, theta = (t[s] for t in state)
        refr = (torch.rand(nn_, device=dev) < 0.1).to(torch.int32) * REFR_STEPS
        sets.append((v * 5.0 - 60.0, ge.abs(), gi.abs() * 0.1, theta.abs(), refr))
    for suffix, f in [("", lif_step), ("_compiled", maybe_compile(lif_step, compile_on))]:
        if f is None:
            continue
        h.case("lif_step" + suffix, "snn", size, 40 * nn_, 18 * nn_,
               lambda i, f=f: f(*sets[i % INPUT_SETS]))
    p = h.sizes.stdp
    w = [t.abs().clamp_(0.0, W_MAX) for t in normal_sets([p, p], dev, 251)]
    trace = [t.abs() for t in normal_sets([p], dev, 261)]
    spikes = [(t > 1.0).float() for t in normal_sets([p], dev, 271)]
    for suffix, f in [("", stdp_dense), ("_compiled", maybe_compile(stdp_dense, compile_on))]:
        if f is None:
            continue
        h.case("stdp_dense" + suffix, "snn", "%dx%d" % (p, p), 8 * p * p + 20 * p, 6 * p * p,
               lambda i, f=f: f(w[i % INPUT_SETS], trace[0], trace[1], trace[1], spikes[0],
                                spikes[1]))


DT_S = DT / 1000.0


def poisson_encode(rates):
    """Poisson input spikes for one step: a flag per input with probability rate x dt (the
    engine's `poisson_step`; 8 bytes and 2 FLOPs per input)."""
    return (torch.rand_like(rates) < rates * DT_S).to(torch.int32)


def synapse_sizes(quick):
    """(clips, presynaptic, postsynaptic, spikes per clip), as src/bench/cases_snn.rs."""
    return (8, 256, 256, 32) if quick else (1024, 4096, 4096, 205)


def synapse_lists(clips, n_pre, k, s):
    """The spike lists of input set `s`, as src/bench/cases_snn.rs synapse_lists: per clip, `k`
    distinct ascending presynaptic indices, stride 7 from a start drawn from the clip's own
    seed `s * clips + c`."""
    out = []
    for c in range(clips):
        start = random_index_list(1, n_pre, s * clips + c)[0]
        out.append(sorted((start + 7 * j) % n_pre for j in range(k)))
    return out


def propagate_gather(w, idx, ge):
    """Event-driven propagation: each clip adds the weight rows of its k spiking presynaptic
    neurons to its postsynaptic conductances (the engine's `propagate`)."""
    clips, k = idx.shape
    return ge.add_(w.index_select(0, idx.reshape(-1)).view(clips, k, -1).sum(1))


def propagate_dense(w, spikes, ge):
    """The same update as a dense 0/1 spike matrix times the weights (fp32, TF32 off)."""
    return ge.add_(spikes @ w)


def spiking_inputs(h, dev, compile_on):
    """Poisson encoding and synaptic propagation at the engine's sizes."""
    n = h.sizes.neurons
    rates = [torch.rand(n, generator=torch.Generator(device=dev).manual_seed(281 + s),
                        device=dev) * 200.0 for s in range(INPUT_SETS)]
    for suffix, f in [("", poisson_encode),
                      ("_compiled", maybe_compile(poisson_encode, compile_on))]:
        if f is None:
            continue
        h.case("poisson_encode" + suffix, "snn", "%s inputs" % count_text(n), 8 * n, 2 * n,
               lambda i, f=f: f(rates[i % INPUT_SETS]))
    clips, n_pre, n_post, k = synapse_sizes(h.sizes.quick)
    size = "%d clips %dx%d %d spikes" % (clips, n_pre, n_post, k)
    w = torch.rand(n_pre, n_post, device=dev) * 0.3
    ge = torch.zeros(clips, n_post, device=dev)
    idx, dense = [], []
    for s in range(INPUT_SETS):
        rows = torch.tensor(synapse_lists(clips, n_pre, k, s), dtype=torch.int64, device=dev)
        idx.append(rows)
        dense.append(torch.zeros(clips, n_pre, device=dev).scatter_(1, rows, 1.0))
    gathered = clips * k * n_post
    # Each weight row some clip's list names is read once (mean over the input sets); the rows
    # gathered per spike come from the cache and are the `gathered_bytes` metric, as the
    # engine counts them (src/bench/cases_snn.rs).
    rows_read = -(-sum(int(torch.unique(x).numel()) for x in idx) // INPUT_SETS)
    nbytes = 4 * rows_read * n_post + 4 * clips * k + 8 * clips * n_post
    counts = {"gathered_bytes": 4.0 * gathered}
    for suffix, f in [("", propagate_gather),
                      ("_compiled", maybe_compile(propagate_gather, compile_on))]:
        if f is None:
            continue
        h.case("synapse_propagate" + suffix, "snn", size, nbytes, gathered,
               lambda i, f=f: f(w, idx[i % INPUT_SETS], ge), counts=counts)
    h.case("synapse_propagate_dense", "snn", size,
           4 * (clips * n_pre + n_pre * n_post) + 8 * clips * n_post, 2 * clips * n_pre * n_post,
           lambda i: propagate_dense(w, dense[i % INPUT_SETS], ge))


SYNC_NEURONS, SYNC_SPIKES, SYNC_DURATION_MS, SYNC_WINDOW_MS = 400, 400, 350.0, 150.0


def synchrony_bytes(spikes, clips, neurons, nodes, edges):
    """Same count as src/bench/cases_graph.rs synchrony_bytes."""
    bitmap = 4 * clips * neurons * (-(-neurons // 32))
    return 24 * spikes + 4 * bitmap + 56 * clips * neurons + 28 * nodes + 16 * edges


def synchrony_build(neuron, time):
    """Synchrony graph of [clips, spikes] neuron ids and times: neurons of one clip spiking at
    most the window apart are joined (dense pairwise test per clip), active neurons become nodes,
    edges become CSR (row pointers over active nodes, renumbered columns)."""
    clips, s = neuron.shape
    n = SYNC_NEURONS
    close = (time[:, :, None] - time[:, None, :]).abs() <= SYNC_WINDOW_MS
    close &= neuron[:, :, None] != neuron[:, None, :]
    c, i, j = close.nonzero(as_tuple=True)
    adj = torch.zeros(clips * n * n, dtype=torch.bool, device=neuron.device)
    adj[(c * n + neuron[c, i]) * n + neuron[c, j]] = True
    rows, cols = adj.view(clips * n, n).nonzero(as_tuple=True)
    count = torch.bincount((torch.arange(clips, device=neuron.device)[:, None] * n
                            + neuron).reshape(-1), minlength=clips * n)
    active = count > 0
    new_id = torch.cumsum(active.to(torch.int64), 0) - 1
    deg = torch.bincount(new_id[rows], minlength=int(active.sum()))
    row_ptr = torch.zeros(deg.numel() + 1, dtype=torch.int64, device=neuron.device)
    row_ptr[1:] = torch.cumsum(deg, 0)
    col = new_id[(rows // n) * n + cols]
    return row_ptr, col


def synchrony(h, dev):
    clips = 8 if h.sizes.quick else 256
    total = clips * SYNC_SPIKES
    sets = []
    for s in range(INPUT_SETS):
        g = torch.Generator(device=dev).manual_seed(501 + s)
        neuron = torch.randint(0, SYNC_NEURONS, (clips, SYNC_SPIKES), generator=g, device=dev)
        time = torch.rand(clips, SYNC_SPIKES, generator=g, device=dev) * SYNC_DURATION_MS
        time, order = time.sort(dim=1)
        sets.append((neuron.gather(1, order), time))
    row_ptr, col = synchrony_build(*sets[0])
    nbytes = synchrony_bytes(total, clips, SYNC_NEURONS, row_ptr.numel() - 1, col.numel())
    t = sets[0][1]
    pairs = int((((t[:, None, :] - t[:, :, None]) <= SYNC_WINDOW_MS)
                 & ((t[:, None, :] - t[:, :, None]) > 0)).sum())
    # Timed by the host clock (its nonzero() calls wait for the GPU, as the engine's build waits
    # for its readbacks), to compare with the engine's `--wall` run of the row.
    h.case("synchrony_graph", "graph",
           "%dx%d neurons %s spikes" % (clips, SYNC_NEURONS, count_text(total)), nbytes, pairs,
           lambda i: synchrony_build(*sets[i % INPUT_SETS]), wall=True)


# snn_second: one simulated second of the Synch-Graph network (src/bench/cases_e2e.rs): two
# modalities of 64 Poisson inputs and 20 excitatory + 20 inhibitory conductance LIF neurons,
# windows of 26 inputs shifted by 2, one-to-one exc -> inh, all-but-partner inh -> exc,
# all-to-all cross-modal exc -> exc, audio inputs 5 ms late, plasticity off, every clip in
# parallel. The engine's constants (src/snn/config.rs defaults).
SNN_INPUTS, SNN_NEURONS, SNN_WINDOW, SNN_STRIDE = 64, 20, 26, 2
SNN_FULL_CLIPS, SNN_QUICK_CLIPS, SNN_STEPS = 8192, 4, 2000
SNN_DELAYS = (0, 10)  # steps, per modality
SNN_SLOTS = 11
W_EXC_INH, W_INH_EXC, W_CROSS, W_INIT_MAX, RATE_SCALE = 10.4, 17.0, 1.0, 0.3, 0.25
NORM_TOTAL = 78.0 * SNN_WINDOW / 784.0 * (0.47 / 0.19)
# (v_rest, v_reset, v_thresh - theta_offset, e_exc, e_inh, tau, tau_ge, tau_gi, refractory ms,
#  initial theta); theta_plus is 0 with plasticity off and theta's decay (tau 1e7 ms) is below f32
# resolution over a second, so theta stays constant.
SNN_EXC = (-65.0, -65.0, -72.0, 0.0, -100.0, 200.0, 2.0, 1.0, 5.0, 20.0)
SNN_INH = (-60.0, -45.0, -40.0, 0.0, -85.0, 100.0, 2.0, 1.0, 2.0, 0.0)


def snn_second_runs(quick):
    """(warm-up, repetitions), as src/bench/cases_e2e.rs snn_second_runs."""
    return (1, 3) if quick else (2, 10)


def snn_weights(dev):
    """Dense connection matrices [n_pre, n_post] of one clip (the engine's Weights::build layout;
    input weights are this script's own uniform draw, normalised per excitatory neuron)."""
    m, ni, ne = 2, SNN_INPUTS, SNN_NEURONS
    n_in, n_e = m * ni, m * ne
    g = torch.Generator(device="cpu").manual_seed(701)
    mask = torch.zeros(n_in, n_e)
    for mo in range(m):
        for j in range(ne):
            lo = j * SNN_STRIDE
            mask[mo * ni + lo: mo * ni + lo + SNN_WINDOW, mo * ne + j] = 1.0
    w_in = torch.rand(n_in, n_e, generator=g) * W_INIT_MAX * mask
    w_in *= NORM_TOTAL / w_in.sum(0, keepdim=True)
    mod = torch.arange(n_e) // ne
    same = mod[:, None] == mod[None, :]
    eye = torch.eye(n_e, dtype=torch.bool)
    w_ei = eye.float() * W_EXC_INH
    w_ie = (same & ~eye).float() * W_INH_EXC
    w_cross = (~same).float() * W_CROSS
    fan = (mask.sum(1), (w_ei != 0).sum(1) + (w_cross != 0).sum(1), (w_ie != 0).sum(1))
    to = lambda t: t.to(dev)
    return tuple(map(to, (w_in, w_ei, w_ie, w_cross))), tuple(to(f.float()) for f in fan)


def lif_group(c, v, ge, gi, refr):
    """The engine's lif_step for one group with constants c (theta folded into the threshold):
    Euler from the old values, held while refractory; decays; spike; reset."""
    v_rest, v_reset, v_th, e_exc, e_inh, tau, tau_ge, tau_gi, refr_ms, theta = c
    free = refr == 0
    dv = (DT / tau) * ((v_rest - v) + ge * (e_exc - v) + gi * (e_inh - v))
    v = torch.where(free, v + dv, v)
    ge = ge - (DT / tau_ge) * ge
    gi = gi - (DT / tau_gi) * gi
    spike = free & (v > v_th + theta)
    v = torch.where(spike, v_reset, v)
    refr = torch.where(spike, int(round(refr_ms / DT)), torch.where(free, 0, refr - 1))
    return v, ge, gi, refr, spike


def snn_step(state, ring, slot, late, rates, w, fan, tally):
    """One step: Poisson inputs into the ring, LIF of both groups (conductances hold last step's
    input), arrivals (audio from the ring slot 10 steps back), propagation through the dense
    matrices, and the spike tallies the engine reads from its record."""
    w_in, w_ei, w_ie, w_cross = w
    fan_in, fan_exc, fan_inh = fan
    (ve, gee, gie, re), (vi, gei, gii, ri) = state
    ring.index_copy_(0, slot, (torch.rand_like(rates) < rates * DT_S).float()[None])
    ve, gee, gie, re, se = lif_group(SNN_EXC, ve, gee, gie, re)
    vi, gei, gii, ri, si = lif_group(SNN_INH, vi, gei, gii, ri)
    now, old = ring.index_select(0, slot)[0], ring.index_select(0, late)[0]
    arr = torch.cat([now[:, :SNN_INPUTS], old[:, SNN_INPUTS:]], dim=1)
    se_f, si_f = se.float(), si.float()
    gee = gee + arr @ w_in + se_f @ w_cross
    gei = gei + se_f @ w_ei
    gie = gie + si_f @ w_ie
    # tally: input, exc, inh spikes; (clip, step) pairs with a spike; synaptic events
    tally += torch.stack([
        arr.sum(), se_f.sum(), si_f.sum(),
        (arr.sum(1) > 0).float().sum(), (se_f.sum(1) > 0).float().sum(),
        (si_f.sum(1) > 0).float().sum(),
        (arr @ fan_in).sum() + (se_f @ fan_exc).sum() + (si_f @ fan_inh).sum(),
    ])
    return ((ve, gee, gie, re), (vi, gei, gii, ri))


def snn_second(h, dev, compile_on):
    """One simulated second (2000 steps of dt 0.5 ms) per run; the network runs on from one
    repetition to the next. Bytes and FLOPs follow the engine's formula (cases_e2e.rs) with this
    run's counted spikes; this peer tallies spikes on the GPU instead of recording them. Timed by
    the host clock, start to idle, as the engine's `--wall` run times the row."""
    quick = h.sizes.quick
    clips = SNN_QUICK_CLIPS if quick else SNN_FULL_CLIPS
    clips = max(1, min(clips, h.sizes.elements // (SNN_SLOTS * 2 * SNN_INPUTS)))
    n_in, n_e = 2 * SNN_INPUTS, 2 * SNN_NEURONS
    w, fan = snn_weights(dev)
    rates = [(random_indices(clips * n_in, 256, 711 + s, dev).float() * RATE_SCALE)
             .view(clips, n_in) for s in range(INPUT_SETS)]
    runs = snn_second_runs(quick)
    size = "%s clips x %d+%d+%d 1 s" % (count_text(clips), n_in, n_e, n_e)
    slots = [torch.tensor([t % SNN_SLOTS], device=dev) for t in range(SNN_SLOTS)]
    T, C = SNN_STEPS, clips

    def fresh():
        z = lambda: torch.zeros(clips, n_e, device=dev)
        zi = lambda: torch.zeros(clips, n_e, dtype=torch.int32, device=dev)
        return [((z() + SNN_EXC[0], z(), z(), zi()), (z() + SNN_INH[0], z(), z(), zi()))]

    for suffix, step in [("", snn_step), ("_compiled", maybe_compile(snn_step, compile_on))]:
        if step is None:
            continue
        state = fresh()
        ring = torch.zeros(SNN_SLOTS, clips, n_in, device=dev)
        tally = torch.zeros(7, device=dev)
        clock = [0]

        def run(i, step=step, state=state, ring=ring, tally=tally, clock=clock):
            if i == runs[0]:
                tally.zero_()
            r = rates[i % INPUT_SETS]
            for _ in range(T):
                t = clock[0]
                state[0] = step(state[0], ring, slots[t % SNN_SLOTS],
                                slots[(t - SNN_DELAYS[1]) % SNN_SLOTS], r, w, fan, tally)
                clock[0] += 1

        def counted(tally=tally):
            s_in, s_e, s_i, a_in, a_e, a_i, events = (float(x) / runs[1] for x in tally.tolist())
            fixed = T * C * (8 * n_in + 80 * n_e + 8 * (n_in + 2 * n_e) + 4 * (6 + 4))
            weights = 4 * (n_in * n_e + 3 * n_e * n_e)  # read once; the rows gathered per spike
            gathered = (s_in + 2 * s_e + s_i) * n_e    # come from the cache: gathered_bytes
            nbytes = (fixed + weights + 16 * (s_in + s_e + s_i) + 12 * (s_e + s_i)
                      + 32 * n_e * (a_in + 2 * a_e + a_i))
            flops = T * C * (36 * n_e + 2 * n_in) + gathered
            counts = {
                "simulated_s": 1.0,
                "neuron_updates": float(T * C * 2 * n_e),
                "input_updates": float(T * C * n_in),
                "synaptic_events": events,
                "spikes": s_e + s_i,
                "input_spikes": s_in,
                "gathered_bytes": 4 * gathered,
            }
            return nbytes, flops, counts

        h.case("snn_second" + suffix, "e2e", size, 0, 0, run, runs=runs, counted=counted,
               wall=True)


CHAIN_DISPATCHES = 1000
CHAIN_ELEMENTS = 256


def dispatch_chain(h, dev):
    """As src/bench/cases_overhead.rs: 1000 dependent maps x + 1 over 256 f32 (eager, one kernel
    launch each), timed by the host clock from the first launch to idle; the engine's counts."""
    n, m = CHAIN_DISPATCHES, CHAIN_ELEMENTS
    start = torch.zeros(m, device=dev)

    def run(i):
        x = start
        for _ in range(n):
            x = torch.add(x, 1.0)

    runs = (1, 5) if h.sizes.quick else (2, 20)
    h.case("dispatch_chain", "overhead", "%d x %d f32" % (n, m), n * 8 * m, n * 2 * m, run,
           runs=runs, counted=lambda: (n * 8 * m, n * 2 * m, {"dispatches": float(n)}),
           wall=True)


def main():
    args = parse_args(__doc__.splitlines()[0])
    h = Harness(args)
    dev = h.device
    compile_on = not args.no_compile
    h.copy_ceiling()
    elementwise(h, dev, compile_on)
    dispatch_chain(h, dev)
    matmuls(h, dev)
    reductions(h, dev, compile_on)
    layout(h, dev)
    adam(h, dev, compile_on)
    snn(h, dev, compile_on)
    spiking_inputs(h, dev, compile_on)
    synchrony(h, dev)
    snn_second(h, dev, compile_on)
    h.finish("TF32 off")


if __name__ == "__main__":
    main()

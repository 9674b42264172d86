//! End-to-end training cases: one full GCN training epoch on the real Cora graph
//! (`gcn_epoch_cora`) and one L-GrIN training epoch on a RAVDESS-shaped random batch
//! (`lgrin_epoch`).
//!
//! `gcn_epoch_cora` runs what `train gcn` does per epoch on Cora (Kipf & Welling's two-layer
//! model, hidden 16, dropout, masked softmax cross-entropy on the 140 training nodes, backward,
//! Adam; the validation pass is not included). It reads Cora from `$SYNCHGRAPH_CORA`, else
//! `shared/data/cora` beside or inside the checkout; when none is there the row is listed as
//! skipped in the report, with the reason. Bytes: the six SpMMs of forward and backward, each
//! `spmm_bytes_rect` (the sparse operand's arrays, the dense operand once, the output once) with
//! Cora's real non-zero counts (features X with `nnz_x` entries, adjacency Â with `nnz_a`,
//! n = 2708 nodes, f = 1433 features, h = 16 hidden, c = 7 classes; X W1 gathers from W1's f
//! rows, and the backward of X W1 is Xᵀ G, with f output rows gathering from G's n rows):
//! `spmm(nnz_x, n <- f, h) + spmm(nnz_x, f <- n, h) + 2 spmm(nnz_a, n, h) + 2 spmm(nnz_a, n, c)`,
//! plus `4 (nnz_x + 2 nnz_a)` for the transpose permutation the three backward products read;
//! the rows the six gather per entry, `4 (2 nnz_x h + 2 nnz_a (h + c))`, are the `gathered_bytes`
//! metric. FLOPs `4 nnz_x h + 4 nnz_a (h + c) + 6 n h c` (the dense H W2 once forward and twice
//! backward, for H and W2). Memory bound (sparse products).
//!
//! `lgrin_epoch` is one pass over every graph in minibatches of `batch` (forward, structure and
//! cross-entropy loss, backward, Adam), the reference configuration (`LgrinConfig::reference`)
//! with 90 nodes, 136 features and 8 classes: 4904 graphs in minibatches of 128 (39 steps) full,
//! 4 graphs in minibatches of 2 in `--quick` (1 warm-up and 3 timed epochs). Inputs are seeded normal values, uploaded once as
//! the node-major minibatches the trainer builds. FLOPs are the forward pass's dense products
//! and the backward's (`lgrin_step_flops`): per G*conv from width w to o with MLP hidden
//! k = (w + o) / 4, `2 m^2 b w` (adjacency) `+ 2 m b w k + 2 m b k o`, and the classifier
//! `2 b (3 W) H + 2 b H c`; backward computes two products of the same size per product, except
//! for the first layer's adjacency product, whose input (the normalised features) needs no
//! gradient: only dA, one product. Elementwise, batch-norm and pooling work is not counted, so
//! GFLOP/s is a lower bound. Bytes are a lower bound too: the inputs read once and Adam's
//! 28 B per parameter per step. Compute bound.

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Instant;

use super::case::{count_text, BenchCase, Counted, RunFn, SetupFn, Sizes};
use crate::autodiff::optim::Adam;
use crate::autodiff::Tape;
use crate::data::planetoid::Planetoid;
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::graph::spmm::{spmm_bytes, spmm_bytes_rect, spmm_gathered_bytes};
use crate::graph::{Csr, HostCsr};
use crate::kernels::random;
use crate::models::gcn::{NodeGcn, NodeGcnConfig};
use crate::models::lgrin::{Lgrin, LgrinConfig, ModelKind};
use crate::tensor::Tensor;

/// Cora's nodes, features and classes (checked against the files when the case is set up).
pub const CORA: (usize, usize, usize) = (2708, 1433, 7);
/// Graphs, nodes per graph, features per node and classes of a RAVDESS-shaped L-GrIN epoch.
pub const RAVDESS: (usize, usize, usize, usize) = (4904, 90, 136, 8);

/// The Cora folder: `$SYNCHGRAPH_CORA` when set, else the first of `../shared/data/cora` beside
/// the crate, `shared/data/cora` and `../shared/data/cora` from the working directory that
/// exists. `Err` names where it looked.
pub fn cora_dir() -> std::result::Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("SYNCHGRAPH_CORA") {
        let p = PathBuf::from(p);
        return if p.is_dir() {
            Ok(p)
        } else {
            Err(format!("SYNCHGRAPH_CORA={} is not a folder", p.display()))
        };
    }
    let candidates = [
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/cora")),
        PathBuf::from("shared/data/cora"),
        PathBuf::from("../shared/data/cora"),
    ];
    candidates
        .iter()
        .find(|p| p.is_dir())
        .cloned()
        .ok_or_else(|| {
            format!(
                "no Cora folder at {} (set SYNCHGRAPH_CORA)",
                candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

/// Bytes and FLOPs of one GCN training epoch on `n` nodes of `f` features (see the module docs).
pub fn gcn_epoch_work(
    nnz_x: usize,
    nnz_a: usize,
    (n, f): (usize, usize),
    h: usize,
    c: usize,
) -> (u64, u64) {
    // The backward's three products (Xᵀ G, and Âᵀ G at widths h and c) run through the transpose
    // structure, whose kernel reads each value through the permutation array: 4 B per stored
    // entry more than the forward product of the same matrix, as the `spmm_backward_*` rows count.
    let perm = 4.0 * (nnz_x + 2 * nnz_a) as f64;
    let bytes = spmm_bytes_rect(nnz_x, n, f, h)
        + spmm_bytes_rect(nnz_x, f, n, h)
        + 2.0 * spmm_bytes(nnz_a, n, h)
        + 2.0 * spmm_bytes(nnz_a, n, c)
        + perm;
    let flops = 4 * nnz_x * h + 4 * nnz_a * (h + c) + 6 * n * h * c;
    (bytes as u64, flops as u64)
}

/// Dense-operand rows the six SpMMs of one GCN training epoch gather, one per stored entry
/// (`spmm_gathered_bytes` of each; not part of [`gcn_epoch_work`]'s bytes).
pub fn gcn_epoch_gathered_bytes(nnz_x: usize, nnz_a: usize, h: usize, c: usize) -> f64 {
    2.0 * spmm_gathered_bytes(nnz_x, h)
        + 2.0 * spmm_gathered_bytes(nnz_a, h)
        + 2.0 * spmm_gathered_bytes(nnz_a, c)
}

/// One GCN training epoch on Cora. Without the data the case is still planned, marked
/// [`BenchCase::unavailable`] with the reason, so a run lists it as skipped.
pub fn gcn_epoch_cora(sizes: &Sizes) -> BenchCase {
    let (n, f, c) = CORA;
    let h = NodeGcnConfig::default().hidden;
    // Estimated from Cora's published counts (49216 feature entries, 5278 undirected edges plus
    // self loops); the run replaces them with the loaded graph's exact counts.
    let (bytes, flops) = gcn_epoch_work(49_216, 2 * 5278 + n, (n, f), h, c);
    let counted = Rc::new(RefCell::new(Counted::default()));
    let (setup, unavailable): (SetupFn, Option<String>) = match cora_dir() {
        Ok(dir) => (
            cora_epoch_setup(dir, sizes.warmup, Rc::clone(&counted)),
            None,
        ),
        Err(why) => {
            let reason = format!("no Cora data: {why}");
            let setup_reason = reason.clone();
            (
                Box::new(move |_: &Gpu| Err(Error::InvalidInput(setup_reason))),
                Some(reason),
            )
        }
    };
    let size = format!("{n} nodes {f} feats h {h}");
    let mut case = BenchCase::memory("gcn_epoch_cora", "e2e", size, bytes, flops, setup);
    case.counted = Some(counted);
    case.unavailable = unavailable;
    case
}

/// The setup of `gcn_epoch_cora` on the Cora files in `dir`: each run after the first `warmup`
/// adds its traffic to `cell`.
fn cora_epoch_setup(dir: PathBuf, warmup: usize, cell: Rc<RefCell<Counted>>) -> SetupFn {
    Box::new(move |gpu: &Gpu| -> Result<RunFn> {
        let data = Planetoid::load(&dir)?;
        let n = data.num_nodes;
        let adj = Csr::from_edges(gpu, n, &data.edges, None, false, true)?.gcn_normalized()?;
        let dense = data.row_normalized_features();
        let fw = data.num_features;
        let triples: Vec<(u32, u32, f32)> = dense
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != 0.0)
            .map(|(k, &v)| ((k / fw) as u32, (k % fw) as u32, v))
            .collect();
        let x = Csr::from_host(gpu, n, fw, HostCsr::from_triples(n, triples))?;
        let labels = Tensor::from_u32(gpu, &[n], &data.labels_or_zero())?;
        let mut mask = vec![0.0f32; n];
        data.train.iter().for_each(|&i| mask[i as usize] = 1.0);
        let mask = Tensor::from_f32(gpu, &[n], &mask)?;
        let config = NodeGcnConfig::default();
        let (bytes, flops) =
            gcn_epoch_work(x.nnz(), adj.nnz(), (n, fw), config.hidden, data.num_classes);
        let gathered =
            gcn_epoch_gathered_bytes(x.nnz(), adj.nnz(), config.hidden, data.num_classes);
        let mut model = NodeGcn::new(gpu, fw, data.num_classes, config, 0)?;
        let mut adam = Adam::new(model.config.lr);
        let gpu = gpu.clone();
        Ok(Box::new(move |i| {
            model.train_step(&gpu, &mut adam, (&adj, &x), (&labels, &mask), i as u64)?;
            if i >= warmup {
                let mut acc = cell.borrow_mut();
                acc.runs += 1;
                acc.bytes += bytes as f64;
                acc.flops += flops as f64;
                *acc.counts.entry("epochs".into()).or_default() += 1.0;
                *acc.counts.entry("nodes".into()).or_default() += n as f64;
                *acc.counts.entry("gathered_bytes".into()).or_default() += gathered;
            }
            Ok(None)
        }))
    })
}

/// (graphs, minibatch) of the `lgrin_epoch` row.
pub fn lgrin_sizes(sizes: &Sizes) -> (usize, usize) {
    if sizes.quick {
        (4, 2)
    } else {
        (RAVDESS.0, 128)
    }
}

/// The L-GrIN configuration of the `lgrin_epoch` row: the reference one at RAVDESS shape.
pub fn lgrin_config(batch: usize) -> LgrinConfig {
    let (_, nodes, feats, classes) = RAVDESS;
    LgrinConfig {
        nodes,
        batch,
        iters_per_epoch: 0,
        ..LgrinConfig::reference(feats, classes)
    }
}

/// Forward dense-product FLOPs of one minibatch of `b` graphs (see the module docs). The GCN
/// baseline builds one plain linear G*conv per layer whatever the MLP and inception switches say
/// (see `Lgrin::new`), and is counted so.
pub fn lgrin_forward_flops(c: &LgrinConfig, b: usize) -> u64 {
    let m = c.nodes as u64;
    let b = b as u64;
    let lgrin = c.model == ModelKind::Lgrin;
    let gconv = |w: u64, o: u64| {
        if lgrin && c.gconv_mlp {
            let k = ((w + o) / 4).max(1);
            2 * m * b * w * k + 2 * m * b * k * o
        } else {
            2 * m * b * w * o
        }
    };
    let (mut w, mut total) = (c.in_dims as u64, 0);
    for _ in 0..c.layers {
        // One adjacency product per layer, shared by its G*conv branches.
        total += 2 * m * m * b * w;
        total += gconv(w, c.g1 as u64);
        if lgrin && c.inception {
            total += gconv(w, c.g2 as u64);
            w += (c.g1 + c.g2) as u64;
        } else {
            w = c.g1 as u64;
        }
    }
    let pooled = c.final_width() as u64 * c.readouts() as u64;
    let (h, k) = (c.hidden as u64, c.classes as u64);
    total + 2 * b * pooled * h + 2 * b * h * k
}

/// Dense-product FLOPs of one training step (forward and backward) on `b` graphs: twice the
/// forward's for the backward (two products of the same size per product), except where an
/// adjacency product's operand needs no gradient: the first layer's input never does (it is the
/// normalised features), and A does not with `learned_a` off or in the GCN baseline. Then the
/// first layer's aggregation needs none either, and its G*conv branches' first linear maps
/// compute only their weight gradients.
pub fn lgrin_step_flops(c: &LgrinConfig, b: usize) -> u64 {
    let forward = lgrin_forward_flops(c, b);
    let (m, bb) = (c.nodes as u64, b as u64);
    let learned_a = u64::from(c.learned_a && c.model == ModelKind::Lgrin);
    let mut w = c.in_dims as u64;
    let mut adjacency_backward = 0;
    let mut adjacency_forward = 0;
    for layer in 0..c.layers {
        let product = 2 * m * m * bb * w;
        adjacency_forward += product;
        adjacency_backward += product * (learned_a + u64::from(layer > 0));
        w = if c.inception && c.model == ModelKind::Lgrin {
            w + (c.g1 + c.g2) as u64
        } else {
            c.g1 as u64
        };
    }
    // With A fixed, the first layer's aggregation ReLU(A) H needs no gradient either, so the
    // first linear map of each of its G*conv branches computes no input gradient.
    let lgrin = c.model == ModelKind::Lgrin;
    let first_linear = |o: u64| {
        let w = c.in_dims as u64;
        let width = if lgrin && c.gconv_mlp {
            ((w + o) / 4).max(1)
        } else {
            o
        };
        2 * m * bb * w * width
    };
    let unused_input_gradients = if learned_a == 0 && c.layers > 0 {
        first_linear(c.g1 as u64)
            + if lgrin && c.inception {
                first_linear(c.g2 as u64)
            } else {
                0
            }
    } else {
        0
    };
    forward + 2 * (forward - adjacency_forward) + adjacency_backward - unused_input_gradients
}

/// One L-GrIN training epoch over [`lgrin_sizes`] random graphs.
pub fn lgrin_epoch(sizes: &Sizes) -> BenchCase {
    let (graphs, batch) = lgrin_sizes(sizes);
    let config = lgrin_config(batch);
    let (_, m, feats, classes) = RAVDESS;
    let batches = crate::models::lgrin::one_pass_batches(graphs, batch);
    let flops: u64 = batches.iter().map(|&b| lgrin_step_flops(&config, b)).sum();
    let counted = Rc::new(RefCell::new(Counted::default()));
    let cell = Rc::clone(&counted);
    // An epoch is long enough (seconds at full size) that one warm-up and five timed epochs
    // give a stable median; the peer (`bench_lgrin.py`) uses the same counts. The counting
    // below skips exactly the harness's warm-up runs.
    let runs = if sizes.quick { (1, 3) } else { (1, 5) };
    let warmup = runs.0;
    let input_bytes = (4 * graphs * m * feats) as u64;
    // Adam's 28 B per parameter per step, the larger part; the run counts the same from the
    // model it builds (the reference configuration's count fits a usize).
    let parameters = config.parameter_count().unwrap_or_default();
    let planned = input_bytes + 28 * (parameters * batches.len()) as u64;
    let mut case = BenchCase::compute(
        "lgrin_epoch",
        "e2e",
        format!("{} graphs x {m} x {feats} b {batch}", count_text(graphs)),
        planned,
        flops,
        Box::new(move |gpu: &Gpu| -> Result<RunFn> {
            let mut model = Lgrin::new(gpu, config)?;
            let params: usize = model
                .store
                .ids()
                .map(|id| model.store.value(id).numel())
                .sum();
            let bytes = input_bytes + 28 * (params * batches.len()) as u64;
            let xs = batches
                .iter()
                .enumerate()
                .map(|(k, &b)| random::normal(gpu, &[m * b, feats], 0.0, 1.0, 901 + k as u64))
                .collect::<Result<Vec<_>>>()?;
            let ys = batches
                .iter()
                .enumerate()
                .map(|(k, &b)| {
                    let y = super::cases_layout::random_indices(b, classes, 951 + k as u64);
                    Tensor::from_u32(gpu, &[b], &y)
                })
                .collect::<Result<Vec<_>>>()?;
            let mut adam = Adam::new(model.config.lr);
            let gpu = gpu.clone();
            let mut step = 0u64;
            Ok(Box::new(move |i| {
                let start = Instant::now();
                for ((x, y), &b) in xs.iter().zip(&ys).zip(&batches) {
                    step += 1;
                    let mut tape = Tape::new(&gpu, true, step);
                    let fwd = model.forward(&mut tape, x, b)?;
                    let loss = model.loss(&mut tape, &fwd, y)?;
                    model.store.zero_grad();
                    tape.backward(&loss, &mut model.store)?;
                    adam.step(&mut model.store)?;
                }
                gpu.synchronize()?;
                if i >= warmup {
                    let mut acc = cell.borrow_mut();
                    acc.runs += 1;
                    acc.bytes += bytes as f64;
                    acc.flops += flops as f64;
                    acc.wall_s.push(start.elapsed().as_secs_f64());
                    *acc.counts.entry("graphs".into()).or_default() += graphs as f64;
                    *acc.counts.entry("steps".into()).or_default() += batches.len() as f64;
                }
                Ok(None)
            }))
        }),
    );
    case.counted = Some(counted);
    case.runs = Some(runs);
    case
}

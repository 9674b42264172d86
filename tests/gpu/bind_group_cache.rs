//! The bind-group cache: a dispatch over the same pipeline and buffer ranges as an earlier one
//! reuses its bind group, and still reads its own parameters (they are bound with a dynamic
//! offset into the parameter arena, so a reused group must not carry the first dispatch's).
//! Exact comparisons: every value here is a small integer, exact in f32.

use crate::common;

use common::fixtures::{mutag_split, two_class_node_graphs};
use synchgraph::gpu::bind_cache::MAX_CACHED_BIND_GROUPS;
use synchgraph::gpu::{BindGroupStats, Gpu, Kernel, Shader};
use synchgraph::models::gcn::{GraphGcn, GraphGcnConfig};
use synchgraph::models::lgrin::{train, Lgrin, LgrinConfig};
use synchgraph::snn::config::Config;
use synchgraph::snn::network::{Input, Network, Weights};
use synchgraph::snn::record::Recorder;
use synchgraph::{DType, Tensor};

/// Record y = alpha x + beta with the `unary` kernel specialised to the affine map.
fn affine_into(gpu: &Gpu, x: &Tensor, y: &Tensor, alpha: f32, beta: f32) {
    let n = x.numel() as u32;
    // elementwise.wgsl's parameter block: n, cols, mode, op, alpha, beta and two pad words.
    let params: [u32; 8] = [n, 0, 0, 0, alpha.to_bits(), beta.to_bits(), 0, 0];
    gpu.dispatch(
        "affine",
        &Kernel::new(Shader::Elementwise, "unary").with("OP", 9.0),
        &params,
        &[x.binding().unwrap(), y.binding_mut().unwrap()],
        [n.div_ceil(256), 1, 1],
    )
    .unwrap();
}

#[test]
fn a_reused_bind_group_reads_each_dispatchs_own_parameters() {
    let gpu = Gpu::open_default().unwrap();
    let n = 1000;
    let start: Vec<f32> = (0..n).map(|i| (i % 7) as f32).collect();
    let x = Tensor::from_f32(&gpu, &[n], &start).unwrap();
    let y = Tensor::zeros(&gpu, &[n], DType::F32).unwrap();
    let before = gpu.bind_group_stats();
    // One batch, no readback in between: x -> y -> x, ten times, with new parameters each time.
    let mut want = start.clone();
    for round in 0..10 {
        let (a, b) = (1.0 + (round % 2) as f32, round as f32);
        affine_into(&gpu, &x, &y, a, b);
        affine_into(&gpu, &y, &x, 1.0, -(round as f32));
        for v in &mut want {
            *v = (a * *v + b) - round as f32;
        }
    }
    assert_eq!(gpu.pending_dispatches(), 20, "recorded in one batch");
    let stats = gpu.bind_group_stats();
    assert_eq!(stats.misses - before.misses, 2, "one group per direction");
    assert_eq!(stats.hits - before.hits, 18);
    assert_eq!(x.to_f32().unwrap(), want);
}

#[test]
fn views_at_other_offsets_get_groups_of_their_own() {
    let gpu = Gpu::open_default().unwrap();
    let x = Tensor::from_f32(
        &gpu,
        &[2, 64],
        &(0..128).map(|i| i as f32).collect::<Vec<_>>(),
    )
    .unwrap();
    let y = Tensor::zeros(&gpu, &[64], DType::F32).unwrap();
    let before = gpu.bind_group_stats();
    // Row 1 after row 0: a group keyed by the buffer alone would read row 0 again.
    for row in [0, 1] {
        affine_into(&gpu, &x.rows(row, row + 1).unwrap(), &y, 1.0, 0.0);
        let want: Vec<f32> = (0..64).map(|i| (row * 64 + i) as f32).collect();
        assert_eq!(y.to_f32().unwrap(), want, "row {row}");
    }
    assert_eq!(gpu.bind_group_stats().misses - before.misses, 2);
}

#[test]
fn the_cache_stays_bounded() {
    let gpu = Gpu::open_default().unwrap();
    // Rows of 64 f32 (256 bytes) start on the storage offset alignment, so each row is bound
    // as a view of x itself, a new key each.
    let rows = MAX_CACHED_BIND_GROUPS + 8;
    let x = Tensor::zeros(&gpu, &[rows, 64], DType::F32).unwrap();
    let y = Tensor::zeros(&gpu, &[64], DType::F32).unwrap();
    for i in 0..rows {
        affine_into(&gpu, &x.rows(i, i + 1).unwrap(), &y, 1.0, i as f32);
    }
    assert_eq!(y.to_f32().unwrap(), vec![(rows - 1) as f32; 64]);
    let stats = gpu.bind_group_stats();
    assert!(stats.cached <= MAX_CACHED_BIND_GROUPS, "{stats:?}");
    assert!(stats.cached > 0, "{stats:?}");
}

#[test]
fn a_loop_over_fewer_than_half_the_bound_finds_every_group_in_its_second_pass() {
    let gpu = Gpu::open_default().unwrap();
    let rows = MAX_CACHED_BIND_GROUPS / 2 - 8;
    let x = Tensor::zeros(&gpu, &[rows, 64], DType::F32).unwrap();
    let y = Tensor::zeros(&gpu, &[64], DType::F32).unwrap();
    let pass = || {
        for i in 0..rows {
            affine_into(&gpu, &x.rows(i, i + 1).unwrap(), &y, 1.0, i as f32);
        }
        gpu.flush().unwrap();
        gpu.bind_group_stats()
    };
    let start = gpu.bind_group_stats();
    let first = pass();
    let second = pass();
    assert_eq!(first.misses - start.misses, rows as u64);
    assert_eq!(second.misses, first.misses, "{first:?} {second:?}");
    assert_eq!(second.hits - first.hits, rows as u64);
}

#[test]
fn a_spiking_network_builds_its_bind_groups_in_its_first_run_only() {
    let gpu = Gpu::open_default().unwrap();
    let mut cfg = Config::default();
    cfg.network.window = 11;
    cfg.network.stride = 1;
    cfg.sim.seed = 3;
    let weights = Weights::build(&cfg);
    let mut net = Network::new(&gpu, &cfg, &weights, 2).unwrap();
    let rates: Vec<f32> = (0..2 * net.n_in)
        .map(|k| 40.0 + ((k * 37) % 54) as f32)
        .collect();
    let rates = Tensor::from_f32(&gpu, &[rates.len()], &rates).unwrap();
    let rec = Recorder::new(&gpu, 100_000).unwrap();
    net.run(&Input::Rates(&rates), 100, &rec).unwrap();
    gpu.synchronize().unwrap();
    let first = gpu.bind_group_stats();
    net.run(&Input::Rates(&rates), 100, &rec).unwrap();
    gpu.synchronize().unwrap();
    let second = gpu.bind_group_stats();
    let dispatches = second.hits - first.hits;
    assert!(dispatches >= 100, "{first:?} {second:?}");
    assert_eq!(second.misses, first.misses, "{first:?} {second:?}");
}

#[test]
fn the_pool_hands_the_same_buffers_back_whatever_order_they_were_freed_in() {
    // A loop iteration that starts with the same free buffers gets the same buffers in the
    // same places, however the iteration before freed them: its dispatches bind what they
    // bound before. (First in, first out gave them back in release order.)
    let gpu = Gpu::open_default().unwrap();
    let alloc = || -> Vec<Tensor> {
        (0..4)
            .map(|_| Tensor::zeros(&gpu, &[100], DType::F32).unwrap())
            .collect()
    };
    let buffers =
        |ts: &[Tensor]| -> Vec<wgpu::Buffer> { ts.iter().map(|t| t.buffer().clone()).collect() };
    let free_in = |mut ts: Vec<Tensor>, order: [usize; 4]| {
        let mut slots: Vec<Option<Tensor>> = ts.drain(..).map(Some).collect();
        for i in order {
            drop(slots[i].take());
        }
        gpu.flush().unwrap();
    };
    free_in(alloc(), [3, 2, 1, 0]);
    let second = alloc();
    let seen = buffers(&second);
    free_in(second, [1, 3, 0, 2]);
    let third = alloc();
    assert!(
        buffers(&third) == seen,
        "the same buffers in the same places"
    );
    free_in(third, [0, 1, 2, 3]);
    assert!(
        buffers(&alloc()) == seen,
        "the same buffers in the same places"
    );
}

/// An L-GrIN training loop frees its tape's temporaries in an order of its own; once the pool
/// holds what a step needs, each step gets the buffers of the step before in the same places
/// and reuses most of its bind groups: more than half of the last of six epochs' groups.
#[test]
fn training_steps_reuse_their_bind_groups() {
    let epochs = small_lgrin_epochs();
    let &(hits, misses) = epochs.last().unwrap();
    assert!(hits > misses, "(hits, misses) per epoch: {epochs:?}");
}

/// Bind-group (hits, misses) of epochs 2 to 6 of a small L-GrIN (16 training clips of 10 nodes x
/// 5 features, batch 4) on a device of its own.
fn small_lgrin_epochs() -> Vec<(u64, u64)> {
    let gpu = Gpu::open_default().unwrap();
    let (feats, labels) = two_class_node_graphs(24, 10, 5);
    let train_idx: Vec<usize> = (0..16).collect();
    let val: Vec<usize> = (16..24).collect();
    let config = common::fixtures::small_lgrin(LgrinConfig::reference(5, 2), 4, 6);
    let mut model = Lgrin::new(&gpu, config).unwrap();
    let mut at = Vec::new();
    train(
        &mut model,
        &feats,
        &labels,
        &train_idx,
        &val,
        &mut |_, _| {},
        &mut |_| at.push(gpu.bind_group_stats()),
    )
    .unwrap();
    per_epoch(&at)
}

/// Hits and misses of each epoch after the first, from the stats taken at each epoch's end.
fn per_epoch(stats: &[BindGroupStats]) -> Vec<(u64, u64)> {
    stats
        .windows(2)
        .map(|w| (w[1].hits - w[0].hits, w[1].misses - w[0].misses))
        .collect()
}

/// A measurement, not a check: how many bind groups training loops reuse, epoch by epoch. Their
/// steps allocate new temporaries, which the pool hands back in the same places once it holds
/// what a step needs; minibatches of another size (the graph GCN's batches differ in node
/// count) bind other buffers.
/// `cargo test --test gpu -- --ignored bind_group_cache:: --nocapture`
#[test]
#[ignore = "measurement: cargo test --test gpu -- --ignored bind_group_cache:: --nocapture"]
fn bind_group_reuse_of_training_loops() {
    println!(
        "L-GrIN, 16 clips of 10 x 5, batch 4: (hits, misses) per epoch after the first: {:?}",
        small_lgrin_epochs()
    );

    let gpu = Gpu::open_default().unwrap();
    let (task, train_idx, val, test) = mutag_split();
    let config = GraphGcnConfig {
        epochs: 6,
        lr: 0.01,
        ..GraphGcnConfig::default()
    };
    let mut at = Vec::new();
    GraphGcn::train(
        &gpu,
        &task,
        &train_idx,
        &val,
        &test,
        config,
        0,
        0,
        &mut |_| at.push(gpu.bind_group_stats()),
    )
    .unwrap();
    println!(
        "graph GCN, MUTAG: (hits, misses) per epoch after the first: {:?}",
        per_epoch(&at)
    );
}

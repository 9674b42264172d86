//! Guards of the GPU layer: writes through a view the device cannot bind in place are refused
//! (`Tensor::binding_mut`), shape sizes that overflow are refused before anything is allocated,
//! the input encoders check ring and schedule sizes, a synchrony graph of zero clips has a real
//! (zero) row pointer, and the per-minibatch GCN normalisation and the SNN reset between samples
//! record their work without reading anything back (the batch is not flushed).

use crate::common;
use common::*;
use synchgraph::graph::synchrony::{self, Layer, SynchronyConfig};
use synchgraph::graph::Csr;
use synchgraph::snn::config::Config;
use synchgraph::snn::encoding::{poisson_step, schedule_step};
use synchgraph::snn::network::{Input, Network, Weights};
use synchgraph::snn::neurons::{lif_step, GroupState, LifParams};
use synchgraph::snn::record::Recorder;
use synchgraph::snn::stdp::{normalize, StdpParams};
use synchgraph::tensor::{checked_numel, numel};
use synchgraph::{DType, Error, Gpu, Tensor};

/// Storage offset alignment of `gpu` in bytes (a 4-byte row offset must break it).
fn alignment(gpu: &Gpu) -> usize {
    let align = gpu.limits().min_storage_buffer_offset_alignment as usize;
    assert!(align > 4 && align % 4 == 0, "alignment {align}");
    align
}

#[test]
fn binding_mut_refuses_a_misaligned_view_and_binds_aligned_ones() {
    let g = gpu();
    let align = alignment(&g);
    let t = Tensor::from_f32(&g, &[4 * align, 1], &vec![0.0; 4 * align]).unwrap();
    // Whole tensors and views at a multiple of the alignment bind in place.
    let b = t.binding_mut().unwrap();
    assert_eq!(b.offset, 0);
    let aligned = t.rows(align / 4, align / 4 + 8).unwrap();
    assert_eq!(aligned.binding_mut().unwrap().offset, align as u64);
    // A view 4 bytes in is refused, naming the offset; binding() still reads it through a copy.
    let off = t.rows(1, 9).unwrap();
    match off.binding_mut() {
        Err(Error::Unsupported(m)) => assert!(m.contains("byte offset 4"), "{m}"),
        other => panic!("expected Unsupported, got {:?}", other.map(|b| b.offset)),
    }
    assert!(off.binding().is_ok());
}

#[test]
fn kernels_refuse_to_write_through_a_misaligned_view_instead_of_dropping_the_writes() {
    // Before binding_mut, lif_step and normalize bound such a view through a copy, returned Ok
    // and left the tensor unchanged. Exact comparisons: nothing may be written.
    let g = gpu();
    let align = alignment(&g);
    // LIF: 64 neurons at v = 0 mV (far over threshold) as rows 1..65 of the state (16-byte
    // rows, so row 1 is 16 bytes in).
    let rows = align / 16 + 1;
    let host = vec![0.0f32; rows * 4 + 64 * 4];
    let state = Tensor::from_f32(&g, &[rows + 64, 4], &host).unwrap();
    let flags = Tensor::zeros(&g, &[64 + align], DType::U32).unwrap();
    let cfg = Config::default();
    let p = LifParams::new(&cfg.exc, cfg.sim.dt_ms, 64);
    let misaligned = GroupState {
        state: state.rows(1, 65).unwrap(),
        flags: flags.rows(align / 4, align / 4 + 64).unwrap(),
    };
    let err = lif_step(&g, &misaligned, &p).unwrap_err();
    assert!(matches!(err, Error::Unsupported(_)), "{err}");
    assert_eq!(state.to_f32().unwrap(), host, "nothing written");
    // The same neurons at an aligned row do spike (v = 0 mV is far over threshold).
    let aligned = GroupState {
        state: state.rows(align / 16, align / 16 + 64).unwrap(),
        flags: flags.rows(align / 4, align / 4 + 64).unwrap(),
    };
    lif_step(&g, &aligned, &p).unwrap();
    let f = aligned.flags.to_u32().unwrap();
    assert!(f
        .iter()
        .all(|&x| x & synchgraph::snn::neurons::SPIKE_BIT != 0));
    // STDP normalisation of a 3 x 2 weight view one float in.
    let sp = StdpParams::new(&cfg.stdp, cfg.sim.dt_ms, 3, 2);
    let w = Tensor::from_f32(&g, &[7], &[1.0; 7]).unwrap();
    let view = w.rows(1, 7).unwrap().reshape(&[3, 2]).unwrap();
    let err = normalize(&g, &sp, &view).unwrap_err();
    assert!(matches!(err, Error::Unsupported(_)), "{err}");
    assert_eq!(w.to_f32().unwrap(), vec![1.0; 7]);
}

#[test]
fn shapes_whose_size_overflows_are_refused_before_allocating() {
    // [2^62, 4] has 2^64 elements: the old unchecked product panicked in debug builds and
    // wrapped to 0 elements in release.
    let huge = [1usize << 62, 4];
    assert_eq!(checked_numel(&huge), None);
    assert_eq!(numel(&huge), usize::MAX, "saturates, never wraps");
    assert_eq!(checked_numel(&[1 << 62, 4, 0]), Some(0));
    assert_eq!(checked_numel(&[3, 5]), Some(15));
    let g = gpu();
    for dtype in [DType::F32, DType::U32, DType::I32, DType::F16] {
        for shape in [&huge[..], &[usize::MAX / 2, 1][..], &[1 << 32, 1 << 32][..]] {
            match Tensor::empty(&g, shape, dtype) {
                Err(Error::TooLarge { what, .. }) => {
                    assert!(what.contains(&format!("{shape:?}")), "{what}")
                }
                other => panic!("{shape:?} {dtype:?}: expected TooLarge, got {other:?}"),
            }
            assert!(matches!(
                Tensor::zeros(&g, shape, dtype),
                Err(Error::TooLarge { .. })
            ));
        }
    }
    // Uploads of such a shape are refused too (no data can be that long).
    assert!(Tensor::from_f32(&g, &huge, &[]).is_err());
    assert!(Tensor::from_u32(&g, &huge, &[1, 2, 3, 4]).is_err());
    let t = Tensor::zeros(&g, &[4], DType::F32).unwrap();
    assert!(t.reshape(&huge).is_err());
}

#[test]
fn poisson_step_checks_the_ring_size() {
    let g = gpu();
    let rates = Tensor::from_f32(&g, &[2, 3], &[100.0; 6]).unwrap();
    let streams = Tensor::from_u32(&g, &[2], &[0, 1]).unwrap();
    // 3 slots of 6 flags.
    let ring = Tensor::zeros(&g, &[18], DType::U32).unwrap();
    for slot in 0..3 {
        poisson_step(&g, &rates, &streams, &ring, slot, 0, 1, 1.0).unwrap();
    }
    for slot in [3, u32::MAX / 6 + 1, u32::MAX] {
        match poisson_step(&g, &rates, &streams, &ring, slot, 0, 1, 1.0) {
            Err(Error::Shape { message, .. }) => assert!(message.contains("ring"), "{message}"),
            other => panic!("slot {slot}: expected a shape error, got {other:?}"),
        }
    }
    let short = Tensor::zeros(&g, &[5], DType::U32).unwrap();
    assert!(poisson_step(&g, &rates, &streams, &short, 0, 0, 1, 1.0).is_err());
    let wrong = Tensor::zeros(&g, &[18], DType::F32).unwrap();
    assert!(poisson_step(&g, &rates, &streams, &wrong, 0, 0, 1, 1.0).is_err());
}

#[test]
fn schedule_step_checks_the_schedule_ring_and_products() {
    let g = gpu();
    // 40 inputs: 2 words per step; 3 steps.
    let sched = Tensor::from_u32(&g, &[6], &[u32::MAX; 6]).unwrap();
    let ring = Tensor::zeros(&g, &[2 * 80], DType::U32).unwrap();
    for step in 0..3 {
        schedule_step(&g, &sched, 40, 2, &ring, 1, step).unwrap();
    }
    let flags = ring.to_u32().unwrap();
    assert!(flags[..80].iter().all(|&f| f == 0) && flags[80..].iter().all(|&f| f != 0));
    let shape_err = |r: synchgraph::Result<()>, what: &str| match r {
        Err(Error::Shape { message, .. }) => assert!(message.contains(what), "{message}"),
        other => panic!("expected a shape error about {what}, got {other:?}"),
    };
    // Past the schedule's last step.
    shape_err(schedule_step(&g, &sched, 40, 2, &ring, 0, 3), "schedule");
    shape_err(
        schedule_step(&g, &sched, 40, 2, &ring, 0, u32::MAX),
        "schedule",
    );
    // Past the ring's last slot, and a slot offset past u32.
    shape_err(schedule_step(&g, &sched, 40, 2, &ring, 2, 0), "ring");
    shape_err(schedule_step(&g, &sched, 40, 2, &ring, u32::MAX, 0), "ring");
    // n_in x clips past u32.
    shape_err(
        schedule_step(&g, &sched, 1 << 20, 1 << 12, &ring, 0, 0),
        "32-bit",
    );
}

#[test]
fn a_synchrony_graph_of_zero_clips_is_empty_even_from_recycled_buffers() {
    // A private device whose pool holds only dirty small buffers, so row_ptr (one u32) would
    // come back holding 0xdeadbeef if nothing wrote it.
    let g = Gpu::open_default().unwrap();
    let dirty: Vec<Tensor> = (0..64)
        .map(|_| Tensor::from_u32(&g, &[1], &[0xdead_beef]).unwrap())
        .collect();
    drop(dirty);
    g.flush().unwrap();
    let layer = Layer {
        clips: 0,
        neurons: 8,
        audio_neurons: 4,
        duration_ms: 100.0,
    };
    let graph = synchrony::build(&g, &[], &layer, &SynchronyConfig::default()).unwrap();
    assert_eq!((graph.nodes, graph.edges), (0, 0));
    assert_eq!(graph.row_ptr.to_u32().unwrap(), vec![0]);
    assert_eq!(graph.clip_offsets.to_u32().unwrap(), vec![0]);
    assert_eq!(graph.col_idx.numel(), 0);
}

/// Random directed edges without self loops.
fn loop_free_edges(rng: &mut Rng, n: usize, m: usize) -> Vec<(u32, u32)> {
    (0..m)
        .map(|_| {
            let s = (rng.next_u64() % n as u64) as u32;
            let d = (rng.next_u64() % (n as u64 - 1)) as u32;
            (s, if d >= s { d + 1 } else { d })
        })
        .collect()
}

#[test]
fn gcn_normalisation_is_computed_without_a_readback_and_matches_a_rust_reference() {
    let g = Gpu::open_default().unwrap();
    let mut rng = Rng(41);
    let n = 700;
    let edges = loop_free_edges(&mut rng, n, 2500);
    let w = rng.vec(edges.len(), 0.05, 3.0);
    let a = Csr::from_edges(&g, n, &edges, Some(&w), false, true).unwrap();
    // Work already recorded must stay recorded: no readback, no flush.
    let x = Tensor::from_f32(&g, &[64], &[1.0; 64]).unwrap();
    let _y = synchgraph::kernels::elementwise::scale(&x, 2.0).unwrap();
    let pending = g.pending_dispatches();
    assert!(pending > 0);
    let norm = a.gcn_normalized().unwrap();
    assert_eq!(
        g.pending_dispatches(),
        pending,
        "gcn_normalized flushed the batch (it read back from the GPU)"
    );
    // A has no loops, so A + I is A with a weight-1 loop added to every row.
    let plus_i = Csr::from_edges(&g, n, &edges, Some(&w), true, true).unwrap();
    assert_eq!(norm.host.row_ptr, plus_i.host.row_ptr);
    assert_eq!(norm.host.col_idx, plus_i.host.col_idx);
    // Plain Rust reference, same f32 operations in the same order: exact.
    let h = &plus_i.host;
    let dinv: Vec<f32> = (0..n)
        .map(|r| {
            let mut d = 0.0f32;
            for k in h.row_ptr[r] as usize..h.row_ptr[r + 1] as usize {
                d += h.values[k];
            }
            if d > 0.0 {
                1.0 / d.sqrt()
            } else {
                0.0
            }
        })
        .collect();
    let mut want = Vec::new();
    for r in 0..n {
        for k in h.row_ptr[r] as usize..h.row_ptr[r + 1] as usize {
            want.push(dinv[r] * h.values[k] * dinv[h.col_idx[k] as usize]);
        }
    }
    assert_eq!(norm.host.values, want, "host copy vs Rust reference");
    assert_eq!(
        norm.values.to_f32().unwrap(),
        want,
        "GPU values vs host copy"
    );
}

#[test]
fn reset_to_rest_records_its_work_without_a_readback_and_keeps_theta_bits() {
    let g = Gpu::open_default().unwrap();
    let mut cfg = Config::default();
    cfg.network.window = 11;
    cfg.network.stride = 1;
    cfg.network.w_init_max = 1.0;
    cfg.sim.seed = 5;
    let w = Weights::build(&cfg);
    let clips = 2;
    let mut net = Network::new(&g, &cfg, &w, clips).unwrap();
    let rates: Vec<f32> = (0..clips * net.n_in)
        .map(|k| 60.0 + (k % 9) as f32 * 20.0)
        .collect();
    let rt = Tensor::from_f32(&g, &[clips * net.n_in], &rates).unwrap();
    let rec = Recorder::new(&g, 100_000).unwrap();
    net.run(&Input::Rates(&rt), 400, &rec).unwrap();
    assert!(
        !rec.read().unwrap().is_empty(),
        "the network spiked, so thresholds and refractory counters moved"
    );
    let (before, _) = net.exc.to_host().unwrap();
    let theta_init = cfg.exc.theta_init as f32;
    assert!(before.chunks_exact(4).any(|s| s[3] != theta_init));
    // Work pending in the batch (not touching the network) must stay pending over the reset.
    let x = Tensor::from_f32(&g, &[64], &[1.0; 64]).unwrap();
    let _y = synchgraph::kernels::elementwise::scale(&x, 2.0).unwrap();
    let pending = g.pending_dispatches();
    assert!(pending > 0);
    net.reset_to_rest().unwrap();
    assert!(
        g.pending_dispatches() >= pending,
        "reset_to_rest flushed the batch (it read back from the GPU)"
    );
    // The exact rest state: v_rest, zero conductances and flags, theta kept bit for bit.
    let (exc, exc_flags) = net.exc.to_host().unwrap();
    assert!(exc_flags.iter().all(|&f| f == 0));
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let v_rest = cfg.exc.v_rest as f32;
    for (s, old) in exc.chunks_exact(4).zip(before.chunks_exact(4)) {
        assert_eq!(bits(s), bits(&[v_rest, 0.0, 0.0, old[3]]));
    }
    let (inh, inh_flags) = net.inh.to_host().unwrap();
    assert!(inh_flags.iter().all(|&f| f == 0));
    for s in inh.chunks_exact(4) {
        assert_eq!(
            s.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            [cfg.inh.v_rest as f32, 0.0, 0.0, cfg.inh.theta_init as f32]
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>()
        );
    }
}

/// A matrix whose values were replaced on the GPU (`with_values`, as sparse dropout does) has a
/// host copy with the old values, so normalising it from that copy would silently ignore the new
/// values: it is refused, while the original still normalises.
#[test]
fn gcn_normalisation_refuses_values_replaced_on_the_gpu() {
    let g = Gpu::open_default().unwrap();
    let a = Csr::from_edges(&g, 3, &[(0, 1), (1, 2)], None, false, true).unwrap();
    assert!(a.host_values_current);
    let replaced = a
        .with_values(Tensor::from_f32(&g, &[a.nnz()], &vec![5.0; a.nnz()]).unwrap())
        .unwrap();
    assert!(!replaced.host_values_current);
    let e = replaced.gcn_normalized().unwrap_err().to_string();
    assert!(e.contains("with_values"), "{e}");
    assert!(a.gcn_normalized().is_ok());
}

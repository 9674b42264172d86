//! The spiking-network kernels one by one (input encoding in `shaders/poisson.wgsl`, synapses in
//! `shaders/synapse.wgsl`, STDP in `shaders/stdp.wgsl`) against their plain Rust references,
//! each on the folded 2-D grid path of `common::folded_gpu()` (7 workgroups per dimension) with
//! sizes that are not multiples of the workgroup size. tests/snn/reference.rs checks them only
//! together, through spike rasters of a whole network; `lif_step` has its own folded test in
//! tests/snn/lif.rs. The tolerance of each check is stated where it is made.

use crate::common;

use common::{assert_close, assert_folded, folded_gpu, Rng};
use synchgraph::snn::config::{Config, StdpRule};
use synchgraph::snn::encoding::{poisson_reference, poisson_step, schedule_step, SpikeList};
use synchgraph::snn::neurons::{GroupState, SPIKE_BIT};
use synchgraph::snn::record::{Recorder, SpikeEvent};
use synchgraph::snn::stdp::{
    normalize, normalize_reference, stdp_reference, stdp_step, StdpParams,
};
use synchgraph::snn::synapses::{compact, propagate, sort, Channel, SpikeLists};
use synchgraph::{DType, Gpu, Tensor};

#[test]
fn poisson_step_matches_reference_on_a_folded_grid() {
    // 2,600 inputs (13 clips of 200): 11 workgroups on a 6 x 2 grid (one spare). Exact: the
    // spike test is an integer hash and one f32 product compared, bit-identical to
    // `poisson_reference`. Slots other than the one written must keep their contents.
    let g = folded_gpu();
    let (n, clips) = (2600, 13);
    assert_folded(&g, n, 256, 1);
    let mut rng = Rng(301);
    let rates = rng.vec(n, 0.0, 400.0);
    let tr = Tensor::from_f32(&g, &[n], &rates).unwrap();
    let streams: Vec<u32> = (0..clips).map(|c| 1000 + 7 * c).collect();
    let ts = Tensor::from_u32(&g, &[clips as usize], &streams).unwrap();
    let ring = Tensor::from_u32(&g, &[3 * n], &vec![7; 3 * n]).unwrap();
    let (seed, dt_ms) = (0x1234_5678_9abc_u64, 0.5);
    let mut want = vec![7u32; 3 * n];
    for (slot, step) in [(1u32, 17u32), (2, 18)] {
        poisson_step(&g, &tr, &ts, &ring, slot, step, seed, dt_ms).unwrap();
        let flags = poisson_reference(&rates, &streams, step, seed, dt_ms);
        for (i, &on) in flags.iter().enumerate() {
            want[slot as usize * n + i] = if on { SPIKE_BIT } else { 0 };
        }
    }
    let got = ring.to_u32().unwrap();
    assert!(
        got.contains(&SPIKE_BIT) && got.contains(&0),
        "some inputs spike"
    );
    assert_eq!(got, want, "ring");
}

#[test]
fn poisson_spike_fractions_match_their_rates() {
    // Independent of `poisson_reference` (which shares the kernel's bit operations, so a shared
    // mistake such as a doubled rate would cancel): over 4,000 inputs x 200 steps at dt 0.5 ms,
    // an input at r Hz spikes in a fraction r * dt of the steps. Each fraction must be within
    // 5 standard deviations (binomial, 800,000 draws) of its expectation; a rate of 0 never
    // spikes and 2,000 Hz (r * dt = 1) always does.
    let g = common::gpu();
    let (n, steps, dt_ms) = (4000usize, 200u32, 0.5);
    for rate in [0.0f32, 20.0, 100.0, 400.0, 2000.0] {
        let rates = Tensor::from_f32(&g, &[n], &vec![rate; n]).unwrap();
        let streams = Tensor::from_u32(&g, &[1], &[3]).unwrap();
        let ring = Tensor::zeros(&g, &[steps as usize * n], DType::U32).unwrap();
        for step in 0..steps {
            poisson_step(&g, &rates, &streams, &ring, step, step, 77, dt_ms).unwrap();
        }
        let flags = ring.to_u32().unwrap();
        let spikes = flags.iter().filter(|&&f| f == SPIKE_BIT).count() as f64;
        let draws = flags.len() as f64;
        let p = (f64::from(rate) * dt_ms / 1000.0).min(1.0);
        let sd = (draws * p * (1.0 - p)).sqrt();
        assert!(
            (spikes - draws * p).abs() <= 5.0 * sd,
            "{rate} Hz: {spikes} spikes in {draws} draws, expected {:.0} +- {sd:.0}",
            draws * p
        );
    }
}

#[test]
fn stdp_constants_come_from_the_config_field_by_field() {
    // stdp_reference and the network reference take their constants from StdpParams::new, as
    // the kernels do; this pins each field to its config value, with distinct time constants
    // and rates so a swap (tau_post1 for tau_post2, nu_pre for nu_post) shows. Exact.
    let mut sc = Config::default().stdp;
    (sc.tau_pre_ms, sc.tau_post1_ms, sc.tau_post2_ms) = (11.0, 23.0, 47.0);
    (sc.nu_pre, sc.nu_post, sc.w_max, sc.x_tar, sc.mu) = (0.003, 0.07, 1.5, 0.25, 0.8);
    sc.norm_total = 61.0;
    sc.rule = StdpRule::PowerLaw;
    let dt = 0.25;
    let p = StdpParams::new(&sc, dt, 5, 9);
    assert_eq!((p.n_pre, p.n_post, p.rule), (5, 9, 1));
    assert_eq!(p.k_pre, (0.25 / 11.0) as f32);
    assert_eq!(p.k_post1, (0.25 / 23.0) as f32);
    assert_eq!(p.k_post2, (0.25 / 47.0) as f32);
    let f = |v: f64| v as f32;
    assert_eq!((p.nu_pre, p.nu_post), (f(0.003), f(0.07)));
    assert_eq!((p.w_max, p.x_tar, p.mu, p.total), (1.5, 0.25, f(0.8), 61.0));
    sc.rule = StdpRule::PrePost;
    assert_eq!(StdpParams::new(&sc, dt, 5, 9).rule, 0);
}

#[test]
fn schedule_step_matches_reference_on_a_folded_grid() {
    // 70 clips x 37 inputs = 2,590 threads: 11 workgroups (6 x 2, one spare). Every clip reads
    // the same schedule. Exact: bits are copied.
    let g = folded_gpu();
    let (n_in, clips, steps) = (37usize, 70usize, 4usize);
    let n = n_in * clips;
    assert_folded(&g, n, 256, 1);
    let mut rng = Rng(302);
    let mut events: Vec<(u32, u32)> = (0..60)
        .map(|_| (rng.below(n_in) as u32, rng.below(steps) as u32))
        .collect();
    events.sort_unstable_by_key(|&(i, s)| (s, i));
    events.dedup();
    let list = SpikeList {
        n_in,
        steps,
        events,
    };
    let sched = list.upload(&g).unwrap();
    let ring = Tensor::from_u32(&g, &[2 * n], &vec![7; 2 * n]).unwrap();
    for step in 0..steps as u32 {
        let slot = step % 2;
        schedule_step(&g, &sched, n_in as u32, clips as u32, &ring, slot, step).unwrap();
        let got = ring.to_u32().unwrap();
        let flags = list.flags_at(step);
        let want: Vec<u32> = (0..n)
            .map(|k| if flags[k % n_in] { SPIKE_BIT } else { 0 })
            .collect();
        let s = slot as usize * n;
        assert_eq!(&got[s..s + n], &want[..], "step {step}");
    }
}

#[test]
fn compact_and_record_match_reference_on_a_folded_grid() {
    // 530 clips x 5 neurons = 2,650 threads: 11 workgroups (6 x 2, one spare). Each neuron
    // reads its delayed ring slot. Exact: the lists (after sort_lists), counts, arrival flags
    // and recorded events are integers.
    let g = folded_gpu();
    let (n, clips, slots, step) = (5usize, 530usize, 3u32, 7u32);
    let total = n * clips;
    assert_folded(&g, total, 256, 1);
    let mut rng = Rng(303);
    // Refractory counts in the low bits must not count as spikes.
    let flags: Vec<u32> = (0..slots as usize * total)
        .map(|_| rng.below(7) as u32 | if rng.below(3) == 0 { SPIKE_BIT } else { 0 })
        .collect();
    let delays: Vec<u32> = (0..n).map(|_| rng.below(5) as u32).collect();
    let l = SpikeLists::new(&g, n, clips).unwrap();
    let rec = Recorder::new(&g, 10_000).unwrap();
    let tf = Tensor::from_u32(&g, &[flags.len()], &flags).unwrap();
    let td = Tensor::from_u32(&g, &[n], &delays).unwrap();
    compact(&g, &l, &tf, &td, slots, step, &rec, Some(4)).unwrap();
    sort(&g, &l).unwrap();
    let (counts, list, spk) = (
        l.counts.to_u32().unwrap(),
        l.list.to_u32().unwrap(),
        l.spk.to_u32().unwrap(),
    );
    let mut want_events = Vec::new();
    for c in 0..clips {
        let on: Vec<u32> = (0..n as u32)
            .filter(|&i| {
                let slot = (step + slots - delays[i as usize] % slots) % slots;
                flags[slot as usize * total + c * n + i as usize] & SPIKE_BIT != 0
            })
            .collect();
        assert_eq!(counts[c] as usize, on.len(), "count of clip {c}");
        assert_eq!(&list[c * n..c * n + on.len()], &on[..], "list of clip {c}");
        for i in 0..n as u32 {
            let want = u32::from(on.contains(&i));
            assert_eq!(
                spk[c * n + i as usize],
                want,
                "arrival of clip {c} neuron {i}"
            );
        }
        want_events.extend(on.iter().map(|&i| SpikeEvent {
            step,
            group: 4,
            neuron: (c * n) as u32 + i,
        }));
    }
    want_events.sort_unstable();
    assert_eq!(rec.read().unwrap(), want_events, "record");
}

/// Lists of `clips` clips of `n` neurons written on the host: a random subset per clip in
/// descending order, the unused tail filled with 99.
fn host_lists(
    g: &synchgraph::Gpu,
    rng: &mut Rng,
    n: usize,
    clips: usize,
) -> (Vec<u32>, Vec<u32>, SpikeLists) {
    let mut counts = Vec::with_capacity(clips);
    let mut list = vec![99u32; n * clips];
    for c in 0..clips {
        let mut picked: Vec<u32> = (0..n as u32).filter(|_| rng.below(2) == 0).collect();
        picked.reverse();
        list[c * n..c * n + picked.len()].copy_from_slice(&picked);
        counts.push(picked.len() as u32);
    }
    let lists = SpikeLists {
        counts: Tensor::from_u32(g, &[clips], &counts).unwrap(),
        list: Tensor::from_u32(g, &[n * clips], &list).unwrap(),
        spk: Tensor::zeros(g, &[n * clips], DType::U32).unwrap(),
        n: n as u32,
        clips: clips as u32,
    };
    (counts, list, lists)
}

#[test]
fn sort_lists_on_a_folded_grid() {
    // One thread per clip, 64 per workgroup: 530 clips = 9 workgroups (5 x 2, one spare).
    // Lists are written in descending order so that every clip's sort is visible; the tail past
    // each count must stay untouched. Exact.
    let g = folded_gpu();
    let (n, clips) = (9usize, 530usize);
    assert_folded(&g, clips, 64, 1);
    let mut rng = Rng(304);
    let (counts, list, l) = host_lists(&g, &mut rng, n, clips);
    sort(&g, &l).unwrap();
    let got = l.list.to_u32().unwrap();
    for c in 0..clips {
        let mut want = list[c * n..(c + 1) * n].to_vec();
        want[..counts[c] as usize].sort_unstable();
        assert_eq!(&got[c * n..(c + 1) * n], &want[..], "list of clip {c}");
    }
}

#[test]
fn propagate_matches_reference_on_a_folded_grid() {
    // 530 clips x 4 post neurons = 2,120 threads: 9 workgroups (5 x 2, one spare), for both
    // channels. Exact: each thread adds the listed weight rows in ascending list order and then
    // adds the sum to ge or gi, which the f32 reference repeats in the same order.
    let g = folded_gpu();
    let (n_pre, n_post, clips) = (5usize, 4usize, 530usize);
    assert_folded(&g, n_post * clips, 256, 1);
    let mut rng = Rng(305);
    let (counts, _, l) = host_lists(&g, &mut rng, n_pre, clips);
    sort(&g, &l).unwrap();
    let list = l.list.to_u32().unwrap();
    let w = rng.vec(n_pre * n_post, 0.0, 1.0);
    let tw = Tensor::from_f32(&g, &[n_pre, n_post], &w).unwrap();
    let state = rng.vec(4 * n_post * clips, 0.0, 2.0);
    let target = GroupState::from_host(&g, &state, &vec![0; n_post * clips]).unwrap();
    let mut want = state.clone();
    for (channel, k) in [(Channel::Exc, 1), (Channel::Inh, 2)] {
        propagate(&g, &l, &tw, &target, channel).unwrap();
        for c in 0..clips {
            let listed = &list[c * n_pre..c * n_pre + counts[c] as usize];
            if listed.is_empty() {
                continue;
            }
            for j in 0..n_post {
                let acc = listed
                    .iter()
                    .fold(0.0f32, |a, &i| a + w[i as usize * n_post + j]);
                want[4 * (c * n_post + j) + k] += acc;
            }
        }
    }
    assert_eq!(
        target.to_host().unwrap().0,
        want,
        "state after both channels"
    );
}

/// Starting state of one STDP check: weights, mask and both traces.
struct StdpStart {
    w: Vec<f32>,
    mask: Vec<f32>,
    trace_pre: Vec<f32>,
    trace_post: Vec<f32>,
}

/// Run `stdp_step` once per (pre, post) spike pair on the GPU and `stdp_reference` on the same
/// start, and return the GPU weights. Tolerance: |gpu - ref| <= 1e-6 + 1e-5 |ref| for weights
/// and traces in [0, 1], f32 against the f64 reference (a few roundings per step; the power
/// law's pow is a few ulp; a missing update is at least nu_pre * post1 ~ 1e-5).
fn check_stdp(
    g: &Gpu,
    p: &StdpParams,
    start: &StdpStart,
    spikes: &[(Vec<bool>, Vec<bool>)],
    what: &str,
) -> Vec<f32> {
    let (n_pre, n_post) = (p.n_pre as usize, p.n_post as usize);
    let tw = Tensor::from_f32(g, &[n_pre, n_post], &start.w).unwrap();
    let tm = Tensor::from_f32(g, &[n_pre, n_post], &start.mask).unwrap();
    let ttp = Tensor::from_f32(g, &[n_pre], &start.trace_pre).unwrap();
    let ttq = Tensor::from_f32(g, &[n_post, 2], &start.trace_post).unwrap();
    let f64s = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
    let (mut w, mut tp, mut tq) = (
        f64s(&start.w),
        f64s(&start.trace_pre),
        f64s(&start.trace_post),
    );
    let mask = f64s(&start.mask);
    let bits = |s: &[bool]| s.iter().map(|&b| u32::from(b)).collect::<Vec<u32>>();
    for (pre, post) in spikes {
        let sp = Tensor::from_u32(g, &[n_pre], &bits(pre)).unwrap();
        let sq = Tensor::from_u32(g, &[n_post], &bits(post)).unwrap();
        stdp_step(g, p, &tw, &tm, &sp, &sq, &ttp, &ttq).unwrap();
        stdp_reference(p, &mut w, &mask, pre, post, &mut tp, &mut tq);
    }
    let f32s = |v: &[f64]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let got = tw.to_f32().unwrap();
    assert_close(&format!("{what} w"), &got, &f32s(&w), 1e-6, 1e-5);
    for (name, t, want) in [("pre", &ttp, &tp), ("post", &ttq, &tq)] {
        let got = t.to_f32().unwrap();
        assert_close(&format!("{what} {name}"), &got, &f32s(want), 1e-6, 1e-5);
    }
    got
}

#[test]
fn stdp_step_matches_reference_on_a_folded_grid() {
    // stdp_weights runs one thread per synapse, trace_pre / trace_post one per neuron. 60 x 45
    // synapses are 2,700 threads (11 workgroups, 6 x 2, one spare); 2,100 x 1 and 1 x 2,100
    // also fold the pre and the post trace kernel (9 workgroups, 5 x 2, one spare). Three steps
    // of random spikes, both rules; the tolerance is check_stdp's.
    let g = folded_gpu();
    let cfg = Config::default();
    let mut rng = Rng(306);
    for (n_pre, n_post, rule) in [
        (60usize, 45usize, StdpRule::PrePost),
        (60, 45, StdpRule::PowerLaw),
        (2100, 1, StdpRule::PrePost),
        (1, 2100, StdpRule::PowerLaw),
    ] {
        let what = format!("{n_pre}x{n_post} {rule:?}");
        assert_folded(&g, n_pre * n_post, 256, 1);
        let mut sc = cfg.stdp.clone();
        sc.rule = rule;
        sc.nu_pre = 1e-2;
        let p = StdpParams::new(&sc, cfg.sim.dt_ms, n_pre as u32, n_post as u32);
        let start = StdpStart {
            w: rng.vec(n_pre * n_post, 0.0, 1.0),
            mask: (0..n_pre * n_post)
                .map(|_| f32::from(u8::from(rng.below(5) != 0)))
                .collect(),
            trace_pre: rng.vec(n_pre, 0.0, 1.0),
            trace_post: rng.vec(2 * n_post, 0.0, 1.0),
        };
        let spikes: Vec<(Vec<bool>, Vec<bool>)> = (0..3)
            .map(|_| {
                (
                    (0..n_pre).map(|_| rng.below(3) == 0).collect(),
                    (0..n_post).map(|_| rng.below(3) == 0).collect(),
                )
            })
            .collect();
        let w = check_stdp(&g, &p, &start, &spikes, &what);
        assert_ne!(w, start.w, "{what}: weights should change");
    }
}

#[test]
fn normalize_matches_reference_on_a_folded_grid() {
    // One thread per post neuron, 64 per workgroup: 2,100 columns = 33 workgroups on a 7 x 5
    // grid (two spare). Every 7th column is all zero and must stay so. Tolerance: a sum of 3
    // f32 terms, one division and one product against f64: 1e-6 + 1e-5 |ref|.
    let g = folded_gpu();
    let cfg = Config::default();
    let (n_pre, n_post) = (3usize, 2100usize);
    assert_folded(&g, n_post, 64, 2);
    let mut sc = cfg.stdp.clone();
    sc.norm_total = 1.5;
    let p = StdpParams::new(&sc, cfg.sim.dt_ms, n_pre as u32, n_post as u32);
    let mut rng = Rng(307);
    let w: Vec<f32> = (0..n_pre * n_post)
        .map(|e| {
            if (e % n_post) % 7 == 3 {
                0.0
            } else {
                rng.uniform(0.0, 1.0)
            }
        })
        .collect();
    let tw = Tensor::from_f32(&g, &[n_pre, n_post], &w).unwrap();
    normalize(&g, &p, &tw).unwrap();
    let mut want: Vec<f64> = w.iter().map(|&x| f64::from(x)).collect();
    normalize_reference(&p, &mut want);
    let want: Vec<f32> = want.iter().map(|&x| x as f32).collect();
    assert_close("normalize", &tw.to_f32().unwrap(), &want, 1e-6, 1e-5);
}

#[test]
fn power_law_stdp_at_the_weight_bound_matches_reference() {
    // The power law's (w_max - w)^mu at w = w_max is 0^mu: 0 for mu > 0 and 1 for mu = 0
    // (additive STDP). WGSL's pow(0, 0) is undefined, so weights sitting on the bound, which
    // clipping makes common, are checked for mu = 0, 0.5 and 1 with every post neuron spiking.
    // 37 x 29 synapses: 5 workgroups, not a multiple of 256. Tolerance: check_stdp's.
    let g = common::gpu();
    let cfg = Config::default();
    let mut rng = Rng(307);
    let (n_pre, n_post) = (37usize, 29usize);
    for mu in [0.0, 0.5, 1.0] {
        let mut sc = cfg.stdp.clone();
        sc.rule = StdpRule::PowerLaw;
        sc.mu = mu;
        let p = StdpParams::new(&sc, cfg.sim.dt_ms, n_pre as u32, n_post as u32);
        let start = StdpStart {
            w: (0..n_pre * n_post)
                .map(|k| match k % 3 {
                    0 => sc.w_max as f32,
                    1 => 0.0,
                    _ => rng.uniform(0.0, sc.w_max as f32),
                })
                .collect(),
            mask: vec![1.0; n_pre * n_post],
            trace_pre: rng.vec(n_pre, 0.0, 1.0),
            trace_post: rng.vec(2 * n_post, 0.0, 1.0),
        };
        let pre = (0..n_pre).map(|i| i % 2 == 0).collect();
        check_stdp(
            &g,
            &p,
            &start,
            &[(pre, vec![true; n_post])],
            &format!("mu {mu}"),
        );
    }
}

#[test]
fn a_pre_spike_alone_depresses_only_under_the_pre_post_rule() {
    // Expected values written out from the rules, not from stdp_reference: on a pre spike
    // without a post spike, pre_post subtracts nu_pre * post1 (post1 decayed to this step);
    // the power law updates on post spikes only, so the weights stay. Tolerance 1e-6.
    let g = common::gpu();
    let cfg = Config::default();
    let (n_pre, n_post) = (1usize, 3usize);
    for rule in [StdpRule::PrePost, StdpRule::PowerLaw] {
        let mut sc = cfg.stdp.clone();
        sc.rule = rule;
        sc.nu_pre = 1e-2;
        let p = StdpParams::new(&sc, cfg.sim.dt_ms, n_pre as u32, n_post as u32);
        // post1 decays by dt / tau_post1, taken from the config, not from `p`.
        let post1 = 0.6_f32 - (cfg.sim.dt_ms / sc.tau_post1_ms) as f32 * 0.6;
        let start = StdpStart {
            w: vec![0.5; n_post],
            mask: vec![1.0; n_post],
            trace_pre: vec![0.2],
            trace_post: [0.6, 0.3].repeat(n_post),
        };
        let w = check_stdp(
            &g,
            &p,
            &start,
            &[(vec![true], vec![false; n_post])],
            &format!("{rule:?}"),
        );
        let want = match rule {
            StdpRule::PrePost => 0.5 - 1e-2 * post1,
            StdpRule::PowerLaw => 0.5,
        };
        assert_close(&format!("{rule:?} pre spike"), &w, &[want; 3], 1e-6, 0.0);
    }
}

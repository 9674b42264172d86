//! The simulation core's wiring and timing on a few neurons: the per-modality input delay in
//! whole steps, lateral inhibition within a modality only, cross-modal links between the
//! excitatory groups, thresholds kept and potentials reset by the rest between samples, and the
//! `simulate` command's input checks and chunked spike record.
use crate::common;

use common::gpu;
use synchgraph::snn::config::Config;
use synchgraph::snn::encoding::SpikeList;
use synchgraph::snn::network::{Input, Network, Weights, GROUP_EXC, GROUP_INH};
use synchgraph::snn::record::{Recorder, SpikeEvent};

/// `modalities` modalities of one input and `neurons` excitatory neurons each, audio-style
/// delays `delays` (ms), every input driving every neuron of its modality with weight 100 (one
/// input spike makes them fire on the next step).
fn wired(modalities: usize, neurons: usize, delays: Vec<f64>) -> (Config, Weights) {
    let mut c = Config::default();
    c.network.modalities = modalities;
    c.network.inputs_per_modality = 1;
    c.network.neurons_per_modality = neurons;
    c.network.input_delay_ms = delays;
    let mut w = Weights::build(&c);
    for (x, m) in w.w_in.iter_mut().zip(&w.mask_in) {
        *x = 100.0 * m;
    }
    (c, w)
}

fn run(cfg: &Config, w: &Weights, events: Vec<(u32, u32)>, steps: u32) -> Vec<SpikeEvent> {
    let g = gpu();
    let mut net = Network::new(&g, cfg, w, 1).unwrap();
    let n_in = net.n_in;
    let list = SpikeList {
        n_in,
        steps: steps as usize,
        events,
    };
    let sched = list.upload(&g).unwrap();
    let rec = Recorder::new(&g, 10_000).unwrap();
    net.run(&Input::Schedule(&sched, steps), steps, &rec)
        .unwrap();
    rec.read().unwrap()
}

#[test]
fn a_delayed_input_spike_arrives_delay_over_dt_steps_later() {
    // Visual (0 ms) and audio (5 ms = 10 steps at dt 0.5 ms) inputs both spike at step 3: the
    // visual neuron fires at step 4 (the spike's conductance acts on the next step), the audio
    // neuron exactly 10 steps later, at step 14.
    let (cfg, w) = wired(2, 1, vec![0.0, 5.0]);
    let spikes = run(&cfg, &w, vec![(0, 3), (1, 3)], 30);
    let exc: Vec<(u32, u32)> = spikes
        .iter()
        .filter(|e| e.group == GROUP_EXC)
        .map(|e| (e.neuron, e.step))
        .collect();
    assert_eq!(exc, vec![(0, 4), (1, 14)]);
    // The same at dt 0.25 ms: 5 ms is 20 steps.
    let (mut cfg, w) = wired(2, 1, vec![0.0, 5.0]);
    cfg.sim.dt_ms = 0.25;
    let spikes = run(&cfg, &w, vec![(0, 3), (1, 3)], 40);
    let exc: Vec<(u32, u32)> = spikes
        .iter()
        .filter(|e| e.group == GROUP_EXC)
        .map(|e| (e.neuron, e.step))
        .collect();
    assert_eq!(exc, vec![(0, 4), (1, 24)]);
}

#[test]
fn lateral_inhibition_stays_within_the_modality_and_cross_links_join_modalities() {
    let mut c = Config::default();
    c.network.neurons_per_modality = 3;
    c.network.w_cross = 0.7;
    let w = Weights::build(&c);
    let n_e = 6;
    for a in 0..n_e {
        for b in 0..n_e {
            let same = a / 3 == b / 3;
            let ei = if a == b { 10.4f32 } else { 0.0 };
            let ie = if same && a != b { 17.0f32 } else { 0.0 };
            let cross = if same { 0.0f32 } else { 0.7 };
            assert_eq!(w.w_ei[a * n_e + b], ei, "exc {a} -> inh {b}");
            assert_eq!(w.w_ie[a * n_e + b], ie, "inh {a} -> exc {b}");
            assert_eq!(w.w_cross[a * n_e + b], cross, "exc {a} -> exc {b}");
        }
    }
    // In the running network: one visual input spike at step 0 fires every visual neuron at
    // step 1, their inhibitory partners at step 2 (w_exc_inh 40), and inhibition reaches only
    // visual neurons: the audio group, never driven, keeps gi = 0.
    let (mut cfg, w) = wired(2, 2, vec![0.0, 0.0]);
    cfg.network.w_exc_inh = 40.0;
    let g = gpu();
    let mut net = Network::new(&g, &cfg, &w, 1).unwrap();
    let list = SpikeList {
        n_in: 2,
        steps: 4,
        events: vec![(0, 0)],
    };
    let sched = list.upload(&g).unwrap();
    let rec = Recorder::new(&g, 100).unwrap();
    net.run(&Input::Schedule(&sched, 4), 4, &rec).unwrap();
    let spikes: Vec<(u32, u32, u32)> = rec
        .read()
        .unwrap()
        .iter()
        .map(|e| (e.group, e.neuron, e.step))
        .collect();
    assert_eq!(
        spikes,
        vec![
            (GROUP_EXC, 0, 1),
            (GROUP_EXC, 1, 1),
            (GROUP_INH, 0, 2),
            (GROUP_INH, 1, 2)
        ]
    );
    let (state, _) = net.exc.to_host().unwrap();
    let gi: Vec<f32> = state.chunks(4).map(|s| s[2]).collect();
    assert!(
        gi[0] > 0.0 && gi[1] > 0.0,
        "visual neurons inhibited: {gi:?}"
    );
    assert_eq!(&gi[2..], &[0.0, 0.0], "audio neurons untouched: {gi:?}");
}

#[test]
fn the_rest_between_samples_keeps_each_clips_thresholds_and_resets_the_rest() {
    // Two clips driven differently grow different thresholds; the reset keeps them, bit for
    // bit, and brings potentials, conductances and refractory countdowns to rest.
    let mut cfg = Config::default();
    cfg.network.modalities = 1;
    cfg.network.inputs_per_modality = 4;
    cfg.network.neurons_per_modality = 3;
    cfg.network.input_delay_ms = vec![0.0];
    cfg.network.w_init_max = 1.0;
    cfg.exc.theta_plus = 2.0;
    let g = gpu();
    let w = Weights::build(&cfg);
    let mut net = Network::new(&g, &cfg, &w, 2).unwrap();
    let rates: Vec<f32> = (0..8).map(|k| if k < 4 { 900.0 } else { 300.0 }).collect();
    let rt = synchgraph::Tensor::from_f32(&g, &[8], &rates).unwrap();
    let rec = Recorder::new(&g, 100_000).unwrap();
    net.run(&Input::Rates(&rt), 200, &rec).unwrap();
    let (before, _) = net.exc.to_host().unwrap();
    let theta: Vec<f32> = before.chunks(4).map(|s| s[3]).collect();
    assert!(theta.iter().any(|&t| t > 20.0), "{theta:?}");
    net.reset_to_rest().unwrap();
    let (after, flags) = net.exc.to_host().unwrap();
    for (k, s) in after.chunks(4).enumerate() {
        assert_eq!(&s[..3], &[-65.0, 0.0, 0.0], "neuron {k}");
        assert_eq!(s[3].to_bits(), theta[k].to_bits(), "neuron {k}");
    }
    assert!(flags.iter().all(|&f| f == 0), "{flags:?}");
    let (inh, inh_flags) = net.inh.to_host().unwrap();
    for s in inh.chunks(4) {
        assert_eq!(s, &[-60.0, 0.0, 0.0, 0.0]);
    }
    assert!(inh_flags.iter().all(|&f| f == 0));
}

/// Run `simulate` in `dir` on the config `cfg` with `args`; returns (success, stderr).
fn simulate(dir: &std::path::Path, cfg: &Config, args: &[&str]) -> (bool, String) {
    let toml = dir.join("net.toml");
    std::fs::write(&toml, cfg.to_toml().unwrap()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .current_dir(dir)
        .args(["simulate", "--config"])
        .arg(&toml)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn simulate_refuses_bad_feature_rows_and_chunks_a_small_record_exactly() {
    let d = std::env::temp_dir().join(format!("synchgraph-sim-core-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let mut cfg = Config::default();
    cfg.network.inputs_per_modality = 3;
    cfg.network.neurons_per_modality = 2;
    cfg.network.w_init_max = 1.0;
    cfg.network.rate_scale = 1.0;
    cfg.network.max_rate_hz = 1000.0;
    cfg.sim.sample_ms = 100.0;
    cfg.sim.rest_ms = 20.0;
    for (name, row, want) in [
        (
            "width",
            "1,2,3,4,5",
            "line 2: 5 values, the network has 6 inputs",
        ),
        ("nan", "1,2,3,4,5,NaN", "line 2"),
        ("negative", "1,2,3,4,5,-1", "line 2"),
    ] {
        let f = d.join(format!("{name}.csv"));
        std::fs::write(&f, format!("900,900,900,900,900,900\n{row}\n")).unwrap();
        let (ok, err) = simulate(
            &d,
            &cfg,
            &["--features", f.to_str().unwrap(), "--record", "r.csv"],
        );
        assert!(!ok && err.contains(want), "{name}: {err}");
    }
    // Two clips; the smallest capacity that holds one step (2 clips x 4 neurons x 2 groups)
    // reads the record back every step or so and must give the default run's record.
    let f = d.join("two.csv");
    std::fs::write(&f, "900,900,900,900,900,900\n600,0,600,0,600,600\n").unwrap();
    let feats = f.to_str().unwrap();
    let (ok, err) = simulate(&d, &cfg, &["--features", feats, "--record", "big.csv"]);
    assert!(ok, "{err}");
    let (ok, err) = simulate(
        &d,
        &cfg,
        &[
            "--features",
            feats,
            "--record-capacity",
            "16",
            "--record",
            "small.csv",
        ],
    );
    assert!(ok, "{err}");
    let big = std::fs::read_to_string(d.join("big.csv")).unwrap();
    assert!(
        big.lines().count() > 20,
        "the inputs drive the network: {big}"
    );
    assert_eq!(std::fs::read_to_string(d.join("small.csv")).unwrap(), big);
    let (ok, err) = simulate(
        &d,
        &cfg,
        &[
            "--features",
            feats,
            "--record-capacity",
            "15",
            "--record",
            "tiny.csv",
        ],
    );
    assert!(!ok && err.contains("can give 16 spikes"), "{err}");
    std::fs::remove_dir_all(&d).ok();
}

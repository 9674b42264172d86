//! Edges of the spiking network: pre_post STDP clips after each event as Diehl & Cook's code
//! does, bad config values (negative rates or threshold increments, a zero presentation), the
//! spike-list and features CSV readers (byte order mark, a spike listed twice) and vote
//! classification without classes.

use crate::common;

use synchgraph::snn::config::{Config, StdpRule};
use synchgraph::snn::encoding::SpikeList;
use synchgraph::snn::stdp::{stdp_reference, stdp_step, StdpParams};
use synchgraph::snn::unsupervised::{assign_labels, classify, present, stdp_config};
use synchgraph::Tensor;

#[test]
fn pre_post_depression_is_clipped_at_zero_before_a_same_step_potentiation() {
    // Diehl & Cook's code clips after each event: on_pre `w = clip(w - nu_pre * post1, 0,
    // w_max)`, then on_post `w = clip(w + nu_post * pre * post2, 0, w_max)`. With w = 0 and
    // both neurons spiking in one step the depression is clipped to 0 first, so the weight
    // ends at nu_post * 1 * post2 (post2 decayed one step); clipping once at the end would
    // leave max(0 - nu_pre * post1 + nu_post * post2, 0) = 0 here.
    let g = common::gpu();
    let cfg = Config::default();
    let mut sc = cfg.stdp.clone();
    sc.rule = StdpRule::PrePost;
    sc.nu_pre = 1e-2;
    sc.nu_post = 1e-2;
    let p = StdpParams::new(&sc, cfg.sim.dt_ms, 1, 1);
    let (post1_0, post2_0) = (1.0f32, 0.5f32);
    let post2 = post2_0 - (cfg.sim.dt_ms / sc.tau_post2_ms) as f32 * post2_0;
    let want = 1e-2 * post2;
    // GPU kernel.
    let w = Tensor::from_f32(&g, &[1, 1], &[0.0]).unwrap();
    let mask = Tensor::from_f32(&g, &[1, 1], &[1.0]).unwrap();
    let on = Tensor::from_u32(&g, &[1], &[1]).unwrap();
    let on2 = Tensor::from_u32(&g, &[1], &[1]).unwrap();
    let tp = Tensor::from_f32(&g, &[1], &[0.0]).unwrap();
    let tq = Tensor::from_f32(&g, &[1, 2], &[post1_0, post2_0]).unwrap();
    stdp_step(&g, &p, &w, &mask, &on, &on2, &tp, &tq).unwrap();
    let got = w.to_f32().unwrap()[0];
    assert!(
        (got - want).abs() < 1e-7,
        "GPU weight {got}, Diehl & Cook's sequential clipping gives {want}"
    );
    // f64 reference.
    let mut w = [0.0f64];
    let (mut tp, mut tq) = ([0.0f64], [f64::from(post1_0), f64::from(post2_0)]);
    stdp_reference(&p, &mut w, &[1.0], &[true], &[true], &mut tp, &mut tq);
    assert!(
        (w[0] - f64::from(want)).abs() < 1e-7,
        "reference weight {}, want {want}",
        w[0]
    );
}

fn refused(c: &Config, needle: &str) {
    let e = c
        .validate()
        .expect_err(&format!("accepted a config with {needle}"))
        .to_string();
    assert!(e.contains(needle), "error does not name {needle}: {e}");
}

#[test]
fn negative_learning_rates_and_threshold_increments_are_refused() {
    let mut c = Config::default();
    c.stdp.nu_pre = -1e-4;
    refused(&c, "stdp.nu_pre");
    let mut c = Config::default();
    c.stdp.nu_post = -1e-2;
    refused(&c, "stdp.nu_post");
    let mut c = Config::default();
    c.exc.theta_plus = -0.05;
    refused(&c, "exc.theta_plus");
    let mut c = Config::default();
    c.inh.theta_plus = -1.0;
    refused(&c, "inh.theta_plus");
    // Zero stays allowed: it turns the rate or the adaptation off.
    let mut c = Config::default();
    (c.stdp.nu_pre, c.stdp.nu_post, c.exc.theta_plus) = (0.0, 0.0, 0.0);
    c.validate().unwrap();
}

#[test]
fn presenting_samples_for_zero_milliseconds_is_refused() {
    // sample_ms = 0 runs no step: every sample drew no spike, was raised the most times and
    // came back silent, without a word.
    let g = common::gpu();
    let mut cfg = stdp_config(4, 2, 0);
    cfg.sim.sample_ms = 0.0;
    let samples = vec![vec![255.0; 4]];
    let e = present(&g, &cfg, None, None, &samples, 1)
        .expect_err("a zero-length presentation was accepted")
        .to_string();
    assert!(e.contains("sim.sample_ms"), "{e}");
}

#[test]
fn classify_without_classes_is_refused() {
    // No class can be predicted: class 0 is not below a class count of 0.
    let e = classify(&[vec![1, 2]], &[None, None], 0)
        .expect_err("classify predicted a class out of 0 classes")
        .to_string();
    assert!(e.contains("class"), "{e}");
}

#[test]
fn a_silent_sample_goes_to_the_lowest_class_that_has_neurons() {
    // Class 0 has no neuron: it never wins, even for a sample no neuron responds to.
    let a = assign_labels(&[vec![0, 3], vec![2, 0]], &[1, 2], 3).unwrap();
    assert_eq!(a, vec![Some(2), Some(1)]);
    assert_eq!(classify(&[vec![0, 0]], &a, 3).unwrap(), vec![1]);
}

#[test]
fn a_spike_list_with_a_byte_order_mark_keeps_its_header_and_first_spike() {
    for text in [
        "\u{feff}input_index,time_ms\n1,0.5\n0,0\n",
        "\u{feff}1,0.5\n0,0\n",
    ] {
        let list = SpikeList::from_csv(text, "in.csv", 2, 10, 0.5)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(list.events, vec![(0, 0), (1, 1)], "{text:?}");
    }
}

#[test]
fn a_spike_listed_twice_is_named_as_a_repeat_not_a_step_too_long() {
    // The same input at the same time twice: a smaller dt would not help.
    let e = SpikeList::from_csv(
        "input_index,time_ms\n3,1.5\n1,0\n3,1.5\n",
        "in.csv",
        4,
        10,
        0.5,
    )
    .expect_err("a repeated spike was accepted")
    .to_string();
    assert!(e.contains("listed twice"), "{e}");
    assert!(!e.contains("smaller sim.dt_ms"), "{e}");
    // Two different times in one step still name the step length.
    let e = SpikeList::from_csv("3,1.5\n3,1.7\n", "in.csv", 4, 10, 0.5)
        .unwrap_err()
        .to_string();
    assert!(e.contains("smaller sim.dt_ms"), "{e}");
}

#[test]
fn simulate_reads_features_with_a_byte_order_mark() {
    let d = std::env::temp_dir().join(format!("synchgraph-r4-bom-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let mut cfg = Config::default();
    cfg.network.modalities = 1;
    cfg.network.inputs_per_modality = 3;
    cfg.network.neurons_per_modality = 2;
    cfg.network.input_delay_ms = vec![0.0];
    cfg.sim.sample_ms = 5.0;
    cfg.sim.rest_ms = 0.0;
    let toml = d.join("net.toml");
    std::fs::write(&toml, cfg.to_toml().unwrap()).unwrap();
    let feats = d.join("f.csv");
    std::fs::write(&feats, "\u{feff}10,20,30\n").unwrap();
    let rec = d.join("out.csv");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["simulate", "--config"])
        .arg(&toml)
        .arg("--features")
        .arg(&feats)
        .arg("--record")
        .arg(&rec)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_group_whose_state_and_flags_disagree_is_refused() {
    // GroupState's fields are public: a state of 3 neurons with flags of 5 used to be stepped
    // (and driven) as 5 neurons, the last two reading and writing past the state buffer.
    use synchgraph::snn::neurons::{lif_step, GroupState, LifParams};
    use synchgraph::snn::record::Recorder;
    use synchgraph::snn::synapses::{compact, propagate, Channel, SpikeLists};
    use synchgraph::{DType, Error, Tensor};
    let g = common::gpu();
    let c = Config::default();
    let good = GroupState::at_rest(&g, 5, -65.0, 0.0).unwrap();
    let bad = GroupState {
        state: GroupState::at_rest(&g, 3, -65.0, 0.0).unwrap().state,
        flags: good.flags.clone(),
    };
    let p = LifParams::new(&c.exc, c.sim.dt_ms, 5);
    lif_step(&g, &good, &p).unwrap();
    match lif_step(&g, &bad, &p) {
        Err(Error::Shape { .. }) => {}
        other => panic!("lif_step on 3 states and 5 flags: {other:?}"),
    }
    // propagate from a 2-neuron list into the same groups.
    let lists = SpikeLists::new(&g, 2, 1).unwrap();
    let flags = Tensor::zeros(&g, &[2], DType::U32).unwrap();
    let delays = Tensor::zeros(&g, &[2], DType::U32).unwrap();
    let rec = Recorder::new(&g, 4).unwrap();
    compact(&g, &lists, &flags, &delays, 1, 0, &rec, None).unwrap();
    let w = Tensor::from_f32(&g, &[2, 5], &[1.0; 10]).unwrap();
    propagate(&g, &lists, &w, &good, Channel::Exc).unwrap();
    match propagate(&g, &lists, &w, &bad, Channel::Exc) {
        Err(Error::Shape { .. }) => {}
        other => panic!("propagate into 3 states and 5 flags: {other:?}"),
    }
}

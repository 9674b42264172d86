//! Readbacks of the STDP loop: training reads back only the excitatory spike count after each
//! presentation (the record holds only excitatory spikes, and only its counter is read), and
//! `set_theta` writes the thresholds without reading the state back. Both must leave every
//! result bit-identical to the full readbacks they replace.
use crate::common;

use common::gpu;
use synchgraph::snn::config::Config;
use synchgraph::snn::network::{Input, Network, Weights, GROUP_EXC};
use synchgraph::snn::present::{sample_rates, MAX_RAISES};
use synchgraph::snn::record::Recorder;
use synchgraph::snn::unsupervised::{stdp_config, train};
use synchgraph::{DType, Tensor};

fn small() -> Config {
    let mut c = Config::default();
    c.network.window = 11;
    c.network.stride = 1;
    c.network.w_init_max = 1.0;
    c.sim.seed = 5;
    c
}

fn driven(net: &mut Network, clips: usize, steps: u32, rec: &Recorder) {
    let g = gpu();
    let rates: Vec<f32> = (0..clips * net.n_in)
        .map(|k| 40.0 + 4.0 * ((k * 37) % 54) as f32)
        .collect();
    let rt = Tensor::from_f32(&g, &[rates.len()], &rates).unwrap();
    net.run(&Input::Rates(&rt), steps, rec).unwrap();
}

#[test]
fn inhibitory_recording_is_optional_and_count_reads_the_record_size() {
    let g = gpu();
    let cfg = small();
    let w = Weights::build(&cfg);
    let record = |inh: bool| {
        let mut net = Network::new(&g, &cfg, &w, 2).unwrap();
        net.record_inhibitory(inh);
        let rec = Recorder::new(&g, 100_000).unwrap();
        driven(&mut net, 2, 600, &rec);
        let count = rec.count().unwrap();
        let events = rec.read().unwrap();
        assert_eq!(count as usize, events.len(), "count = events read");
        (
            events,
            net.exc.to_host().unwrap(),
            net.inh.to_host().unwrap(),
        )
    };
    let (all, exc_all, inh_all) = record(true);
    let (only_exc, exc, inh) = record(false);
    assert!(
        all.iter().any(|e| e.group != GROUP_EXC),
        "the network fires inhibitory neurons"
    );
    let want: Vec<_> = all.into_iter().filter(|e| e.group == GROUP_EXC).collect();
    assert!(want.len() > 20);
    assert_eq!(only_exc, want, "the same excitatory spikes, and only those");
    // Recording changes nothing in the dynamics.
    assert_eq!((exc, inh), (exc_all, inh_all));
    // An overflowing record is refused by count as by read.
    let rec = Recorder::new(&g, 3).unwrap();
    let mut net = Network::new(&g, &cfg, &w, 1).unwrap();
    driven(&mut net, 1, 600, &rec);
    let e = rec.count().unwrap_err().to_string();
    assert!(e.contains("overflow"), "{e}");
}

#[test]
fn set_theta_keeps_the_rest_of_the_state_bit_for_bit() {
    // Mid-run (potentials, conductances and refractory countdowns all non-trivial), on two
    // clips: theta becomes the given thresholds in every clip, nothing else changes.
    let g = gpu();
    let cfg = small();
    let w = Weights::build(&cfg);
    let mut net = Network::new(&g, &cfg, &w, 2).unwrap();
    let rec = Recorder::new(&g, 100_000).unwrap();
    driven(&mut net, 2, 300, &rec);
    let (before, flags_before) = net.exc.to_host().unwrap();
    let theta: Vec<f32> = (0..net.n_e).map(|i| 3.0 + 0.37 * i as f32).collect();
    net.set_theta(&theta).unwrap();
    let (after, flags_after) = net.exc.to_host().unwrap();
    assert_eq!(flags_after, flags_before);
    assert!(
        flags_before.iter().any(|&f| f != 0),
        "some neuron refractory"
    );
    for (k, (a, b)) in after.chunks(4).zip(before.chunks(4)).enumerate() {
        let bits = |s: &[f32]| s.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a[..3]), bits(&b[..3]), "neuron {k}: v, ge, gi");
        assert_eq!(a[3].to_bits(), theta[k % net.n_e].to_bits(), "neuron {k}");
    }
    assert_eq!(net.theta().unwrap(), theta);
    assert!(net.set_theta(&theta[1..]).is_err());
}

#[test]
fn training_on_the_spike_count_matches_training_on_the_full_record() {
    // `train` reads back only the excitatory spike count after each presentation. The same
    // loop written out here with the full record (both groups, every event read back and
    // filtered) must give identical weights, thresholds, spike and raise counts.
    let g = gpu();
    let mut cfg = stdp_config(64, 8, 5);
    cfg.sim.sample_ms = 120.0;
    let mut rng = common::Rng(9);
    let samples: Vec<Vec<f32>> = (0..4)
        .map(|k| rng.vec(64, 0.0, if k % 2 == 0 { 120.0 } else { 255.0 }))
        .collect();
    let order = [0, 1, 2, 3, 1];
    let learned = train(&g, &cfg, &samples, &order, 1, || {}).unwrap();

    let w = Weights::build(&cfg);
    let mut net = Network::new(&g, &cfg, &w, 1).unwrap();
    let steps = cfg.steps(cfg.sim.sample_ms);
    let rec = Recorder::new(&g, 1_000_000).unwrap();
    let rates = Tensor::zeros(&g, &[net.n_in], DType::F32).unwrap();
    let (mut spikes, mut raises) = (0u64, 0u64);
    for &s in &order {
        for k in 0..=MAX_RAISES {
            rates
                .write_f32(&sample_rates(&cfg, &samples[s], k).unwrap())
                .unwrap();
            net.normalize_input().unwrap();
            rec.clear(&g).unwrap();
            net.run(&Input::Rates(&rates), steps, &rec).unwrap();
            let events = rec.read().unwrap();
            let n = events.iter().filter(|e| e.group == GROUP_EXC).count();
            net.reset_to_rest().unwrap();
            spikes += n as u64;
            if n >= cfg.sim.min_spikes as usize {
                break;
            }
            raises += 1;
        }
    }
    net.normalize_input().unwrap();
    assert!(spikes > 0 && raises > 0, "{spikes} spikes, {raises} raises");
    assert_eq!((learned.train_spikes, learned.raises), (spikes, raises));
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&learned.w_in), bits(&net.w_in.to_f32().unwrap()));
    assert_eq!(bits(&learned.theta), bits(&net.theta().unwrap()));
}

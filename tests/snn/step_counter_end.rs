//! The last steps a `u32` step counter holds: delayed spikes still read the ring slot of
//! `(step - delay) mod slots` when `step + slots` passes `u32::MAX`, and a network whose step
//! counter would pass `u32::MAX` refuses the run with a typed error instead of overflowing.
use crate::common;

use common::gpu;
use synchgraph::snn::config::Config;
use synchgraph::snn::network::{Input, Network, Weights};
use synchgraph::snn::neurons::SPIKE_BIT;
use synchgraph::snn::record::Recorder;
use synchgraph::snn::synapses::{compact, SpikeLists};
use synchgraph::{Error, Tensor};

#[test]
fn delayed_spikes_read_their_slot_near_the_end_of_the_step_counter() {
    // 3 ring slots; slot k holds a spike of neuron k only. Neuron i (delay i) must read slot
    // (step - i) mod 3, so it arrives exactly when that slot is its own: for each step the
    // arrival flags are computed in u64 and compared with the kernel's.
    let g = gpu();
    let (n, slots) = (3usize, 3u32);
    let flags: Vec<u32> = (0..slots as usize)
        .flat_map(|slot| (0..n).map(move |i| if i == slot { SPIKE_BIT } else { 0 }))
        .collect();
    let tf = Tensor::from_u32(&g, &[flags.len()], &flags).unwrap();
    let td = Tensor::from_u32(&g, &[n], &[0, 1, 2]).unwrap();
    let l = SpikeLists::new(&g, n, 1).unwrap();
    let rec = Recorder::new(&g, 16).unwrap();
    for step in [7, u32::MAX - 3, u32::MAX - 2, u32::MAX - 1, u32::MAX] {
        compact(&g, &l, &tf, &td, slots, step, &rec, None).unwrap();
        let got = l.spk.to_u32().unwrap();
        let want: Vec<u32> = (0..n as u64)
            .map(|i| {
                let slot = (u64::from(step) + 3 * u64::from(slots) - i) % u64::from(slots);
                u32::from(slot == i)
            })
            .collect();
        assert_eq!(got, want, "arrivals at step {step}");
    }
}

#[test]
fn a_run_past_the_last_step_the_counter_holds_is_refused() {
    let g = gpu();
    let mut cfg = Config::default();
    cfg.network.modalities = 2;
    cfg.network.inputs_per_modality = 2;
    cfg.network.neurons_per_modality = 2;
    let mut net = Network::new(&g, &cfg, &Weights::build(&cfg), 1).unwrap();
    let rates = Tensor::from_f32(&g, &[4], &[0.0, 0.0, 0.0, 0.0]).unwrap();
    let rec = Recorder::new(&g, 100).unwrap();
    let input = Input::Rates(&rates);
    net.step = u32::MAX - 2;
    net.run(&input, 2, &rec).unwrap();
    assert_eq!(
        net.step,
        u32::MAX,
        "steps u32::MAX - 2 and u32::MAX - 1 are simulated"
    );
    for steps in [1, u32::MAX] {
        match net.run(&input, steps, &rec) {
            Err(Error::InvalidInput(m)) => {
                assert!(m.contains(&u32::MAX.to_string()), "{m}");
            }
            other => panic!("{steps} more steps: expected InvalidInput, got {other:?}"),
        }
    }
    assert_eq!(net.step, u32::MAX, "a refused run simulates nothing");
}

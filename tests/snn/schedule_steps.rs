//! `Network::run` with a spike-list schedule refuses a run past the schedule's end. The check
//! added the step counter and the requested steps in `u32`, which overflowed for a request near
//! `u32::MAX` after the first step: a panic in debug builds, and in release a wrapped sum that
//! passed the check.
use crate::common;

use common::gpu;
use synchgraph::snn::config::Config;
use synchgraph::snn::encoding::SpikeList;
use synchgraph::snn::network::{Input, Network, Weights};
use synchgraph::snn::record::Recorder;
use synchgraph::Error;

#[test]
fn a_run_past_the_schedule_is_refused_even_when_the_step_count_overflows() {
    let g = gpu();
    let mut cfg = Config::default();
    cfg.network.modalities = 1;
    cfg.network.inputs_per_modality = 2;
    cfg.network.neurons_per_modality = 2;
    cfg.network.input_delay_ms = vec![0.0];
    let mut net = Network::new(&g, &cfg, &Weights::build(&cfg), 1).unwrap();
    let list = SpikeList {
        n_in: 2,
        steps: 4,
        events: vec![(0, 0), (1, 2)],
    };
    let sched = list.upload(&g).unwrap();
    let rec = Recorder::new(&g, 100).unwrap();
    let input = Input::Schedule(&sched, 4);
    net.run(&input, 1, &rec).unwrap();
    for steps in [4, u32::MAX] {
        match net.run(&input, steps, &rec) {
            Err(Error::InvalidInput(m)) => eprintln!("{steps} more steps: {m}"),
            other => panic!("{steps} more steps: expected InvalidInput, got {other:?}"),
        }
    }
    assert_eq!(net.step, 1, "a refused run simulates nothing");
    net.run(&input, 3, &rec).unwrap();
    assert_eq!(net.step, 4);
}

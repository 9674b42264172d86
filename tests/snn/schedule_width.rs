//! A spike-list bitmask built for another input count is refused by `Network::run` with a shape
//! error; it used to be read with the network's own row width, giving silently wrong spikes.
use crate::common;

use common::gpu;
use synchgraph::snn::config::Config;
use synchgraph::snn::encoding::SpikeList;
use synchgraph::snn::network::{Input, Network, Weights};
use synchgraph::snn::record::Recorder;
use synchgraph::Error;

#[test]
fn a_schedule_of_another_input_count_is_refused() {
    let g = gpu();
    let mut cfg = Config::default();
    cfg.network.inputs_per_modality = 40;
    cfg.network.neurons_per_modality = 4;
    cfg.validate().unwrap();
    let n_in = cfg.network.inputs_per_modality * cfg.network.modalities;
    let weights = Weights::build(&cfg);
    let rec = Recorder::new(&g, 1 << 12).unwrap();
    let steps = 10u32;
    // Twice the network's inputs: twice the words per step.
    let wide = SpikeList {
        n_in: 2 * n_in,
        steps: steps as usize,
        events: vec![(0, 0), (2 * n_in as u32 - 1, 3)],
    };
    let bitmask = wide.upload(&g).unwrap();
    let mut net = Network::new(&g, &cfg, &weights, 1).unwrap();
    match net.run(&Input::Schedule(&bitmask, steps), steps, &rec) {
        Err(Error::Shape { .. }) => {}
        other => panic!(
            "a bitmask for {} inputs must be refused: {other:?}",
            2 * n_in
        ),
    }
    // The same events for the network's own input count run.
    let own = SpikeList {
        n_in,
        steps: steps as usize,
        events: vec![(0, 0), (n_in as u32 - 1, 3)],
    };
    let bitmask = own.upload(&g).unwrap();
    let mut net = Network::new(&g, &cfg, &weights, 1).unwrap();
    net.run(&Input::Schedule(&bitmask, steps), steps, &rec)
        .unwrap();
}

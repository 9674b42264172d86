//! `sort_spikes` orders any spikes, NaN times included, without panicking: the order is total
//! (clip, then time by its total order, then neuron), so every slice sorts to one result.
use synchgraph::graph::synchrony::{sort_spikes, Spike};

#[test]
fn spikes_with_nan_times_sort_without_panicking() {
    let mut state = 7u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as u32
    };
    for round in 0..50 {
        let mut spikes: Vec<Spike> = (0..200)
            .map(|_| Spike {
                clip: next() % 3,
                neuron: next() % 50,
                time_ms: if next() % 5 == 0 {
                    f32::NAN
                } else {
                    (next() % 100) as f32
                },
            })
            .collect();
        let mut reversed: Vec<Spike> = spikes.iter().rev().copied().collect();
        sort_spikes(&mut spikes);
        sort_spikes(&mut reversed);
        let key = |s: &Spike| (s.clip, s.time_ms.to_bits(), s.neuron);
        assert_eq!(
            spikes.iter().map(key).collect::<Vec<_>>(),
            reversed.iter().map(key).collect::<Vec<_>>(),
            "round {round}: the order depends on the input order"
        );
        for w in spikes.windows(2) {
            assert!(w[0].clip <= w[1].clip, "round {round}: clips out of order");
        }
    }
}

//! Mutation fuzzing of the spiking network's host-side inputs: the TOML config
//! (`assets/snn/small.toml`) and the `input_index,time_ms` spike list of `synchgraph
//! simulate`. Every mutated input either fails with a message or gives a config that validates
//! and survives a TOML round trip unchanged, or a spike list whose events are in range, sorted,
//! distinct and one per spike line.

use synchgraph::snn::encoding::SpikeList;
use synchgraph::snn::Config;

use crate::fuzz::{cases, loaded, token_sweep, Mutator, Tally};

/// The small example config.
const SMALL: &str = include_str!("../../assets/snn/small.toml");

/// Targeted edits of config values: out-of-range, non-finite and wrongly typed numbers.
const CONFIG_EDITS: &[(&str, &[&str])] = &[
    (
        "dt_ms = 0.5",
        &[
            "dt_ms = 0.0",
            "dt_ms = -0.5",
            "dt_ms = nan",
            "dt_ms = 1e-320",
        ],
    ),
    (
        "sample_ms = 350.0",
        &["sample_ms = 1e300", "sample_ms = inf", "sample_ms = 350.25"],
    ),
    (
        "refractory_ms = 5.0",
        &["refractory_ms = 1e12", "refractory_ms = 0.25"],
    ),
    (
        "modalities = 2",
        &[
            "modalities = 0",
            "modalities = 4294967296",
            "modalities = 1",
        ],
    ),
    (
        "inputs_per_modality = 20",
        &[
            "inputs_per_modality = 99999999999",
            "inputs_per_modality = 5",
        ],
    ),
    (
        "window = 11",
        &["window = 21", "window = 0", "window = 18446744073709551615"],
    ),
    (
        "stride = 1",
        &["stride = 18446744073709551615", "stride = 9", "stride = 0"],
    ),
    (
        "5.0,\n]",
        &["nan,\n]", "-5.0,\n]", "5.25,\n]", "5.0, 1.0,\n]", "]"],
    ),
    (
        "seed = 11",
        &["seed = -1", "seed = 18446744073709551615", "seed = 1.5"],
    ),
    (
        "min_spikes = 5",
        &["min_spikes = 4294967296", "min_spikes = -5"],
    ),
    ("enabled = false", &["enabled = true", "enabled = 1"]),
    ("w_max = 1.0", &["w_max = 1e39", "w_max = 0.0"]),
    (
        "rule = \"pre_post\"",
        &["rule = \"power_law\"", "rule = \"x\""],
    ),
];

/// Configs with edited values and random mutations: an error, or a config that validates and
/// reads back equal from its own TOML.
#[test]
fn mutated_configs_fail_cleanly_or_round_trip() {
    let mut m = Mutator::new(7);
    let mut tally = Tally::default();
    for case in 0..cases(300) {
        let mut b = SMALL.as_bytes().to_vec();
        for _ in 0..m.below(3) {
            m.edit_field(&mut b, CONFIG_EDITS);
        }
        if case % 3 != 0 {
            b = m.mutate(&b);
        }
        let text = String::from_utf8_lossy(&b).into_owned();
        let limit = 64 * b.len() + (1 << 20);
        let r = loaded("config", case, &b, limit, move || Config::from_toml(&text));
        if let Some(c) = &r {
            c.validate().unwrap();
            let again = Config::from_toml(&c.to_toml().unwrap())
                .unwrap_or_else(|e| panic!("config case {case}: its own TOML fails: {e}"));
            assert_eq!(&again, c, "config case {case}: round trip");
        }
        tally.add(&r);
    }
    tally.assert_both("config");
}

/// Every config edit alone: an error, or a config that validates and round-trips.
#[test]
fn every_config_edit_fails_cleanly_or_round_trips() {
    let mut case = 0;
    for (from, tos) in CONFIG_EDITS {
        for to in tos.iter() {
            let text = SMALL.replacen(from, to, 1);
            let b = text.as_bytes();
            let t = text.clone();
            if let Some(c) = loaded("config edit", case, b, 1 << 20, move || {
                Config::from_toml(&t)
            }) {
                let again = Config::from_toml(&c.to_toml().unwrap()).unwrap();
                assert_eq!(again, c, "config edit {to}: round trip");
            }
            case += 1;
        }
    }
}

/// Inputs, steps and step of the spike lists.
const N_IN: usize = 40;
const STEPS: usize = 600;
const DT: f64 = 0.5;

/// A spike list of 30 spikes with its header.
fn spike_seed() -> String {
    let mut s = String::from("input_index,time_ms\n");
    for k in 0..30 {
        s.push_str(&format!("{},{}\n", (k * 7) % N_IN, k as f64 * 9.5 + 0.25));
    }
    s
}

/// Parse the spike list `b` as case `case`, and fail unless the result is an error with a
/// message or events inside the list's inputs and steps, sorted by step then input, distinct,
/// and one per line of content. Returns whether it parsed.
fn parse_spikes(case: usize, b: &[u8]) -> bool {
    let text = String::from_utf8_lossy(b).into_owned();
    let limit = 64 * b.len() + (1 << 20);
    let t = text.clone();
    let r = loaded("spike list", case, b, limit, move || {
        SpikeList::from_csv(&t, "s.csv", N_IN, STEPS, DT)
    });
    if let Some(l) = &r {
        let ctx = format!("spike list case {case}");
        assert_eq!((l.n_in, l.steps), (N_IN, STEPS), "{ctx}");
        assert!(
            l.events
                .iter()
                .all(|&(i, s)| (i as usize) < N_IN && (s as usize) < STEPS),
            "{ctx}: {:?}",
            l.events
        );
        assert!(
            l.events
                .windows(2)
                .all(|w| (w[0].1, w[0].0) < (w[1].1, w[1].0)),
            "{ctx}: not sorted and distinct"
        );
        let body = text.trim_start_matches('\u{feff}');
        let lines = body
            .lines()
            .enumerate()
            .filter(|(k, l)| {
                let l = l.trim();
                let header = *k == 0 && l.starts_with("input_index");
                !(l.is_empty() || header)
            })
            .count();
        assert_eq!(l.events.len(), lines, "{ctx}: events for lines");
    }
    r.is_some()
}

/// Spike lists with random mutations: an error or a consistent list (see [`parse_spikes`]).
#[test]
fn mutated_spike_lists_fail_cleanly_or_parse_consistently() {
    let seed = spike_seed();
    let mut m = Mutator::new(8);
    let mut tally = Tally::default();
    for case in 0..cases(400) {
        let b = m.mutate(seed.as_bytes());
        tally.add(&parse_spikes(case, &b).then_some(()));
    }
    tally.assert_both("spike list");
}

/// Every token spliced over the first and last four fields of the spike list (the header's,
/// input indices and times): an error or a consistent list.
#[test]
fn spike_fields_swept_with_bad_tokens_fail_cleanly_or_parse_consistently() {
    for (case, b) in token_sweep(spike_seed().as_bytes(), 4).iter().enumerate() {
        parse_spikes(case, b);
    }
}

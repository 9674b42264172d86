//! `train stdp --config FILE` learns with plasticity on whatever the file's `stdp.enabled` says
//! (the shipped configs turn it off for `simulate`), and its metrics.json and checkpoint record
//! the config that ran: `stdp.enabled = true`, not the file's `false`.

use crate::common;
use common::cli::{s, scratch, succeeds, synchgraph};
use synchgraph::snn::unsupervised::stdp_config;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

#[test]
fn the_recorded_config_has_plasticity_on() {
    let d = scratch("stdp-config-record", "off");
    let mut cfg = stdp_config(64, 4, 0);
    cfg.sim.sample_ms = 50.0;
    cfg.sim.rest_ms = 10.0;
    cfg.stdp.enabled = false;
    let config = d.join("off.toml");
    std::fs::write(&config, cfg.to_toml().unwrap()).unwrap();
    let out = d.join("o");
    let o = synchgraph()
        .args(["train", "stdp", "--data", &format!("{DATA}/digits")])
        .args(["--config", s(&config), "--limit", "6", "--train-limit", "2"])
        .args(["--out", s(&out)])
        .output()
        .unwrap();
    succeeds(&o, "train stdp with stdp.enabled = false in its config");
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    assert_eq!(m["config"]["stdp"]["enabled"], true, "{}", m["config"]);
    let _ = std::fs::remove_dir_all(&d);
}

//! `load_model` on saved models whose metadata was edited (cases minimised from
//! `fuzz_saved_models.rs`): a class list of 100 000 names for a 100 000-class configuration used
//! to be checked for repeats pair by pair (minutes before the size check refused it), and a
//! configuration of 10^9 non-inception layers made the size check itself count layer by layer
//! (a hang); both are now refused at once. A configuration or feature-settings value of the
//! wrong type used to be refused by serde's words alone ("expected value at line 1 column
//! 11"), an oversized configuration by its total alone, and class lists and speech windows
//! without the metadata key: every such error now names the key and value.
use crate::fuzz::guarded;

use super::fuzz_saved_cases::{apply, seed_model, Edit};
use super::fuzz_saved_models::scratch;
use crate::common::gpu;
use serde_json::{json, Value};
use synchgraph::models::lgrin::load_model;

/// Load the seed model with `edits` applied; the error message, within `secs` seconds.
fn refused(name: &str, edits: Vec<Edit>, secs: u64) -> String {
    let g = gpu();
    let dir = scratch(name);
    let ck = apply(&seed_model(&g, &dir), &edits);
    let path = dir.join("model.safetensors");
    ck.save(&path).unwrap();
    let p = path.clone();
    let got = guarded(secs, 64 << 20, move || {
        load_model(&g, &p).err().map(|e| e.to_string())
    });
    std::fs::remove_dir_all(&dir).unwrap();
    let m = got
        .unwrap_or_else(|why| panic!("{name}: {why}"))
        .unwrap_or_else(|| panic!("{name}: loaded"));
    assert!(m.contains(&path.display().to_string()), "{name}: {m}");
    m
}

fn config(key: &str, v: Value) -> Edit {
    Edit::Field("config", key.to_string(), Some(v))
}

#[test]
fn a_huge_class_list_is_refused_at_once() {
    let names: Vec<String> = (0..100_000).map(|i| format!("c{i}")).collect();
    let edits = vec![
        config("classes", json!(100_000)),
        Edit::Meta("classes", Some(serde_json::to_string(&names).unwrap())),
    ];
    let m = refused("classes", edits, 5);
    assert!(m.contains("classes") && m.contains("100000"), "{m}");
}

#[test]
fn a_billion_layers_are_refused_at_once() {
    // Layers of constant width: the count grows too slowly to overflow and stop early.
    for model in ["lgrin", "gcn-baseline"] {
        let mut edits = vec![
            config("model", json!(model)),
            config("layers", json!(1_000_000_000u64)),
        ];
        if model == "lgrin" {
            edits.push(config("inception", json!(false)));
        }
        let m = refused("layers", edits, 5);
        assert!(
            m.contains("layers") && m.contains("1000000000"),
            "{model}: {m}"
        );
    }
}

#[test]
fn a_value_of_the_wrong_type_is_named_by_its_key() {
    for (meta, key, v) in [
        ("config", "nodes", json!("NaN")),
        ("config", "a_init", json!(0)),
        ("config", "dropout", json!([])),
        ("features", "normalize", json!(false)),
        ("features", "dims", json!(-1)),
    ] {
        let e = Edit::Field(meta, key.to_string(), Some(v.clone()));
        let m = refused("types", vec![e], 10);
        let named = format!("'{meta}'");
        assert!(m.contains(&named) && m.contains(key), "{key}: {m}");
        assert!(m.contains(&v.to_string()), "{key} = {v}: {m}");
    }
}

#[test]
fn an_oversized_configuration_names_its_sizes() {
    for key in ["g1", "hidden", "layers"] {
        let m = refused("sizes", vec![config(key, json!(1_000_000_000u64))], 10);
        assert!(m.contains(&format!("{key} 1000000000")), "{key}: {m}");
    }
}

#[test]
fn class_lists_and_feature_settings_are_named_by_key() {
    let cases = [
        (Edit::Meta("classes", Some("[]".into())), "'classes'"),
        (
            Edit::Field("features", "window_seconds".into(), Some(json!(-1.0))),
            "-1 s windows every 0.01 s (keys window_seconds",
        ),
        (
            Edit::Field("features", "stride_seconds".into(), Some(json!(1e9))),
            "every 1000000000 s (keys window_seconds and stride_seconds)",
        ),
        (
            Edit::Field("features", "dims".into(), Some(json!(4))),
            "'features': the feature settings give 4 nodes x 4 features",
        ),
    ];
    for (edit, needle) in cases {
        let m = refused("lists", vec![edit], 10);
        assert!(m.contains(needle), "{needle}: {m}");
    }
}

//! The cases of `fuzz_saved_models.rs`: the tiny saved L-GrIN model they start from, edits of
//! its metadata values (configuration and feature-settings keys, class lists, metadata entries)
//! and tensor shapes, written back as a valid safetensors checkpoint; every single edit in a
//! deterministic sweep, and seeded random combinations of two or three that keep the
//! configuration, feature settings and class list in step so large counts reach the loader's
//! own limits.
use crate::common::fixtures::tiny_lgrin;
use crate::fuzz::Mutator;

use std::path::Path;

use serde_json::{json, Value};
use synchgraph::data::emotion::DatasetFormat;
use synchgraph::data::emotion_features::FeatureSettings;
use synchgraph::models::lgrin::{save_model, Lgrin};
use synchgraph::report::Checkpoint;
use synchgraph::Gpu;

/// One edit of a saved model.
#[derive(Clone, Debug)]
pub enum Edit {
    /// Set (`Some`) or remove (`None`) key `field` of the JSON object in metadata `meta`.
    Field(&'static str, String, Option<Value>),
    /// Set (`Some`) or remove (`None`) metadata `meta` as a whole.
    Meta(&'static str, Option<String>),
    /// Give tensor `name` this shape (its values cut or padded with zeros to fit).
    Shape(String, Vec<usize>),
}

/// A fuzz case: its edits and the words of which its error must name one (any error when
/// empty).
#[derive(Clone, Debug)]
pub struct Case {
    pub edits: Vec<Edit>,
    pub needles: Vec<String>,
}

/// The tiny saved model every case starts from: 4 nodes of 3 features, 2 classes.
pub fn seed_model(g: &Gpu, dir: &Path) -> Checkpoint {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("seed.safetensors");
    let mut model = Lgrin::new(g, tiny_lgrin()).unwrap();
    let mut features = FeatureSettings::for_format(DatasetFormat::Features, 4);
    features.dims = 3;
    let classes = vec!["calm".to_string(), "angry".to_string()];
    save_model(&mut model, &classes, &features, &path).unwrap();
    Checkpoint::load(&path).unwrap()
}

/// `seed` with `edits` applied.
pub fn apply(seed: &Checkpoint, edits: &[Edit]) -> Checkpoint {
    let mut ck = seed.clone();
    for e in edits {
        match e {
            Edit::Field(meta, field, value) => {
                let text = ck.metadata.get(*meta).cloned().unwrap_or_default();
                let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(&text) else {
                    continue;
                };
                match value {
                    Some(v) => drop(map.insert(field.clone(), v.clone())),
                    None => drop(map.remove(field)),
                }
                ck.metadata
                    .insert(meta.to_string(), Value::Object(map).to_string());
            }
            Edit::Meta(meta, Some(v)) => drop(ck.metadata.insert(meta.to_string(), v.clone())),
            Edit::Meta(meta, None) => drop(ck.metadata.remove(*meta)),
            Edit::Shape(name, shape) => {
                if let Some(t) = ck.tensors.get_mut(name) {
                    t.data.resize(shape.iter().product(), 0.0);
                    t.shape = shape.clone();
                }
            }
        }
    }
    ck
}

/// The values a configuration or feature-settings number is set to: extremes, overflowing
/// and fractional numbers, and wrong types.
fn odd_values() -> Vec<Value> {
    vec![json!(0), json!(-1), json!(4_294_967_296u64), json!("NaN")]
}

/// Further values, two of which each key also gets (in turn): other numbers, types, and the
/// other variants of the enumerations and switches.
fn more_values() -> Vec<Value> {
    vec![
        json!(1),
        json!(1_000_000_000u64),
        json!(u64::MAX),
        json!(1e9),
        json!(2.5),
        json!(1e40),
        json!(-1e-300),
        json!("4"),
        json!(true),
        json!(null),
        json!([]),
        json!("gcn-baseline"),
        json!("normal"),
        json!("learned"),
        json!(false),
        json!("bvh"),
        json!("z-score"),
        json!(0.5),
        json!({}),
    ]
}

/// Every key of the JSON object in metadata `meta` of `seed`.
fn keys(seed: &Checkpoint, meta: &str) -> Vec<String> {
    match serde_json::from_str::<Value>(&seed.metadata[meta]) {
        Ok(Value::Object(m)) => m.keys().cloned().collect(),
        _ => panic!("metadata '{meta}' of the seed is not an object"),
    }
}

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| s.to_string()).collect()
}

/// The single-edit cases: every configuration and feature-settings key set to each odd value
/// and removed, an extra key, class lists, metadata entries and tensor shapes.
pub fn single_cases(seed: &Checkpoint) -> Vec<Case> {
    let mut out = Vec::new();
    let one = |e: Edit, n: Vec<String>| Case {
        edits: vec![e],
        needles: n,
    };
    let more = more_values();
    let mut turn = 0;
    for meta in ["config", "features"] {
        for key in keys(seed, meta) {
            let mut values = odd_values();
            for _ in 0..2 {
                values.push(more[turn % more.len()].clone());
                turn += 1;
            }
            for v in values {
                // A switch that changes which tensors the model has is named by the tensor.
                let needles = vec![key.clone(), v.to_string(), "tensor".into()];
                out.push(one(Edit::Field(meta, key.clone(), Some(v)), needles));
            }
            out.push(one(Edit::Field(meta, key.clone(), None), vec![key.clone()]));
        }
        out.push(one(
            Edit::Field(meta, "extra".into(), Some(json!(1))),
            vec![],
        ));
    }
    let many: Vec<String> = (0..100_000).map(|i| format!("class{i}")).collect();
    for classes in [
        json!([]),
        json!(["calm"]),
        json!(["calm", "calm"]),
        json!(["calm", "angry", "sad"]),
        json!(["", " "]),
        json!(["calm", 1]),
        json!([null, null]),
        json!({"calm": 0}),
        json!("calm,angry"),
        json!(many),
    ] {
        out.push(one(
            Edit::Meta("classes", Some(classes.to_string())),
            words(&["class"]),
        ));
    }
    for meta in ["kind", "config", "classes", "features", "tensor_names"] {
        out.push(one(Edit::Meta(meta, None), vec![meta.to_string()]));
        for text in ["", "null", "{", "[]", "1e999", "\u{feff}{}"] {
            let e = Edit::Meta(meta, Some(text.to_string()));
            out.push(one(e, vec![meta.to_string()]));
        }
    }
    let names: Vec<String> = seed.tensors.keys().cloned().collect();
    let mut listed = names.clone();
    listed.pop();
    let mut doubled = names.clone();
    doubled.push(names[0].clone());
    let mut extra = names.clone();
    extra.push("extra.weight".into());
    for (l, needles) in [
        (listed, vec![names.last().unwrap().clone()]),
        (doubled, vec![]),
        (extra, words(&["extra.weight"])),
    ] {
        let text = serde_json::to_string(&l).unwrap();
        out.push(one(Edit::Meta("tensor_names", Some(text)), needles));
    }
    // Each tensor gets one of (in turn): flattened, a column, empty, transposed, a row more, a leading 1.
    for (k, (name, t)) in seed.tensors.iter().enumerate() {
        let s = &t.shape;
        let shapes = [
            vec![t.data.len()],
            vec![t.data.len(), 1],
            vec![0],
            s.iter().rev().copied().collect(),
            [vec![s[0] + 1], s[1..].to_vec()].concat(),
            [vec![1], s.clone()].concat(),
        ];
        let shape = &shapes[k % shapes.len()];
        let shape = if shape == s { &shapes[4] } else { shape };
        // An emptied tensor can bring the file's values below what the configuration
        // describes, which the size check names.
        let needles = vec![name.clone(), "trainable values".into()];
        out.push(one(Edit::Shape(name.clone(), shape.clone()), needles));
    }
    out
}

/// Edits that keep the configuration, its feature settings and its class list in step, so a
/// large count gets past the cross-checks to the loader's own limits.
fn coherent(key: &str, n: u64) -> Vec<Edit> {
    let f = |m: &'static str, k: &str| Edit::Field(m, k.to_string(), Some(json!(n)));
    match key {
        "nodes" => vec![f("config", "nodes"), f("features", "nodes")],
        "in_dims" => vec![f("config", "in_dims"), f("features", "dims")],
        "classes" => {
            let names: Vec<String> = (0..n.min(70_000)).map(|i| format!("c{i}")).collect();
            let text = serde_json::to_string(&names).unwrap();
            vec![f("config", "classes"), Edit::Meta("classes", Some(text))]
        }
        k => vec![Edit::Field("config", k.to_string(), Some(json!(n)))],
    }
}

/// `n` cases of two or three random edits each: single-case edits, coherent large counts and
/// ablation switches, so limits that need several settings at once are reached.
pub fn random_cases(singles: &[Case], n: usize, stream: u64) -> Vec<Case> {
    let mut m = Mutator::new(stream);
    let counts = [
        0,
        1,
        2,
        3,
        5,
        60_000,
        1_000_000_000,
        4_294_967_296,
        u64::MAX,
    ];
    let sized = [
        "nodes", "in_dims", "classes", "g1", "g2", "layers", "hidden", "batch",
    ];
    let switches = [
        "gconv_mlp",
        "inception",
        "learned_a",
        "learned_p",
        "loss_means",
    ];
    (0..n)
        .map(|_| {
            let mut edits = Vec::new();
            for _ in 0..2 + m.below(2) {
                match m.below(3) {
                    0 => edits.extend(singles[m.below(singles.len())].edits.clone()),
                    1 => edits.extend(coherent(
                        sized[m.below(sized.len())],
                        counts[m.below(counts.len())],
                    )),
                    _ => {
                        let key = switches[m.below(switches.len())].to_string();
                        let v = if m.below(3) == 0 {
                            json!("gcn-baseline")
                        } else {
                            json!(false)
                        };
                        let k = if v.is_string() { "model".into() } else { key };
                        edits.push(Edit::Field("config", k, Some(v)));
                    }
                }
            }
            Case {
                edits,
                needles: Vec::new(),
            }
        })
        .collect()
}

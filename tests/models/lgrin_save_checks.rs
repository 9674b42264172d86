//! `save_model` refuses what `load_model` would refuse, and writes nothing: a class list of
//! another length than the model's classes, a class named twice, an unknown feature kind,
//! feature settings of another node count or width than the model, and a configuration changed
//! after building into one `LgrinConfig::validate` refuses. It used to write every such file
//! atomically and without a word; the mistake showed only when the model was loaded for `eval`
//! or `predict`, long after training. Exact checks only (error kinds, messages, no file).
use crate::common;

use common::fixtures::tiny_lgrin;
use common::gpu;
use synchgraph::data::emotion::DatasetFormat;
use synchgraph::data::emotion_features::FeatureSettings;
use synchgraph::models::lgrin::{load_model, save_model, Lgrin};
use synchgraph::Error;

fn settings() -> FeatureSettings {
    let mut s = FeatureSettings::for_format(DatasetFormat::Features, 4);
    s.dims = 3;
    s
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn save_refuses_metadata_that_load_would_refuse() {
    let g = gpu();
    let dir = std::env::temp_dir().join(format!("review3-save-checks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    let mut model = Lgrin::new(&g, tiny_lgrin()).unwrap();
    let wider = FeatureSettings {
        dims: 4,
        ..settings()
    };
    let more_nodes = FeatureSettings {
        nodes: 5,
        ..settings()
    };
    let unknown = FeatureSettings {
        kind: "mystery".into(),
        ..settings()
    };
    let cases = [
        (
            "3 class names for a 2-class model",
            names(&["a", "b", "c"]),
            settings(),
        ),
        ("named twice", names(&["a", "a"]), settings()),
        ("unknown feature kind", names(&["a", "b"]), unknown),
        ("4 nodes x 4 features", names(&["a", "b"]), wider),
        ("5 nodes x 3 features", names(&["a", "b"]), more_nodes),
    ];
    for (needle, classes, features) in cases {
        match save_model(&mut model, &classes, &features, &path) {
            Err(e @ Error::Checkpoint { .. }) => {
                assert!(e.to_string().contains(needle), "{needle}: {e}")
            }
            other => panic!("{needle}: {other:?}"),
        }
        assert!(!path.exists(), "{needle}: a refused model was written");
    }
    // A configuration changed after building into one that does not validate.
    model.config.dropout = 1.0;
    match save_model(&mut model, &names(&["a", "b"]), &settings(), &path) {
        Err(e @ Error::Checkpoint { .. }) => assert!(e.to_string().contains("dropout"), "{e}"),
        other => panic!("dropout 1: {other:?}"),
    }
    assert!(!path.exists());
    // Consistent metadata is saved and loads back.
    model.config.dropout = 0.5;
    save_model(&mut model, &names(&["a", "b"]), &settings(), &path).unwrap();
    let loaded = load_model(&g, &path);
    std::fs::remove_dir_all(&dir).unwrap();
    let loaded = loaded.unwrap();
    assert_eq!(loaded.classes, names(&["a", "b"]));
    assert_eq!(loaded.features, settings());
}

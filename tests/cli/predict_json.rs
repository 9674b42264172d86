//! `synchgraph predict --json` prints one JSON document with the model's class list and, per
//! clip in the order of the text output, its path, label and every class probability.

use crate::common;

use common::cli::*;

/// The JSON output holds the same clips, labels and probabilities as the text output, and each
/// label is the most probable class.
#[test]
fn json_output_matches_the_text_output() {
    let d = scratch("predict-json", "folder");
    let data = d.join("data");
    let model = tiny_npy_model(&d);
    let class = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .unwrap();

    let text = run_for(&["predict", "--model", s(&model), s(&class)], &[], 60);
    succeeds(&text, "predict");
    let json = run_for(
        &["predict", "--json", "--model", s(&model), s(&class)],
        &[],
        60,
    );
    succeeds(&json, "predict --json");
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let classes: Vec<&str> = doc["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(classes.len(), 2, "{doc}");
    let predictions = doc["predictions"].as_array().unwrap();
    let lines: Vec<String> = String::from_utf8_lossy(&text.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(predictions.len(), lines.len(), "{doc}");
    assert_eq!(predictions.len(), 2, "{doc}");
    for (p, line) in predictions.iter().zip(&lines) {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(p["path"].as_str().unwrap(), fields[0]);
        assert_eq!(p["label"].as_str().unwrap(), fields[1]);
        let probs: Vec<f64> = p["probabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(probs.len(), classes.len());
        assert!((probs.iter().sum::<f64>() - 1.0).abs() < 1e-5, "{probs:?}");
        let best = (0..probs.len()).fold(0, |b, i| if probs[i] > probs[b] { i } else { b });
        assert_eq!(classes[best], fields[1]);
        assert_eq!(format!("{:.4}", probs[best]), fields[2]);
        let pairs: Vec<String> = classes
            .iter()
            .zip(&probs)
            .map(|(c, v)| format!("{c}={v:.4}"))
            .collect();
        assert_eq!(pairs.join(" "), fields[3]);
    }
}

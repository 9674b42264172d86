//! The user-facing documentation against the code it describes: every flag the README's command
//! table names is one the command accepts (its `--help` lists it, with the values the table
//! gives), the `--format` help states the landmark headers that the README says are detected,
//! and the crate documentation's module list names every public module of `src/lib.rs`.

use crate::common;

use common::cli::synchgraph;

/// The `--help` text of `synchgraph <words>` (no device is opened for help).
fn help(words: &[&str]) -> String {
    let out = synchgraph()
        .args(words)
        .arg("--help")
        .output()
        .expect("running synchgraph --help");
    assert!(out.status.success(), "{words:?} --help failed");
    String::from_utf8(out.stdout).expect("UTF-8 help")
}

/// The code spans (text between backticks) of one Markdown line, with the table's escaped
/// pipes (`\|`) read as plain pipes.
fn code_spans(line: &str) -> Vec<String> {
    line.split('`')
        .skip(1)
        .step_by(2)
        .map(|s| s.replace("\\|", "|"))
        .collect()
}

/// The flags a code span names, each with the values given after it (`--model lgrin|gcn-baseline`
/// gives `--model` with `lgrin` and `gcn-baseline`; a placeholder in capitals gives none).
fn flags(span: &str) -> Vec<(String, Vec<String>)> {
    let words: Vec<&str> = span
        .split(|c: char| c.is_whitespace() || c == '[' || c == ']')
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if let Some(name) = word.strip_prefix("--") {
            let name = name.trim_end_matches(|c: char| !c.is_ascii_alphanumeric());
            let values = match words.get(i + 1) {
                Some(v) if !v.starts_with("--") && v.chars().any(|c| c.is_ascii_lowercase()) => v
                    .split('|')
                    .filter(|v| v.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
                    .map(str::to_string)
                    .collect(),
                _ => Vec::new(),
            };
            found.push((format!("--{name}"), values));
        }
    }
    found
}

#[test]
fn every_flag_of_the_readme_command_table_is_in_the_command_help() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let rows: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("| `synchgraph "))
        .collect();
    assert!(
        rows.len() >= 10,
        "the command table has {} rows",
        rows.len()
    );
    let mut wrong = Vec::new();
    for row in rows {
        let spans = code_spans(row);
        let usage = &spans[0];
        let command: Vec<&str> = usage
            .split_whitespace()
            .skip(1)
            .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase()))
            .collect();
        let text = help(&command);
        // The usage span, and the spans of the description that start with a flag.
        let named = spans
            .iter()
            .enumerate()
            .filter(|(i, s)| *i == 0 || s.starts_with("--"))
            .flat_map(|(_, s)| flags(s));
        for (flag, values) in named {
            if !text.contains(&format!("{flag} ")) {
                wrong.push(format!("synchgraph {}: {flag}", command.join(" ")));
            }
            for value in values {
                if !text.contains(&value) {
                    wrong.push(format!("synchgraph {}: {flag} {value}", command.join(" ")));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the README's command table names flags or values the commands' help lacks: {wrong:?}"
    );
}

#[test]
fn format_help_names_both_detected_landmark_headers() {
    // README: landmark CSVs are "detected by their `frame,x0,y0,...` or `x0,y0,...` header,
    // else `--format landmarks`".
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    assert!(
        readme.contains("detected by their `frame,x0,y0,...` or `x0,y0,...` header"),
        "the README's landmark detection sentence changed; update this test"
    );
    for command in [&["train", "lgrin"][..], &["features"], &["eval"]] {
        let text = help(command);
        let format = text
            .split("--format")
            .nth(1)
            .expect("a --format flag")
            .split("\n      --")
            .next()
            .unwrap()
            .to_string();
        if format.contains("landmark") {
            assert!(
                format.contains("`frame,x0,y0,...`") && format.contains("`x0,y0,...`"),
                "synchgraph {} --help: --format names only some of the detected landmark \
                 headers: {format}",
                command.join(" ")
            );
        }
    }
}

#[test]
fn crate_docs_list_every_public_module() {
    let lib = std::fs::read_to_string("src/lib.rs").expect("src/lib.rs");
    let docs: String = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    let modules: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    assert!(modules.len() >= 10, "{modules:?}");
    let missing: Vec<&&str> = modules
        .iter()
        .filter(|m| {
            !docs.contains(&format!("- [`{m}`]:")) && !docs.contains(&format!("- [`{m}`](mod@"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "the module list of the crate docs (src/lib.rs) lacks {missing:?}"
    );
}

/// A path of the repository that a document names in a code span: one that starts with a
/// top-level folder of the checkout and is not a pattern (`{a,b}`, `*`, `<name>`, `..`).
fn named_paths(text: &str) -> Vec<String> {
    const ROOTS: [&str; 6] = ["src/", "tests/", "benches/", "assets/", "shaders/", ".ci/"];
    text.lines()
        .flat_map(code_spans)
        .filter(|s| ROOTS.iter().any(|r| s.starts_with(r)))
        .filter(|s| !s.contains(['{', '*', '<', ' ', '$']) && !s.contains(".."))
        .map(|s| s.trim_end_matches([',', '.', ':']).to_string())
        .collect()
}

#[test]
fn files_and_folders_the_docs_name_exist() {
    let mut missing = Vec::new();
    for doc in ["README.md", "BENCHMARKS.md"] {
        let text = std::fs::read_to_string(doc).expect(doc);
        let paths = named_paths(&text);
        assert!(paths.len() >= 5, "{doc} names {paths:?}");
        for path in paths {
            if !std::path::Path::new(&path).exists() {
                missing.push(format!("{doc}: {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "the docs name paths that do not exist: {missing:?}"
    );
}

/// The metadata of a safetensors file (its JSON header's `__metadata__`).
fn safetensors_metadata(path: &std::path::Path) -> serde_json::Value {
    let bytes = std::fs::read(path).expect("the checkpoint");
    let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + len]).unwrap();
    header["__metadata__"].clone()
}

/// README ("Commands"): `train lgrin` writes `metrics.json`, `model.safetensors`, `loss.png`,
/// `confusion.png` and `adjacency.png`; its metrics hold the shared keys and the classifier
/// keys, `test_accuracy` over several folds is the mean of the folds' accuracies while the
/// confusion pools every fold's test clips; the checkpoint's metadata holds the configuration,
/// class list and feature settings; `eval` writes `metrics.json` and `confusion.png` with the
/// scoring keys, `seconds_per_epoch` null and `seconds_inference`.
#[test]
fn train_lgrin_and_eval_write_the_files_and_keys_the_readme_lists() {
    use common::cli::{lgrin_args, npy_dataset, run_for, s, scratch, succeeds};
    let d = scratch("outputs", "readme-keys");
    let data = d.join("data");
    npy_dataset(&data, 6, 4);
    let out = d.join("train");
    let args = lgrin_args(s(&data), s(&out), &["--epochs", "1", "--folds", "2"]);
    succeeds(&run_for(&args, &[], 300), "train lgrin");
    for file in [
        "metrics.json",
        "model.safetensors",
        "loss.png",
        "confusion.png",
        "adjacency.png",
    ] {
        assert!(out.join(file).is_file(), "train lgrin wrote no {file}");
    }
    let shared = [
        "test_accuracy",
        "seconds_per_epoch",
        "adapter",
        "engine",
        "command",
        "config",
    ];
    let classifier = [
        "unweighted_accuracy",
        "per_class_recall",
        "confusion",
        "classes",
    ];
    let read = |dir: &std::path::Path| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.join("metrics.json")).unwrap()).unwrap()
    };
    let m = read(&out);
    for key in shared.iter().chain(&classifier) {
        assert!(m.get(key).is_some(), "train lgrin metrics.json lacks {key}");
    }
    for key in ["version", "commit", "modified"] {
        assert!(m["engine"].get(key).is_some(), "engine lacks {key}");
    }
    let folds: Vec<f64> = m["fold_accuracies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(folds.len(), 2);
    let mean = folds.iter().sum::<f64>() / 2.0;
    assert!((m["test_accuracy"].as_f64().unwrap() - mean).abs() < 1e-6);
    let pooled: u64 = m["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap())
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(pooled, 12, "the confusion pools every fold's test clips");
    let meta = safetensors_metadata(&out.join("model.safetensors"));
    for key in ["config", "classes", "features"] {
        assert!(meta.get(key).is_some(), "checkpoint metadata lacks {key}");
    }

    let ev = d.join("eval");
    let eval = [
        "eval",
        "--model",
        s(&out),
        "--data",
        s(&data),
        "--out",
        s(&ev),
    ];
    succeeds(&run_for(&eval, &[], 300), "eval");
    assert!(
        ev.join("confusion.png").is_file(),
        "eval wrote no confusion.png"
    );
    let e = read(&ev);
    for key in shared
        .iter()
        .chain(&classifier)
        .chain(&["parameters", "seconds_inference"])
    {
        assert!(e.get(key).is_some(), "eval metrics.json lacks {key}");
    }
    assert!(
        e["seconds_per_epoch"].is_null(),
        "{}",
        e["seconds_per_epoch"]
    );
    assert!(e["seconds_inference"].as_f64().is_some_and(|t| t >= 0.0));
    let _ = std::fs::remove_dir_all(&d);
}

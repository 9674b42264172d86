//! Synch-Graph: front ends, the GCN on a separable toy graph, and CI-sized runs of
//! `synchgraph train synchgraph` on the real AV-digits pairing and on EmoDB.

use crate::common;
use std::process::Command;

use common::gpu;
use synchgraph::models::synchgraph_features::{
    audio_clips, audio_features, log_response, scale_to_intensity, INPUTS,
};
use synchgraph::models::synchgraph_gcn::{Gcn, GcnConfig, GcnGraph};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data");

#[test]
fn log_filter_ignores_flat_images_and_refuses_nan() {
    let flat = log_response(&[5.0; 64], 8).unwrap();
    assert!(flat.iter().all(|v| v.abs() < 1e-5), "{flat:?}");
    let mut dot = vec![0.0; 64];
    dot[27] = 16.0;
    let r = log_response(&dot, 8).unwrap();
    let peak = r.iter().cloned().fold(0.0, f32::max);
    assert_eq!(r[27], peak, "the response peaks on the dot");
    dot[3] = f32::NAN;
    assert!(log_response(&dot, 8).is_err());
    assert!(log_response(&[1.0; 10], 8).is_err());
}

#[test]
fn intensities_use_the_training_range_only() {
    let mut rows = vec![vec![0.0, 1.0], vec![10.0, 1.0], vec![20.0, 1.0]];
    scale_to_intensity(&mut rows, &[0, 1]).unwrap();
    assert_eq!(rows[0], vec![0.0, 0.0]);
    assert_eq!(rows[1], vec![255.0, 0.0]);
    assert_eq!(rows[2][0], 255.0, "test rows are clamped");
}

#[test]
fn fsdd_and_emodb_clips_get_their_labels_and_audio_features() {
    let (clips, classes) = audio_clips(format!("{DATA}/fsdd/recordings").as_ref()).unwrap();
    assert_eq!(classes.len(), 10);
    assert_eq!(clips.len(), 300);
    let f = audio_features(&clips[0].path).unwrap();
    assert_eq!(f.len(), INPUTS);
    assert!(f.iter().all(|v| v.is_finite()));
    let (clips, classes) = audio_clips(format!("{DATA}/emodb/wav").as_ref()).unwrap();
    assert_eq!(classes.len(), 7);
    assert_eq!(clips.len(), 408);
    let empty = std::env::temp_dir().join(format!("sg-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    assert!(audio_clips(&empty)
        .unwrap_err()
        .to_string()
        .contains("no .wav"));
}

#[test]
fn gcn_learns_a_separable_toy_graph() {
    // 16 clips of 3 nodes in a triangle; the class is the sign of the first feature.
    let (g, labels) = common::fixtures::triangle_clips();
    let cfg = GcnConfig {
        hidden: 16,
        epochs: 40,
        lr: 0.02,
        dropout: 0.0,
        eval_every: 5,
        ..GcnConfig::default()
    };
    let gpu = gpu();
    let mut model = Gcn::new(&gpu, &cfg, 5, 2).unwrap();
    let train: Vec<usize> = (0..12).collect();
    let val: Vec<usize> = (12..16).collect();
    let fit = model
        .fit(&gpu, &g, &labels, &train, &val, |_, _| {})
        .unwrap();
    assert!(fit.losses[fit.losses.len() - 1] < fit.losses[0]);
    assert_eq!(fit.predictions, labels, "losses {:?}", fit.losses);
}

fn train(args: &[&str], out: &std::path::Path) -> serde_json::Value {
    let o = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
        .args(["train", "synchgraph"])
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("metrics.json")).unwrap()).unwrap();
    let classes = common::metric_classes(&m);
    let tested = m["split"]["test"].as_u64().unwrap();
    common::assert_run_metrics(&m, true, Some(&classes), tested);
    assert!(m["config"]["snn"].is_object() && m["config"]["gcn"]["hidden"].is_u64());
    m
}

#[test]
fn av_digits_run_writes_metrics_model_and_figures() {
    let out = std::env::temp_dir().join(format!("sg-av-{}", std::process::id()));
    let (audio, images) = (format!("{DATA}/fsdd/recordings"), format!("{DATA}/digits"));
    let m = train(
        &[
            "--audio",
            &audio,
            "--images",
            &images,
            "--modality",
            "both",
            "--limit",
            "20",
            "--epochs",
            "4",
            "--lr",
            "0.01",
            "--stdp-clips",
            "2",
        ],
        &out,
    );
    let acc = m["test_accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&acc));
    assert_eq!(m["clips"], 20);
    assert_eq!(m["neurons"], 40);
    assert_eq!(m["stdp_clips"], 2);
    // 4 epochs evaluated every 5: the one evaluation follows the last epoch, kept and written
    // 0-based like every metrics.json.
    assert_eq!(m["best_epoch"], 3);
    // The input weights are learned with Synch-Graph's power-law rule.
    assert_eq!(
        m["config"]["snn"]["stdp"]["rule"], "power_law",
        "{}",
        m["config"]
    );
    assert!(m["spikes"].as_u64().unwrap() > 0);
    assert!(m["graph"]["nodes"].as_u64().unwrap() > 0);
    assert!(m["graph"]["synchrony_edges"].as_u64().unwrap() > 0);
    for f in [
        "model.safetensors",
        "loss.png",
        "confusion.png",
        "raster.png",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    // The class list is stored as a JSON list, like L-GrIN's, so a class name may hold any text.
    let ck =
        synchgraph::report::checkpoint::Checkpoint::load(&out.join("model.safetensors")).unwrap();
    let classes: Vec<String> = serde_json::from_str(ck.meta("classes").unwrap()).unwrap();
    assert_eq!(
        classes,
        m["classes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    );
}

#[test]
fn emodb_audio_run_and_bad_arguments() {
    let out = std::env::temp_dir().join(format!("sg-emo-{}", std::process::id()));
    let audio = format!("{DATA}/emodb/wav");
    let m = train(&["--audio", &audio, "--limit", "12", "--epochs", "2"], &out);
    assert_eq!(m["modality"], "audio");
    assert_eq!(m["classes"].as_array().unwrap().len(), 7);
    assert_eq!(
        m["config"]["snn"]["network"]["rate_scale"],
        synchgraph::models::synchgraph::DEFAULT_RATE_SCALE
    );
    assert_eq!(m["config"]["snn"]["network"]["max_rate_hz"], 255.0 * 8.0);
    // Diehl & Cook's smaller input rate scale drives the same network more weakly: fewer
    // spikes, and clips presented again with brighter input.
    let out_slow = std::env::temp_dir().join(format!("sg-emo-slow-{}", std::process::id()));
    let slow = train(
        &[
            "--audio",
            &audio,
            "--limit",
            "12",
            "--epochs",
            "2",
            "--rate-scale",
            "0.25",
        ],
        &out_slow,
    );
    assert_eq!(slow["config"]["snn"]["network"]["rate_scale"], 0.25);
    let spikes = |m: &serde_json::Value| m["spikes_per_clip"].as_f64().unwrap();
    assert!(
        spikes(&slow) < spikes(&m),
        "{} vs {}",
        spikes(&slow),
        spikes(&m)
    );
    let raises = |m: &serde_json::Value| m["input_raises"].as_u64().unwrap();
    assert!(
        raises(&slow) > raises(&m),
        "{} vs {}",
        raises(&slow),
        raises(&m)
    );
    // Refused arguments: the error names the problem.
    let refused = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_synchgraph"))
            .args(["train", "synchgraph", "--audio", &audio])
            .args(args)
            .arg("--out")
            .arg(&out_slow)
            .output()
            .unwrap();
        assert!(!o.status.success(), "{args:?} succeeded");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    for bad in ["0", "-1", "inf"] {
        let err = refused(&["--rate-scale", bad]);
        assert!(
            err.contains("--rate-scale must be a finite rate > 0"),
            "{err}"
        );
    }
    assert!(refused(&["--modality", "visual"]).contains("needs --images"));
    assert!(refused(&["--stimulus-edges", "all"]).contains("expected none, train or paper"));
}

#[test]
fn gcn_operator_is_one_self_loop_per_node_in_every_layer() {
    // Two clips: a star-and-path on nodes 0..4 and one edge 4-5, each node's self loop in the
    // edge list as the synchrony graph gives it. The expected operator is written out densely:
    // D^-1/2 (A + I) D^-1/2 with A the 0/1 adjacency without loops. The GPU adjacency used by
    // layers 2 and 3 and the host product used by layer 1 must both equal it (1e-6 / 1e-5).
    let n = 6;
    let undirected = [(0u32, 1u32), (1, 2), (0, 3), (4, 5)];
    let (mut row, mut col) = (vec![], vec![]);
    for &(a, b) in &undirected {
        row.extend([a, b]);
        col.extend([b, a]);
    }
    for v in 0..n as u32 {
        row.push(v);
        col.push(v);
    }
    let mut rng = common::Rng(77);
    let f = 3;
    let g = GcnGraph {
        nodes: n,
        row,
        col,
        features: rng.vec(n * f, -1.0, 1.0),
        feature_dim: f,
        clip_offsets: vec![0, 4, 6],
    };
    g.check().unwrap();
    let mut dense = vec![0f64; n * n];
    for i in 0..n {
        dense[i * n + i] = 1.0;
    }
    for &(a, b) in &undirected {
        dense[a as usize * n + b as usize] = 1.0;
        dense[b as usize * n + a as usize] = 1.0;
    }
    let deg: Vec<f64> = (0..n)
        .map(|i| dense[i * n..(i + 1) * n].iter().sum())
        .collect();
    let want: Vec<f32> = (0..n * n)
        .map(|k| (dense[k] / (deg[k / n] * deg[k % n]).sqrt()) as f32)
        .collect();
    let gpu = gpu();
    let adj = g.normalized_adjacency(&gpu).unwrap();
    common::assert_close("adjacency", &adj.host.to_dense(n), &want, 1e-6, 0.0);
    let x = synchgraph::Tensor::from_f32(&gpu, &[n, f], &g.features).unwrap();
    let ax = synchgraph::graph::spmm(&adj, &x).unwrap().to_f32().unwrap();
    let want_ax: Vec<f32> = (0..n * f)
        .map(|k| {
            (0..n)
                .map(|j| want[(k / f) * n + j] * g.features[j * f + k % f])
                .sum()
        })
        .collect();
    common::assert_close("layers 2-3: A_hat X", &ax, &want_ax, 1e-5, 1e-5);
    let host = g.propagated_features();
    common::assert_close("layer 1: A_hat X", &host, &want_ax, 1e-5, 1e-5);
}

#[test]
fn malformed_gcn_graphs_and_clip_lists_are_refused_by_name() {
    // The first GCN layer is computed on the host from the edges as listed, the later ones on
    // the GPU from merged edges with one self loop per node: a graph outside that form would
    // give two different operators, so `fit` refuses it, naming the fault.
    use synchgraph::models::synchgraph_gcn::{Gcn, GcnConfig, GcnGraph};
    let good = || GcnGraph {
        nodes: 3,
        row: vec![0, 1, 2, 0, 1],
        col: vec![0, 1, 2, 1, 0],
        features: vec![0.5; 6],
        feature_dim: 2,
        clip_offsets: vec![0, 2, 3],
    };
    good().check().unwrap();
    let cases: Vec<(GcnGraph, &str)> = vec![
        (
            GcnGraph {
                row: vec![0, 1, 2, 0, 1, 0],
                col: vec![0, 1, 2, 1, 0, 1],
                ..good()
            },
            "edge 0 <- 1 is listed twice",
        ),
        (
            GcnGraph {
                row: vec![0, 1, 0, 1],
                col: vec![0, 1, 1, 0],
                ..good()
            },
            "node 2 has 0 self loops",
        ),
        (
            GcnGraph {
                row: vec![0, 1, 2, 3],
                col: vec![0, 1, 2, 3],
                ..good()
            },
            "names a node outside 0..3",
        ),
        (
            GcnGraph {
                row: vec![0, 1],
                ..good()
            },
            "2 edge destinations but 5 sources",
        ),
        (
            GcnGraph {
                clip_offsets: vec![0, 2, 4],
                ..good()
            },
            "clip offsets must rise from 0 to 3",
        ),
        (
            GcnGraph {
                features: vec![0.5, 0.5, 0.5, f32::NAN, 0.5, 0.5],
                ..good()
            },
            "feature 1 of node 1 is NaN",
        ),
        (
            GcnGraph {
                features: vec![0.5; 5],
                ..good()
            },
            "5 feature values for 3 nodes of width 2",
        ),
    ];
    let gpu = gpu();
    let cfg = GcnConfig {
        epochs: 1,
        ..GcnConfig::default()
    };
    for (g, want) in cases {
        let e = g.check().unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
        let mut gcn = Gcn::new(&gpu, &cfg, 2, 2).unwrap();
        let e = gcn
            .fit(&gpu, &g, &[0, 1], &[0], &[1], |_, _| {})
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "fit: {e}");
    }
    let mut gcn = Gcn::new(&gpu, &cfg, 2, 2).unwrap();
    let e = gcn
        .fit(&gpu, &good(), &[0, 1], &[0], &[2], |_, _| {})
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("clip 2 of the training or validation list"),
        "{e}"
    );
}

#[test]
fn a_feature_constant_over_training_nodes_is_only_centred() {
    // Every training neuron spikes once, a held-out neuron twice: the spike count has no
    // spread in training, so it is centred (held-out count 2 -> 1), not divided by a tiny
    // deviation (which gave about 1e6). Exact.
    use synchgraph::graph::stimulus::StimulusEdges;
    use synchgraph::graph::synchrony::{Layer, Spike, NODE_FEATURES};
    use synchgraph::models::synchgraph::{build_graph, SpikeRun};
    let layer = Layer {
        clips: 3,
        neurons: 2,
        audio_neurons: 2,
        duration_ms: 350.0,
    };
    let mut spikes = Vec::new();
    for clip in 0..3u32 {
        for neuron in 0..2u32 {
            spikes.push(Spike {
                clip,
                neuron,
                time_ms: 10.0 + 5.0 * neuron as f32,
            });
        }
    }
    spikes.push(Spike {
        clip: 2,
        neuron: 0,
        time_ms: 200.0,
    });
    let run = SpikeRun {
        per_clip: vec![2, 2, 3],
        spikes,
        layer,
        raises: vec![0; 3],
    };
    let (g, _) = build_graph(
        &gpu(),
        &run,
        150.0,
        StimulusEdges::None,
        &[0, 1, 0],
        &[true, true, false],
    )
    .unwrap();
    let counts: Vec<f32> = (0..g.nodes)
        .map(|i| g.features[i * NODE_FEATURES + 3])
        .collect();
    assert_eq!(counts, [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
}

#[test]
fn node_features_are_standardised_with_training_clips_only() {
    // Clips 0..4 train, 4..6 held out. Moving the held-out clips' spikes must leave every
    // training node's features as they were; the standardised spike counts of the training
    // nodes have mean 0 (1e-5).
    use synchgraph::graph::stimulus::StimulusEdges;
    use synchgraph::graph::synchrony::{Layer, Spike, NODE_FEATURES};
    use synchgraph::models::synchgraph::{build_graph, SpikeRun};
    let layer = Layer {
        clips: 6,
        neurons: 5,
        audio_neurons: 5,
        duration_ms: 350.0,
    };
    let run = |late: f32| {
        let mut rng = common::Rng(91);
        let spikes: Vec<Spike> = (0..6u32)
            .flat_map(|clip| (0..5u32).map(move |neuron| (clip, neuron)))
            .flat_map(|(clip, neuron)| {
                let shift = if clip >= 4 { late } else { 0.0 };
                let times: Vec<f32> = (0..1 + (clip + neuron) % 3)
                    .map(|_| rng.uniform(0.0, 100.0) + shift)
                    .collect();
                times.into_iter().map(move |time_ms| Spike {
                    clip,
                    neuron,
                    time_ms,
                })
            })
            .collect();
        let per_clip = (0..6)
            .map(|c| spikes.iter().filter(|s| s.clip == c).count())
            .collect();
        SpikeRun {
            spikes,
            layer,
            raises: vec![0; 6],
            per_clip,
        }
    };
    let gpu = gpu();
    let labels = [0, 1, 0, 1, 0, 1];
    let is_train = [true, true, true, true, false, false];
    let graph = |late: f32| {
        build_graph(
            &gpu,
            &run(late),
            150.0,
            StimulusEdges::None,
            &labels,
            &is_train,
        )
        .unwrap()
        .0
    };
    let (a, b) = (graph(0.0), graph(200.0));
    let train_end = a.clip_offsets[4] as usize * NODE_FEATURES;
    assert_eq!(a.features[..train_end], b.features[..train_end]);
    assert_ne!(a.features[train_end..], b.features[train_end..]);
    let counts: Vec<f32> = (0..a.clip_offsets[4] as usize)
        .map(|i| a.features[i * NODE_FEATURES + 3])
        .collect();
    let mean = counts.iter().sum::<f32>() / counts.len() as f32;
    assert!(mean.abs() < 1e-5, "training spike counts have mean {mean}");
}

#[test]
fn paired_images_never_serve_two_split_parts() {
    // 400 clips of digit 3 (60/20/20 parts) against 180 images: images are reused, but each
    // only within one part. With more images than clips (digit 5: 30 clips, 180 images) every
    // clip gets its own image. Every clip gets an image of its digit.
    use synchgraph::models::synchgraph_features::pair_images;
    let mut pools = vec![Vec::new(); 10];
    for i in 0..1800 {
        pools[i % 10].push(i);
    }
    let mut digits = vec![3usize; 400];
    digits.extend([5; 30]);
    let parts: Vec<usize> = (0..430)
        .map(|i| match i % 10 {
            0..=5 => 0,
            6 | 7 => 1,
            _ => 2,
        })
        .collect();
    let got = pair_images(&digits, &parts, &pools).unwrap();
    let mut part_of = std::collections::HashMap::new();
    for ((&img, &p), &d) in got.iter().zip(&parts).zip(&digits) {
        assert_eq!(img % 10, d, "image {img} is not a {d}");
        assert_eq!(
            *part_of.entry(img).or_insert(p),
            p,
            "image {img} in two parts"
        );
    }
    let fives: std::collections::HashSet<usize> = got[400..].iter().copied().collect();
    assert_eq!(fives.len(), 30);
    // A digit without images, or fewer images than parts, is an error, not a panic.
    assert!(pair_images(&[7], &[0], &pools[..7]).is_err());
    let tiny = vec![vec![0usize]; 10];
    assert!(pair_images(&[1, 1], &[0, 2], &tiny).is_err());
}

//! Small data sets several test files build: a MUTAG split, two-class node-feature graphs,
//! triangle clips for the Synch-Graph GCN, and TU / Planetoid files written to a folder.

use std::path::Path;

use synchgraph::data::tu::TuDataset;
use synchgraph::features::FrameMatrix;
use synchgraph::models::gcn::GraphTask;
use synchgraph::models::lgrin::{train, Lgrin, LgrinConfig, TrainOutcome};
use synchgraph::models::synchgraph_gcn::{GcnConfig, GcnGraph};

use super::cli::write;
use super::Rng;

/// The MUTAG folder of the shared data.
pub const MUTAG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/tu/MUTAG");

/// MUTAG as a graph task, split by index mod 5: 2, 3 and 4 train, 0 validation, 1 test.
pub fn mutag_split() -> (GraphTask, Vec<usize>, Vec<usize>, Vec<usize>) {
    let data = TuDataset::load(Path::new(MUTAG)).unwrap();
    let task = GraphTask {
        graphs: data.graphs.clone(),
        features: data.num_features,
        labels: data.labels(),
        classes: data.num_classes(),
    };
    let part = |r: &[usize]| -> Vec<usize> {
        (0..task.graphs.len())
            .filter(|i| r.contains(&(i % 5)))
            .collect()
    };
    let (train, val, test) = (part(&[2, 3, 4]), part(&[0]), part(&[1]));
    (task, train, val, test)
}

/// `n` graphs of `m` nodes x `f` random features in two classes: class 1 has a bump on
/// feature 0 in the first half of the nodes.
pub fn two_class_node_graphs(n: usize, m: usize, f: usize) -> (Vec<FrameMatrix>, Vec<usize>) {
    let mut rng = Rng(5);
    let mut feats = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n {
        let label = i % 2;
        let mut fm = FrameMatrix::zeros(m, f);
        for r in 0..m {
            for c in 0..f {
                let mut v = rng.uniform(-1.0, 1.0);
                if label == 1 && c == 0 && r < m / 2 {
                    v += 2.0;
                }
                fm.data[r * f + c] = v;
            }
        }
        feats.push(fm);
        labels.push(label);
    }
    (feats, labels)
}

/// 16 clips of 3 nodes in a triangle (with self loops); the class is the sign of the first
/// feature.
pub fn triangle_clips() -> (GcnGraph, Vec<u32>) {
    let (clips, per) = (16usize, 3usize);
    let (mut row, mut col, mut feats, mut offsets) = (vec![], vec![], vec![], vec![0u32]);
    for c in 0..clips {
        let base = (c * per) as u32;
        for a in 0..per as u32 {
            for b in 0..per as u32 {
                row.push(base + a);
                col.push(base + b);
            }
            let s = if c % 2 == 0 { 1.0 } else { -1.0 };
            feats.extend([s, 0.5, a as f32 / 3.0, 1.0, 0.0]);
        }
        offsets.push(((c + 1) * per) as u32);
    }
    let graph = GcnGraph {
        nodes: clips * per,
        row,
        col,
        features: feats,
        feature_dim: 5,
        clip_offsets: offsets,
    };
    (graph, (0..clips as u32).map(|c| c % 2).collect())
}

/// A tiny L-GrIN configuration (4 nodes of 3 features, G1 4, G2 3, hidden 5, 2 classes) for
/// checks that need a model, not training.
pub fn tiny_lgrin() -> LgrinConfig {
    LgrinConfig {
        nodes: 4,
        g1: 4,
        g2: 3,
        hidden: 5,
        ..LgrinConfig::reference(3, 2)
    }
}

/// A small, dropout-free Synch-Graph GCN (hidden 8, 2 epochs, evaluated every epoch) for the
/// [`triangle_clips`].
pub fn small_triangle_gcn() -> GcnConfig {
    GcnConfig {
        hidden: 8,
        epochs: 2,
        lr: 0.01,
        dropout: 0.0,
        eval_every: 1,
        ..GcnConfig::default()
    }
}

/// A TU data set `D` of `labels.len()` two-node graphs (no node features: every node gets 1).
pub fn tu_pairs(dir: &Path, labels: &[i64]) {
    let mut a = String::new();
    let mut ind = String::new();
    for g in 0..labels.len() {
        let (u, v) = (2 * g + 1, 2 * g + 2);
        a.push_str(&format!("{u}, {v}\n{v}, {u}\n"));
        ind.push_str(&format!("{}\n{}\n", g + 1, g + 1));
    }
    let lab: String = labels.iter().map(|l| format!("{l}\n")).collect();
    write(&dir.join("D_A.txt"), a);
    write(&dir.join("D_graph_indicator.txt"), ind);
    write(&dir.join("D_graph_labels.txt"), lab);
}

/// The nodes of a six-node Planetoid graph (`node label count idx...`).
pub const PLANETOID_NODES: &str = "0 0 2 0 1\n1 1 1 2\n2 0 1 1\n3 1 1 0\n4 0 2 1 2\n5 1 1 2\n";
/// Its edges: a path.
pub const PLANETOID_EDGES: &str = "0 1\n1 2\n2 3\n3 4\n4 5\n";
/// Its split: two nodes each.
pub const PLANETOID_SPLIT: &str = "train 0 1\nval 2 3\ntest 4 5\n";

/// Planetoid text files `g.nodes.txt`, `g.edges.txt` and `g.split.txt` in `dir`.
pub fn planetoid_files(dir: &Path, nodes: &str, edges: &str, split: &str) {
    write(&dir.join("g.nodes.txt"), nodes);
    write(&dir.join("g.edges.txt"), edges);
    write(&dir.join("g.split.txt"), split);
}

/// Train `model` on clips `idx` with validation clips `val`, without progress callbacks.
pub fn train_lgrin(
    model: &mut Lgrin,
    feats: &[FrameMatrix],
    labels: &[usize],
    idx: &[usize],
    val: &[usize],
) -> TrainOutcome {
    train(model, feats, labels, idx, val, &mut |_, _| {}, &mut |_| {}).unwrap()
}

/// `base` (a reference or paper L-GrIN configuration of 5 input features) shrunk for tests on
/// `two_class_node_graphs(_, 10, 5)`: 10 nodes, G1 8, G2 4, classifier 16, lr 0.01, one pass
/// over the clips per epoch in minibatches of `batch`, `epochs` epochs.
pub fn small_lgrin(base: LgrinConfig, batch: usize, epochs: usize) -> LgrinConfig {
    LgrinConfig {
        nodes: 10,
        g1: 8,
        g2: 4,
        hidden: 16,
        batch,
        iters_per_epoch: 0,
        epochs,
        lr: 0.01,
        ..base
    }
}

//! The three GCNs against a plain f64 computation of their documented formulas on tiny graphs
//! with an isolated node and a graph without edges: Kipf & Welling's two-layer node GCN
//! (Â = D^-1/2 (A + I) D^-1/2, no biases, dropout off in evaluation), the graph GCN's
//! per-graph readout over a batch of graphs of different sizes (pooling never mixes graphs),
//! and the Synch-Graph GCN's mean and max pooling of the encoder and the last layer.

use crate::common;

use common::gpu;
use synchgraph::autodiff::Tape;
use synchgraph::data::tu::TuGraph;
use synchgraph::graph::{Csr, HostCsr};
use synchgraph::models::gcn::{
    GraphGcn, GraphGcnConfig, GraphTask, NodeGcn, NodeGcnConfig, Readout, ReadoutLayers,
};
use synchgraph::models::synchgraph_gcn::{Gcn, GcnConfig, GcnGraph};
use synchgraph::Tensor;

type M = Vec<Vec<f64>>;

/// Â = D^-1/2 (A + I) D^-1/2 of an undirected graph of `n` nodes, dense.
fn norm_adj(n: usize, edges: &[(usize, usize)]) -> M {
    let mut a = vec![vec![0.0; n]; n];
    for &(s, d) in edges {
        a[s][d] = 1.0;
        a[d][s] = 1.0;
    }
    (0..n).for_each(|i| a[i][i] += 1.0);
    let dinv: Vec<f64> = a
        .iter()
        .map(|r| 1.0 / r.iter().sum::<f64>().sqrt())
        .collect();
    (0..n)
        .map(|i| (0..n).map(|j| dinv[i] * a[i][j] * dinv[j]).collect())
        .collect()
}

fn matmul(a: &M, b: &M) -> M {
    a.iter()
        .map(|r| {
            (0..b[0].len())
                .map(|j| r.iter().zip(b).map(|(x, br)| x * br[j]).sum())
                .collect()
        })
        .collect()
}

/// relu(x + bias) row by row.
fn relu_bias(x: M, bias: &[f64]) -> M {
    x.into_iter()
        .map(|r| r.iter().zip(bias).map(|(v, b)| (v + b).max(0.0)).collect())
        .collect()
}

fn rows(v: &[f32], cols: usize) -> M {
    v.chunks(cols)
        .map(|r| r.iter().map(|&x| f64::from(x)).collect())
        .collect()
}

fn host(t: &Tensor) -> Vec<f32> {
    t.to_f32().unwrap()
}

fn assert_near(what: &str, got: &[f32], want: &M) {
    let want: Vec<f64> = want.iter().flatten().copied().collect();
    assert_eq!(got.len(), want.len(), "{what}: sizes");
    for (k, (&g, &w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (f64::from(g) - w).abs() <= 1e-4 + 1e-4 * w.abs(),
            "{what}[{k}]: got {g}, want {w}\n got {got:?}\nwant {want:?}"
        );
    }
}

#[test]
fn node_gcn_evaluation_forward_matches_the_kipf_formula() {
    let g = gpu();
    // Node 4 is isolated: its row of Â is its self loop alone.
    let (n, f, classes) = (5, 3, 2);
    let edges = [(0usize, 1usize), (1, 2), (2, 3)];
    let e32: Vec<(u32, u32)> = edges.iter().map(|&(s, d)| (s as u32, d as u32)).collect();
    let adj = Csr::from_edges(&g, n, &e32, None, false, true)
        .unwrap()
        .gcn_normalized()
        .unwrap();
    let x = [
        0.5, 0.0, 0.5, 0.0, 1.0, 0.0, 0.2, 0.3, 0.5, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0f32,
    ];
    let triples = x
        .iter()
        .enumerate()
        .filter(|(_, &v)| v != 0.0)
        .map(|(k, &v)| ((k / f) as u32, (k % f) as u32, v))
        .collect();
    let features = Csr::from_host(&g, n, f, HostCsr::from_triples(n, triples)).unwrap();
    let config = NodeGcnConfig {
        hidden: 4,
        dropout: 0.5,
        ..NodeGcnConfig::default()
    };
    let model = NodeGcn::new(&g, f, classes, config, 3).unwrap();
    let mut tape = Tape::new(&g, false, 9);
    let logits = model.forward(&mut tape, &adj, &features).unwrap();
    let got = host(logits.value());

    let w: Vec<Vec<f32>> = model
        .store
        .ids()
        .map(|id| host(model.store.value(id)))
        .collect();
    assert_eq!(w.len(), 2, "two weights and no biases");
    let a = norm_adj(n, &edges);
    let h = matmul(&a, &matmul(&rows(&x, f), &rows(&w[0], 4)));
    let h = relu_bias(h, &[0.0; 4]);
    let want = matmul(&a, &matmul(&h, &rows(&w[1], classes)));
    assert_near("node GCN logits", &got, &want);
}

/// Three graphs of 3, 1 (no edges) and 4 nodes (one of them isolated), 2 features.
fn three_graphs() -> (GraphTask, Vec<Vec<(usize, usize)>>) {
    let edges = vec![vec![(0, 1), (1, 2)], vec![], vec![(0, 1), (1, 2), (0, 2)]];
    let sizes = [3usize, 1, 4];
    let feats = [
        vec![1.0, -0.5, 0.2, 0.7, -1.0, 0.3],
        vec![0.4, 0.9],
        vec![0.1, 0.2, -0.3, 0.8, 0.5, -0.6, 2.0, 1.5],
    ];
    let graphs = (0..3)
        .map(|i| TuGraph {
            num_nodes: sizes[i],
            edges: edges[i]
                .iter()
                .map(|&(s, d)| (s as u32, d as u32))
                .collect(),
            features: feats[i].clone(),
            label: 0,
        })
        .collect();
    let task = GraphTask {
        graphs,
        features: 2,
        labels: vec![0, 1, 0],
        classes: 2,
    };
    (task, edges)
}

/// Sum, mean and max of each column of `h`.
fn pools(h: &M) -> Vec<f64> {
    let cols = h[0].len();
    let col = |j: usize| h.iter().map(move |r| r[j]);
    let sum: Vec<f64> = (0..cols).map(|j| col(j).sum()).collect();
    let mean: Vec<f64> = sum.iter().map(|s| s / h.len() as f64).collect();
    let max: Vec<f64> = (0..cols)
        .map(|j| col(j).fold(f64::NEG_INFINITY, f64::max))
        .collect();
    [sum, mean, max].concat()
}

#[test]
fn graph_gcn_forward_pools_each_graph_of_a_batch_alone() {
    let g = gpu();
    let (task, edges) = three_graphs();
    let (hidden, layers) = (3, 2);
    let config = GraphGcnConfig {
        hidden,
        layers,
        readout: Readout::Concat,
        readout_layers: ReadoutLayers::All,
        dropout: 0.3,
        ..GraphGcnConfig::default()
    };
    let mut model = GraphGcn::new(&g, 2, 2, config, 5).unwrap();
    // Biases away from zero so that their place in the formula is checked too.
    let ids: Vec<_> = model.store.ids().collect();
    for (k, &id) in ids.iter().enumerate() {
        if model.store.name(id).ends_with("bias") {
            let n = model.store.value(id).numel();
            let b: Vec<f32> = (0..n).map(|j| 0.1 * (k + j) as f32 - 0.2).collect();
            let t = Tensor::from_f32(&g, &[n], &b).unwrap();
            model.store.set_value(id, t).unwrap();
        }
    }
    let batch = task.batch(&g, &[0, 1, 2]).unwrap();
    let mut tape = Tape::new(&g, false, 1);
    let got = host(model.forward(&mut tape, &batch).unwrap().value());

    let p: Vec<Vec<f32>> = ids.iter().map(|&id| host(model.store.value(id))).collect();
    let wants: Vec<Vec<f64>> = (0..3)
        .map(|i| {
            let a = norm_adj(task.graphs[i].num_nodes, &edges[i]);
            let mut h = rows(&task.graphs[i].features, 2);
            let mut pooled = pools(&h);
            let mut fan_in = 2;
            for l in 0..layers {
                let w = rows(&p[2 * l], hidden);
                assert_eq!(w.len(), fan_in);
                let b: Vec<f64> = p[2 * l + 1].iter().map(|&v| f64::from(v)).collect();
                h = relu_bias(matmul(&a, &matmul(&h, &w)), &b);
                pooled.extend(pools(&h));
                fan_in = hidden;
            }
            let wc = rows(&p[2 * layers], 2);
            let logits = matmul(&vec![pooled], &wc);
            logits[0]
                .iter()
                .zip(&p[2 * layers + 1])
                .map(|(v, &b)| v + f64::from(b))
                .collect()
        })
        .collect();
    assert_near("graph GCN logits", &got, &wants);
}

/// Two clips: a triangle and a clip of two unconnected nodes, with self loops listed once.
fn two_clips() -> (GcnGraph, Vec<(usize, usize)>) {
    let edges = vec![(0usize, 1usize), (1, 2), (0, 2)];
    let (mut row, mut col) = (vec![], vec![]);
    for i in 0..5u32 {
        row.push(i);
        col.push(i);
    }
    for &(s, d) in &edges {
        row.extend([s as u32, d as u32]);
        col.extend([d as u32, s as u32]);
    }
    let graph = GcnGraph {
        nodes: 5,
        row,
        col,
        features: vec![1.0, 0.2, -0.4, 0.5, 0.3, -1.2, 0.9, 0.1, -0.7, 1.4],
        feature_dim: 2,
        clip_offsets: vec![0, 3, 5],
    };
    (graph, edges)
}

#[test]
fn synchgraph_gcn_predicts_from_mean_and_max_pools_of_encoder_and_last_layer() {
    let g = gpu();
    let (graph, edges) = two_clips();
    let (hidden, layers, classes) = (4, 2, 3);
    let cfg = GcnConfig {
        hidden,
        layers,
        dropout: 0.5,
        lr: 0.05,
        epochs: 1,
        eval_every: 1,
        seed: 11,
        ..GcnConfig::default()
    };
    let mut model = Gcn::new(&g, &cfg, 2, classes).unwrap();
    let fit = model
        .fit(&g, &graph, &[0, 2], &[0, 1], &[], |_, _| {})
        .unwrap();
    let w: Vec<(String, Vec<f64>)> = fit
        .weights
        .iter()
        .map(|(n, _, v)| (n.clone(), v.iter().map(|&x| f64::from(x)).collect()))
        .collect();
    let get = |name: &str| -> &Vec<f64> {
        &w.iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no {name}"))
            .1
    };
    let mat =
        |name: &str, cols: usize| -> M { get(name).chunks(cols).map(|r| r.to_vec()).collect() };
    let a = norm_adj(5, &edges);
    let x = rows(&graph.features, 2);
    let mut h = matmul(&a, &x);
    for l in 0..layers {
        if l > 0 {
            h = matmul(&a, &h);
        }
        h = relu_bias(
            matmul(&h, &mat(&format!("gcn{l}.weight"), hidden)),
            get(&format!("gcn{l}.bias")),
        );
    }
    let e = relu_bias(
        matmul(&x, &mat("encoder.weight", hidden)),
        get("encoder.bias"),
    );
    let wo = mat("out.weight", classes);
    for (clip, range) in [(0usize, 0..3), (1, 3..5)] {
        let mean_max = |m: &M| -> Vec<f64> {
            let part: M = m[range.clone()].to_vec();
            let p = pools(&part);
            p[hidden..].to_vec()
        };
        let pooled = [mean_max(&e), mean_max(&h)].concat();
        let logits: Vec<f64> = matmul(&vec![pooled], &wo)[0]
            .iter()
            .zip(get("out.bias"))
            .map(|(v, b)| v + b)
            .collect();
        let mut order: Vec<usize> = (0..classes).collect();
        order.sort_by(|&i, &j| logits[j].total_cmp(&logits[i]));
        assert!(
            logits[order[0]] - logits[order[1]] > 1e-3,
            "clip {clip}: logits {logits:?} too close to tell the class"
        );
        assert_eq!(
            fit.predictions[clip] as usize, order[0],
            "clip {clip}: logits {logits:?}"
        );
    }
}

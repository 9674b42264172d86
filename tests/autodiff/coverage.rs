//! Every backward op is checked against finite differences in f64: `GRAD_COVERAGE` maps each
//! public `Tape` op to the tests that check it, and a guard reads every `impl Tape` block under
//! `src/` so an op without an entry fails.

use crate::common;

use common::gpu;
use synchgraph::autodiff::ParamStore;
use synchgraph::graph::Csr;
use synchgraph::kernels::reduce::ReduceOp;
use synchgraph::Tensor;

/// Every public method of `Tape` (every `impl Tape` block under src/) that records an op, with
/// the tests that check its gradient against f64 finite differences ("area/file::name" for
/// `#[test] fn name` in tests/area/file.rs; each calls the method and `check` / `check_mode` of
/// `common::grad`). `sparse_dropout` has no gradient of its own (the sparse values are
/// constants): its test checks the dense operand's gradient through the SpMM it feeds.
/// Completeness is checked by `every_tape_op_has_a_finite_difference_test`.
const GRAD_COVERAGE: &[(&str, &[&str])] = &[
    (
        "matmul",
        &[
            "autodiff/grad::matmul_variants",
            "autodiff/grad_edges_dense::matmuls_whose_forward_or_backward_splits_k",
        ],
    ),
    (
        "matmul_tn",
        &[
            "autodiff/grad::matmul_variants",
            "autodiff/grad_edges_dense::matmuls_whose_forward_or_backward_splits_k",
        ],
    ),
    (
        "matmul_nt",
        &[
            "autodiff/grad::matmul_variants",
            "autodiff/grad_edges_dense::matmuls_whose_forward_or_backward_splits_k",
            "autodiff/grad_edges_dense::one_var_as_both_operands",
        ],
    ),
    (
        "add",
        &[
            "autodiff/grad::binary_ops_with_row_broadcast",
            "autodiff/grad_edges_dense::binary_ops_with_a_rank_three_operand_and_a_1_by_c_row",
            "autodiff/grad_edges_dense::one_var_as_both_operands",
        ],
    ),
    (
        "sub",
        &[
            "autodiff/grad::binary_ops_with_row_broadcast",
            "autodiff/grad_edges_dense::binary_ops_with_a_rank_three_operand_and_a_1_by_c_row",
        ],
    ),
    (
        "mul",
        &[
            "autodiff/grad::binary_ops_with_row_broadcast",
            "autodiff/grad_edges_dense::binary_ops_with_a_rank_three_operand_and_a_1_by_c_row",
            "autodiff/grad_edges_dense::one_var_as_both_operands",
        ],
    ),
    ("scale", &["autodiff/grad::unary_ops"]),
    ("relu", &["autodiff/grad::unary_ops"]),
    ("sigmoid", &["autodiff/grad::unary_ops"]),
    ("tanh", &["autodiff/grad::unary_ops"]),
    ("exp", &["autodiff/grad::unary_ops"]),
    (
        "dropout",
        &["autodiff/grad_edges_sparse::dropout_with_its_own_seeded_mask"],
    ),
    (
        "dropout_with_mask",
        &["autodiff/grad::dropout_uses_its_mask_and_is_identity_in_eval"],
    ),
    ("concat_cols", &["autodiff/grad::layout_ops"]),
    (
        "gather_rows",
        &[
            "autodiff/grad::layout_ops",
            "autodiff/grad_edges_sparse::gather_rows_of_rank_one_and_three_with_an_out_of_range_index",
        ],
    ),
    (
        "scatter_add_rows",
        &[
            "autodiff/grad::layout_ops",
            "autodiff/grad_edges_sparse::scatter_add_rows_drops_an_out_of_range_index",
        ],
    ),
    (
        "segment_pool",
        &[
            "autodiff/grad::segment_and_row_pooling",
            "autodiff/grad_edges_dense::segment_pool_with_rows_outside_the_segments_and_two_feature_blocks",
        ],
    ),
    ("pool_rows", &["autodiff/grad::segment_and_row_pooling"]),
    ("sum_all", &["autodiff/grad::losses_and_penalties"]),
    (
        "softmax_cross_entropy",
        &[
            "autodiff/grad::losses_and_penalties",
            "autodiff/grad_edges_dense::softmax_cross_entropy_per_row_workgroups_fractional_weights_and_a_bad_label",
        ],
    ),
    (
        "l2_penalty",
        &[
            "autodiff/grad::losses_and_penalties",
            "autodiff/grad_edges_dense::penalties_with_negative_coefficients",
        ],
    ),
    (
        "frobenius_penalty",
        &[
            "autodiff/grad::losses_and_penalties",
            "autodiff/grad_edges_dense::penalties_with_negative_coefficients",
        ],
    ),
    (
        "spmm",
        &[
            "autodiff/sparse_op::spmm_gradient_through_the_prebuilt_transpose",
            "autodiff/sparse_op::gcn_layer_composite",
            "autodiff/grad_edges_sparse::spmm_with_a_hub_row_and_column_takes_the_tiled_kernel_both_ways",
        ],
    ),
    (
        "sparse_dropout",
        &["autodiff/grad_edges_sparse::spmm_through_sparse_dropout"],
    ),
    ("reshape", &["autodiff/lgrin_ops::reshape_passes_gradients_through"]),
    (
        "batch_norm",
        &[
            "autodiff/lgrin_ops::batch_norm_training_mode_gradient_and_running_stats",
            "autodiff/lgrin_ops::batch_norm_training_mode_gradient_over_several_reduction_passes",
            "autodiff/lgrin_ops::batch_norm_eval_mode_uses_running_stats",
            "autodiff/grad_edges_dense::batch_norm_of_a_rank_three_input_in_both_modes",
        ],
    ),
    (
        "batch_norm_affine",
        &["autodiff/lgrin_ops::batch_norm_affine_gradient"],
    ),
    ("prelu", &["autodiff/lgrin_ops::prelu_learns_its_slope"]),
    (
        "neighbor_max",
        &["autodiff/lgrin_ops::neighbor_max_routes_through_argmax"],
    ),
    (
        "psi_pool",
        &[
            "autodiff/lgrin_ops::psi_pooling_gradient",
            "autodiff/grad_edges_dense::psi_pool_with_a_column_p_and_structure_loss_without_p",
        ],
    ),
    (
        "structure_loss",
        &[
            "autodiff/lgrin_ops::structure_loss_through_relu_of_a",
            "autodiff/grad_edges_dense::psi_pool_with_a_column_p_and_structure_loss_without_p",
        ],
    ),
];

/// Public methods of `Tape` that record no differentiable op: construction, queries, leaves
/// (`constant`, `param`, `try_param`), ops without a rule (`no_rule`) and the reverse pass.
const NOT_OPS: &[&str] = &[
    "new",
    "training",
    "len",
    "is_empty",
    "constant",
    "try_param",
    "param",
    "no_rule",
    "backward",
];

/// The names of the `pub fn`s of every `impl Tape {` block in the .rs files under `dir`.
fn tape_methods(dir: &std::path::Path, out: &mut std::collections::BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            tape_methods(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let mut inside = false;
        for line in source.lines() {
            if line.starts_with("impl Tape {") {
                inside = true;
            } else if line == "}" {
                inside = false;
            } else if let (true, Some(rest)) = (inside, line.trim().strip_prefix("pub fn ")) {
                let name = rest.split(['(', '<']).next().unwrap();
                out.insert(name.to_string());
            }
        }
    }
}

/// The body of `#[test] fn name` in `source` (from its `fn` line to the next line that is a
/// lone `}`), or why there is none.
fn test_body<'a>(source: &'a str, name: &str) -> Result<&'a str, String> {
    let head = format!("\nfn {name}(");
    let at = source
        .find(&head)
        .ok_or_else(|| format!("no `fn {name}`"))?;
    let attrs: Vec<&str> = source[..at]
        .lines()
        .rev()
        .map(str::trim)
        .take_while(|l| l.starts_with("#[") || l.starts_with("//"))
        .collect();
    if !attrs.contains(&"#[test]") || attrs.iter().any(|a| a.starts_with("#[ignore")) {
        return Err(format!("`fn {name}` is not a running #[test]"));
    }
    let body = &source[at + 1..];
    Ok(&body[..body.find("\n}").map_or(body.len(), |e| e + 2)])
}

#[test]
fn every_tape_op_has_a_finite_difference_test() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = std::collections::BTreeSet::new();
    tape_methods(&root.join("src"), &mut found);
    assert!(
        found.contains("matmul") && found.contains("backward"),
        "{found:?}"
    );
    let listed: std::collections::BTreeSet<String> =
        GRAD_COVERAGE.iter().map(|(m, _)| m.to_string()).collect();
    assert_eq!(
        listed.len(),
        GRAD_COVERAGE.len(),
        "a method is listed twice"
    );
    let missing: Vec<&String> = found
        .iter()
        .filter(|m| !listed.contains(*m) && !NOT_OPS.contains(&m.as_str()))
        .collect();
    let stale: Vec<&String> = listed.iter().filter(|m| !found.contains(*m)).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "GRAD_COVERAGE must list every op-recording public method of Tape: add {missing:?} \
         (with a finite-difference test), remove {stale:?}"
    );
    let mut sources = std::collections::BTreeMap::new();
    let mut errors = Vec::new();
    for (method, tests) in GRAD_COVERAGE {
        assert!(!tests.is_empty(), "{method}: no test");
        for test in *tests {
            let (file, name) = test.split_once("::").expect("area/file::name");
            let source: &String = sources.entry(file).or_insert_with(|| {
                std::fs::read_to_string(root.join("tests").join(format!("{file}.rs")))
                    .unwrap_or_default()
            });
            match test_body(source, name) {
                Err(why) => errors.push(format!("{method}: tests/{file}.rs: {why}")),
                Ok(body) => {
                    if !body.contains(&format!(".{method}(")) {
                        errors.push(format!("{method}: {test} does not call it"));
                    }
                    if !body.contains("check(") && !body.contains("check_mode(") {
                        errors.push(format!("{method}: {test} runs no finite-difference check"));
                    }
                }
            }
        }
    }
    assert!(errors.is_empty(), "GRAD_COVERAGE:\n{}", errors.join("\n"));
}

/// The tape methods that record each `Op` variant. The match has no wildcard arm, so a new
/// variant does not compile until it is mapped here (and its methods listed, with their
/// finite-difference tests, in `GRAD_COVERAGE`).
fn recorded_by(op: &synchgraph::autodiff::Op) -> &'static [&'static str] {
    use synchgraph::autodiff::Op;
    match op {
        Op::Leaf => &["constant"],
        Op::Param(_) => &["param", "try_param"],
        Op::MatMul(..) => &["matmul"],
        Op::MatMulTn(..) => &["matmul_tn", "psi_pool"],
        Op::MatMulNt(..) => &["matmul_nt"],
        Op::Add(..) => &["add", "prelu", "batch_norm_affine", "structure_loss"],
        Op::Sub(..) => &["sub", "prelu"],
        Op::Mul(..) => &["mul", "prelu", "batch_norm_affine", "structure_loss"],
        Op::Scale(..) => &["scale", "structure_loss"],
        Op::Act(..) => &["relu", "sigmoid", "tanh", "exp", "prelu"],
        Op::Dropout(..) => &["dropout", "dropout_with_mask"],
        Op::ConcatCols(_) => &["concat_cols"],
        Op::GatherRows(..) => &["gather_rows"],
        Op::ScatterAddRows(..) => &["scatter_add_rows"],
        Op::SegmentReduce { .. } => &["segment_pool", "pool_rows"],
        Op::SumAll(_) => &["sum_all", "structure_loss"],
        Op::SoftmaxCrossEntropy(..) => &["softmax_cross_entropy"],
        Op::L2(..) => &["l2_penalty", "structure_loss"],
        Op::Frobenius(..) => &["frobenius_penalty"],
        Op::NoRule(..) => &["no_rule"],
        Op::Reshape(_) => &["reshape", "psi_pool"],
        Op::BatchNorm { .. } => &["batch_norm", "batch_norm_affine"],
        Op::NeighborMax(..) => &["neighbor_max"],
        Op::Spmm(..) => &["spmm"],
    }
}

#[test]
fn every_op_variant_is_recorded_by_a_covered_method() {
    use synchgraph::autodiff::Op;
    let g = gpu();
    let t = Tensor::from_f32(&g, &[1], &[1.0]).unwrap();
    let csr = Csr::from_edges(&g, 2, &[(0, 1)], None, false, false).unwrap();
    let mut store = ParamStore::new();
    let pid = store.add("p", t.clone(), 0.0);
    let ops = [
        Op::Leaf,
        Op::Param(pid),
        Op::MatMul(0, 1),
        Op::MatMulTn(0, 1),
        Op::MatMulNt(0, 1),
        Op::Add(0, 1),
        Op::Sub(0, 1),
        Op::Mul(0, 1),
        Op::Scale(0, 1.0),
        Op::Act(0, synchgraph::kernels::backward::Activation::Relu),
        Op::Dropout(0, t.clone()),
        Op::ConcatCols(vec![0]),
        Op::GatherRows(0, t.clone()),
        Op::ScatterAddRows(0, t.clone(), 1),
        Op::SegmentReduce {
            x: 0,
            offsets: t.clone(),
            op: ReduceOp::Sum,
            argmax: None,
        },
        Op::SumAll(0),
        Op::SoftmaxCrossEntropy(0, t.clone()),
        Op::L2(0, 1.0),
        Op::Frobenius(0, 1.0),
        Op::NoRule("x", vec![]),
        Op::Reshape(0),
        Op::BatchNorm {
            x: 0,
            invstd: t.clone(),
            batch_stats: true,
        },
        Op::NeighborMax(0, t.clone(), t.clone()),
        Op::Spmm(0, Box::new(csr)),
    ];
    let covered: Vec<&str> = GRAD_COVERAGE
        .iter()
        .map(|(m, _)| *m)
        .chain(NOT_OPS.iter().copied())
        .collect();
    for op in &ops {
        for m in recorded_by(op) {
            assert!(
                covered.contains(m),
                "{}: recorded by {m}, which neither GRAD_COVERAGE nor NOT_OPS lists",
                op.name()
            );
        }
    }
    // Every variant except the leaves and NoRule has a backward rule with a covered method.
    for op in ops
        .iter()
        .filter(|o| !matches!(o, Op::Leaf | Op::Param(_) | Op::NoRule(..)))
    {
        assert!(
            recorded_by(op)
                .iter()
                .any(|m| GRAD_COVERAGE.iter().any(|(c, _)| c == m)),
            "{}: no finite-difference-checked method records it",
            op.name()
        );
    }
}

//! Kernel coverage. `COVERAGE` (at the top of this file) lists every compute entry point of
//! every shader family with the test that checks it against a plain Rust reference on random
//! inputs and the test of its folded 2-D grid path (or why it has none); tests below check that
//! the table lists exactly the entry points the WGSL sources declare and names real tests.

use std::collections::{BTreeMap, BTreeSet};
use synchgraph::gpu::Shader;

/// How an entry point's folded 2-D grid path (the path past 65,535 workgroups) is tested.
enum Grid {
    /// This test runs the entry point on a folded grid: on `folded_gpu()`, or past 65,535
    /// workgroups on the device's real limit.
    Folded(&'static str),
    /// The entry point has no folded path, for the reason given.
    NoFold(&'static str),
}
use Grid::{Folded, NoFold};

/// A dispatch of one workgroup (checked by `single_workgroup_entry_points_ignore_the_grid`).
const ONE_WORKGROUP: &str = "single workgroup: the kernel runs as exactly one workgroup";

/// Every compute entry point of every shader family, as "family::entry" (the family is its file
/// name under shaders/ without `.wgsl`), with the test that checks it against a plain Rust
/// reference on random inputs and the test of its folded / over-65,535-workgroup path. A test
/// is named "area/file::name" for `#[test] fn name` in tests/area/file.rs. Completeness is
/// checked by `every_entry_point_is_in_the_coverage_table`, the names by
/// `the_coverage_table_names_real_tests`.
const COVERAGE: &[(&str, &str, Grid)] = &[
    (
        "backward::act_backward",
        "kernels/folded_grid::backward_kernels_on_a_folded_grid",
        Folded("kernels/folded_grid::backward_kernels_on_a_folded_grid"),
    ),
    (
        "backward::broadcast_scalar",
        "kernels/folded_grid::backward_kernels_on_a_folded_grid",
        Folded("kernels/folded_grid::backward_kernels_on_a_folded_grid"),
    ),
    (
        "backward::dropout_mask",
        "kernels/folded_grid::backward_kernels_on_a_folded_grid",
        Folded("kernels/folded_grid::backward_kernels_on_a_folded_grid"),
    ),
    (
        "cast::f16_to_f32",
        "gpu/tensor::f16_casts_round_to_nearest",
        Folded("kernels/folded_grid::f16_casts_on_a_folded_grid"),
    ),
    (
        "cast::f32_to_f16",
        "gpu/tensor::f16_casts_round_to_nearest",
        Folded("kernels/folded_grid::f16_casts_on_a_folded_grid"),
    ),
    (
        "elementwise::binary",
        "kernels/elementwise::binary_ops_broadcast_rows_and_scalars",
        Folded("kernels/elementwise::binary_unary_and_select_on_a_folded_grid"),
    ),
    (
        "elementwise::select_where",
        "kernels/elementwise::scale_affine_and_select",
        Folded("kernels/elementwise::binary_unary_and_select_on_a_folded_grid"),
    ),
    (
        "elementwise::unary",
        "kernels/elementwise::unary_ops_match_reference",
        Folded("kernels/elementwise::binary_unary_and_select_on_a_folded_grid"),
    ),
    (
        "layout::copy_cols",
        "kernels/layout::concat_and_slice_round_trip",
        Folded("kernels/layout::layout_kernels_on_a_folded_grid"),
    ),
    (
        "layout::gather_rows",
        "kernels/layout::gather_rows_matches_reference_and_zeroes_bad_indices",
        Folded("kernels/folded_rows::gather_rows_on_a_folded_grid"),
    ),
    (
        "layout::scatter_fill",
        "kernels/layout::scatter_plan_is_reusable_and_exposes_csr",
        Folded("kernels/layout::layout_kernels_on_a_folded_grid"),
    ),
    (
        "layout::scatter_group_prefix",
        "kernels/layout::scatter_plan_groups_of_several_chunks",
        Folded("kernels/layout::layout_kernels_on_a_folded_grid"),
    ),
    (
        "layout::scatter_hist",
        "kernels/layout::scatter_plan_is_reusable_and_exposes_csr",
        Folded("kernels/layout::layout_kernels_on_a_folded_grid"),
    ),
    (
        "layout::scatter_scan",
        "kernels/layout::scatter_plan_is_reusable_and_exposes_csr",
        NoFold(ONE_WORKGROUP),
    ),
    (
        "layout::scatter_sum",
        "kernels/layout::scatter_add_rows_is_exact_in_source_order_and_deterministic",
        Folded("kernels/layout::layout_kernels_on_a_folded_grid"),
    ),
    (
        "layout::transpose_tiled",
        "kernels/layout::transpose_matches_reference",
        Folded("kernels/layout::layout_kernels_on_a_folded_grid"),
    ),
    (
        "lif::lif_step",
        "snn/lif::lif_matches_reference_on_awkward_sizes",
        Folded("snn/lif::lif_two_dimensional_grid_path"),
    ),
    (
        "matmul::gemm",
        "kernels/matmul::every_tile_and_transpose_matches_reference",
        Folded("kernels/matmul_grid::matmul_tile_rows_past_the_grid_limit_go_to_z_layers"),
    ),
    (
        "matmul::gemm_direct",
        "kernels/matmul::every_tile_and_transpose_matches_reference",
        Folded("kernels/matmul_grid::matmul_tile_rows_past_the_grid_limit_go_to_z_layers"),
    ),
    (
        "neighbor_max::masked_max",
        "kernels/neighbor_max::forward_matches_reference_including_isolated_nodes",
        Folded("kernels/folded_reductions::neighbor_max_backward_on_a_folded_grid"),
    ),
    (
        "neighbor_max::masked_max_backward",
        "kernels/neighbor_max::backward_matches_finite_differences",
        Folded("kernels/folded_reductions::neighbor_max_backward_on_a_folded_grid"),
    ),
    (
        "optim::adam_step",
        "autodiff/optim::adam_matches_reference_with_per_parameter_weight_decay",
        Folded("autodiff/optim::adam_on_a_folded_grid"),
    ),
    (
        "optim::sgd_step",
        "autodiff/optim::sgd_with_momentum_matches_reference",
        Folded("autodiff/optim::sgd_on_a_folded_grid"),
    ),
    (
        "poisson::poisson_step",
        "snn/kernels_grid::poisson_step_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::poisson_step_matches_reference_on_a_folded_grid"),
    ),
    (
        "poisson::schedule_step",
        "snn/kernels_grid::schedule_step_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::schedule_step_matches_reference_on_a_folded_grid"),
    ),
    (
        "random::normal_fill",
        "kernels/folded_grid::random_fills_match_the_hash_reference_on_a_folded_grid",
        Folded("kernels/folded_grid::random_fills_match_the_hash_reference_on_a_folded_grid"),
    ),
    (
        "random::uniform_fill",
        "kernels/folded_grid::random_fills_match_the_hash_reference_on_a_folded_grid",
        Folded("kernels/folded_grid::random_fills_match_the_hash_reference_on_a_folded_grid"),
    ),
    (
        "reduce::reduce_cols",
        "kernels/reduce::reduce_cols_matches_reference",
        Folded("kernels/reduce::reductions_on_a_folded_grid"),
    ),
    (
        "reduce::reduce_rows",
        "kernels/reduce::reduce_rows_matches_reference",
        Folded("kernels/folded_rows::reduce_rows_workgroup_per_row_on_a_folded_grid"),
    ),
    (
        "reduce::reduce_rows_small",
        "kernels/reduce::reduce_rows_matches_reference",
        Folded("kernels/reduce::reductions_on_a_folded_grid"),
    ),
    (
        "scan::add_offsets",
        "graphs/synchrony::exclusive_scan_matches_reference",
        Folded("kernels/folded_grid::exclusive_scan_on_a_folded_grid"),
    ),
    (
        "scan::scan_blocks",
        "graphs/synchrony::exclusive_scan_matches_reference",
        Folded("kernels/folded_grid::exclusive_scan_on_a_folded_grid"),
    ),
    (
        "scan::write_total",
        "graphs/synchrony::exclusive_scan_matches_reference",
        NoFold(ONE_WORKGROUP),
    ),
    (
        "segment::segment_expand",
        "kernels/segment::backward_passes_match_reference",
        Folded("kernels/folded_reductions::segment_kernels_on_a_folded_grid"),
    ),
    (
        "segment::segment_max",
        "kernels/segment::segment_reduce_matches_reference",
        Folded("kernels/folded_reductions::segment_kernels_on_a_folded_grid"),
    ),
    (
        "segment::segment_max_backward",
        "kernels/segment::backward_passes_match_reference",
        Folded("kernels/folded_reductions::segment_kernels_on_a_folded_grid"),
    ),
    (
        "segment::segment_sum",
        "kernels/segment::segment_reduce_matches_reference",
        Folded("kernels/folded_reductions::segment_kernels_on_a_folded_grid"),
    ),
    (
        "softmax::ce_grad",
        "kernels/softmax::cross_entropy_matches_reference",
        Folded("kernels/folded_reductions::softmax_kernels_on_a_folded_grid"),
    ),
    (
        "softmax::ce_rows",
        "kernels/softmax::cross_entropy_matches_reference",
        Folded("kernels/folded_reductions::softmax_kernels_on_a_folded_grid"),
    ),
    (
        "softmax::ce_rows_small",
        "kernels/softmax::cross_entropy_matches_reference",
        Folded("kernels/folded_reductions::softmax_kernels_on_a_folded_grid"),
    ),
    (
        "softmax::ce_total",
        "kernels/softmax::cross_entropy_matches_reference",
        NoFold(ONE_WORKGROUP),
    ),
    (
        "softmax::softmax_rows",
        "kernels/softmax::softmax_rows_matches_reference",
        Folded("kernels/folded_rows::softmax_rows_workgroup_per_row_on_a_folded_grid"),
    ),
    (
        "softmax::softmax_rows_small",
        "kernels/softmax::softmax_rows_matches_reference",
        Folded("kernels/folded_reductions::softmax_kernels_on_a_folded_grid"),
    ),
    (
        "sparse::spmm",
        "graphs/sparse::high_degree_node_and_empty_rows",
        Folded("kernels/folded_rows::tiled_spmm_of_many_rows_on_a_folded_grid"),
    ),
    (
        "sparse::spmm_flat",
        "graphs/sparse::random_graphs_match_reference_for_many_feature_widths",
        Folded("kernels/folded_rows::spmm_flat_both_directions_on_a_folded_grid"),
    ),
    (
        "stdp::normalize",
        "snn/kernels_grid::normalize_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::normalize_matches_reference_on_a_folded_grid"),
    ),
    (
        "stdp::stdp_weights",
        "snn/kernels_grid::stdp_step_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::stdp_step_matches_reference_on_a_folded_grid"),
    ),
    (
        "stdp::trace_post",
        "snn/kernels_grid::stdp_step_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::stdp_step_matches_reference_on_a_folded_grid"),
    ),
    (
        "stdp::trace_pre",
        "snn/kernels_grid::stdp_step_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::stdp_step_matches_reference_on_a_folded_grid"),
    ),
    (
        "synapse::compact",
        "snn/kernels_grid::compact_and_record_match_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::compact_and_record_match_reference_on_a_folded_grid"),
    ),
    (
        "synapse::propagate",
        "snn/kernels_grid::propagate_matches_reference_on_a_folded_grid",
        Folded("snn/kernels_grid::propagate_matches_reference_on_a_folded_grid"),
    ),
    (
        "synapse::sort_lists",
        "snn/kernels_grid::sort_lists_on_a_folded_grid",
        Folded("snn/kernels_grid::sort_lists_on_a_folded_grid"),
    ),
    (
        "synchrony::active_flags",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::clip_offsets",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::compact_nodes",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::fill_cols",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::mark_pairs",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::renumber_cols",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::row_degree",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
    (
        "synchrony::spike_stats",
        "graphs/synchrony::random_clips_match_the_reference",
        Folded("graphs/synchrony::every_synchrony_kernel_on_a_folded_grid"),
    ),
];

/// Every compute entry point of every registered family, as "family::entry", with the builtins
/// its arguments read (directly or as members of a struct argument).
fn entry_points() -> BTreeMap<String, Vec<naga::BuiltIn>> {
    let mut out = BTreeMap::new();
    for &shader in Shader::ALL {
        let source = shader.source();
        let module = naga::front::wgsl::parse_str(&source)
            .unwrap_or_else(|e| panic!("{}: {}", shader.file_name(), e.emit_to_string(&source)));
        let family = shader.file_name().trim_end_matches(".wgsl");
        for ep in &module.entry_points {
            if ep.stage != naga::ShaderStage::Compute {
                continue;
            }
            let mut builtins = Vec::new();
            for arg in &ep.function.arguments {
                if let Some(naga::Binding::BuiltIn(b)) = arg.binding {
                    builtins.push(b);
                }
                if let naga::TypeInner::Struct { members, .. } = &module.types[arg.ty].inner {
                    for m in members {
                        if let Some(naga::Binding::BuiltIn(b)) = m.binding {
                            builtins.push(b);
                        }
                    }
                }
            }
            let key = format!("{family}::{}", ep.name);
            assert!(out.insert(key.clone(), builtins).is_none(), "{key} twice");
        }
    }
    out
}

#[test]
fn every_entry_point_is_in_the_coverage_table() {
    let found = entry_points();
    let listed: BTreeSet<&str> = COVERAGE.iter().map(|(entry, _, _)| *entry).collect();
    assert_eq!(
        listed.len(),
        COVERAGE.len(),
        "an entry point is listed twice"
    );
    let missing: Vec<&str> = found
        .keys()
        .map(String::as_str)
        .filter(|k| !listed.contains(k))
        .collect();
    let stale: Vec<&str> = listed
        .iter()
        .copied()
        .filter(|k| !found.contains_key(*k))
        .collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "COVERAGE must list exactly the compute entry points of the shaders: add {missing:?} \
         (with their reference and folded-grid tests), remove {stale:?}"
    );
    eprintln!("{} compute entry points, all in COVERAGE", found.len());
}

/// An entry point without a folded path must not depend on the grid: it reads no workgroup id,
/// workgroup count or global invocation id, so it computes the same in any one-workgroup
/// dispatch. A kernel that starts to use them needs a folded-grid test instead.
#[test]
fn single_workgroup_entry_points_ignore_the_grid() {
    let found = entry_points();
    for (entry, _, grid) in COVERAGE {
        let (NoFold(_), Some(builtins)) = (grid, found.get(*entry)) else {
            continue;
        };
        for b in builtins {
            assert!(
                !matches!(
                    b,
                    naga::BuiltIn::WorkGroupId
                        | naga::BuiltIn::NumWorkGroups
                        | naga::BuiltIn::GlobalInvocationId
                ),
                "{entry} is listed without a folded path but reads {b:?}"
            );
        }
    }
}

/// The body of `#[test] fn name` in `source` (from the `fn` line to the closing brace at the
/// start of a line), or why it is not there: no such fn, not marked `#[test]`, or `#[ignore]`d.
fn test_body<'a>(source: &'a str, name: &str) -> Result<&'a str, String> {
    let lines: Vec<&str> = source.lines().collect();
    let head = format!("fn {name}(");
    let at = lines
        .iter()
        .position(|l| l.starts_with(&head))
        .ok_or_else(|| format!("no `fn {name}`"))?;
    let attrs: Vec<&str> = lines[..at]
        .iter()
        .rev()
        .map(|l| l.trim())
        .take_while(|l| l.starts_with("#[") || l.starts_with("//"))
        .collect();
    if !attrs.contains(&"#[test]") {
        return Err(format!("`fn {name}` is not a #[test]"));
    }
    if attrs.iter().any(|a| a.starts_with("#[ignore")) {
        return Err(format!("`fn {name}` is #[ignore]d"));
    }
    let start = source
        .match_indices(&format!("\n{head}"))
        .next()
        .map_or(0, |(i, _)| i + 1);
    let len = source[start..]
        .find("\n}")
        .map_or(source.len() - start, |e| e + 2);
    Ok(&source[start..start + len])
}

/// Why `test` ("area/file::name") is not a usable test of the coverage table, if it is not: it must
/// be a #[test] fn (not ignored) of tests/area/file.rs, and a folded test must open `folded_gpu()`
/// or say 65535 in its name; one on `folded_gpu()` must also check that its sizes fold the grid
/// (`assert_folded`, or a comparison with `FOLD_DIM`), since a size within one grid row of 7
/// workgroups would pass without taking the folded path.
fn bad_test_name(
    sources: &mut BTreeMap<String, String>,
    test: &str,
    folded: bool,
) -> Option<String> {
    let Some((file, name)) = test.split_once("::") else {
        return Some(format!("{test:?} is not area/file::name"));
    };
    let source = sources.entry(file.to_string()).or_insert_with(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join(format!("{file}.rs"));
        std::fs::read_to_string(path).unwrap_or_default()
    });
    match test_body(source, name) {
        Err(why) => Some(format!("tests/{file}.rs: {why}")),
        Ok(body) if folded && !body.contains("folded_gpu()") && !name.contains("65535") => Some(
            format!("{test} neither uses folded_gpu() nor says 65535 in its name"),
        ),
        Ok(body)
            if folded
                && body.contains("folded_gpu()")
                && !body.contains("assert_folded(")
                && !body.contains("FOLD_DIM") =>
        {
            Some(format!(
                "{test} uses folded_gpu() but never checks that its sizes fold the grid \
                 (assert_folded or FOLD_DIM)"
            ))
        }
        Ok(_) => None,
    }
}

#[test]
fn the_coverage_table_names_real_tests() {
    let mut sources = BTreeMap::new();
    let mut errors = Vec::new();
    for (entry, reference, grid) in COVERAGE {
        if let Some(why) = bad_test_name(&mut sources, reference, false) {
            errors.push(format!("{entry}: reference test: {why}"));
        }
        match grid {
            Folded(test) => {
                if let Some(why) = bad_test_name(&mut sources, test, true) {
                    errors.push(format!("{entry}: folded test: {why}"));
                }
            }
            NoFold(why) if why.trim().is_empty() => {
                errors.push(format!("{entry}: no folded test and no reason"))
            }
            NoFold(_) => {}
        }
    }
    assert!(errors.is_empty(), "COVERAGE:\n{}", errors.join("\n"));
}

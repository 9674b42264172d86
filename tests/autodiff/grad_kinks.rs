//! Gradients at kinks, handled deliberately: relu's gradient at exactly 0 is 0 (a subgradient),
//! and a max over tied values (segment, row and neighbour max) routes the whole gradient to the
//! first tied row, exactly.

use crate::common;

use common::gpu;
use synchgraph::autodiff::{ParamStore, Tape};
use synchgraph::kernels::reduce::ReduceOp;
use synchgraph::Tensor;

/// The gradient of Σ w ⊙ f(x) for one parameter x, through the tape.
fn grad_of(
    shape: &[usize],
    x: &[f32],
    w: &[f32],
    f: &dyn Fn(
        &mut Tape,
        &synchgraph::autodiff::Var,
    ) -> synchgraph::Result<synchgraph::autodiff::Var>,
) -> Vec<f32> {
    let g = gpu();
    let mut store = ParamStore::new();
    let id = store.add("x", Tensor::from_f32(&g, shape, x).unwrap(), 0.0);
    let mut tape = Tape::new(&g, true, 0);
    let xv = tape.param(&store, id);
    let y = f(&mut tape, &xv).unwrap();
    let wt = tape.constant(&Tensor::from_f32(&g, y.shape(), w).unwrap());
    let yw = tape.mul(&y, &wt).unwrap();
    let loss = tape.sum_all(&yw).unwrap();
    tape.backward(&loss, &mut store).unwrap();
    store.grad(id).unwrap().to_f32().unwrap()
}

#[test]
fn relu_at_exactly_zero_has_the_zero_subgradient() {
    // The finite difference at 0 is 1/2 (the average of the two sides); the rule gives 0, the
    // subgradient that the kernel documents (f'(x) = 1 where y > 0).
    let x = [0.0f32, 0.5, -0.5, 0.0];
    let w = [1.0f32, 2.0, 3.0, -4.0];
    let got = grad_of(&[4], &x, &w, &|t, v| t.relu(v));
    assert_eq!(got, vec![0.0, 2.0, 0.0, 0.0]);
}

#[test]
fn max_ties_route_the_whole_gradient_to_the_first_tied_row() {
    // Exact ties (as a max over ReLU outputs meets at 0): the first row attaining the max gets
    // the segment's gradient, the others 0.
    let g = gpu();
    // Column 0: rows 1 and 3 tie at 0.5; column 1: rows 0, 2 and 3 tie at 0.
    let x = [0.2f32, 0.0, 0.5, -1.0, 0.1, 0.0, 0.5, 0.0];
    let w = [3.0f32, -2.0];
    let pooled = grad_of(&[4, 2], &x, &w, &|t, v| t.pool_rows(v, ReduceOp::Max));
    assert_eq!(pooled, vec![0.0, -2.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    let offsets = Tensor::from_u32(&g, &[3], &[0, 4, 4]).unwrap();
    let w2 = [3.0f32, -2.0, 5.0, 7.0];
    let seg = grad_of(&[4, 2], &x, &w2, &|t, v| {
        t.segment_pool(v, &offsets, ReduceOp::Max)
    });
    assert_eq!(seg, pooled, "segment max (the empty segment adds nothing)");
    // Neighbour max: node 0's neighbours are 1, 2, 3 (rows 1 and 3 tie in column 0, 2 and 3
    // in column 1 at 0); node 1's are 0 and 3.
    let mut mask = vec![0.0f32; 16];
    for (i, j) in [(0, 1), (0, 2), (0, 3), (1, 0), (1, 3)] {
        mask[i * 4 + j] = 1.0;
    }
    let mt = Tensor::from_f32(&g, &[4, 4], &mask).unwrap();
    let w3 = [1.0f32, 2.0, 10.0, 20.0, 0.0, 0.0, 0.0, 0.0];
    let nm = grad_of(&[4, 2], &x, &w3, &|t, v| t.neighbor_max(&mt, v));
    // Node 0: column 0 max 0.5 at rows 1 and 3 -> row 1; column 1 max 0 at rows 2, 3 -> row 2
    // (row 1's -1 is below). Node 1: column 0 max 0.5 at row 3 (row 0 has 0.2); column 1 max
    // 0.0 at rows 0 and 3 -> row 0. Nodes 2 and 3 have no neighbours (weight 0 anyway).
    let want = vec![0.0, 20.0, 1.0, 0.0, 0.0, 2.0, 10.0, 0.0];
    assert_eq!(nm, want, "neighbour max");
}

//! The adjacency structure loss weighs every entry of ReLU(A) [m, m] by the distance penalty
//! A_d [m, m]. A row vector A_d [m] used to pass: the elementwise product broadcast it over the
//! rows, and the loss came out as Σ_ij ReLU(A)_ij d_j without a word. It is now a shape error,
//! and a correct A_d still gives λ (Σ ReLU(A) ⊙ A_d + Σ ReLU(A)²) / m² (checked to
//! |got - want| <= 1e-5 + 1e-5 |want| against an f64 sum).

use crate::common;

use common::{assert_close, gpu};
use synchgraph::autodiff::Tape;
use synchgraph::{Error, Tensor};

#[test]
fn structure_loss_refuses_a_distance_penalty_of_another_shape() {
    let g = gpu();
    let m = 3usize;
    let a: Vec<f32> = (0..m * m).map(|k| k as f32 * 0.5 - 1.0).collect();
    let mut tape = Tape::new(&g, true, 0);
    let av = tape.constant(&Tensor::from_f32(&g, &[m, m], &a).unwrap());
    let ra = tape.relu(&av).unwrap();
    for shape in [vec![m], vec![1, m], vec![m * m]] {
        let n: usize = shape.iter().product();
        let ad = Tensor::from_f32(&g, &shape, &vec![1.0; n]).unwrap();
        match tape.structure_loss(&ra, &ad, None, 1.0, 0.0, true) {
            Err(Error::Shape { .. }) => {}
            other => panic!("A_d {shape:?}: expected a shape error, got {other:?}"),
        }
    }
    let ad: Vec<f32> = (0..m * m)
        .map(|k| ((k / m) as f32 - (k % m) as f32).powi(2))
        .collect();
    let adt = Tensor::from_f32(&g, &[m, m], &ad).unwrap();
    let loss = tape
        .structure_loss(&ra, &adt, None, 0.5, 0.0, true)
        .unwrap();
    let want: f64 = a
        .iter()
        .zip(&ad)
        .map(|(&x, &d)| {
            let r = f64::from(x.max(0.0));
            r * f64::from(d) + r * r
        })
        .sum::<f64>()
        * 0.5
        / (m * m) as f64;
    assert_close(
        "structure loss",
        &loss.value().to_f32().unwrap(),
        &[want as f32],
        1e-5,
        1e-5,
    );
}

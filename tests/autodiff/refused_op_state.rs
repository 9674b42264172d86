//! A refused tape op changes nothing: not the batch-norm running statistics, not the tape, not
//! the dropout mask stream. `batch_norm_affine` used to check γ and β only in its last two ops,
//! after the batch norm of a training tape had already moved the running statistics, so a
//! refused call still shifted every later evaluation; a running variance of another length than
//! the running mean was broadcast as one variance for every column in evaluation mode, and
//! failed in training mode after the running mean had moved; and a `dropout` of a non-f32 value
//! advanced the mask counter before failing, so every later mask of the tape changed; PReLU,
//! Ψ pooling and the structure loss checked some of their inputs only in a later one of the
//! nodes they record, so a refused call left the earlier nodes on the tape. Exact checks only
//! (bits and tape lengths).

use crate::common;

use common::gpu;
use synchgraph::autodiff::{BatchNormStats, Tape};
use synchgraph::{DType, Error, Tensor};

/// The bits of both running statistics.
fn stats_bits(s: &BatchNormStats) -> (Vec<u32>, Vec<u32>) {
    let bits = |t: &Tensor| t.to_f32().unwrap().iter().map(|v| v.to_bits()).collect();
    (bits(&s.running_mean), bits(&s.running_var))
}

#[test]
fn a_refused_batch_norm_affine_leaves_the_running_statistics() {
    let g = gpu();
    let x = Tensor::from_f32(&g, &[3, 2], &[1.0, 2.0, 3.0, 5.0, 6.0, 9.0]).unwrap();
    let row = |v: &[f32]| Tensor::from_f32(&g, &[v.len()], v).unwrap();
    let cases = [
        ("gamma of length 3", row(&[1.0; 3]), row(&[0.0; 2])),
        ("beta of length 1", row(&[1.0; 2]), row(&[0.0])),
        (
            "u32 gamma",
            Tensor::zeros(&g, &[2], DType::U32).unwrap(),
            row(&[0.0; 2]),
        ),
    ];
    for training in [true, false] {
        for (what, gamma, beta) in &cases {
            let mut stats = BatchNormStats::new(&g, 2).unwrap();
            let before = stats_bits(&stats);
            let mut tape = Tape::new(&g, training, 0);
            let xv = tape.constant(&x);
            let gv = tape.constant(gamma);
            let bv = tape.constant(beta);
            let len = tape.len();
            match tape.batch_norm_affine(&xv, &mut stats, &gv, &bv) {
                Err(Error::Shape { .. } | Error::DType { .. }) => {}
                other => panic!("training {training}, {what}: {:?}", other.map(|_| ())),
            }
            assert_eq!(stats_bits(&stats), before, "training {training}, {what}");
            assert_eq!(
                tape.len(),
                len,
                "training {training}, {what}: nodes recorded"
            );
        }
    }
}

#[test]
fn batch_norm_refuses_a_running_variance_of_another_length() {
    let g = gpu();
    let x = Tensor::from_f32(&g, &[3, 2], &[1.0, 2.0, 3.0, 5.0, 6.0, 9.0]).unwrap();
    for training in [true, false] {
        for var in [vec![4.0], vec![1.0, 4.0, 9.0]] {
            let mut stats = BatchNormStats::new(&g, 2).unwrap();
            stats.running_var = Tensor::from_f32(&g, &[var.len()], &var).unwrap();
            let before = stats_bits(&stats);
            let mut tape = Tape::new(&g, training, 0);
            let xv = tape.constant(&x);
            match tape.batch_norm(&xv, &mut stats) {
                Err(Error::Shape { message, .. }) => {
                    assert!(message.contains("running variance"), "{message}")
                }
                other => panic!("training {training}, var {var:?}: {:?}", other.map(|_| ())),
            }
            assert_eq!(
                stats_bits(&stats),
                before,
                "training {training}, var {var:?}"
            );
        }
    }
}

#[test]
fn a_refused_dropout_does_not_shift_later_masks() {
    let g = gpu();
    let x = Tensor::from_f32(&g, &[4, 8], &[1.0; 32]).unwrap();
    let ints = Tensor::zeros(&g, &[4, 8], DType::U32).unwrap();
    let mut plain = Tape::new(&g, true, 11);
    let xv = plain.constant(&x);
    let want = plain.dropout(&xv, 0.5).unwrap().value().to_f32().unwrap();

    let mut tape = Tape::new(&g, true, 11);
    let iv = tape.constant(&ints);
    assert!(matches!(tape.dropout(&iv, 0.5), Err(Error::DType { .. })));
    let xv = tape.constant(&x);
    let got = tape.dropout(&xv, 0.5).unwrap().value().to_f32().unwrap();
    assert_eq!(got, want, "the mask after a refused dropout");
}

/// The composite ops (PReLU, Ψ pooling, the structure loss) record several nodes; a call they
/// refuse (a slope that is no row vector of x's width, a slope, h or p of another dtype than
/// f32, an h that is not a matrix, a u32 distance penalty or ReLU(A)) records none of them.
/// Exact check of the tape length.
#[test]
fn refused_composite_ops_record_no_nodes() {
    let g = gpu();
    let f32s = |shape: &[usize]| {
        let n = shape.iter().product();
        Tensor::from_f32(&g, shape, &vec![0.5; n]).unwrap()
    };
    let u32s = |shape: &[usize]| Tensor::zeros(&g, shape, DType::U32).unwrap();
    // Each case records its inputs as constants, then calls the op: (tape length before the
    // op, the op's result).
    type Case<'a> = (
        &'a str,
        Box<dyn Fn(&mut Tape) -> (usize, synchgraph::Result<()>) + 'a>,
    );
    let cases: Vec<Case> = vec![
        (
            "prelu, slope of length 3 for 2 columns",
            Box::new(|t| {
                let x = t.constant(&f32s(&[4, 2]));
                let s = t.constant(&f32s(&[3]));
                (t.len(), t.prelu(&x, &s).map(|_| ()))
            }),
        ),
        (
            "prelu, u32 slope",
            Box::new(|t| {
                let x = t.constant(&f32s(&[4, 2]));
                let s = t.constant(&u32s(&[2]));
                (t.len(), t.prelu(&x, &s).map(|_| ()))
            }),
        ),
        (
            "psi_pool, u32 p",
            Box::new(|t| {
                let h = t.constant(&f32s(&[4, 2]));
                let p = t.constant(&u32s(&[4]));
                (t.len(), t.psi_pool(&h, &p).map(|_| ()))
            }),
        ),
        (
            "psi_pool, rank-3 h",
            Box::new(|t| {
                let h = t.constant(&f32s(&[2, 2, 3]));
                let p = t.constant(&f32s(&[4]));
                (t.len(), t.psi_pool(&h, &p).map(|_| ()))
            }),
        ),
        (
            "structure_loss, u32 distance penalty",
            Box::new(|t| {
                let a = t.constant(&f32s(&[3, 3]));
                let d = u32s(&[3, 3]);
                (
                    t.len(),
                    t.structure_loss(&a, &d, None, 1.0, 1.0, true).map(|_| ()),
                )
            }),
        ),
        (
            "structure_loss, u32 ReLU(A)",
            Box::new(|t| {
                let a = t.constant(&u32s(&[3, 3]));
                let d = f32s(&[3, 3]);
                (
                    t.len(),
                    t.structure_loss(&a, &d, None, 1.0, 1.0, true).map(|_| ()),
                )
            }),
        ),
        (
            "structure_loss, u32 p",
            Box::new(|t| {
                let a = t.constant(&f32s(&[3, 3]));
                let p = t.constant(&u32s(&[3]));
                let d = f32s(&[3, 3]);
                (
                    t.len(),
                    t.structure_loss(&a, &d, Some(&p), 1.0, 1.0, true)
                        .map(|_| ()),
                )
            }),
        ),
    ];
    let mut recorded = Vec::new();
    for (what, case) in &cases {
        let mut tape = Tape::new(&g, true, 0);
        let (before, result) = case(&mut tape);
        match result {
            Err(Error::Shape { .. } | Error::DType { .. }) => {}
            other => panic!("{what}: {other:?}"),
        }
        if tape.len() != before {
            recorded.push(format!("{what}: {} nodes", tape.len() - before));
        }
    }
    assert!(
        recorded.is_empty(),
        "refused calls recorded nodes: {recorded:?}"
    );
}

//! Batched inference in evaluation mode: class probabilities of clips recorded on the GPU in
//! minibatches and read back once, and the scoring of labelled clips.

use super::batches::upload_node_major;
use super::checks::{check_clips, check_finite, check_matrix};
use super::model::Lgrin;
use super::scores::score;
use crate::autodiff::{StepLosses, Tape};
use crate::error::Result;
use crate::features::FrameMatrix;
use crate::kernels::softmax::softmax_rows;
use crate::tensor::{DType, Tensor};

/// Class probabilities `[clips][classes]` in evaluation mode (running batch-norm statistics, no
/// dropout), in minibatches of `config.batch` graphs. Each minibatch's probabilities are copied
/// into one GPU tensor, read back once after the last minibatch. A clip that is not
/// `[nodes, in_dims]`, holds a value that is not finite, or whose probabilities are not finite
/// is an error naming its position among `clips`; a model whose configuration changed since it
/// was built in a setting that shaped its tensors is refused ([`Lgrin::check_built`]).
pub fn predict_proba(model: &mut Lgrin, clips: &[&FrameMatrix]) -> Result<Vec<Vec<f32>>> {
    predict_proba_named(model, clips, &|k| format!("clip {k} of those given"))
}

/// [`predict_proba`], calling a refused clip `name(k)` after its position `k` among `clips` (say
/// with the file it was read from).
pub fn predict_proba_named(
    model: &mut Lgrin,
    clips: &[&FrameMatrix],
    name: &dyn Fn(usize) -> String,
) -> Result<Vec<Vec<f32>>> {
    model.check_built()?;
    let classes = model.config.classes;
    for (k, clip) in clips.iter().enumerate() {
        check_matrix(model, clip, &name(k))?;
    }
    Ok(match record_proba(model, clips, false)? {
        None => Vec::new(),
        Some((all, _)) => {
            let probs = all.to_f32()?;
            check_finite(&probs, classes, name)?;
            probs.chunks(classes).map(<[f32]>::to_vec).collect()
        }
    })
}

/// Record the passes of [`predict_proba`] without reading anything back: the probabilities
/// `[clips, classes]` on the GPU, with the logits too when `with_logits`; `None` without clips.
fn record_proba(
    model: &mut Lgrin,
    clips: &[&FrameMatrix],
    with_logits: bool,
) -> Result<Option<(Tensor, Option<Tensor>)>> {
    let batches = upload_batches(model, clips)?;
    record_proba_of(model, &batches, with_logits)
}

/// The node-major minibatches `[m · b, f]` of `clips` in groups of `config.batch`, uploaded,
/// with their clip counts.
pub(super) fn upload_batches(
    model: &Lgrin,
    clips: &[&FrameMatrix],
) -> Result<Vec<(Tensor, usize)>> {
    clips
        .chunks(model.config.batch.max(1))
        .map(|chunk| Ok((upload_node_major(model, chunk)?, chunk.len())))
        .collect()
}

/// Record the evaluation passes over uploaded minibatches: each one's probabilities (and, when
/// `with_logits`, its logits: the cross-entropy of a clip whose label probability underflows
/// f32 needs them) are copied into `[clips, classes]` tensors, not read back; `None` without
/// minibatches.
pub(super) fn record_proba_of(
    model: &mut Lgrin,
    batches: &[(Tensor, usize)],
    with_logits: bool,
) -> Result<Option<(Tensor, Option<Tensor>)>> {
    let clips: usize = batches.iter().map(|(_, b)| b).sum();
    if clips == 0 {
        return Ok(None);
    }
    let classes = model.config.classes;
    let gpu = model.gpu().clone();
    let all = Tensor::empty(&gpu, &[clips, classes], DType::F32)?;
    let all_logits = if with_logits {
        Some(Tensor::empty(&gpu, &[clips, classes], DType::F32)?)
    } else {
        None
    };
    let mut done = 0u64;
    for (xt, b) in batches {
        let mut tape = Tape::new(&gpu, false, 0);
        let fwd = model.forward(&mut tape, xt, *b)?;
        let z = fwd.logits.value();
        let p = softmax_rows(z)?;
        let bytes = DType::F32.bytes_for(b * classes);
        for (src, dst) in [(&p, Some(&all)), (z, all_logits.as_ref())] {
            if let Some(dst) = dst {
                gpu.copy(
                    src.buffer(),
                    src.byte_offset(),
                    dst.buffer(),
                    dst.byte_offset() + done,
                    bytes,
                )?;
            }
        }
        done += bytes;
    }
    Ok(Some((all, all_logits)))
}

/// Predicted classes of clips `idx` and their mean cross-entropy against `labels`. A clip of
/// `idx` past `feats` or `labels`, whose label is not one of the model's classes, whose features
/// are not `[nodes, in_dims]` or hold a value that is not finite, is an error naming it; a model
/// whose configuration changed since building is refused as in [`predict_proba`].
pub fn evaluate(
    model: &mut Lgrin,
    feats: &[FrameMatrix],
    labels: &[usize],
    idx: &[usize],
) -> Result<(Vec<usize>, f32)> {
    model.check_built()?;
    let classes = model.config.classes;
    check_clips(model, feats, labels, idx, "scored")?;
    let clips: Vec<&FrameMatrix> = idx.iter().map(|&i| &feats[i]).collect();
    Ok(match record_proba(model, &clips, true)? {
        Some((all, Some(logits))) => {
            let mut read = StepLosses::read_all(model.gpu(), &[&all, &logits])?.into_iter();
            let probs = read.next().unwrap_or_default();
            score(
                &probs,
                &read.next().unwrap_or_default(),
                classes,
                labels,
                idx,
            )?
        }
        _ => (Vec::new(), 0.0),
    })
}

//! Training with Adam and StepLR on random minibatches of graphs and model selection on a
//! validation part of the training data. Batched inference (`infer.rs`) and reading class
//! scores (`scores.rs`) are re-exported here.

use std::time::Instant;

use super::batches::BatchFeed;
use super::checks::check_clips;
use super::infer::{record_proba_of, upload_batches};
use super::model::{Lgrin, StateSnapshot};
use super::scores::score;
use crate::autodiff::optim::{Adam, LrSchedule};
use crate::autodiff::{StepLosses, Tape};
use crate::data::split::{listed_twice, SplitMix};
use crate::error::{Error, Result};
use crate::features::FrameMatrix;
use crate::kernels::elementwise as ew;
use crate::kernels::reduce::sum_all;
use crate::tensor::{DType, Tensor};

pub use super::infer::{evaluate, predict_proba, predict_proba_named};
pub use super::scores::{argmax, probability_line};

/// One epoch of training.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EpochLog {
    /// 0-based epoch.
    pub epoch: usize,
    /// Learning rate used.
    pub lr: f32,
    /// Mean training loss (cross-entropy plus structure terms) over the epoch's minibatches.
    pub train_loss: f32,
    /// Mean cross-entropy on the validation part (None without one).
    pub val_loss: Option<f32>,
    /// Accuracy on the validation part (None without one).
    pub val_accuracy: Option<f32>,
    /// Wall-clock seconds of the epoch's training steps and, with a validation part, of its
    /// validation pass (recorded behind the steps, so one wait for the GPU covers both).
    pub seconds: f64,
}

/// The result of [`train`].
#[derive(Debug, Clone)]
pub struct TrainOutcome {
    /// Every epoch.
    pub log: Vec<EpochLog>,
    /// Epoch whose parameters were kept (best validation accuracy, then lowest validation
    /// loss; the last epoch without a validation part).
    pub best_epoch: usize,
    /// Mean seconds per epoch: the training steps plus the validation pass.
    pub seconds_per_epoch: f64,
}

/// Train `model` on clips `train_idx` of `feats`/`labels` for `config.epochs` epochs, keeping the
/// parameters of the best epoch on `val_idx`. `on_step(done, total)` is called after every
/// minibatch and `on_epoch` after every epoch. The model's configuration is checked again
/// ([`LgrinConfig::validate`](super::LgrinConfig::validate)): its training settings may have
/// been changed since the model was built (a changed `weight_decay` is applied, see
/// [`Lgrin::apply_weight_decay`]), while a changed setting that shaped its tensors is refused
/// ([`Lgrin::check_built`]). Every clip of `train_idx` and `val_idx` is checked
/// before the first step (features and a label present, the label one of the model's classes,
/// features `[nodes, in_dims]` and finite), the first bad one named by its number; the labels
/// of other clips are not looked at. A clip listed twice, within `train_idx` or `val_idx` or in
/// both, is refused the same way: a validation clip also trained on would choose the kept epoch
/// on training data. A run whose loss stops being finite, or whose parameters do (the last
/// step's update, which no loss sees), fails with [`Error::InvalidInput`] ("training
/// diverged"); the model is then put back to its kept epoch so far, or, before any epoch was
/// kept, to the parameters it had when training began.
pub fn train(
    model: &mut Lgrin,
    feats: &[FrameMatrix],
    labels: &[usize],
    train_idx: &[usize],
    val_idx: &[usize],
    on_step: &mut dyn FnMut(usize, usize),
    on_epoch: &mut dyn FnMut(&EpochLog),
) -> Result<TrainOutcome> {
    let c = model.config.clone();
    c.validate()?;
    model.check_built()?;
    model.apply_weight_decay();
    if train_idx.len() < 2 {
        return Err(Error::InvalidInput(format!(
            "training needs at least 2 clips, got {}",
            train_idx.len()
        )));
    }
    check_clips(model, feats, labels, train_idx, "training")?;
    check_clips(model, feats, labels, val_idx, "validation")?;
    // `check_clips` keeps every index below `feats.len()`, as `listed_twice` needs.
    let parts: [(&str, &[usize]); 2] = [("training", train_idx), ("validation", val_idx)];
    if let Some((i, first, again)) = listed_twice(feats.len(), &parts) {
        let where_ = if first == again {
            format!("twice in the {first} part")
        } else {
            format!("in the {first} part and again in the {again} part")
        };
        return Err(Error::InvalidInput(format!(
            "clip {i} is listed {where_}; the training and validation parts must be disjoint \
             and list each clip once"
        )));
    }
    let batch = c.batch.min(train_idx.len());
    let pass = one_pass_batches(train_idx.len(), batch);
    let iters = if c.iters_per_epoch == 0 {
        pass.len()
    } else {
        c.iters_per_epoch
    };
    let sched = LrSchedule::Step {
        step: c.lr_step,
        gamma: c.lr_gamma,
    };
    let mut adam = Adam::new(c.lr);
    let mut rng = SplitMix(c.seed ^ 0xba7c);
    let mut log = Vec::new();
    // The kept epoch's parameters and statistics stay on the GPU until training ends.
    let mut best: Option<(f32, f32, usize, StateSnapshot)> = None;
    // What a diverged run falls back to before any epoch was kept.
    let initial = model.snapshot()?;
    // The validation clips are uploaded once and scored after every epoch.
    let val_clips: Vec<&FrameMatrix> = val_idx.iter().map(|&i| &feats[i]).collect();
    let val_batches = upload_batches(model, &val_clips)?;
    let mut feed = BatchFeed::new(model, feats, labels, train_idx)?;
    let mut step = 0u64;
    // Only sizes the progress callback: `validate` refuses a product that overflows.
    let total = iters.saturating_mul(c.epochs);
    for epoch in 0..c.epochs {
        adam.lr = sched.lr(c.lr, epoch);
        let start = Instant::now();
        let mut order: Vec<usize> = train_idx.to_vec();
        rng.shuffle(&mut order);
        // Every minibatch of the epoch is drawn first (the random draws are the same as when
        // drawn step by step) so that their gather indices go to the GPU in one upload.
        let batches: Vec<Vec<usize>> = (0..iters)
            .map(|it| {
                if c.iters_per_epoch == 0 {
                    let lo = it * batch;
                    order[lo..lo + pass[it]].to_vec()
                } else {
                    let mut pool = train_idx.to_vec();
                    for k in 0..batch {
                        let j = k + rng.below(pool.len() - k);
                        pool.swap(k, j);
                    }
                    pool.truncate(batch);
                    pool.shrink_to_fit();
                    pool
                }
            })
            .collect();
        feed.plan_epoch(batches)?;
        // The losses stay on the GPU until the epoch ends: no step waits for a readback.
        let mut step_losses = StepLosses::new(model.gpu(), iters)?;
        for it in 0..feed.steps() {
            let (x, y) = feed.batch(model, it)?;
            let graphs = feed.clips(it).len();
            step += 1;
            let mut tape = Tape::new(model.gpu(), true, c.seed.wrapping_mul(7919) ^ step);
            let fwd = model.forward(&mut tape, &x, graphs)?;
            let loss = model.loss(&mut tape, &fwd, &y)?;
            model.store.zero_grad();
            tape.backward(&loss, &mut model.store)?;
            adam.step(&mut model.store)?;
            step_losses.record(loss.value())?;
            on_step(epoch.saturating_mul(iters).saturating_add(it + 1), total);
        }
        // The validation pass, and a probe of the parameters (the last step's update is seen
        // by no loss), are recorded behind the steps and read back with their losses: one wait
        // for the GPU per epoch.
        let probe = non_finite_probe(model)?;
        let val_out = record_proba_of(model, &val_batches, true)?;
        let mut read = vec![&probe];
        if let Some((probs, logits)) = &val_out {
            read.push(probs);
            read.extend(logits.iter());
        }
        let (losses, mut probs) = step_losses.read_with(&read)?;
        let probe = probs.remove(0);
        let diverged = match StepLosses::first_non_finite(&losses) {
            Some((it, l)) => Some(format!("loss {l} at epoch {epoch}, step {it}")),
            None if probe.iter().any(|v| !v.is_finite()) => Some(format!(
                "the parameters stopped being finite in the last step of epoch {epoch}"
            )),
            None => None,
        };
        if let Some(what) = diverged {
            // The steps after the first non-finite loss spread it into every parameter.
            model.restore(best.map_or(initial, |(_, _, _, state)| state))?;
            return Err(Error::InvalidInput(format!("training diverged: {what}")));
        }
        let loss_sum: f64 = losses.iter().map(|&l| f64::from(l)).sum();
        let seconds = start.elapsed().as_secs_f64();
        let (val_loss, val_accuracy) = match probs.as_slice() {
            [probs, logits] => {
                let (pred, ce) = score(probs, logits, c.classes, labels, val_idx)?;
                let correct = pred
                    .iter()
                    .zip(val_idx)
                    .filter(|(p, &i)| **p == labels[i])
                    .count();
                (Some(ce), Some(correct as f32 / val_idx.len() as f32))
            }
            _ => (None, None),
        };
        let entry = EpochLog {
            epoch,
            lr: adam.lr,
            train_loss: (loss_sum / iters as f64) as f32,
            val_loss,
            val_accuracy,
            seconds,
        };
        on_epoch(&entry);
        if let (Some(acc), Some(vl)) = (val_accuracy, val_loss) {
            let better = match &best {
                None => true,
                Some((ba, bl, _, _)) => acc > *ba || (acc == *ba && vl < *bl),
            };
            if better {
                best = Some((acc, vl, epoch, model.snapshot()?));
            }
        }
        log.push(entry);
    }
    let best_epoch = match best {
        Some((_, _, e, state)) => {
            model.restore(state)?;
            e
        }
        None => c.epochs.saturating_sub(1),
    };
    let seconds_per_epoch = log.iter().map(|e| e.seconds).sum::<f64>() / log.len().max(1) as f64;
    Ok(TrainOutcome {
        log,
        best_epoch,
        seconds_per_epoch,
    })
}

/// One value, recorded on the GPU and not read back: 0 when every parameter of `model` is
/// finite, NaN otherwise (x · 0 is NaN exactly for an infinite or NaN x, and a NaN survives the
/// sums).
fn non_finite_probe(model: &Lgrin) -> Result<Tensor> {
    let mut total: Option<Tensor> = None;
    for id in model.store.ids() {
        let s = sum_all(&ew::scale(model.store.value(id), 0.0)?)?;
        total = Some(match total {
            None => s,
            Some(t) => ew::add(&t, &s)?,
        });
    }
    match total {
        Some(t) => Ok(t),
        None => Tensor::zeros(model.gpu(), &[1], DType::F32),
    }
}

/// Graphs per minibatch of one pass over `n` graphs in batches of `batch` (> 0): full batches,
/// then the rest, except that a single leftover graph joins the last batch (batch statistics
/// over one graph's nodes alone would be a poor estimate). `train` with `iters_per_epoch` 0 and
/// the `lgrin_epoch` bench row both split an epoch this way. A `batch` of 0 gives no batches.
pub fn one_pass_batches(n: usize, batch: usize) -> Vec<usize> {
    if batch == 0 {
        return Vec::new();
    }
    let mut sizes: Vec<usize> = (0..n.div_ceil(batch))
        .map(|k| batch.min(n - k * batch))
        .collect();
    if sizes.len() > 1 && sizes.last() == Some(&1) {
        sizes.pop();
        *sizes.last_mut().expect("two batches or more") += 1;
    }
    sizes
}

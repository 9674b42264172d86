//! Minibatches for training: the training clips stay on the GPU for the whole run, and each
//! step gathers its node-major batch there, so no step builds or uploads a batch on the host.
//!
//! The clips are uploaded once, clip-major (`[clips · m, f]`, clip `k` in rows `k·m .. k·m + m`),
//! with their labels. At the start of each epoch the row indices of every minibatch (node-major:
//! row `node · b + g` of a batch is node `node` of its `g`-th clip) and the clips' label
//! positions are uploaded as one index tensor each; a step binds its slice of them and runs two
//! gathers. Each slice starts at a multiple of the device's storage-offset alignment, so it binds
//! in place. Where the clips do not fit in one storage binding, every step uploads its batch from
//! the host instead (the kernels are the same; only the data movement differs).

use super::model::{node_major, Lgrin};
use crate::error::{Error, Result};
use crate::features::FrameMatrix;
use crate::gpu::Gpu;
use crate::kernels::layout::gather_rows;
use crate::tensor::Tensor;

/// Where the minibatches of a training run come from.
pub(super) enum BatchFeed<'a> {
    /// The training clips live on the GPU; steps gather from them.
    Resident(Box<Resident>),
    /// Each step's batch is built on the host and uploaded (clips over one binding).
    Uploaded {
        /// Every clip's node features.
        feats: &'a [FrameMatrix],
        /// Every clip's label.
        labels: &'a [usize],
    },
}

/// The training clips and the current epoch's gather indices on the GPU.
pub(super) struct Resident {
    gpu: Gpu,
    nodes: usize,
    /// Features `[clips · m, f]`, clip-major, in the order of the training indices.
    x: Tensor,
    /// Labels `[clips]` (u32) in the same order.
    labels: Tensor,
    /// Position of each clip of the data set in `x` (`usize::MAX` for non-training clips).
    slot: Vec<usize>,
    /// This epoch's row indices, `row_stride` entries per step.
    rows: Option<Tensor>,
    /// This epoch's label positions, `label_stride` entries per step.
    positions: Option<Tensor>,
    row_stride: usize,
    label_stride: usize,
}

impl<'a> BatchFeed<'a> {
    /// Upload the clips `train_idx` of `feats`/`labels` for `model`, or fall back to per-step
    /// uploads where they would pass the device's largest storage binding.
    pub(super) fn new(
        model: &Lgrin,
        feats: &'a [FrameMatrix],
        labels: &'a [usize],
        train_idx: &[usize],
    ) -> Result<Self> {
        let c = &model.config;
        let gpu = model.gpu();
        let bytes = (train_idx.len() * c.nodes * c.in_dims * 4) as u64;
        if bytes > gpu.max_binding_bytes() {
            return Ok(BatchFeed::Uploaded { feats, labels });
        }
        let clips: Vec<&FrameMatrix> = train_idx.iter().map(|&i| &feats[i]).collect();
        // A batch of one clip is node-major and clip-major at once.
        let mut x = Vec::with_capacity(train_idx.len() * c.nodes * c.in_dims);
        for &clip in &clips {
            x.extend(node_major(&[clip], c.nodes, c.in_dims)?);
        }
        let y: Vec<u32> = train_idx.iter().map(|&i| labels[i] as u32).collect();
        let mut slot = vec![usize::MAX; feats.len()];
        for (pos, &i) in train_idx.iter().enumerate() {
            slot[i] = pos;
        }
        Ok(BatchFeed::Resident(Box::new(Resident {
            gpu: gpu.clone(),
            nodes: c.nodes,
            x: Tensor::from_f32(gpu, &[train_idx.len() * c.nodes, c.in_dims], &x)?,
            labels: Tensor::from_u32(gpu, &[train_idx.len()], &y)?,
            slot,
            rows: None,
            positions: None,
            row_stride: 0,
            label_stride: 0,
        })))
    }

    /// Upload the gather indices of an epoch's minibatches (`batches[step]` lists its clips).
    pub(super) fn plan_epoch(&mut self, batches: &[Vec<usize>]) -> Result<()> {
        let BatchFeed::Resident(r) = self else {
            return Ok(());
        };
        let words = (r.gpu.limits().min_storage_buffer_offset_alignment as usize / 4).max(1);
        let widest = batches.iter().map(Vec::len).max().unwrap_or(0);
        r.row_stride = (widest * r.nodes).div_ceil(words).max(1) * words;
        r.label_stride = widest.div_ceil(words).max(1) * words;
        let mut rows = vec![0u32; batches.len() * r.row_stride];
        let mut positions = vec![0u32; batches.len() * r.label_stride];
        for (step, chosen) in batches.iter().enumerate() {
            let b = chosen.len();
            let row = &mut rows[step * r.row_stride..];
            let pos = &mut positions[step * r.label_stride..];
            for (g, &clip) in chosen.iter().enumerate() {
                let p = r.slot[clip];
                pos[g] = p as u32;
                for node in 0..r.nodes {
                    row[node * b + g] = (p * r.nodes + node) as u32;
                }
            }
        }
        r.rows = Some(Tensor::from_u32(&r.gpu, &[rows.len()], &rows)?);
        r.positions = Some(Tensor::from_u32(&r.gpu, &[positions.len()], &positions)?);
        Ok(())
    }

    /// The node-major features `[m · b, f]` and labels `[b]` of step `step` of the planned
    /// epoch, whose clips are `chosen`.
    pub(super) fn batch(
        &self,
        model: &Lgrin,
        step: usize,
        chosen: &[usize],
    ) -> Result<(Tensor, Tensor)> {
        let c = &model.config;
        match self {
            BatchFeed::Resident(r) => {
                let (Some(rows), Some(positions)) = (&r.rows, &r.positions) else {
                    return Err(Error::InvalidInput(
                        "a resident minibatch was asked for before its epoch was planned".into(),
                    ));
                };
                let b = chosen.len();
                let at = step * r.row_stride;
                let x = gather_rows(&r.x, &rows.rows(at, at + b * r.nodes)?)?;
                let at = step * r.label_stride;
                let y = gather_rows(&r.labels, &positions.rows(at, at + b)?)?;
                Ok((x, y))
            }
            BatchFeed::Uploaded { feats, labels } => {
                let clips: Vec<&FrameMatrix> = chosen.iter().map(|&i| &feats[i]).collect();
                let x = node_major(&clips, c.nodes, c.in_dims)?;
                let y: Vec<u32> = chosen.iter().map(|&i| labels[i] as u32).collect();
                let gpu = model.gpu();
                Ok((
                    Tensor::from_f32(gpu, &[c.nodes * chosen.len(), c.in_dims], &x)?,
                    Tensor::from_u32(gpu, &[chosen.len()], &y)?,
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::lgrin::LgrinConfig;

    #[test]
    fn resident_batches_equal_the_uploaded_ones() -> Result<()> {
        // 7 clips of 5 nodes x 3 features, distinct values; batches of different sizes, a clip
        // twice across steps, and a step wider than the alignment in rows (5 x 3 = 15 rows).
        let gpu = Gpu::open_default()?;
        let (m, f) = (5, 3);
        let feats: Vec<FrameMatrix> = (0..7)
            .map(|k| FrameMatrix {
                rows: m,
                cols: f,
                data: (0..m * f).map(|i| (k * 100 + i) as f32).collect(),
            })
            .collect();
        let labels = vec![0, 1, 2, 0, 1, 2, 0];
        let model = Lgrin::new(
            &gpu,
            LgrinConfig {
                nodes: m,
                ..LgrinConfig::reference(f, 3)
            },
        )?;
        let train_idx = [6, 1, 2, 4, 5];
        let mut resident = BatchFeed::new(&model, &feats, &labels, &train_idx)?;
        assert!(matches!(resident, BatchFeed::Resident(_)));
        let uploaded = BatchFeed::Uploaded {
            feats: &feats,
            labels: &labels,
        };
        let batches = vec![vec![4, 6, 1], vec![2, 5], vec![5, 4, 2, 1, 6]];
        resident.plan_epoch(&batches)?;
        for (step, chosen) in batches.iter().enumerate() {
            let (xr, yr) = resident.batch(&model, step, chosen)?;
            let (xu, yu) = uploaded.batch(&model, step, chosen)?;
            assert_eq!(xr.shape(), xu.shape(), "step {step}");
            assert_eq!(xr.to_f32()?, xu.to_f32()?, "step {step}");
            assert_eq!(yr.to_u32()?, yu.to_u32()?, "step {step}");
        }
        Ok(())
    }
}

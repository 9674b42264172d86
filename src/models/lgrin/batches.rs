//! Minibatches for training: the training clips stay on the GPU for the whole run, and each
//! step gathers its node-major batch there, so no step builds or uploads a batch on the host.
//!
//! The clips are uploaded once, clip-major (`[clips · m, f]`, clip `k` in rows `k·m .. k·m + m`),
//! with their labels. Each epoch's minibatches are planned first; the row indices of the steps
//! (node-major: row `node · b + g` of a batch is node `node` of its `g`-th clip) and the clips'
//! label positions then go to the GPU as one index tensor each, in as few chunks of steps as the
//! device's largest storage binding allows (one, unless an epoch has very many steps). A step
//! binds its slice of them and runs two gathers. Each slice starts at a multiple of the device's
//! storage-offset alignment, so it binds in place. Where the clips do not fit in one storage
//! binding, or their rows would pass the 32-bit index range, every step uploads its batch from
//! the host instead (the kernels are the same; only the data movement differs).

use super::model::{node_major, Lgrin};
use crate::error::{Error, Result};
use crate::features::FrameMatrix;
use crate::gpu::Gpu;
use crate::kernels::layout::gather_rows;
use crate::tensor::Tensor;

/// The minibatches of a training run: the current epoch's plan and where the data comes from.
pub(super) struct BatchFeed<'a> {
    /// The clips of each step of the current epoch.
    plan: Vec<Vec<usize>>,
    source: Source<'a>,
}

/// Where a step's features and labels come from.
enum Source<'a> {
    /// The training clips live on the GPU; steps gather from them.
    Resident(Box<Resident>),
    /// Each step's batch is built on the host and uploaded.
    Uploaded {
        /// Every clip's node features.
        feats: &'a [FrameMatrix],
        /// Every clip's label.
        labels: &'a [usize],
    },
}

/// The training clips and a chunk of the current epoch's gather indices on the GPU.
struct Resident {
    gpu: Gpu,
    nodes: usize,
    /// Features `[clips · m, f]`, clip-major, in the order of the training indices.
    x: Tensor,
    /// Labels `[clips]` (u32) in the same order.
    labels: Tensor,
    /// Position of each clip of the data set in `x` (`usize::MAX` for non-training clips).
    slot: Vec<usize>,
    /// Entries per step in the row and label index tensors (aligned).
    row_stride: usize,
    label_stride: usize,
    /// Largest index tensor, in bytes (the device's largest storage binding).
    max_chunk_bytes: u64,
    /// The uploaded chunk: its first step and the row and label indices of its steps.
    chunk: Option<(usize, Tensor, Tensor)>,
}

impl Resident {
    /// Steps per index chunk: as many as fit in one binding, at least one.
    fn steps_per_chunk(&self) -> usize {
        let widest = (self.row_stride.max(self.label_stride) * 4) as u64;
        (self.max_chunk_bytes / widest.max(1)).max(1) as usize
    }

    /// Upload the indices of the chunk of `plan` that starts at step `first`.
    fn upload_chunk(&mut self, plan: &[Vec<usize>], first: usize) -> Result<()> {
        let steps = &plan[first..(first + self.steps_per_chunk()).min(plan.len())];
        let mut rows = vec![0u32; steps.len() * self.row_stride];
        let mut positions = vec![0u32; steps.len() * self.label_stride];
        for (k, chosen) in steps.iter().enumerate() {
            let b = chosen.len();
            let row = &mut rows[k * self.row_stride..];
            let pos = &mut positions[k * self.label_stride..];
            for (g, &clip) in chosen.iter().enumerate() {
                let p = self.slot[clip];
                if p == usize::MAX {
                    return Err(Error::InvalidInput(format!(
                        "minibatch clip {clip} is not a training clip"
                    )));
                }
                // `BatchFeed::new` keeps clips · nodes within u32.
                pos[g] = p as u32;
                for node in 0..self.nodes {
                    row[node * b + g] = (p * self.nodes + node) as u32;
                }
            }
        }
        let rows = Tensor::from_u32(&self.gpu, &[rows.len()], &rows)?;
        let positions = Tensor::from_u32(&self.gpu, &[positions.len()], &positions)?;
        self.chunk = Some((first, rows, positions));
        Ok(())
    }
}

impl<'a> BatchFeed<'a> {
    /// Upload the clips `train_idx` of `feats`/`labels` for `model`, or fall back to per-step
    /// uploads where they would pass the device's largest storage binding or the 32-bit row
    /// index range.
    pub(super) fn new(
        model: &Lgrin,
        feats: &'a [FrameMatrix],
        labels: &'a [usize],
        train_idx: &[usize],
    ) -> Result<Self> {
        let c = &model.config;
        let gpu = model.gpu();
        let rows = train_idx.len() as u64 * c.nodes as u64;
        let bytes = rows * c.in_dims as u64 * 4;
        let uploaded = BatchFeed {
            plan: Vec::new(),
            source: Source::Uploaded { feats, labels },
        };
        if bytes > gpu.max_binding_bytes() || rows > u64::from(u32::MAX) {
            return Ok(uploaded);
        }
        // A batch of one clip is node-major and clip-major at once.
        let mut x = Vec::with_capacity(train_idx.len() * c.nodes * c.in_dims);
        for &i in train_idx {
            x.extend(node_major(&[&feats[i]], c.nodes, c.in_dims)?);
        }
        let y: Vec<u32> = train_idx.iter().map(|&i| labels[i] as u32).collect();
        let mut slot = vec![usize::MAX; feats.len()];
        for (pos, &i) in train_idx.iter().enumerate() {
            slot[i] = pos;
        }
        Ok(BatchFeed {
            plan: Vec::new(),
            source: Source::Resident(Box::new(Resident {
                gpu: gpu.clone(),
                nodes: c.nodes,
                x: Tensor::from_f32(gpu, &[train_idx.len() * c.nodes, c.in_dims], &x)?,
                labels: Tensor::from_u32(gpu, &[train_idx.len()], &y)?,
                slot,
                row_stride: 0,
                label_stride: 0,
                max_chunk_bytes: gpu.max_binding_bytes(),
                chunk: None,
            })),
        })
    }

    /// True when the clips stay on the GPU (false: each step uploads its batch).
    #[cfg(test)]
    fn is_resident(&self) -> bool {
        matches!(self.source, Source::Resident(_))
    }

    /// Set the epoch's minibatches (`batches[step]` lists the clips of a step) and upload the
    /// gather indices of its first chunk of steps.
    pub(super) fn plan_epoch(&mut self, batches: Vec<Vec<usize>>) -> Result<()> {
        self.plan = batches;
        let Source::Resident(r) = &mut self.source else {
            return Ok(());
        };
        let words = (r.gpu.limits().min_storage_buffer_offset_alignment as usize / 4).max(1);
        let widest = self.plan.iter().map(Vec::len).max().unwrap_or(0);
        r.row_stride = (widest * r.nodes).div_ceil(words).max(1) * words;
        r.label_stride = widest.div_ceil(words).max(1) * words;
        r.chunk = None;
        if self.plan.is_empty() {
            return Ok(());
        }
        r.upload_chunk(&self.plan, 0)
    }

    /// Steps in the planned epoch.
    pub(super) fn steps(&self) -> usize {
        self.plan.len()
    }

    /// The clips of step `step` of the planned epoch.
    pub(super) fn clips(&self, step: usize) -> &[usize] {
        &self.plan[step]
    }

    /// The node-major features `[m · b, f]` and labels `[b]` of step `step` of the planned
    /// epoch.
    pub(super) fn batch(&mut self, model: &Lgrin, step: usize) -> Result<(Tensor, Tensor)> {
        let Some(chosen) = self.plan.get(step) else {
            return Err(Error::InvalidInput(format!(
                "minibatch {step} asked for, the epoch has {}",
                self.plan.len()
            )));
        };
        match &mut self.source {
            Source::Resident(r) => {
                let per_chunk = r.steps_per_chunk();
                let current = r.chunk.as_ref().map(|(first, _, _)| *first);
                if current.is_none_or(|first| step < first || step >= first + per_chunk) {
                    r.upload_chunk(&self.plan, step)?;
                }
                let Some((first, rows, positions)) = &r.chunk else {
                    unreachable!("a chunk was uploaded above");
                };
                let (k, b) = (step - first, chosen.len());
                let at = k * r.row_stride;
                let x = gather_rows(&r.x, &rows.rows(at, at + b * r.nodes)?)?;
                let at = k * r.label_stride;
                let y = gather_rows(&r.labels, &positions.rows(at, at + b)?)?;
                Ok((x, y))
            }
            Source::Uploaded { feats, labels } => {
                let clips: Vec<&FrameMatrix> = chosen.iter().map(|&i| &feats[i]).collect();
                let y: Vec<u32> = chosen.iter().map(|&i| labels[i] as u32).collect();
                Ok((
                    upload_node_major(model, &clips)?,
                    Tensor::from_u32(model.gpu(), &[chosen.len()], &y)?,
                ))
            }
        }
    }
}

/// The node-major batch `[m · b, f]` of `clips`, built on the host and uploaded.
pub(super) fn upload_node_major(model: &Lgrin, clips: &[&FrameMatrix]) -> Result<Tensor> {
    let c = &model.config;
    let x = node_major(clips, c.nodes, c.in_dims)?;
    Tensor::from_f32(model.gpu(), &[c.nodes * clips.len(), c.in_dims], &x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::lgrin::LgrinConfig;

    #[test]
    fn resident_batches_equal_the_uploaded_ones() -> Result<()> {
        // 7 clips of 5 nodes x 3 features, distinct values; batches of different sizes, a clip
        // twice across steps, and a step wider than the alignment in rows (5 x 3 = 15 rows).
        // Then again with index chunks of one step (a device whose binding holds one step's
        // indices), visiting the steps out of order.
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
        let batches = vec![vec![4, 6, 1], vec![2, 5], vec![5, 4, 2, 1, 6]];
        let mut uploaded = BatchFeed {
            plan: Vec::new(),
            source: Source::Uploaded {
                feats: &feats,
                labels: &labels,
            },
        };
        uploaded.plan_epoch(batches.clone())?;
        for one_step_chunks in [false, true] {
            let mut resident = BatchFeed::new(&model, &feats, &labels, &train_idx)?;
            assert!(resident.is_resident());
            if one_step_chunks {
                if let Source::Resident(r) = &mut resident.source {
                    r.max_chunk_bytes = 1;
                }
            }
            resident.plan_epoch(batches.clone())?;
            assert_eq!(resident.steps(), 3);
            for step in [0, 1, 2, 0, 2] {
                assert_eq!(resident.clips(step), &batches[step][..]);
                let (xr, yr) = resident.batch(&model, step)?;
                let (xu, yu) = uploaded.batch(&model, step)?;
                let what = format!("step {step}, one-step chunks {one_step_chunks}");
                assert_eq!(xr.shape(), xu.shape(), "{what}");
                assert_eq!(xr.to_f32()?, xu.to_f32()?, "{what}");
                assert_eq!(yr.to_u32()?, yu.to_u32()?, "{what}");
            }
        }
        Ok(())
    }
}

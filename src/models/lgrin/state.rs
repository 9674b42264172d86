//! Saving and restoring a model's state: its parameters and batch-norm running statistics as
//! named host tensors, or as a GPU snapshot taken and put back without reading anything back.

use std::collections::HashMap;

use super::model::Lgrin;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// A named host copy of a tensor: (name, shape, values).
pub type NamedTensor = (String, Vec<usize>, Vec<f32>);

/// A copy of every tensor [`Lgrin::state`] lists, kept on the GPU: taken by
/// [`Lgrin::snapshot`] without reading anything back and put back by [`Lgrin::restore`].
pub struct StateSnapshot {
    params: Vec<Tensor>,
    norms: Vec<(Tensor, Tensor)>,
}

impl Lgrin {
    /// The names [`Lgrin::state`] gives, in the same order, without reading anything back.
    pub fn state_names(&mut self) -> Vec<String> {
        let mut out: Vec<String> = self
            .store
            .ids()
            .map(|id| self.store.name(id).to_string())
            .collect();
        for n in self.norms_mut() {
            out.push(format!("{}.running_mean", n.name));
            out.push(format!("{}.running_var", n.name));
        }
        out
    }

    /// Every tensor needed to restore the model: parameters, then batch-norm running
    /// statistics (`<norm>.running_mean`, `<norm>.running_var`), as (name, shape, values).
    pub fn state(&mut self) -> Result<Vec<NamedTensor>> {
        let mut out = Vec::new();
        for id in self.store.ids() {
            let t = self.store.value(id);
            out.push((
                self.store.name(id).to_string(),
                t.shape().to_vec(),
                t.to_f32()?,
            ));
        }
        for n in self.norms_mut() {
            let s = &n.stats;
            out.push((
                format!("{}.running_mean", n.name),
                s.running_mean.shape().to_vec(),
                s.running_mean.to_f32()?,
            ));
            out.push((
                format!("{}.running_var", n.name),
                s.running_var.shape().to_vec(),
                s.running_var.to_f32()?,
            ));
        }
        Ok(out)
    }

    /// A GPU copy of every tensor listed by [`Lgrin::state`] (parameters and batch-norm running
    /// statistics), made by buffer copies recorded in the current batch: nothing is read back,
    /// and later training steps do not change it.
    pub fn snapshot(&mut self) -> Result<StateSnapshot> {
        let params = self.store.snapshot()?;
        let norms = self
            .norms_mut()
            .into_iter()
            .map(|n| {
                Ok((
                    n.stats.running_mean.contiguous_copy()?,
                    n.stats.running_var.contiguous_copy()?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(StateSnapshot { params, norms })
    }

    /// Put back a [`Lgrin::snapshot`] of this model: afterwards [`Lgrin::state`] lists exactly
    /// the values it held when the snapshot was taken.
    pub fn restore(&mut self, snapshot: StateSnapshot) -> Result<()> {
        let StateSnapshot { params, norms } = snapshot;
        let slots = self.norms_mut();
        if norms.len() != slots.len() {
            return Err(Error::shape(
                "restore",
                format!(
                    "{} batch-norm statistics for a model of {}",
                    norms.len(),
                    slots.len()
                ),
            ));
        }
        // Every shape is checked before anything changes, so a bad snapshot leaves the model
        // as it was.
        for (n, (mean, var)) in slots.iter().zip(&norms) {
            mean.expect_same_shape("restore", &n.stats.running_mean)?;
            var.expect_same_shape("restore", &n.stats.running_var)?;
        }
        drop(slots);
        self.store.restore(params)?;
        for (n, (mean, var)) in self.norms_mut().into_iter().zip(norms) {
            n.stats.running_mean = mean;
            n.stats.running_var = var;
        }
        Ok(())
    }

    /// Restore every tensor listed by [`Lgrin::state`] from `tensors` (name -> (shape, values)).
    /// A missing tensor or a shape mismatch is an error naming it, and leaves the model as it
    /// was (every tensor is checked and uploaded before any is replaced).
    pub fn load_state(&mut self, tensors: &HashMap<String, (Vec<usize>, Vec<f32>)>) -> Result<()> {
        let gpu = self.gpu().clone();
        let fetch = |name: &str, shape: &[usize]| -> Result<Tensor> {
            let (s, v) = tensors
                .get(name)
                .ok_or_else(|| Error::Config(format!("checkpoint has no tensor '{name}'")))?;
            if s != shape || v.len() != shape.iter().product::<usize>() {
                return Err(Error::Config(format!(
                    "checkpoint tensor '{name}' is {s:?}, the model needs {shape:?}"
                )));
            }
            Tensor::from_f32(&gpu, shape, v)
        };
        let params = self
            .store
            .ids()
            .map(|id| fetch(self.store.name(id), self.store.value(id).shape()))
            .collect::<Result<Vec<_>>>()?;
        let norms = self
            .norms_mut()
            .into_iter()
            .map(|n| {
                let shape = [n.stats.cols()];
                Ok((
                    fetch(&format!("{}.running_mean", n.name), &shape)?,
                    fetch(&format!("{}.running_var", n.name), &shape)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        self.restore(StateSnapshot { params, norms })
    }
}

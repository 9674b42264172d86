//! Trainable parameters that persist across steps, with their accumulated gradients.

use crate::error::{Error, Result};
use crate::kernels::elementwise;
use crate::tensor::Tensor;

/// Index of a parameter in a [`ParamStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParamId(pub usize);

/// One trainable tensor.
struct Param {
    name: String,
    value: Tensor,
    grad: Option<Tensor>,
    weight_decay: f32,
}

/// The trainable tensors of a model. Each parameter carries its own L2 weight decay, so
/// parameter groups with different decay are expressed per parameter.
#[derive(Default)]
pub struct ParamStore {
    params: Vec<Param>,
}

impl ParamStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a parameter with its initial value and L2 weight decay; returns its id.
    pub fn add(&mut self, name: &str, value: Tensor, weight_decay: f32) -> ParamId {
        self.params.push(Param {
            name: name.to_string(),
            value,
            grad: None,
            weight_decay,
        });
        ParamId(self.params.len() - 1)
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// True when the store holds no parameter.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// Every parameter id, in creation order.
    pub fn ids(&self) -> impl Iterator<Item = ParamId> {
        (0..self.params.len()).map(ParamId)
    }

    /// Current value of a parameter.
    pub fn value(&self, id: ParamId) -> &Tensor {
        &self.params[id.0].value
    }

    /// Name of a parameter.
    pub fn name(&self, id: ParamId) -> &str {
        &self.params[id.0].name
    }

    /// L2 weight decay of a parameter.
    pub fn weight_decay(&self, id: ParamId) -> f32 {
        self.params[id.0].weight_decay
    }

    /// Accumulated gradient of a parameter (`None` before the first backward pass reaching it).
    pub fn grad(&self, id: ParamId) -> Option<&Tensor> {
        self.params[id.0].grad.as_ref()
    }

    /// Total number of scalar parameters.
    pub fn numel(&self) -> usize {
        self.params.iter().map(|p| p.value.numel()).sum()
    }

    /// Forget every accumulated gradient.
    pub fn zero_grad(&mut self) {
        for p in &mut self.params {
            p.grad = None;
        }
    }

    /// Add `g` to the gradient of `id` (the first contribution is stored as is).
    pub(crate) fn accumulate(&mut self, id: ParamId, g: Tensor) -> Result<()> {
        let p = &mut self.params[id.0];
        if p.value.shape() != g.shape() {
            return Err(Error::shape(
                "backward",
                format!(
                    "gradient {:?} does not fit parameter '{}' {:?}",
                    g.shape(),
                    p.name,
                    p.value.shape()
                ),
            ));
        }
        p.grad = Some(match p.grad.take() {
            None => g,
            Some(old) => elementwise::add(&old, &g)?,
        });
        Ok(())
    }

    /// Replace the value of a parameter (shape must match).
    pub fn set_value(&mut self, id: ParamId, value: Tensor) -> Result<()> {
        let p = &mut self.params[id.0];
        if p.value.shape() != value.shape() {
            return Err(Error::shape(
                "set_value",
                format!(
                    "{:?} does not fit '{}' {:?}",
                    value.shape(),
                    p.name,
                    p.value.shape()
                ),
            ));
        }
        p.value = value;
        Ok(())
    }

    /// A copy of every parameter's value, made on the GPU (nothing is read back), in creation
    /// order: later steps do not change it, and [`ParamStore::restore`] puts it back.
    pub fn snapshot(&self) -> Result<Vec<Tensor>> {
        self.params
            .iter()
            .map(|p| p.value.contiguous_copy())
            .collect()
    }

    /// Put back the values of a [`ParamStore::snapshot`] of this store.
    pub fn restore(&mut self, values: Vec<Tensor>) -> Result<()> {
        if values.len() != self.params.len() {
            return Err(Error::shape(
                "restore",
                format!(
                    "{} values for a store of {} parameters",
                    values.len(),
                    self.params.len()
                ),
            ));
        }
        // Every shape is checked before anything changes, so a bad snapshot leaves the store
        // as it was.
        if let Some((p, v)) = self
            .params
            .iter()
            .zip(&values)
            .find(|(p, v)| p.value.shape() != v.shape())
        {
            return Err(Error::shape(
                "restore",
                format!(
                    "{:?} does not fit '{}' {:?}",
                    v.shape(),
                    p.name,
                    p.value.shape()
                ),
            ));
        }
        for (p, value) in self.params.iter_mut().zip(values) {
            p.value = value;
        }
        Ok(())
    }
}

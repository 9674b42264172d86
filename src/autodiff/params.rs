//! Trainable parameters that persist across steps, with their accumulated gradients.

use std::sync::atomic::{AtomicU64, Ordering};

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

/// Source of [`ParamStore`] identities (0 is never handed out).
static NEXT_STORE: AtomicU64 = AtomicU64::new(1);

/// The trainable tensors of a model. Each parameter carries its own L2 weight decay, so
/// parameter groups with different decay are expressed per parameter. Every store has its own
/// identity, so a tape can tell whether a store is the one its parameters came from.
pub struct ParamStore {
    params: Vec<Param>,
    id: u64,
}

impl Default for ParamStore {
    fn default() -> Self {
        ParamStore {
            params: Vec::new(),
            id: NEXT_STORE.fetch_add(1, Ordering::Relaxed),
        }
    }
}

impl ParamStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The store's identity (unique in the process).
    pub(crate) fn store_id(&self) -> u64 {
        self.id
    }

    /// The parameter `id`, or [`Error::InvalidInput`] naming `op` when this store does not
    /// hold it.
    fn get(&self, op: &str, id: ParamId) -> Result<&Param> {
        self.params.get(id.0).ok_or_else(|| self.unknown(op, id))
    }

    /// The error for an id this store does not hold.
    pub(crate) fn unknown(&self, op: &str, id: ParamId) -> Error {
        Error::InvalidInput(format!(
            "{op}: {id:?} is not a parameter of this store ({} parameters); ids are only \
             valid with the store that created them",
            self.params.len()
        ))
    }

    /// Whether `id` names a parameter of this store.
    pub fn contains(&self, id: ParamId) -> bool {
        id.0 < self.params.len()
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

    /// Current value of a parameter. Panics when the store does not hold `id` (see [`ParamStore::contains`]).
    pub fn value(&self, id: ParamId) -> &Tensor {
        &self.params[id.0].value
    }

    /// Name of a parameter. Panics when the store does not hold `id` (see [`ParamStore::contains`]).
    pub fn name(&self, id: ParamId) -> &str {
        &self.params[id.0].name
    }

    /// L2 weight decay of a parameter. Panics when the store does not hold `id` (see [`ParamStore::contains`]).
    pub fn weight_decay(&self, id: ParamId) -> f32 {
        self.params[id.0].weight_decay
    }

    /// Accumulated gradient of a parameter (`None` before the first backward pass reaching it).
    /// Panics when the store does not hold `id` (see [`ParamStore::contains`]).
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
        self.accumulate_all(vec![(id, g)])
    }

    /// Add every `(id, g)` to the gradient of `id`, in the given order (the first contribution
    /// to a parameter without a gradient is stored as is). All or nothing: ids and shapes are
    /// checked first, the sums are formed aside, and the store changes only once every sum was
    /// formed, so an error leaves every gradient as it was.
    pub(crate) fn accumulate_all(&mut self, grads: Vec<(ParamId, Tensor)>) -> Result<()> {
        for (id, g) in &grads {
            let p = self.get("backward", *id)?;
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
        }
        // Per parameter: None = untouched, Some(sum) = its new gradient.
        let mut staged: Vec<Option<Tensor>> = vec![None; self.params.len()];
        for (id, g) in grads {
            let old = staged[id.0]
                .take()
                .or_else(|| self.params[id.0].grad.clone());
            staged[id.0] = Some(match old {
                None => g,
                Some(old) => elementwise::add(&old, &g)?,
            });
        }
        for (p, new) in self.params.iter_mut().zip(staged) {
            if new.is_some() {
                p.grad = new;
            }
        }
        Ok(())
    }

    /// Replace the value of a parameter (shape, dtype and GPU device must match).
    pub fn set_value(&mut self, id: ParamId, value: Tensor) -> Result<()> {
        self.get("set_value", id)?;
        let p = &mut self.params[id.0];
        value.expect_dtype("set_value", p.value.dtype())?;
        p.value.gpu().check_same_device(
            "set_value",
            &format!("the new value of '{}'", p.name),
            value.gpu(),
        )?;
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

    /// Put back the values of a [`ParamStore::snapshot`] of this store (every shape, dtype and
    /// GPU device must match; otherwise nothing changes). The store takes the tensors
    /// themselves, not copies: later steps update them in place, so a clone of the snapshot
    /// kept elsewhere changes with them (take another snapshot to keep one).
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
        // Every shape and dtype is checked before anything changes, so a bad snapshot leaves the
        // store as it was.
        for (p, v) in self.params.iter().zip(&values) {
            v.expect_dtype("restore", p.value.dtype())?;
            p.value.gpu().check_same_device(
                "restore",
                &format!("the value for '{}'", p.name),
                v.gpu(),
            )?;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::Gpu;

    /// An id the store does not hold, or a misfit among several gradients, is an error that
    /// leaves every gradient as it was.
    #[test]
    fn accumulate_checks_ids_and_shapes_first() -> Result<()> {
        let gpu = Gpu::open_default()?;
        let mut store = ParamStore::new();
        let a = store.add("a", Tensor::from_f32(&gpu, &[2], &[1.0, 2.0])?, 0.0);
        let g = || Tensor::from_f32(&gpu, &[2], &[0.5, 0.25]);
        let e = store.accumulate(ParamId(3), g()?).unwrap_err().to_string();
        assert!(e.contains("ParamId(3)"), "{e}");
        store.accumulate(a, g()?)?;
        let bad = Tensor::from_f32(&gpu, &[3], &[1.0; 3])?;
        assert!(store.accumulate_all(vec![(a, g()?), (a, bad)]).is_err());
        assert_eq!(
            store.grad(a).map(|t| t.to_f32()).transpose()?,
            Some(vec![0.5, 0.25])
        );
        store.accumulate_all(vec![(a, g()?), (a, g()?)])?;
        assert_eq!(
            store.grad(a).map(|t| t.to_f32()).transpose()?,
            Some(vec![1.5, 0.75])
        );
        Ok(())
    }
}

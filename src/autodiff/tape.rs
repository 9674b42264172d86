//! The tape: nodes in creation order (their [`Op`] enum is in `node.rs`), the recording of
//! constants and parameters, and the reverse pass driver.

use std::sync::atomic::{AtomicU64, Ordering};

use super::backprop;
use super::node::Node;
pub use super::node::{Op, Var};
use super::params::{ParamId, ParamStore};
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::kernels::elementwise;
use crate::tensor::{DType, Tensor};

/// Source of tape identities (0 is never handed out).
static NEXT_TAPE: AtomicU64 = AtomicU64::new(1);

/// One forward pass: the recorded nodes, the training flag (dropout, batch statistics in batch
/// norm) and the dropout seed.
/// Everything an op takes (Vars, parameters, index tensors, masks, sparse matrices, batch-norm
/// statistics) must live on the tape's GPU device; another device is [`Error::InvalidInput`].
pub struct Tape {
    pub(crate) gpu: Gpu,
    pub(crate) nodes: Vec<Node>,
    pub(crate) training: bool,
    pub(crate) seed: u64,
    pub(crate) dropout_calls: u64,
    /// Unique identity, stored in every [`Var`] of this tape.
    id: u64,
    /// Identity of the [`ParamStore`] the recorded parameters came from.
    store: Option<u64>,
    /// A misuse found by a recording method that cannot return an error ([`Tape::param`],
    /// [`Tape::no_rule`]); every later op and backward report it.
    poisoned: Option<String>,
    /// Set once a backward pass started (it frees the saved values).
    backward_ran: bool,
}

impl Tape {
    /// A new tape. `training` enables dropout and makes batch norm use (and update) the batch
    /// statistics instead of the running ones; `seed` makes the dropout masks reproducible.
    pub fn new(gpu: &Gpu, training: bool, seed: u64) -> Self {
        Tape {
            gpu: gpu.clone(),
            nodes: Vec::new(),
            training,
            seed,
            dropout_calls: 0,
            id: NEXT_TAPE.fetch_add(1, Ordering::Relaxed),
            store: None,
            poisoned: None,
            backward_ran: false,
        }
    }

    /// Whether the tape is in training mode: dropout active, batch norm on batch statistics.
    pub fn training(&self) -> bool {
        self.training
    }

    /// Number of recorded nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// [`Error::InvalidInput`] when an earlier misuse poisoned the tape, or when one of
    /// `inputs` was recorded on another tape (its node index would name an unrelated node
    /// here). Every op calls this before running its forward kernel.
    pub(crate) fn check(&self, op: &str, inputs: &[&Var]) -> Result<()> {
        if let Some(why) = &self.poisoned {
            return Err(Error::InvalidInput(format!(
                "{op}: the tape is unusable after an earlier misuse: {why}"
            )));
        }
        for (k, v) in inputs.iter().enumerate() {
            if v.tape != self.id || v.id >= self.nodes.len() {
                return Err(Error::InvalidInput(format!(
                    "{op}: input {k} (node {} of tape #{}) belongs to another tape than this \
                     one (#{}); a Var is only valid on the tape that recorded it",
                    v.id, v.tape, self.id
                )));
            }
        }
        Ok(())
    }

    /// Record `why` as the tape's first misuse (later ops and backward report it).
    fn poison(&mut self, why: String) {
        self.poisoned.get_or_insert(why);
    }

    pub(crate) fn push(&mut self, value: Tensor, op: Op) -> Var {
        let requires_grad = match &op {
            Op::Leaf => false,
            Op::Param(_) => true,
            other => other
                .inputs()
                .iter()
                .any(|&i| self.nodes.get(i).is_some_and(|n| n.requires_grad)),
        };
        self.nodes.push(Node {
            value: Some(value.clone()),
            op,
            requires_grad,
        });
        Var {
            id: self.nodes.len() - 1,
            tape: self.id,
            value,
            requires_grad,
        }
    }

    /// Record a constant input. A value on another GPU device than the tape's is recorded, but
    /// the tape is marked unusable: the next op and backward report it.
    pub fn constant(&mut self, value: &Tensor) -> Var {
        if let Err(e) = self
            .gpu
            .check_same_device("constant", "the value", value.gpu())
        {
            self.poison(e.to_string());
        }
        self.push(value.clone(), Op::Leaf)
    }

    /// Record a parameter of `store`; its gradient is accumulated into the store by backward.
    /// [`Error::InvalidInput`] when `store` does not hold `id`, when it is not the store of
    /// the parameters already on this tape (backward serves one store), or when the parameter
    /// lives on another GPU device than the tape; the tape is unchanged.
    pub fn try_param(&mut self, store: &ParamStore, id: ParamId) -> Result<Var> {
        self.check("param", &[])?;
        if !store.contains(id) {
            return Err(store.unknown("param", id));
        }
        self.gpu.check_same_device(
            "param",
            &format!("parameter '{}'", store.name(id)),
            store.value(id).gpu(),
        )?;
        if self.store.is_some_and(|s| s != store.store_id()) {
            return Err(Error::InvalidInput(format!(
                "param: {id:?} comes from another store than the parameters already on this \
                 tape; one tape records the parameters of one store"
            )));
        }
        self.store = Some(store.store_id());
        Ok(self.push(store.value(id).clone(), Op::Param(id)))
    }

    /// Record a parameter of `store`; its gradient is accumulated into the store by backward.
    /// A misuse that [`Tape::try_param`] reports does not panic here: it is recorded, the Var
    /// returned holds an empty `[0]` placeholder, and the next op on the tape and backward
    /// return the error. (It panics only when, in addition, the device cannot allocate that
    /// placeholder and neither the store nor the tape holds a tensor to stand in for it.)
    pub fn param(&mut self, store: &ParamStore, id: ParamId) -> Var {
        match self.try_param(store, id) {
            Ok(v) => v,
            Err(e) => {
                self.poison(e.to_string());
                // Any tensor serves as the placeholder: nothing can run on a poisoned tape.
                let value = Tensor::empty(&self.gpu, &[0], DType::F32)
                    .ok()
                    .or_else(|| store.ids().next().map(|p| store.value(p).clone()))
                    .or_else(|| self.nodes.iter().find_map(|n| n.value.clone()));
                match value {
                    Some(value) => self.push(value, Op::NoRule("invalid param", vec![])),
                    None => panic!("param: {e}; and the device cannot allocate a placeholder"),
                }
            }
        }
    }

    /// Record an op computed outside the tape's rule set. Backward fails naming `name` if a
    /// gradient reaches it. An input from another tape is not recorded as an input; the tape
    /// is marked unusable and the next op and backward report it, as they do for a value on
    /// another GPU device than the tape's.
    pub fn no_rule(&mut self, name: &'static str, value: Tensor, inputs: &[&Var]) -> Var {
        let checked = self
            .check(name, inputs)
            .and_then(|()| self.gpu.check_same_device(name, "the value", value.gpu()));
        if let Err(e) = checked {
            self.poison(e.to_string());
            return self.push(value, Op::NoRule(name, vec![]));
        }
        self.push(
            value,
            Op::NoRule(name, inputs.iter().map(|v| v.id).collect()),
        )
    }

    pub(crate) fn saved(&self, id: usize) -> Result<&Tensor> {
        self.nodes[id].value.as_ref().ok_or_else(|| {
            Error::InvalidInput(format!(
                "backward: value of node {id} ({}) was already freed; run backward once per tape",
                self.nodes[id].op.name()
            ))
        })
    }

    /// Reverse pass from a one-element f32 `loss`: runs the backward rules in reverse creation
    /// order, adds gradients that reach parameters into `store`, skips nodes that reach no
    /// parameter and frees each node's value once its rule has run.
    ///
    /// Runs once per tape: a second call is an error. `loss` must be a Var of this tape that
    /// depends on at least one parameter (a loss of constants only would leave every gradient
    /// untouched, so it is [`Error::InvalidInput`]) and `store` the store the tape's parameters
    /// came from; all three are checked before anything runs. The parameter gradients are
    /// added to the store only once the whole pass succeeded (in the same order as they are
    /// reached), so a failing pass leaves the store's gradients as they were.
    pub fn backward(&mut self, loss: &Var, store: &mut ParamStore) -> Result<()> {
        self.check("backward", &[loss])?;
        if self.backward_ran {
            return Err(Error::InvalidInput(
                "backward: this tape's backward pass already ran (it frees the saved values \
                 and would add the gradients again); record a new tape for another pass"
                    .into(),
            ));
        }
        loss.value.expect_dtype("backward", DType::F32)?;
        if loss.value.numel() != 1 {
            return Err(Error::shape(
                "backward",
                format!("loss must have one element, got {:?}", loss.shape()),
            ));
        }
        if self.store.is_some_and(|s| s != store.store_id()) {
            return Err(Error::InvalidInput(
                "backward: the store passed is not the store the tape's parameters came from"
                    .into(),
            ));
        }
        if !self.nodes[loss.id].requires_grad {
            return Err(Error::InvalidInput(format!(
                "backward: the loss (node {}, {}) depends on no parameter, so no gradient \
                 would reach the store; record the trainable tensors with `Tape::param`, \
                 not `Tape::constant`",
                loss.id,
                self.nodes[loss.id].op.name()
            )));
        }
        self.backward_ran = true;
        let mut grads: Vec<Option<Tensor>> = vec![None; loss.id + 1];
        grads[loss.id] = Some(Tensor::from_f32(&self.gpu, loss.shape(), &[1.0])?);
        let needs: Vec<bool> = self.nodes.iter().map(|n| n.requires_grad).collect();
        let mut param_grads = Vec::new();
        for i in (0..=loss.id).rev() {
            let g = grads[i].take();
            let node = &self.nodes[i];
            if let (Some(g), true) = (g, node.requires_grad) {
                if let Op::Param(pid) = node.op {
                    param_grads.push((pid, g));
                } else {
                    for (input, gi) in backprop::rule(self, i, &g, &needs)? {
                        grads[input] = Some(match grads[input].take() {
                            None => gi,
                            Some(old) => elementwise::add(&old, &gi)?,
                        });
                    }
                }
            }
            self.nodes[i].value = None;
        }
        store.accumulate_all(param_grads)
    }
}

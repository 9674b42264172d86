//! What a tape records: the [`Op`] enum naming each node's inputs (with its name and input
//! list), the node itself, and the [`Var`] handle to a recorded value.

use super::params::ParamId;
use crate::graph::Csr;
use crate::kernels::backward::Activation;
use crate::kernels::reduce::ReduceOp;
use crate::tensor::Tensor;

/// A value recorded on a tape: its tensor, its node id, the tape it belongs to, and whether a
/// gradient flows to it (true when it depends on a parameter). It is only valid on that tape.
#[derive(Clone, Debug)]
pub struct Var {
    pub(crate) id: usize,
    pub(crate) tape: u64,
    pub(crate) value: Tensor,
    pub(crate) requires_grad: bool,
}

impl Var {
    /// The forward value.
    pub fn value(&self) -> &Tensor {
        &self.value
    }

    /// Node index on its tape.
    pub fn id(&self) -> usize {
        self.id
    }

    /// True when a gradient flows to this value.
    pub fn requires_grad(&self) -> bool {
        self.requires_grad
    }

    /// Shape of the forward value.
    pub fn shape(&self) -> &[usize] {
        self.value.shape()
    }
}

/// How a node was computed: the op and its input node ids plus whatever the backward rule saves.
#[derive(Debug, Clone)]
pub enum Op {
    /// A constant input (no gradient).
    Leaf,
    /// A trainable parameter of a [`ParamStore`](super::ParamStore).
    Param(ParamId),
    /// A · B.
    MatMul(usize, usize),
    /// Aᵀ · B with A stored [k, m].
    MatMulTn(usize, usize),
    /// A · Bᵀ with B stored [n, k].
    MatMulNt(usize, usize),
    /// a + b, b the same shape or a row vector broadcast over rows.
    Add(usize, usize),
    /// a - b, b the same shape or a row vector.
    Sub(usize, usize),
    /// a * b elementwise, b the same shape or a row vector.
    Mul(usize, usize),
    /// alpha * x.
    Scale(usize, f32),
    /// An activation (relu, sigmoid, tanh, exp); the rule uses the saved output.
    Act(usize, Activation),
    /// x * mask with a saved inverted-dropout mask.
    Dropout(usize, Tensor),
    /// Column-wise concatenation.
    ConcatCols(Vec<usize>),
    /// Row gather by u32 indices.
    GatherRows(usize, Tensor),
    /// Row scatter-add into `n` rows.
    ScatterAddRows(usize, Tensor, usize),
    /// Segment pooling (CSR offsets) with the argmax saved for max.
    SegmentReduce {
        /// Input node.
        x: usize,
        /// u32 [s + 1] offsets.
        offsets: Tensor,
        /// Sum, mean or max.
        op: ReduceOp,
        /// Row index of each maximum (max only).
        argmax: Option<Tensor>,
    },
    /// Sum of all elements, shape `[1]`.
    SumAll(usize),
    /// Mean softmax cross-entropy; the forward kernel saves d loss / d logits.
    SoftmaxCrossEntropy(usize, Tensor),
    /// coeff * Σ x².
    L2(usize, f32),
    /// coeff * sqrt(Σ x²).
    Frobenius(usize, f32),
    /// An op recorded without a backward rule; backward fails naming it if a gradient reaches it.
    NoRule(&'static str, Vec<usize>),
    /// The same data viewed with a new shape.
    Reshape(usize),
    /// Batch normalisation over rows without affine parameters; saves 1 / sqrt(var + eps) per
    /// column and whether batch statistics (training) or running statistics were used.
    BatchNorm {
        /// Input node.
        x: usize,
        /// f32 `[cols]`: 1 / sqrt(var + eps).
        invstd: Tensor,
        /// True when the batch statistics were used (training mode).
        batch_stats: bool,
    },
    /// 1-hop neighbour max over a fixed dense mask: input node, saved argmax, the mask.
    NeighborMax(usize, Tensor, Tensor),
    /// Sparse A · X with a constant CSR matrix A; backward Aᵀ · G through A's prebuilt transpose.
    Spmm(usize, Box<Csr>),
}

impl Op {
    /// The op's name, used in error messages.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Leaf => "leaf",
            Op::Param(_) => "param",
            Op::MatMul(..) => "matmul",
            Op::MatMulTn(..) => "matmul_tn",
            Op::MatMulNt(..) => "matmul_nt",
            Op::Add(..) => "add",
            Op::Sub(..) => "sub",
            Op::Mul(..) => "mul",
            Op::Scale(..) => "scale",
            Op::Act(..) => "activation",
            Op::Dropout(..) => "dropout",
            Op::ConcatCols(_) => "concat_cols",
            Op::GatherRows(..) => "gather_rows",
            Op::ScatterAddRows(..) => "scatter_add_rows",
            Op::SegmentReduce { .. } => "segment_reduce",
            Op::SumAll(_) => "sum_all",
            Op::SoftmaxCrossEntropy(..) => "softmax_cross_entropy",
            Op::L2(..) => "l2_penalty",
            Op::Frobenius(..) => "frobenius_penalty",
            Op::NoRule(name, _) => name,
            Op::Reshape(_) => "reshape",
            Op::BatchNorm { .. } => "batch_norm",
            Op::NeighborMax(..) => "neighbor_max",
            Op::Spmm(..) => "spmm",
        }
    }

    /// Input node ids.
    pub fn inputs(&self) -> Vec<usize> {
        match self {
            Op::Leaf | Op::Param(_) => vec![],
            Op::MatMul(a, b)
            | Op::MatMulTn(a, b)
            | Op::MatMulNt(a, b)
            | Op::Add(a, b)
            | Op::Sub(a, b)
            | Op::Mul(a, b) => vec![*a, *b],
            Op::Scale(x, _)
            | Op::Act(x, _)
            | Op::Dropout(x, _)
            | Op::GatherRows(x, _)
            | Op::ScatterAddRows(x, _, _)
            | Op::SegmentReduce { x, .. }
            | Op::SumAll(x)
            | Op::SoftmaxCrossEntropy(x, _)
            | Op::L2(x, _)
            | Op::Frobenius(x, _) => vec![*x],
            Op::ConcatCols(v) | Op::NoRule(_, v) => v.clone(),
            Op::Reshape(x) | Op::BatchNorm { x, .. } | Op::NeighborMax(x, ..) | Op::Spmm(x, _) => {
                vec![*x]
            }
        }
    }
}

pub(crate) struct Node {
    pub(crate) value: Option<Tensor>,
    pub(crate) op: Op,
    pub(crate) requires_grad: bool,
}

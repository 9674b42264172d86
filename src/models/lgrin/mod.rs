//! L-GrIN, the learnable graph inception network (Shirian, Tripathi & Guha, "Dynamic Emotion
//! Modeling with Learnable Graphs and Graph Inception Network", IEEE TMM 2021), with the
//! fixed-graph GCN baseline and the ablation switches of the paper's Table VI.
//!
//! Each clip is a graph of M nodes (one per group of frames). One M × M matrix A is learned for
//! the data set and used as ReLU(A). A G*conv block computes ReLU(BN(MLP(ReLU(A) H))); an
//! inception layer concatenates [1-hop max pool | G1*conv (128) | G2*conv (64)]; two layers are
//! stacked; the graph readout is [max | Hᵀp | mean] over nodes, followed by
//! Linear → Dropout → PReLU → Linear. The loss adds the structure terms of A and p: the
//! reference code's means of ReLU(A) ⊙ A_d, ReLU(A)² and p², or the paper's sums
//! eᵀ(A_d ⊙ ReLU(A))e, ‖A‖²_F and ‖p‖² (see [`LgrinConfig::loss_means`]).

mod batches;
mod built;
pub mod checkpoint;
mod checks;
pub mod config;
mod infer;
pub mod layers;
mod loss;
pub mod model;
pub mod predict;
mod scores;
mod state;
mod temporal;
pub mod train;

pub use checkpoint::{load_model, save_model, SavedModel};
pub use config::{AdjacencyInit, LgrinConfig, MaxpoolGraph, ModelKind};
pub use model::{Forward, Lgrin};
pub use predict::Prediction;
pub use train::{argmax, evaluate, one_pass_batches, predict_proba, train, EpochLog, TrainOutcome};

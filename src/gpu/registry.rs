//! The kernel registry: every WGSL family is one file in `shaders/`, compiled into the binary with
//! `include_str!`, so a missing kernel file is a compile error. Each family is prefixed with
//! `shaders/common.wgsl` (shared index helpers) before compilation.

/// Helpers prepended to every kernel family.
pub const COMMON_WGSL: &str = include_str!("../../shaders/common.wgsl");

macro_rules! shader_families {
    ($($(#[$doc:meta])* $variant:ident => $file:literal,)*) => {
        /// One WGSL kernel family (one file in `shaders/`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Shader {
            $($(#[$doc])* $variant,)*
        }

        impl Shader {
            /// Every registered family.
            pub const ALL: &'static [Shader] = &[$(Shader::$variant,)*];

            /// The file name under `shaders/`, used as the module label so errors name the file.
            pub fn file_name(self) -> &'static str {
                match self { $(Shader::$variant => $file,)* }
            }

            /// The family's own WGSL text, without the common prelude.
            pub fn body(self) -> &'static str {
                match self { $(Shader::$variant => include_str!(concat!("../../shaders/", $file)),)* }
            }
        }
    };
}

shader_families! {
    /// Elementwise maps, binary ops with row broadcasting, select.
    Elementwise => "elementwise.wgsl",
    /// Seeded counter-based random numbers (uniform, normal).
    Random => "random.wgsl",
    /// f32 <-> f16 conversion through packed u32 pairs.
    Cast => "cast.wgsl",
    /// Sparse CSR kernels: SpMM (row-parallel and flat).
    Sparse => "sparse.wgsl",
    /// Exclusive prefix sums of u32 values.
    Scan => "scan.wgsl",
    /// Neural-synchrony graph construction from sorted spikes.
    Synchrony => "synchrony.wgsl",
    /// 1-hop neighbour max pooling over a dense mask, with argmax routing.
    NeighborMax => "neighbor_max.wgsl",
    /// Autodiff backward kernels (activation derivatives, dropout masks, broadcasts).
    Backward => "backward.wgsl",
    /// Optimizer steps (Adam, SGD).
    Optim => "optim.wgsl",
    /// Tiled register-blocked fp32 GEMM (plain and transposed operands).
    Matmul => "matmul.wgsl",
    /// Softmax over rows and softmax cross-entropy with its gradient.
    Softmax => "softmax.wgsl",
    /// Row, column and whole-tensor reductions (sum, mean, max).
    Reduce => "reduce.wgsl",
    /// Transpose, row gather, deterministic row scatter-add, column concat and slice.
    Layout => "layout.wgsl",
    /// Segment (CSR) sum, mean and max with argmax.
    Segment => "segment.wgsl",
    /// Conductance LIF neuron update.
    Lif => "lif.wgsl",
    /// Poisson and spike-list input encoding.
    Poisson => "poisson.wgsl",
    /// Spike compaction, recording and event-driven propagation.
    Synapse => "synapse.wgsl",
    /// STDP traces, weight updates and normalisation.
    Stdp => "stdp.wgsl",
}

impl Shader {
    /// The full source handed to the compiler: common prelude plus the family body.
    pub fn source(self) -> String {
        format!("{COMMON_WGSL}\n{}", self.body())
    }
}

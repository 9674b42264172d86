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

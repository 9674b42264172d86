//! How the spike record names groups and neurons: the group ids and the `exc_0`-style names.

use super::Network;
use crate::snn::record::SpikeEvent;

/// Record group id of the excitatory population.
pub const GROUP_EXC: u32 = 0;
/// Record group id of the inhibitory population.
pub const GROUP_INH: u32 = 1;

impl Network {
    /// Group, clip and in-group index of a recorded event: (`exc_0`, clip, i) etc. The group
    /// is formatted when written, so describing millions of events allocates nothing.
    pub fn describe(&self, e: &SpikeEvent) -> (GroupName, usize, usize) {
        let per = self.cfg.network.neurons_per_modality;
        let local = e.neuron as usize % self.n_e;
        let kind = if e.group == GROUP_EXC { "exc" } else { "inh" };
        (
            GroupName {
                kind,
                modality: local / per,
            },
            e.neuron as usize / self.n_e,
            local % per,
        )
    }
}

/// A neuron group as the spike records name it: `exc_0`, `inh_1`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupName {
    /// `exc` or `inh`.
    pub kind: &'static str,
    /// Modality index.
    pub modality: usize,
}

impl std::fmt::Display for GroupName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.kind, self.modality)
    }
}

//! Bind groups built once and reused. A dispatch's bind group depends only on its pipeline's
//! layout, the parameter-arena buffer its parameters sit in and the buffer ranges it binds
//! (the parameters' place in the arena is a dynamic offset, given when the group is set), so
//! a loop that runs the same kernels over the same tensors, like a spiking-network step, builds
//! its bind groups in its first iteration only. A loop that allocates new temporaries every
//! step reuses a group where the pool hands it the same buffers as before, which it does once
//! the pool holds what a step needs (it hands free buffers out in a fixed order, see
//! [`super::pool`]): a training step of fixed-size minibatches then reuses most of its groups,
//! one whose minibatches change size (graphs of other node counts) fewer.
//!
//! The cache keeps two generations: groups built or used since the last turn, and those of the
//! generation before. A group found in the older one moves to the newer; when the newer holds
//! half of [`MAX_CACHED_BIND_GROUPS`], it becomes the older one and the groups of the old one
//! that no dispatch asked for in the meantime are dropped. A loop whose iteration binds fewer
//! than half that many distinct groups therefore finds all of them after its first iteration,
//! and the cache never holds more than [`MAX_CACHED_BIND_GROUPS`].
//!
//! A cached group holds its buffers alive. The pool already keeps every buffer the engine
//! frees, so that costs nothing until the pool is trimmed; [`BindGroupCache::clear`] is called
//! then, and the bound on the cache's size bounds what it can hold of buffers the engine did not
//! allocate.

use std::collections::HashMap;

/// Most bind groups cached at once (both generations together).
pub const MAX_CACHED_BIND_GROUPS: usize = 8192;

/// One buffer range bound at a storage binding.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BoundRange {
    /// The buffer.
    pub buffer: wgpu::Buffer,
    /// Byte offset.
    pub offset: u64,
    /// Byte size.
    pub size: u64,
}

/// What makes two dispatches share a bind group.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BindKey {
    /// Layout of the pipeline's group 0.
    pub layout: wgpu::BindGroupLayout,
    /// Parameter-arena buffer bound at binding 0.
    pub params: wgpu::Buffer,
    /// Storage ranges at bindings 1, 2, ...
    pub ranges: Vec<BoundRange>,
}

/// Counts of the bind-group cache since the device was opened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BindGroupStats {
    /// Dispatches that reused a cached group.
    pub hits: u64,
    /// Dispatches that built a group.
    pub misses: u64,
    /// Groups cached now.
    pub cached: usize,
}

/// Built bind groups by key, with hit and miss counts.
#[derive(Default)]
pub struct BindGroupCache {
    recent: HashMap<BindKey, wgpu::BindGroup>,
    older: HashMap<BindKey, wgpu::BindGroup>,
    hits: u64,
    misses: u64,
}

impl BindGroupCache {
    /// The group for `key`, built by `build` if none is cached.
    pub fn get_or_build(
        &mut self,
        key: BindKey,
        build: impl FnOnce(&BindKey) -> wgpu::BindGroup,
    ) -> wgpu::BindGroup {
        if let Some(group) = self.recent.get(&key) {
            self.hits += 1;
            return group.clone();
        }
        let group = match self.older.remove(&key) {
            Some(group) => {
                self.hits += 1;
                group
            }
            None => {
                self.misses += 1;
                build(&key)
            }
        };
        if self.recent.len() >= MAX_CACHED_BIND_GROUPS / 2 {
            self.older = std::mem::take(&mut self.recent);
        }
        self.recent.insert(key, group.clone());
        group
    }

    /// Drop every cached group and the buffers it holds.
    pub fn clear(&mut self) {
        self.recent.clear();
        self.older.clear();
    }

    /// Hits, misses and the number of groups cached now.
    pub fn stats(&self) -> BindGroupStats {
        BindGroupStats {
            hits: self.hits,
            misses: self.misses,
            cached: self.recent.len() + self.older.len(),
        }
    }
}

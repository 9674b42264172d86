//! Explicit bind-group layouts, read from each kernel family's WGSL with naga.
//!
//! Every kernel binds its parameter block at `@binding(0)` as a uniform and its buffers at
//! bindings 1, 2, ... The layout built here gives binding 0 a dynamic offset, so one bind group
//! serves every dispatch of a kernel over the same buffers whatever slot of the parameter arena
//! its parameters sit in: that is what lets [`BindGroupCache`](super::bind_cache::BindGroupCache)
//! reuse bind groups. The storage bindings are the ones the entry point uses, read-only where
//! the WGSL declares `var<storage, read>`, exactly as wgpu would derive them itself.

use crate::error::{Error, Result};

/// Bytes bound at binding 0 of every dispatch: the largest parameter block a kernel may use.
pub const PARAM_BINDING_BYTES: u64 = super::params::MAX_PARAM_BYTES as u64;

/// A family's WGSL parsed and analysed once, to describe the bindings of its entry points.
pub struct FamilyReflection {
    module: naga::Module,
    info: naga::valid::ModuleInfo,
}

impl FamilyReflection {
    /// Parse and validate `source` (the file `name`, for error messages).
    pub fn new(name: &str, source: &str) -> Result<Self> {
        let invalid = |message: String| Error::Validation {
            context: name.to_string(),
            message,
        };
        let module =
            naga::front::wgsl::parse_str(source).map_err(|e| invalid(e.emit_to_string(source)))?;
        let info = naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::all(),
        )
        .validate(&module)
        .map_err(|e| invalid(e.emit_to_string(source)))?;
        Ok(Self { module, info })
    }

    /// The layout entries of group 0 for compute entry point `entry`: binding 0 a uniform with
    /// a dynamic offset (always present, since every dispatch binds its parameters there), then
    /// each storage buffer of group 0 that the entry point reads or writes.
    pub fn entries(&self, entry: &str) -> Result<Vec<wgpu::BindGroupLayoutEntry>> {
        let index = self
            .module
            .entry_points
            .iter()
            .position(|e| e.name == entry)
            .ok_or_else(|| Error::Validation {
                context: entry.to_string(),
                message: "no such entry point in the kernel family".into(),
            })?;
        let uses = self.info.get_entry_point(index);
        let mut entries = vec![param_entry()];
        for (handle, var) in self.module.global_variables.iter() {
            let Some(binding) = &var.binding else {
                continue;
            };
            if binding.group != 0 || binding.binding == 0 || uses[handle].is_empty() {
                continue;
            }
            let naga::AddressSpace::Storage { access } = var.space else {
                return Err(Error::Validation {
                    context: entry.to_string(),
                    message: format!(
                        "binding {} is not a storage buffer; only binding 0 may be a uniform",
                        binding.binding
                    ),
                });
            };
            entries.push(storage_entry(
                binding.binding,
                access == naga::StorageAccess::LOAD,
            ));
        }
        Ok(entries)
    }
}

fn param_entry() -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding: 0,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: true,
            min_binding_size: wgpu::BufferSize::new(PARAM_BINDING_BYTES),
        },
        count: None,
    }
}

fn storage_entry(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::Shader;

    fn storage_bindings(entries: &[wgpu::BindGroupLayoutEntry]) -> Vec<(u32, bool)> {
        entries
            .iter()
            .filter_map(|e| match e.ty {
                wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Storage { read_only },
                    ..
                } => Some((e.binding, read_only)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn entries_follow_the_entry_points_own_uses() {
        let source = "
            struct P { n: u32 }
            @group(0) @binding(0) var<uniform> p: P;
            @group(0) @binding(1) var<storage, read> a: array<f32>;
            @group(0) @binding(2) var<storage, read_write> b: array<f32>;
            @group(0) @binding(3) var<storage, read> c: array<f32>;
            @compute @workgroup_size(64) fn copy_a(@builtin(global_invocation_id) g: vec3<u32>) {
                if g.x < p.n { b[g.x] = a[g.x]; }
            }
            @compute @workgroup_size(64) fn copy_c(@builtin(global_invocation_id) g: vec3<u32>) {
                b[g.x] = c[g.x];
            }";
        let family = FamilyReflection::new("test.wgsl", source).unwrap();
        let a = family.entries("copy_a").unwrap();
        assert_eq!(storage_bindings(&a), vec![(1, true), (2, false)]);
        // copy_c leaves the parameters unread, yet binding 0 is still there to bind them.
        let c = family.entries("copy_c").unwrap();
        assert_eq!(storage_bindings(&c), vec![(2, false), (3, true)]);
        assert!(c.iter().any(|e| e.binding == 0
            && matches!(
                e.ty,
                wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Uniform,
                    has_dynamic_offset: true,
                    ..
                }
            )));
        let err = family.entries("missing").unwrap_err().to_string();
        assert!(err.contains("missing"), "{err}");
    }

    #[test]
    fn a_second_uniform_is_refused() {
        let source = "
            struct P { n: u32 }
            @group(0) @binding(0) var<uniform> p: P;
            @group(0) @binding(1) var<uniform> q: P;
            @group(0) @binding(2) var<storage, read_write> b: array<u32>;
            @compute @workgroup_size(1) fn main() { b[0] = p.n + q.n; }";
        let family = FamilyReflection::new("two.wgsl", source).unwrap();
        let err = family.entries("main").unwrap_err().to_string();
        assert!(err.contains("binding 1"), "{err}");
    }

    #[test]
    fn every_registered_kernel_family_reflects() {
        for &shader in Shader::ALL {
            let family = FamilyReflection::new(shader.file_name(), &shader.source()).unwrap();
            for entry in &family.module.entry_points {
                let entries = family.entries(&entry.name).unwrap();
                assert_eq!(
                    entries[0].binding,
                    0,
                    "{}::{}",
                    shader.file_name(),
                    entry.name
                );
            }
        }
    }

    #[test]
    fn broken_wgsl_names_its_file() {
        let err = FamilyReflection::new("broken.wgsl", "fn (")
            .err()
            .expect("a parse error")
            .to_string();
        assert!(err.contains("broken.wgsl"), "{err}");
    }
}

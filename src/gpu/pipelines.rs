//! Compile once, look up by key: shader modules per family, bind-group layouts per (family,
//! entry point) and compute pipelines per (family, entry point, override constants). Layouts
//! are explicit (see [`layouts`](super::layouts)), so the parameter block is bound with a
//! dynamic offset and specialisations of one entry point share a layout.

use std::collections::HashMap;
use std::sync::Arc;

use super::layouts::FamilyReflection;
use super::registry::Shader;
use crate::error::{Error, Result};

/// A kernel to run: a family, an entry point and optional WGSL `override` constants.
#[derive(Debug, Clone, PartialEq)]
pub struct Kernel {
    /// Shader family.
    pub shader: Shader,
    /// Entry point name.
    pub entry: &'static str,
    /// Pipeline-overridable constants.
    pub constants: Vec<(&'static str, f64)>,
}

impl Kernel {
    /// A kernel without override constants.
    pub fn new(shader: Shader, entry: &'static str) -> Self {
        Self {
            shader,
            entry,
            constants: Vec::new(),
        }
    }

    /// Add an override constant (specialisation).
    pub fn with(mut self, name: &'static str, value: f64) -> Self {
        self.constants.push((name, value));
        self
    }

    fn key(&self) -> PipelineKey {
        PipelineKey {
            shader: self.shader,
            entry: self.entry,
            constants: self
                .constants
                .iter()
                .map(|(n, v)| (*n, v.to_bits()))
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PipelineKey {
    shader: Shader,
    entry: &'static str,
    constants: Vec<(&'static str, u64)>,
}

/// A compiled pipeline and its bind-group layout.
pub struct CachedPipeline {
    /// The pipeline.
    pub pipeline: wgpu::ComputePipeline,
    /// Layout of bind group 0.
    pub layout: wgpu::BindGroupLayout,
}

/// An entry point's bind-group layout and the pipeline layout around it.
struct EntryLayout {
    group: wgpu::BindGroupLayout,
    pipeline: wgpu::PipelineLayout,
}

/// Module, layout and pipeline caches.
#[derive(Default)]
pub struct PipelineCache {
    modules: HashMap<Shader, (wgpu::ShaderModule, FamilyReflection)>,
    layouts: HashMap<(Shader, &'static str), EntryLayout>,
    pipelines: HashMap<PipelineKey, Arc<CachedPipeline>>,
    /// Number of pipelines compiled so far.
    pub compiled: usize,
}

/// Run `f` inside Validation and Internal error scopes: a kernel that fails validation, or that
/// the backend fails to build (shader generation, pipeline creation), is an error, and the
/// caller caches nothing.
fn scoped<T>(device: &wgpu::Device, context: &str, f: impl FnOnce() -> T) -> Result<T> {
    let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let internal = device.push_error_scope(wgpu::ErrorFilter::Internal);
    let value = f();
    // Scopes pop in reverse order of their push.
    let internal = pollster::block_on(internal.pop());
    let validation = pollster::block_on(validation.pop());
    let message = match (validation, internal) {
        (None, None) => return Ok(value),
        (Some(v), None) => v.to_string(),
        (None, Some(i)) => format!("internal error of the GPU backend: {i}"),
        (Some(v), Some(i)) => format!("{v}; internal error of the GPU backend: {i}"),
    };
    Err(Error::Validation {
        context: context.to_string(),
        message,
    })
}

impl PipelineCache {
    /// Get or build the pipeline for `kernel`.
    pub fn get(&mut self, device: &wgpu::Device, kernel: &Kernel) -> Result<Arc<CachedPipeline>> {
        let key = kernel.key();
        if let Some(p) = self.pipelines.get(&key) {
            return Ok(p.clone());
        }
        let (module, family) = match self.modules.entry(kernel.shader) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let source = kernel.shader.source();
                let family = FamilyReflection::new(kernel.shader.file_name(), &source)?;
                let module = scoped(device, kernel.shader.file_name(), || {
                    device.create_shader_module(wgpu::ShaderModuleDescriptor {
                        label: Some(kernel.shader.file_name()),
                        source: wgpu::ShaderSource::Wgsl(source.into()),
                    })
                })?;
                e.insert((module, family))
            }
        };
        let context = format!("{}::{}", kernel.shader.file_name(), kernel.entry);
        let layout = match self.layouts.entry((kernel.shader, kernel.entry)) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let entries = family.entries(kernel.entry).map_err(|err| match err {
                    Error::Validation { message, .. } => Error::Validation {
                        context: context.clone(),
                        message,
                    },
                    other => other,
                })?;
                let layout = scoped(device, &context, || {
                    let group = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                        label: Some(&context),
                        entries: &entries,
                    });
                    let pipeline = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                        label: Some(&context),
                        bind_group_layouts: &[Some(&group)],
                        immediate_size: 0,
                    });
                    EntryLayout { group, pipeline }
                })?;
                e.insert(layout)
            }
        };
        let module = &*module;
        let pipeline = scoped(device, &context, || {
            device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(&context),
                layout: Some(&layout.pipeline),
                module,
                entry_point: Some(kernel.entry),
                compilation_options: wgpu::PipelineCompilationOptions {
                    constants: &kernel.constants,
                    zero_initialize_workgroup_memory: true,
                },
                cache: None,
            })
        })?;
        let cached = Arc::new(CachedPipeline {
            pipeline,
            layout: layout.group.clone(),
        });
        self.pipelines.insert(key, cached.clone());
        self.compiled += 1;
        Ok(cached)
    }
}

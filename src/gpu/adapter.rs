//! Adapter discovery and selection: prefer a discrete GPU, then integrated, then a CPU adapter.

use std::sync::Mutex;

use crate::error::{Error, Result};

/// Environment variable that forces an adapter by name substring or index.
pub const ADAPTER_ENV: &str = "SYNCHGRAPH_ADAPTER";

/// Optional features the engine asks for when an adapter has them.
pub fn wanted_features() -> wgpu::Features {
    wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::SHADER_F16 | wgpu::Features::SUBGROUP
}

/// The process's wgpu instance for the backends `WGPU_BACKEND` names (e.g. `vulkan`; all when
/// unset), created on first use and shared by every device opened on those backends. wgpu
/// numbers buffers per instance and compares them by that number alone, so buffers of devices
/// of two instances can look alike: a transfer handed another device's buffer then reached the
/// buffer of its own device that shares the number. Within one instance every buffer has a
/// number of its own and wgpu refuses a buffer of another device.
pub fn instance() -> wgpu::Instance {
    static INSTANCES: Mutex<Vec<(wgpu::Backends, wgpu::Instance)>> = Mutex::new(Vec::new());
    let backends = wgpu::Backends::from_env().unwrap_or(wgpu::Backends::all());
    let mut instances = INSTANCES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, instance)) = instances.iter().find(|(b, _)| *b == backends) {
        return instance.clone();
    }
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = backends;
    let instance = wgpu::Instance::new(desc);
    instances.push((backends, instance.clone()));
    instance
}

/// All adapters of the instance, in enumeration order.
pub fn enumerate(instance: &wgpu::Instance) -> Vec<wgpu::Adapter> {
    let backends = wgpu::Backends::from_env().unwrap_or(wgpu::Backends::all());
    pollster::block_on(instance.enumerate_adapters(backends))
}

/// The backends searched, by name, and where that choice came from (`WGPU_BACKEND` or the
/// default), for [`Error::NoAdapter`]. A `WGPU_BACKEND` that names no backend, or only backends
/// this build cannot search, says so and names the ones it can.
fn backends_tried() -> String {
    describe_backends(std::env::var("WGPU_BACKEND").ok().as_deref(), searchable())
}

/// The backends this build can search for a GPU: those compiled in (Vulkan and GL on Linux,
/// Metal on Apple systems, DX12 on Windows), less the no-op backend, which is never a GPU.
fn searchable() -> wgpu::Backends {
    wgpu::Instance::enabled_backend_features().difference(wgpu::Backends::NOOP)
}

/// [`backends_tried`] for the text of `WGPU_BACKEND` (`None` when unset) on a build that can
/// search `built` for a GPU.
fn describe_backends(env: Option<&str>, built: wgpu::Backends) -> String {
    let Some(env) = env else {
        return names(built);
    };
    let asked = wgpu::Backends::from_comma_list(env);
    let tried = asked & built;
    let lacking = asked.difference(built);
    if asked.is_empty() {
        format!(
            "none: WGPU_BACKEND='{env}' names no backend; use {}, or unset it",
            names(built)
        )
    } else if tried.is_empty() {
        format!(
            "none: WGPU_BACKEND='{env}' names only backends this build cannot search ({}); use \
             {}, or unset it",
            names(lacking),
            names(built)
        )
    } else if lacking.is_empty() {
        format!("{} (WGPU_BACKEND='{env}')", names(tried))
    } else {
        format!(
            "{} (WGPU_BACKEND='{env}'; this build cannot search {})",
            names(tried),
            names(lacking)
        )
    }
}

/// Lower-case names of a backend set, comma-separated.
fn names(backends: wgpu::Backends) -> String {
    backends
        .iter_names()
        .map(|(n, _)| n.to_lowercase())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Preference rank of a device type: lower is better.
fn rank(device_type: wgpu::DeviceType) -> u32 {
    match device_type {
        wgpu::DeviceType::DiscreteGpu => 0,
        wgpu::DeviceType::IntegratedGpu => 1,
        wgpu::DeviceType::VirtualGpu => 2,
        wgpu::DeviceType::Cpu => 3,
        wgpu::DeviceType::Other => 4,
    }
}

/// Choose an adapter. `wanted` is an index into [`enumerate`]'s list or a case-insensitive
/// substring of the adapter name (a number past the end of the list is matched as part of a
/// name; where several names hold it, the first adapter in the list is taken), without the
/// spaces around it; `None` (or a blank string, as a blank
/// `SYNCHGRAPH_ADAPTER`) falls back to `SYNCHGRAPH_ADAPTER`, then to the best type.
pub fn select(adapters: Vec<wgpu::Adapter>, wanted: Option<&str>) -> Result<wgpu::Adapter> {
    // Spaces around the text are no part of it (a quoted shell value), and blank is no choice.
    let given = |w: &str| Some(w.trim().to_string()).filter(|w| !w.is_empty());
    let env = std::env::var(ADAPTER_ENV).ok().and_then(|s| given(&s));
    let wanted = wanted.and_then(given).or(env);
    if adapters.is_empty() {
        return Err(Error::NoAdapter {
            backends: backends_tried(),
        });
    }
    if let Some(w) = wanted {
        let names: Vec<String> = adapters
            .iter()
            .enumerate()
            .map(|(i, a)| format!("[{i}] {}", a.get_info().name))
            .collect();
        // A number is an index where there is an adapter at it; otherwise, like any other
        // text, part of a name (the "4090" of "GeForce RTX 4090").
        let index = w.parse::<usize>().ok().filter(|&i| i < adapters.len());
        let pick = match index {
            Some(index) => adapters.into_iter().nth(index),
            None => {
                let lw = w.to_lowercase();
                adapters
                    .into_iter()
                    .find(|a| a.get_info().name.to_lowercase().contains(&lw))
            }
        };
        return pick.ok_or(Error::AdapterNotFound {
            wanted: w,
            available: names.join(", "),
        });
    }
    let mut adapters = adapters;
    adapters.sort_by_key(|a| rank(a.get_info().device_type));
    Ok(adapters.into_iter().next().expect("non-empty adapter list"))
}

/// Human-readable description of one adapter, for `synchgraph devices`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AdapterReport {
    /// Index in enumeration order (what `--adapter INDEX` takes).
    pub index: usize,
    /// Adapter name.
    pub name: String,
    /// Backend (Vulkan, Metal, Dx12, ...).
    pub backend: String,
    /// Device type (DiscreteGpu, Cpu, ...).
    pub device_type: String,
    /// Driver name and version.
    pub driver: String,
    /// Which of the optional features (TIMESTAMP_QUERY, SHADER_F16, SUBGROUP) it has.
    pub features: Vec<String>,
    /// Key limits.
    pub max_storage_buffer_binding_size: u64,
    /// Largest buffer.
    pub max_buffer_size: u64,
    /// Largest workgroup count per dimension.
    pub max_compute_workgroups_per_dimension: u32,
    /// Largest invocations per workgroup.
    pub max_compute_invocations_per_workgroup: u32,
    /// Workgroup shared memory in bytes.
    pub max_compute_workgroup_storage_size: u32,
    /// Storage buffers per shader stage.
    pub max_storage_buffers_per_shader_stage: u32,
    /// True for software adapters such as lavapipe.
    pub software: bool,
}

/// Describe an adapter.
pub fn report(index: usize, adapter: &wgpu::Adapter) -> AdapterReport {
    let info = adapter.get_info();
    let limits = adapter.limits();
    let have = adapter.features();
    let mut features = Vec::new();
    for (f, name) in [
        (wgpu::Features::TIMESTAMP_QUERY, "TIMESTAMP_QUERY"),
        (wgpu::Features::SHADER_F16, "SHADER_F16"),
        (wgpu::Features::SUBGROUP, "SUBGROUP"),
    ] {
        if have.contains(f) {
            features.push(name.to_string());
        }
    }
    AdapterReport {
        index,
        name: info.name.clone(),
        backend: format!("{:?}", info.backend),
        device_type: format!("{:?}", info.device_type),
        driver: format!("{} {}", info.driver, info.driver_info)
            .trim()
            .to_string(),
        features,
        max_storage_buffer_binding_size: limits.max_storage_buffer_binding_size,
        max_buffer_size: limits.max_buffer_size,
        max_compute_workgroups_per_dimension: limits.max_compute_workgroups_per_dimension,
        max_compute_invocations_per_workgroup: limits.max_compute_invocations_per_workgroup,
        max_compute_workgroup_storage_size: limits.max_compute_workgroup_storage_size,
        max_storage_buffers_per_shader_stage: limits.max_storage_buffers_per_shader_stage,
        software: info.device_type == wgpu::DeviceType::Cpu,
    }
}

/// Reports for every adapter visible to this process.
pub fn list_all() -> Vec<AdapterReport> {
    let inst = instance();
    enumerate(&inst)
        .iter()
        .enumerate()
        .map(|(i, a)| report(i, a))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{describe_backends, searchable};
    use wgpu::Backends;

    /// The no-adapter message names only backends the build searches: never the no-op backend
    /// (no GPU), the browser's WebGPU, or a platform API that is not built in.
    #[test]
    fn the_backends_tried_are_the_ones_this_build_searches() {
        let built = Backends::VULKAN | Backends::GL;
        assert_eq!(describe_backends(None, built), "vulkan, gl");
        let tried = describe_backends(None, searchable());
        for never in ["noop", "browser_webgpu"] {
            assert!(!tried.contains(never), "{tried}");
        }
        if cfg!(target_os = "linux") {
            assert!(
                !tried.contains("metal") && !tried.contains("dx12"),
                "{tried}"
            );
        }
        // A backend the build lacks is not claimed as tried; the ones it has are named.
        let lacking = describe_backends(Some("metal"), built);
        assert!(lacking.starts_with("none:"), "{lacking}");
        assert!(lacking.contains("vulkan, gl"), "{lacking}");
        let mixed = describe_backends(Some("Vulkan, metal"), built);
        assert!(
            mixed.starts_with("vulkan (WGPU_BACKEND='Vulkan, metal'"),
            "{mixed}"
        );
        assert!(mixed.contains("metal"), "{mixed}");
        // A value that names no backend at all points at the ones there are.
        let empty = describe_backends(Some(""), built);
        assert!(empty.contains("names no backend"), "{empty}");
        assert!(empty.contains("vulkan, gl"), "{empty}");
        assert!(!empty.contains("metal"), "{empty}");
    }
}

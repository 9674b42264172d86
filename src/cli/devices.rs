//! `synchgraph devices`: list adapters.

use anyhow::Result;
use synchgraph::gpu::adapter;

use crate::cli::output::outln;

/// Arguments of `devices`.
#[derive(clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

/// List every adapter.
pub fn run(args: &Args) -> Result<()> {
    let all = adapter::list_all();
    if all.is_empty() {
        return Err(adapter::select(Vec::new(), None).unwrap_err().into());
    }
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    for a in &all {
        outln!("[{}] {}", a.index, a.name);
        outln!(
            "    backend: {}   type: {}{}",
            a.backend,
            a.device_type,
            if a.software { " (software)" } else { "" }
        );
        outln!("    driver: {}", a.driver);
        let features = if a.features.is_empty() {
            "none".to_string()
        } else {
            a.features.join(", ")
        };
        outln!("    features: {features}");
        outln!(
            "    limits: storage binding {} MiB, buffer {} MiB, workgroups/dim {}, invocations/group {}, shared {} KiB, storage buffers/stage {}",
            a.max_storage_buffer_binding_size >> 20,
            a.max_buffer_size >> 20,
            a.max_compute_workgroups_per_dimension,
            a.max_compute_invocations_per_workgroup,
            a.max_compute_workgroup_storage_size >> 10,
            a.max_storage_buffers_per_shader_stage
        );
    }
    Ok(())
}

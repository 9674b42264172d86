//! Every WGSL family parses and validates with naga, with no GPU, against the portable
//! capability set, so a kernel that would fail on another backend fails here first.

use synchgraph::gpu::Shader;

/// The WebGPU baseline: naga's defaults plus pack/unpack2x16float, which core WebGPU has.
fn portable_capabilities() -> naga::valid::Capabilities {
    naga::valid::Capabilities::default() | naga::valid::Capabilities::SHADER_FLOAT16_IN_FLOAT32
}

#[test]
fn every_shader_family_validates_with_naga() {
    assert!(!Shader::ALL.is_empty());
    for &shader in Shader::ALL {
        let source = shader.source();
        let module = naga::front::wgsl::parse_str(&source).unwrap_or_else(|e| {
            panic!(
                "{} failed to parse:\n{}",
                shader.file_name(),
                e.emit_to_string(&source)
            )
        });
        let mut validator = naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            portable_capabilities(),
        );
        validator.validate(&module).unwrap_or_else(|e| {
            panic!(
                "{} failed validation:\n{}",
                shader.file_name(),
                e.emit_to_string(&source)
            )
        });
        assert!(
            module
                .entry_points
                .iter()
                .all(|e| e.stage == naga::ShaderStage::Compute),
            "{} has a non-compute entry point",
            shader.file_name()
        );
    }
}

#[test]
fn every_wgsl_file_is_registered() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        if name == "common.wgsl" || !name.ends_with(".wgsl") {
            continue;
        }
        assert!(
            Shader::ALL.iter().any(|s| s.file_name() == name),
            "shaders/{name} is not in the registry"
        );
    }
}

#[test]
fn a_broken_shader_is_rejected() {
    // The validator must be able to fail: an undeclared identifier is an error.
    let bad = "@compute @workgroup_size(1) fn main() { let x = missing_value; }";
    assert!(naga::front::wgsl::parse_str(bad).is_err());
}

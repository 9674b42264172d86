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

/// The override values the host dispatches each family with (every combination is compiled).
/// Sources: `Unary::code` and `affine` in src/kernels/elementwise.rs (OP 0..=11), `gemm` in
/// src/kernels/matmul.rs (WIDE, TRANS_A, TRANS_B), the `fw` choices in src/kernels/reduce.rs and
/// src/kernels/segment.rs (1, 4, 16, 64), `tile_width` and the PERM flag in src/graph/spmm.rs.
/// Families without overrides are compiled once.
fn host_override_values(shader: Shader) -> Vec<(&'static str, Vec<f64>)> {
    let bools = vec![0.0, 1.0];
    let fw = vec![1.0, 4.0, 16.0, 64.0];
    match shader {
        Shader::Elementwise => vec![("OP", (0..=11).map(f64::from).collect())],
        Shader::Matmul => vec![
            ("WIDE", bools.clone()),
            ("TRANS_A", bools.clone()),
            ("TRANS_B", bools),
        ],
        Shader::Reduce | Shader::Segment => vec![("FW", fw)],
        Shader::Sparse => vec![("FW", vec![16.0, 32.0, 64.0]), ("PERM", bools)],
        _ => Vec::new(),
    }
}

/// Every combination of the given override values (one empty combination without overrides).
fn combinations(values: &[(&'static str, Vec<f64>)]) -> Vec<Vec<(&'static str, f64)>> {
    let mut out = vec![Vec::new()];
    for (name, vals) in values {
        out = out
            .into_iter()
            .flat_map(|combo| {
                vals.iter().map(move |&v| {
                    let mut c = combo.clone();
                    c.push((*name, v));
                    c
                })
            })
            .collect();
    }
    out
}

/// The source with each `override NAME: T = default;` replaced by `const NAME: T = value;`, so
/// the compiler checks the module as the pipeline specialised with these values sees it (this
/// Tint build only writes WGSL, which keeps overrides unsubstituted).
fn specialise(source: &str, combo: &[(&'static str, f64)]) -> String {
    let mut out = String::new();
    for line in source.lines() {
        let trimmed = line.trim_start();
        let hit = combo.iter().find(|(name, _)| {
            trimmed
                .strip_prefix("override ")
                .and_then(|rest| rest.strip_prefix(name))
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        });
        match hit {
            Some(&(name, value)) => {
                let ty = trimmed
                    .split_once(':')
                    .and_then(|(_, rest)| rest.split_once('='))
                    .map(|(ty, _)| ty.trim())
                    .unwrap_or_else(|| panic!("override {name} has no `: type =`: {line}"));
                let literal = match ty {
                    "bool" => (value != 0.0).to_string(),
                    "u32" => format!("{}u", value as u32),
                    "i32" => format!("{}i", value as i32),
                    "f32" => format!("{value:?}f"),
                    other => panic!("override {name} has unhandled type {other}"),
                };
                out.push_str(&format!("const {name}: {ty} = {literal};\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// A `tint` binary on PATH, or at /usr/local/bin/tint.
fn find_tint() -> Option<std::path::PathBuf> {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("tint"))
            .find(|p| p.is_file())
    });
    on_path.or_else(|| {
        let fixed = std::path::PathBuf::from("/usr/local/bin/tint");
        fixed.is_file().then_some(fixed)
    })
}

/// Every WGSL family, with the common prelude prepended exactly as the engine does
/// (`Shader::source`) and specialised with every override combination the host dispatches,
/// compiles with Tint, the WGSL compiler of Dawn and Chromium. naga (wgpu's compiler, used by
/// the test above) does not check WGSL's uniformity rules (a barrier in non-uniform control
/// flow) nor reject const-expressions that overflow f32 (such as `bitcast<f32>(0xff800000u)`,
/// -inf), so a shader naga accepts can still be rejected by other WebGPU implementations. Runs
/// when a `tint` binary is on PATH or at /usr/local/bin/tint; otherwise prints that it was
/// skipped and passes.
#[test]
fn every_shader_family_compiles_with_tint() {
    let Some(tint) = find_tint() else {
        eprintln!(
            "SKIPPED every_shader_family_compiles_with_tint: no `tint` binary on PATH or at \
             /usr/local/bin/tint (uniformity and const-expression overflow are NOT checked)"
        );
        return;
    };
    let dir = std::env::temp_dir().join(format!("synchgraph-tint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    let mut compiled = 0;
    for &shader in Shader::ALL {
        let source = shader.source();
        let values = host_override_values(shader);
        // Every override the family declares must be in the table (and nothing else).
        let module = naga::front::wgsl::parse_str(&source).unwrap();
        let mut declared: Vec<String> = module
            .overrides
            .iter()
            .filter_map(|(_, o)| o.name.clone())
            .collect();
        let mut listed: Vec<String> = values.iter().map(|(n, _)| n.to_string()).collect();
        declared.sort();
        listed.sort();
        assert_eq!(
            declared,
            listed,
            "{}: overrides declared vs listed in host_override_values",
            shader.file_name()
        );
        for combo in combinations(&values) {
            let input = dir.join(shader.file_name());
            let output = dir.join(format!("out-{}", shader.file_name()));
            std::fs::write(&input, specialise(&source, &combo)).unwrap();
            let run = std::process::Command::new(&tint)
                .args(["--format", "wgsl", "-o"])
                .arg(&output)
                .arg(&input)
                .output()
                .unwrap_or_else(|e| panic!("could not run {}: {e}", tint.display()));
            compiled += 1;
            if !run.status.success() {
                failures.push(format!(
                    "{} with {combo:?}:\n{}{}",
                    shader.file_name(),
                    String::from_utf8_lossy(&run.stdout),
                    String::from_utf8_lossy(&run.stderr)
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        failures.is_empty(),
        "tint rejected {} of {compiled} specialised shaders:\n{}",
        failures.len(),
        failures.join("\n")
    );
    eprintln!(
        "tint ({}) accepted {compiled} specialised shaders",
        tint.display()
    );
}

/// The body of `fn name` in a WGSL source, without `//` comments and with all whitespace removed.
fn squeezed_body(source: &str, name: &str) -> String {
    let start = source
        .find(&format!("fn {name}("))
        .unwrap_or_else(|| panic!("no fn {name}"));
    let rest = &source[start..];
    let end = rest.find("\n}").expect("function end");
    rest[..end]
        .lines()
        .map(|line| line.split_once("//").map_or(line, |(code, _)| code))
        .flat_map(str::chars)
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// `add_offsets` leaves spare workgroups of a folded grid (no block of their own) before it reads
/// `offsets_in[block]`, which is past the end for them; `scan_blocks` does the same.
#[test]
fn scan_kernels_guard_spare_workgroups_before_reading() {
    let source = Shader::Scan.body();
    for (entry, read) in [
        ("add_offsets", "offsets_in[block]"),
        ("scan_blocks", "scan_in[i]"),
    ] {
        let body = squeezed_body(source, entry);
        let guard = body
            .find("if(block*1024u>=p.n){return;}")
            .unwrap_or_else(|| panic!("{entry} has no spare-workgroup guard"));
        let first_read = body
            .find(read)
            .unwrap_or_else(|| panic!("{entry} does not read {read}"));
        assert!(guard < first_read, "{entry} reads {read} before its guard");
    }
}

// Shared helpers, prepended to every kernel family by src/gpu/registry.rs.

// Flat invocation index for 1-D problems dispatched as a 2-D grid of workgroups
// (the grid is split when it exceeds max_compute_workgroups_per_dimension).
fn flat_index(wid: vec3<u32>, nwg: vec3<u32>, lid: vec3<u32>, wg_size: u32) -> u32 {
    return (wid.y * nwg.x + wid.x) * wg_size + lid.x;
}

// Flat workgroup index for a 2-D grid of workgroups.
fn flat_group(wid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return wid.y * nwg.x + wid.x;
}

// True for a NaN, tested on the bits: WGSL lets a compiler assume floats are never NaN, so
// `v != v` may be folded away. Max kernels use it to let a NaN win, wherever it sits.
fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// Whether value `v` replaces `best` in a running max: a NaN beats every number (so it
// propagates wherever it sits), and between two NaNs or two numbers the larger number wins.
// Ties keep `best`, the caller orders indices.
fn max_takes(v: f32, best: f32) -> bool {
    return (is_nan(v) && !is_nan(best)) || v > best;
}

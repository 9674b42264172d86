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

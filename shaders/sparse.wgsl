// Sparse kernels over CSR matrices: row-parallel SpMM (also used for the transpose through a
// permutation of the value array). The GCN normalisation is computed on the host
// (`HostCsr::gcn_scaled` in src/graph/csr/host.rs).

struct Params {
    n: u32,     // spmm: output rows
    f: u32,     // spmm: feature columns
    nnz: u32,   // number of stored entries
    tiles: u32, // spmm: feature tiles of FW per row (workgroup g is row g / tiles, tile g % tiles)
}

@group(0) @binding(0) var<uniform> p: Params;

// spmm: y[row, c] = sum_j vals[perm?(j)] * x[col_idx[j], c]
@group(0) @binding(1) var<storage, read> sp_row_ptr: array<u32>;
@group(0) @binding(2) var<storage, read> sp_col_idx: array<u32>;
@group(0) @binding(3) var<storage, read> sp_vals: array<f32>;
@group(0) @binding(4) var<storage, read> sp_perm: array<u32>;
@group(0) @binding(5) var<storage, read> sp_x: array<f32>;
@group(0) @binding(6) var<storage, read_write> sp_y: array<f32>;

// Features handled by one workgroup (16, 32 or 64); the other WG / FW lanes split the row's
// entries and are reduced in a fixed order, so results are deterministic.
override FW: u32 = 64u;
// 1: values are read through sp_perm (transpose of a CSR stored as a permutation).
override PERM: u32 = 0u;
const WG: u32 = 128u;
var<workgroup> partial: array<f32, 128>;

@compute @workgroup_size(128)
fn spmm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
    let g = flat_group(wid, nwg);
    let row = g / p.tiles;
    let lanes = WG / FW;
    let lf = lid.x % FW;
    let lk = lid.x / FW;
    let col = (g % p.tiles) * FW + lf;
    let in_range = row < p.n && col < p.f;
    var acc = 0.0;
    if (in_range) {
        let start = sp_row_ptr[row];
        let end = sp_row_ptr[row + 1u];
        for (var j = start + lk; j < end; j = j + lanes) {
            var v: f32;
            if (PERM == 1u) { v = sp_vals[sp_perm[j]]; } else { v = sp_vals[j]; }
            acc = acc + v * sp_x[sp_col_idx[j] * p.f + col];
        }
    }
    partial[lid.x] = acc;
    workgroupBarrier();
    if (in_range && lk == 0u) {
        var s = 0.0;
        for (var k = 0u; k < lanes; k = k + 1u) {
            s = s + partial[k * FW + lf];
        }
        sp_y[row * p.f + col] = s;
    }
}

// spmm_flat: one thread per output element y[row, c], entries of the row summed in order.
@compute @workgroup_size(64)
fn spmm_flat(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 64u);
    if (i >= p.n * p.f) { return; }
    let row = i / p.f;
    let col = i % p.f;
    var acc = 0.0;
    for (var j = sp_row_ptr[row]; j < sp_row_ptr[row + 1u]; j = j + 1u) {
        var v: f32;
        if (PERM == 1u) { v = sp_vals[sp_perm[j]]; } else { v = sp_vals[j]; }
        acc = acc + v * sp_x[sp_col_idx[j] * p.f + col];
    }
    sp_y[i] = acc;
}

// 1-hop neighbour max pooling for dense graphs laid out node-major: H is [M, C] where row m holds
// node m of every graph in the batch (C = graphs x features). For each node i and column c,
// out[i, c] = max over j with mask[i, j] > 0 of H[j, c]; argmax records the winning j
// (the lowest j on ties). A NaN neighbour value wins (the first NaN), so NaN propagates
// wherever it sits. A node with no neighbour gets 0 and argmax 0xffffffff.
// The backward pass routes each output gradient to its argmax row without atomics.

struct Params {
    m: u32,    // nodes per graph
    c: u32,    // columns of H
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> mask: array<f32>;
@group(0) @binding(2) var<storage, read> h: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> arg: array<u32>;

@compute @workgroup_size(256)
fn masked_max(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_id) lid: vec3<u32>) {
    let k = flat_index(wid, nwg, lid, 256u);
    if (k >= p.m * p.c) { return; }
    let i = k / p.c;
    let col = k % p.c;
    var best = 0.0;
    var best_j = 0xffffffffu;
    for (var j = 0u; j < p.m; j++) {
        if (mask[i * p.m + j] > 0.0) {
            let v = h[j * p.c + col];
            if (best_j == 0xffffffffu || max_takes(v, best)) {
                best = v;
                best_j = j;
            }
        }
    }
    out[k] = best;
    arg[k] = best_j;
}

@group(0) @binding(2) var<storage, read> bw_arg: array<u32>;
@group(0) @binding(3) var<storage, read> bw_grad: array<f32>;
@group(0) @binding(4) var<storage, read_write> bw_dh: array<f32>;

// dh[j, col] sums grad[i, col] over the nodes i whose max came from j. Only neighbours i of j
// (mask[i, j] > 0) can have picked j, so the argmax is read for those alone: a sparse graph
// costs its degree per output, not m.
@compute @workgroup_size(256)
fn masked_max_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                       @builtin(local_invocation_id) lid: vec3<u32>) {
    let k = flat_index(wid, nwg, lid, 256u);
    if (k >= p.m * p.c) { return; }
    let j = k / p.c;
    let col = k % p.c;
    var acc = 0.0;
    for (var i = 0u; i < p.m; i++) {
        if (mask[i * p.m + j] > 0.0 && bw_arg[i * p.c + col] == j) {
            acc += bw_grad[i * p.c + col];
        }
    }
    bw_dh[k] = acc;
}

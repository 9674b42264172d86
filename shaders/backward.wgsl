// Backward kernels of the autodiff tape that are not compositions of forward kernels:
// activation derivatives from the saved output, dropout masks and scalar broadcasts.

struct Params {
    n: u32,      // number of output elements
    op: u32,     // act_backward: 0 relu, 1 sigmoid, 2 tanh, 3 exp
    p: f32,      // dropout: drop probability
    scale: f32,  // dropout: 1 / (1 - p); broadcast: multiplier
}

@group(0) @binding(0) var<uniform> prm: Params;

// act_backward: out = g * f'(x) written in terms of the saved output y.
@group(0) @binding(1) var<storage, read> ay: array<f32>;
@group(0) @binding(2) var<storage, read> ag: array<f32>;
@group(0) @binding(3) var<storage, read_write> aout: array<f32>;

@compute @workgroup_size(256)
fn act_backward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= prm.n) { return; }
    let y = ay[i];
    let g = ag[i];
    var d: f32;
    switch prm.op {
        case 0u: { d = select(0.0, 1.0, y > 0.0); }
        case 1u: { d = y * (1.0 - y); }
        case 2u: { d = 1.0 - y * y; }
        default: { d = y; }
    }
    aout[i] = g * d;
}

// dropout_mask: uniform u in [0, 1) -> 0 when u < p, else 1 / (1 - p).
@group(0) @binding(1) var<storage, read> du: array<f32>;
@group(0) @binding(2) var<storage, read_write> dmask: array<f32>;

@compute @workgroup_size(256)
fn dropout_mask(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= prm.n) { return; }
    dmask[i] = select(prm.scale, 0.0, du[i] < prm.p);
}

// broadcast_scalar: out[i] = s[0] * scale (the gradient of a sum over all elements).
@group(0) @binding(1) var<storage, read> bs: array<f32>;
@group(0) @binding(2) var<storage, read_write> bout: array<f32>;

@compute @workgroup_size(256)
fn broadcast_scalar(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                    @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= prm.n) { return; }
    bout[i] = bs[0] * prm.scale;
}

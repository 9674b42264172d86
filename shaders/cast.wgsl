// f32 <-> f16 conversion. f16 tensors are stored as packed pairs in 32-bit words, which keeps
// them usable on adapters without SHADER_F16.

struct Params {
    n: u32,   // number of f16 / f32 elements
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src32: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst16: array<u32>;
@group(0) @binding(1) var<storage, read> src16: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst32: array<f32>;

@compute @workgroup_size(256)
fn f32_to_f16(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_id) lid: vec3<u32>) {
    let w = flat_index(wid, nwg, lid, 256u);
    if (2u * w >= p.n) { return; }
    let lo = src32[2u * w];
    var hi = 0.0;
    if (2u * w + 1u < p.n) { hi = src32[2u * w + 1u]; }
    dst16[w] = pack2x16float(vec2<f32>(lo, hi));
}

@compute @workgroup_size(256)
fn f16_to_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    let pair = unpack2x16float(src16[i / 2u]);
    dst32[i] = select(pair.x, pair.y, (i & 1u) == 1u);
}

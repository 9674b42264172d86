// f32 <-> f16 conversion. f16 tensors are stored as packed pairs in 32-bit words, which keeps
// them usable on adapters without SHADER_F16.

struct Params {
    n: u32,   // number of f16 / f32 elements
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
// The f32 input is read as raw bits, so NaN payloads and signed zeros arrive untouched.
@group(0) @binding(1) var<storage, read> src32: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst16: array<u32>;
@group(0) @binding(1) var<storage, read> src16: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst32: array<f32>;

// f32 bits to f16 bits, round to nearest even, written out so every input has a defined
// result (pack2x16float leaves values outside the finite f16 range unspecified): beyond 65504
// rounds to infinity as IEEE does, infinities stay infinite, a NaN stays a quiet NaN with its
// sign and top payload bits, and tiny values become f16 subnormals or signed zero.
fn f16_bits(x: u32) -> u32 {
    let sign = (x >> 16u) & 0x8000u;
    let e = (x >> 23u) & 0xffu;
    let m = x & 0x7fffffu;
    if (e == 0xffu) {
        if (m != 0u) { return sign | 0x7e00u | (m >> 13u); }
        return sign | 0x7c00u;
    }
    let ue = i32(e) - 127;
    if (ue > 15) { return sign | 0x7c00u; }
    if (ue >= -14) {
        var h = (u32(ue + 15) << 10u) | (m >> 13u);
        let rest = m & 0x1fffu;
        // A carry out of the mantissa steps the exponent, up to infinity (0x7c00).
        if (rest > 0x1000u || (rest == 0x1000u && (h & 1u) == 1u)) { h += 1u; }
        return sign | h;
    }
    if (ue < -25) { return sign; }
    // Subnormal: the value is full * 2^(ue - 23) and the f16 unit is 2^-24.
    let full = m | 0x800000u;
    let shift = u32(-1 - ue);
    var h = full >> shift;
    let rest = full & ((1u << shift) - 1u);
    let halfway = 1u << (shift - 1u);
    if (rest > halfway || (rest == halfway && (h & 1u) == 1u)) { h += 1u; }
    return sign | h;
}

@compute @workgroup_size(256)
fn f32_to_f16(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_id) lid: vec3<u32>) {
    let w = flat_index(wid, nwg, lid, 256u);
    if (2u * w >= p.n) { return; }
    let lo = f16_bits(src32[2u * w]);
    var hi = 0u;
    if (2u * w + 1u < p.n) { hi = f16_bits(src32[2u * w + 1u]); }
    dst16[w] = lo | (hi << 16u);
}

@compute @workgroup_size(256)
fn f16_to_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    let pair = unpack2x16float(src16[i / 2u]);
    dst32[i] = select(pair.x, pair.y, (i & 1u) == 1u);
}

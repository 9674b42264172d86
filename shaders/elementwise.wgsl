// Elementwise kernels: unary maps (specialised by the OP override), binary ops with
// broadcasting of a row vector or a scalar, and select.

struct Params {
    n: u32,      // number of output elements
    cols: u32,   // row length, for row-vector broadcasting
    mode: u32,   // binary: 0 same shape, 1 b is a row vector of length cols, 2 b is a scalar
    op: u32,     // binary op: 0 add, 1 sub, 2 mul, 3 div, 4 max, 5 min
    alpha: f32,  // unary affine: alpha * x + beta
    beta: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

// unary: x -> y
@group(0) @binding(1) var<storage, read> ux: array<f32>;
@group(0) @binding(2) var<storage, read_write> uy: array<f32>;

// binary and select
@group(0) @binding(1) var<storage, read> ba: array<f32>;
@group(0) @binding(2) var<storage, read> bb: array<f32>;
@group(0) @binding(3) var<storage, read_write> bout: array<f32>;
@group(0) @binding(4) var<storage, read_write> sout: array<f32>;

// 0 relu, 1 sigmoid, 2 tanh, 3 exp, 4 neg, 5 abs, 6 sqrt, 7 log, 8 square,
// 9 affine (alpha * x + beta), 10 step (x > 0), 11 reciprocal
override OP: u32 = 0u;

// tanh(x): the driver's tanh where |x| >= 0.625, clamped because drivers' exp-based tanh
// overflows; below, where that form loses its relative accuracy to cancellation (llvmpipe gives
// 1.19e-7 for tanh(1e-7) and 3e-8 for tanh(1e-30)), the odd polynomial of Cephes' tanhf
// (relative error about 1e-7 on [-0.625, 0.625]). Zeros keep their sign.
fn tanh_odd(x: f32) -> f32 {
    if (abs(x) >= 0.625) { return tanh(clamp(x, -15.0, 15.0)); }
    let z = x * x;
    let p = ((((-5.70498872745e-3 * z + 2.06390887954e-2) * z - 5.37397155531e-2) * z
        + 1.33314422036e-1) * z - 3.33332819422e-1) * z;
    return select(x + x * p, x, x == 0.0);
}

fn apply_unary(x: f32) -> f32 {
    switch OP {
        case 0u: { return max(x, 0.0); }
        case 1u: { return 1.0 / (1.0 + exp(-x)); }
        // The clamp in tanh_odd would turn a NaN into -1 or 1.
        case 2u: { return select(tanh_odd(x), x, is_nan(x)); }
        case 3u: { return exp(x); }
        case 4u: { return -x; }
        case 5u: { return abs(x); }
        case 6u: { return sqrt(x); }
        case 7u: { return log(x); }
        case 8u: { return x * x; }
        case 9u: { return p.alpha * x + p.beta; }
        case 10u: { return select(0.0, 1.0, x > 0.0); }
        default: { return 1.0 / x; }
    }
}

@compute @workgroup_size(256)
fn unary(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
         @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    uy[i] = apply_unary(ux[i]);
}

fn b_index(i: u32) -> u32 {
    switch p.mode {
        case 1u: { return i % p.cols; }
        case 2u: { return 0u; }
        default: { return i; }
    }
}

@compute @workgroup_size(256)
fn binary(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    let a = ba[i];
    let b = bb[b_index(i)];
    var r: f32;
    switch p.op {
        case 0u: { r = a + b; }
        case 1u: { r = a - b; }
        case 2u: { r = a * b; }
        case 3u: { r = a / b; }
        case 4u: { r = max(a, b); }
        default: { r = min(a, b); }
    }
    bout[i] = r;
}

// select: out = cond != 0 ? a : b, with cond at binding 3 aliasing bout's slot as read data.
@group(0) @binding(3) var<storage, read> scond: array<f32>;

@compute @workgroup_size(256)
fn select_where(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    // cond is zero only for +0 and -0, tested on the bits: the `!=` of WGSL is an ordered
    // comparison, false for a NaN, where cond != 0 holds (a NaN condition picks a).
    let zero = (bitcast<u32>(scond[i]) & 0x7fffffffu) == 0u;
    sout[i] = select(ba[i], bb[i], zero);
}

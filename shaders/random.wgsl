// Seeded counter-based random numbers: element i of a stream is a pure function of
// (seed, i), so results are identical for a given seed on every run and grid shape. The
// random bits are identical on every device too; the floats made from them use the device's
// arithmetic (a multiply-add it may fuse; log, sqrt and cos of implementation-defined
// accuracy, cos's bounded only on [-pi, pi], where normal_fill keeps its argument), so other
// devices may differ in the last bits.

struct Params {
    n: u32,
    seed_lo: u32,
    seed_hi: u32,
    wide: u32,  // uniform: 1 when b - a overflows f32 (a < 0 < b)
    a: f32,   // uniform: low; normal: mean
    b: f32,   // uniform: high; normal: std
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

// PCG output permutation of one LCG step (O'Neill), used as an integer hash.
fn pcg_hash(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

// Hash of (seed, counter) to 32 random bits.
fn random_bits(counter: u32) -> u32 {
    return pcg_hash(counter ^ pcg_hash(p.seed_lo ^ pcg_hash(p.seed_hi + 0x9e3779b9u)));
}

// Uniform in (0, 1]: 24 random bits, never exactly 0 (safe for log).
fn unit_open(bits: u32) -> f32 {
    return (f32(bits >> 8u) + 1.0) * (1.0 / 16777216.0);
}

@compute @workgroup_size(256)
fn uniform_fill(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    let u = f32(random_bits(i) >> 8u) * (1.0 / 16777216.0);
    var v = p.a + (p.b - p.a) * u;
    // b - a overflows to infinity: mix the bounds instead. a < 0 < b there, so neither term
    // overflows, nor does their sum (1 - u is exact on the 24-bit grid), and v >= a.
    if (p.wide != 0u) { v = p.a * (1.0 - u) + p.b * u; }
    // u < 1, but a + (b - a) * u can still round up to b (low = 1, high = 2, u = 1 - 2^-24):
    // take the largest value below high instead, so the range stays [low, high).
    if (v >= p.b && p.a < p.b) { v = max(p.a, below(p.b)); }
    out[i] = v;
}

// The largest f32 below a finite `x` (-1.17549435e-38, the smallest normal, below a zero).
fn below(x: f32) -> f32 {
    let bits = bitcast<u32>(x);
    if ((bits & 0x7fffffffu) == 0u) { return bitcast<f32>(0x80800000u); }
    return bitcast<f32>(select(bits - 1u, bits + 1u, (bits & 0x80000000u) != 0u));
}

@compute @workgroup_size(256)
fn normal_fill(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    // Box-Muller on two independent counters of the same stream.
    let u1 = unit_open(random_bits(2u * i));
    let u2 = unit_open(random_bits(2u * i + 1u));
    let z = sqrt(-2.0 * log(u1)) * cos(box_muller_angle(u2));
    out[i] = p.a + p.b * z;
}

// The f32 nearest 2 pi (1.7e-7 above it) and the f32 nearest pi (exactly half of it).
const TWO_PI_F32: f32 = 6.2831855;
const PI_F32: f32 = 3.1415927;

// The Box-Muller angle 2 pi u2 for u2 in (0, 1], as theta = TWO_PI_F32 u2 brought into
// [-pi, pi] (to f32 rounding of pi), where alone WGSL and Vulkan bound the error of cos. Above
// pi_f32 it is theta - TWO_PI_F32, one turn less, computed exactly (Sterbenz: theta is within a
// factor 2 of TWO_PI_F32): TWO_PI_F32 (u2 - 1) up to theta's rounding, as near the angle
// 2 pi (u2 - 1) as theta is to 2 pi u2, or nearer. At or below pi_f32 theta is kept. No split
// 2 pi (hi + lo) is used: a shader compiler may fold the two constants back into one
// (lavapipe's does).
fn box_muller_angle(u2: f32) -> f32 {
    let theta = TWO_PI_F32 * u2;
    return select(theta, theta - TWO_PI_F32, theta > PI_F32);
}

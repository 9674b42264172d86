// Tiled, register-blocked fp32 GEMM: C[m,n] = op(A) · op(B).
// A workgroup of 16x16 threads computes a BM x BN = 128x128 tile of C; each thread owns an 8x8
// micro-tile made of four 4x4 blocks at rows {ty*4, 64 + ty*4} and columns {tx*4, 64 + tx*4}, so
// its shared-memory reads are contiguous vec4s (broadcast for A, conflict-free for B) and the
// final stores of a warp are contiguous. K is walked in steps of BK = 8: each step stages an A
// tile (k-major) and a B tile in workgroup memory, while the next step's global values are
// already being fetched into registers (software prefetch). Every global load and store is
// bounds-checked, so any m, n, k works. TRANS_A reads A stored [k, m]; TRANS_B reads B stored
// [n, k].

struct Params {
    m: u32,
    n: u32,
    k: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> ga: array<f32>;
@group(0) @binding(2) var<storage, read> gb: array<f32>;
@group(0) @binding(3) var<storage, read_write> gc: array<f32>;

override TRANS_A: bool = false;
override TRANS_B: bool = false;

const BM: u32 = 128u;
const BN: u32 = 128u;
const BK: u32 = 8u;

// [BK][BM/4] and [BK][BN/4] vec4 tiles.
var<workgroup> sa: array<vec4<f32>, 256>;
var<workgroup> sb: array<vec4<f32>, 256>;

// Element (row, col) of the logical A[m, k] (0 outside).
fn load_a(row: u32, col: u32) -> f32 {
    if (row >= p.m || col >= p.k) { return 0.0; }
    if (TRANS_A) { return ga[col * p.m + row]; }
    return ga[row * p.k + col];
}

// Element (row, col) of the logical B[k, n] (0 outside).
fn load_b(row: u32, col: u32) -> f32 {
    if (row >= p.k || col >= p.n) { return 0.0; }
    if (TRANS_B) { return gb[col * p.k + row]; }
    return gb[row * p.n + col];
}

// Each thread fetches 4 values of the A tile (128 x 8) for the K step starting at k0.
// Non-transposed A is contiguous along k: thread t reads row t/2, k offsets (t%2)*4 + 0..3.
// Transposed A is contiguous along m: thread t reads k row t/32, m offsets (t%32)*4 + 0..3.
fn fetch_a(t: u32, m0: u32, k0: u32) -> vec4<f32> {
    if (TRANS_A) {
        let kk = k0 + t / 32u;
        let mm = m0 + (t % 32u) * 4u;
        return vec4(load_a(mm, kk), load_a(mm + 1u, kk), load_a(mm + 2u, kk), load_a(mm + 3u, kk));
    }
    let mm = m0 + t / 2u;
    let kk = k0 + (t % 2u) * 4u;
    return vec4(load_a(mm, kk), load_a(mm, kk + 1u), load_a(mm, kk + 2u), load_a(mm, kk + 3u));
}

fn store_a(t: u32, v: vec4<f32>) {
    if (TRANS_A) {
        sa[t] = v;  // (t / 32) * 32 + t % 32
        return;
    }
    let mm = t / 2u;
    let kk = (t % 2u) * 4u;
    let slot = mm / 4u;
    let lane = mm % 4u;
    sa[kk * 32u + slot][lane] = v.x;
    sa[(kk + 1u) * 32u + slot][lane] = v.y;
    sa[(kk + 2u) * 32u + slot][lane] = v.z;
    sa[(kk + 3u) * 32u + slot][lane] = v.w;
}

// B tile (8 x 128). Non-transposed B is contiguous along n: thread t reads k row t/32,
// n offsets (t%32)*4 + 0..3. Transposed B is contiguous along k: n = t/2, k offsets (t%2)*4.
fn fetch_b(t: u32, n0: u32, k0: u32) -> vec4<f32> {
    if (TRANS_B) {
        let nn = n0 + t / 2u;
        let kk = k0 + (t % 2u) * 4u;
        return vec4(load_b(kk, nn), load_b(kk + 1u, nn), load_b(kk + 2u, nn), load_b(kk + 3u, nn));
    }
    let kk = k0 + t / 32u;
    let nn = n0 + (t % 32u) * 4u;
    return vec4(load_b(kk, nn), load_b(kk, nn + 1u), load_b(kk, nn + 2u), load_b(kk, nn + 3u));
}

fn store_b(t: u32, v: vec4<f32>) {
    if (!TRANS_B) {
        sb[t] = v;
        return;
    }
    let nn = t / 2u;
    let kk = (t % 2u) * 4u;
    let slot = nn / 4u;
    let lane = nn % 4u;
    sb[kk * 32u + slot][lane] = v.x;
    sb[(kk + 1u) * 32u + slot][lane] = v.y;
    sb[(kk + 2u) * 32u + slot][lane] = v.z;
    sb[(kk + 3u) * 32u + slot][lane] = v.w;
}

@compute @workgroup_size(16, 16)
fn gemm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let tx = lid.x;
    let ty = lid.y;
    let t = ty * 16u + tx;
    let m0 = wid.y * BM;
    let n0 = wid.x * BN;

    // acc[i * 2 + h]: row (i < 4 ? ty*4 + i : 64 + ty*4 + i - 4), columns h*64 + tx*4 + 0..3.
    var acc: array<vec4<f32>, 16>;
    for (var i = 0u; i < 16u; i++) { acc[i] = vec4(0.0); }

    var next_a = fetch_a(t, m0, 0u);
    var next_b = fetch_b(t, n0, 0u);
    let steps = (p.k + BK - 1u) / BK;
    for (var s = 0u; s < steps; s++) {
        workgroupBarrier();
        store_a(t, next_a);
        store_b(t, next_b);
        workgroupBarrier();
        if (s + 1u < steps) {
            next_a = fetch_a(t, m0, (s + 1u) * BK);
            next_b = fetch_b(t, n0, (s + 1u) * BK);
        }
        for (var kk = 0u; kk < BK; kk++) {
            let a0 = sa[kk * 32u + ty];
            let a1 = sa[kk * 32u + 16u + ty];
            let b0 = sb[kk * 32u + tx];
            let b1 = sb[kk * 32u + 16u + tx];
            for (var i = 0u; i < 4u; i++) {
                acc[i * 2u] += a0[i] * b0;
                acc[i * 2u + 1u] += a0[i] * b1;
                acc[8u + i * 2u] += a1[i] * b0;
                acc[8u + i * 2u + 1u] += a1[i] * b1;
            }
        }
    }

    for (var i = 0u; i < 8u; i++) {
        let row = m0 + select(ty * 4u + i, 64u + ty * 4u + i - 4u, i >= 4u);
        if (row >= p.m) { continue; }
        for (var h = 0u; h < 2u; h++) {
            let col = n0 + h * 64u + tx * 4u;
            let v = acc[i * 2u + h];
            let base = row * p.n + col;
            if (col < p.n) { gc[base] = v.x; }
            if (col + 1u < p.n) { gc[base + 1u] = v.y; }
            if (col + 2u < p.n) { gc[base + 2u] = v.z; }
            if (col + 3u < p.n) { gc[base + 3u] = v.w; }
        }
    }
}

// Tiled, register-blocked fp32 GEMM: C[m,n] = op(A) · op(B).
//
// A workgroup of 16x16 threads computes one output tile. WIDE tiles are 128x128 with BK = 8:
// each thread owns an 8x8 micro-tile made of four 4x4 blocks at rows {ty*4, 64 + ty*4} and
// columns {tx*4, 64 + tx*4}. Narrow tiles (WIDE = false, for small outputs that would leave the
// GPU idle) are 64x64 with BK = 16 and one 4x4 block per thread. Either way a K step stages
// 1024 values of A and of B (four per thread) in workgroup memory, A k-major, so the inner loop
// reads contiguous vec4s (broadcast for A, conflict-free for B); shared rows are padded by one
// vec4 so the transposing stores do not collide in a bank. The next K step's global values are
// fetched into registers while the current one is computed (software prefetch). Accumulators are
// named variables, never a dynamically indexed array, and the K step is unrolled by hand, so
// they can stay in registers. Every global load and store is bounds-checked: any m, n, k works.
// TRANS_A reads A stored [k, m]; TRANS_B reads B stored [n, k].
//
// Split K: workgroup z sums only k in [z * kchunk, min((z + 1) * kchunk, k)) and writes its
// partial product to slice z of C ([slices, m, n]); the host then sums the slices in a fixed
// order. Small outputs with a long k (the gradient of a small weight over a large batch) get
// many workgroups this way instead of one or two. kchunk = k means one slice.
//
// Tall and wide outputs: the grid has at most `rows_per_z` tile rows along y and `cols_per_x`
// tile columns along x; z enumerates (row chunk, column chunk, K slice) triples,
// z = (row chunk * col_chunks + column chunk) * slices + slice, so any m and n fit the grid.
// Spare tiles of the last row or column chunk leave at once.

struct Params {
    m: u32,
    n: u32,
    k: u32,
    kchunk: u32,
    slices: u32,
    rows_per_z: u32,
    cols_per_x: u32,
    col_chunks: u32,
}

// (tile row, tile column, K slice) of workgroup wid.
fn tile_row(wid: vec3<u32>) -> u32 {
    return (wid.z / p.slices / p.col_chunks) * p.rows_per_z + wid.y;
}
fn tile_col(wid: vec3<u32>) -> u32 {
    return ((wid.z / p.slices) % p.col_chunks) * p.cols_per_x + wid.x;
}
fn slice_of(wid: vec3<u32>) -> u32 { return wid.z % p.slices; }

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> ga: array<f32>;
@group(0) @binding(2) var<storage, read> gb: array<f32>;
@group(0) @binding(3) var<storage, read_write> gc: array<f32>;

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override WIDE: bool = true;

const TILE_W: u32 = 128u;
const TILE_N: u32 = 64u;

fn tile() -> u32 { return select(TILE_N, TILE_W, WIDE); }
fn bk() -> u32 { return 1024u / tile(); }
// vec4 slots per k row of a tile, and the padded row stride.
fn mv() -> u32 { return tile() / 4u; }
fn stride() -> u32 { return mv() + 1u; }

// [BK][stride] vec4 tiles: 8 x 33 (wide) or 16 x 17 (narrow).
var<workgroup> sa: array<vec4<f32>, 272>;
var<workgroup> sb: array<vec4<f32>, 272>;

// End of this workgroup's k range (exclusive).
var<private> kend: u32;
// Offset of this workgroup's slice of C.
var<private> cbase: u32;

// Element (row, col) of the logical A[m, k] (0 outside, and past this workgroup's k range).
fn load_a(row: u32, col: u32) -> f32 {
    if (row >= p.m || col >= kend) { return 0.0; }
    if (TRANS_A) { return ga[col * p.m + row]; }
    return ga[row * p.k + col];
}

// Element (row, col) of the logical B[k, n] (0 outside, and past this workgroup's k range).
fn load_b(row: u32, col: u32) -> f32 {
    if (row >= kend || col >= p.n) { return 0.0; }
    if (TRANS_B) { return gb[col * p.k + row]; }
    return gb[row * p.n + col];
}

// Thread t's 4 values of the A tile for the K step at k0: along the contiguous dimension of the
// stored matrix (k for plain A, m for transposed A).
fn fetch_a(t: u32, m0: u32, k0: u32) -> vec4<f32> {
    if (TRANS_A) {
        let kk = k0 + t / mv();
        let mm = m0 + (t % mv()) * 4u;
        return vec4(load_a(mm, kk), load_a(mm + 1u, kk), load_a(mm + 2u, kk), load_a(mm + 3u, kk));
    }
    let kv = bk() / 4u;
    let mm = m0 + t / kv;
    let kk = k0 + (t % kv) * 4u;
    return vec4(load_a(mm, kk), load_a(mm, kk + 1u), load_a(mm, kk + 2u), load_a(mm, kk + 3u));
}

// Thread t's 4 values of the B tile: along n for plain B, along k for transposed B.
fn fetch_b(t: u32, n0: u32, k0: u32) -> vec4<f32> {
    if (TRANS_B) {
        let kv = bk() / 4u;
        let nn = n0 + t / kv;
        let kk = k0 + (t % kv) * 4u;
        return vec4(load_b(kk, nn), load_b(kk + 1u, nn), load_b(kk + 2u, nn), load_b(kk + 3u, nn));
    }
    let kk = k0 + t / mv();
    let nn = n0 + (t % mv()) * 4u;
    return vec4(load_b(kk, nn), load_b(kk, nn + 1u), load_b(kk, nn + 2u), load_b(kk, nn + 3u));
}

// Store a fetched vec4 into the k-major shared tile; values fetched along k (plain A,
// transposed B) are scattered into 4 shared rows.
fn store_a(t: u32, v: vec4<f32>) {
    if (TRANS_A) {
        sa[(t / mv()) * stride() + t % mv()] = v;
        return;
    }
    let kv = bk() / 4u;
    let mm = t / kv;
    let base = (t % kv) * 4u * stride() + mm / 4u;
    let lane = mm % 4u;
    sa[base][lane] = v.x;
    sa[base + stride()][lane] = v.y;
    sa[base + 2u * stride()][lane] = v.z;
    sa[base + 3u * stride()][lane] = v.w;
}

fn store_b(t: u32, v: vec4<f32>) {
    if (!TRANS_B) {
        sb[(t / mv()) * stride() + t % mv()] = v;
        return;
    }
    let kv = bk() / 4u;
    let nn = t / kv;
    let base = (t % kv) * 4u * stride() + nn / 4u;
    let lane = nn % 4u;
    sb[base][lane] = v.x;
    sb[base + stride()][lane] = v.y;
    sb[base + 2u * stride()][lane] = v.z;
    sb[base + 3u * stride()][lane] = v.w;
}

fn store_c(row: u32, col: u32, v: vec4<f32>) {
    if (row >= p.m) { return; }
    let base = cbase + row * p.n + col;
    if (col < p.n) { gc[base] = v.x; }
    if (col + 1u < p.n) { gc[base + 1u] = v.y; }
    if (col + 2u < p.n) { gc[base + 2u] = v.z; }
    if (col + 3u < p.n) { gc[base + 3u] = v.w; }
}

// Accumulators (per invocation). cRC_i: row block R (rows R*64 + ty*4 + i), column block C
// (columns C*64 + tx*4 + 0..3). Only c00 is used by narrow tiles.
var<private> c00_0: vec4<f32>; var<private> c00_1: vec4<f32>;
var<private> c00_2: vec4<f32>; var<private> c00_3: vec4<f32>;
var<private> c01_0: vec4<f32>; var<private> c01_1: vec4<f32>;
var<private> c01_2: vec4<f32>; var<private> c01_3: vec4<f32>;
var<private> c10_0: vec4<f32>; var<private> c10_1: vec4<f32>;
var<private> c10_2: vec4<f32>; var<private> c10_3: vec4<f32>;
var<private> c11_0: vec4<f32>; var<private> c11_1: vec4<f32>;
var<private> c11_2: vec4<f32>; var<private> c11_3: vec4<f32>;

// One k of the staged tiles: rank-1 update of the thread's micro-tile.
fn kstep(kk: u32, ty: u32, tx: u32) {
    let s = stride();
    let a0 = sa[kk * s + ty];
    let b0 = sb[kk * s + tx];
    c00_0 += a0.x * b0; c00_1 += a0.y * b0; c00_2 += a0.z * b0; c00_3 += a0.w * b0;
    if (WIDE) {
        let a1 = sa[kk * s + 16u + ty];
        let b1 = sb[kk * s + 16u + tx];
        c01_0 += a0.x * b1; c01_1 += a0.y * b1; c01_2 += a0.z * b1; c01_3 += a0.w * b1;
        c10_0 += a1.x * b0; c10_1 += a1.y * b0; c10_2 += a1.z * b0; c10_3 += a1.w * b0;
        c11_0 += a1.x * b1; c11_1 += a1.y * b1; c11_2 += a1.z * b1; c11_3 += a1.w * b1;
    }
}

@compute @workgroup_size(16, 16)
fn gemm(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let tx = lid.x;
    let ty = lid.y;
    let t = ty * 16u + tx;
    let m0 = tile_row(wid) * tile();
    let n0 = tile_col(wid) * tile();
    // Past the last row or column (spare tiles of the final row or column chunk): the whole
    // workgroup leaves.
    if (m0 >= p.m || n0 >= p.n) { return; }
    let kbegin = slice_of(wid) * p.kchunk;
    // The trip count of the barrier loop comes from this `let` of uniform values (workgroup id,
    // uniform params), not from the private `kend`: WGSL's uniformity analysis treats every
    // private variable as non-uniform, and a barrier in a loop bounded by one is rejected.
    let kend_l = min(p.k, kbegin + p.kchunk);
    kend = kend_l;
    cbase = slice_of(wid) * p.m * p.n;
    var next_a = fetch_a(t, m0, kbegin);
    var next_b = fetch_b(t, n0, kbegin);
    let steps = (kend_l - min(kbegin, kend_l) + bk() - 1u) / bk();
    for (var st = 0u; st < steps; st++) {
        workgroupBarrier();
        store_a(t, next_a);
        store_b(t, next_b);
        workgroupBarrier();
        if (st + 1u < steps) {
            next_a = fetch_a(t, m0, kbegin + (st + 1u) * bk());
            next_b = fetch_b(t, n0, kbegin + (st + 1u) * bk());
        }
        // BK steps, unrolled by hand (no loop, so no loop-bounding counter and no reliance on
        // the driver unrolling).
        kstep(0u, ty, tx); kstep(1u, ty, tx); kstep(2u, ty, tx); kstep(3u, ty, tx);
        kstep(4u, ty, tx); kstep(5u, ty, tx); kstep(6u, ty, tx); kstep(7u, ty, tx);
        if (!WIDE) {
            kstep(8u, ty, tx); kstep(9u, ty, tx); kstep(10u, ty, tx); kstep(11u, ty, tx);
            kstep(12u, ty, tx); kstep(13u, ty, tx); kstep(14u, ty, tx); kstep(15u, ty, tx);
        }
    }

    let r0 = m0 + ty * 4u;
    let q0 = n0 + tx * 4u;
    store_c(r0, q0, c00_0); store_c(r0 + 1u, q0, c00_1);
    store_c(r0 + 2u, q0, c00_2); store_c(r0 + 3u, q0, c00_3);
    if (WIDE) {
        let r1 = r0 + 64u;
        let q1 = q0 + 64u;
        store_c(r0, q1, c01_0); store_c(r0 + 1u, q1, c01_1);
        store_c(r0 + 2u, q1, c01_2); store_c(r0 + 3u, q1, c01_3);
        store_c(r1, q0, c10_0); store_c(r1 + 1u, q0, c10_1);
        store_c(r1 + 2u, q0, c10_2); store_c(r1 + 3u, q0, c10_3);
        store_c(r1, q1, c11_0); store_c(r1 + 1u, q1, c11_1);
        store_c(r1 + 2u, q1, c11_2); store_c(r1 + 3u, q1, c11_3);
    }
}

// Direct variant: each invocation computes a 4x4 block of C straight from global memory, with
// no workgroup memory and no barriers. For CPU adapters: there a barrier costs a switch of every
// invocation of the workgroup, and there is no on-chip memory to gain from.
@compute @workgroup_size(8, 8)
fn gemm_direct(@builtin(workgroup_id) wid: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
    let r0 = tile_row(wid) * 32u + lid.y * 4u;
    let q0 = tile_col(wid) * 32u + lid.x * 4u;
    if (r0 >= p.m || q0 >= p.n) { return; }
    let kbegin = slice_of(wid) * p.kchunk;
    kend = min(p.k, kbegin + p.kchunk);
    cbase = slice_of(wid) * p.m * p.n;
    for (var kk = kbegin; kk < kend; kk++) {
        let a = vec4(load_a(r0, kk), load_a(r0 + 1u, kk), load_a(r0 + 2u, kk), load_a(r0 + 3u, kk));
        let b = vec4(load_b(kk, q0), load_b(kk, q0 + 1u), load_b(kk, q0 + 2u), load_b(kk, q0 + 3u));
        c00_0 += a.x * b; c00_1 += a.y * b; c00_2 += a.z * b; c00_3 += a.w * b;
    }
    store_c(r0, q0, c00_0); store_c(r0 + 1u, q0, c00_1);
    store_c(r0 + 2u, q0, c00_2); store_c(r0 + 3u, q0, c00_3);
}

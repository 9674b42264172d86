// Segment reductions over CSR row ranges: out[s, j] folds x[r, j] for r in
// offsets[s]..offsets[s + 1]. A workgroup handles one segment and FW features, with 256 / FW row
// lanes; each lane folds a strided subsequence of the rows in ascending order, then a
// shared-memory tree combines the lanes in a fixed order (deterministic). Offsets are clamped to
// [0, n], so invalid offsets never read out of bounds (they give wrong but safe results).

struct Params {
    n: u32,       // rows of x
    f: u32,       // features
    s: u32,       // segments
    blocks: u32,  // feature blocks per segment (ceil(f / FW))
    mean: u32,    // 1: divide sums by the segment length
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> offsets: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read_write> arg: array<u32>;

override FW: u32 = 64u;

var<workgroup> shv: array<f32, 256>;
var<workgroup> sha: array<u32, 256>;

struct Slot {
    seg: u32,
    col: u32,
    start: u32,
    end: u32,
    valid: bool,
}

fn slot(g: u32, lx: u32) -> Slot {
    var o: Slot;
    o.seg = g / p.blocks;
    o.col = (g % p.blocks) * FW + lx;
    o.end = min(offsets[o.seg + 1u], p.n);
    o.start = min(offsets[o.seg], o.end);
    o.valid = o.col < p.f;
    return o;
}

@compute @workgroup_size(256)
fn segment_sum(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
    let g = flat_group(wid, nwg);
    if (g >= p.s * p.blocks) { return; }
    let lanes = 256u / FW;
    let lx = lid.x % FW;
    let ly = lid.x / FW;
    let o = slot(g, lx);
    var acc = 0.0;
    if (o.valid) {
        for (var r = o.start + ly; r < o.end; r += lanes) { acc += x[r * p.f + o.col]; }
    }
    shv[lid.x] = acc;
    workgroupBarrier();
    for (var s = lanes / 2u; s > 0u; s >>= 1u) {
        if (ly < s) { shv[lid.x] += shv[lid.x + s * FW]; }
        workgroupBarrier();
    }
    if (ly == 0u && o.valid) {
        var v = shv[lx];
        let len = o.end - o.start;
        if (p.mean != 0u && len > 0u) { v /= f32(len); }
        out[o.seg * p.f + o.col] = v;
    }
}

// Max with the first (smallest) row index attaining it; a NaN wins (the first NaN row), so NaN
// propagates whichever lane reads it; an empty segment gives 0 and 0xffffffff.
@compute @workgroup_size(256)
fn segment_max(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
    let g = flat_group(wid, nwg);
    if (g >= p.s * p.blocks) { return; }
    let lanes = 256u / FW;
    let lx = lid.x % FW;
    let ly = lid.x / FW;
    let o = slot(g, lx);
    // -inf built at run time: as a const-expression it would overflow f32, a compile error.
    var ninf_bits = 0xff800000u;
    var best = bitcast<f32>(ninf_bits);
    var at = 0xffffffffu;
    if (o.valid) {
        for (var r = o.start + ly; r < o.end; r += lanes) {
            let v = x[r * p.f + o.col];
            if (at == 0xffffffffu || max_takes(v, best)) {
                best = v;
                at = r;
            }
        }
    }
    shv[lid.x] = best;
    sha[lid.x] = at;
    workgroupBarrier();
    for (var s = lanes / 2u; s > 0u; s >>= 1u) {
        if (ly < s) {
            let j = lid.x + s * FW;
            let a = sha[lid.x];
            let b = sha[j];
            let va = shv[lid.x];
            let vb = shv[j];
            let same = (is_nan(va) && is_nan(vb)) || va == vb;
            let take = b != 0xffffffffu &&
                (a == 0xffffffffu || max_takes(vb, va) || (same && b < a));
            if (take) {
                shv[lid.x] = shv[j];
                sha[lid.x] = b;
            }
        }
        workgroupBarrier();
    }
    if (ly == 0u && o.valid) {
        let a = sha[lx];
        out[o.seg * p.f + o.col] = select(shv[lx], 0.0, a == 0xffffffffu);
        arg[o.seg * p.f + o.col] = a;
    }
}

// Backward of sum / mean: out[r, j] = g[seg(r), j] (divided by the segment length when p.mean
// is set), with seg(r) found by binary search in offsets; rows in no segment get 0.
// Bindings: g (1), offsets (2), out (3).
@group(0) @binding(1) var<storage, read> eg: array<f32>;
@group(0) @binding(3) var<storage, read_write> eout: array<f32>;

@compute @workgroup_size(256)
fn segment_expand(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n * p.f) { return; }
    let r = i / p.f;
    // Largest seg in [0, s) with offsets[seg] <= r, i.e. upper_bound(offsets[0..s], r) - 1.
    var lo = 0u;
    var hi = p.s;
    while (lo < hi) {
        let mid = (lo + hi) / 2u;
        if (offsets[mid] <= r) { lo = mid + 1u; } else { hi = mid; }
    }
    var v = 0.0;
    if (lo > 0u) {
        let seg = lo - 1u;
        let end = min(offsets[seg + 1u], p.n);
        let start = min(offsets[seg], end);
        if (r >= start && r < end) {
            v = eg[seg * p.f + i % p.f];
            if (p.mean != 0u) { v /= f32(end - start); }
        }
    }
    eout[i] = v;
}

// Backward of max: out[arg[s, j], j] = g[s, j] over a zeroed out; argmax entries >= n (empty
// segments) are skipped. Segments are disjoint, so no two threads write the same element.
// Bindings: g (1), argmax (2), out (3).
@group(0) @binding(2) var<storage, read> marg: array<u32>;

@compute @workgroup_size(256)
fn segment_max_backward(@builtin(workgroup_id) wid: vec3<u32>,
                        @builtin(num_workgroups) nwg: vec3<u32>,
                        @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.s * p.f) { return; }
    let a = marg[i];
    if (a < p.n) { eout[a * p.f + i % p.f] = eg[i]; }
}

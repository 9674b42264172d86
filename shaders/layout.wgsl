// Data movement: transpose, row gather, column block copies (concat / slice) and a
// deterministic row scatter-add. Pure copies move 32-bit words (array<u32>), so they are exact
// for f32, u32 and i32 alike.
//
// Scatter-add runs as a counting sort of the destination indices into CSR form, then an
// owner-computes sum. The sources are cut into G groups of consecutive chunks of 256:
// scatter_hist counts each group's sources per destination (atomic u32 counts [G, n]),
// scatter_group_prefix turns each destination's counts into the number of its sources in
// earlier groups and totals them, scatter_scan (one workgroup) scans the totals into offsets,
// scatter_fill (one workgroup per group; a stable fill, so each bucket lists its sources in
// ascending order) places every source, and scatter_sum (one thread per output element) adds
// each bucket's rows in ascending source order.
// Only integer atomics are used, so the float results are deterministic.

struct Params {
    a: u32,  // transpose: rows; gather: n; copy: rows; scatter: n (output rows)
    b: u32,  // transpose: cols; gather: f; copy: width; scatter: m (source rows)
    c: u32,  // gather: m; copy: src_cols; scatter_sum: f; scatter plan: sources per group
    d: u32,  // copy: src_off; scatter plan: groups G
    e: u32,  // copy: dst_cols
    f: u32,  // copy: dst_off
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

// transpose, gather, copy_cols: src -> dst (gather reads indices at binding 2)
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> gidx: array<u32>;
@group(0) @binding(3) var<storage, read_write> gout: array<u32>;

// scatter_hist
@group(0) @binding(1) var<storage, read> sidx: array<u32>;
@group(0) @binding(2) var<storage, read_write> hcounts: array<atomic<u32>>;
// scatter_group_prefix
@group(0) @binding(1) var<storage, read_write> group_counts: array<u32>;
@group(0) @binding(2) var<storage, read_write> totals: array<u32>;
// scatter_scan
@group(0) @binding(1) var<storage, read> counts: array<u32>;
@group(0) @binding(2) var<storage, read_write> offsets: array<u32>;
// scatter_fill (sidx at 1, soffsets at 2)
@group(0) @binding(3) var<storage, read_write> frank: array<u32>;
@group(0) @binding(4) var<storage, read_write> perm: array<u32>;
// scatter_sum
@group(0) @binding(1) var<storage, read> ssrc: array<f32>;
@group(0) @binding(2) var<storage, read> soffsets: array<u32>;
@group(0) @binding(3) var<storage, read> sperm: array<u32>;
@group(0) @binding(4) var<storage, read_write> sout: array<f32>;

const INVALID: u32 = 0xffffffffu;

var<workgroup> tile: array<u32, 1056>;  // 32 x 33
var<workgroup> shu: array<u32, 256>;

// [rows, cols] -> [cols, rows] through a 32x32 tile (padded to 33 against bank conflicts).
@compute @workgroup_size(32, 8)
fn transpose_tiled(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>) {
    let tiles_c = (p.b + 31u) / 32u;
    let t = flat_group(wid, nwg);
    if (t >= tiles_c * ((p.a + 31u) / 32u)) { return; }
    let r0 = (t / tiles_c) * 32u;
    let c0 = (t % tiles_c) * 32u;
    for (var j = 0u; j < 32u; j += 8u) {
        let r = r0 + lid.y + j;
        let c = c0 + lid.x;
        if (r < p.a && c < p.b) { tile[(lid.y + j) * 33u + lid.x] = src[r * p.b + c]; }
    }
    workgroupBarrier();
    for (var j = 0u; j < 32u; j += 8u) {
        let c = c0 + lid.y + j;  // output row
        let r = r0 + lid.x;      // output column
        if (r < p.a && c < p.b) { dst[c * p.a + r] = tile[lid.x * 33u + lid.y + j]; }
    }
}

// out[i, :] = x[idx[i], :] for idx[i] < n, zeros otherwise.
@compute @workgroup_size(256)
fn gather_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.c * p.b) { return; }
    let k = gidx[i / p.b];
    var v = 0u;
    if (k < p.a) { v = src[k * p.b + i % p.b]; }
    gout[i] = v;
}

// dst[r, dst_off + j] = src[r, src_off + j] for j < width.
@compute @workgroup_size(256)
fn copy_cols(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.a * p.b) { return; }
    let r = i / p.b;
    let j = i % p.b;
    dst[r * p.e + p.f + j] = src[r * p.c + p.d + j];
}

@compute @workgroup_size(256)
fn scatter_hist(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.b) { return; }
    let k = sidx[i];
    if (k < p.a) { atomicAdd(&hcounts[(i / p.c) * p.a + k], 1u); }
}

// One thread per destination k: group_counts[g, k] becomes the number of k's sources in groups
// before g, and totals[k] their sum over all groups.
@compute @workgroup_size(256)
fn scatter_group_prefix(@builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let k = flat_index(wid, nwg, lid, 256u);
    if (k >= p.a) { return; }
    var run = 0u;
    for (var g = 0u; g < p.d; g++) {
        let c = group_counts[g * p.a + k];
        group_counts[g * p.a + k] = run;
        run += c;
    }
    totals[k] = run;
}

// One workgroup: offsets[0..=n] = exclusive scan of the totals.
// 1024 counts per step: each thread sums 4, a shared-memory scan combines the 256 sums.
@compute @workgroup_size(256)
fn scatter_scan(@builtin(local_invocation_id) lid: vec3<u32>) {
    let lx = lid.x;
    var base = 0u;
    for (var c0 = 0u; c0 < p.a; c0 += 1024u) {
        let i0 = c0 + lx * 4u;
        var v = vec4(0u);
        for (var j = 0u; j < 4u; j++) {
            if (i0 + j < p.a) { v[j] = counts[i0 + j]; }
        }
        let own = v.x + v.y + v.z + v.w;
        shu[lx] = own;
        workgroupBarrier();
        for (var s = 1u; s < 256u; s <<= 1u) {
            var add = 0u;
            if (lx >= s) { add = shu[lx - s]; }
            workgroupBarrier();
            shu[lx] += add;
            workgroupBarrier();
        }
        var run = base + shu[lx] - own;
        for (var j = 0u; j < 4u; j++) {
            if (i0 + j < p.a) {
                offsets[i0 + j] = run;
            }
            run += v[j];
        }
        base += shu[255];
        workgroupBarrier();
    }
    if (lx == 0u) { offsets[p.a] = base; }
}

// One workgroup per group g of sources, 256 sources at a time in order: each source's slot is
// its bucket's offset, plus its bucket's sources in earlier groups and earlier chunks of this
// group (frank[g, k], advanced chunk by chunk), plus the earlier sources of its own chunk with
// the same destination. So each bucket lists its sources in ascending order.
@compute @workgroup_size(256)
fn scatter_fill(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_id) lid: vec3<u32>) {
    let g = flat_group(wid, nwg);
    if (g >= p.d) { return; }
    let lx = lid.x;
    let end = min(g * p.c + p.c, p.b);
    for (var c0 = g * p.c; c0 < end; c0 += 256u) {
        let i = c0 + lx;
        var k = INVALID;
        if (i < end) {
            k = sidx[i];
            if (k >= p.a) { k = INVALID; }
        }
        shu[lx] = k;
        workgroupBarrier();
        var rank = 0u;
        var last = true;
        if (k != INVALID) {
            for (var t = 0u; t < 256u; t++) {
                if (shu[t] == k) {
                    if (t < lx) { rank += 1u; } else if (t > lx) { last = false; }
                }
            }
            perm[soffsets[k] + frank[g * p.a + k] + rank] = i;
        }
        storageBarrier();
        if (k != INVALID && last) { frank[g * p.a + k] += rank + 1u; }
        storageBarrier();
        workgroupBarrier();
    }
}

// out[r, j] = sum of src[perm[q], j] for q in offsets[r]..offsets[r + 1], in ascending order.
@compute @workgroup_size(256)
fn scatter_sum(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.a * p.c) { return; }
    let r = i / p.c;
    let j = i % p.c;
    var acc = 0.0;
    for (var q = soffsets[r]; q < soffsets[r + 1u]; q++) {
        acc += ssrc[sperm[q] * p.c + j];
    }
    sout[i] = acc;
}

// Softmax over the last dimension and softmax cross-entropy.
// Row kernels run one workgroup of 256 threads per row (any row length): each thread folds a
// strided slice of the row, then a shared-memory tree combines the 256 partials. Short rows use
// the *_small variants instead, one thread per row. The orders are fixed, so results are
// deterministic.

struct Params {
    rows: u32,
    cols: u32,
    has_mask: u32,
    _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

// softmax_rows: x -> y
@group(0) @binding(1) var<storage, read> sx: array<f32>;
@group(0) @binding(2) var<storage, read_write> sy: array<f32>;

// ce_rows: logits, labels, mask -> stats [rows, 4] = (weight * nll, weight, row max m,
// sum of exp(x - m)). The max and the sum stay apart: m + log(sum) in f32 rounds log(sum) away
// once |m| is large (1e8 and up), so nll = log(sum) - (x[label] - m) and
// softmax = exp(x - m) / sum are formed from the parts.
@group(0) @binding(1) var<storage, read> cl: array<f32>;
@group(0) @binding(2) var<storage, read> clabel: array<u32>;
@group(0) @binding(3) var<storage, read> cmask: array<f32>;
@group(0) @binding(4) var<storage, read_write> cstats: array<f32>;

// ce_total: stats -> loss [1], count [1]
@group(0) @binding(1) var<storage, read> tstats: array<f32>;
@group(0) @binding(2) var<storage, read_write> tloss: array<f32>;
@group(0) @binding(3) var<storage, read_write> tcount: array<f32>;

// ce_grad: logits, labels, stats, count -> grad [rows, cols]
@group(0) @binding(3) var<storage, read> gstats: array<f32>;
@group(0) @binding(4) var<storage, read> gcount: array<f32>;
@group(0) @binding(5) var<storage, read_write> ggrad: array<f32>;

var<workgroup> red: array<f32, 256>;
var<workgroup> red2: array<f32, 256>;

// -inf built at run time: as a const-expression it would overflow f32, a compile error.
fn neg_inf() -> f32 {
    var bits = 0xff800000u;
    return bitcast<f32>(bits);
}

// Max of `v` over the workgroup (every thread gets the result).
fn group_max(lx: u32, v: f32) -> f32 {
    red[lx] = v;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if (lx < s) { red[lx] = max(red[lx], red[lx + s]); }
        workgroupBarrier();
    }
    let r = red[0];
    workgroupBarrier();
    return r;
}

// Sum of `v` over the workgroup (every thread gets the result).
fn group_sum(lx: u32, v: f32) -> f32 {
    red[lx] = v;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if (lx < s) { red[lx] += red[lx + s]; }
        workgroupBarrier();
    }
    let r = red[0];
    workgroupBarrier();
    return r;
}

// True for +0 and -0 only, tested on the bits: the `!=` of WGSL is an ordered comparison,
// false for a NaN, so `w != 0.0` would take a NaN weight (or total) for 0.
fn is_zero(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) == 0u;
}

// Row statistics from the row max m and sum s of exp(x - m): (weight * nll, weight, m, s).
fn ce_write(row: u32, m: f32, s: f32) {
    let label = clabel[row];
    var w = 1.0;
    if (p.has_mask != 0u) { w = cmask[row]; }
    if (label >= p.cols) { w = 0.0; }
    var nll = 0.0;
    if (!is_zero(w)) { nll = w * (log(s) - (cl[row * p.cols + min(label, p.cols - 1u)] - m)); }
    cstats[row * 4u] = nll;
    cstats[row * 4u + 1u] = w;
    cstats[row * 4u + 2u] = m;
    cstats[row * 4u + 3u] = s;
}

// Thread per row, for short rows (cols <= SMALL_COLS on the host).
@compute @workgroup_size(256)
fn softmax_rows_small(@builtin(workgroup_id) wid: vec3<u32>,
                      @builtin(num_workgroups) nwg: vec3<u32>,
                      @builtin(local_invocation_id) lid: vec3<u32>) {
    let row = flat_index(wid, nwg, lid, 256u);
    if (row >= p.rows) { return; }
    let base = row * p.cols;
    var m = neg_inf();
    for (var c = 0u; c < p.cols; c++) { m = max(m, sx[base + c]); }
    var s = 0.0;
    for (var c = 0u; c < p.cols; c++) { s += exp(sx[base + c] - m); }
    let inv = 1.0 / s;
    for (var c = 0u; c < p.cols; c++) { sy[base + c] = exp(sx[base + c] - m) * inv; }
}

@compute @workgroup_size(256)
fn softmax_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
    let row = flat_group(wid, nwg);
    if (row >= p.rows) { return; }
    let lx = lid.x;
    let base = row * p.cols;
    var m = neg_inf();
    for (var c = lx; c < p.cols; c += 256u) { m = max(m, sx[base + c]); }
    m = group_max(lx, m);
    var s = 0.0;
    for (var c = lx; c < p.cols; c += 256u) { s += exp(sx[base + c] - m); }
    s = group_sum(lx, s);
    let inv = 1.0 / s;
    for (var c = lx; c < p.cols; c += 256u) { sy[base + c] = exp(sx[base + c] - m) * inv; }
}

@compute @workgroup_size(256)
fn ce_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_id) lid: vec3<u32>) {
    let row = flat_group(wid, nwg);
    if (row >= p.rows) { return; }
    let lx = lid.x;
    let base = row * p.cols;
    var m = neg_inf();
    for (var c = lx; c < p.cols; c += 256u) { m = max(m, cl[base + c]); }
    m = group_max(lx, m);
    var s = 0.0;
    for (var c = lx; c < p.cols; c += 256u) { s += exp(cl[base + c] - m); }
    s = group_sum(lx, s);
    if (lx == 0u) { ce_write(row, m, s); }
}

// Thread per row, for short rows (cols <= SMALL_COLS on the host).
@compute @workgroup_size(256)
fn ce_rows_small(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>) {
    let row = flat_index(wid, nwg, lid, 256u);
    if (row >= p.rows) { return; }
    let base = row * p.cols;
    var m = neg_inf();
    for (var c = 0u; c < p.cols; c++) { m = max(m, cl[base + c]); }
    var s = 0.0;
    for (var c = 0u; c < p.cols; c++) { s += exp(cl[base + c] - m); }
    ce_write(row, m, s);
}

// One workgroup: loss = sum(weight * nll) / sum(weight) (0 when the weights sum to 0).
@compute @workgroup_size(256)
fn ce_total(@builtin(local_invocation_id) lid: vec3<u32>) {
    let lx = lid.x;
    var a = 0.0;
    var b = 0.0;
    for (var r = lx; r < p.rows; r += 256u) {
        a += tstats[r * 4u];
        b += tstats[r * 4u + 1u];
    }
    red[lx] = a;
    red2[lx] = b;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if (lx < s) {
            red[lx] += red[lx + s];
            red2[lx] += red2[lx + s];
        }
        workgroupBarrier();
    }
    if (lx == 0u) {
        let count = red2[0];
        tloss[0] = select(0.0, red[0] / count, !is_zero(count));
        tcount[0] = count;
    }
}

// grad[r, c] = (softmax[r, c] - [c == label]) * weight[r] / count.
@compute @workgroup_size(256)
fn ce_grad(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.rows * p.cols) { return; }
    let row = i / p.cols;
    let col = i % p.cols;
    let w = gstats[row * 4u + 1u];
    let count = gcount[0];
    var g = 0.0;
    if (!is_zero(w) && !is_zero(count)) {
        let sm = exp(cl[i] - gstats[row * 4u + 2u]) / gstats[row * 4u + 3u];
        g = (sm - select(0.0, 1.0, col == clabel[row])) * w / count;
    }
    ggrad[i] = g;
}

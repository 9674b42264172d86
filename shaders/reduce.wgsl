// Reductions of a row-major [rows, cols] matrix: along rows (one value per row) and along
// columns (one value per column), sum or max, with a final scale (for the mean). Long reductions
// run as several passes over partial results; every pass folds in a fixed order (strided
// per-thread loops, then a shared-memory tree), so results are deterministic.

struct Params {
    rows: u32,
    cols: u32,
    chunk: u32,   // elements (rows pass) or rows (cols pass) folded by one workgroup
    chunks: u32,  // workgroups per row (rows pass) or row chunks (cols pass)
    op: u32,      // 0 sum, 1 max
    scale: f32,   // multiplies every output (1 for partial passes)
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

// Features per workgroup of the column pass (1, 4, 16 or 64); 256 / FW row lanes.
override FW: u32 = 64u;

var<workgroup> sh: array<f32, 256>;

fn identity() -> f32 {
    // -inf built at run time: as a const-expression it would overflow f32, a compile error.
    var bits = 0xff800000u;
    return select(0.0, bitcast<f32>(bits), p.op == 1u);
}

// Sum, or max with a NaN winning wherever it sits (the builtin `max` may drop a NaN operand,
// and which one it drops is up to the driver).
fn combine(a: f32, b: f32) -> f32 {
    if (p.op == 1u) { return select(a, b, max_takes(b, a)); }
    return a + b;
}

// Workgroup g folds elements [c * chunk, min((c + 1) * chunk, cols)) of row r, where
// g = r * chunks + c, and writes y[g].
@compute @workgroup_size(256)
fn reduce_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
    let g = flat_group(wid, nwg);
    if (g >= p.rows * p.chunks) { return; }
    let row = g / p.chunks;
    let c = g % p.chunks;
    let start = c * p.chunk;
    let end = min(start + p.chunk, p.cols);
    let base = row * p.cols;
    let lx = lid.x;
    var acc = identity();
    for (var i = start + lx; i < end; i += 256u) {
        acc = combine(acc, x[base + i]);
    }
    sh[lx] = acc;
    workgroupBarrier();
    for (var s = 128u; s > 0u; s >>= 1u) {
        if (lx < s) { sh[lx] = combine(sh[lx], sh[lx + s]); }
        workgroupBarrier();
    }
    if (lx == 0u) { y[g] = sh[0] * p.scale; }
}

// Thread per row, for short rows (one pass): y[r] folds row r.
@compute @workgroup_size(256)
fn reduce_rows_small(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                     @builtin(local_invocation_id) lid: vec3<u32>) {
    let row = flat_index(wid, nwg, lid, 256u);
    if (row >= p.rows) { return; }
    var acc = identity();
    for (var c = 0u; c < p.cols; c++) { acc = combine(acc, x[row * p.cols + c]); }
    y[row] = acc * p.scale;
}

// Workgroup g = z * blocks + b (blocks = ceil(cols / FW) column blocks; the grid may be folded)
// folds rows [z * chunk, min((z + 1) * chunk, rows)) of FW columns starting at b * FW,
// 256 / FW row lanes in parallel, and writes y[z * cols + col]. The chunks do not depend on
// the grid, so neither does the result.
@compute @workgroup_size(256)
fn reduce_cols(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
    let blocks = (p.cols - 1u) / FW + 1u; // cols >= 1: the host returns early for 0 columns
    let g = flat_group(wid, nwg);
    if (g >= blocks * p.chunks) { return; }
    let lanes = 256u / FW;
    let lx = lid.x % FW;
    let ly = lid.x / FW;
    let col = (g % blocks) * FW + lx;
    let z = g / blocks;
    let start = z * p.chunk;
    let end = min(start + p.chunk, p.rows);
    var acc = identity();
    if (col < p.cols) {
        for (var r = start + ly; r < end; r += lanes) {
            acc = combine(acc, x[r * p.cols + col]);
        }
    }
    sh[lid.x] = acc;
    workgroupBarrier();
    for (var s = lanes / 2u; s > 0u; s >>= 1u) {
        if (ly < s) { sh[lid.x] = combine(sh[lid.x], sh[lid.x + s * FW]); }
        workgroupBarrier();
    }
    if (ly == 0u && col < p.cols) { y[z * p.cols + col] = sh[lx] * p.scale; }
}

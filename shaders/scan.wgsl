// Exclusive prefix sum of u32 values, in blocks of 1024 (256 threads x 4 values).
// Pass 1 scans each block and writes its total; the totals are scanned recursively;
// pass 2 adds each block's offset. The total of everything is written after the last element.

struct Params {
    n: u32,        // number of input values
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> scan_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> scan_out: array<u32>;
@group(0) @binding(3) var<storage, read_write> block_sums: array<u32>;

// add_offsets bindings
@group(0) @binding(1) var<storage, read> offsets_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> offsets_out: array<u32>;

var<workgroup> partial: array<u32, 256>;

@compute @workgroup_size(256)
fn scan_blocks(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
    let block = flat_group(wid, nwg);
    // A spare workgroup of a folded grid has no block: it must not write block_sums[block],
    // which is past the end (and clamped onto the last block's sum where bounds are restricted).
    if (block * 1024u >= p.n) { return; }
    let base = block * 1024u + lid.x * 4u;
    var v: array<u32, 4>;
    var run = 0u;
    for (var k = 0u; k < 4u; k++) {
        let i = base + k;
        var x = 0u;
        if (i < p.n) { x = scan_in[i]; }
        v[k] = run;
        run += x;
    }
    partial[lid.x] = run;
    workgroupBarrier();
    // Hillis-Steele inclusive scan of the 256 thread totals.
    for (var off = 1u; off < 256u; off = off * 2u) {
        var add = 0u;
        if (lid.x >= off) { add = partial[lid.x - off]; }
        workgroupBarrier();
        partial[lid.x] += add;
        workgroupBarrier();
    }
    let before = partial[lid.x] - run;
    for (var k = 0u; k < 4u; k++) {
        let i = base + k;
        if (i < p.n) { scan_out[i] = before + v[k]; }
    }
    if (lid.x == 255u) { block_sums[block] = partial[255]; }
}

@compute @workgroup_size(256)
fn add_offsets(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
    let block = flat_group(wid, nwg);
    // A spare workgroup of a folded grid has no block: offsets_in[block] is past the end.
    if (block * 1024u >= p.n) { return; }
    let off = offsets_in[block];
    let base = block * 1024u + lid.x * 4u;
    for (var k = 0u; k < 4u; k++) {
        let i = base + k;
        if (i < p.n) { offsets_out[i] += off; }
    }
}

// total: out[n] = out[n - 1] + in[n - 1] (or 0 when n == 0), one thread.
@group(0) @binding(1) var<storage, read> total_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> total_out: array<u32>;

@compute @workgroup_size(1)
fn write_total() {
    if (p.n == 0u) {
        total_out[0] = 0u;
    } else {
        total_out[p.n] = total_out[p.n - 1u] + total_in[p.n - 1u];
    }
}

// Neural-synchrony graph construction. Spikes arrive sorted by (clip, time). Two neurons of the
// same clip are joined when they spike within `window` ms of each other. Pairs are marked in a
// per-clip adjacency bitmap (atomicOr, so the result does not depend on thread order), rows are
// counted, scanned (scan.wgsl) and filled in ascending column order, which makes the CSR exact
// and deterministic.

struct Params {
    spike_begin: u32,  // first spike of this chunk of clips
    spike_end: u32,    // one past the last spike of this chunk
    clip_begin: u32,   // first clip of this chunk
    clips: u32,        // clips in this chunk (or all clips, for per-node kernels)
    neurons: u32,      // neurons per clip
    words: u32,        // 32-bit words per bitmap row = ceil(neurons / 32)
    window: f32,       // ms
    split: u32,        // neurons below this index are audio, the rest visual
    nodes: u32,        // clips * neurons (per-node kernels)
    duration: f32,     // ms (a normal f32 > 0), to scale first-spike times into [0, 1]
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;

// mark_pairs
@group(0) @binding(1) var<storage, read> spike_neuron: array<u32>;
@group(0) @binding(2) var<storage, read> spike_time: array<f32>;
@group(0) @binding(3) var<storage, read> spike_clip: array<u32>;
@group(0) @binding(4) var<storage, read_write> bitmap: array<atomic<u32>>;

fn mark(local_clip: u32, a: u32, b: u32) {
    let row = local_clip * p.neurons + a;
    atomicOr(&bitmap[row * p.words + b / 32u], 1u << (b % 32u));
}

@compute @workgroup_size(256)
fn mark_pairs(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = p.spike_begin + flat_index(wid, nwg, lid, 256u);
    if (i >= p.spike_end) { return; }
    let clip = spike_clip[i];
    let a = spike_neuron[i];
    let t = spike_time[i];
    let local_clip = clip - p.clip_begin;
    var j = i + 1u;
    loop {
        if (j >= p.spike_end) { break; }
        if (spike_clip[j] != clip || spike_time[j] - t > p.window) { break; }
        let b = spike_neuron[j];
        if (b != a) {
            mark(local_clip, a, b);
            mark(local_clip, b, a);
        }
        j += 1u;
    }
}

// row_degree / fill_cols: one thread per bitmap row of the chunk.
@group(0) @binding(1) var<storage, read> rows_bitmap: array<u32>;
@group(0) @binding(2) var<storage, read_write> degree: array<u32>;

@compute @workgroup_size(256)
fn row_degree(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_id) lid: vec3<u32>) {
    let r = flat_index(wid, nwg, lid, 256u);
    if (r >= p.clips * p.neurons) { return; }
    var count = 0u;
    for (var w = 0u; w < p.words; w++) {
        count += countOneBits(rows_bitmap[r * p.words + w]);
    }
    degree[p.clip_begin * p.neurons + r] = count;
}

@group(0) @binding(2) var<storage, read> fill_row_ptr: array<u32>;
@group(0) @binding(3) var<storage, read_write> fill_col: array<u32>;

@compute @workgroup_size(256)
fn fill_cols(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>) {
    let r = flat_index(wid, nwg, lid, 256u);
    if (r >= p.clips * p.neurons) { return; }
    let clip = p.clip_begin + r / p.neurons;
    var at = fill_row_ptr[p.clip_begin * p.neurons + r];
    for (var w = 0u; w < p.words; w++) {
        var bits = rows_bitmap[r * p.words + w];
        loop {
            if (bits == 0u) { break; }
            let b = firstTrailingBit(bits);
            fill_col[at] = clip * p.neurons + w * 32u + b;
            at += 1u;
            bits = bits & (bits - 1u);
        }
    }
}

// Per-neuron spike statistics: count and first spike time (as ordered f32 bits, times >= 0).
@group(0) @binding(4) var<storage, read_write> stat_count: array<atomic<u32>>;
@group(0) @binding(5) var<storage, read_write> stat_first: array<atomic<u32>>;

@compute @workgroup_size(256)
fn spike_stats(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.spike_end) { return; }
    let node = spike_clip[i] * p.neurons + spike_neuron[i];
    atomicAdd(&stat_count[node], 1u);
    atomicMin(&stat_first[node], bitcast<u32>(max(spike_time[i], 0.0)));
}

// Node compaction: keep neurons that spiked, renumbered by the scan of their active flags.
@group(0) @binding(1) var<storage, read> node_count: array<u32>;
@group(0) @binding(2) var<storage, read_write> node_active: array<u32>;

@compute @workgroup_size(256)
fn active_flags(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
    let g = flat_index(wid, nwg, lid, 256u);
    if (g >= p.nodes) { return; }
    node_active[g] = select(0u, 1u, node_count[g] > 0u);
}

// Per-node features of the compacted graph: [audio, visual, position, spike count, first spike].
@group(0) @binding(1) var<storage, read> cf_count: array<u32>;
@group(0) @binding(2) var<storage, read> cf_first: array<u32>;
@group(0) @binding(3) var<storage, read> cf_new_id: array<u32>;
@group(0) @binding(4) var<storage, read> cf_old_row_ptr: array<u32>;
@group(0) @binding(5) var<storage, read_write> cf_row_ptr: array<u32>;
@group(0) @binding(6) var<storage, read_write> cf_features: array<f32>;
@group(0) @binding(7) var<storage, read_write> cf_neuron: array<u32>;

@compute @workgroup_size(256)
fn compact_nodes(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>) {
    let g = flat_index(wid, nwg, lid, 256u);
    if (g >= p.nodes) { return; }
    if (g == 0u) {
        // The end pointer: total edges move unchanged.
        cf_row_ptr[cf_new_id[p.nodes]] = cf_old_row_ptr[p.nodes];
    }
    if (cf_count[g] == 0u) { return; }
    let id = cf_new_id[g];
    let neuron = g % p.neurons;
    cf_row_ptr[id] = cf_old_row_ptr[g];
    cf_neuron[id] = neuron;
    let audio = neuron < p.split;
    var position: f32;
    if (audio) {
        position = f32(neuron) / f32(max(p.split, 1u));
    } else {
        position = f32(neuron - p.split) / f32(max(p.neurons - p.split, 1u));
    }
    let base = id * 5u;
    cf_features[base] = select(0.0, 1.0, audio);
    cf_features[base + 1u] = select(1.0, 0.0, audio);
    cf_features[base + 2u] = position;
    cf_features[base + 3u] = f32(cf_count[g]);
    cf_features[base + 4u] = bitcast<f32>(cf_first[g]) / p.duration;
}

// Renumber column indices in place.
@group(0) @binding(1) var<storage, read> rn_new_id: array<u32>;
@group(0) @binding(2) var<storage, read_write> rn_col: array<u32>;

@compute @workgroup_size(256)
fn renumber_cols(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>) {
    let e = flat_index(wid, nwg, lid, 256u);
    if (e >= p.nodes) { return; }
    rn_col[e] = rn_new_id[rn_col[e]];
}

// Node offsets of each clip in the compacted numbering: offsets[c] = new_id[c * neurons].
@group(0) @binding(1) var<storage, read> co_new_id: array<u32>;
@group(0) @binding(2) var<storage, read_write> co_offsets: array<u32>;

@compute @workgroup_size(256)
fn clip_offsets(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
    let c = flat_index(wid, nwg, lid, 256u);
    if (c > p.clips) { return; }
    co_offsets[c] = co_new_id[c * p.neurons];
}

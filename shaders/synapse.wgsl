// Event-driven synapses. Per step and population:
//   compact: neurons whose (possibly delayed) spike flag is set are appended to a per-clip list
//            with an atomic counter; optionally also to the spike record (group, neuron, step);
//   sort_lists: one thread per clip sorts its list, so accumulation order is deterministic;
//   propagate: one thread per (clip, post neuron) sums the weight rows of the listed spikes in
//            ascending order and adds the sum to its ge (channel 0) or gi (channel 1).

struct SynParams {
    n: u32,        // neurons per clip (pre population for propagate)
    clips: u32,
    n_post: u32,
    step: u32,
    slots: u32,    // ring slots of the flag array (1 without delays)
    channel: u32,
    record: u32,   // 1: append spikes to the record
    group: u32,    // population id written to the record
    cap: u32,      // record capacity (events)
    _p0: u32,
    _p1: u32,
    _p2: u32,
}

@group(0) @binding(0) var<uniform> p: SynParams;
// compact
@group(0) @binding(1) var<storage, read> flags: array<u32>;
@group(0) @binding(2) var<storage, read> delays: array<u32>;
@group(0) @binding(3) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(4) var<storage, read_write> list: array<u32>;
@group(0) @binding(5) var<storage, read_write> spk: array<u32>;
@group(0) @binding(6) var<storage, read_write> rec_meta: array<atomic<u32>>;
@group(0) @binding(7) var<storage, read_write> rec: array<u32>;
// sort_lists
@group(0) @binding(1) var<storage, read> counts_r: array<u32>;
@group(0) @binding(2) var<storage, read_write> list_rw: array<u32>;
// propagate
@group(0) @binding(2) var<storage, read> list_r: array<u32>;
@group(0) @binding(3) var<storage, read> w: array<f32>;
@group(0) @binding(4) var<storage, read_write> state: array<vec4<f32>>;

@compute @workgroup_size(256)
fn compact(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_id) lid: vec3<u32>) {
    let g = flat_index(wid, nwg, lid, 256u);
    let total = p.n * p.clips;
    if (g >= total) { return; }
    let clip = g / p.n;
    let i = g - clip * p.n;
    // (step - delay) mod slots, without forming step + slots (which wraps past u32::MAX).
    let slot = (p.step % p.slots + p.slots - delays[i] % p.slots) % p.slots;
    let on = (flags[slot * total + g] & 0x80000000u) != 0u;
    spk[g] = select(0u, 1u, on);
    if (!on) { return; }
    let k = atomicAdd(&counts[clip], 1u);
    list[clip * p.n + k] = i;
    if (p.record == 1u) {
        let r = atomicAdd(&rec_meta[0], 1u);
        if (r < p.cap) {
            rec[3u * r] = p.group;
            rec[3u * r + 1u] = g;
            rec[3u * r + 2u] = p.step;
        } else {
            atomicStore(&rec_meta[1], 1u);
        }
    }
}

@compute @workgroup_size(64)
fn sort_lists(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_id) lid: vec3<u32>) {
    let c = flat_index(wid, nwg, lid, 64u);
    if (c >= p.clips) { return; }
    let base = c * p.n;
    let m = counts_r[c];
    for (var a = 1u; a < m; a++) {
        let x = list_rw[base + a];
        var b = a;
        while (b > 0u && list_rw[base + b - 1u] > x) {
            list_rw[base + b] = list_rw[base + b - 1u];
            b--;
        }
        list_rw[base + b] = x;
    }
}

@compute @workgroup_size(256)
fn propagate(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>) {
    let g = flat_index(wid, nwg, lid, 256u);
    if (g >= p.n_post * p.clips) { return; }
    let clip = g / p.n_post;
    let j = g - clip * p.n_post;
    let m = counts_r[clip];
    let base = clip * p.n;
    var acc = 0.0;
    for (var k = 0u; k < m; k++) {
        acc += w[list_r[base + k] * p.n_post + j];
    }
    if (m == 0u) { return; }
    var s = state[g];
    if (p.channel == 0u) { s.y += acc; } else { s.z += acc; }
    state[g] = s;
}

// Input encoding into one slot of the input ring buffer (flags: 0x80000000 = spike).
// poisson_step: spike with probability rate * dt from a counter-based hash of
// (seed, step, the clip's stream id, input index), so spikes are identical on every device and
// grid shape, and a clip draws the same spikes whatever batch or slot it is simulated in.
// schedule_step: spikes read from a bitmask schedule (one row of row_words words per step; bit
// i % 32 of word step * row_words + i / 32), the same for every clip.

struct EncParams {
    n: u32,         // clips * n_in
    n_in: u32,      // inputs per clip
    step: u32,
    slot_off: u32,  // slot * n
    seed_lo: u32,
    seed_hi: u32,
    dt_s: f32,      // step length in seconds
    row_words: u32, // schedule_step: bitmask words per step
}

@group(0) @binding(0) var<uniform> p: EncParams;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> ring: array<u32>;
@group(0) @binding(1) var<storage, read> sched: array<u32>;
@group(0) @binding(3) var<storage, read> streams: array<u32>; // poisson_step: one id per clip

fn pcg_hash(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

@compute @workgroup_size(256)
fn poisson_step(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    let clip = i / p.n_in;
    let key = pcg_hash(p.step ^ pcg_hash(p.seed_lo ^ pcg_hash(p.seed_hi + 0x9e3779b9u)));
    let clip_key = pcg_hash(key ^ pcg_hash(streams[clip] + 0x632be5abu));
    let u = f32(pcg_hash((i - clip * p.n_in) ^ clip_key) >> 8u) * (1.0 / 16777216.0);
    let prob = src[i] * p.dt_s;
    ring[p.slot_off + i] = select(0u, 0x80000000u, u < prob);
}

@compute @workgroup_size(256)
fn schedule_step(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    let input = i % p.n_in;
    let on = (sched[p.step * p.row_words + (input >> 5u)] >> (input & 31u)) & 1u;
    ring[p.slot_off + i] = select(0u, 0x80000000u, on == 1u);
}

// STDP on one plastic weight matrix w[pre * n_post + post] (mask 0 = no synapse).
// stdp_weights: one thread per synapse; uses traces decayed to this step (pre trace = 1 if the
//   pre neuron spiked now). rule 0 (pre_post): pre spike w -= nu_pre * post1, post spike
//   w += nu_post * pre * post2, each clipped to [0, w_max] (a pre and a post spike of one step
//   apply in that order). rule 1 (power_law): post spike only,
//   w += nu_post * (pre - x_tar) * (w_max - w)^mu (x_tar is its depression; a pre spike alone
//   changes nothing). Weights clipped to [0, w_max].
// stdp_traces: decay then set to 1 on a spike (pre: one trace, post: post1 and post2).
// normalize: one thread per post neuron scales its incoming weights to sum to `total`.

struct StdpParams {
    n_pre: u32,
    n_post: u32,
    rule: u32,
    n: u32,         // traces: neurons; normalize: columns
    nu_pre: f32,
    nu_post: f32,
    w_max: f32,
    x_tar: f32,
    mu: f32,
    k_pre: f32,     // dt / tau_pre
    k_post1: f32,
    k_post2: f32,
    total: f32,
    _p0: f32,
    _p1: f32,
    _p2: f32,
}

@group(0) @binding(0) var<uniform> p: StdpParams;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read> spk_pre: array<u32>;
@group(0) @binding(4) var<storage, read> spk_post: array<u32>;
@group(0) @binding(5) var<storage, read> tr_pre: array<f32>;
@group(0) @binding(6) var<storage, read> tr_post: array<vec2<f32>>;
// traces
@group(0) @binding(1) var<storage, read> spk: array<u32>;
@group(0) @binding(2) var<storage, read_write> tr1: array<f32>;
@group(0) @binding(2) var<storage, read_write> tr2: array<vec2<f32>>;

@compute @workgroup_size(256)
fn stdp_weights(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_id) lid: vec3<u32>) {
    let e = flat_index(wid, nwg, lid, 256u);
    if (e >= p.n_pre * p.n_post) { return; }
    let i = e / p.n_post;
    let j = e - i * p.n_post;
    let pre_on = spk_pre[i] != 0u;
    let post_on = spk_post[j] != 0u;
    if (mask[e] == 0.0 || !(pre_on || post_on)) { return; }
    let pre = select(tr_pre[i] - p.k_pre * tr_pre[i], 1.0, pre_on);
    let t = tr_post[j];
    let post1 = t.x - p.k_post1 * t.x;
    let post2 = t.y - p.k_post2 * t.y;
    var x = w[e];
    // Clipped after each event, as Diehl & Cook's on_pre and on_post each clip: a depression
    // below 0 is not carried into a potentiation of the same step.
    if (pre_on && p.rule == 0u) { x = clamp(x - p.nu_pre * post1, 0.0, p.w_max); }
    if (post_on) {
        if (p.rule == 0u) {
            x += p.nu_post * pre * post2;
        } else {
            // WGSL leaves pow(0, y) undefined (it is exp2(y * log2(0))), and weights sit on
            // the bound after clipping: 0^mu is 0 for mu > 0 and 1 for mu = 0 (the config
            // refuses mu < 0).
            let room = max(p.w_max - x, 0.0);
            let scale = select(pow(room, p.mu), select(0.0, 1.0, p.mu == 0.0), room == 0.0);
            x += p.nu_post * (pre - p.x_tar) * scale;
        }
    }
    w[e] = clamp(x, 0.0, p.w_max);
}

@compute @workgroup_size(256)
fn trace_pre(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    tr1[i] = select(tr1[i] - p.k_pre * tr1[i], 1.0, spk[i] != 0u);
}

@compute @workgroup_size(256)
fn trace_post(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    let t = tr2[i];
    let d = vec2<f32>(t.x - p.k_post1 * t.x, t.y - p.k_post2 * t.y);
    tr2[i] = select(d, vec2<f32>(1.0, 1.0), spk[i] != 0u);
}

@compute @workgroup_size(64)
fn normalize(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>) {
    let j = flat_index(wid, nwg, lid, 64u);
    if (j >= p.n_post) { return; }
    // The weights are summed relative to the largest, so neither a column of tiny weights
    // (total / sum past f32) nor one of huge weights (a sum past f32) leaves the range.
    var top = 0.0;
    for (var i = 0u; i < p.n_pre; i++) { top = max(top, w[i * p.n_post + j]); }
    if (top <= 0.0) { return; }
    var sum = 0.0;
    for (var i = 0u; i < p.n_pre; i++) { sum += w[i * p.n_post + j] / top; }
    let scale = p.total / sum;
    for (var i = 0u; i < p.n_pre; i++) {
        w[i * p.n_post + j] = (w[i * p.n_post + j] / top) * scale;
    }
}

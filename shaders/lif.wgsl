// Conductance-based leaky integrate-and-fire update, one thread per neuron (neuron index =
// clip * n_group + i). State is packed as vec4 (v, ge, gi, theta) plus one u32 of flags
// (bits 0..30: refractory countdown in steps, bit 31: spiked this step): 20 bytes read and
// 20 bytes written per neuron-step. The update is branch-free (select) to avoid divergence.

struct LifParams {
    n: u32,
    refr_steps: u32,  // refractory period in steps (free again refr_steps after a spike)
    step: u32,
    theta_every: u32, // theta decays once every theta_every steps (see neurons.rs)
    v_rest: f32,
    v_reset: f32,
    v_th: f32,      // v_thresh - theta_offset (mV)
    e_exc: f32,
    e_inh: f32,
    k_v: f32,       // dt / tau
    k_ge: f32,      // dt / tau_ge
    k_gi: f32,      // dt / tau_gi
    theta_plus: f32,
    k_theta: f32,   // theta_every * dt / tau_theta
    _p2: f32,
    _p3: f32,
}

const SPIKE_BIT: u32 = 0x80000000u;
const REFRACTORY_MASK: u32 = 0x7fffffffu;

@group(0) @binding(0) var<uniform> p: LifParams;
@group(0) @binding(1) var<storage, read_write> state: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> flags: array<u32>;

@compute @workgroup_size(256)
fn lif_step(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    let s = state[i];
    let r = flags[i] & REFRACTORY_MASK;
    let free = r == 0u;
    // Integrate (Euler from the old values); held during the refractory period.
    let dv = p.k_v * ((p.v_rest - s.x) + s.y * (p.e_exc - s.x) + s.z * (p.e_inh - s.x));
    var v = select(s.x, s.x + dv, free);
    // Decay: conductances and adaptive threshold.
    let ge = s.y - p.k_ge * s.y;
    let gi = s.z - p.k_gi * s.z;
    let theta_due = (p.step % p.theta_every) == 0u;
    var theta = select(s.w, s.w - p.k_theta * s.w, theta_due);
    // Spike: above the adaptive threshold and not refractory.
    let spike = free && (v > p.v_th + theta);
    // Reset: voltage to reset, threshold up, refractory countdown restarts. As in Brian, a
    // neuron that spiked at step t is free again at t + refr_steps, so the countdown (the steps
    // it is still held) starts at refr_steps - 1.
    v = select(v, p.v_reset, spike);
    theta = select(theta, theta + p.theta_plus, spike);
    let r_next = select(select(r - 1u, 0u, free), max(p.refr_steps, 1u) - 1u, spike);
    state[i] = vec4<f32>(v, ge, gi, theta);
    flags[i] = r_next | select(0u, SPIKE_BIT, spike);
}

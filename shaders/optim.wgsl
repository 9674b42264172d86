// Optimizer steps, one dispatch per parameter tensor, all recorded in one batch.
// Weight decay is L2: it is added to the gradient before the update (tkipf/gcn, PyTorch).

struct Params {
    n: u32,
    lr: f32,
    beta1: f32,     // adam: beta1; sgd: momentum
    beta2: f32,
    eps: f32,
    wd: f32,        // weight decay
    c1: f32,        // adam: 1 - beta1^t
    c2: f32,        // adam: 1 - beta2^t
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> w: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> m: array<f32>;
@group(0) @binding(4) var<storage, read_write> v: array<f32>;

@compute @workgroup_size(256)
fn adam_step(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    let gi = g[i] + p.wd * w[i];
    let mi = p.beta1 * m[i] + (1.0 - p.beta1) * gi;
    let vi = p.beta2 * v[i] + (1.0 - p.beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    let mhat = mi / p.c1;
    // sqrt(v / c2), or sqrt(v) / sqrt(c2) (PyTorch's form) where v / c2 overflows: c2 is 1e-3
    // at step 1, so a v that fits f32 (|g| up to about 5e20) would give an infinite denominator
    // and a zero step. The first form where it is finite keeps the usual rounding. Infinity is
    // tested on the bits: WGSL lets a compiler assume floats never overflow.
    var den = sqrt(vi / p.c2);
    if ((bitcast<u32>(den) & 0x7fffffffu) == 0x7f800000u) { den = sqrt(vi) / sqrt(p.c2); }
    // With eps = 0, an entry whose gradient has always been zero has m = v = 0: its step is 0,
    // not 0 / 0 (which turned the weight into NaN). A NaN moment still reaches the weight.
    let q = den + p.eps;
    if (q != 0.0) { w[i] = w[i] - p.lr * mhat / q; }
}

// SGD with optional momentum: buf = momentum * buf + g; w -= lr * buf (buf starts at 0).
@compute @workgroup_size(256)
fn sgd_step(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = flat_index(wid, nwg, lid, 256u);
    if (i >= p.n) { return; }
    let gi = g[i] + p.wd * w[i];
    let b = p.beta1 * m[i] + gi;
    m[i] = b;
    w[i] = w[i] - p.lr * b;
}

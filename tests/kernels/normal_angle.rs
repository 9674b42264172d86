//! The cosine argument of `normal_fill` (`shaders/random.wgsl`) stays in [-pi, pi], where alone
//! WGSL and Vulkan bound cos's error: it was 2 pi u2, up to 2 pi, and devices may compute cos
//! loosely past pi. A CPU mirror of the shader's `box_muller_angle`, in f32 as the shader
//! computes it, is checked over the 2^24 values of u2 (all of them near the ends of the
//! reduction): in range, and the same cosine as 2 pi u2. The shader is checked to use that
//! function with that formula, so the mirror cannot drift from it. (No GPU check can tell the
//! two arguments apart on lavapipe, whose cos is accurate past pi.)

/// The shader source.
const RANDOM_WGSL: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/shaders/random.wgsl"));

/// The shader's constants: the f32 nearest 2 pi (6.2831855) and the f32 nearest pi (3.1415927).
const TWO_PI_F32: f32 = std::f32::consts::TAU;
const PI_F32: f32 = std::f32::consts::PI;

/// `box_muller_angle` of `shaders/random.wgsl`, in f32.
fn box_muller_angle(u2: f32) -> f32 {
    let theta = TWO_PI_F32 * u2;
    if theta > PI_F32 {
        theta - TWO_PI_F32
    } else {
        theta
    }
}

/// The shader's cos takes `box_muller_angle(u2)`, whose body is the mirror's.
#[test]
fn the_shader_takes_the_mirrored_angle() {
    let normal = &RANDOM_WGSL[RANDOM_WGSL
        .find("fn normal_fill")
        .expect("normal_fill in random.wgsl")..];
    let body = &normal[..normal.find("\n}").expect("end of normal_fill")];
    assert!(
        body.contains("cos(box_muller_angle(u2))"),
        "normal_fill's cos must take box_muller_angle(u2):\n{body}"
    );
    assert_eq!(body.matches("cos(").count(), 1, "{body}");
    assert_eq!(TWO_PI_F32, "6.2831855".parse::<f32>().unwrap());
    assert_eq!(PI_F32, "3.1415927".parse::<f32>().unwrap());
    for line in [
        "const TWO_PI_F32: f32 = 6.2831855;",
        "const PI_F32: f32 = 3.1415927;",
        "let theta = TWO_PI_F32 * u2;",
        "return select(theta, theta - TWO_PI_F32, theta > PI_F32);",
    ] {
        assert!(
            RANDOM_WGSL.contains(line),
            "random.wgsl lacks `{line}`: update the mirror in tests/kernels/normal_angle.rs"
        );
    }
}

/// For u2 on the shader's 24-bit grid, (0, 1] (every 11th value, and every value within 2^12
/// steps of 0, 1/2 and 1, where the reduction starts and ends): the angle lies in
/// [-pi_f32, pi_f32] (pi to f32 rounding) and its cosine is that of 2 pi u2 to within 4e-7
/// (theta's rounding plus the 1.7e-7 by which TWO_PI_F32 exceeds 2 pi), as the unreduced
/// argument's is.
#[test]
fn the_angle_is_in_range_with_the_same_cosine() {
    let tau = std::f64::consts::TAU;
    let mut worst = 0.0f64;
    let (half, all, edge) = (1u32 << 23, 1u32 << 24, 1u32 << 12);
    let ks = (1..=all)
        .step_by(11)
        .chain(1..=edge)
        .chain(half - edge..=half + edge)
        .chain(all - edge..=all);
    for k in ks {
        // unit_open's value for 24 random bits k - 1: (k - 1 + 1) / 2^24.
        let u2 = k as f32 * (1.0 / 16_777_216.0);
        let a = box_muller_angle(u2);
        assert!((-PI_F32..=PI_F32).contains(&a), "u2 {u2}: angle {a}");
        let err = (f64::from(a).cos() - (tau * f64::from(u2)).cos()).abs();
        let old = (f64::from(TWO_PI_F32 * u2).cos() - (tau * f64::from(u2)).cos()).abs();
        assert!(err <= 4e-7, "u2 {u2}: cos({a}) off by {err}");
        assert!(old <= 4e-7, "u2 {u2}: the unreduced angle off by {old}");
        worst = worst.max(err);
    }
    assert!(worst > 0.0, "rounding shows somewhere");
}

//! A refractory period is the shortest interval between two spikes of a neuron
//! (`NeuronConfig::refractory_ms`), but the kernels count it in whole steps of dt. A period
//! between two steps used to be rounded to the nearest step: 1.2 ms at dt = 0.5 ms became
//! 2 steps, so a neuron fired again after 1.0 ms, and 5 ms at dt = 0.7 ms became 7 steps
//! (4.9 ms). Like a delay or a sample duration between two steps, it is refused instead.
use synchgraph::snn::config::Config;
use synchgraph::Error;

#[test]
fn a_refractory_period_between_two_steps_is_refused() {
    type Field = fn(&mut Config) -> &mut f64;
    let fields: [(&str, Field); 2] = [
        ("exc.refractory_ms", |c| &mut c.exc.refractory_ms),
        ("inh.refractory_ms", |c| &mut c.inh.refractory_ms),
    ];
    for (name, field) in fields {
        for ms in [1.2, 1.3, 2.25] {
            let mut c = Config::default();
            *field(&mut c) = ms;
            match c.validate() {
                Err(Error::Config(m)) => assert!(
                    m.contains(name) && m.contains("whole number of steps"),
                    "{name} = {ms}: {m}"
                ),
                other => panic!("{name} = {ms} ms at dt 0.5 ms: expected a refusal, got {other:?}"),
            }
        }
        // Whole numbers of steps stay accepted, decimal rounding included (5 ms at 0.1 ms).
        for (ms, dt) in [(1.0, 0.5), (0.5, 0.5), (5.0, 0.1), (2.0, 0.1)] {
            let mut c = Config::default();
            c.sim.dt_ms = dt;
            *field(&mut c) = ms;
            c.validate()
                .unwrap_or_else(|e| panic!("{name} = {ms} ms at dt {dt} ms: {e}"));
        }
    }
}

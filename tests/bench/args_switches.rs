//! `cargo bench -- ...` argument parsing (`bench::args::parse`): a switch given a value
//! (`--wall=false`) is refused rather than read as the switch turned on, and several bare words
//! (the libtest style `cargo bench -- relu add`) all select rows instead of the last one alone.

use synchgraph::bench::args::parse;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_switch_with_a_value_is_refused() {
    for arg in [
        "--wall=false",
        "--quick=no",
        "--list=0",
        "--help=1",
        "--bench=x",
    ] {
        let r = parse(&strings(&[arg]), String::new());
        let e = match r {
            Ok(a) => panic!(
                "{arg} accepted: wall {} quick {} list {} help {}",
                a.options.wall, a.options.quick, a.list, a.help
            ),
            Err(e) => e.to_string(),
        };
        let flag = arg.split('=').next().unwrap();
        assert!(e.contains(flag), "{arg}: {e}");
    }
}

#[test]
fn bare_words_accumulate_into_the_filter() {
    let a = parse(&strings(&["relu", "--bench", "add"]), String::new()).unwrap();
    assert_eq!(a.options.filter.as_deref(), Some("relu,add"));
    let a = parse(&strings(&["--filter", "lif_step", "spmm_"]), String::new()).unwrap();
    assert_eq!(a.options.filter.as_deref(), Some("lif_step,spmm_"));
    // One word, or --filter alone, are unchanged.
    let a = parse(&strings(&["--bench", "relu"]), String::new()).unwrap();
    assert_eq!(a.options.filter.as_deref(), Some("relu"));
    let a = parse(&strings(&["--filter=a,b"]), String::new()).unwrap();
    assert_eq!(a.options.filter.as_deref(), Some("a,b"));
}

//! `cargo bench -- ...` argument parsing (`bench::args::parse`) agrees with `synchgraph bench`:
//! every `--exclude` given leaves its rows out (not the last one alone), a flag that takes one
//! value is refused when given twice instead of the earlier value being dropped, and `--list`
//! is refused beside the flags it would ignore (`--json`, `--compare`, `--time-budget`).

use synchgraph::bench::args::parse;

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_exclude_given_leaves_its_rows_out() {
    let a = parse(
        &strings(&["--exclude", "matmul", "--exclude=snn_second"]),
        String::new(),
    )
    .unwrap();
    assert_eq!(a.options.exclude.as_deref(), Some("matmul,snn_second"));
    let a = parse(&strings(&["--exclude", "a,b"]), String::new()).unwrap();
    assert_eq!(a.options.exclude.as_deref(), Some("a,b"));
}

#[test]
fn a_single_value_flag_given_twice_is_refused() {
    for flag in ["--json", "--compare", "--adapter", "--time-budget"] {
        let e = parse(&strings(&[flag, "1", flag, "2"]), String::new())
            .err()
            .unwrap_or_else(|| panic!("{flag} given twice was accepted"));
        let text = e.to_string();
        assert!(
            text.contains(flag) && text.contains("once"),
            "{flag}: {text}"
        );
    }
}

#[test]
fn list_is_refused_beside_the_flags_it_would_ignore() {
    for (flag, value) in [
        ("--json", "out.json"),
        ("--compare", "old.json"),
        ("--time-budget", "5"),
    ] {
        let e = parse(&strings(&["--list", flag, value]), String::new())
            .err()
            .unwrap_or_else(|| panic!("--list with {flag} was accepted"));
        let text = e.to_string();
        assert!(text.contains("--list") && text.contains(flag), "{text}");
    }
    // The selection flags and --quick go with it.
    let a = parse(
        &strings(&["--list", "--quick", "--filter", "relu", "--exclude", "add"]),
        String::new(),
    )
    .unwrap();
    assert!(a.list && a.options.quick);
}

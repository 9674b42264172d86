//! Command-line parsing for `cargo bench -- [OPTIONS]`, where no clap parser runs: the same flags
//! as `synchgraph bench`. Cargo's own `--bench` flag is ignored; bare words are added to the filter
//! (the rows matching any of them run), every `--exclude` adds its words to the exclusion, a flag
//! of one value given twice is refused, and so is `--list` beside a flag it would ignore.

use std::path::PathBuf;

use super::BenchOptions;
use crate::error::{Error, Result};

/// Usage text of the bench harness.
pub const USAGE: &str =
    "usage: cargo bench -- [--quick] [--filter NAME[,NAME...]] [--exclude NAME[,NAME...]] \
                         [--list] [--json FILE] \
                         [--compare OLD.json] [--wall] [--time-budget SECONDS] \
                         [--adapter INDEX|NAME]";

/// Options parsed from the harness arguments, plus the `--adapter` choice.
#[derive(Debug, Clone, Default)]
pub struct HarnessArgs {
    /// The benchmark options.
    pub options: BenchOptions,
    /// Adapter index or name substring.
    pub adapter: Option<String>,
    /// True when `--help` was given.
    pub help: bool,
    /// True when `--list` was given: print the selected rows, measure nothing.
    pub list: bool,
}

/// Parse the arguments after the program name. `command` is recorded in the report.
pub fn parse(args: &[String], command: String) -> Result<HarnessArgs> {
    let mut parsed = HarnessArgs::default();
    parsed.options.command = command;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| Error::InvalidInput(format!("{name} needs a value; {USAGE}")))
        };
        let switch = matches!(flag, "--bench" | "--quick" | "--wall" | "--help" | "--list");
        if let (true, Some(v)) = (switch, &inline) {
            // `--wall=false` would otherwise turn the switch on.
            return Err(Error::InvalidInput(format!(
                "{flag} takes no value (got '{v}'); {USAGE}"
            )));
        }
        match flag {
            "--bench" => {}
            "--quick" => parsed.options.quick = true,
            "--wall" => parsed.options.wall = true,
            "--help" | "-h" => parsed.help = true,
            "--list" => parsed.list = true,
            "--filter" => {
                let words = value("--filter")?;
                add_filter(&mut parsed.options, &words);
            }
            "--exclude" => {
                let words = value("--exclude")?;
                let all = match parsed.options.exclude.take() {
                    Some(x) => format!("{x},{words}"),
                    None => words,
                };
                parsed.options.exclude = Some(all);
            }
            "--json" => once(&mut parsed.options.json, flag, PathBuf::from(value(flag)?))?,
            "--compare" => once(
                &mut parsed.options.compare,
                flag,
                PathBuf::from(value(flag)?),
            )?,
            "--adapter" => once(&mut parsed.adapter, flag, value(flag)?)?,
            "--time-budget" => {
                let seconds = parse_seconds(&value(flag)?)?;
                once(&mut parsed.options.time_budget, flag, seconds)?;
            }
            f if f.starts_with('-') => {
                return Err(Error::InvalidInput(format!("unknown flag {f}; {USAGE}")))
            }
            // Several bare words (`cargo bench -- relu add`) select the rows of any of them.
            word => add_filter(&mut parsed.options, word),
        }
    }
    if parsed.list {
        let o = &parsed.options;
        for (flag, given) in [
            ("--json", o.json.is_some()),
            ("--compare", o.compare.is_some()),
            ("--time-budget", o.time_budget.is_some()),
        ] {
            if given {
                return Err(Error::InvalidInput(format!(
                    "--list measures nothing, so {flag} would be ignored; give one of them; \
                     {USAGE}"
                )));
            }
        }
    }
    Ok(parsed)
}

/// Set a flag that takes one value, refusing a second one (which would silently replace the
/// first).
fn once<T>(slot: &mut Option<T>, flag: &str, value: T) -> Result<()> {
    if slot.is_some() {
        return Err(Error::InvalidInput(format!(
            "{flag} given more than once; give it once; {USAGE}"
        )));
    }
    *slot = Some(value);
    Ok(())
}

/// Add `words` to the filter, so every bare word and `--filter` given selects its rows (the
/// last one alone would otherwise win).
fn add_filter(options: &mut BenchOptions, words: &str) {
    options.filter = Some(match options.filter.take() {
        Some(f) => format!("{f},{words}"),
        None => words.to_string(),
    });
}

/// A time budget in seconds: a finite number, zero or more.
pub fn parse_seconds(text: &str) -> Result<f64> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => Ok(s),
        _ => Err(Error::InvalidInput(format!(
            "--time-budget takes a number of seconds, zero or more, not {text:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn cargo_bench_flag_is_ignored_and_values_are_read() {
        let a = parse(
            &strings(&["--quick", "--json", "out.json", "--bench", "--filter=add"]),
            "x".into(),
        )
        .unwrap();
        assert!(a.options.quick && !a.list);
        assert_eq!(a.options.json.unwrap().to_str(), Some("out.json"));
        assert_eq!(a.options.filter.as_deref(), Some("add"));
        assert!(parse(&strings(&["--list"]), String::new()).unwrap().list);
    }

    #[test]
    fn unknown_flags_and_missing_values_are_errors() {
        assert!(parse(&strings(&["--fast"]), String::new()).is_err());
        assert!(parse(&strings(&["--json"]), String::new()).is_err());
    }

    #[test]
    fn time_budget_takes_seconds_and_refuses_the_rest() {
        let a = parse(&strings(&["--time-budget", "90.5"]), String::new()).unwrap();
        assert_eq!(a.options.time_budget, Some(90.5));
        for bad in ["-1", "NaN", "inf", "soon"] {
            let e = parse(&strings(&["--time-budget", bad]), String::new()).unwrap_err();
            assert!(e.to_string().contains("--time-budget"), "{e}");
        }
    }
}

//! Which cases a run measures: every case for the sizes, and the `--filter` / `--exclude`
//! selection among them (checked, so a word that selects nothing is an error).

use super::{
    cases, cases_e2e, cases_graph, cases_layout, cases_linalg, cases_overhead, cases_snn,
    cases_sparse, cases_train, BenchCase, BenchOptions, Sizes,
};
use crate::error::{Error, Result};

/// Every case for `sizes`, ceiling first.
pub fn all_cases(sizes: &Sizes) -> Vec<BenchCase> {
    let mut cases = vec![cases::copy_ceiling(sizes)];
    cases.extend(cases::elementwise(sizes));
    cases.extend(cases::random_and_cast(sizes));
    cases.push(cases_overhead::dispatch_chain(sizes));
    cases.extend(cases_linalg::matmuls(sizes));
    cases.extend(cases_linalg::gradient_matmuls(sizes));
    cases.extend(cases_linalg::reductions(sizes));
    cases.extend(cases_layout::layout(sizes));
    cases.extend(cases_snn::snn(sizes));
    cases.push(cases_graph::synchrony(sizes));
    cases.extend(cases_graph::spmm_rows(sizes));
    cases.push(cases_graph::adam(sizes));
    cases.extend(cases_sparse::sparse(sizes));
    cases.push(cases_e2e::snn_second(sizes));
    cases.push(cases_train::gcn_epoch_cora(sizes));
    cases.push(cases_train::lgrin_epoch(sizes));
    cases
}

/// True when a comma-separated word of `words` occurs in the case's name or family.
fn matches_any(case: &BenchCase, words: &str) -> bool {
    let name = case.name.to_lowercase();
    words
        .to_lowercase()
        .split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .any(|w| name.contains(w) || case.family.contains(w))
}

/// Refuse a `--filter` or `--exclude` word that matches no case (the error names every such
/// word of the flag), or a flag with no word at all, so a misspelt row name or an unset shell
/// variable is an error rather than a run that silently measures nothing but the ceiling; warn
/// when the selection leaves only the ceiling.
pub(super) fn check_selection(cases: &[BenchCase], options: &BenchOptions) -> Result<()> {
    for (flag, words) in [
        ("--filter", &options.filter),
        ("--exclude", &options.exclude),
    ] {
        if let Some(w) = words {
            if w.split(',').all(|w| w.trim().is_empty()) {
                return Err(Error::InvalidInput(format!(
                    "{flag} '{w}' holds no word (an unset shell variable?); give row names or \
                     families, separated by commas"
                )));
            }
        }
        // Every word that selects nothing, each once, so all the typos are named in one run.
        let mut unknown: Vec<&str> = Vec::new();
        let words = words.iter().flat_map(|w| w.split(',')).map(str::trim);
        for word in words.filter(|w| !w.is_empty()) {
            if !unknown.contains(&word) && !cases.iter().any(|c| matches_any(c, word)) {
                unknown.push(word);
            }
        }
        if !unknown.is_empty() {
            let mut families: Vec<&str> = cases.iter().map(|c| c.family).collect();
            families.sort_unstable();
            families.dedup();
            let named: Vec<String> = unknown.iter().map(|w| format!("'{w}'")).collect();
            let (what, verb) = if unknown.len() == 1 {
                ("word", "matches")
            } else {
                ("words", "match")
            };
            return Err(Error::InvalidInput(format!(
                "{flag} {what} {} {verb} no bench row; a word selects the rows whose name or \
                 family contains it (families: {})",
                named.join(", "),
                families.join(", ")
            )));
        }
    }
    // Not an error (a script may select the ceiling alone, or exclude what its filter chose),
    // but never silent.
    if !cases.iter().any(|c| !c.is_ceiling && selected(c, options)) {
        eprintln!(
            "bench: warning: the --filter and --exclude words together leave no row besides the \
             copy ceiling"
        );
    }
    Ok(())
}

/// Whether a run with `options` measures `case`: the copy ceiling always, any other row when
/// the filter (if any) matches it and no exclude word does.
pub(super) fn selected(case: &BenchCase, options: &BenchOptions) -> bool {
    case.is_ceiling
        || (options
            .filter
            .as_deref()
            .is_none_or(|f| matches_any(case, f))
            && !options
                .exclude
                .as_deref()
                .is_some_and(|x| matches_any(case, x)))
}

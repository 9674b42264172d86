//! A Planetoid `# N dims` header whose width is not a whole number: `-4 dims` used to be read
//! as 4 (the sign was trimmed with the punctuation around the token) and `4.5 dims` or
//! `1,433 dims` was skipped, the width then taken from the largest feature index, so a
//! corrupted header loaded silently with another width. Both are now an error naming the
//! nodes file, the line and the token; `(4 dims)`, `+4 dims`, Cora's `1433 dims;` and a word
//! with a digit before `dims` (`v2 dims`, skipped) still leave the width to the number.

use synchgraph::data::planetoid::Planetoid;

use crate::common::cli::scratch;
use crate::common::fixtures::planetoid_files;

/// The six-node graph's nodes (feature indices below 3) under the header comment `header`.
fn nodes(header: &str) -> String {
    format!("# nodes\n{header}\n0 0 1 0\n1 1 1 2\n2 0 1 1\n3 1 0\n4 0 0\n5 1 0\n")
}

/// Load the graph with `header`, in a scratch folder named `name`.
fn load(name: &str, header: &str) -> synchgraph::Result<Planetoid> {
    let d = scratch("planetoid-dims-header", name);
    let split = "train 0 1\nval 2 3\ntest 4 5\n";
    planetoid_files(&d, &nodes(header), "0 1\n", split);
    let r = Planetoid::load(&d);
    let _ = std::fs::remove_dir_all(&d);
    r
}

#[test]
fn a_width_that_is_not_a_whole_number_is_refused() {
    for (name, header, token) in [
        ("negative", "# id label (-4 dims)", "-4"),
        ("fraction", "# 4.5 dims", "4.5"),
        ("thousands", "# binary 0/1, 1,433 dims; x", "1,433"),
    ] {
        let e = load(name, header).expect_err(header).to_string();
        assert!(
            e.contains("g.nodes.txt") && e.contains("line 2") && e.contains(&format!("'{token}'")),
            "{header}: {e}"
        );
    }
}

#[test]
fn whole_widths_still_fix_the_width() {
    for (name, header) in [
        ("paren", "# id label nnz idx (4 dims)"),
        ("plus", "# +4 dims"),
        (
            "cora",
            "# (features are binary 0/1, 4 dims; label -1 = unlabeled)",
        ),
        ("word", "# v2 dims, 4 dims"),
    ] {
        let p = load(name, header).unwrap_or_else(|e| panic!("{header}: {e}"));
        assert_eq!(p.num_features, 4, "{header}");
    }
    // No width in the header: the largest index + 1.
    assert_eq!(load("none", "# id label nnz idx").unwrap().num_features, 3);
}

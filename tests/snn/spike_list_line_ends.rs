//! A spike list `input_index,time_ms` reads the same whatever its line ends: LF, CRLF, or CR
//! alone (classic Mac OS, some exporters), as the crate's other CSV readers take them; an error
//! names the same line in every form.

use synchgraph::snn::encoding::SpikeList;
use synchgraph::Error;

/// `lines` joined by `end`, with a header, a leading byte-order mark and a final line end.
fn csv(lines: &[&str], end: &str) -> String {
    let mut t = String::from("\u{feff}input_index,time_ms");
    for l in lines {
        t.push_str(end);
        t.push_str(l);
    }
    t.push_str(end);
    t
}

/// A CR-only or CRLF list gives the events of its LF twin (the header skipped, not the file).
#[test]
fn cr_and_crlf_lists_read_as_their_lf_twin() {
    let lines = ["3,0.5", "", "0,2.25", "3,1.0"];
    let want = SpikeList::from_csv(&csv(&lines, "\n"), "x.csv", 4, 10, 0.5).unwrap();
    assert_eq!(want.events, vec![(3, 1), (3, 2), (0, 4)]);
    for end in ["\r\n", "\r"] {
        let got = SpikeList::from_csv(&csv(&lines, end), "x.csv", 4, 10, 0.5);
        assert_eq!(got.unwrap(), want, "line end {end:?}");
    }
}

/// A bad line of a CR-only list is reported with the line number of its LF twin.
#[test]
fn cr_list_errors_name_the_lf_line() {
    for bad in ["9,1.0", "1,x", "2 1.0"] {
        let lines = ["3,0.5", "", bad, "0,2.0"];
        let message = |end: &str| match SpikeList::from_csv(&csv(&lines, end), "x.csv", 4, 10, 0.5)
        {
            Err(Error::Data { message, .. }) => message,
            other => panic!("{bad} with line end {end:?}: expected a data error, got {other:?}"),
        };
        let lf = message("\n");
        assert!(lf.starts_with("line 4:"), "{lf}");
        assert_eq!(message("\r"), lf, "{bad}");
        assert_eq!(message("\r\n"), lf, "{bad}");
    }
}

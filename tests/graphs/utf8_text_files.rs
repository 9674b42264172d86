//! Text inputs that are not UTF-8 (a file saved as Latin-1 or UTF-16) are an `Error::Parse`
//! naming the file and the line of the first bad byte, for every reader of text files: feature
//! CSVs, TU and Planetoid data sets, the clip list of a feature export and the spiking-network
//! config. They used to be an `Error::Io` ("stream did not contain valid UTF-8") naming no line.
//! A leading UTF-8 byte-order mark is still skipped.

use std::path::Path;

use synchgraph::data::emotion::{load_clips, DatasetFormat};
use synchgraph::data::matrix_files::read_csv_matrix;
use synchgraph::data::planetoid::Planetoid;
use synchgraph::data::tu::TuDataset;
use synchgraph::features::text::read_text;
use synchgraph::snn::Config;
use synchgraph::Error;

use crate::common::cli::{scratch, write};
use crate::common::fixtures::{
    planetoid_files, tu_pairs, PLANETOID_EDGES, PLANETOID_NODES, PLANETOID_SPLIT,
};

/// `text` with its `line`th line (1-based) given a Latin-1 'é' (0xE9) at its start.
fn latin1_on_line(text: &str, line: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            out.push(0xE9);
        }
        out.extend_from_slice(l.as_bytes());
    }
    out
}

/// `result` is a parse error naming `file` and line `line` as not UTF-8.
fn assert_not_utf8<T: std::fmt::Debug>(result: synchgraph::Result<T>, file: &Path, line: usize) {
    match result {
        Err(e @ Error::Parse { .. }) => {
            let m = e.to_string();
            let name = file.file_name().unwrap().to_str().unwrap();
            assert!(
                m.contains(name) && m.contains(&format!("line {line}")) && m.contains("not UTF-8"),
                "{m}"
            );
        }
        other => panic!("{}: want a parse error, got {other:?}", file.display()),
    }
}

#[test]
fn read_text_names_the_line_and_skips_a_byte_order_mark() {
    let d = scratch("utf8-text", "read");
    let p = d.join("t.txt");
    write(&p, b"\xEF\xBB\xBFa\r\nb\n");
    assert_eq!(read_text(&p).unwrap(), "a\r\nb\n");
    write(&p, b"a\rb\r\xE9c\r");
    assert_not_utf8(read_text(&p), &p, 3);
    write(&p, b"\xFF\xFEa\x00");
    let m = read_text(&p).unwrap_err().to_string();
    assert!(m.contains("UTF-16"), "{m}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn feature_csv_planetoid_tu_and_config_name_the_line() {
    let d = scratch("utf8-text", "readers");
    let csv = d.join("clip.csv");
    write(&csv, latin1_on_line("1,2\n3,4\n5,6\n", 2));
    assert_not_utf8(read_csv_matrix(&csv), &csv, 2);

    let pl = d.join("planetoid");
    planetoid_files(&pl, PLANETOID_NODES, PLANETOID_EDGES, PLANETOID_SPLIT);
    let edges = pl.join("g.edges.txt");
    assert!(edges.is_file(), "the fixture's edges file");
    write(&edges, latin1_on_line(PLANETOID_EDGES, 4));
    assert_not_utf8(Planetoid::load(&pl), &edges, 4);

    let tu = d.join("tu");
    tu_pairs(&tu, &[0, 1, 0, 1]);
    let labels = tu.join("D_graph_labels.txt");
    write(&labels, latin1_on_line("0\n1\n0\n1\n", 3));
    assert_not_utf8(TuDataset::load(&tu), &labels, 3);

    let config = d.join("net.toml");
    let toml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/snn/small.toml"
    ))
    .unwrap();
    write(&config, latin1_on_line(&toml, 2));
    assert_not_utf8(Config::load(&config), &config, 2);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn an_export_clip_list_names_the_line() {
    let d = scratch("utf8-text", "export");
    let m = synchgraph::features::FrameMatrix {
        rows: 2,
        cols: 3,
        data: vec![0.5; 6],
    };
    let npy = synchgraph::data::emotion_features::npy_bytes(&m);
    write(&d.join("sad/a.npy"), &npy);
    write(&d.join("anger/b.npy"), &npy);
    let list = "file,class,speaker,nodes,dims\nsad/a.npy,sad,,2,3\nanger/b.npy,anger,,2,3\n";
    let clips = d.join("clips.csv");
    write(&clips, latin1_on_line(list, 3));
    write(
        &d.join("features.json"),
        r#"{"classes": ["sad", "anger"], "settings": {"nodes": 2, "dims": 3}}"#,
    );
    assert_not_utf8(load_clips(&d, Some(DatasetFormat::Features)), &clips, 3);
    let _ = std::fs::remove_dir_all(&d);
}

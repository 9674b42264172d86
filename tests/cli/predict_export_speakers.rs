//! `synchgraph predict` with a speaker-normalising model on the clips of an un-normalised
//! `synchgraph features` export: the clips are grouped by the speakers the export's `clips.csv`
//! lists (the source's), as training groups them, not by whatever their file names suggest.

use crate::common;

use common::cli::*;

#[test]
fn export_clips_are_normalised_by_the_speakers_their_clip_list_names() {
    let d = scratch("predict-export-speakers", "listed");
    let data = d.join("data");
    npy_dataset(&data, 3, 3);
    let export = d.join("export");
    let args = [
        "features",
        "--data",
        s(&data),
        "--nodes",
        "4",
        "--normalize",
        "none",
        "--out",
        s(&export),
    ];
    succeeds(&run_for(&args, &[], 60), "features");
    // The clip list names two speakers per class; the file names (`clip0.npy`) carry none.
    let list = export.join("clips.csv");
    let text = std::fs::read_to_string(&list).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert_eq!(lines[0], "file,class,speaker,nodes,dims");
    for (k, line) in lines.iter_mut().skip(1).enumerate() {
        let speaker = if k % 3 == 1 { "s2" } else { "s1" };
        *line = line.replacen(",,", &format!(",{speaker},"), 1);
    }
    write(&list, lines.join("\n") + "\n");

    let model = d.join("model");
    let train = lgrin_args(
        s(&export),
        s(&model),
        &["--folds", "2", "--epochs", "1", "--hidden", "8"],
    );
    let mut train: Vec<&str> = train.into_iter().take_while(|&a| a != "--nodes").collect();
    train.extend(["--normalize", "speaker"]);
    succeeds(&run_for(&train, &[], 120), "train lgrin");

    let predict = |input: &str| {
        let out = run_for(&["predict", "--model", s(&model), input], &[], 60);
        succeeds(&out, "predict");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split('\t').skip(1).collect::<Vec<_>>().join("\t"))
            .collect::<Vec<_>>()
    };
    // clip1 is the only clip of speaker s2 in class a: normalised alone, whether it is labelled
    // alone or with its class folder.
    let folder = predict(s(&export.join("a")));
    assert_eq!(folder.len(), 3);
    let alone = predict(s(&export.join("a/clip1.npy")));
    assert_eq!(
        folder[1], alone[0],
        "clip1 was normalised with another speaker's clips"
    );
    // clip0 shares speaker s1 with clip2, so it is not normalised alone.
    let clip0_alone = predict(s(&export.join("a/clip0.npy")));
    assert_ne!(folder[0], clip0_alone[0]);
}

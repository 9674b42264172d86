//! A hand-built spike list (its fields are public) with an event outside its inputs or steps.

use crate::common;

use synchgraph::snn::encoding::SpikeList;
use synchgraph::Error;

/// `upload` refuses an event whose input is not below `n_in` or whose step is not below
/// `steps`, instead of setting a bit of another input's or step's word (input 40 of 32 became
/// input 8 one step later) or panicking on an index past the bitmask.
#[test]
fn upload_refuses_events_outside_the_list() {
    let g = common::gpu();
    for (events, what) in [
        (vec![(3, 1), (40, 2)], "input 40"),
        (vec![(3, 1), (5, 10)], "step 10"),
    ] {
        let list = SpikeList {
            n_in: 32,
            steps: 10,
            events,
        };
        match list.upload(&g) {
            Err(Error::InvalidInput(m)) => assert!(m.contains(what), "{m}"),
            Err(e) => panic!("{what}: expected InvalidInput, got {e}"),
            Ok(_) => panic!("{what}: a spike list with an event outside it was uploaded"),
        }
    }
    let ok = SpikeList {
        n_in: 32,
        steps: 10,
        events: vec![(31, 9), (0, 0)],
    };
    ok.upload(&g).unwrap();
}

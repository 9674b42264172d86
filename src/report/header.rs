//! Checks of a safetensors header that the `safetensors` crate does not make, run by
//! [`Checkpoint::from_bytes`](super::Checkpoint::from_bytes) on the header's text: a name given
//! twice (a JSON parser keeps only the last), and tensor spans past the end of the file (whose
//! sum can overflow the crate's own length check).

use serde::Deserialize;

/// The part of a header entry that [`span_past_data`] reads: a tensor's `data_offsets` (absent
/// from the `__metadata__` entry; other fields are skipped).
#[derive(Deserialize)]
struct Entry {
    data_offsets: Option<(u64, u64)>,
}

/// The first tensor of the safetensors `header` text whose `data_offsets` end past `data_len`
/// bytes of data, as `tensor "<name>" spans bytes <begin>..<end>`; `None` when every span ends
/// within the data, or the header is not an object of such entries (the `safetensors` crate
/// then names what is wrong with it). The crate adds the end of the last span to the header
/// length, which overflows for spans of nearly `usize::MAX` bytes that are otherwise valid
/// (eight U8 tensors of 2^61 - 1 bytes), so such spans are refused before the crate reads them.
pub(super) fn span_past_data(header: &str, data_len: u64) -> Option<String> {
    let entries: std::collections::BTreeMap<String, Entry> = serde_json::from_str(header).ok()?;
    entries
        .iter()
        .find_map(|(name, entry)| match entry.data_offsets {
            Some((begin, end)) if begin > data_len || end > data_len => {
                Some(format!("tensor {name:?} spans bytes {begin}..{end}"))
            }
            _ => None,
        })
}

/// The first name that the safetensors `header` (a JSON object) gives twice, as a tensor or as
/// a metadata key, quoted and labelled (`tensor "w"`, `metadata key "classes"`); `None` when
/// every name is unique or the header is not such an object.
pub(super) fn repeated_header_key(header: &str) -> Option<String> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    use std::collections::BTreeSet;
    use std::fmt;

    /// Walks a JSON object and yields the first key it holds twice; with `nested`, the
    /// `__metadata__` entry's own keys are walked as well.
    struct Keys {
        nested: bool,
    }
    impl<'de> Visitor<'de> for Keys {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            let mut seen = BTreeSet::new();
            let mut found = None;
            while let Some(key) = map.next_key::<String>()? {
                let inner = if self.nested && key == "__metadata__" {
                    map.next_value_seed(KeysSeed)?
                        .map(|k| format!("metadata key {k}"))
                } else {
                    map.next_value::<IgnoredAny>()?;
                    None
                };
                if found.is_none() {
                    found = inner;
                }
                if !seen.insert(key.clone()) && found.is_none() {
                    found = Some(match (self.nested, key.as_str()) {
                        (true, "__metadata__") => "the metadata".to_string(),
                        (true, _) => format!("tensor {key:?}"),
                        (false, _) => format!("{key:?}"),
                    });
                }
            }
            Ok(found)
        }
    }
    /// The `__metadata__` object: its keys, not walked further.
    struct KeysSeed;
    impl<'de> serde::de::DeserializeSeed<'de> for KeysSeed {
        type Value = Option<String>;
        fn deserialize<D: Deserializer<'de>>(
            self,
            d: D,
        ) -> std::result::Result<Self::Value, D::Error> {
            d.deserialize_map(Keys { nested: false })
        }
    }
    let mut d = serde_json::Deserializer::from_str(header);
    d.deserialize_map(Keys { nested: true }).ok().flatten()
}

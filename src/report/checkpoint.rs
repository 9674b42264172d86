//! Checkpoints in the safetensors format, with string metadata (class list, feature settings,
//! configuration). Saving writes a temporary file beside the target, syncs it and renames it
//! over the target, so a crash leaves either the old file or the new one, never half of one.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use super::atomic::write_atomic;
use super::header::{repeated_header_key, span_past_data};
use crate::autodiff::ParamStore;
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::tensor::Tensor;

/// A tensor held in host memory: a shape and row-major f32 values.
#[derive(Clone, Debug, PartialEq)]
pub struct HostTensor {
    /// Dimensions.
    pub shape: Vec<usize>,
    /// Row-major values.
    pub data: Vec<f32>,
}

/// Named tensors plus string metadata, saved and loaded as one safetensors file. A checkpoint
/// read from a file remembers its path (see [`Checkpoint::source`]), which its errors name;
/// two checkpoints are equal when their tensors and metadata are, wherever they came from.
#[derive(Clone, Debug, Default)]
pub struct Checkpoint {
    /// Tensors by name.
    pub tensors: BTreeMap<String, HostTensor>,
    /// Free-form string metadata.
    pub metadata: BTreeMap<String, String>,
    /// The file the checkpoint was read from (the path given to `load` or `from_bytes`).
    source: Option<PathBuf>,
}

impl PartialEq for Checkpoint {
    fn eq(&self, other: &Self) -> bool {
        self.tensors == other.tensors && self.metadata == other.metadata
    }
}

/// The largest safetensors header, in bytes, that readers accept (the `safetensors` crate's
/// limit): a checkpoint whose header would be larger is refused when saved.
pub const MAX_HEADER_BYTES: usize = 100_000_000;

fn ckpt_err(path: &Path, message: impl Into<String>) -> Error {
    Error::Checkpoint {
        path: path.display().to_string(),
        message: message.into(),
    }
}

impl Checkpoint {
    /// An empty checkpoint.
    pub fn new() -> Checkpoint {
        Checkpoint::default()
    }

    /// The file this checkpoint was read from (the path given to [`Checkpoint::load`] or
    /// [`Checkpoint::from_bytes`]); `None` for one built in memory.
    pub fn source(&self) -> Option<&Path> {
        self.source.as_deref()
    }

    /// A checkpoint error about this checkpoint: it names the file the checkpoint was read
    /// from, or `<checkpoint>` for one built in memory.
    fn error(&self, message: impl Into<String>) -> Error {
        ckpt_err(self.source().unwrap_or(Path::new("<checkpoint>")), message)
    }

    /// Add a host tensor; the value count must match the shape, and the name must be new (two
    /// tensors of one name would leave only the last in the file) and not `__metadata__`, the
    /// key safetensors reserves for the metadata (a file holding both cannot be read back).
    pub fn insert(&mut self, name: &str, shape: &[usize], data: Vec<f32>) -> Result<()> {
        if self.tensors.contains_key(name) {
            return Err(self.error(format!("tensor {name:?} is added twice")));
        }
        if name == "__metadata__" {
            return Err(self
                .error("a tensor cannot be named \"__metadata__\", the safetensors metadata key"));
        }
        let numel = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        if numel != Some(data.len()) {
            let numel = numel.map_or_else(|| "more than usize::MAX".into(), |n| n.to_string());
            return Err(Error::shape(
                "checkpoint",
                format!(
                    "checkpoint tensor {name}: shape {shape:?} holds {numel} values, got {}",
                    data.len()
                ),
            ));
        }
        self.tensors.insert(
            name.to_string(),
            HostTensor {
                shape: shape.to_vec(),
                data,
            },
        );
        Ok(())
    }

    /// Download a GPU tensor (f32) into the checkpoint.
    pub fn insert_tensor(&mut self, name: &str, tensor: &Tensor) -> Result<()> {
        self.insert(name, tensor.shape(), tensor.to_f32()?)
    }

    /// Download every parameter of a store under its own name.
    pub fn insert_params(&mut self, store: &ParamStore) -> Result<()> {
        for id in store.ids() {
            self.insert_tensor(store.name(id), store.value(id))?;
        }
        Ok(())
    }

    /// Set a metadata entry.
    pub fn set_meta(&mut self, key: &str, value: impl Into<String>) {
        self.metadata.insert(key.to_string(), value.into());
    }

    /// A metadata entry, or an error naming the missing key.
    pub fn meta(&self, key: &str) -> Result<&str> {
        self.metadata
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| self.error(format!("metadata key {key:?} is missing")))
    }

    /// A tensor by name, with an error naming it when absent.
    pub fn get(&self, name: &str) -> Result<&HostTensor> {
        self.tensors
            .get(name)
            .ok_or_else(|| self.error(format!("tensor {name:?} is missing")))
    }

    /// Upload a named tensor, checking its shape.
    pub fn upload(&self, gpu: &Gpu, name: &str, shape: &[usize]) -> Result<Tensor> {
        let t = self.get(name)?;
        if t.shape != shape {
            return Err(self.error(format!(
                "tensor {name:?} has shape {:?}, the model expects {shape:?}",
                t.shape
            )));
        }
        Tensor::from_f32(gpu, shape, &t.data)
    }

    /// Overwrite every parameter of a store with the checkpoint tensor of the same name and shape.
    /// All or nothing: every tensor is uploaded, and checked against its parameter's shape,
    /// dtype and device, before the first is set, so on an error the store keeps all its old
    /// values.
    pub fn load_params(&self, store: &mut ParamStore) -> Result<()> {
        let uploaded = store
            .ids()
            .map(|id| {
                let value = store.value(id);
                self.upload(value.gpu(), store.name(id), value.shape())
            })
            .collect::<Result<Vec<_>>>()?;
        store.restore(uploaded)
    }

    /// Serialise to safetensors bytes (all tensors as F32, little-endian). The bytes depend only
    /// on the contents: tensors come in name order and the metadata keys sorted, so the same
    /// checkpoint always gives the same file. A header over [`MAX_HEADER_BYTES`] is an error.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let views = self
            .tensors
            .iter()
            .map(|(name, t)| {
                TensorView::new(Dtype::F32, t.shape.clone(), bytemuck::cast_slice(&t.data))
                    .map(|v| (name.clone(), v))
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| ckpt_err(Path::new("<memory>"), e.to_string()))?;
        // safetensors takes the metadata as a HashMap and writes it in that map's (random)
        // iteration order; serialise without it and splice the sorted map into the header.
        let bytes = safetensors::serialize(views, None)
            .map_err(|e| ckpt_err(Path::new("<memory>"), e.to_string()))?;
        let out = with_sorted_metadata(&bytes, &self.metadata).ok_or_else(|| {
            ckpt_err(
                Path::new("<memory>"),
                "unexpected safetensors header layout",
            )
        })?;
        // The splice bypasses the header size check of `safetensors::serialize`; a larger
        // header would give a file that no safetensors reader (this one included) accepts.
        let header = u64::from_le_bytes(out[..8].try_into().expect("8 bytes"));
        if header > MAX_HEADER_BYTES as u64 {
            return Err(ckpt_err(
                Path::new("<memory>"),
                format!(
                    "the header (tensor names, shapes and metadata) takes {header} bytes, more \
                     than the {MAX_HEADER_BYTES} that safetensors readers accept"
                ),
            ));
        }
        Ok(out)
    }

    /// Parse safetensors bytes; `path` labels errors, now and later ones about the checkpoint
    /// (it becomes [`Checkpoint::source`]), and nothing is read from it. Tensors stored as F16 or BF16 are
    /// read as f32 exactly, F64 ones rounded to f32 (a value past the f32 range is refused),
    /// and tensors of other dtypes are refused. A header that names one tensor or one metadata
    /// key twice is refused (a JSON parser would silently keep only the last).
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Checkpoint> {
        // Spans past the data are refused here: their sum can overflow the crate's own check.
        if let Some((header, data_len)) = header_text(bytes) {
            if let Some(span) = span_past_data(header, data_len) {
                return Err(ckpt_err(
                    path,
                    format!(
                        "not a valid safetensors file: {span}, past the end of the {data_len} \
                         bytes of data"
                    ),
                ));
            }
        }
        let st = SafeTensors::deserialize(bytes)
            .map_err(|e| ckpt_err(path, format!("not a valid safetensors file: {e}")))?;
        let (n, header) = SafeTensors::read_metadata(bytes)
            .map_err(|e| ckpt_err(path, format!("unreadable header: {e}")))?;
        // The header parsed, so its bytes are valid UTF-8 JSON; a parser keeps only the last of
        // two entries of one name, so repeats are looked for in the text itself.
        if let Some(repeat) = std::str::from_utf8(&bytes[8..8 + n])
            .ok()
            .and_then(repeated_header_key)
        {
            return Err(ckpt_err(path, format!("the header names {repeat} twice")));
        }
        let mut ck = Checkpoint {
            source: Some(path.to_path_buf()),
            ..Checkpoint::default()
        };
        if let Some(meta) = header.metadata() {
            ck.metadata = meta.clone().into_iter().collect();
        }
        for (name, view) in st.tensors() {
            let data = f32_values(view.dtype(), view.data())
                .map_err(|m| ckpt_err(path, format!("tensor {name:?} {m}")))?;
            // Every error names the file, also one from a check of `insert` (whose shape
            // errors name no file).
            ck.insert(&name, view.shape(), data).map_err(|e| match e {
                e @ Error::Checkpoint { .. } => e,
                other => ckpt_err(path, other.to_string()),
            })?;
        }
        Ok(ck)
    }

    /// Write atomically: a temporary file in the same folder, synced, then renamed over `path`.
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = self.to_bytes()?;
        write_atomic(path, &bytes)
    }

    /// Read and validate a checkpoint file.
    pub fn load(path: &Path) -> Result<Checkpoint> {
        let bytes = fs::read(path).map_err(|e| Error::io(path, e))?;
        Checkpoint::from_bytes(&bytes, path)
    }
}

/// The little-endian values `bytes` of a tensor stored as `dtype`, as f32: F32 as it is, F16
/// and BF16 exactly, F64 rounded to the nearest f32 (non-finite values stay non-finite). An
/// F64 value past the f32 range, and a dtype that holds no real numbers, are errors whose
/// message completes `"tensor <name> ..."`.
fn f32_values(dtype: Dtype, bytes: &[u8]) -> std::result::Result<Vec<f32>, String> {
    match dtype {
        Dtype::F32 => Ok(bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()),
        Dtype::F16 => Ok(bytes
            .chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect()),
        Dtype::BF16 => Ok(bytes
            .chunks_exact(2)
            .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect()),
        Dtype::F64 => bytes
            .chunks_exact(8)
            .enumerate()
            .map(|(k, b)| {
                let v = f64::from_le_bytes(b.try_into().expect("8 bytes"));
                let narrow = v as f32;
                if v.is_finite() && !narrow.is_finite() {
                    Err(format!(
                        "is F64 and its value {k} ({v:e}) is past the f32 range that \
                         synchgraph computes in"
                    ))
                } else {
                    Ok(narrow)
                }
            })
            .collect(),
        other => Err(format!(
            "is {other:?}, which holds no real numbers: only F32, F16, BF16 and F64 tensors \
             are read"
        )),
    }
}

/// The header text of safetensors `bytes` (where its length field fits the file and
/// [`MAX_HEADER_BYTES`], and it is UTF-8) and the length of the data after it.
fn header_text(bytes: &[u8]) -> Option<(&str, u64)> {
    let n = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    if n > MAX_HEADER_BYTES as u64 {
        return None;
    }
    let end = 8 + n as usize;
    let header = std::str::from_utf8(bytes.get(8..end)?).ok()?;
    Some((header, (bytes.len() - end) as u64))
}

/// Insert `"__metadata__": {sorted metadata}` at the front of the header of safetensors `bytes`
/// written without metadata, keeping the header padded to a multiple of 8 bytes. `None` when the
/// bytes do not hold such a header.
fn with_sorted_metadata(bytes: &[u8], metadata: &BTreeMap<String, String>) -> Option<Vec<u8>> {
    let n = usize::try_from(u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?)).ok()?;
    let header = std::str::from_utf8(bytes.get(8..8usize.checked_add(n)?)?).ok()?;
    let rest = header.trim_end_matches(' ').strip_prefix('{')?;
    // A BTreeMap serialises in key order whatever serde_json's features are.
    let meta = serde_json::to_string(metadata).ok()?;
    let sep = if rest.starts_with('}') { "" } else { "," };
    let mut head = format!("{{\"__metadata__\":{meta}{sep}{rest}").into_bytes();
    head.resize(head.len().next_multiple_of(8), b' ');
    let mut out = Vec::with_capacity(8 + head.len() + bytes.len() - 8 - n);
    out.extend_from_slice(&(head.len() as u64).to_le_bytes());
    out.extend_from_slice(&head);
    out.extend_from_slice(&bytes[8 + n..]);
    Some(out)
}

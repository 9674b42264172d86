//! Checkpoints in the safetensors format, with string metadata (class list, feature settings,
//! configuration). Saving writes a temporary file beside the target, syncs it and renames it
//! over the target, so a crash leaves either the old file or the new one, never half of one.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

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

/// Named tensors plus string metadata, saved and loaded as one safetensors file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checkpoint {
    /// Tensors by name.
    pub tensors: BTreeMap<String, HostTensor>,
    /// Free-form string metadata.
    pub metadata: BTreeMap<String, String>,
}

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

    /// Add a host tensor; the value count must match the shape.
    pub fn insert(&mut self, name: &str, shape: &[usize], data: Vec<f32>) -> Result<()> {
        let numel: usize = shape.iter().product();
        if numel != data.len() {
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
            .ok_or_else(|| Error::Checkpoint {
                path: "<checkpoint>".into(),
                message: format!("metadata key {key:?} is missing"),
            })
    }

    /// A tensor by name, with an error naming it when absent.
    pub fn get(&self, name: &str) -> Result<&HostTensor> {
        self.tensors.get(name).ok_or_else(|| Error::Checkpoint {
            path: "<checkpoint>".into(),
            message: format!("tensor {name:?} is missing"),
        })
    }

    /// Upload a named tensor, checking its shape.
    pub fn upload(&self, gpu: &Gpu, name: &str, shape: &[usize]) -> Result<Tensor> {
        let t = self.get(name)?;
        if t.shape != shape {
            return Err(Error::Checkpoint {
                path: "<checkpoint>".into(),
                message: format!(
                    "tensor {name:?} has shape {:?}, the model expects {shape:?}",
                    t.shape
                ),
            });
        }
        Tensor::from_f32(gpu, shape, &t.data)
    }

    /// Overwrite every parameter of a store with the checkpoint tensor of the same name and shape.
    pub fn load_params(&self, store: &mut ParamStore) -> Result<()> {
        let ids: Vec<_> = store.ids().collect();
        for id in ids {
            let name = store.name(id).to_string();
            let shape = store.value(id).shape().to_vec();
            let gpu = store.value(id).gpu().clone();
            let t = self.upload(&gpu, &name, &shape)?;
            store.set_value(id, t)?;
        }
        Ok(())
    }

    /// Serialise to safetensors bytes (all tensors as F32, little-endian). The bytes depend only
    /// on the contents: tensors come in name order and the metadata keys sorted, so the same
    /// checkpoint always gives the same file.
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
        with_sorted_metadata(&bytes, &self.metadata).ok_or_else(|| {
            ckpt_err(
                Path::new("<memory>"),
                "unexpected safetensors header layout",
            )
        })
    }

    /// Parse safetensors bytes; `path` only labels errors.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Checkpoint> {
        let st = SafeTensors::deserialize(bytes)
            .map_err(|e| ckpt_err(path, format!("not a valid safetensors file: {e}")))?;
        let (_, header) = SafeTensors::read_metadata(bytes)
            .map_err(|e| ckpt_err(path, format!("unreadable header: {e}")))?;
        let mut ck = Checkpoint::new();
        if let Some(meta) = header.metadata() {
            ck.metadata = meta.clone().into_iter().collect();
        }
        for (name, view) in st.tensors() {
            if view.dtype() != Dtype::F32 {
                return Err(ckpt_err(
                    path,
                    format!(
                        "tensor {name:?} is {:?}, only F32 is supported",
                        view.dtype()
                    ),
                ));
            }
            let data: Vec<f32> = view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            ck.insert(&name, view.shape(), data)?;
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

/// Write `bytes` to `path` through a synced temporary file and a rename, so readers never see a
/// partial file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Distinguishes the temporary files of concurrent writes from one process.
static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Stream a file to `path` atomically: `write` fills a buffered temporary file in the same
/// folder (`.<name>.<pid>.<n>.tmp`), which is synced and renamed over `path`. On any failure the
/// temporary file is removed and `path` is left as it was. After a successful write, the
/// temporary files of `path` left by processes that were killed mid-write are removed (on
/// Linux, where a process's liveness shows in `/proc`).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| ckpt_err(path, "the path names no file"))?
        .to_string_lossy()
        .to_string();
    let tmp = dir.join(format!(
        ".{file_name}.{}.{}.tmp",
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| -> std::io::Result<()> {
        let mut w = BufWriter::new(fs::File::create(&tmp)?);
        write(&mut w)?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Ok(d) = fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        remove_stale_temporaries(&dir, &file_name);
        Ok(())
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, e)
    })
}

/// Remove the `.<file_name>.<pid>.<n>.tmp` files in `dir` whose writing process is gone (it was
/// killed between creating and renaming them). Files of live processes (this one included),
/// which may be concurrent writers, are kept. Only on Linux; elsewhere nothing is removed. A
/// writer in another PID namespace (another container sharing the folder) looks gone, so two
/// containers should not write the same output file at the same time.
fn remove_stale_temporaries(dir: &Path, file_name: &str) {
    if !cfg!(target_os = "linux") {
        return;
    }
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{file_name}.");
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|r| r.strip_suffix(".tmp"))
        else {
            continue;
        };
        let Some((pid, n)) = rest.split_once('.') else {
            continue;
        };
        if !digits(n) || !digits(pid) {
            continue;
        }
        if !Path::new("/proc").join(pid).exists() {
            let _ = fs::remove_file(entry.path());
        }
    }
}

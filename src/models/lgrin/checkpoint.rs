//! Saving and loading a trained model as one safetensors file: every parameter and batch-norm
//! statistic by name, plus metadata (configuration, class list, feature settings, tensor names),
//! so evaluation and prediction need nothing else. Writing is atomic (temporary file + rename).

use std::collections::HashMap;
use std::path::Path;

use super::config::LgrinConfig;
use super::model::Lgrin;
use crate::data::emotion::DatasetFormat;
use crate::data::emotion_features::{FeatureSettings, STRIDE_SECONDS, WINDOW_SECONDS};
use crate::error::{Error, Result};
use crate::gpu::Gpu;
use crate::report::Checkpoint;

/// Metadata key naming the file kind.
pub const KIND: &str = "synchgraph-lgrin";

pub use crate::data::emotion_features::FEATURE_KINDS;

/// A restored model with what it needs to read new clips.
pub struct SavedModel {
    /// The model, in its trained state.
    pub model: Lgrin,
    /// Class names in label order.
    pub classes: Vec<String>,
    /// How clips become node features.
    pub features: FeatureSettings,
}

fn meta_err(path: &Path, m: impl Into<String>) -> Error {
    Error::Checkpoint {
        path: path.display().to_string(),
        message: m.into(),
    }
}

/// Save `model` with its class list and feature settings to `path` atomically. What
/// [`load_model`] would refuse (a configuration that [`LgrinConfig::validate`] refuses, a class
/// count other than the model's, a class named twice, an unknown feature kind, features of
/// another node count or width, or other speech windows than this build's, or a configuration
/// changed since the model was built in a setting that shaped its tensors, see
/// [`Lgrin::check_built`]) is an [`Error::Checkpoint`] and nothing is written, so a saved model
/// loads.
pub fn save_model(
    model: &mut Lgrin,
    classes: &[String],
    features: &FeatureSettings,
    path: &Path,
) -> Result<()> {
    model
        .config
        .validate()
        .map_err(|e| meta_err(path, e.to_string()))?;
    model
        .check_built()
        .map_err(|e| meta_err(path, e.to_string()))?;
    check_metadata(&model.config, classes, features).map_err(|m| meta_err(path, m))?;
    let mut ck = Checkpoint::new();
    let mut names = Vec::new();
    for (name, shape, data) in model.state()? {
        ck.insert(&name, &shape, data)?;
        names.push(name);
    }
    let json = |v: &dyn erased::Json| v.to_json();
    ck.set_meta("kind", KIND);
    ck.set_meta("config", json(&model.config));
    ck.set_meta("classes", json(&classes.to_vec()));
    ck.set_meta("features", json(features));
    ck.set_meta("tensor_names", json(&names));
    ck.save(path)
}

/// Load a model saved by [`save_model`]. A file that is not a safetensors checkpoint, lacks the
/// metadata, holds a metadata value of the wrong type, names a class twice or an unknown
/// feature kind, has feature settings that do not fit its configuration, a configuration that
/// [`LgrinConfig::validate`] refuses or that describes far more values than the file holds, or
/// tensors that do not fit that configuration is an [`Error::Checkpoint`] naming the file and
/// the metadata key, setting or tensor at fault. The model is built only after the metadata
/// and size checks.
pub fn load_model(gpu: &Gpu, path: &Path) -> Result<SavedModel> {
    let ck = Checkpoint::load(path)?;
    if let (None, Some(other)) = (ck.metadata.get("kind"), ck.metadata.get("model")) {
        return Err(meta_err(
            path,
            format!("holds a '{other}' model, not an L-GrIN model (from `train lgrin`)"),
        ));
    }
    let get = |k: &str| {
        ck.metadata.get(k).ok_or_else(|| {
            meta_err(
                path,
                format!("metadata '{k}' is missing (not an L-GrIN model?)"),
            )
        })
    };
    let kind = get("kind")?;
    if kind != KIND {
        return Err(meta_err(
            path,
            format!("holds a file of kind '{kind}', not an L-GrIN model (kind '{KIND}')"),
        ));
    }
    let parse_err = |k: &str, e: serde_json::Error| meta_err(path, format!("metadata '{k}': {e}"));
    let config: LgrinConfig = parse_object("config", get("config")?, &LgrinConfig::reference(1, 2))
        .map_err(|m| meta_err(path, m))?;
    let classes: Vec<String> =
        serde_json::from_str(get("classes")?).map_err(|e| parse_err("classes", e))?;
    let template = FeatureSettings::for_format(DatasetFormat::Features, 2);
    let features: FeatureSettings =
        parse_object("features", get("features")?, &template).map_err(|m| meta_err(path, m))?;
    check_metadata(&config, &classes, &features).map_err(|m| meta_err(path, m))?;
    if let Some(name) = ck
        .tensors
        .iter()
        .find(|(_, t)| t.data.iter().any(|v| !v.is_finite()))
        .map(|(n, _)| n)
    {
        return Err(meta_err(
            path,
            format!("tensor '{name}' holds a NaN or infinite value"),
        ));
    }
    // A negative running variance would make batch norm take the root of a negative number.
    if let Some(name) = ck
        .tensors
        .iter()
        .find(|(n, t)| n.ends_with(".running_var") && t.data.iter().any(|&v| v < 0.0))
        .map(|(n, _)| n)
    {
        return Err(meta_err(
            path,
            format!("tensor '{name}' holds a negative variance"),
        ));
    }
    // Building the model allocates what the configuration describes, so a configuration far
    // larger than the file (metadata of another model, or an absurd one) is refused by its count
    // before anything is allocated: at most twice the file's trainable values are built. Smaller
    // mismatches are named tensor by tensor below.
    let stored: usize = ck
        .tensors
        .iter()
        .filter(|(n, _)| !(n.ends_with(".running_mean") || n.ends_with(".running_var")))
        .map(|(_, t)| t.data.len())
        .sum();
    config
        .validate()
        .map_err(|e| meta_err(path, format!("metadata 'config': {e}")))?;
    // Every layer of a valid configuration holds at least 4 trainable values (a linear map of
    // width >= 1 with its bias, and a batch norm's weight and bias), so a layer count past half
    // the file's values is refused without counting layer by layer (10^9 layers took minutes).
    let described = if config.layers > stored / 2 {
        Some(format!("at least {}", config.layers.saturating_mul(4)))
    } else {
        match config.parameter_count() {
            Some(n) if n <= stored.saturating_mul(2) => None,
            Some(n) => Some(n.to_string()),
            None => Some("more than usize::MAX".to_string()),
        }
    };
    if let Some(described) = described {
        let c = &config;
        return Err(meta_err(
            path,
            format!(
                "the configuration (nodes {}, in_dims {}, classes {}, layers {}, g1 {}, g2 {}, \
                 hidden {}) describes {described} trainable values, more than twice the \
                 {stored} the file holds (metadata from another model?)",
                c.nodes, c.in_dims, c.classes, c.layers, c.g1, c.g2, c.hidden
            ),
        ));
    }
    let mut model = Lgrin::new(gpu, config).map_err(|e| meta_err(path, e.to_string()))?;
    // The file's tensors, its listed names and the model's state must be the same set: an
    // extra or missing tensor means the file is not what its metadata says.
    let listed: Vec<String> =
        serde_json::from_str(get("tensor_names")?).map_err(|e| parse_err("tensor_names", e))?;
    let stored: Vec<String> = ck.tensors.keys().cloned().collect();
    let wanted = model.state_names();
    for (what, names) in [("the file", &stored), ("its 'tensor_names'", &listed)] {
        if let Some(extra) = names.iter().find(|n| !wanted.contains(n)) {
            return Err(meta_err(
                path,
                format!("{what} names a tensor '{extra}' that the model does not have"),
            ));
        }
        if let Some(missing) = wanted.iter().find(|n| !names.contains(n)) {
            return Err(meta_err(
                path,
                format!("{what} lacks the model's tensor '{missing}'"),
            ));
        }
    }
    let map: HashMap<String, (Vec<usize>, Vec<f32>)> = ck
        .tensors
        .iter()
        .map(|(n, t)| (n.clone(), (t.shape.clone(), t.data.clone())))
        .collect();
    model
        .load_state(&map)
        .map_err(|e| meta_err(path, e.to_string()))?;
    Ok(SavedModel {
        model,
        classes,
        features,
    })
}

/// Why `classes` and `features` do not fit a model of `config` (what [`load_model`] refuses
/// and [`save_model`] does not write): a class count other than the model's, a class named
/// twice, an unknown feature kind, features of another node count or width than the model's,
/// or other speech windows than this build extracts.
fn check_metadata(
    config: &LgrinConfig,
    classes: &[String],
    features: &FeatureSettings,
) -> std::result::Result<(), String> {
    if classes.len() != config.classes {
        return Err(format!(
            "metadata 'classes': {} class names for a {}-class model (config classes)",
            classes.len(),
            config.classes
        ));
    }
    // Repeats are looked up by name: comparing every pair took minutes for a long list.
    let mut seen = HashMap::with_capacity(classes.len());
    for (i, c) in classes.iter().enumerate() {
        if let Some(j) = seen.insert(c.as_str(), i) {
            return Err(format!(
                "metadata 'classes': class '{c}' is named twice (entries {j} and {i})"
            ));
        }
    }
    if !FEATURE_KINDS.contains(&features.kind.as_str()) {
        return Err(format!(
            "metadata 'features': unknown feature kind '{}' (known: {})",
            features.kind,
            FEATURE_KINDS.join(", ")
        ));
    }
    if features.nodes != config.nodes || features.dims != config.in_dims {
        return Err(format!(
            "metadata 'features': the feature settings give {} nodes x {} features, the model \
             takes {} x {} (keys nodes and dims against config nodes and in_dims; metadata \
             from another model?)",
            features.nodes, features.dims, config.nodes, config.in_dims
        ));
    }
    if features.window_seconds != WINDOW_SECONDS || features.stride_seconds != STRIDE_SECONDS {
        return Err(format!(
            "metadata 'features': the feature settings give {} s windows every {} s (keys \
             window_seconds and stride_seconds); this build extracts {} s every {} s",
            features.window_seconds, features.stride_seconds, WINDOW_SECONDS, STRIDE_SECONDS
        ));
    }
    Ok(())
}

/// Parse metadata `key`'s JSON object `text` as a `T`. When it does not parse, the error names
/// the first key of the object whose value alone, put into `template` (a valid `T`), is refused
/// (serde's own words name the type but not the key), with that value; a missing key is named
/// by serde.
fn parse_object<T>(key: &str, text: &str, template: &T) -> std::result::Result<T, String>
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let whole = match serde_json::from_str(text) {
        Ok(v) => return Ok(v),
        Err(e) => format!("metadata '{key}': {e}"),
    };
    let (Ok(serde_json::Value::Object(given)), Ok(serde_json::Value::Object(base))) = (
        serde_json::from_str::<serde_json::Value>(text),
        serde_json::to_value(template),
    ) else {
        return Err(whole);
    };
    for (k, v) in &given {
        if !base.contains_key(k) {
            continue;
        }
        let mut one = base.clone();
        one.insert(k.clone(), v.clone());
        if let Err(e) = serde_json::from_value::<T>(serde_json::Value::Object(one)) {
            let mut shown = v.to_string();
            if shown.len() > 80 {
                let cut = (0..=80)
                    .rev()
                    .find(|&i| shown.is_char_boundary(i))
                    .unwrap_or(0);
                shown.truncate(cut);
                shown.push_str("...");
            }
            return Err(format!("metadata '{key}': key '{k}' = {shown}: {e}"));
        }
    }
    Err(whole)
}

mod erased {
    /// Serialise any value to JSON text (metadata values are strings).
    pub trait Json {
        fn to_json(&self) -> String;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

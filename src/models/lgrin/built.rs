//! What may change after a model is built: the guard against changed shape settings
//! ([`Lgrin::check_built`]) and a new weight decay ([`Lgrin::apply_weight_decay`]).

use super::config::LgrinConfig;
use super::model::Lgrin;
use crate::error::{Error, Result};

impl Lgrin {
    /// Refuse a [`Lgrin::config`] changed since the model was built in a setting that shaped
    /// its tensors (the model kind, `nodes`, `in_dims`, `classes`, `g1`, `g2`, `layers`,
    /// `hidden` and the ablation switches): [`Error::Config`] naming the first. Such a model
    /// would read its tensors as the new shape (a class count changed after building gave
    /// probabilities of the wrong classes) or save a checkpoint that does not load. The
    /// training settings may change; see [`Lgrin::apply_weight_decay`].
    pub fn check_built(&self) -> Result<()> {
        let (now, was) = (&self.config, &self.built);
        let shape = |c: &LgrinConfig| {
            (
                c.model,
                c.nodes,
                c.in_dims,
                c.classes,
                c.g1,
                c.g2,
                c.layers,
                c.hidden,
                c.gconv_mlp,
                c.inception,
                c.learned_a,
                c.learned_p,
            )
        };
        if shape(now) == shape(was) {
            return Ok(());
        }
        let fields = [
            (
                "model",
                format!("{:?}", now.model),
                format!("{:?}", was.model),
            ),
            ("nodes", now.nodes.to_string(), was.nodes.to_string()),
            ("in_dims", now.in_dims.to_string(), was.in_dims.to_string()),
            ("classes", now.classes.to_string(), was.classes.to_string()),
            ("g1", now.g1.to_string(), was.g1.to_string()),
            ("g2", now.g2.to_string(), was.g2.to_string()),
            ("layers", now.layers.to_string(), was.layers.to_string()),
            ("hidden", now.hidden.to_string(), was.hidden.to_string()),
            (
                "gconv_mlp",
                now.gconv_mlp.to_string(),
                was.gconv_mlp.to_string(),
            ),
            (
                "inception",
                now.inception.to_string(),
                was.inception.to_string(),
            ),
            (
                "learned_a",
                now.learned_a.to_string(),
                was.learned_a.to_string(),
            ),
            (
                "learned_p",
                now.learned_p.to_string(),
                was.learned_p.to_string(),
            ),
        ];
        match fields.iter().find(|(_, n, w)| n != w) {
            None => Ok(()),
            Some((name, n, w)) => Err(Error::Config(format!(
                "{name} is {n}, but the model was built with {w}: the settings that shape its \
                 tensors cannot change after building (build a new model)"
            ))),
        }
    }

    /// Give the linear maps' weights and biases the L2 weight decay of [`Lgrin::config`]
    /// (`weight_decay`, which may have changed since the model was built; the store carries
    /// the decay per parameter). Values are kept; the gradients are forgotten when the decay
    /// changes.
    pub fn apply_weight_decay(&mut self) {
        let wd = self.config.weight_decay;
        if wd.to_bits() == self.built.weight_decay.to_bits() {
            return;
        }
        let old = std::mem::take(&mut self.store);
        for (id, &decayed) in old.ids().zip(&self.decayed) {
            let added = self.store.add(
                old.name(id),
                old.value(id).clone(),
                if decayed { wd } else { 0.0 },
            );
            debug_assert_eq!(added, id);
        }
        self.built.weight_decay = wd;
    }
}

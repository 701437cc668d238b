//! The lesson models `origin`, `line`, `plane`, listed once: formula, the
//! synthetic model and true θ the built-in rows were drawn from, how they
//! were drawn, and the built-in file. Formulas (`Formula::preset`), synth
//! (`SynthModel::from_name`), the built-in data, the lessons and the CLI all
//! read this list.

use super::SynthModel;

/// One lesson model and its built-in data.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    /// The model, as the derivation writes it.
    pub description: &'static str,
    /// Its formula (parsed by `Formula::preset`).
    pub formula: &'static str,
    /// The model the built-in rows were drawn from.
    pub synth: SynthModel,
    /// θ the rows were drawn with, θ0 first when there is an intercept.
    pub truth: &'static [f64],
    /// The draw: `synth(synth, rows, noise, seed)`, each cell rounded to
    /// three decimals (`format!("{:.3}", v)`).
    pub rows: usize,
    pub noise: f64,
    pub seed: u64,
    /// The built-in file's text (`builtin:NAME.csv`).
    pub csv: &'static str,
}

/// The three lesson models, in teaching order.
pub const PRESETS: [Preset; 3] = [
    Preset {
        name: "origin",
        description: "y = θ·x",
        formula: "y ~ x - 1",
        synth: SynthModel::Origin,
        truth: &[2.0],
        rows: 10,
        noise: 0.2,
        seed: 1,
        csv: include_str!("builtin/origin.csv"),
    },
    Preset {
        name: "line",
        description: "y = θ1·x + θ0",
        formula: "y ~ x",
        synth: SynthModel::Line,
        truth: &[1.0, 2.0],
        rows: 12,
        noise: 0.3,
        seed: 2,
        csv: include_str!("builtin/line.csv"),
    },
    Preset {
        name: "plane",
        description: "y = θ2·x2 + θ1·x1 + θ0",
        formula: "y ~ x1 + x2",
        synth: SynthModel::Plane,
        truth: &[1.0, 2.0, -3.0],
        rows: 16,
        noise: 0.3,
        seed: 3,
        csv: include_str!("builtin/plane.csv"),
    },
];

/// The preset called `name`.
pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// `origin`, `line`, `plane`.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|p| p.name).collect()
}

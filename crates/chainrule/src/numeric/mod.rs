//! Numerics the rest of the library shares, with no knowledge of
//! regression: double-double sums and powers, the log relative error,
//! Householder QR with dropped columns, singular values, orthogonal
//! polynomials, the normal, t and F distributions, JSON for numbers that
//! may not be finite. Imports nothing from the crate.

pub mod double_double;
pub mod json;
mod lre;
pub mod orthopoly;
pub mod qr;
pub mod special;
pub mod svd;

pub use double_double::{power, Dd};
pub use lre::{lre, lre_certified};
pub use orthopoly::OrthoPoly;
pub use qr::Qr;

//! Beyond one machine: the training loop's sums as aggregate queries of
//! another engine. Everything rests on the two mergeable values of a pass —
//! the kernel's `GradStats` (count, ΣL, Σ∂L/∂θ at one θ) and `QrStats`
//! (the R factor of [A | y], `solve`): a DataFusion partition (and, across
//! machines, a Ballista executor) reduces its rows to one of them and the
//! results merge, so a query is a statistics backend of `crate::train`'s
//! one loop.
//!
//! - `datafusion` (feature `distributed`): `chainrule_grad` and
//!   `chainrule_qr` aggregate functions and the epoch-per-query driver.
//! - `cluster` (feature `distributed`): Ballista's scheduler and executor
//!   with those functions registered, and the client on such a cluster.
//! - `sums` (feature `distributed`): the same passes as built-in SQL sums,
//!   for a cluster whose nodes lack the functions.

#[cfg(feature = "distributed")]
pub mod cluster;
#[cfg(feature = "distributed")]
pub mod datafusion;
#[cfg(feature = "distributed")]
pub mod sums;

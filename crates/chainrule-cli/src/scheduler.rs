//! `chainrule scheduler` (feature `distributed`): a Ballista scheduler
//! with chainrule's aggregate functions registered, in this process.

use anyhow::Result;
use chainrule::scale::cluster::{serve_scheduler, SchedulerSettings};
use std::net::SocketAddr;
use std::time::Duration;

/// Start a Ballista scheduler that knows chainrule's statistics: it plans
/// each query of `train|fit --cluster` and hands its tasks to the
/// executors (`chainrule executor`). Runs until Ctrl-C.
///
/// Example: chainrule scheduler --bind 0.0.0.0:50050
#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on; clients (`--cluster df://HOST:PORT`) and
    /// executors (`--scheduler HOST:PORT`) connect here. 0.0.0.0 listens on
    /// every network interface
    #[arg(long, default_value = "127.0.0.1:50050", value_name = "HOST:PORT")]
    pub bind: SocketAddr,
    /// Seconds without a heartbeat after which an executor counts as lost
    /// and its tasks run again on the others
    #[arg(long, default_value_t = 20, value_name = "SECS")]
    pub executor_timeout: u64,
    /// Act as a stock Ballista scheduler, without chainrule's functions
    /// (tests the fallback to built-in sums)
    #[arg(long, hide = true)]
    pub stock: bool,
}

pub fn run(args: Args) -> Result<()> {
    super::node_log::install();
    let settings = SchedulerSettings {
        bind: args.bind,
        executor_timeout: Duration::from_secs(args.executor_timeout),
        functions: !args.stock,
    };
    serve_scheduler(&settings, |bound| {
        eprintln!("scheduler listening on {bound}: start executors with `chainrule executor --scheduler {bound}`, then train with `--cluster df://{bound}`; Ctrl-C stops it");
    })?;
    eprintln!("scheduler stopped");
    Ok(())
}

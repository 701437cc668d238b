//! `chainrule executor` (feature `distributed`): a Ballista executor with
//! chainrule's aggregate functions registered, in this process.

use super::common::usage;
use anyhow::Result;
use chainrule::scale::cluster::{serve_executor, ExecutorSettings};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Start a Ballista executor that knows chainrule's statistics: it reads
/// its share of the Parquet files and reduces them to partial sums, which
/// travel to the scheduler's final merge. Runs until Ctrl-C.
///
/// Example: chainrule executor --scheduler 10.0.0.1:50050 --bind 0.0.0.0:50051 --advertise 10.0.0.2
#[derive(clap::Args)]
pub struct Args {
    /// The scheduler's address (`chainrule scheduler --bind`)
    #[arg(long, value_name = "HOST:PORT")]
    pub scheduler: String,
    /// Address of this executor's data service (partial results and
    /// shuffles); its task service listens on the next port up
    /// (--grpc-port). 0.0.0.0 listens on every network interface
    #[arg(long, default_value = "127.0.0.1:50051", value_name = "HOST:PORT")]
    pub bind: SocketAddr,
    /// Port of the task service, where the scheduler sends tasks [default:
    /// --bind's port + 1]
    #[arg(long, value_name = "PORT")]
    pub grpc_port: Option<u16>,
    /// The name or address others reach this executor by, needed with
    /// --bind 0.0.0.0 on a cluster of several machines
    #[arg(long, value_name = "HOST")]
    pub advertise: Option<String>,
    /// Tasks run at once [default: one per core]
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,
    /// Directory for shuffle files [default: a temporary directory]
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Act as a stock Ballista executor, without chainrule's functions
    /// (tests the fallback to built-in sums)
    #[arg(long, hide = true)]
    pub stock: bool,
}

pub fn run(args: Args) -> Result<()> {
    super::node_log::install();
    let scheduler = match args.scheduler.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() => match port.parse::<u16>() {
            Ok(port) => (host.to_string(), port),
            Err(_) => return Err(bad_scheduler(&args.scheduler)),
        },
        _ => return Err(bad_scheduler(&args.scheduler)),
    };
    if args.concurrency == Some(0) {
        return Err(usage("--concurrency must be at least 1"));
    }
    let grpc_port = match args.grpc_port {
        Some(p) => p,
        None => args.bind.port().checked_add(1).ok_or_else(|| {
            usage("--bind: no port above 65535 for the task service; give --grpc-port")
        })?,
    };
    let settings = ExecutorSettings {
        scheduler,
        bind: args.bind,
        grpc_port,
        advertise: args.advertise,
        concurrency: args.concurrency.unwrap_or(0),
        work_dir: args.work_dir,
        functions: !args.stock,
    };
    eprintln!(
        "executor on {} (tasks on port {grpc_port}), registering with the scheduler at {}; Ctrl-C stops it",
        args.bind, args.scheduler
    );
    serve_executor(&settings)?;
    eprintln!("executor stopped");
    Ok(())
}

fn bad_scheduler(text: &str) -> anyhow::Error {
    usage(format!(
        "--scheduler {text}: expected HOST:PORT (e.g. 127.0.0.1:50050)"
    ))
}

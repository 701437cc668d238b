//! Ballista (feature `distributed`): the training loop's passes on a
//! cluster — a scheduler that plans each aggregate query and executors
//! that run its partitions — and the client session that submits them.
//!
//! Ballista sends a user-defined aggregate by name only, so the code of
//! `chainrule_grad` and `chainrule_qr` must be linked into every node:
//! [`serve_scheduler`] and [`serve_executor`] run Ballista's own scheduler
//! and executor in this process with the functions registered (the
//! scheduler's session builder, the executor's function registry), and
//! [`Engine::remote`] registers them on the client. Against stock nodes
//! the queries fall back to built-in sums (`scale::sums`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ballista::prelude::SessionContextExt;
use ballista_core::config::TaskSchedulingPolicy;
use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::utils::default_session_builder;
use ballista_executor::executor_process::{start_executor_process, ExecutorProcessConfig};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::{create_scheduler, start_grpc_service_with_listener};
use datafusion::execution::FunctionRegistry;
use datafusion::prelude::SessionContext;
use datafusion_proto::protobuf::{LogicalPlanNode, PhysicalPlanNode};

use super::datafusion::{runtime, Engine, StatsUdaf};
use crate::source::SourceError;

/// How often an executor tells the scheduler it is alive. The scheduler
/// declares an executor lost after `executor_timeout` without one, so this
/// must be well below it.
const HEARTBEAT: Duration = Duration::from_secs(2);

fn ballista_error(what: &str, e: impl std::fmt::Display) -> SourceError {
    SourceError::Engine(format!("{what}: {e}"))
}

/// The async runtime of a node: Ballista's binaries give its threads
/// 32 MiB stacks, for deep plans.
fn node_runtime() -> Result<tokio::runtime::Runtime, SourceError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 << 20)
        .build()
        .map_err(|e| ballista_error("cannot start the async runtime", e))
}

/// A scheduler's settings.
#[derive(Debug, Clone)]
pub struct SchedulerSettings {
    /// Where clients and executors reach it.
    pub bind: SocketAddr,
    /// An executor silent this long is lost: its tasks run again elsewhere.
    pub executor_timeout: Duration,
    /// Register chainrule's functions (false: a stock scheduler, to test
    /// the fallback to built-in sums).
    pub functions: bool,
}

/// Runs a scheduler until Ctrl-C or SIGTERM; `ready` is called with the
/// bound address once it listens.
pub fn serve_scheduler(
    settings: &SchedulerSettings,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), SourceError> {
    let timeout = settings.executor_timeout.as_secs().max(1);
    let mut config = SchedulerConfig::default()
        .with_hostname(settings.bind.ip().to_string())
        .with_port(settings.bind.port())
        .with_scheduler_policy(TaskSchedulingPolicy::PushStaged)
        .with_no_executors_grace_period_seconds(timeout);
    config.bind_host = settings.bind.ip().to_string();
    config.executor_timeout_seconds = timeout;
    config.expire_dead_executor_interval_seconds = HEARTBEAT.as_secs();
    if settings.functions {
        config = config.with_override_session_builder(Arc::new(|session_config| {
            let mut state = default_session_builder(session_config)?;
            for f in StatsUdaf::all() {
                state.register_udaf(Arc::new(f))?;
            }
            Ok(state)
        }));
    }
    let config = Arc::new(config);
    node_runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(settings.bind)
            .await
            .map_err(|e| ballista_error(&format!("cannot listen on {}", settings.bind), e))?;
        let bound = listener
            .local_addr()
            .map_err(|e| ballista_error("the scheduler's address", e))?;
        let cluster = BallistaCluster::new_from_config(&config)
            .await
            .map_err(|e| ballista_error("cannot set up the scheduler", e))?;
        let scheduler = create_scheduler::<LogicalPlanNode, PhysicalPlanNode>(cluster, config)
            .await
            .map_err(|e| ballista_error("cannot start the scheduler", e))?;
        ready(bound);
        tokio::select! {
            served = start_grpc_service_with_listener(listener, scheduler) => {
                served.map_err(|e| ballista_error("the scheduler stopped", e))
            }
            () = stop_signal() => Ok(()),
        }
    })
}

/// Ctrl-C, or SIGTERM where there is one.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// An executor's settings.
#[derive(Debug, Clone)]
pub struct ExecutorSettings {
    /// The scheduler's host and port.
    pub scheduler: (String, u16),
    /// Where its Arrow Flight service (results and shuffles) listens.
    pub bind: SocketAddr,
    /// The port of its task service (the scheduler pushes tasks there).
    pub grpc_port: u16,
    /// The host name others use to reach it [default: the bind address].
    pub advertise: Option<String>,
    /// Tasks at once [0: one per core].
    pub concurrency: usize,
    /// Where it keeps shuffle files [default: a temporary directory].
    pub work_dir: Option<PathBuf>,
    /// Register chainrule's functions (false: a stock executor).
    pub functions: bool,
}

/// Runs an executor until Ctrl-C, SIGTERM or the scheduler's stop.
pub fn serve_executor(settings: &ExecutorSettings) -> Result<(), SourceError> {
    let registry = settings.functions.then(|| {
        let mut registry = BallistaFunctionRegistry::default();
        for f in StatsUdaf::all() {
            registry
                .aggregate_functions
                .insert(f.name().to_string(), Arc::new(f));
        }
        Arc::new(registry)
    });
    let config = ExecutorProcessConfig {
        bind_host: settings.bind.ip().to_string(),
        external_host: settings.advertise.clone(),
        port: settings.bind.port(),
        grpc_port: settings.grpc_port,
        scheduler_host: settings.scheduler.0.clone(),
        scheduler_port: settings.scheduler.1,
        // Waits this long for a scheduler that is still starting.
        scheduler_connect_timeout_seconds: 30,
        vcores: settings.concurrency,
        task_scheduling_policy: TaskSchedulingPolicy::PushStaged,
        work_dir: settings.work_dir.as_ref().map(|p| p.display().to_string()),
        executor_heartbeat_interval_seconds: HEARTBEAT.as_secs(),
        override_function_registry: registry,
        ..ExecutorProcessConfig::default()
    };
    node_runtime()?
        .block_on(start_executor_process(Arc::new(config)))
        .map_err(|e| ballista_error("the executor stopped", e))
}

/// A scheduler's address as `--cluster` takes it: `df://HOST:PORT`.
pub fn check_url(url: &str) -> Result<(), String> {
    let address = url
        .strip_prefix("df://")
        .ok_or_else(|| format!("{url}: expected df://HOST:PORT, the scheduler's address"))?;
    match address.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => Ok(()),
        _ => Err(format!(
            "{url}: expected df://HOST:PORT (e.g. df://127.0.0.1:50050)"
        )),
    }
}

impl Engine {
    /// A client of the Ballista scheduler at `url` (`df://HOST:PORT`),
    /// with chainrule's functions registered; a query unanswered after
    /// `query_timeout` is an error.
    pub fn remote(url: &str, query_timeout: Duration) -> Result<Engine, SourceError> {
        check_url(url).map_err(|e| SourceError::Engine(format!("--cluster {e}")))?;
        let runtime = runtime()?;
        let ctx = runtime
            .block_on(SessionContext::remote(url))
            .map_err(|e| ballista_error(&format!("--cluster {url}"), e))?;
        let mut engine = Engine::with_context(runtime, ctx, &format!("the cluster at {url}"));
        engine.query_timeout = Some(query_timeout);
        Ok(engine)
    }
}

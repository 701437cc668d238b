//! Progress on stderr and the Ctrl-C check: the one observer `train`, `fit`
//! and `convert` hand to the library.
//!
//! While a file is read whole: its name, size and the time so far. During
//! a pass: the rows done (in memory, counted step by step, so a mini-batch
//! epoch moves within itself) or the bytes read (streamed, chunk by chunk),
//! with the rate. On a terminal only: indicatif's ticker redraws 10 times
//! a second, so the clock moves from the first second even while one long
//! library call runs; when stderr is not a terminal nothing is drawn and
//! no ticker runs. What is counted is [`Meter`], apart from the drawing,
//! so the tests below check it.

use super::interrupt;
use chainrule::source::PassObserver;
use chainrule::train::Observer;
use indicatif::{HumanBytes, ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Duration;

/// The redraw period: 10 times a second.
const TICK: Duration = Duration::from_millis(100);

/// Steps between two position updates of the bar (a step of 64 rows takes
/// a few µs; the ticker draws whatever the position is).
const STEPS_PER_UPDATE: u64 = 256;

/// What the bar measures a pass in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Rows,
    Bytes,
}

/// The counts behind the bar: which pass, how far into it.
#[derive(Debug, Default)]
pub struct Meter {
    what: String,
    epochs: usize,
    /// Epochs finished.
    epoch: usize,
    /// Rows per step when the rows are in memory (else 0: chunks count).
    batch: u64,
    total_rows: Option<u64>,
    total_bytes: Option<u64>,
    /// Rows of this pass counted by steps, and by chunks.
    stepped: u64,
    chunked: u64,
    bytes: u64,
    last_j: Option<f64>,
}

impl Meter {
    pub fn new(epochs: usize) -> Self {
        Meter {
            epochs,
            ..Meter::default()
        }
    }

    pub fn on_pass(&mut self, what: &str) {
        self.what = what.into();
        self.stepped = 0;
        self.chunked = 0;
        self.bytes = 0;
    }

    pub fn on_chunk(&mut self, rows: usize, bytes: u64) {
        self.chunked += rows as u64;
        self.bytes = bytes;
    }

    pub fn on_step(&mut self) {
        self.stepped += self.batch;
    }

    pub fn on_epoch(&mut self, epoch: usize, j: f64) {
        self.epoch = epoch;
        self.last_j = Some(j);
    }

    /// Rows of this pass so far: steps and chunks count the same rows, and
    /// in memory the one chunk arrives only after its last step.
    pub fn rows(&self) -> u64 {
        let rows = self.stepped.max(self.chunked);
        self.total_rows.map_or(rows, |n| rows.min(n))
    }

    /// The unit, position and length of the bar.
    pub fn position(&self) -> (Unit, u64, u64) {
        match (self.total_rows, self.total_bytes) {
            (Some(n), _) => (Unit::Rows, self.rows(), n),
            (None, Some(b)) => (Unit::Bytes, self.bytes.min(b), b),
            (None, None) => (Unit::Rows, self.rows(), 0),
        }
    }

    /// "epoch 3/20, J 1.234e-2" (J after the epoch before), or the pass's
    /// name.
    pub fn label(&self) -> String {
        if self.what == "read" {
            return "reading".into();
        }
        if self.what != "epoch" {
            return format!("{} pass", self.what);
        }
        let now = format!("epoch {}/{}", self.epoch + 1, self.epochs);
        match self.last_j {
            Some(j) => format!("{now}, J {j:.3e}"),
            None => now,
        }
    }
}

pub struct Progress {
    bar: ProgressBar,
    meter: Meter,
    unit: Option<Unit>,
    steps: u64,
    /// Whether stderr is a terminal: the only place anything is drawn.
    drawn: bool,
    /// Whether the ticker runs (from the first thing to show).
    ticking: bool,
}

impl Progress {
    pub fn new(epochs: usize) -> Self {
        let drawn = std::io::stderr().is_terminal();
        Progress {
            bar: new_bar(drawn),
            meter: Meter::new(epochs),
            unit: None,
            steps: 0,
            drawn,
            ticking: false,
        }
    }

    /// A file about to be read whole: its name and size, and the clock.
    pub fn reading(&mut self, paths: &[impl AsRef<Path>]) {
        let Some(first) = paths.first().map(AsRef::as_ref) else {
            return;
        };
        let size: u64 = paths
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        self.bar.set_style(
            ProgressStyle::with_template("{spinner} reading {msg} {elapsed}")
                .expect("the template is valid"),
        );
        self.bar
            .set_message(format!("{} ({})", first.display(), HumanBytes(size)));
        // The library reports the bytes it has read (a "read" pass), so the
        // bar fills against the file's size.
        self.meter.total_bytes = (size > 0).then_some(size);
        self.tick();
    }

    /// Starts the ticker (on a terminal), once there is something to show.
    fn tick(&mut self) {
        if self.drawn && !self.ticking {
            self.bar.enable_steady_tick(TICK);
            self.ticking = true;
        }
    }

    /// Bytes of input in one pass (streamed runs draw bytes).
    pub fn set_total(&mut self, bytes: Option<u64>) {
        self.meter.total_bytes = bytes;
    }

    /// Rows in memory, `batch` of them per step (the bar counts rows).
    pub fn set_rows(&mut self, rows: usize, batch: usize) {
        self.meter.total_rows = Some(rows as u64);
        self.meter.batch = batch as u64;
    }

    /// Takes the bar off the screen; a later pass draws a fresh one.
    pub fn clear(&mut self) {
        self.bar.finish_and_clear();
        self.bar = new_bar(self.drawn);
        self.unit = None;
        self.ticking = false;
    }

    fn draw(&mut self) {
        let (unit, pos, len) = self.meter.position();
        if self.unit != Some(unit) {
            let template = match unit {
                Unit::Rows => "{msg} {bar:24} {human_pos}/{human_len} rows{prefix} {elapsed}",
                Unit::Bytes => "{msg} {bar:24} {bytes}/{total_bytes}, {bytes_per_sec} {elapsed}",
            };
            self.bar
                .set_style(ProgressStyle::with_template(template).expect("the template is valid"));
            self.unit = Some(unit);
        }
        self.bar.set_message(self.meter.label());
        self.bar.set_length(len);
        self.bar.set_position(pos);
        let seconds = self.bar.elapsed().as_secs_f64();
        if unit == Unit::Rows && seconds > 0.0 {
            let rate = self.meter.rows() as f64 / seconds;
            self.bar.set_prefix(format!(", {:.2} M rows/s", rate / 1e6));
        }
        self.tick();
    }
}

fn new_bar(drawn: bool) -> ProgressBar {
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("the template is valid"),
    );
    if !drawn {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

impl PassObserver for Progress {
    fn on_pass(&mut self, what: &str) {
        self.meter.on_pass(what);
        self.bar.reset_elapsed();
        self.draw();
    }

    fn on_chunk(&mut self, rows: usize, bytes: u64) {
        self.meter.on_chunk(rows, bytes);
        self.draw();
    }

    fn stop_requested(&self) -> bool {
        interrupt::requested()
    }
}

impl Observer for Progress {
    fn on_step(&mut self, _step: usize) -> ControlFlow<()> {
        self.meter.on_step();
        self.steps += 1;
        if self.drawn && self.steps.is_multiple_of(STEPS_PER_UPDATE) {
            self.draw();
        }
        if interrupt::requested() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn on_epoch(&mut self, epoch: usize, j: f64) -> ControlFlow<()> {
        self.meter.on_epoch(epoch, j);
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 1000 rows in memory, 64 per step: ⌈1000/64⌉ = 16 steps an epoch,
    /// the last of 1000 − 15·64 = 40 rows.
    #[test]
    fn an_epoch_in_memory_moves_step_by_step() {
        let mut m = Meter::new(20);
        m.total_rows = Some(1000);
        m.batch = 64;
        m.on_pass("epoch");
        for _ in 0..3 {
            m.on_step();
        }
        // 3 steps × 64 rows.
        assert_eq!(m.position(), (Unit::Rows, 192, 1000));
        for _ in 3..16 {
            m.on_step();
        }
        // 16 × 64 = 1024 counted, but the pass has 1000 rows.
        assert_eq!(m.position(), (Unit::Rows, 1000, 1000));
        // The one chunk arrives after its last step: still 1000, not 2000.
        m.on_chunk(1000, 0);
        assert_eq!(m.rows(), 1000);
        assert_eq!(m.label(), "epoch 1/20");
        m.on_epoch(1, 0.5);
        m.on_pass("epoch");
        assert_eq!(m.rows(), 0);
        // J after epoch 1, printed with 3 decimals in scientific notation.
        assert_eq!(m.label(), "epoch 2/20, J 5.000e-1");
    }

    /// Streamed: chunks of 4096 rows, the bytes consumed so far of a 10⁶
    /// byte file (made-up sizes; only their bookkeeping is checked).
    #[test]
    fn a_streamed_pass_counts_bytes() {
        let mut m = Meter::new(3);
        m.total_bytes = Some(1_000_000);
        m.on_pass("scan");
        m.on_chunk(4096, 250_000);
        m.on_chunk(4096, 500_000);
        assert_eq!(m.position(), (Unit::Bytes, 500_000, 1_000_000));
        assert_eq!(m.rows(), 8192);
        assert_eq!(m.label(), "scan pass");
        // A new pass starts from nothing.
        m.on_pass("metrics");
        assert_eq!(m.position(), (Unit::Bytes, 0, 1_000_000));
    }

    /// Streamed mini-batches: steps count rows inside a chunk, the chunk's
    /// own count catches up at its end; neither counts a row twice.
    #[test]
    fn streamed_steps_and_chunks_count_the_same_rows() {
        let mut m = Meter::new(1);
        m.batch = 100;
        m.on_pass("epoch");
        m.on_step();
        m.on_step();
        assert_eq!(m.rows(), 200);
        // A chunk of 250 rows: 2 steps dealt, 50 carried to the next.
        m.on_chunk(250, 1);
        assert_eq!(m.rows(), 250);
        m.on_step();
        assert_eq!(m.rows(), 300);
    }
}

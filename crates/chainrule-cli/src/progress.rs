//! Progress on stderr (indicatif draws nothing when stderr is not a
//! terminal) and the Ctrl-C check: the one observer `train`, `fit` and
//! `convert` hand to the library.

use super::interrupt;
use chainrule::source::PassObserver;
use chainrule::train::Observer;
use indicatif::{ProgressBar, ProgressStyle};
use std::ops::ControlFlow;
use std::time::Instant;

pub struct Progress {
    bar: ProgressBar,
    what: String,
    epochs: usize,
    epoch: usize,
    rows: u64,
    started: Instant,
}

impl Progress {
    pub fn new(epochs: usize) -> Self {
        let bar = ProgressBar::new(0).with_style(
            ProgressStyle::with_template("{msg} {bar:24} {bytes}/{total_bytes} ({elapsed})")
                .expect("the template is valid"),
        );
        Progress {
            bar,
            what: String::new(),
            epochs,
            epoch: 0,
            rows: 0,
            started: Instant::now(),
        }
    }

    /// Bytes of input in one pass (for the bar's length).
    pub fn set_total(&mut self, bytes: Option<u64>) {
        self.bar.set_length(bytes.unwrap_or(0));
    }

    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

impl PassObserver for Progress {
    fn on_pass(&mut self, what: &str) {
        self.what = what.into();
        self.rows = 0;
        self.started = Instant::now();
        self.bar.set_position(0);
    }

    fn on_chunk(&mut self, rows: usize, bytes: u64) {
        self.rows += rows as u64;
        self.bar.set_position(bytes);
        let rate = self.rows as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        let what = if self.what == "epoch" {
            format!("epoch {}/{}", self.epoch + 1, self.epochs)
        } else {
            self.what.clone()
        };
        self.bar.set_message(format!(
            "{what} {} rows {:.2} M rows/s",
            self.rows,
            rate / 1e6
        ));
    }
}

impl Observer for Progress {
    fn on_step(&mut self, _step: usize) -> ControlFlow<()> {
        if interrupt::requested() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn on_epoch(&mut self, epoch: usize, j: f64) -> ControlFlow<()> {
        self.epoch = epoch;
        if epoch.is_multiple_of(64) || epoch == self.epochs {
            self.bar
                .set_message(format!("epoch {epoch}/{} J = {j:.6e}", self.epochs));
        }
        ControlFlow::Continue(())
    }
}

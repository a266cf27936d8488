//! A one-line progress display on standard error, only when it is a terminal: a pipe or a log
//! file gets nothing. Redrawn at most ten times a second.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct ProgressLine {
    enabled: bool,
    label: &'static str,
    started: Instant,
    last: Option<Instant>,
    drawn: bool,
}

fn megabytes(b: u64) -> String {
    format!("{:.1} MB", b as f64 / 1e6)
}

impl ProgressLine {
    pub fn on_stderr(label: &'static str) -> Self {
        Self {
            enabled: std::io::stderr().is_terminal(),
            label,
            started: Instant::now(),
            last: None,
            drawn: false,
        }
    }

    fn due(&mut self, last: bool) -> bool {
        if !self.enabled {
            return false;
        }
        let now = Instant::now();
        if !last && self.last.is_some_and(|t| now - t < Duration::from_millis(100)) {
            return false;
        }
        self.last = Some(now);
        true
    }

    fn eta(&self, done: u64, total: u64) -> String {
        let secs = self.started.elapsed().as_secs_f64();
        if done == 0 || secs < 0.2 {
            return String::new();
        }
        let left = (total.saturating_sub(done)) as f64 * secs / done as f64;
        format!(", ETA {} s", left.ceil() as u64)
    }

    fn draw(&mut self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{}: {text}", self.label);
        let _ = err.flush();
        self.drawn = true;
    }

    pub fn bytes(&mut self, done: u64, total: Option<u64>) {
        if !self.due(total == Some(done)) {
            return;
        }
        let rate = done as f64 / self.started.elapsed().as_secs_f64().max(0.001);
        let text = match total {
            Some(t) if t > 0 => format!(
                "{} of {} ({}%), {}/s{}",
                megabytes(done),
                megabytes(t),
                done * 100 / t,
                megabytes(rate as u64),
                self.eta(done, t)
            ),
            _ => format!("{}, {}/s", megabytes(done), megabytes(rate as u64)),
        };
        self.draw(&text);
    }

    pub fn rows(&mut self, done: u64, total: u64) {
        if !self.due(done == total) {
            return;
        }
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        let text = format!("{done} of {total} rows ({pct}%){}", self.eta(done, total));
        self.draw(&text);
    }

    /// Ends the line so what follows starts on a fresh one.
    pub fn finish(&mut self) {
        if self.drawn {
            let _ = writeln!(std::io::stderr());
            self.drawn = false;
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.finish();
    }
}

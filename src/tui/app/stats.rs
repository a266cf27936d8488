//! The stats screen (`s`): how the shown app's reviews and answers are going, counted from the
//! cache by the db thread (`DbCommand::ComputeStats`), never on the UI thread. The screen keeps
//! the last answer while a new window is counted, and drops answers to requests it no longer
//! waits for, like every other answer.

use super::{App, Command, DbCommand, Mode};
use crate::keymap::KeyAction;
use crate::stats::{Stats, WINDOWS};

/// The screen's state: which window, the request it waits for, and what it shows.
#[derive(Debug)]
pub struct StatsView {
    pub days: u32,
    /// The `ComputeStats` whose answer counts; `None` once it came.
    pub waiting: Option<u64>,
    /// The last answer: the stats, or why they could not be counted.
    pub shown: Option<Result<Box<Stats>, String>>,
}

impl Default for StatsView {
    fn default() -> StatsView {
        StatsView {
            days: 90,
            waiting: None,
            shown: None,
        }
    }
}

impl App {
    pub(super) fn open_stats(&mut self) -> Vec<Command> {
        self.screen.mode = Mode::Stats;
        self.count_stats()
    }

    fn count_stats(&mut self) -> Vec<Command> {
        let request = self.request_id();
        self.stats.waiting = Some(request);
        vec![Command::Db(DbCommand::ComputeStats {
            request,
            app: self.app_id().to_owned(),
            days: self.stats.days,
        })]
    }

    pub(super) fn stats_key(&mut self, key: KeyAction) -> Vec<Command> {
        match key {
            KeyAction::Back => {
                self.screen.mode = Mode::Normal;
                Vec::new()
            }
            KeyAction::NextWindow => {
                let at = WINDOWS.iter().position(|&d| d == self.stats.days).unwrap_or(0);
                self.stats.days = WINDOWS[(at + 1) % WINDOWS.len()];
                self.count_stats()
            }
            KeyAction::Refresh => self.count_stats(),
            _ => Vec::new(),
        }
    }

    pub(super) fn on_stats(&mut self, request: u64, result: Result<Box<Stats>, String>) {
        if self.stats.waiting == Some(request) {
            self.stats.waiting = None;
            self.stats.shown = Some(result);
        }
    }

    /// A fetch completed while the screen is open: its numbers may have moved.
    pub(super) fn stats_after_sync(&mut self) -> Vec<Command> {
        if self.screen.mode == Mode::Stats {
            self.count_stats()
        } else {
            Vec::new()
        }
    }
}

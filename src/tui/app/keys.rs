//! Keys in the review list, in the search prompt and in the filters overlay.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::filter_form::FilterForm;
use super::view::search;
use super::{App, Command, Focus, Mode, Search};
use crate::keymap::KeyAction;
use crate::tui::layout::list_rows;

impl App {
    pub(super) fn normal_key(&mut self, b: KeyAction) -> Vec<Command> {
        let page = list_rows(self.size).max(1);
        match b {
            KeyAction::MoveDown if self.focus == Focus::Detail => {
                self.detail_scroll = self.detail_scroll.saturating_add(1);
                Vec::new()
            }
            KeyAction::MoveUp if self.focus == Focus::Detail => {
                self.detail_scroll = self.detail_scroll.saturating_sub(1);
                Vec::new()
            }
            KeyAction::PageDown if self.focus == Focus::Detail => {
                self.detail_scroll = self.detail_scroll.saturating_add(page as u16);
                Vec::new()
            }
            KeyAction::PageUp if self.focus == Focus::Detail => {
                self.detail_scroll = self.detail_scroll.saturating_sub(page as u16);
                Vec::new()
            }
            KeyAction::MoveDown => self.select(self.selected.saturating_add(1)),
            KeyAction::MoveUp => self.select(self.selected.saturating_sub(1)),
            KeyAction::PageDown => self.select(self.selected.saturating_add(page)),
            KeyAction::PageUp => self.select(self.selected.saturating_sub(page)),
            KeyAction::First => self.select(0),
            KeyAction::Last => self.select(self.view.len().saturating_sub(1)),
            KeyAction::FocusDetail => {
                self.focus = Focus::Detail;
                Vec::new()
            }
            KeyAction::SwitchPane => {
                self.focus = if self.focus == Focus::List {
                    Focus::Detail
                } else {
                    Focus::List
                };
                Vec::new()
            }
            KeyAction::Back => {
                if self.notices.dismiss() {
                } else if !self.search.query.is_empty() {
                    self.search = Search::default();
                } else {
                    self.focus = Focus::List;
                }
                Vec::new()
            }
            KeyAction::Reply => self.open_editor(),
            KeyAction::Search => {
                self.mode = Mode::Search;
                self.search = Search::default();
                self.search_origin = self.selected;
                Vec::new()
            }
            KeyAction::NextMatch | KeyAction::PrevMatch => {
                let n = self.search.matches.len();
                if n == 0 {
                    if !self.search.query.is_empty() {
                        self.notices
                            .warn(format!("No review matches \"{}\"", self.search.query));
                    }
                    return Vec::new();
                }
                self.search.current = if b == KeyAction::NextMatch {
                    (self.search.current + 1) % n
                } else {
                    (self.search.current + n - 1) % n
                };
                self.select(self.search.matches[self.search.current])
            }
            KeyAction::Filters => {
                self.filter_form = Some(FilterForm::new(&self.filters));
                self.mode = Mode::Filters;
                Vec::new()
            }
            KeyAction::UnansweredFirst => {
                self.unanswered_first = !self.unanswered_first;
                self.rebuild_view()
            }
            KeyAction::Refresh => self.fetch_reviews(),
            KeyAction::SwitchApp => {
                if self.apps.len() < 2 {
                    self.notices
                        .warn("Only one app: name more with --app to switch between them");
                } else {
                    self.app_picker = self.app_index;
                    self.mode = Mode::Apps;
                }
                Vec::new()
            }
            KeyAction::Help => {
                self.help_scroll = 0;
                self.mode = Mode::Help;
                Vec::new()
            }
            KeyAction::Quit => {
                // Drafts in the database are safe; only ones kept in memory are worth asking about.
                let queued = self.outbox.to_send() > 0;
                if queued || (!self.drafts.is_empty() && !self.drafts_safe()) {
                    self.mode = Mode::QuitConfirm;
                    Vec::new()
                } else {
                    self.should_quit = true;
                    vec![Command::Quit]
                }
            }
            KeyAction::Suspend => vec![Command::Suspend],
            KeyAction::Profiles => self.open_profiles(),
            KeyAction::Outbox => self.open_outbox(),
            _ => Vec::new(),
        }
    }

    pub(super) fn on_input(&mut self, ev: KeyEvent) -> Vec<Command> {
        match self.mode {
            Mode::Editor => {
                if let Some(e) = self.editor.as_mut() {
                    e.input(ev);
                    self.draft_changed();
                }
            }
            Mode::Search => {
                match ev.code {
                    KeyCode::Char(c) => self.search.query.push(c),
                    KeyCode::Backspace => {
                        self.search.query.pop();
                    }
                    _ => return Vec::new(),
                }
                return self.run_search();
            }
            Mode::Filters => {
                if let Some(f) = self.filter_form.as_mut() {
                    f.input(ev);
                }
            }
            Mode::ProfileForm => {
                if let Some(f) = self.profile_form.as_mut().filter(|f| !f.confirm_discard) {
                    f.input(ev);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn run_search(&mut self) -> Vec<Command> {
        let q = self.search.query.to_lowercase();
        self.search.matches = search(&self.view, &self.haystacks, &q);
        // Incremental: jump to the first match at or after where the search began.
        let pos = self
            .search
            .matches
            .iter()
            .position(|&m| m >= self.search_origin)
            .unwrap_or(0);
        self.search.current = pos;
        match self.search.matches.get(pos) {
            Some(&m) => self.select(m),
            None => Vec::new(),
        }
    }

    pub(super) fn filters_key(&mut self, b: KeyAction) -> Vec<Command> {
        let Some(form) = self.filter_form.as_mut() else {
            self.mode = Mode::Normal;
            return Vec::new();
        };
        match b {
            KeyAction::MoveDown => form.move_by(1),
            KeyAction::MoveUp => form.move_by(-1),
            KeyAction::Back => {
                self.filter_form = None;
                self.mode = Mode::Normal;
            }
            KeyAction::Confirm => match form.finish() {
                Ok(f) => {
                    self.filters = f;
                    self.filter_form = None;
                    self.mode = Mode::Normal;
                    return self.rebuild_view();
                }
                Err(why) => form.problem = Some(why),
            },
            _ => {}
        }
        Vec::new()
    }
}

//! Keys in the review list, in the search prompt and in the filters overlay.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::filter_form::FilterForm;
use super::{App, Command, Focus, Mode, Search};
use crate::keymap::KeyAction;
use crate::tui::layout::list_rows;

impl App {
    pub(super) fn normal_key(&mut self, b: KeyAction) -> Vec<Command> {
        let page = list_rows(self.screen.size).max(1);
        match b {
            KeyAction::MoveDown if self.screen.focus == Focus::Detail => {
                self.screen.detail_scroll = self.screen.detail_scroll.saturating_add(1);
                Vec::new()
            }
            KeyAction::MoveUp if self.screen.focus == Focus::Detail => {
                self.screen.detail_scroll = self.screen.detail_scroll.saturating_sub(1);
                Vec::new()
            }
            KeyAction::PageDown if self.screen.focus == Focus::Detail => {
                self.screen.detail_scroll = self.screen.detail_scroll.saturating_add(page as u16);
                Vec::new()
            }
            KeyAction::PageUp if self.screen.focus == Focus::Detail => {
                self.screen.detail_scroll = self.screen.detail_scroll.saturating_sub(page as u16);
                Vec::new()
            }
            KeyAction::MoveDown => self.select(self.list.selected.saturating_add(1)),
            KeyAction::MoveUp => self.select(self.list.selected.saturating_sub(1)),
            KeyAction::PageDown => self.select(self.list.selected.saturating_add(page)),
            KeyAction::PageUp => self.select(self.list.selected.saturating_sub(page)),
            KeyAction::First => self.select(0),
            KeyAction::Last => self.select(self.list.view.len().saturating_sub(1)),
            KeyAction::FocusDetail => {
                self.screen.focus = Focus::Detail;
                Vec::new()
            }
            KeyAction::SwitchPane => {
                self.screen.focus = if self.screen.focus == Focus::List {
                    Focus::Detail
                } else {
                    Focus::List
                };
                Vec::new()
            }
            KeyAction::Back => {
                if self.status.notices.dismiss() {
                } else if !self.list.search.query.is_empty() {
                    self.list.search = Search::default();
                } else {
                    self.screen.focus = Focus::List;
                }
                Vec::new()
            }
            // A source that takes no answers says so from open_editor, marks or not.
            KeyAction::Reply
                if !self.marked_here().is_empty() && self.sources.can(crate::provider::Feature::Respond) =>
            {
                self.open_bulk()
            }
            KeyAction::Reply => self.open_editor(),
            KeyAction::Mark => self.toggle_mark(),
            KeyAction::MarkAll => self.mark_all_shown(),
            KeyAction::ClearMarks => self.clear_marks(),
            KeyAction::Templates => self.reply_from_template(),
            KeyAction::NextView => self.next_view(),
            KeyAction::TakeBack => self.take_back_last(),
            KeyAction::Search => {
                self.screen.mode = Mode::Search;
                self.list.search = Search::default();
                self.list.search_origin = self.list.selected;
                Vec::new()
            }
            KeyAction::NextMatch | KeyAction::PrevMatch => {
                let n = self.list.search.matches.len();
                if n == 0 {
                    if !self.list.search.query.is_empty() {
                        self.status
                            .notices
                            .warn(format!("No review matches \"{}\"", self.list.search.query));
                    }
                    return Vec::new();
                }
                self.list.search.current = if b == KeyAction::NextMatch {
                    (self.list.search.current + 1) % n
                } else {
                    (self.list.search.current + n - 1) % n
                };
                self.select(self.list.search.matches[self.list.search.current])
            }
            KeyAction::Filters => {
                self.filters.form = Some(FilterForm::new(&self.filters.active));
                self.screen.mode = Mode::Filters;
                Vec::new()
            }
            KeyAction::UnansweredFirst => {
                self.filters.unanswered_first = !self.filters.unanswered_first;
                self.rebuild_view()
            }
            KeyAction::Refresh => self.fetch_reviews(),
            KeyAction::SwitchApp => {
                if self.sources.apps.len() < 2 {
                    self.status
                        .notices
                        .warn("Only one app: name more with --app to switch between them");
                } else {
                    self.sources.picker = self.sources.index;
                    self.screen.mode = Mode::Apps;
                }
                Vec::new()
            }
            KeyAction::Help => {
                self.screen.help_scroll = 0;
                self.screen.mode = Mode::Help;
                Vec::new()
            }
            // Asked to quit once the early replies are out: q again quits at once (they stay queued).
            KeyAction::Quit if self.volume.quit_when_sent => {
                self.screen.should_quit = true;
                vec![Command::Quit]
            }
            KeyAction::Quit => {
                // Drafts in the database are safe; only ones kept in memory are worth asking about.
                let queued = self.outbox.to_send() > 0;
                if queued || (!self.replies.drafts.is_empty() && !self.drafts_safe()) {
                    self.screen.mode = Mode::QuitConfirm;
                    Vec::new()
                } else {
                    self.screen.should_quit = true;
                    vec![Command::Quit]
                }
            }
            KeyAction::Suspend => vec![Command::Suspend],
            KeyAction::Copy => match self.selected_id().map(str::to_owned) {
                Some(id) => {
                    let shown = crate::sanitize::sanitize_line(&id);
                    self.status.notices.info(format!("Copied the review ID {shown}"));
                    vec![Command::CopyToClipboard { text: id }]
                }
                None => Vec::new(),
            },
            KeyAction::Profiles => self.open_profiles(),
            KeyAction::Stats => self.open_stats(),
            KeyAction::Outbox => self.open_outbox(),
            _ => Vec::new(),
        }
    }

    pub(super) fn on_input(&mut self, ev: KeyEvent) -> Vec<Command> {
        match self.screen.mode {
            Mode::Editor => {
                if let Some(e) = self.editor.as_mut() {
                    e.input(ev);
                    self.draft_changed();
                }
            }
            Mode::Search => {
                match ev.code {
                    KeyCode::Char(c) => self.list.search.query.push(c),
                    KeyCode::Backspace => {
                        self.list.search.query.pop();
                    }
                    _ => return Vec::new(),
                }
                return self.run_search();
            }
            Mode::Filters => {
                if let Some(f) = self.filters.form.as_mut() {
                    f.input(ev);
                }
            }
            Mode::Picker => self.picker_input(ev),
            Mode::Bulk => self.bulk_input(ev),
            Mode::ProfileForm => {
                if let Some(f) = self.profiles.form.as_mut().filter(|f| !f.confirm_discard) {
                    f.input(ev);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn run_search(&mut self) -> Vec<Command> {
        let q = self.list.search.query.to_lowercase();
        self.list.search.matches =
            self.list
                .haystacks
                .search_narrowing(&self.list.view, &q, &mut self.list.search.last);
        // Incremental: jump to the first match at or after where the search began.
        let pos = self
            .list
            .search
            .matches
            .iter()
            .position(|&m| m >= self.list.search_origin)
            .unwrap_or(0);
        self.list.search.current = pos;
        match self.list.search.matches.get(pos) {
            Some(&m) => self.select(m),
            None => Vec::new(),
        }
    }

    pub(super) fn filters_key(&mut self, b: KeyAction) -> Vec<Command> {
        let Some(form) = self.filters.form.as_mut() else {
            self.screen.mode = Mode::Normal;
            return Vec::new();
        };
        match b {
            KeyAction::MoveDown => form.move_by(1),
            KeyAction::MoveUp => form.move_by(-1),
            KeyAction::Back => {
                self.filters.form = None;
                self.screen.mode = Mode::Normal;
            }
            KeyAction::Confirm => match form.finish() {
                Ok(f) => {
                    self.filters.active = f;
                    self.filters.form = None;
                    self.screen.mode = Mode::Normal;
                    return self.rebuild_view();
                }
                Err(why) => form.problem = Some(why),
            },
            _ => {}
        }
        Vec::new()
    }
}

//! The template picker (`t` in the list, Ctrl-t in the editor and the composer): templates
//! filtered by name as one types, the ones suggested for the review first, and a preview
//! rendered for it with the policy check's findings.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{App, Command, Mode};
use crate::keymap::KeyAction;
use crate::policy::Finding;
use crate::store::Review;
use crate::templates::suggest;

/// Where a chosen template goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickerTarget {
    /// The reply editor; `from_list` when `t` opened it from the list (cancelling closes it).
    Editor { from_list: bool },
    /// The bulk composer (its shared text, or the reply of the review shown).
    Bulk,
}

#[derive(Clone, Debug)]
pub struct TemplatePicker {
    pub query: String,
    /// Indices into the templates, best fit first, narrowed by `query`.
    pub shown: Vec<usize>,
    /// Why each template fits the review ("rating 1", "mentions \"crash\""), by index;
    /// empty for the ones not suggested.
    pub reasons: Vec<Vec<String>>,
    pub selected: usize,
    /// The review the preview is rendered for.
    pub review: String,
    pub target: PickerTarget,
    /// Enter was pressed over typed text: the next Enter replaces it.
    pub confirm_replace: bool,
}

impl TemplatePicker {
    pub fn selected_template(&self) -> Option<usize> {
        self.shown.get(self.selected).copied()
    }
}

/// `query`'s letters appear in `name` in order (case-insensitive): "crfx" finds crash-fixed.
pub fn fuzzy(name: &str, query: &str) -> bool {
    let mut name = name.chars().flat_map(char::to_lowercase);
    query
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace())
        .all(|q| name.any(|c| c == q))
}

impl App {
    pub fn review_by_id(&self, id: &str) -> Option<&Review> {
        self.list.ids.get(id, &self.list.reviews).map(|i| &self.list.reviews[i])
    }

    /// Opens the picker for `review`.
    pub(super) fn open_picker(&mut self, review: String, target: PickerTarget) -> Vec<Command> {
        if self.volume.templates.is_empty() {
            self.status
                .notices
                .warn("No templates: add one with `reviewdesk template add NAME` (examples ship in assets/templates)");
            return Vec::new();
        }
        let mut reasons = vec![Vec::new(); self.volume.templates.len()];
        let order: Vec<usize> = match self.review_by_id(&review) {
            Some(r) => suggest(&self.volume.templates, r)
                .into_iter()
                .map(|s| {
                    reasons[s.index] = s.reasons;
                    s.index
                })
                .collect(),
            None => (0..self.volume.templates.len()).collect(),
        };
        self.volume.picker = Some(TemplatePicker {
            query: String::new(),
            shown: order,
            reasons,
            selected: 0,
            review,
            target,
            confirm_replace: false,
        });
        self.screen.mode = Mode::Picker;
        self.drop_passing_notices();
        self.want_reply_history().into_iter().collect()
    }

    /// `t` in the list: the editor on the selected review, with the picker over it.
    pub(super) fn reply_from_template(&mut self) -> Vec<Command> {
        let mut cmds = self.open_editor();
        if self.screen.mode == Mode::Editor
            && let Some(review) = self.editor.as_ref().map(|e| e.review_id.clone())
        {
            cmds.extend(self.open_picker(review, PickerTarget::Editor { from_list: true }));
        }
        cmds
    }

    /// The order the picker shows for its query: the suggestion order, narrowed.
    fn refilter(&mut self) {
        let Some(p) = self.volume.picker.as_mut() else { return };
        let review = self
            .list
            .ids
            .get(&p.review, &self.list.reviews)
            .map(|i| &self.list.reviews[i]);
        let order: Vec<usize> = match review {
            Some(r) => suggest(&self.volume.templates, r)
                .into_iter()
                .map(|s| s.index)
                .collect(),
            None => (0..self.volume.templates.len()).collect(),
        };
        p.shown = order
            .into_iter()
            .filter(|&i| fuzzy(&self.volume.templates[i].name, &p.query))
            .collect();
        p.selected = p.selected.min(p.shown.len().saturating_sub(1));
        p.confirm_replace = false;
    }

    /// The selected template rendered for the picker's review, and what the policy check says.
    pub fn picker_preview(&self) -> Option<(String, Vec<Finding>)> {
        let p = self.volume.picker.as_ref()?;
        let t = &self.volume.templates[p.selected_template()?];
        let review = self.review_by_id(&p.review)?;
        let email = self.support_email_for(&p.review);
        // A template file's body ends with a line break the reply does not need.
        let text = t.render_for(review, email.as_deref()).text.trim_end().to_owned();
        let findings = self.check_reply(&text, &p.review);
        Some((text, findings))
    }

    /// The policy check of one reply to one review.
    pub fn check_reply(&self, text: &str, review: &str) -> Vec<Finding> {
        let email = self.support_email_for(review);
        let review_text = self.review_by_id(review).and_then(|r| r.review_text.as_deref());
        let ctx = crate::policy::Context {
            support_email: email.as_deref(),
            review: Some(review),
            review_text,
            history: self.reply_history(),
        };
        self.volume.policy.check(text, &ctx)
    }

    pub(super) fn picker_key(&mut self, b: KeyAction) -> Vec<Command> {
        let Some(p) = self.volume.picker.as_mut() else {
            self.screen.mode = Mode::Normal;
            return Vec::new();
        };
        match b {
            KeyAction::MoveDown => {
                p.selected = (p.selected + 1).min(p.shown.len().saturating_sub(1));
                p.confirm_replace = false;
            }
            KeyAction::MoveUp => {
                p.selected = p.selected.saturating_sub(1);
                p.confirm_replace = false;
            }
            KeyAction::Back => {
                let target = p.target;
                self.volume.picker = None;
                return self.close_picker(target, false);
            }
            KeyAction::Confirm => return self.choose_template(),
            _ => {}
        }
        Vec::new()
    }

    pub(super) fn picker_input(&mut self, ev: KeyEvent) {
        let Some(p) = self.volume.picker.as_mut() else { return };
        match ev.code {
            KeyCode::Char(c) if !ev.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => p.query.push(c),
            KeyCode::Backspace => {
                p.query.pop();
            }
            _ => return,
        }
        self.refilter();
    }

    pub(super) fn picker_paste(&mut self, text: &str) {
        if let Some(p) = self.volume.picker.as_mut() {
            p.query.extend(text.chars().filter(|c| !c.is_control()));
        }
        self.refilter();
    }

    fn close_picker(&mut self, target: PickerTarget, chosen: bool) -> Vec<Command> {
        match target {
            PickerTarget::Editor { from_list } => {
                // Cancelled from the list with nothing typed: back to the list, as before `t`.
                let untouched = self.editor.as_ref().is_some_and(|e| e.body().trim().is_empty());
                if from_list && !chosen && untouched {
                    self.editor = None;
                    self.screen.mode = Mode::Normal;
                } else {
                    self.screen.mode = Mode::Editor;
                }
            }
            PickerTarget::Bulk => self.screen.mode = Mode::Bulk,
        }
        Vec::new()
    }

    fn choose_template(&mut self) -> Vec<Command> {
        let Some(p) = self.volume.picker.as_ref() else {
            return Vec::new();
        };
        let Some(index) = p.selected_template() else {
            return Vec::new();
        };
        let target = p.target;
        let typed = match target {
            PickerTarget::Editor { .. } => self.editor.as_ref().is_some_and(|e| !e.body().trim().is_empty()),
            PickerTarget::Bulk => self.bulk_has_typed_text(),
        };
        // Typed text is replaced only when asked twice (and Ctrl-u still brings it back).
        if typed && !p.confirm_replace {
            if let Some(p) = self.volume.picker.as_mut() {
                p.confirm_replace = true;
            }
            return Vec::new();
        }
        match target {
            PickerTarget::Editor { .. } => {
                let Some((text, _)) = self.picker_preview() else {
                    return Vec::new();
                };
                if let Some(e) = self.editor.as_mut() {
                    e.fill(&text);
                }
                self.draft_changed();
            }
            PickerTarget::Bulk => self.bulk_use_template(index),
        }
        self.volume.picker = None;
        self.close_picker(target, true)
    }
}

//! The reply editor's state: the text, public or private, and the support email.

use ratatui::crossterm::event::KeyEvent;
use ratatui_textarea::{TextArea, WrapMode};

use crate::store::validate::{MAX_RESPONSE_UTF16, utf16_len, validate_email, validate_response_text};

/// From this many UTF-16 units the counter warns.
pub const WARN_AT: usize = 900;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Text,
    Email,
}

/// What the editor holds for one review, kept when it is closed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    pub text: String,
    pub public: bool,
    pub email: String,
}

#[derive(Debug)]
pub struct Editor {
    pub app_id: String,
    pub review_id: String,
    pub text: TextArea<'static>,
    pub email: TextArea<'static>,
    pub public: bool,
    pub field: Field,
    /// Why the last Ctrl-s was refused, shown in the editor.
    pub problem: Option<String>,
    /// A template replaced typed text and is still as filled in: the text area took it as two
    /// edits (delete, insert), and Ctrl-u undoes both at once.
    filled_over: Option<String>,
}

/// A text area holding `text`, the cursor at its end; `placeholder` shows while it is empty.
pub(super) fn text_area(text: &str, placeholder: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.split('\n').map(str::to_owned).collect()
    };
    let mut t = TextArea::new(lines);
    t.set_wrap_mode(WrapMode::WordOrGlyph);
    t.set_cursor_line_style(ratatui::style::Style::default());
    if !placeholder.is_empty() {
        t.set_placeholder_text(placeholder);
    }
    t.move_cursor(ratatui_textarea::CursorMove::Bottom);
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}

/// Replaces the text area's text with `text` (a template's) as one step for the person. The
/// text area takes replacing typed text as two edits (delete, insert): the text as filled in is
/// returned then, for [`undo_fill`].
pub(super) fn fill_area(t: &mut TextArea<'static>, text: &str) -> Option<String> {
    let replaces = !t.lines().join("\n").is_empty();
    t.select_all();
    if !replaces {
        t.cancel_selection();
    }
    t.insert_str(text);
    replaces.then(|| t.lines().join("\n"))
}

/// Ctrl-u right after [`fill_area`] replaced typed text (and nothing changed since): both edits
/// are undone at once and `true` returned. Any key forgets the fill.
pub(super) fn undo_fill(t: &mut TextArea<'static>, filled: &mut Option<String>, key: &KeyEvent) -> bool {
    let undo = key.code == ratatui::crossterm::event::KeyCode::Char('u')
        && key.modifiers == ratatui::crossterm::event::KeyModifiers::CONTROL;
    match filled.take() {
        Some(f) if undo && f == t.lines().join("\n") => {
            t.undo();
            t.undo();
            true
        }
        _ => false,
    }
}

impl Editor {
    pub fn open(app_id: &str, review_id: &str, draft: Draft) -> Editor {
        let mut email = text_area(&draft.email, "");
        email.set_wrap_mode(WrapMode::None);
        email.set_placeholder_text("support@your-company.example");
        let mut text = text_area(&draft.text, "");
        text.set_placeholder_text("Write your response…");
        Editor {
            app_id: app_id.to_owned(),
            review_id: review_id.to_owned(),
            text,
            email,
            public: draft.public,
            field: Field::Text,
            problem: None,
            filled_over: None,
        }
    }

    pub fn body(&self) -> String {
        self.text.lines().join("\n")
    }

    pub fn email_value(&self) -> String {
        self.email.lines().join("").trim().to_owned()
    }

    pub fn draft(&self) -> Draft {
        Draft {
            text: self.body(),
            public: self.public,
            email: self.email_value(),
        }
    }

    /// UTF-16 units, as the Store counts.
    pub fn length(&self) -> usize {
        utf16_len(&self.body())
    }

    pub fn over_limit(&self) -> bool {
        self.length() > MAX_RESPONSE_UTF16
    }

    pub fn input(&mut self, key: KeyEvent) {
        self.problem = None;
        if self.field == Field::Text && undo_fill(&mut self.text, &mut self.filled_over, &key) {
            return;
        }
        self.filled_over = None;
        match self.field {
            Field::Text => {
                self.text.input(key);
            }
            Field::Email => {
                // One line: Enter moves back to the text rather than splitting the address.
                if key.code == ratatui::crossterm::event::KeyCode::Enter {
                    self.field = Field::Text;
                } else {
                    self.email.input(key);
                }
            }
        }
    }

    /// Pasted text goes in whole, line breaks included (bracketed paste); never as keys.
    pub fn paste(&mut self, text: &str) {
        self.problem = None;
        // Pasted text can carry escape sequences and bidi controls from wherever it was copied;
        // what is published must be what the person sees.
        let clean = crate::sanitize::sanitize_text(text);
        match self.field {
            Field::Text => {
                self.text.insert_str(&clean);
            }
            Field::Email => {
                self.email.insert_str(clean.split_whitespace().collect::<String>());
            }
        }
    }

    pub fn replace_text(&mut self, text: &str) {
        let text = &crate::sanitize::sanitize_text(text);
        let email = self.email_value();
        let mut fresh = Editor::open(
            &self.app_id,
            &self.review_id,
            Draft {
                text: text.to_owned(),
                public: self.public,
                email,
            },
        );
        fresh.field = self.field;
        *self = fresh;
    }

    /// Replaces the text with a template's, as one edit of the text area: Ctrl-u brings back
    /// what was there.
    pub fn fill(&mut self, text: &str) {
        self.problem = None;
        let clean = crate::sanitize::sanitize_text(text);
        self.field = Field::Text;
        self.filled_over = fill_area(&mut self.text, &clean);
    }

    pub fn set_email(&mut self, email: &str) {
        let mut fresh = text_area(email, "");
        fresh.set_wrap_mode(WrapMode::None);
        self.email = fresh;
    }

    pub fn next_field(&mut self) {
        self.field = match self.field {
            Field::Text => Field::Email,
            Field::Email => Field::Text,
        };
    }

    /// Whether Ctrl-s may go on to the confirmation; the reason when not.
    pub fn check(&self) -> Result<(), String> {
        validate_response_text(&self.body()).map_err(|e| capitalise(&e.to_string()))?;
        let email = self.email_value();
        if email.is_empty() {
            return Err(
                "A support email is required (Tab to the field): the Store sends it to the customer".to_owned(),
            );
        }
        validate_email(&email).map_err(|e| capitalise(&e.to_string()))
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_checks() {
        let mut e = Editor::open(
            "9NBLGGGZ5QDR",
            "r1",
            Draft {
                text: String::new(),
                public: true,
                email: "a@b.co".into(),
            },
        );
        assert!(e.check().unwrap_err().contains("empty"));
        e.paste("Hello\r\nworld 🎉");
        assert_eq!(e.body(), "Hello\nworld 🎉");
        assert_eq!(e.length(), 14, "newline 1, emoji 2");
        assert!(e.check().is_ok());
        e.replace_text(&"x".repeat(1001));
        assert!(e.over_limit());
        assert!(e.check().unwrap_err().contains("1001"));
        e.next_field();
        e.paste(" not an email ");
        assert_eq!(e.field, Field::Email);
    }
}

//! The filters overlay: a small form edited in place, applied with Enter.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::view::Filters;
use crate::store::dates::{parse_user_date, today_utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterField {
    Rating,
    Answered,
    Revised,
    Market,
    From,
    To,
}

pub const FIELDS: [FilterField; 6] = [
    FilterField::Rating,
    FilterField::Answered,
    FilterField::Revised,
    FilterField::Market,
    FilterField::From,
    FilterField::To,
];

#[derive(Clone, Debug)]
pub struct FilterForm {
    pub filters: Filters,
    pub field: usize,
    pub market: String,
    pub from: String,
    pub to: String,
    pub problem: Option<String>,
}

impl FilterForm {
    pub fn new(f: &Filters) -> Self {
        Self {
            filters: f.clone(),
            field: 0,
            market: f.markets.join(","),
            from: f.from.map(|d| d.to_string()).unwrap_or_default(),
            to: f.to.map(|d| d.to_string()).unwrap_or_default(),
            problem: None,
        }
    }

    pub fn current(&self) -> FilterField {
        FIELDS[self.field]
    }

    pub fn move_by(&mut self, delta: isize) {
        self.field = (self.field as isize + delta).rem_euclid(FIELDS.len() as isize) as usize;
    }

    pub fn input(&mut self, key: KeyEvent) {
        self.problem = None;
        let text = match self.current() {
            FilterField::Market => Some(&mut self.market),
            FilterField::From => Some(&mut self.from),
            FilterField::To => Some(&mut self.to),
            _ => None,
        };
        if let Some(t) = text {
            match key.code {
                KeyCode::Char(c) if !c.is_control() => t.push(c),
                KeyCode::Backspace => {
                    t.pop();
                }
                _ => {}
            }
            return;
        }
        match (self.current(), key.code) {
            (FilterField::Rating, KeyCode::Char(c @ '1'..='5')) => {
                let i = c as usize - '1' as usize;
                self.filters.ratings[i] = !self.filters.ratings[i];
            }
            (FilterField::Rating, KeyCode::Char('0')) => self.filters.ratings = [true; 5],
            (FilterField::Answered, KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) => {
                self.filters.answered = self.filters.answered.next()
            }
            (FilterField::Revised, KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) => {
                self.filters.revised_only = !self.filters.revised_only
            }
            _ => {}
        }
    }

    pub fn paste(&mut self, text: &str) {
        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
        match self.current() {
            FilterField::Market => self.market.push_str(&clean),
            FilterField::From => self.from.push_str(&clean),
            FilterField::To => self.to.push_str(&clean),
            _ => {}
        }
    }

    /// The filters, or what is wrong with the form.
    pub fn finish(&self) -> Result<Filters, String> {
        let mut f = self.filters.clone();
        if !f.ratings.iter().any(|b| *b) {
            return Err("Choose at least one rating (keys 1–5, 0 for all)".to_owned());
        }
        f.markets = self
            .market
            .split([',', ' '])
            .map(|m| m.trim().to_ascii_uppercase())
            .filter(|m| !m.is_empty())
            .collect();
        if let Some(bad) = f
            .markets
            .iter()
            .find(|m| m.len() != 2 || !m.chars().all(|c| c.is_ascii_alphabetic()))
        {
            return Err(format!("{bad:?} is not a market: use two-letter codes such as US,DE"));
        }
        let today = today_utc();
        let date = |s: &str, name: &str| -> Result<Option<chrono::NaiveDate>, String> {
            if s.trim().is_empty() {
                Ok(None)
            } else {
                parse_user_date(s, today).map(Some).map_err(|e| format!("{name}: {e}"))
            }
        };
        f.from = date(&self.from, "From")?;
        f.to = date(&self.to, "To")?;
        if let (Some(a), Some(b)) = (f.from, f.to)
            && a > b
        {
            return Err(format!("From ({a}) is after To ({b})"));
        }
        Ok(f)
    }
}

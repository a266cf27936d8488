//! Where the panes go, as a pure function of the terminal size. `App` uses it to know how many
//! list rows are visible; drawing uses it to place widgets.

use ratatui::layout::Rect;

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;
/// From this width the list and the review sit side by side.
pub const WIDE: u16 = 120;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Panes {
    pub list: Rect,
    pub detail: Rect,
    pub hints: Rect,
    pub status: Rect,
}

pub fn too_small(area: Rect) -> bool {
    area.width < MIN_WIDTH || area.height < MIN_HEIGHT
}

pub fn panes(area: Rect) -> Panes {
    let status = Rect {
        y: area.bottom().saturating_sub(1),
        height: 1.min(area.height),
        ..area
    };
    let hints = Rect {
        y: area.bottom().saturating_sub(2),
        height: 1.min(area.height.saturating_sub(1)),
        ..area
    };
    let main = Rect {
        height: area.height.saturating_sub(2),
        ..area
    };
    if area.width >= WIDE {
        let list_w = main.width * 11 / 20;
        let list = Rect { width: list_w, ..main };
        let detail = Rect {
            x: main.x + list_w,
            width: main.width - list_w,
            ..main
        };
        Panes {
            list,
            detail,
            hints,
            status,
        }
    } else {
        let list_h = (main.height * 2 / 5).max(5).min(main.height);
        let list = Rect { height: list_h, ..main };
        let detail = Rect {
            y: main.y + list_h,
            height: main.height - list_h,
            ..main
        };
        Panes {
            list,
            detail,
            hints,
            status,
        }
    }
}

/// Review rows visible in the list (inside its border).
pub fn list_rows(size: (u16, u16)) -> usize {
    let area = Rect::new(0, 0, size.0, size.1);
    if too_small(area) {
        return 1;
    }
    panes(area).list.height.saturating_sub(2) as usize
}

/// A centred box of at most `w`×`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_tile_the_screen() {
        for (w, h) in [(60, 15), (80, 24), (120, 40), (200, 60)] {
            let a = Rect::new(0, 0, w, h);
            let p = panes(a);
            assert_eq!(p.status.y, h - 1);
            assert_eq!(p.hints.y, h - 2);
            assert!(p.list.height >= 5);
            assert!(p.detail.height >= 3, "{w}x{h}: {p:?}");
            assert_eq!(p.list.area() + p.detail.area(), w as u32 * (h as u32 - 2));
        }
        assert_eq!(list_rows((80, 24)), 6);
    }
}

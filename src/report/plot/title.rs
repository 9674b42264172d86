//! Figure titles that fit their figure: one line at scale 2 where the title fits, wrapped onto
//! two lines at scale 2 where two are enough, else onto as many lines at scale 1 as it takes (up
//! to a height limit, past which the last line ends in "..."), so no character is drawn past an
//! edge of the figure.

use image::RgbImage;

use super::BLACK;
use crate::report::font::{draw_text, text_width, ADVANCE, HEIGHT};

/// The y at which the first line of a title of more than one line is drawn.
const WRAPPED_TOP: u32 = 4;
/// The gap between the bottom of a title and the top of the plot area below it.
const GAP: u32 = 6;

/// A title broken into lines that each fit the room given to [`Title::new`].
pub(super) struct Title {
    /// The lines, top to bottom.
    lines: Vec<String>,
    /// The font scale of every line.
    scale: u32,
    /// The y of the first line.
    y: u32,
}

impl Title {
    /// Lay `text` out in lines of at most `room` pixels: on one line at scale 2 at `y` (where
    /// it fits, as figures always drew their titles), else wrapped at spaces (a word longer than
    /// a line is cut) onto two lines at scale 2 or, where two are not enough, onto lines at
    /// scale 1, from near the top of the figure; lines that would end below `max_bottom` are
    /// left out and the last line drawn ends in "...".
    pub(super) fn new(text: &str, room: u32, y: u32, max_bottom: u32) -> Title {
        if text_width(text, 2) <= room {
            return Title {
                lines: vec![text.to_string()],
                scale: 2,
                y,
            };
        }
        let two = wrap(text, per_line(room, 2));
        if two.len() <= 2 {
            return Title {
                lines: two,
                scale: 2,
                y: WRAPPED_TOP,
            };
        }
        let per = per_line(room, 1);
        let mut lines = wrap(text, per);
        let fit = (max_bottom.saturating_sub(WRAPPED_TOP + HEIGHT) / pitch(1) + 1).max(1) as usize;
        if lines.len() > fit {
            lines.truncate(fit);
            let last = &mut lines[fit - 1];
            let keep: String = last.chars().take(per.saturating_sub(3)).collect();
            *last = keep + "...";
        }
        Title {
            lines,
            scale: 1,
            y: WRAPPED_TOP,
        }
    }

    /// The row just below the title's last line.
    pub(super) fn bottom(&self) -> u32 {
        self.y + (self.lines.len() as u32 - 1) * pitch(self.scale) + HEIGHT * self.scale
    }

    /// The top of a plot area below the title: `usual` where the title ends above it (less a
    /// small gap), else the title's bottom plus that gap.
    pub(super) fn top_below(&self, usual: u32) -> u32 {
        usual.max(self.bottom() + GAP)
    }

    /// Draw the lines, each centred on `centre` or, without it, from `left`.
    pub(super) fn draw(&self, img: &mut RgbImage, left: u32, centre: Option<u32>) {
        for (k, line) in self.lines.iter().enumerate() {
            let width = i64::from(text_width(line, self.scale));
            let x = centre.map_or(i64::from(left), |c| i64::from(c) - width / 2);
            let y = i64::from(self.y + k as u32 * pitch(self.scale));
            draw_text(img, x, y, line, self.scale, BLACK);
        }
    }
}

/// The distance between the tops of two lines at `scale`.
fn pitch(scale: u32) -> u32 {
    (HEIGHT + 2) * scale
}

/// How many characters at `scale` fit in `room` pixels (at least one).
fn per_line(room: u32, scale: u32) -> usize {
    (room / (ADVANCE * scale)).max(1) as usize
}

/// `text` broken at spaces into lines of at most `per` characters; a word longer than a line
/// is cut into pieces of `per` characters.
fn wrap(text: &str, per: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        let chars: Vec<char> = word.chars().collect();
        for piece in chars.chunks(per) {
            if len > 0 && len + 1 + piece.len() <= per {
                current.push(' ');
                len += 1;
            } else if len > 0 {
                lines.push(std::mem::take(&mut current));
                len = 0;
            }
            current.extend(piece);
            len += piece.len();
        }
    }
    if len > 0 || lines.is_empty() {
        lines.push(current);
    }
    lines
}

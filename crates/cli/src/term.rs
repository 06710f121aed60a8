//! What depends on the terminal: the progress indicator on stderr, shown only when stderr
//! is a terminal (a pipe or a CI log gets no control characters), and how tables are
//! drawn on stdout: fitted to its width and coloured only when it is a terminal
//! (`NO_COLOR` turns colour off, <https://no-color.org>).

use crate::output::{Show, TableView};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::ffi::OsStr;
use std::io::IsTerminal;
use std::time::Duration;

/// A spinner with what is going on, and, where the total is known (Regions to audit,
/// secrets to re-key), a bar with the count and an ETA. ListSecrets does not say how many
/// secrets there are, so within a Region it counts up rather than filling a bar.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

/// The spinner's line.
const SPINNER: &str = "{spinner} {msg} [{elapsed}]";
/// The line once the total is known.
const COUNTED: &str = "{spinner} [{bar:24}] {pos}/{len} {msg} [{elapsed}, ETA {eta}]";

impl Progress {
    /// Shown on stderr when `wanted` and stderr is a terminal; hidden otherwise. (`-v`
    /// turns it off: log lines and a redrawn spinner do not mix.)
    pub fn on_stderr(wanted: bool) -> Progress {
        if !(wanted && std::io::stderr().is_terminal()) {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(SPINNER) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }

    /// Never shown.
    pub fn hidden() -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
        }
    }

    /// Whether it draws anything.
    pub fn is_hidden(&self) -> bool {
        self.bar.is_hidden()
    }

    /// Say what is going on now.
    pub fn status(&self, message: String) {
        self.bar.set_message(message);
    }

    /// `done` of `total` steps are done, and what is going on now: a bar with an ETA.
    /// A total of one stays a spinner (an ETA of one step says nothing).
    pub fn counted(&self, done: u64, total: u64, message: String) {
        if total > 1 && self.bar.length() != Some(total) {
            self.bar.set_length(total);
            if let Ok(style) = ProgressStyle::with_template(COUNTED) {
                self.bar.set_style(style.progress_chars("=> "));
            }
        }
        self.bar.set_position(done);
        self.bar.set_message(message);
    }

    /// Remove it from the screen (before results are printed).
    pub fn clear(&self) {
        self.bar.finish_and_clear();
    }
}

/// Several things going on at once (`audit --organization`: a line per account-Region
/// being swept), under a bar counting those done, with an ETA. Shown only where the
/// [`Progress`] it comes from is (a terminal, no `-v`).
#[derive(Debug, Clone)]
pub struct ProgressBoard {
    /// `None` when hidden: every line is then a hidden [`Progress`].
    multi: Option<MultiProgress>,
    overall: ProgressBar,
}

impl ProgressBoard {
    /// A board for `total` steps where `progress` would be shown (taking its place on the
    /// screen: `progress` is cleared), hidden where it would not.
    pub fn replacing(progress: &Progress, total: u64) -> ProgressBoard {
        if progress.is_hidden() {
            return ProgressBoard {
                multi: None,
                overall: ProgressBar::hidden(),
            };
        }
        progress.clear();
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let overall = multi.add(ProgressBar::new(total));
        if let Ok(style) = ProgressStyle::with_template(COUNTED) {
            overall.set_style(style.progress_chars("=> "));
        }
        overall.enable_steady_tick(Duration::from_millis(120));
        ProgressBoard {
            multi: Some(multi),
            overall,
        }
    }

    /// Never shown.
    pub fn hidden() -> ProgressBoard {
        ProgressBoard {
            multi: None,
            overall: ProgressBar::hidden(),
        }
    }

    /// Whether it draws anything.
    pub fn is_hidden(&self) -> bool {
        self.multi.is_none()
    }

    /// A new line above the overall bar, saying `message`; give it back with
    /// [`ProgressBoard::finish`].
    pub fn line(&self, message: String) -> Progress {
        let Some(multi) = &self.multi else {
            return Progress::hidden();
        };
        let bar = ProgressBar::new_spinner().with_message(message);
        if let Ok(style) = ProgressStyle::with_template(SPINNER) {
            bar.set_style(style);
        }
        // Styled and named before it is shown: never a blank line.
        let bar = multi.insert_before(&self.overall, bar);
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }

    /// Remove `line` from the screen and count one step done, saying `message`.
    pub fn finish(&self, line: &Progress, message: String) {
        line.bar.finish_and_clear();
        if let Some(multi) = &self.multi {
            multi.remove(&line.bar);
        }
        self.overall.inc(1);
        self.overall.set_message(message);
    }

    /// Remove everything from the screen (before results are printed).
    pub fn clear(&self) {
        self.overall.finish_and_clear();
        if let Some(multi) = &self.multi {
            // Nothing to do when clearing fails: the terminal went away.
            let _ = multi.clear();
        }
    }
}

/// Narrower than this, wrapping makes a table unreadable: do not wrap at all. (A
/// pseudo-terminal without a size reports 0.)
const MIN_WRAP_WIDTH: u16 = 60;

/// The width of the terminal stdout is, or `None` when stdout is not a terminal (tables
/// are then never wrapped).
pub fn stdout_width() -> Option<u16> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    comfy_table::Table::new()
        .width()
        .filter(|width| *width >= MIN_WRAP_WIDTH)
}

/// Whether to colour: only on a terminal, never with `NO_COLOR` set to anything but the
/// empty string, never on `TERM=dumb`.
pub fn colour_wanted(is_terminal: bool, no_color: Option<&OsStr>, term: Option<&OsStr>) -> bool {
    is_terminal && no_color.is_none_or(OsStr::is_empty) && term.is_none_or(|term| term != "dumb")
}

/// How a table for stdout is drawn: `show`, and the terminal's width and colour (none
/// of either on a pipe or a file).
pub fn stdout_view(show: Show) -> TableView {
    let colour = colour_wanted(
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    );
    TableView {
        show,
        width: stdout_width(),
        colour,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_and_never_with_no_color() {
        let some = |s: &'static str| Some(OsStr::new(s));
        assert!(colour_wanted(true, None, some("xterm-256color")));
        assert!(
            colour_wanted(true, some(""), None),
            "an empty NO_COLOR is unset"
        );
        assert!(!colour_wanted(true, some("1"), None));
        assert!(!colour_wanted(true, None, some("dumb")));
        assert!(!colour_wanted(false, None, some("xterm")));
    }

    #[test]
    fn a_hidden_board_gives_hidden_lines_and_counts_silently() {
        // GIVEN no terminal / WHEN a board is made from a hidden progress and used
        let board = ProgressBoard::replacing(&Progress::hidden(), 4);
        let line = board.line("111111111111 us-east-1".into());
        line.status("listing".into());
        board.finish(&line, "done".into());
        board.clear();
        // THEN nothing is drawn, nothing fails
        assert!(board.is_hidden() && line.is_hidden());
        assert!(ProgressBoard::hidden().is_hidden());
    }

    #[test]
    fn a_hidden_progress_takes_counts_and_messages_silently() {
        // GIVEN no terminal / WHEN counted and cleared / THEN nothing is drawn, nothing fails
        let progress = Progress::hidden();
        progress.counted(1, 3, "eu-west-1".into());
        progress.status("x".into());
        progress.clear();
        assert!(progress.is_hidden());
    }
}

//! What depends on the terminal: the progress indicator on stderr, shown only when stderr
//! is a terminal (a pipe or a CI log gets no control characters), and the width tables
//! wrap to, only when stdout is a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// A spinner with a count of secrets checked. ListSecrets does not say how many secrets
/// there are, so it counts up rather than filling a bar.
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// Shown on stderr when `wanted` and stderr is a terminal; hidden otherwise. (`-v`
    /// turns it off: log lines and a redrawn spinner do not mix.)
    pub fn on_stderr(wanted: bool) -> Progress {
        if !(wanted && std::io::stderr().is_terminal()) {
            return Progress::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
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

    /// Remove it from the screen (before results are printed).
    pub fn clear(&self) {
        self.bar.finish_and_clear();
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

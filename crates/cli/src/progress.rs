//! The progress bar on stderr (only when stderr is a terminal).

use std::io::IsTerminal;
use std::time::Duration;

use docpipe_core::runner::{Observer, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar, or nothing when disabled or not on a terminal.
pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    /// Creates the bar when `enabled` and stderr is a terminal.
    pub fn new(enabled: bool) -> Self {
        if !enabled || !std::io::stderr().is_terminal() {
            return Bar { bar: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        Bar { bar: Some(bar) }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Observer for Bar {
    fn progress(&self, p: &Progress) {
        let Some(b) = &self.bar else { return };
        if let Some(total) = p.bytes_total {
            b.set_length(total);
        }
        b.set_position(p.bytes_read);
        let rate = if p.seconds > 0.0 { p.documents_read as f64 / p.seconds } else { 0.0 };
        let stages: Vec<String> = p.stages.iter().map(|(name, n)| format!("{name} {n}")).collect();
        b.set_message(format!("{rate:.0} docs/s | read {} | {}", p.documents_read, stages.join(" | ")));
    }
}

//! The progress line on stderr (only when stderr is a terminal).
//!
//! One line that fits the terminal: a spinner, a bar, then a message that indicatif cuts at
//! the terminal's width (`{wide_msg}`), most useful first: percent, processed/total bytes,
//! ETA, speed, and per-stage counts last. The bar follows the bytes of the documents the
//! pipeline has taken in ([`Progress::bytes_done`]), not what the reader has read ahead, and
//! shows `starting` until the first batch is through instead of `0 B/0 B`.

use std::io::IsTerminal;
use std::time::Duration;

use crate::report::human_bytes;
use docpipe_core::runner::{Observer, Progress};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress line, or nothing when disabled or not on a terminal.
pub struct Bar {
    bar: Option<ProgressBar>,
}

impl Bar {
    /// Creates the line when `enabled` and stderr is a terminal.
    pub fn new(enabled: bool) -> Self {
        if !enabled || !std::io::stderr().is_terminal() {
            return Bar { bar: None };
        }
        let bar = Self::on(ProgressDrawTarget::stderr());
        bar.enable_steady_tick(Duration::from_millis(200));
        Bar { bar: Some(bar) }
    }

    fn on(target: ProgressDrawTarget) -> ProgressBar {
        let bar = ProgressBar::with_draw_target(None, target);
        let style = ProgressStyle::with_template("{spinner} [{bar:20}] {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message("starting: reading the input");
        bar
    }

    /// Removes the line.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Observer for Bar {
    fn progress(&self, p: &Progress) {
        let Some(b) = &self.bar else { return };
        // `bytes_done` counts source spans; a record read back from an earlier run names its
        // original file, so never show more than was read.
        let done = p.bytes_done.min(p.bytes_read);
        match p.bytes_total.filter(|&t| t > 0 && done <= t) {
            Some(total) => {
                b.set_length(total);
                b.set_position(done);
            }
            // Unknown total (stdin) or decompressed bytes beyond the compressed size.
            None => {
                b.unset_length();
                b.set_position(done);
            }
        }
        b.set_message(message(p, done));
    }
}

/// The text after the bar, most useful first (the tail is what a narrow terminal loses).
fn message(p: &Progress, done: u64) -> String {
    let mut parts = Vec::new();
    let rate = if p.seconds > 0.0 { done as f64 / p.seconds } else { 0.0 };
    match p.bytes_total.filter(|&t| t > 0 && done <= t) {
        Some(total) => {
            let pct = (done as f64 * 100.0 / total as f64).floor() as u64;
            parts.push(format!("{pct:>3}% {}/{}", human_bytes(done), human_bytes(total)));
            if done >= total {
                parts.push("finishing".to_owned());
            } else if rate > 0.0 {
                parts.push(format!("ETA {}", clock((total - done) as f64 / rate)));
            }
        }
        None => parts.push(human_bytes(done)),
    }
    parts.push(format!("{}/s", human_bytes(rate as u64)));
    parts.push(format!("{} docs", p.documents_read));
    let stages: Vec<String> = p.stages.iter().map(|(name, n)| format!("{name} {n}")).collect();
    if !stages.is_empty() {
        parts.push(stages.join(" "));
    }
    parts.join(" | ")
}

/// Seconds as `m:ss`, or `h:mm:ss` from an hour.
fn clock(seconds: f64) -> String {
    let s = seconds.ceil() as u64;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A terminal of a given width that records what is drawn.
    #[derive(Debug, Clone)]
    struct Screen {
        width: u16,
        lines: Arc<Mutex<Vec<String>>>,
    }

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            self.width
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.lines.lock().unwrap().push(s.to_owned());
            Ok(())
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.write_line(s)
        }
        fn clear_line(&self) -> std::io::Result<()> {
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn busy_progress() -> Progress {
        Progress {
            bytes_read: 60_000_000,
            bytes_done: 20_000_000,
            bytes_total: Some(100_000_000),
            documents_read: 123_456,
            documents_done: 120_000,
            seconds: 10.0,
            stages: ["normalise", "articles", "sentences", "republished", "pull-quotes", "entities", "summarise"]
                .iter()
                .map(|s| (s.to_string(), 120_000))
                .collect(),
        }
    }

    /// Draws `p` on a terminal `width` columns wide; returns every line drawn.
    fn draw(width: u16, p: Option<&Progress>) -> Vec<String> {
        let screen = Screen { width, lines: Arc::default() };
        let bar = Bar { bar: Some(Bar::on(ProgressDrawTarget::term_like(Box::new(screen.clone())))) };
        if let Some(p) = p {
            bar.progress(p);
        }
        if let Some(b) = &bar.bar {
            b.tick();
        }
        let lines = screen.lines.lock().unwrap().clone();
        lines.into_iter().filter(|l| !l.trim().is_empty()).collect()
    }

    // Issue 14: the progress line was wider than an 80- or 120-column terminal.
    #[test]
    fn the_line_fits_the_terminal() {
        for width in [80u16, 120] {
            let lines = draw(width, Some(&busy_progress()));
            assert!(!lines.is_empty(), "nothing drawn");
            for l in &lines {
                assert!(l.chars().count() <= usize::from(width), "{} columns on {width}: {l}", l.chars().count());
            }
        }
    }

    // Issue 14: the bar followed the read-ahead, had no ETA and showed `0 B/0 B` at first.
    #[test]
    fn the_line_tracks_processed_bytes_with_an_eta() {
        let lines = draw(120, Some(&busy_progress()));
        let last = lines.last().unwrap();
        assert!(last.contains(" 20% 20.0 MB/100.0 MB"), "{last}");
        // 80 MB to go at 2 MB/s.
        assert!(last.contains("ETA 0:40"), "{last}");
        let lines = draw(120, None);
        let first = lines.last().unwrap();
        assert!(first.contains("starting") && !first.contains("0 B/0 B"), "{first}");
    }

    #[test]
    fn clock_reads_like_a_clock() {
        assert_eq!(clock(40.0), "0:40");
        assert_eq!(clock(3725.2), "1:02:06");
    }
}

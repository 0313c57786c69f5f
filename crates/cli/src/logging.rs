//! Log lines on stderr: plain text unless stderr is a terminal (and `NO_COLOR` is unset), and
//! at most [`SHOWN`] warnings from any one place in the code; the rest are counted and
//! summarised in one line at the end of the run (`… and 37 more `input failed` warnings`).
//!
//! The limit is a [`Layer`] whose `event_enabled` sees every warning before it is printed, so
//! the runner keeps logging each event and the CLI decides what reaches the terminal.

use std::ffi::OsStr;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use tracing::callsite::Identifier;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

/// Warnings shown from one place in the code before the rest are only counted.
pub const SHOWN: u64 = 5;

/// Installs the subscriber; returns the warning counter for [`Throttle::summary`].
pub fn init(verbose: u8, quiet: bool) -> Throttle {
    let default = match (quiet, verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, 2) => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let colour = use_colour(std::io::stderr().is_terminal(), std::env::var_os("NO_COLOR").as_deref());
    let throttle = Throttle::default();
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_target(false).with_ansi(colour);
    let _ = tracing_subscriber::registry().with(filter).with(throttle.clone()).with(fmt).try_init();
    throttle
}

/// Colour codes only on a terminal, and never when `NO_COLOR` is set to anything but empty
/// (<https://no-color.org>).
pub fn use_colour(stderr_is_terminal: bool, no_color: Option<&OsStr>) -> bool {
    stderr_is_terminal && no_color.is_none_or(OsStr::is_empty)
}

/// Counts warnings per call site and lets the first [`SHOWN`] of each through. Clones share
/// the counts.
#[derive(Debug, Clone, Default)]
pub struct Throttle {
    seen: Arc<Mutex<Vec<Seen>>>,
}

#[derive(Debug)]
struct Seen {
    callsite: Identifier,
    message: String,
    count: u64,
}

impl Throttle {
    /// Records one warning from `callsite`; whether to show it.
    fn admit(&self, callsite: Identifier, message: impl FnOnce() -> String) -> bool {
        let Ok(mut seen) = self.seen.lock() else { return true };
        let count = match seen.iter_mut().find(|s| s.callsite == callsite) {
            Some(s) => {
                s.count += 1;
                s.count
            }
            None => {
                seen.push(Seen { callsite, message: message(), count: 1 });
                1
            }
        };
        count <= SHOWN
    }

    /// Per kind of warning held back: its message and how many were not shown, in the order
    /// first seen.
    pub fn summary(&self) -> Vec<(String, u64)> {
        let Ok(seen) = self.seen.lock() else { return Vec::new() };
        seen.iter().filter(|s| s.count > SHOWN).map(|s| (s.message.clone(), s.count - SHOWN)).collect()
    }
}

impl<S: Subscriber> Layer<S> for Throttle {
    fn event_enabled(&self, event: &Event<'_>, _ctx: Context<'_, S>) -> bool {
        let meta = event.metadata();
        if *meta.level() != Level::WARN {
            return true;
        }
        self.admit(meta.callsite(), || {
            let mut v = MessageOf(String::new());
            event.record(&mut v);
            v.0
        })
    }
}

/// Takes the `message` field of an event.
struct MessageOf(String);

impl Visit for MessageOf {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(use_colour(true, None));
        assert!(use_colour(true, Some(OsStr::new(""))));
        assert!(!use_colour(true, Some(OsStr::new("1"))));
        assert!(!use_colour(false, None));
    }

    #[test]
    fn warnings_past_the_limit_are_counted_not_shown() {
        let throttle = Throttle::default();
        let subscriber = tracing_subscriber::registry().with(throttle.clone());
        tracing::subscriber::with_default(subscriber, || {
            for i in 0..12 {
                tracing::warn!(i, "input failed");
            }
            tracing::warn!("another warning");
        });
        assert_eq!(throttle.summary(), vec![("input failed".to_owned(), 12 - SHOWN)]);
    }
}

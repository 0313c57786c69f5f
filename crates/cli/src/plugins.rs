//! Links every plugin crate into the binary.
//!
//! A Cargo dependency that is never named in code is not linked, and its
//! `inventory::submit!` registration silently disappears (inventory issue #50). Each plugin
//! is therefore named here; `cargo xtask new-plugin` adds the line, and the test
//! `every_plugin_crate_is_registered` fails when a crate under `plugins/` is missing.

use docpipe_dedupe as _;
use docpipe_entities as _;
use docpipe_export as _;
use docpipe_extract as _;
use docpipe_normalise as _;
use docpipe_splitter as _;
use docpipe_summarise as _;

//! `my-docpipe`: the docpipe command line with one more plugin (`char-count`) linked in.
//!
//! A plugin registers its stages with `inventory::submit!`, but a crate that is a dependency
//! and is never named in code is not linked, and its stages silently vanish (inventory issue
//! #50). Naming it with `use … as _;` is the whole of the linking step.

use docpipe_char_count as _;

fn main() -> std::process::ExitCode {
    docpipe::main()
}

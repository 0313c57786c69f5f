//! The `docpipe` binary: everything lives in the library so the end-to-end tests can build
//! the same program under another name.

fn main() -> std::process::ExitCode {
    docpipe::main()
}

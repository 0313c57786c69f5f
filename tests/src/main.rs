//! The docpipe binary, built under the name `docpipe-under-test` so that the end-to-end
//! tests in this package spawn a fresh build of the real CLI.

fn main() -> std::process::ExitCode {
    docpipe::main()
}

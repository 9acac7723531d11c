//! The `shiptrace` command line's subcommands, as a library: the binary
//! (main.rs) parses arguments into these, and the Python bindings
//! (crates/py) reuse their configuration handling so that both read
//! configuration files and report errors alike.

pub mod analyze;
pub mod decode;
pub mod detect;
pub mod estimate;
pub mod imagery;
pub mod ingest;
pub mod simulate;
pub mod watch;

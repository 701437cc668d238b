//! The `chainrule` command line: a thin shell over the library.

mod cli;

fn main() {
    std::process::exit(cli::main());
}

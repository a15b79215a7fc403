fn main() -> std::process::ExitCode {
    sopline::cli::run()
}

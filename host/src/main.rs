/// The server allocates many short-lived strings and contact copies on
/// several threads; mimalloc serves them with less contention than glibc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sopline::cli::run()
}

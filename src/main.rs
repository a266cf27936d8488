fn main() -> std::process::ExitCode {
    reviewdesk::cli::main()
}

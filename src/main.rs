//! The `switchboard` command: the workstation (`run`, the default), the
//! server (`serve`) and the wallboard (`wallboard`).

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use switchboard::app::{RunOptions, default_data_dir, run};

/// Switchboard — the contact-centre workstation.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Where the database lives (default: the platform's data folder).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Do not run the demo traffic generator.
    #[arg(long, global = true)]
    no_demo: bool,
    /// Scale of demo traffic: 1 is a new contact every 20 s on average.
    #[arg(long, global = true, default_value_t = 1.0, value_name = "RATE")]
    demo_rate: f64,
    /// Sign in as this user (demo users: agent, supervisor, admin).
    #[arg(long, global = true, default_value = "agent", value_name = "LOGIN")]
    user: String,
    /// Write the milliseconds from start to first frame to this file.
    #[arg(long, global = true, value_name = "FILE", hide = true)]
    report_first_frame: Option<PathBuf>,
    /// Save a PNG of every mode into this folder, then quit.
    #[arg(long, global = true, value_name = "DIR")]
    screenshots: Option<PathBuf>,
    /// Do not play the offer chime.
    #[arg(long, global = true)]
    mute: bool,
    #[command(subcommand)]
    command: Option<Mode>,
}

#[derive(Debug, Subcommand)]
enum Mode {
    /// Open the workstation on the embedded engine (the default).
    Run,
    /// Run the engine as a server for many workstations.
    Serve,
    /// Open the full-screen wallboard.
    Wallboard,
}

fn main() -> ExitCode {
    let started = Instant::now();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("switchboard=info,wgpu=error,warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if !(cli.demo_rate.is_finite() && cli.demo_rate > 0.0 && cli.demo_rate <= 100.0) {
        eprintln!("switchboard: --demo-rate must be a number above 0 and at most 100");
        return ExitCode::from(2);
    }
    match cli.command.unwrap_or(Mode::Run) {
        Mode::Run => {
            let options = RunOptions {
                data_dir: cli.data_dir.unwrap_or_else(default_data_dir),
                demo: !cli.no_demo,
                demo_rate: cli.demo_rate,
                user: cli.user,
                started,
                report_first_frame: cli.report_first_frame,
                screenshots: cli.screenshots,
                sound: !cli.mute,
            };
            match run(options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(error) => {
                    eprintln!("switchboard: {error}");
                    ExitCode::FAILURE
                }
            }
        }
        Mode::Serve => not_yet("serve", "the remote server"),
        Mode::Wallboard => not_yet("wallboard", "the wallboard"),
    }
}

fn not_yet(command: &str, what: &str) -> ExitCode {
    eprintln!(
        "switchboard {command}: {what} is not available in this version yet. \
         Run `switchboard run` for the workstation on the embedded engine."
    );
    ExitCode::from(2)
}

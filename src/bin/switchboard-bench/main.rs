//! `switchboard-bench NAME`: the measurements the project reports, each in a
//! release build, each printing one JSON object as its last line.
//!
//! - `startup` (the default): start to first frame on a demo database, CPU
//!   used by an idle window, and resident memory after minutes of demo traffic.
//!   Needs a display; without one it starts a private Xvfb.
//! - `routing`: the distributor alone at 10 000 agents, 500 queues and
//!   100 000 waiting items (`--agents N`, `--growth` for 1 000 to 100 000).
//! - `engine`: new interactions through the engine with SQLite durability.
//! - `call`: a G.711 call with baresip (CPU, memory), our echo delay, and the
//!   jitter buffer under loss and jitter.
#![allow(clippy::print_stdout, reason = "a measuring tool reports on standard output")]

mod call;
mod engine;
mod routing;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "startup".to_owned());
    let rest: Vec<String> = args.collect();
    let result = match name.as_str() {
        "startup" => startup(&rest),
        "routing" => routing::run(&rest),
        "engine" => engine::run(&rest),
        "call" => call::run(&rest),
        other => Err(format!("unknown benchmark {other:?}; known: startup, routing, engine, call")),
    };
    match result {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("switchboard-bench: {error}");
            ExitCode::FAILURE
        }
    }
}

fn option(args: &[String], name: &str, default: f64) -> Result<f64, String> {
    match args.iter().position(|a| a == name) {
        Some(i) => args.get(i + 1).and_then(|v| v.parse().ok()).ok_or_else(|| format!("{name} needs a number")),
        None => Ok(default),
    }
}

/// The workstation binary next to this one.
fn workstation() -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let path = me.with_file_name("switchboard");
    if path.exists() {
        Ok(path)
    } else {
        Err(format!("{} not found: build it with `cargo build --release --bins`", path.display()))
    }
}

struct Display {
    xvfb: Option<Child>,
    name: String,
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Some(xvfb) = &mut self.xvfb {
            let _ = xvfb.kill();
            let _ = xvfb.wait();
        }
    }
}

fn display() -> Result<Display, String> {
    if let Ok(name) = std::env::var("DISPLAY") {
        return Ok(Display { xvfb: None, name });
    }
    let name = format!(":{}", 200 + std::process::id() % 100);
    let xvfb = Command::new("Xvfb")
        .args([&name, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("no DISPLAY and Xvfb could not start ({e}); run `make bench`"))?;
    std::thread::sleep(Duration::from_millis(1500));
    Ok(Display { xvfb: Some(xvfb), name })
}

fn launch(display: &Display, data: &Path, report: &Path, extra: &[&str]) -> Result<Child, String> {
    let runtime = data.join("runtime");
    std::fs::create_dir_all(&runtime).map_err(|e| e.to_string())?;
    Command::new(workstation()?)
        .arg("--data-dir")
        .arg(data)
        .arg("--report-first-frame")
        .arg(report)
        .arg("--mute")
        .args(extra)
        .env("DISPLAY", &display.name)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())
}

fn wait_for_report(report: &Path, child: &mut Child) -> Result<f64, String> {
    let deadline = Instant::now() + Duration::from_mins(1);
    while Instant::now() < deadline {
        if let Ok(text) = std::fs::read_to_string(report)
            && let Ok(millis) = text.trim().parse()
        {
            return Ok(millis);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the workstation exited early ({status})"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Err("no first frame within 60 s".into())
}

fn stop(mut child: Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// User + system CPU seconds of a process, from /proc.
fn cpu_seconds(pid: u32) -> Result<f64, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?;
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the name.
    Ok((ticks(11) + ticks(12)) / 100.0)
}

fn rss_mb(pid: u32) -> Result<f64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .ok_or_else(|| "no VmRSS".into())
}

fn startup(args: &[String]) -> Result<String, String> {
    let runs = option(args, "--runs", 5.0)? as usize;
    let idle_secs = option(args, "--idle-seconds", 20.0)?;
    let demo_minutes = option(args, "--demo-minutes", 10.0)?;
    let display = display()?;
    let dir = std::env::temp_dir().join(format!("switchboard-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let report = dir.join("first-frame.txt");

    // The first run creates and seeds the demo database; it is not timed.
    let mut child = launch(&display, &dir, &report, &["--no-demo"])?;
    wait_for_report(&report, &mut child)?;
    stop(child);

    let mut first_frames = Vec::new();
    for _ in 0..runs {
        let _ = std::fs::remove_file(&report);
        let mut child = launch(&display, &dir, &report, &[])?;
        first_frames.push(wait_for_report(&report, &mut child)?);
        stop(child);
    }
    first_frames.sort_by(f64::total_cmp);
    let median = first_frames[first_frames.len() / 2];

    let _ = std::fs::remove_file(&report);
    let mut child = launch(&display, &dir, &report, &["--no-demo"])?;
    wait_for_report(&report, &mut child)?;
    std::thread::sleep(Duration::from_secs(5));
    let before = cpu_seconds(child.id())?;
    std::thread::sleep(Duration::from_secs_f64(idle_secs));
    let idle_cpu_percent = (cpu_seconds(child.id())? - before) / idle_secs * 100.0;
    stop(child);

    let _ = std::fs::remove_file(&report);
    let mut child = launch(&display, &dir, &report, &["--demo-rate", "1"])?;
    wait_for_report(&report, &mut child)?;
    let rss_start = rss_mb(child.id())?;
    std::thread::sleep(Duration::from_secs_f64(demo_minutes * 60.0));
    let rss_end = rss_mb(child.id())?;
    let demo_cpu = cpu_seconds(child.id())?;
    stop(child);
    let _ = std::fs::remove_dir_all(&dir);

    Ok(format!(
        "{{\"first_frame_ms_median\":{median:.1},\"first_frame_ms_runs\":{first_frames:?},\
         \"idle_cpu_percent\":{idle_cpu_percent:.2},\"idle_seconds\":{idle_secs},\
         \"rss_mb_start\":{rss_start:.1},\"rss_mb_after_demo\":{rss_end:.1},\"demo_minutes\":{demo_minutes},\
         \"demo_cpu_seconds\":{demo_cpu:.1}}}"
    ))
}

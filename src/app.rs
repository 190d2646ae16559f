//! Starting the workstation: data folder, store, engine and window, with
//! errors a user can act on.

use crate::client::Embedded;
use crate::domain::SystemClock;
use crate::engine::{self, Engine, EngineOptions};
use crate::sim::SimOptions;
use crate::store::Store;
use crate::ui::{App, AppOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// What `switchboard run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The data folder.
    pub data_dir: PathBuf,
    /// Run the demo generator.
    pub demo: bool,
    /// Demo traffic scale.
    pub demo_rate: f64,
    /// Who signs in.
    pub user: String,
    /// When the process started.
    pub started: Instant,
    /// Write the time to first frame here.
    pub report_first_frame: Option<PathBuf>,
    /// Take the screenshot tour into this folder.
    pub screenshots: Option<PathBuf>,
    /// Play the offer chime.
    pub sound: bool,
}

/// Why the workstation could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data folder or database.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The engine.
    #[error(transparent)]
    Engine(#[from] crate::engine::EngineError),
    /// A thread could not be started.
    #[error("could not start the engine thread: {0}")]
    Thread(#[from] std::io::Error),
    /// The window.
    #[error("could not open the window: {0}. On a machine without a display, run under Xvfb (see the README)")]
    Window(String),
}

/// The platform's data folder for Switchboard.
#[must_use]
pub fn default_data_dir() -> PathBuf {
    directories::ProjectDirs::from("org", "Switchboard", "Switchboard")
        .map_or_else(|| PathBuf::from("switchboard-data"), |dirs| dirs.data_dir().to_path_buf())
}

/// Opens the store and starts the embedded engine on its own thread.
pub fn start_engine(data_dir: &Path, demo: Option<SimOptions>) -> Result<engine::EngineHandle, StartError> {
    let store = Store::open(data_dir)?;
    let options = EngineOptions { demo, ..EngineOptions::default() };
    let engine = Engine::open(store, Arc::new(SystemClock), &options)?;
    Ok(engine::spawn(engine)?)
}

/// Runs the workstation window until it is closed.
pub fn run(options: RunOptions) -> Result<(), StartError> {
    let demo = options.demo.then_some(SimOptions { rate: options.demo_rate, ..SimOptions::default() });
    let handle = start_engine(&options.data_dir, demo)?;
    let native = eframe::NativeOptions {
        renderer: eframe::Renderer::Wgpu,
        viewport: egui::ViewportBuilder::default()
            .with_title("Switchboard")
            .with_app_id("switchboard")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([960.0, 600.0]),
        ..eframe::NativeOptions::default()
    };
    let engine = handle.clone();
    let result = eframe::run_native(
        "Switchboard",
        native,
        Box::new(move |cc| {
            let ctx = cc.egui_ctx.clone();
            let waker: crate::client::Waker = Arc::new(move || ctx.request_repaint());
            let connection = Embedded::connect(engine, &options.user, waker);
            let app_options = AppOptions {
                sound: options.sound,
                started: Some(options.started),
                report_first_frame: options.report_first_frame,
                screenshots: options.screenshots,
                settings_dir: Some(options.data_dir.clone()),
            };
            Ok(Box::new(App::new(&cc.egui_ctx, Box::new(connection), app_options)))
        }),
    );
    handle.shutdown_blocking();
    result.map_err(|e| StartError::Window(e.to_string()))
}

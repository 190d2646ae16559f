//! The workstation window for UI tests: launched on a temporary database in
//! embedded mode with the demo generator off, rendered by wgpu on lavapipe.
#![allow(dead_code, reason = "each test file uses the helpers it needs")]

use egui_kittest::Harness;
use std::path::Path;
use std::time::Duration;
use switchboard::app::start_engine;
use switchboard::client::Embedded;
use switchboard::engine::EngineHandle;
use switchboard::ui::{App, AppOptions};

/// Opens the window as `login`, once the engine has said who that is.
pub fn launch(data: &Path, login: &str) -> (Harness<'static, App>, EngineHandle) {
    let engine = start_engine(data, None).expect("engine starts");
    let handle = engine.clone();
    let login = login.to_owned();
    let mut harness = Harness::builder().with_size(egui::vec2(1280.0, 800.0)).wgpu().build_eframe(move |cc| {
        let ctx = cc.egui_ctx.clone();
        let waker: switchboard::client::Waker = std::sync::Arc::new(move || ctx.request_repaint());
        let connection = Embedded::connect(handle, &login, waker);
        let options =
            AppOptions { sound: false, started: None, report_first_frame: None, screenshots: None, settings_dir: None };
        App::new(&cc.egui_ctx, Box::new(connection), options)
    });
    wait_until(&mut harness, |app| app.model.me.is_some());
    (harness, engine)
}

/// Closes the window before the engine, so that its connection goes first.
pub fn close(harness: Harness<'static, App>, engine: &EngineHandle) {
    drop(harness);
    engine.shutdown_blocking();
}

/// Steps the UI until the engine's events have made `done` true.
pub fn wait_until(harness: &mut Harness<'static, App>, done: impl Fn(&App) -> bool) {
    for _ in 0..500 {
        harness.step();
        if done(harness.state()) {
            harness.run_steps(2);
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the engine did not answer in time");
}

//! The screenshot tour: after the demo has run a few seconds, shows each mode
//! the user may see, saves a PNG of each, then closes the window. The first
//! Inbox picture waits for an offer and opens a conversation, so that it shows
//! the workstation at work.

use super::commands::UiCommand;
use super::mode::Mode;
use super::theme::ThemeKind;
use crate::domain::{Role, ThreadId};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Seconds of demo traffic before the first picture.
const WARM_UP: Duration = Duration::from_secs(8);
/// How much longer the first picture waits for an offer to show.
const OFFER_PATIENCE: Duration = Duration::from_secs(30);
/// Frames drawn between switching mode and taking its picture.
const SETTLE_FRAMES: u32 = 3;

/// One picture to take.
#[derive(Debug, Clone, Copy)]
struct Shot {
    mode: Mode,
    theme: ThemeKind,
}

/// The tour's progress.
pub struct Capture {
    folder: PathBuf,
    started: Instant,
    shots: Vec<Shot>,
    next: usize,
    settle: u32,
    saved: Arc<AtomicUsize>,
    requested: usize,
    waiting_for: usize,
}

impl Capture {
    /// A tour that writes into `folder`.
    #[must_use]
    pub fn new(folder: PathBuf) -> Self {
        if let Err(error) = std::fs::create_dir_all(&folder) {
            tracing::error!(%error, folder = %folder.display(), "cannot create the screenshot folder");
        }
        let mut shots: Vec<Shot> = Mode::ALL.iter().map(|&mode| Shot { mode, theme: ThemeKind::Dark }).collect();
        shots.push(Shot { mode: Mode::Inbox, theme: ThemeKind::Light });
        Self {
            folder,
            started: Instant::now(),
            shots,
            next: 0,
            settle: 0,
            saved: Arc::new(AtomicUsize::new(0)),
            requested: 0,
            waiting_for: 0,
        }
    }

    /// Advances the tour by one frame.
    /// `conversation` is a thread to open for the Inbox picture; the tour
    /// returns the command to open it when it wants it open.
    pub fn step(
        &mut self,
        ctx: &egui::Context,
        mode: &mut Mode,
        theme: &mut ThemeKind,
        role: Option<Role>,
        conversation: Option<(ThreadId, bool)>,
        offer_open: bool,
    ) -> Option<UiCommand> {
        ctx.request_repaint_after(Duration::from_millis(100));
        let role = role?;
        if self.started.elapsed() < WARM_UP {
            return None;
        }
        if self.next >= self.shots.len() {
            if self.saved.load(Ordering::Acquire) >= self.requested {
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            return None;
        }
        // One picture at a time: the next mode is shown only once this one is saved.
        if self.saved.load(Ordering::Acquire) < self.waiting_for {
            return None;
        }
        let shot = self.shots[self.next];
        if !shot.mode.is_allowed(role) {
            self.next += 1;
            return None;
        }
        if *mode != shot.mode || *theme != shot.theme {
            *mode = shot.mode;
            *theme = shot.theme;
            self.settle = 0;
            return None;
        }
        if shot.mode == Mode::Inbox
            && let Some((thread, open)) = conversation
            && !open
        {
            self.settle = 0;
            return Some(UiCommand::OpenThread(thread));
        }
        // The first Inbox picture waits a little for an offer, to show the banner.
        if self.next == 0 && !offer_open && self.started.elapsed() < WARM_UP + OFFER_PATIENCE {
            return None;
        }
        self.settle += 1;
        if self.settle < SETTLE_FRAMES {
            return None;
        }
        let theme_name = match shot.theme {
            ThemeKind::Dark => "dark",
            ThemeKind::Light => "light",
        };
        let path = self.folder.join(format!("{}-{theme_name}.png", format!("{:?}", shot.mode).to_lowercase()));
        let saved = self.saved.clone();
        ctx.request_screenshot(move |image| {
            let [w, h] = image.size;
            let bytes: Vec<u8> = image.pixels.iter().flat_map(egui::Color32::to_array).collect();
            match image::save_buffer(&path, &bytes, w as u32, h as u32, image::ColorType::Rgba8) {
                Ok(()) => tracing::info!(path = %path.display(), "screenshot saved"),
                Err(error) => tracing::error!(%error, path = %path.display(), "screenshot not saved"),
            }
            saved.fetch_add(1, Ordering::Release);
        });
        self.requested += 1;
        self.waiting_for = self.requested;
        self.next += 1;
        self.settle = 0;
        None
    }
}

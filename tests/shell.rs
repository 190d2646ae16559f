//! The workstation shell, driven like a person would: launched on a temporary
//! database in embedded mode with the demo generator off, rendered by wgpu on
//! lavapipe, widgets found by their accessible names.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly on purpose")]

#[path = "support/workstation.rs"]
mod workstation;

use egui_kittest::kittest::Queryable;
use switchboard::domain::AgentStatus;
use switchboard::store::Store;
use switchboard::ui::mode::Mode;
use switchboard::ui::theme::ThemeKind;
use workstation::{close, launch, wait_until};

#[test]
fn every_entry_of_the_bar_opens_its_mode_and_roles_hide_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, engine) = launch(dir.path(), "admin");
    for (label, mode) in [
        ("Routing", Mode::Routing),
        ("Phone", Mode::Phone),
        ("Queues", Mode::Queues),
        ("Activity", Mode::Activity),
        ("Monitoring", Mode::Monitoring),
        ("Admin", Mode::Admin),
        ("Inbox", Mode::Inbox),
    ] {
        harness.get_by_role_and_label(egui::accesskit::Role::Button, label).click();
        harness.run_steps(2);
        assert_eq!(harness.state().mode, mode, "{label}");
        match mode {
            Mode::Inbox => {}
            Mode::Phone => {
                harness.get_by_label("The phone is not connected");
            }
            Mode::Activity => {
                // Today and the day compared each show the figure.
                assert_eq!(harness.get_all_by_label("Non-queue calls made").count(), 2);
            }
            _ => {
                harness.get_by_label("Coming in a later release");
            }
        }
    }
    close(harness, &engine);

    let (harness, engine) = launch(dir.path(), "agent");
    assert!(harness.query_by_label("Monitoring").is_none(), "agents do not see Monitoring");
    assert!(harness.query_by_label("Admin").is_none(), "agents do not see Admin");
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Inbox");
    close(harness, &engine);
}

#[test]
fn pausing_with_a_reason_goes_through_the_engine_and_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, engine) = launch(dir.path(), "agent");
    harness.get_by_label("Status: Ready").click();
    harness.run_steps(2);
    harness.get_by_label("Lunch").click();
    let lunch = AgentStatus::Paused { reason: "Lunch".into() };
    wait_until(&mut harness, |app| app.my_status() == Some(&lunch));
    harness.get_by_label("Status: Paused — Lunch");
    close(harness, &engine);

    let store = Store::open(dir.path()).unwrap();
    let agent = store.load_workspace().unwrap().directory.users.into_iter().find(|u| u.login == "agent").unwrap();
    assert_eq!(agent.status, lunch, "the engine recorded it");
}

#[test]
fn language_and_theme_switch_and_the_shell_looks_right_in_both_themes() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, engine) = launch(dir.path(), "supervisor");
    harness.run_steps(3);
    harness.snapshot("shell_dark");

    harness.get_by_label("Light theme").click();
    harness.run_steps(3);
    assert_eq!(harness.state().theme, ThemeKind::Light);
    harness.snapshot("shell_light");

    harness.get_by_label("Français").click();
    harness.run_steps(3);
    harness.snapshot("shell_french");
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Boîte de réception");
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Supervision");
    harness.get_by_label("English").click();
    harness.run_steps(2);
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Inbox");
    close(harness, &engine);
}

#[test]
fn the_command_palette_lists_commands_with_shortcuts_and_runs_them() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, engine) = launch(dir.path(), "agent");
    // A blinking text cursor would make the picture depend on timing.
    harness.ctx.all_styles_mut(|style| style.visuals.text_cursor.blink = false);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_steps(2);
    assert!(harness.state().palette.is_some(), "Ctrl+K opens the palette");
    harness.snapshot("command_palette");
    harness.get_by_label("Go to Phone").click();
    harness.run_steps(2);
    assert_eq!(harness.state().mode, Mode::Phone);
    assert!(harness.state().palette.is_none(), "running a command closes the palette");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num1);
    harness.run_steps(2);
    assert_eq!(harness.state().mode, Mode::Inbox, "Ctrl+1 goes to the Inbox");
    close(harness, &engine);
}

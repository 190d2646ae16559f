//! The Phone pane: connection and account, the dial pad, each live call
//! with its controls and quality, and the call history.

use super::super::App;
use super::super::commands::UiCommand;
use super::super::i18n::{Text, tr};
use super::super::phone::{CallPhase, CallView, RecordingFor};
use super::super::theme::{self, SPACE};
use crate::domain::{CallDirection, CallOutcome};
use crate::voice::sip::ua::Registration;
use egui::{Align, Frame, Layout, Margin, RichText, Ui};
use egui_material_icons::icons as i;

const PAD: [[char; 3]; 4] = [['1', '2', '3'], ['4', '5', '6'], ['7', '8', '9'], ['*', '0', '#']];
const LEFT_WIDTH: f32 = 300.0;

/// Draws the pane.
pub fn show(app: &mut App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    status_line(app, ui, requests);
    wrap_up_line(app, ui, requests);
    ui.add_space(SPACE);
    if !app.phone.is_connected() {
        account_form(app, ui, requests);
        return;
    }
    ui.horizontal_top(|ui| {
        // The left column scrolls on its own when speed dial and audio outgrow the window.
        egui::ScrollArea::vertical().id_salt("phone-left").show(ui, |ui| {
            ui.vertical(|ui| {
                ui.set_width(LEFT_WIDTH);
                dialer(app, ui, requests);
                ui.add_space(SPACE * 2.0);
                speed_dial(app, ui, requests);
                clips(app, ui);
                audio(app, ui);
            });
        });
        ui.add_space(SPACE * 2.0);
        ui.vertical(|ui| {
            let calls: Vec<CallView> = app.phone.calls.clone();
            if calls.is_empty() {
                let palette = app.theme.palette();
                card(&palette, ui, |ui| {
                    ui.label(RichText::new(tr(app.language, Text::NoActiveCall)).color(palette.muted));
                });
            }
            for call in calls {
                call_card(app, ui, &call, requests);
                ui.add_space(SPACE);
            }
            ui.add_space(SPACE);
            history(app, ui, requests);
        });
    });
}

fn card(palette: &theme::Palette, ui: &mut Ui, contents: impl FnOnce(&mut Ui)) {
    Frame::new()
        .fill(palette.surface)
        .stroke(egui::Stroke::new(1.0, palette.border))
        .corner_radius(theme::RADIUS)
        .inner_margin(Margin::same(12))
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            contents(ui);
        });
}

/// My wrap-up after a call, with its countdown and the button that ends it (E3).
fn wrap_up_line(app: &App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let Some(me) = app.model.me else { return };
    let Some(until) = app.model.wrap_ups.get(&me) else { return };
    let lang = app.language;
    let palette = app.theme.palette();
    ui.horizontal(|ui| {
        theme::dot(ui, palette.warning, 10.0);
        let left = match until {
            Some(at) => {
                let now = app.model.engine_now(super::super::local_now());
                let seconds = ((at.0 - now.0).max(0) + 999) / 1000;
                ui.ctx().request_repaint_after(std::time::Duration::from_millis(500));
                format!("{seconds} {}", tr(lang, Text::SecondsLeft))
            }
            None => tr(lang, Text::UntilEnded).to_owned(),
        };
        ui.label(RichText::new(format!("{} — {left}", tr(lang, Text::InWrapUp))).strong().color(palette.warning));
        if ui.button(format!("{} {}", i::ICON_DONE.codepoint, tr(lang, Text::EndWrapUp))).clicked() {
            requests.push(UiCommand::EndWrapUp);
        }
    });
}

fn status_line(app: &App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let palette = app.theme.palette();
    let lang = app.language;
    ui.horizontal(|ui| {
        let (colour, text) = match (&app.phone.registration, app.phone.local_address) {
            (Some(Registration::Registered { .. }), _) => (
                palette.success,
                format!("{} {}@{}", tr(lang, Text::PhoneRegistered), app.phone.form.user, app.phone.form.server),
            ),
            (Some(Registration::Failed { reason }), _) => {
                (palette.danger, format!("{} {reason}", tr(lang, Text::PhoneRegistrationFailed)))
            }
            (Some(Registration::Registering), _) => (palette.warning, tr(lang, Text::PhoneRegistering).to_owned()),
            (_, Some(address)) => (palette.success, format!("{} {address}", tr(lang, Text::PhoneDirect))),
            (None | Some(Registration::Unregistered), None) => {
                (palette.muted, tr(lang, Text::PhoneNotConnected).to_owned())
            }
        };
        theme::dot(ui, colour, 10.0);
        ui.label(RichText::new(text).strong());
        if app.phone.is_connected() {
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                if ui
                    .button(format!("{} {}", i::ICON_PHONELINK_OFF.codepoint, tr(lang, Text::DisconnectPhone)))
                    .clicked()
                {
                    requests.push(UiCommand::DisconnectPhone);
                }
            });
        }
    });
    if let Some(error) = &app.phone.error {
        ui.label(RichText::new(error).color(palette.danger));
    }
}

fn account_form(app: &mut App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let lang = app.language;
    let muted = app.theme.palette().muted;
    let form = &mut app.phone.form;
    Frame::new().inner_margin(Margin::same(4)).show(ui, |ui| {
        ui.set_max_width(520.0);
        ui.heading(tr(lang, Text::PhoneAccount));
        ui.add_space(SPACE);
        egui::Grid::new("phone-account").num_columns(2).spacing([12.0, 10.0]).show(ui, |ui| {
            let name = ui.label(tr(lang, Text::SipServer));
            ui.add(
                egui::TextEdit::singleline(&mut form.server)
                    .hint_text(tr(lang, Text::SipServerHint))
                    .desired_width(320.0),
            )
            .labelled_by(name.id);
            ui.end_row();
            let name = ui.label(tr(lang, Text::SipUser));
            ui.add(egui::TextEdit::singleline(&mut form.user).hint_text("agent").desired_width(320.0))
                .labelled_by(name.id);
            ui.end_row();
            let name = ui.label(tr(lang, Text::SipPassword));
            ui.add(egui::TextEdit::singleline(&mut form.password).password(true).desired_width(320.0))
                .labelled_by(name.id);
            ui.end_row();
            let name = ui.label(tr(lang, Text::LocalPort));
            ui.add(egui::TextEdit::singleline(&mut form.port).hint_text("5060").desired_width(100.0))
                .labelled_by(name.id);
            ui.end_row();
            ui.label("");
            ui.checkbox(&mut form.tcp, tr(lang, Text::UseTcp));
            ui.end_row();
        });
        ui.label(RichText::new(tr(lang, Text::PasswordInMemory)).small().color(muted));
        ui.add_space(SPACE);
        if ui
            .button(
                RichText::new(format!("{} {}", i::ICON_PHONELINK_RING.codepoint, tr(lang, Text::ConnectPhone)))
                    .strong(),
            )
            .clicked()
        {
            requests.push(UiCommand::ConnectPhone);
        }
    });
}

fn dialer(app: &mut App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let lang = app.language;
    let palette = app.theme.palette();
    let dial = &mut app.phone.dial;
    let field = ui.add(
        egui::TextEdit::singleline(dial)
            .hint_text(tr(lang, Text::NumberToCall))
            .font(egui::TextStyle::Heading)
            .desired_width(LEFT_WIDTH),
    );
    let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
    ui.add_space(SPACE);
    let key_size = egui::vec2((LEFT_WIDTH - 2.0 * SPACE) / 3.0, 48.0);
    egui::Grid::new("dial-pad").spacing([SPACE, SPACE]).show(ui, |ui| {
        for row in PAD {
            for key in row {
                if ui.add_sized(key_size, egui::Button::new(RichText::new(key.to_string()).size(22.0))).clicked() {
                    dial.push(key);
                }
            }
            ui.end_row();
        }
    });
    ui.add_space(SPACE);
    ui.horizontal(|ui| {
        let call = egui::Button::new(
            RichText::new(format!("{} {}", i::ICON_CALL.codepoint, tr(lang, Text::CallButton)))
                .strong()
                .size(16.0)
                .color(palette.on_accent),
        )
        .fill(palette.success)
        .min_size(egui::vec2(LEFT_WIDTH - 56.0, 40.0));
        if (ui.add(call).clicked() || entered) && !dial.trim().is_empty() {
            requests.push(UiCommand::Dial(dial.trim().to_owned()));
        }
        if ui.add_sized([48.0, 40.0], egui::Button::new(i::ICON_BACKSPACE.codepoint)).clicked() {
            dial.pop();
        }
    });
}

/// Saved numbers, one click to call; added and removed here.
fn speed_dial(app: &mut App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let lang = app.language;
    let desk = &mut app.phone;
    egui::CollapsingHeader::new(
        RichText::new(format!("{} {}", i::ICON_STAR.codepoint, tr(lang, Text::SpeedDial))).strong(),
    )
    .id_salt("speed-dial")
    .default_open(true)
    .show(ui, |ui| {
        let mut remove = None;
        for (at, (name, number)) in desk.speed_dial.iter().enumerate() {
            ui.horizontal(|ui| {
                if ui.button(format!("{} {name}", i::ICON_CALL.codepoint)).on_hover_text(number).clicked() {
                    requests.push(UiCommand::Dial(number.clone()));
                }
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    if ui.small_button(i::ICON_CLOSE.codepoint).on_hover_text(tr(lang, Text::RemoveSpeedDial)).clicked()
                    {
                        remove = Some(at);
                    }
                });
            });
        }
        if let Some(at) = remove {
            desk.speed_dial.remove(at);
            desk.unsaved = true;
        }
        ui.horizontal(|ui| {
            let (name, number) = &mut desk.new_speed_dial;
            ui.add(egui::TextEdit::singleline(name).hint_text(tr(lang, Text::SpeedDialName)).desired_width(100.0));
            ui.add(egui::TextEdit::singleline(number).hint_text(tr(lang, Text::SpeedDialNumber)).desired_width(120.0));
            if ui.button(tr(lang, Text::AddSpeedDial)).clicked() && !number.trim().is_empty() {
                let name = if name.trim().is_empty() { number.trim().to_owned() } else { name.trim().to_owned() };
                desk.speed_dial.push((name, number.trim().to_owned()));
                desk.new_speed_dial = (String::new(), String::new());
                desk.unsaved = true;
            }
        });
    });
    ui.add_space(SPACE);
}

/// The agent's audio clips: record, re-record, archive, delete, and play into the call in progress.
fn clips(app: &mut App, ui: &mut Ui) {
    let lang = app.language;
    let palette = app.theme.palette();
    let desk = &mut app.phone;
    if desk.clips.is_none() {
        return;
    }
    let in_call = desk.calls.iter().find(|c| c.phase == CallPhase::Connected).map(|c| c.handle);
    egui::CollapsingHeader::new(
        RichText::new(format!("{} {}", i::ICON_LIBRARY_MUSIC.codepoint, tr(lang, Text::AudioClips))).strong(),
    )
    .id_salt("audio-clips")
    .default_open(true)
    .show(ui, |ui| {
        let listed: Vec<(u64, String, String, bool, usize)> = desk
            .clips
            .as_ref()
            .map(|library| {
                library
                    .clips()
                    .iter()
                    .filter(|c| desk.show_archived || !c.archived)
                    .map(|c| (c.id, c.name.clone(), c.tags.join(", "), c.archived, c.samples))
                    .collect()
            })
            .unwrap_or_default();
        if listed.is_empty() {
            ui.label(RichText::new(tr(lang, Text::NoClips)).small().color(palette.muted));
        }
        for (id, name, tags, archived, samples) in listed {
            ui.horizontal(|ui| {
                let seconds = samples as f32 / 8000.0;
                let label = if tags.is_empty() {
                    format!("{name} · {seconds:.1} s")
                } else {
                    format!("{name} · {seconds:.1} s · {tags}")
                };
                ui.label(RichText::new(label).color(if archived { palette.muted } else { palette.text }));
            });
            ui.horizontal(|ui| {
                if let Some(call) = in_call
                    && !archived
                {
                    if ui
                        .small_button(format!("{} {}", i::ICON_PLAY_ARROW.codepoint, tr(lang, Text::PlayClip)))
                        .clicked()
                    {
                        desk.play_clip(call, id, false);
                    }
                    if ui
                        .small_button(format!("{}{}", i::ICON_PLAY_ARROW.codepoint, i::ICON_CALL_END.codepoint))
                        .on_hover_text(tr(lang, Text::PlayClipAndHangUp))
                        .clicked()
                    {
                        desk.play_clip(call, id, true);
                    }
                }
                if desk.recording.is_none()
                    && ui.small_button(i::ICON_MIC.codepoint).on_hover_text(tr(lang, Text::Rerecord)).clicked()
                {
                    desk.start_recording(RecordingFor::Rerecord(id));
                }
                let (icon, text) =
                    if archived { (i::ICON_UNARCHIVE, Text::Unarchive) } else { (i::ICON_ARCHIVE, Text::Archive) };
                if ui.small_button(icon.codepoint).on_hover_text(tr(lang, text)).clicked() {
                    desk.edit_clips(|library| library.set_archived(id, !archived));
                }
                if ui.small_button(i::ICON_DELETE.codepoint).on_hover_text(tr(lang, Text::DeleteClip)).clicked() {
                    desk.edit_clips(|library| library.delete(id));
                }
            });
        }
        ui.checkbox(&mut desk.show_archived, tr(lang, Text::ShowArchived));
        if let Some((recorder, _)) = &desk.recording {
            let level = recorder.level();
            ui.horizontal(|ui| {
                ui.add(
                    egui::ProgressBar::new(level.clamp(0.0, 1.0))
                        .desired_width(120.0)
                        .desired_height(8.0)
                        .fill(palette.danger),
                );
                if ui.button(format!("{} {}", i::ICON_STOP.codepoint, tr(lang, Text::StopRecording))).clicked() {
                    desk.stop_recording();
                }
            });
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
        } else {
            ui.horizontal(|ui| {
                let (name, tags) = &mut desk.new_clip;
                ui.add(egui::TextEdit::singleline(name).hint_text(tr(lang, Text::ClipName)).desired_width(100.0));
                ui.add(egui::TextEdit::singleline(tags).hint_text(tr(lang, Text::ClipTags)).desired_width(80.0));
                if ui
                    .button(format!("{} {}", i::ICON_FIBER_MANUAL_RECORD.codepoint, tr(lang, Text::RecordClip)))
                    .clicked()
                    && !name.trim().is_empty()
                {
                    let tags = tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
                    let purpose = RecordingFor::New(name.trim().to_owned(), tags);
                    desk.new_clip = (String::new(), String::new());
                    desk.start_recording(purpose);
                }
            });
        }
    });
    ui.add_space(SPACE);
}

/// Devices, volumes and the microphone meter.
fn audio(app: &mut App, ui: &mut Ui) {
    let lang = app.language;
    let palette = app.theme.palette();
    let in_call = app.phone.calls.iter().any(|c| c.phase == CallPhase::Connected);
    let level = app.phone.input_level();
    egui::CollapsingHeader::new(
        RichText::new(format!("{} {}", i::ICON_HEADSET_MIC.codepoint, tr(lang, Text::AudioSettings))).strong(),
    )
    .id_salt("phone-audio")
    .show(ui, |ui| {
        let desk = &mut app.phone;
        if desk.devices.is_none() && ui.button(tr(lang, Text::FindDevices)).clicked() {
            desk.list_devices();
        }
        let mut changed = false;
        let (inputs, outputs) = match &desk.devices {
            Some(Ok(devices)) => (devices.inputs.clone(), devices.outputs.clone()),
            Some(Err(error)) => {
                ui.label(RichText::new(error).color(palette.warning));
                (Vec::new(), Vec::new())
            }
            None => (Vec::new(), Vec::new()),
        };
        for (name, choice, options, id) in [
            (Text::Microphone, &mut desk.audio.input_device, inputs, "microphone"),
            (Text::Speaker, &mut desk.audio.output_device, outputs, "speaker"),
        ] {
            let label = ui.label(tr(lang, name));
            let shown = choice.clone().unwrap_or_else(|| tr(lang, Text::SystemDefault).to_owned());
            egui::ComboBox::from_id_salt(id)
                .selected_text(shown)
                .width(LEFT_WIDTH - 24.0)
                .show_ui(ui, |ui| {
                    changed |= ui.selectable_value(choice, None, tr(lang, Text::SystemDefault)).changed();
                    for option in options {
                        changed |= ui.selectable_value(choice, Some(option.clone()), option).changed();
                    }
                })
                .response
                .labelled_by(label.id);
        }
        ui.add_space(4.0);
        egui::Grid::new("phone-volumes").num_columns(2).spacing([12.0, 6.0]).show(ui, |ui| {
            for (name, volume) in
                [(Text::Microphone, &mut desk.audio.input_volume), (Text::Speaker, &mut desk.audio.output_volume)]
            {
                let label = ui.label(format!("{} {}", i::ICON_VOLUME_UP.codepoint, tr(lang, name)));
                let slider = egui::Slider::new(volume, 0.0..=2.0).show_value(false);
                changed |= ui.add(slider).labelled_by(label.id).changed();
                ui.end_row();
            }
        });
        if in_call {
            ui.horizontal(|ui| {
                ui.label(tr(lang, Text::InputLevel));
                ui.add(
                    egui::ProgressBar::new(level.clamp(0.0, 1.0))
                        .desired_width(160.0)
                        .desired_height(8.0)
                        .fill(palette.success),
                );
            });
            ui.ctx().request_repaint_after(std::time::Duration::from_millis(100));
        }
        ui.label(RichText::new(tr(lang, Text::DevicesNextCall)).small().color(palette.muted));
        if changed {
            desk.apply_audio();
        }
    });
}

fn phase_text(call: &CallView) -> Text {
    match call.phase {
        CallPhase::Dialling => Text::CallDialling,
        CallPhase::Ringing => Text::CallRinging,
        CallPhase::Incoming => Text::CallIncoming,
        CallPhase::Connected if call.held => Text::CallOnHold,
        CallPhase::Connected => Text::CallConnected,
    }
}

fn clock(duration: std::time::Duration) -> String {
    let seconds = duration.as_secs();
    format!("{:02}:{:02}:{:02}", seconds / 3600, seconds / 60 % 60, seconds % 60)
}

fn call_card(app: &mut App, ui: &mut Ui, call: &CallView, requests: &mut Vec<UiCommand>) {
    let lang = app.language;
    let palette = app.theme.palette();
    card(&palette, ui, |ui| {
        ui.horizontal(|ui| {
            let icon = if call.outgoing { i::ICON_CALL_MADE } else { i::ICON_CALL_RECEIVED };
            ui.label(RichText::new(icon.codepoint).size(22.0).color(palette.accent));
            ui.vertical(|ui| {
                ui.label(RichText::new(&call.remote).strong().size(16.0));
                let mut state = tr(lang, phase_text(call)).to_owned();
                if call.remote_hold {
                    state = format!("{state} — {}", tr(lang, Text::HeldByOther));
                }
                ui.label(RichText::new(state).color(if call.held || call.remote_hold {
                    palette.warning
                } else {
                    palette.muted
                }));
            });
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                ui.label(RichText::new(clock(call.elapsed())).monospace().size(18.0));
            });
        });
        if let Some(reason) = &call.no_sound {
            ui.add(
                egui::Label::new(
                    RichText::new(format!("{} {} {reason}", i::ICON_VOLUME_OFF.codepoint, tr(lang, Text::NoSound)))
                        .color(palette.warning),
                )
                .wrap(),
            );
        }
        ui.add_space(SPACE);
        ui.horizontal_wrapped(|ui| {
            if call.phase == CallPhase::Incoming {
                let answer = egui::Button::new(
                    RichText::new(format!("{} {}", i::ICON_CALL.codepoint, tr(lang, Text::Answer)))
                        .color(palette.on_accent),
                )
                .fill(palette.success);
                if ui.add(answer).clicked() {
                    requests.push(UiCommand::AnswerCall(call.handle));
                }
            }
            if call.phase == CallPhase::Connected {
                let (hold_text, hold) = if call.held {
                    (Text::ResumeCall, UiCommand::ResumeCall(call.handle))
                } else {
                    (Text::Hold, UiCommand::HoldCall(call.handle))
                };
                if ui
                    .selectable_label(call.held, format!("{} {}", i::ICON_PAUSE.codepoint, tr(lang, hold_text)))
                    .clicked()
                {
                    requests.push(hold);
                }
                let (mic, mute_text) =
                    if call.muted { (i::ICON_MIC_OFF, Text::Unmute) } else { (i::ICON_MIC, Text::Mute) };
                if ui.selectable_label(call.muted, format!("{} {}", mic.codepoint, tr(lang, mute_text))).clicked() {
                    requests.push(UiCommand::MuteCall(call.handle, !call.muted));
                }
                if ui
                    .selectable_label(call.keypad, format!("{} {}", i::ICON_DIALPAD.codepoint, tr(lang, Text::Keypad)))
                    .clicked()
                    && let Some(view) = app.phone.calls.iter_mut().find(|c| c.handle == call.handle)
                {
                    view.keypad = !view.keypad;
                }
            }
            let hang_up = egui::Button::new(
                RichText::new(format!(
                    "{} {}",
                    i::ICON_CALL_END.codepoint,
                    tr(lang, if call.phase == CallPhase::Incoming { Text::Decline } else { Text::HangUp })
                ))
                .color(palette.on_accent),
            )
            .fill(palette.danger);
            if ui.add(hang_up).clicked() {
                requests.push(if call.phase == CallPhase::Incoming {
                    UiCommand::DeclineCall(call.handle)
                } else {
                    UiCommand::HangUp(call.handle)
                });
            }
        });
        if call.phase != CallPhase::Connected {
            return;
        }
        let Some(view) = app.phone.calls.iter_mut().find(|c| c.handle == call.handle) else { return };
        if view.keypad {
            ui.add_space(SPACE);
            ui.horizontal(|ui| {
                for key in PAD.iter().flatten() {
                    if ui.add_sized([32.0, 28.0], egui::Button::new(key.to_string())).clicked() {
                        requests.push(UiCommand::SendDigit(call.handle, *key));
                    }
                }
            });
        }
        if !view.digits.is_empty() {
            ui.label(RichText::new(format!("DTMF: {}", view.digits)).color(palette.muted));
        }
        ui.add_space(SPACE);
        ui.horizontal(|ui| {
            ui.label(tr(lang, Text::TransferTo));
            ui.add(
                egui::TextEdit::singleline(&mut view.transfer_to)
                    .hint_text(tr(lang, Text::NumberToCall))
                    .desired_width(220.0),
            );
            if ui.button(format!("{} {}", i::ICON_PHONE_FORWARDED.codepoint, tr(lang, Text::Transfer))).clicked()
                && !view.transfer_to.trim().is_empty()
            {
                requests.push(UiCommand::TransferCall(call.handle, view.transfer_to.trim().to_owned()));
            }
        });
        ui.add_space(SPACE);
        ui.add(
            egui::TextEdit::multiline(&mut view.notes)
                .hint_text(tr(lang, Text::CallNotes))
                .desired_rows(2)
                .desired_width(f32::INFINITY),
        );
        ui.horizontal(|ui| {
            let label = ui.label(tr(lang, Text::Disposition));
            let chosen = view
                .disposition
                .as_ref()
                .and_then(|key| app.model.categories.iter().find(|c| &c.key == key))
                .map_or_else(|| tr(lang, Text::NoDisposition).to_owned(), |c| c.name.clone());
            egui::ComboBox::from_id_salt(("disposition", call.handle.0))
                .selected_text(chosen)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut view.disposition, None, tr(lang, Text::NoDisposition));
                    for category in &app.model.categories {
                        ui.selectable_value(&mut view.disposition, Some(category.key.clone()), &category.name);
                    }
                })
                .response
                .labelled_by(label.id);
            ui.add(egui::TextEdit::singleline(&mut view.tags).hint_text(tr(lang, Text::Tags)).desired_width(260.0));
        });
        ui.horizontal(|ui| {
            let label = ui.label(tr(lang, Text::Contact));
            let chosen =
                view.contact.as_ref().map_or_else(|| tr(lang, Text::NoContact).to_owned(), |(_, name)| name.clone());
            egui::ComboBox::from_id_salt(("contact", call.handle.0))
                .selected_text(chosen)
                .width(260.0)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut view.contact, None, tr(lang, Text::NoContact));
                    // The customers of my recent conversations, each once.
                    let mut seen = std::collections::HashSet::new();
                    for thread in app.model.threads().filter(|t| seen.insert(t.customer)).take(200) {
                        let choice = Some((thread.customer, thread.customer_name.clone()));
                        ui.selectable_value(&mut view.contact, choice, &thread.customer_name);
                    }
                })
                .response
                .labelled_by(label.id);
        });
        if let Some(stats) = &view.stats {
            let round_trip = stats.round_trip_ms.map_or_else(|| "—".to_owned(), |ms| format!("{ms:.0} ms"));
            ui.label(
                RichText::new(format!(
                    "{}: {} · jitter {:.1} ms · lost {} · round trip {round_trip} · buffer {:.0} ms · concealed {:.1} %",
                    tr(lang, Text::CallQuality),
                    stats.codec,
                    stats.jitter_ms,
                    stats.packets_lost.max(0),
                    stats.buffer_ms,
                    stats.concealed * 100.0
                ))
                .small()
                .color(palette.muted),
            );
        }
    });
}

fn history(app: &App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let lang = app.language;
    let palette = app.theme.palette();
    ui.label(RichText::new(tr(lang, Text::CallHistory)).strong().size(15.0));
    ui.add_space(4.0);
    if app.model.calls.is_empty() {
        ui.label(RichText::new(tr(lang, Text::NoCallsYet)).color(palette.muted));
        return;
    }
    egui::Grid::new("call-history").num_columns(5).striped(true).spacing([16.0, 6.0]).show(ui, |ui| {
        for call in app.model.calls.iter().take(50) {
            let made = call.direction == CallDirection::Made;
            let (icon, colour) = match call.outcome {
                CallOutcome::Unanswered if !made => (i::ICON_CALL_MISSED, palette.danger),
                _ if made => (i::ICON_CALL_MADE, palette.muted),
                _ => (i::ICON_CALL_RECEIVED, palette.muted),
            };
            ui.label(RichText::new(icon.codepoint).color(colour));
            let started =
                chrono::DateTime::from_timestamp_millis(call.started_at.0).map(|t| t.with_timezone(&chrono::Local));
            ui.label(started.map_or_else(String::new, |t| t.format("%d/%m %H:%M").to_string()));
            ui.label(&call.remote);
            let outcome = tr(lang, outcome_text(call.outcome, made));
            ui.label(if call.answered_at.is_some() {
                format!("{} · {outcome}", clock(std::time::Duration::from_millis(call.talk_millis().unsigned_abs())))
            } else {
                outcome.to_owned()
            });
            if ui.small_button(format!("{} {}", i::ICON_CALL.codepoint, tr(lang, Text::CallBack))).clicked() {
                requests.push(UiCommand::Dial(
                    call.remote.rsplit('<').next().unwrap_or(&call.remote).trim_end_matches('>').to_owned(),
                ));
            }
            ui.end_row();
        }
    });
}

fn outcome_text(outcome: CallOutcome, made: bool) -> Text {
    match outcome {
        CallOutcome::Answered => Text::EndAnswered,
        CallOutcome::Unanswered if made => Text::EndNoAnswer,
        CallOutcome::Unanswered => Text::EndMissed,
        CallOutcome::Busy => Text::EndBusy,
        CallOutcome::Transferred => Text::EndTransferred,
        CallOutcome::Failed => Text::EndFailed,
    }
}

//! The Phone pane driven like an agent would: connect the phone for direct
//! calls, take a real SIP call placed by a second softphone on 127.0.0.1,
//! answer it from the banner, hold, resume, hang up, and find it in the
//! history. The window's phone opens the sound card through cpal; with no
//! sound card here, the pane must say why the call has no sound.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly on purpose")]

#[path = "support/peers.rs"]
mod peers;
#[path = "support/workstation.rs"]
mod workstation;

use egui_kittest::kittest::Queryable;
use egui_material_icons::icons as i;
use std::sync::Arc;
use std::time::Duration;
use switchboard::domain::{CallDirection, CallOutcome, Timestamp};
use switchboard::ui::mode::Mode;
use switchboard::ui::phone::CallPhase;
use switchboard::voice::phone::{AudioRoute, EchoPort, Phone, PhoneCommand, PhoneEvent, PhoneSettings};
use switchboard::voice::sip::ua::{EndReason, UaEvent};
use workstation::{close, launch, wait_until};

fn label(icon: egui_material_icons::MaterialIcon, text: &str) -> String {
    format!("{} {text}", icon.codepoint)
}

#[test]
fn an_agent_takes_a_call_holds_it_and_hangs_up() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, engine) = launch(dir.path(), "agent");
    harness.ctx.all_styles_mut(|style| style.visuals.text_cursor.blink = false);
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Phone").click();
    harness.run_steps(2);
    assert_eq!(harness.state().mode, Mode::Phone);
    harness.snapshot("phone_account");
    // A fixed port keeps the pictures the same from run to run.
    let port = 45_071;
    harness.state_mut().phone.form.port = port.to_string();
    harness.get_by_label(&label(i::ICON_PHONELINK_RING, "Connect the phone")).click();
    wait_until(&mut harness, |app| app.phone.local_address.is_some());

    // A customer's softphone calls the agent's.
    let settings = PhoneSettings {
        listen: "127.0.0.1:0".parse().unwrap(),
        user: "customer".into(),
        display_name: Some("Claire Martin".into()),
        audio: AudioRoute::Custom(Arc::new(|| {
            Ok(Box::new(EchoPort::default()) as Box<dyn switchboard::voice::phone::AudioPort>)
        })),
        ..PhoneSettings::default()
    };
    let customer = Phone::start(settings, || {}).unwrap();
    customer.send(PhoneCommand::Dial(format!("sip:agent@127.0.0.1:{port}")));
    wait_until(&mut harness, |app| app.phone.incoming().is_some());
    harness.get_by_label("Incoming call from Claire Martin <customer@127.0.0.1>");
    // The banner and the call's card both offer Answer; the banner's comes first.
    harness.get_all_by_label(&label(i::ICON_CALL, "Answer")).next().unwrap().click();
    wait_until(&mut harness, |app| app.phone.calls.first().is_some_and(|c| c.phase == CallPhase::Connected));
    wait_until(&mut harness, |app| app.phone.calls.first().is_some_and(|c| c.no_sound.is_some()));
    harness.get_by_label(&label(i::ICON_PAUSE, "Hold")).click();
    wait_until(&mut harness, |app| app.phone.calls.first().is_some_and(|c| c.held));
    harness.get_by_label("On hold");
    // Pin the call timer for the picture.
    harness.state_mut().phone.calls[0].connected = Some(std::time::Instant::now());
    harness.run_steps(3);
    harness.snapshot("phone_call_on_hold");
    harness.get_by_label(&label(i::ICON_PAUSE, "Resume")).click();
    wait_until(&mut harness, |app| app.phone.calls.first().is_some_and(|c| !c.held));
    // After-call work typed during the call travels with the record.
    {
        let call = &mut harness.state_mut().phone.calls[0];
        call.notes = "Asked about the new tariff".into();
        call.disposition = Some("billing".into());
        call.tags = "tariff, follow-up".into();
        // Pin the call timer for the picture.
        call.connected = Some(std::time::Instant::now());
    }
    harness.run_steps(2);
    harness.snapshot("phone_call_after_work");
    harness.get_by_label(&label(i::ICON_CALL_END, "Hang up")).click();
    // The engine records the call, and the history shows it from there.
    wait_until(&mut harness, |app| app.phone.calls.is_empty() && !app.model.calls.is_empty());
    // The talked call is followed by wrap-up, which the agent ends (E3).
    wait_until(&mut harness, |app| app.model.me.is_some_and(|me| app.model.wrap_ups.contains_key(&me)));
    {
        // Pin the countdown and the history times for the picture.
        let app = harness.state_mut();
        let me = app.model.me.unwrap();
        app.model.wrap_ups.insert(me, None);
        let entry = &mut app.model.calls[0];
        entry.started_at = Timestamp(1_795_858_200_000);
        entry.answered_at = Some(Timestamp(1_795_858_205_000));
        entry.ended_at = Timestamp(1_795_858_280_000);
    }
    harness.run_steps(2);
    harness.snapshot("phone_wrap_up");
    harness.get_by_label(&label(i::ICON_DONE, "End wrap-up")).click();
    wait_until(&mut harness, |app| app.model.wrap_ups.is_empty());
    let recorded = harness.state().model.calls[0].clone();
    assert_eq!(
        (recorded.direction, recorded.outcome, recorded.queue),
        (CallDirection::Taken, CallOutcome::Answered, None)
    );
    assert!(recorded.remote.contains("customer@127.0.0.1"));
    assert_eq!(recorded.disposition.as_deref(), Some("billing"));
    assert_eq!(recorded.tags, ["tariff", "follow-up"]);
    assert_eq!(recorded.notes, "Asked about the new tariff");
    // Pin the clock times for the picture.
    let entry = &mut harness.state_mut().model.calls[0];
    entry.started_at = Timestamp(1_795_858_200_000);
    entry.answered_at = Some(Timestamp(1_795_858_205_000));
    entry.ended_at = Timestamp(1_795_858_280_000);
    // A speed-dial entry for the customer, ready for the next call.
    harness.state_mut().phone.new_speed_dial = ("Claire Martin".into(), "customer@127.0.0.1".into());
    harness.get_by_label("Add").click();
    harness.run_steps(2);
    assert_eq!(harness.state().phone.speed_dial, [("Claire Martin".to_owned(), "customer@127.0.0.1".to_owned())]);
    harness.get_by_label(&label(i::ICON_CALL, "Claire Martin"));
    harness.get_by_label(&label(i::ICON_HEADSET_MIC, "Audio")).click();
    harness.run_steps(3);
    harness.get_by_label("Find devices");
    harness.snapshot("phone_history");
    assert!(harness.query_by_label_contains("Answered").is_some(), "the history says how it ended");
    // The call counts in today's activity as a non-queue call taken (G1).
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Activity").click();
    wait_until(&mut harness, |app| app.model.activity.values().any(|f| f.direct_calls_taken == 1));
    // The week view (G2) charts it and exports the week as CSV.
    harness.get_by_label("Week").click();
    wait_until(&mut harness, |app| app.model.activity.len() >= 7);
    harness.get_by_label(&label(i::ICON_DOWNLOAD, "Export CSV")).click();
    wait_until(&mut harness, |app| app.activity.exported.is_some());
    let exported = harness.state().activity.exported.clone().unwrap().unwrap();
    let csv = std::fs::read_to_string(&exported).unwrap();
    assert_eq!(csv.lines().count(), 8, "a header and seven days");
    assert!(csv.lines().any(|row| row.split(',').nth(2) == Some("1")), "today's call is in the export: {csv}");

    let mut ended = None;
    for _ in 0..50 {
        if let Some(PhoneEvent::Sip(UaEvent::Ended { reason, .. })) = customer.wait_event(Duration::from_millis(100)) {
            ended = Some(reason);
            break;
        }
    }
    assert_eq!(ended, Some(EndReason::RemoteHangup), "the customer heard the agent hang up");
    close(harness, &engine);
}

/// Records what it hears and says nothing.
struct Ear(Arc<std::sync::Mutex<Vec<i16>>>);

impl switchboard::voice::phone::AudioPort for Ear {
    fn read_frame(&mut self, _out: &mut [i16; 80]) -> bool {
        false
    }

    fn write_frame(&mut self, frame: &[i16; 80]) {
        self.0.lock().unwrap().extend_from_slice(frame);
    }
}

#[test]
fn an_agent_plays_a_clip_into_the_call_and_it_ends_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut harness, engine) = launch(dir.path(), "agent");
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Phone").click();
    harness.run_steps(2);
    // Two clips: one to play, one archived (hidden during calls).
    let clips = tempfile::tempdir().unwrap();
    let mut library = switchboard::client::clips::ClipLibrary::open(clips.path()).unwrap();
    let tone: Vec<i16> = (0..8000)
        .map(|n| ((f64::from(n) * 2.0 * std::f64::consts::PI * 700.0 / 8000.0).sin() * 9000.0) as i16)
        .collect();
    library.add("Closing message", vec!["goodbye".into()], &tone).unwrap();
    let old = library.add("Old promotion", Vec::new(), &tone).unwrap();
    library.set_archived(old, true).unwrap();
    harness.state_mut().phone.clips = Some(library);
    harness.state_mut().phone.form.port = "45072".into();
    harness.get_by_label(&label(i::ICON_PHONELINK_RING, "Connect the phone")).click();
    wait_until(&mut harness, |app| app.phone.local_address.is_some());
    let address = harness.state().phone.local_address.unwrap();

    let heard = Arc::new(std::sync::Mutex::new(Vec::new()));
    let ear = heard.clone();
    let settings = PhoneSettings {
        listen: "127.0.0.1:0".parse().unwrap(),
        user: "customer".into(),
        audio: AudioRoute::Custom(Arc::new(move || {
            Ok(Box::new(Ear(ear.clone())) as Box<dyn switchboard::voice::phone::AudioPort>)
        })),
        ..PhoneSettings::default()
    };
    let customer = Phone::start(settings, || {}).unwrap();
    customer.send(PhoneCommand::Dial(format!("sip:agent@{address}")));
    wait_until(&mut harness, |app| app.phone.incoming().is_some());
    harness.get_all_by_label(&label(i::ICON_CALL, "Answer")).next().unwrap().click();
    wait_until(&mut harness, |app| app.phone.calls.first().is_some_and(|c| c.phase == CallPhase::Connected));
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("Old promotion").is_none(), "archived clips are hidden");
    harness.ctx.all_styles_mut(|style| style.visuals.text_cursor.blink = false);
    harness.state_mut().phone.calls[0].connected = Some(std::time::Instant::now());
    // Where there is no sound card the call says so; let that arrive, then hide it for the picture.
    for _ in 0..100 {
        if harness.state().phone.calls[0].no_sound.is_some() {
            break;
        }
        harness.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    harness.state_mut().phone.calls[0].no_sound = None;
    harness.run_steps(2);
    harness.snapshot("phone_clips");
    harness.get_by_label(&format!("{}{}", i::ICON_PLAY_ARROW.codepoint, i::ICON_CALL_END.codepoint)).click();
    // The clip plays for a second, then the agent's phone hangs up by itself.
    wait_until(&mut harness, |app| app.phone.calls.is_empty());
    let mut ended = None;
    for _ in 0..50 {
        if let Some(PhoneEvent::Sip(UaEvent::Ended { reason, .. })) = customer.wait_event(Duration::from_millis(100)) {
            ended = Some(reason);
            break;
        }
    }
    assert_eq!(ended, Some(EndReason::RemoteHangup));
    let heard = heard.lock().unwrap().clone();
    let (tone, elsewhere) = (peers::tone_energy(&heard, 700.0, 8000.0), peers::tone_energy(&heard, 1100.0, 8000.0));
    assert!(tone > 100.0 * elsewhere, "the customer heard the clip");
    close(harness, &engine);
}

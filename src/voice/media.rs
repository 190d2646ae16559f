//! One call's media as a sans-IO session: RTP packets and 10 ms frames of
//! 8 kHz audio in, RTP and RTCP packets and frames to play out.
//!
//! Received audio is decoded, buffered against jitter and concealed when
//! lost (G.711 Appendix I); captured audio is packetised at the other
//! party's ptime; DTMF goes both ways as RFC 4733 events; RTCP reports are
//! sent every ~5 s and give the call's jitter, loss and round trip.

use crate::voice::dtmf::{self, DtmfReceiver, DtmfSender, TelephoneEvent};
use crate::voice::g711::G711;
use crate::voice::jitter::{FRAME, JitterBuffer, JitterConfig, Playout, PushOutcome};
use crate::voice::plc::Concealer;
use crate::voice::rtcp::{self, ReceiverReport, ReportTimer, RtcpPacket, SenderReport};
use crate::voice::rtp::{self, Arrival, ReceiveStats, RtpHeader};
use crate::voice::sdp::{Direction, Negotiated};
use std::collections::VecDeque;
use std::time::Duration;

/// RTP payload type of comfort noise (RFC 3389), which we do not play.
const COMFORT_NOISE: u8 = 13;
/// Largest packet we send: 60 ms of G.711.
const MAX_PACKET_SAMPLES: usize = 480;

/// A call's media figures, shown in the call's statistics.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallStats {
    /// The codec in use.
    pub codec: &'static str,
    /// RTP packets sent.
    pub packets_sent: u64,
    /// RTP packets received.
    pub packets_received: u64,
    /// Packets the other party sent that never arrived.
    pub packets_lost: i64,
    /// Received interarrival jitter (RFC 3550), in milliseconds.
    pub jitter_ms: f64,
    /// Round trip from RTCP, once the other party has reported.
    pub round_trip_ms: Option<f64>,
    /// The jitter buffer's current delay, in milliseconds.
    pub buffer_ms: f64,
    /// Share of played frames that were concealed, 0–1.
    pub concealed: f64,
    /// Loss the other party reports for our audio, 0–1.
    pub remote_loss: f64,
}

/// The media state of one call.
pub struct MediaSession {
    codec: G711,
    codec_payload_type: u8,
    telephone_event: Option<u8>,
    direction: Direction,
    ssrc: u32,
    sequence: u16,
    timestamp: u32,
    /// Samples per packet we send (the other party's ptime).
    packet_samples: usize,
    pending: [i16; MAX_PACKET_SAMPLES],
    pending_len: usize,
    packet: Vec<u8>,
    payload: Vec<u8>,
    decoded: Vec<i16>,
    jitter: JitterBuffer,
    concealer: Concealer,
    received: ReceiveStats,
    audio_ssrc: Option<u32>,
    dtmf_in: DtmfReceiver,
    dtmf_out: Option<(DtmfSender, u32)>,
    dtmf_queue: VecDeque<char>,
    report_timer: ReportTimer,
    /// The last sender report's NTP middle bits and when it arrived.
    last_sr: Option<(u32, Duration)>,
    packets_sent: u32,
    octets_sent: u32,
    round_trip: Option<Duration>,
    remote_loss: f64,
    report: Vec<u8>,
}

impl MediaSession {
    /// A session for the negotiated media; `seed` picks our SSRC and first sequence number and timestamp.
    #[must_use]
    pub fn new(media: &Negotiated, seed: u64) -> Self {
        let mut session = Self {
            codec: media.codec,
            codec_payload_type: media.codec_payload_type,
            telephone_event: media.telephone_event,
            direction: media.direction,
            ssrc: (seed >> 32) as u32 | 1,
            sequence: (seed >> 16) as u16,
            timestamp: seed as u32 & 0x7fff_ffff,
            packet_samples: 160,
            pending: [0; MAX_PACKET_SAMPLES],
            pending_len: 0,
            packet: Vec::with_capacity(12 + MAX_PACKET_SAMPLES),
            payload: Vec::with_capacity(MAX_PACKET_SAMPLES),
            decoded: Vec::with_capacity(2048),
            jitter: JitterBuffer::new(JitterConfig::default()),
            concealer: Concealer::new(),
            received: ReceiveStats::new(8000),
            audio_ssrc: None,
            dtmf_in: DtmfReceiver::default(),
            dtmf_out: None,
            dtmf_queue: VecDeque::new(),
            report_timer: ReportTimer::new(seed),
            last_sr: None,
            packets_sent: 0,
            octets_sent: 0,
            round_trip: None,
            remote_loss: 0.0,
            report: Vec::with_capacity(256),
        };
        session.update(media);
        session
    }

    /// Applies a renegotiation (hold, resume, another codec).
    pub fn update(&mut self, media: &Negotiated) {
        self.codec = media.codec;
        self.codec_payload_type = media.codec_payload_type;
        self.telephone_event = media.telephone_event;
        self.direction = media.direction;
        let ptime = media.remote_ptime.clamp(10, 60) / 10 * 10;
        self.packet_samples = (ptime as usize * 8).min(MAX_PACKET_SAMPLES);
        self.pending_len = self.pending_len.min(self.packet_samples);
    }

    /// Takes one RTP datagram; returns a DTMF digit when one starts.
    pub fn receive_rtp(&mut self, bytes: &[u8], now: Duration) -> Option<char> {
        if rtp::is_rtcp(bytes) {
            return None;
        }
        let packet = rtp::parse(bytes).ok()?;
        let header = packet.header;
        if Some(header.payload_type) == self.telephone_event {
            let event = TelephoneEvent::parse(packet.payload).ok()?;
            return match self.dtmf_in.receive(header.ssrc, header.timestamp, &event) {
                Some(dtmf::DtmfNews::Started(digit)) => Some(digit),
                _ => None,
            };
        }
        if header.payload_type == COMFORT_NOISE
            || header.payload_type != self.codec_payload_type
            || !self.direction.receives()
        {
            return None;
        }
        if self.audio_ssrc != Some(header.ssrc) {
            // A new source (the peer restarted, or a transfer connected someone else).
            if self.audio_ssrc.is_some() {
                self.jitter.reset();
            }
            self.audio_ssrc = Some(header.ssrc);
        }
        if matches!(self.received.record(&header, now), Arrival::Duplicate) {
            return None;
        }
        self.decoded.clear();
        self.codec.decode(packet.payload, &mut self.decoded);
        if matches!(self.jitter.push(header.sequence, header.timestamp, &self.decoded, now), PushOutcome::Reset) {
            self.concealer.reset();
        }
        None
    }

    /// Takes one RTCP datagram: remembers sender reports and reads the
    /// other party's report on our stream.
    pub fn receive_rtcp(&mut self, bytes: &[u8], now: Duration, wall_clock: Duration) {
        let Ok(packets) = rtcp::parse(bytes) else { return };
        let now_middle = rtcp::ntp_middle(rtcp::ntp_from_unix(wall_clock));
        for packet in packets {
            let reports = match packet {
                RtcpPacket::SenderReport(report) => {
                    self.last_sr = Some((rtcp::ntp_middle(report.ntp), now));
                    report.reports
                }
                RtcpPacket::ReceiverReport(report) => report.reports,
                _ => continue,
            };
            for block in reports.iter().filter(|b| b.ssrc == self.ssrc) {
                if let Some(round_trip) = rtcp::round_trip(now_middle, block) {
                    self.round_trip = Some(round_trip);
                }
                self.remote_loss = f64::from(block.fraction_lost) / 256.0;
            }
        }
    }

    /// The next 10 ms to play: received audio, concealment, or silence.
    pub fn play(&mut self, now: Duration, out: &mut [i16; FRAME]) {
        match self.jitter.pull(now, out) {
            Playout::Audio => self.concealer.good_frame(out),
            Playout::Missing => self.concealer.lost_frame(out),
            Playout::Idle => *out = [0; FRAME],
        }
    }

    /// Takes the next 10 ms captured; returns an RTP packet when one is due.
    pub fn capture(&mut self, frame: &[i16; FRAME]) -> Option<&[u8]> {
        let end = self.pending_len + FRAME;
        self.pending.get_mut(self.pending_len..end)?.copy_from_slice(frame);
        self.pending_len = end;
        if self.pending_len < self.packet_samples {
            return None;
        }
        let samples = self.pending_len;
        self.pending_len = 0;
        let timestamp = self.timestamp;
        self.timestamp = self.timestamp.wrapping_add(samples as u32);
        if !self.direction.sends() {
            return None;
        }
        if self.write_dtmf_packet(timestamp) {
            return Some(&self.packet);
        }
        self.payload.clear();
        self.codec.encode(self.pending.get(..samples)?, &mut self.payload);
        let header = RtpHeader {
            marker: false,
            payload_type: self.codec_payload_type,
            sequence: self.sequence,
            timestamp,
            ssrc: self.ssrc,
        };
        self.sequence = self.sequence.wrapping_add(1);
        rtp::write(&header, &self.payload, &mut self.packet);
        self.count_sent();
        Some(&self.packet)
    }

    /// Queues a DTMF digit (100 ms tone as RFC 4733 events).
    pub fn send_dtmf(&mut self, digit: char) {
        if self.telephone_event.is_some() && dtmf::digit_to_event(digit).is_some() {
            self.dtmf_queue.push_back(digit);
        }
    }

    /// Writes the DTMF packet due now into `self.packet`; false when no key press is being sent.
    fn write_dtmf_packet(&mut self, timestamp: u32) -> bool {
        let Some(payload_type) = self.telephone_event else { return false };
        if self.dtmf_out.is_none() {
            let Some(digit) = self.dtmf_queue.pop_front() else { return false };
            let interval = Duration::from_millis(self.packet_samples as u64 / 8);
            let Some(sender) = DtmfSender::new(digit, Duration::from_millis(100), interval, 10) else { return false };
            self.dtmf_out = Some((sender, timestamp));
        }
        let Some((sender, start)) = self.dtmf_out.as_mut() else { return false };
        let start = *start;
        let Some((marker, event)) = sender.next_packet() else {
            self.dtmf_out = None;
            return self.write_dtmf_packet(timestamp);
        };
        let mut payload = [0u8; 4];
        event.write(&mut payload);
        let header = RtpHeader { marker, payload_type, sequence: self.sequence, timestamp: start, ssrc: self.ssrc };
        self.sequence = self.sequence.wrapping_add(1);
        rtp::write(&header, &payload, &mut self.packet);
        self.count_sent();
        true
    }

    fn count_sent(&mut self) {
        self.packets_sent = self.packets_sent.wrapping_add(1);
        self.octets_sent = self.octets_sent.wrapping_add(self.packet.len().saturating_sub(12) as u32);
    }

    /// The RTCP report, when one is due (about every 5 s).
    pub fn rtcp_report(&mut self, now: Duration, wall_clock: Duration) -> Option<&[u8]> {
        if !self.report_timer.due(now) {
            return None;
        }
        let reports = if self.received.ssrc().is_some() {
            vec![self.received.report_block(self.last_sr, now)]
        } else {
            Vec::new()
        };
        if self.packets_sent > 0 {
            let report = SenderReport {
                ssrc: self.ssrc,
                ntp: rtcp::ntp_from_unix(wall_clock),
                rtp_timestamp: self.timestamp,
                packet_count: self.packets_sent,
                octet_count: self.octets_sent,
                reports,
            };
            rtcp::write_sender_report(&report, "switchboard", &mut self.report);
        } else {
            rtcp::write_receiver_report(&ReceiverReport { ssrc: self.ssrc, reports }, "switchboard", &mut self.report);
        }
        Some(&self.report)
    }

    /// An RTCP BYE for the end of the call.
    pub fn goodbye(&mut self) -> Option<&[u8]> {
        rtcp::write_goodbye(self.ssrc, &mut self.report);
        Some(&self.report)
    }

    /// The call's figures now.
    #[must_use]
    pub fn stats(&self) -> CallStats {
        let jitter = self.jitter.stats();
        CallStats {
            codec: self.codec.encoding_name(),
            packets_sent: u64::from(self.packets_sent),
            packets_received: u64::from(self.received.received()),
            packets_lost: i64::from(self.received.cumulative_lost()),
            jitter_ms: self.received.jitter_ms(),
            round_trip_ms: self.round_trip.map(|r| r.as_secs_f64() * 1000.0),
            buffer_ms: jitter.current_delay.as_secs_f64() * 1000.0,
            concealed: jitter.concealment_rate(),
            remote_loss: self.remote_loss,
        }
    }
}

#[cfg(test)]
mod tests;

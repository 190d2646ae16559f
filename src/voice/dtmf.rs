//! DTMF as RFC 4733 telephone events: the 4-byte payload, a receiver that
//! reports each key press exactly once however the peer repeats its packets,
//! and a sender producing the packets of one key press.

use std::time::Duration;

/// Why a telephone-event payload is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DtmfError {
    /// Shorter than 4 bytes.
    #[error("the telephone-event payload is shorter than 4 bytes")]
    TooShort,
}

/// One telephone-event payload (RFC 4733 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// The event code (0–15 for DTMF).
    pub event: u8,
    /// Set on the final packets of the event.
    pub end: bool,
    /// Power level, 0 to −63 dBm0 as a positive number.
    pub volume: u8,
    /// Duration so far, in timestamp units.
    pub duration: u16,
}

impl TelephoneEvent {
    /// Reads the first event of a payload (redundant events after it are ignored).
    pub fn parse(payload: &[u8]) -> Result<Self, DtmfError> {
        let bytes = payload.get(..4).ok_or(DtmfError::TooShort)?;
        Ok(Self {
            event: bytes[0],
            end: bytes[1] & 0x80 != 0,
            volume: bytes[1] & 0x3F,
            duration: u16::from_be_bytes([bytes[2], bytes[3]]),
        })
    }

    /// Writes the payload.
    pub fn write(&self, out: &mut [u8; 4]) {
        let duration = self.duration.to_be_bytes();
        *out = [self.event, u8::from(self.end) << 7 | (self.volume & 0x3F), duration[0], duration[1]];
    }
}

/// The event code of a DTMF key.
#[must_use]
pub fn digit_to_event(digit: char) -> Option<u8> {
    match digit.to_ascii_uppercase() {
        d @ '0'..='9' => Some(d as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        d @ 'A'..='D' => Some(d as u8 - b'A' + 12),
        _ => None,
    }
}

/// The DTMF key of an event code.
#[must_use]
pub fn event_to_digit(event: u8) -> Option<char> {
    match event {
        0..=9 => Some(char::from(b'0' + event)),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some(char::from(b'A' + event - 12)),
        _ => None,
    }
}

/// What the receiver learned from a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfNews {
    /// A key press began (reported at its first packet, whichever arrives first).
    Started(char),
    /// The key press ended, with its length.
    Ended {
        /// The key.
        digit: char,
        /// Its duration in milliseconds.
        duration_ms: u32,
    },
}

/// Turns telephone-event packets into key presses, each reported once.
#[derive(Debug, Default)]
pub struct DtmfReceiver {
    /// The event being received: (ssrc, timestamp, code, ended).
    current: Option<(u32, u32, u8, bool)>,
}

impl DtmfReceiver {
    /// Takes one telephone-event packet. An event is named by its RTP
    /// timestamp (all its packets share it), so retransmitted starts and the
    /// three end packets are recognised whatever the SSRC the peer sends them on.
    pub fn receive(&mut self, ssrc: u32, timestamp: u32, event: &TelephoneEvent) -> Option<DtmfNews> {
        let digit = event_to_digit(event.event)?;
        let same = self.current.is_some_and(|(s, t, code, _)| s == ssrc && t == timestamp && code == event.event);
        if !same {
            // Even a lone end packet (the start was lost) tells of a key press.
            self.current = Some((ssrc, timestamp, event.event, event.end));
            return Some(DtmfNews::Started(digit));
        }
        match &mut self.current {
            Some((_, _, _, ended)) if event.end && !*ended => {
                *ended = true;
                Some(DtmfNews::Ended { digit, duration_ms: u32::from(event.duration) / 8 })
            }
            _ => None,
        }
    }
}

/// The packets of one key press, one per packet interval.
#[derive(Debug)]
pub struct DtmfSender {
    event: u8,
    volume: u8,
    /// The key press's length in timestamp units (at most 65 535: 8.19 s).
    total: u16,
    step: u16,
    sent: u16,
    ends_sent: u8,
}

impl DtmfSender {
    /// The packets for `digit` held `duration`, one every `packet_interval`.
    /// All of them carry the RTP timestamp of the key press's start, which
    /// the caller keeps. Longer than 8 s is cut to 8 s: nobody holds a key that long on purpose.
    #[must_use]
    pub fn new(digit: char, duration: Duration, packet_interval: Duration, volume: u8) -> Option<Self> {
        let event = digit_to_event(digit)?;
        let units = |d: Duration| (d.as_micros() * 8 / 1000).clamp(80, 65_535) as u16;
        Some(Self {
            event,
            volume: volume.min(63),
            total: units(duration),
            step: units(packet_interval),
            sent: 0,
            ends_sent: 0,
        })
    }

    /// The next packet: its marker bit and payload; `None` when the key press is over.
    pub fn next_packet(&mut self) -> Option<(bool, TelephoneEvent)> {
        let first = self.sent == 0 && self.ends_sent == 0;
        if self.sent < self.total {
            self.sent = self.sent.saturating_add(self.step).min(self.total);
            let end = self.sent >= self.total;
            if end {
                self.ends_sent = 1;
            }
            return Some((first, TelephoneEvent { event: self.event, end, volume: self.volume, duration: self.sent }));
        }
        // The end packet goes three times, for loss (RFC 4733 §2.5.1.4).
        if self.ends_sent < 3 {
            self.ends_sent += 1;
            return Some((
                false,
                TelephoneEvent { event: self.event, end: true, volume: self.volume, duration: self.total },
            ));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn press(digit: char) -> Vec<(bool, TelephoneEvent)> {
        let mut sender = DtmfSender::new(digit, Duration::from_millis(100), Duration::from_millis(20), 10).unwrap();
        std::iter::from_fn(|| sender.next_packet()).collect()
    }

    #[test]
    fn a_key_press_is_five_packets_then_three_ends() {
        let packets = press('5');
        assert_eq!(packets.len(), 7);
        assert!(packets[0].0 && packets[1..].iter().all(|(marker, _)| !marker));
        assert_eq!(packets.iter().map(|(_, e)| e.duration).collect::<Vec<_>>(), [160, 320, 480, 640, 800, 800, 800]);
        assert_eq!(packets.iter().filter(|(_, e)| e.end).count(), 3);
    }

    #[test]
    fn the_receiver_reports_each_press_once() {
        let mut receiver = DtmfReceiver::default();
        let mut news = Vec::new();
        for (timestamp, digit) in [(1000, '1'), (5000, '1'), (9000, '#')] {
            for (_, event) in press(digit) {
                news.extend(receiver.receive(7, timestamp, &event));
            }
        }
        assert_eq!(
            news,
            [
                DtmfNews::Started('1'),
                DtmfNews::Ended { digit: '1', duration_ms: 100 },
                DtmfNews::Started('1'),
                DtmfNews::Ended { digit: '1', duration_ms: 100 },
                DtmfNews::Started('#'),
                DtmfNews::Ended { digit: '#', duration_ms: 100 },
            ]
        );
    }

    #[test]
    fn a_lost_start_still_gives_the_digit() {
        let mut receiver = DtmfReceiver::default();
        let packets = press('9');
        let news: Vec<DtmfNews> = packets[5..].iter().filter_map(|(_, e)| receiver.receive(1, 80, e)).collect();
        assert_eq!(news, [DtmfNews::Started('9')]);
    }

    #[test]
    fn payloads_round_trip_and_short_ones_are_refused() {
        let event = TelephoneEvent { event: 11, end: true, volume: 10, duration: 1234 };
        let mut bytes = [0u8; 4];
        event.write(&mut bytes);
        assert_eq!(TelephoneEvent::parse(&bytes), Ok(event));
        assert_eq!(TelephoneEvent::parse(&[1, 2]), Err(DtmfError::TooShort));
        assert_eq!(digit_to_event('d'), Some(15));
        assert_eq!(event_to_digit(16), None);
        assert!(DtmfSender::new('x', Duration::from_millis(100), Duration::from_millis(20), 10).is_none());
    }

    proptest! {
        #[test]
        fn arbitrary_payloads_never_panic_and_never_repeat_a_press(packets in proptest::collection::vec((any::<u32>(), 0u32..4, any::<[u8; 4]>()), 0..100)) {
            let mut receiver = DtmfReceiver::default();
            let mut last_start = None;
            for (timestamp, ssrc, bytes) in packets {
                let Ok(event) = TelephoneEvent::parse(&bytes) else { continue };
                if let Some(DtmfNews::Started(_)) = receiver.receive(ssrc, timestamp, &event) {
                    prop_assert_ne!(last_start, Some((ssrc, timestamp, event.event)));
                    last_start = Some((ssrc, timestamp, event.event));
                }
            }
        }
    }
}

//! SDP (RFC 4566) for an audio-only G.711 softphone, and the offer/answer
//! model (RFC 3264): what we offer, how we answer a peer's offer, and what
//! the two sides agreed on.
//!
//! Parsing accepts what real equipment sends (LF line ends, unknown lines,
//! several m-lines, legacy hold with `c=0.0.0.0`) and refuses clearly what
//! cannot be used. It never touches sockets.

use crate::voice::g711::G711;
use std::fmt;
use std::net::{IpAddr, SocketAddr};

const MAX_TEXT: usize = 64 * 1024;
const MAX_FORMATS: usize = 256;

/// Why a session description cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    /// Over 64 KiB.
    #[error("the session description is too large")]
    TooLarge,
    /// A line the description must have is missing.
    #[error("the session description has no {0} line")]
    Missing(&'static str),
    /// A line is malformed.
    #[error("invalid SDP line {0:?}")]
    Line(String),
    /// No audio stream offers a codec we have.
    #[error("no common audio codec (we support PCMU and PCMA)")]
    NoCommonCodec,
}

/// Which way media flows, from the describing side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Both ways.
    SendRecv,
    /// The describing side only sends (it holds the other).
    SendOnly,
    /// The describing side only receives.
    RecvOnly,
    /// Neither.
    Inactive,
}

impl Direction {
    /// What the other side says for the same stream.
    #[must_use]
    pub const fn reversed(self) -> Self {
        match self {
            Self::SendOnly => Self::RecvOnly,
            Self::RecvOnly => Self::SendOnly,
            other => other,
        }
    }

    /// True when the describing side sends.
    #[must_use]
    pub const fn sends(self) -> bool {
        matches!(self, Self::SendRecv | Self::SendOnly)
    }

    /// True when the describing side receives.
    #[must_use]
    pub const fn receives(self) -> bool {
        matches!(self, Self::SendRecv | Self::RecvOnly)
    }

    /// The direction allowing only what both allow.
    #[must_use]
    pub const fn intersect(self, other: Self) -> Self {
        Self::from_flags(self.sends() && other.sends(), self.receives() && other.receives())
    }

    const fn from_flags(sends: bool, receives: bool) -> Self {
        match (sends, receives) {
            (true, true) => Self::SendRecv,
            (true, false) => Self::SendOnly,
            (false, true) => Self::RecvOnly,
            (false, false) => Self::Inactive,
        }
    }

    const fn attribute(self) -> &'static str {
        match self {
            Self::SendRecv => "sendrecv",
            Self::SendOnly => "sendonly",
            Self::RecvOnly => "recvonly",
            Self::Inactive => "inactive",
        }
    }

    fn from_attribute(name: &str) -> Option<Self> {
        match name {
            "sendrecv" => Some(Self::SendRecv),
            "sendonly" => Some(Self::SendOnly),
            "recvonly" => Some(Self::RecvOnly),
            "inactive" => Some(Self::Inactive),
            _ => None,
        }
    }
}

/// The `o=` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// User name (`-` when none).
    pub username: String,
    /// Session id.
    pub session_id: u64,
    /// Version, raised with each change.
    pub version: u64,
    /// Address of the originator.
    pub address: IpAddr,
}

/// An `a=rtpmap` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpMap {
    /// The payload type it describes.
    pub payload_type: u8,
    /// Encoding name (`PCMU`, `telephone-event`).
    pub encoding: String,
    /// Clock rate.
    pub clock_rate: u32,
    /// Channels, when given.
    pub channels: Option<u8>,
}

/// One `m=` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDescription {
    /// `audio`, `video`, `image`, …
    pub kind: String,
    /// The port; 0 rejects or disables the stream.
    pub port: u16,
    /// `RTP/AVP`, `RTP/SAVP`, `udptl`, …
    pub protocol: String,
    /// Payload types (for RTP) in preference order.
    pub formats: Vec<String>,
    /// `a=rtpmap` lines.
    pub rtpmaps: Vec<RtpMap>,
    /// `a=fmtp` lines by payload type.
    pub fmtp: Vec<(u8, String)>,
    /// `a=ptime`, in milliseconds.
    pub ptime: Option<u32>,
    /// Media-level `c=` address.
    pub connection: Option<IpAddr>,
    /// Media-level direction.
    pub direction: Option<Direction>,
    /// `a=rtcp` port.
    pub rtcp_port: Option<u16>,
}

/// A whole session description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// `o=`.
    pub origin: Origin,
    /// `s=`.
    pub session_name: String,
    /// Session-level `c=` address.
    pub connection: Option<IpAddr>,
    /// Session-level direction.
    pub direction: Option<Direction>,
    /// The `m=` sections in order.
    pub media: Vec<MediaDescription>,
}

/// Our side of a call's media.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalMedia {
    /// Where we receive RTP.
    pub address: IpAddr,
    /// Our RTP port (RTCP on the next one).
    pub port: u16,
    /// Codecs in preference order.
    pub codecs: Vec<G711>,
    /// The telephone-event payload type we offer.
    pub telephone_event: u8,
    /// Our packet time in milliseconds.
    pub ptime: u32,
    /// What we want: sendrecv, or sendonly to hold.
    pub direction: Direction,
    /// Our `o=` session id.
    pub session_id: u64,
    /// Our `o=` version, raised by the caller for each new description.
    pub version: u64,
    /// Our `o=` user name.
    pub username: String,
}

/// What offer and answer agreed on, seen from our side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    /// Where to send RTP; `None` when the peer disabled or held the stream with no address.
    pub remote_rtp: Option<SocketAddr>,
    /// Where to send RTCP.
    pub remote_rtcp: Option<SocketAddr>,
    /// The codec.
    pub codec: G711,
    /// Its payload type.
    pub codec_payload_type: u8,
    /// The telephone-event payload type, when both sides have it.
    pub telephone_event: Option<u8>,
    /// The peer's packet time (20 ms when unsaid).
    pub remote_ptime: u32,
    /// Whether we send and receive.
    pub direction: Direction,
}

fn line_error(line: &str) -> SdpError {
    SdpError::Line(line.chars().take(80).collect())
}

fn parse_connection(value: &str, line: &str) -> Result<IpAddr, SdpError> {
    let mut parts = value.split_whitespace();
    let (Some("IN"), Some(_family), Some(address)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(line_error(line));
    };
    // Multicast TTL suffixes (`/127`) are not for a softphone; the address is what matters.
    let address = address.split('/').next().unwrap_or(address);
    address.parse().map_err(|_| line_error(line))
}

/// Reads a session description.
pub fn parse(text: &str) -> Result<SessionDescription, SdpError> {
    if text.len() > MAX_TEXT {
        return Err(SdpError::TooLarge);
    }
    let mut origin = None;
    let mut session_name = None;
    let mut connection = None;
    let mut direction = None;
    let mut media: Vec<MediaDescription> = Vec::new();
    let mut version_seen = false;
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw).trim_end();
        if line.is_empty() {
            continue;
        }
        let Some((kind, value)) = line.split_once('=') else {
            return Err(line_error(line));
        };
        match kind {
            "v" => {
                if value.trim() != "0" {
                    return Err(line_error(line));
                }
                version_seen = true;
            }
            "o" => {
                let parts: Vec<&str> = value.split_whitespace().collect();
                let [username, id, version, "IN", _family, address] = parts.as_slice() else {
                    return Err(line_error(line));
                };
                origin = Some(Origin {
                    username: (*username).to_owned(),
                    // Some peers send ids beyond 64 bits; they only need to be stable.
                    session_id: id.parse().unwrap_or_else(|_| {
                        id.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)))
                    }),
                    version: version.parse().unwrap_or_default(),
                    address: address.parse().unwrap_or(IpAddr::from([0, 0, 0, 0])),
                });
            }
            "s" => session_name = Some(value.to_owned()),
            "c" => {
                let address = parse_connection(value, line)?;
                match media.last_mut() {
                    Some(m) => m.connection = Some(address),
                    None => connection = Some(address),
                }
            }
            "m" => {
                let mut parts = value.split_whitespace();
                let (Some(kind), Some(port), Some(protocol)) = (parts.next(), parts.next(), parts.next()) else {
                    return Err(line_error(line));
                };
                // `port/count` is allowed; only the port matters here.
                let port = port.split('/').next().unwrap_or(port).parse().map_err(|_| line_error(line))?;
                let formats: Vec<String> = parts.map(str::to_owned).collect();
                if formats.len() > MAX_FORMATS {
                    return Err(line_error(line));
                }
                media.push(MediaDescription {
                    kind: kind.to_owned(),
                    port,
                    protocol: protocol.to_owned(),
                    formats,
                    rtpmaps: Vec::new(),
                    fmtp: Vec::new(),
                    ptime: None,
                    connection: None,
                    direction: None,
                    rtcp_port: None,
                });
            }
            "a" => {
                let (name, argument) = value.split_once(':').unwrap_or((value, ""));
                if let Some(found) = Direction::from_attribute(name) {
                    match media.last_mut() {
                        Some(m) => m.direction = Some(found),
                        None => direction = Some(found),
                    }
                    continue;
                }
                let Some(current) = media.last_mut() else { continue };
                match name {
                    "rtpmap" => {
                        let (payload_type, encoding) = argument.split_once(' ').ok_or_else(|| line_error(line))?;
                        let mut pieces = encoding.trim().split('/');
                        let name = pieces.next().unwrap_or_default();
                        let clock_rate = pieces.next().and_then(|r| r.parse().ok()).ok_or_else(|| line_error(line))?;
                        current.rtpmaps.push(RtpMap {
                            payload_type: payload_type.trim().parse().map_err(|_| line_error(line))?,
                            encoding: name.to_owned(),
                            clock_rate,
                            channels: pieces.next().and_then(|c| c.parse().ok()),
                        });
                    }
                    "fmtp" => {
                        let (payload_type, parameters) = argument.split_once(' ').unwrap_or((argument, ""));
                        if let Ok(payload_type) = payload_type.trim().parse() {
                            current.fmtp.push((payload_type, parameters.trim().to_owned()));
                        }
                    }
                    "ptime" => current.ptime = argument.trim().parse().ok().filter(|p| (1..=1000).contains(p)),
                    "rtcp" => current.rtcp_port = argument.split_whitespace().next().and_then(|p| p.parse().ok()),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if !version_seen {
        return Err(SdpError::Missing("v="));
    }
    Ok(SessionDescription {
        origin: origin.ok_or(SdpError::Missing("o="))?,
        session_name: session_name.unwrap_or_else(|| "-".into()),
        connection,
        direction,
        media,
    })
}

impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let family = |ip: &IpAddr| if ip.is_ipv4() { "IP4" } else { "IP6" };
        write!(
            f,
            "v=0\r\no={} {} {} IN {} {}\r\ns={}\r\n",
            self.origin.username,
            self.origin.session_id,
            self.origin.version,
            family(&self.origin.address),
            self.origin.address,
            self.session_name
        )?;
        if let Some(address) = &self.connection {
            write!(f, "c=IN {} {address}\r\n", family(address))?;
        }
        f.write_str("t=0 0\r\n")?;
        if let Some(direction) = self.direction {
            write!(f, "a={}\r\n", direction.attribute())?;
        }
        for media in &self.media {
            write!(f, "m={} {} {}", media.kind, media.port, media.protocol)?;
            for format in &media.formats {
                write!(f, " {format}")?;
            }
            f.write_str("\r\n")?;
            if let Some(address) = &media.connection {
                write!(f, "c=IN {} {address}\r\n", family(address))?;
            }
            if let Some(port) = media.rtcp_port {
                write!(f, "a=rtcp:{port}\r\n")?;
            }
            for map in &media.rtpmaps {
                write!(f, "a=rtpmap:{} {}/{}", map.payload_type, map.encoding, map.clock_rate)?;
                if let Some(channels) = map.channels {
                    write!(f, "/{channels}")?;
                }
                f.write_str("\r\n")?;
            }
            for (payload_type, parameters) in &media.fmtp {
                write!(f, "a=fmtp:{payload_type} {parameters}\r\n")?;
            }
            if let Some(ptime) = media.ptime {
                write!(f, "a=ptime:{ptime}\r\n")?;
            }
            if let Some(direction) = media.direction {
                write!(f, "a={}\r\n", direction.attribute())?;
            }
        }
        Ok(())
    }
}

impl MediaDescription {
    fn rtpmap(&self, payload_type: u8) -> Option<&RtpMap> {
        self.rtpmaps.iter().find(|m| m.payload_type == payload_type)
    }

    /// The G.711 law of a payload type in this section (rtpmap first, then the static types).
    fn codec(&self, payload_type: u8) -> Option<G711> {
        match self.rtpmap(payload_type) {
            Some(map) if map.clock_rate == 8000 => G711::from_encoding_name(&map.encoding),
            Some(_) => None,
            None => G711::from_payload_type(payload_type),
        }
    }

    fn telephone_event(&self) -> Option<u8> {
        self.rtpmaps
            .iter()
            .find(|m| m.encoding.eq_ignore_ascii_case("telephone-event") && m.clock_rate == 8000)
            .map(|m| m.payload_type)
    }

    fn payload_types(&self) -> impl Iterator<Item = u8> + '_ {
        self.formats.iter().filter_map(|f| f.parse().ok())
    }

    fn is_plain_audio(&self) -> bool {
        self.kind == "audio" && self.protocol.eq_ignore_ascii_case("RTP/AVP") && self.port != 0
    }
}

fn audio_section(
    local: &LocalMedia,
    codecs: &[(G711, u8)],
    telephone_event: Option<u8>,
    direction: Direction,
) -> MediaDescription {
    let mut formats: Vec<String> = codecs.iter().map(|(_, pt)| pt.to_string()).collect();
    let mut rtpmaps: Vec<RtpMap> = codecs
        .iter()
        .map(|(codec, pt)| RtpMap {
            payload_type: *pt,
            encoding: codec.encoding_name().into(),
            clock_rate: 8000,
            channels: None,
        })
        .collect();
    let mut fmtp = Vec::new();
    if let Some(pt) = telephone_event {
        formats.push(pt.to_string());
        rtpmaps.push(RtpMap { payload_type: pt, encoding: "telephone-event".into(), clock_rate: 8000, channels: None });
        fmtp.push((pt, "0-16".into()));
    }
    MediaDescription {
        kind: "audio".into(),
        port: local.port,
        protocol: "RTP/AVP".into(),
        formats,
        rtpmaps,
        fmtp,
        ptime: Some(local.ptime),
        connection: None,
        direction: Some(direction),
        rtcp_port: None,
    }
}

fn session(local: &LocalMedia, media: Vec<MediaDescription>) -> SessionDescription {
    SessionDescription {
        origin: Origin {
            username: local.username.clone(),
            session_id: local.session_id,
            version: local.version,
            address: local.address,
        },
        session_name: "Switchboard".into(),
        connection: Some(local.address),
        direction: None,
        media,
    }
}

/// Our offer: one audio stream with our codecs and telephone-event.
#[must_use]
pub fn offer(local: &LocalMedia) -> SessionDescription {
    let codecs: Vec<(G711, u8)> = local.codecs.iter().map(|c| (*c, c.payload_type())).collect();
    session(local, vec![audio_section(local, &codecs, Some(local.telephone_event), local.direction)])
}

/// The direction a section states (media level over session level).
fn stated_direction(description: &SessionDescription, media: &MediaDescription) -> Direction {
    let address = media.connection.or(description.connection);
    // Legacy hold (RFC 3264 §8.4): c=0.0.0.0 means the sender does not want media.
    if address.is_some_and(|a| a.is_unspecified()) {
        return Direction::SendOnly.intersect(media.direction.or(description.direction).unwrap_or(Direction::SendRecv));
    }
    media.direction.or(description.direction).unwrap_or(Direction::SendRecv)
}

fn remote_addresses(
    description: &SessionDescription,
    media: &MediaDescription,
    direction: Direction,
) -> (Option<SocketAddr>, Option<SocketAddr>) {
    let address = media.connection.or(description.connection).filter(|a| !a.is_unspecified());
    match address {
        Some(ip) if media.port != 0 && direction != Direction::Inactive => {
            let rtcp = media.rtcp_port.unwrap_or_else(|| media.port.saturating_add(1));
            (Some(SocketAddr::new(ip, media.port)), Some(SocketAddr::new(ip, rtcp)))
        }
        _ => (None, None),
    }
}

/// Answers a peer's offer (RFC 3264 §6): the first offered audio stream
/// with a codec we have is accepted, in the offer's codec order; every
/// other stream is refused with port 0.
pub fn answer(offer: &SessionDescription, local: &LocalMedia) -> Result<(SessionDescription, Negotiated), SdpError> {
    let mut sections = Vec::with_capacity(offer.media.len());
    let mut negotiated = None;
    for media in &offer.media {
        let chosen = (negotiated.is_none() && media.is_plain_audio())
            .then(|| {
                media
                    .payload_types()
                    .find_map(|pt| media.codec(pt).filter(|c| local.codecs.contains(c)).map(|c| (c, pt)))
            })
            .flatten();
        let Some((codec, payload_type)) = chosen else {
            sections.push(MediaDescription {
                kind: media.kind.clone(),
                port: 0,
                protocol: media.protocol.clone(),
                formats: media.formats.clone(),
                rtpmaps: Vec::new(),
                fmtp: Vec::new(),
                ptime: None,
                connection: None,
                direction: None,
                rtcp_port: None,
            });
            continue;
        };
        let theirs = stated_direction(offer, media);
        let ours = theirs.reversed().intersect(local.direction);
        let telephone_event = media.telephone_event();
        sections.push(audio_section(local, &[(codec, payload_type)], telephone_event, ours));
        let (remote_rtp, remote_rtcp) = remote_addresses(offer, media, theirs);
        negotiated = Some(Negotiated {
            remote_rtp,
            remote_rtcp,
            codec,
            codec_payload_type: payload_type,
            telephone_event,
            remote_ptime: media.ptime.unwrap_or(20),
            direction: ours,
        });
    }
    let negotiated = negotiated.ok_or(SdpError::NoCommonCodec)?;
    Ok((session(local, sections), negotiated))
}

/// Reads the peer's answer to our offer.
pub fn accept_answer(local: &LocalMedia, answer: &SessionDescription) -> Result<Negotiated, SdpError> {
    let media = answer.media.iter().find(|m| m.is_plain_audio()).ok_or(SdpError::NoCommonCodec)?;
    let (codec, payload_type) = media
        .payload_types()
        .find_map(|pt| media.codec(pt).filter(|c| local.codecs.contains(c)).map(|c| (c, pt)))
        .ok_or(SdpError::NoCommonCodec)?;
    let theirs = stated_direction(answer, media);
    let (remote_rtp, remote_rtcp) = remote_addresses(answer, media, theirs);
    Ok(Negotiated {
        remote_rtp,
        remote_rtcp,
        codec,
        codec_payload_type: payload_type,
        telephone_event: media.telephone_event(),
        remote_ptime: media.ptime.unwrap_or(20),
        direction: theirs.reversed().intersect(local.direction),
    })
}

#[cfg(test)]
mod tests;

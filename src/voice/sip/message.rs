//! SIP messages: parsing requests and responses from untrusted bytes (UDP
//! datagrams or a TCP stream), typed access to the headers a user agent
//! needs, and writing messages back out.
//!
//! Compact header names (`v`, `f`, `i`, …) are expanded on reading, and
//! comma-separated list headers (Via, Route, Contact, …) become one entry per
//! value, so the layers above see one form only. Nothing here keeps state.

use super::uri::{NameAddr, Uri, UriError, clip, find_param, parse_params, split_host_port};
use std::fmt;
use std::fmt::Write as _;

/// The largest message accepted; SIP over UDP rarely exceeds 1 300 bytes.
pub const MAX_MESSAGE: usize = 64 * 1024;
const MAX_HEADERS: usize = 128;

/// Why bytes are not a SIP message we can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SipError {
    /// Over [`MAX_MESSAGE`] bytes or [`MAX_HEADERS`] header lines.
    #[error("the SIP message is too large ({0})")]
    TooLarge(&'static str),
    /// The header section is not valid UTF-8.
    #[error("the SIP message headers are not valid text")]
    NotText,
    /// The first line is neither a request line nor a status line.
    #[error("invalid SIP start line {0:?}")]
    StartLine(String),
    /// A header line without a colon, or an unusable value.
    #[error("invalid SIP header {0:?}")]
    Header(String),
    /// A header the message must have is missing.
    #[error("the SIP message has no {0} header")]
    Missing(&'static str),
    /// Content-Length says more than arrived.
    #[error("the SIP body is shorter than its Content-Length")]
    TruncatedBody,
    /// A URI in the message is unusable.
    #[error(transparent)]
    Uri(#[from] UriError),
}

/// A SIP method.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// Starts or changes a session.
    Invite,
    /// Confirms a final response to INVITE.
    Ack,
    /// Ends a session.
    Bye,
    /// Cancels a pending INVITE.
    Cancel,
    /// Binds a contact to an address of record.
    Register,
    /// Asks for capabilities; also used as keep-alive.
    Options,
    /// Mid-dialog information (e.g. DTMF as `application/dtmf-relay`).
    Info,
    /// Asks the peer to contact a third party (transfer).
    Refer,
    /// Reports the state of a subscription (transfer progress).
    Notify,
    /// Any other method, kept as written.
    Other(String),
}

impl Method {
    /// Reads a method token.
    #[must_use]
    pub fn parse(token: &str) -> Self {
        match token {
            "INVITE" => Self::Invite,
            "ACK" => Self::Ack,
            "BYE" => Self::Bye,
            "CANCEL" => Self::Cancel,
            "REGISTER" => Self::Register,
            "OPTIONS" => Self::Options,
            "INFO" => Self::Info,
            "REFER" => Self::Refer,
            "NOTIFY" => Self::Notify,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The method token as written on the wire.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Invite => "INVITE",
            Self::Ack => "ACK",
            Self::Bye => "BYE",
            Self::Cancel => "CANCEL",
            Self::Register => "REGISTER",
            Self::Options => "OPTIONS",
            Self::Info => "INFO",
            Self::Refer => "REFER",
            Self::Notify => "NOTIFY",
            Self::Other(token) => token,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first line of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine {
    /// `METHOD uri SIP/2.0`.
    Request {
        /// The method.
        method: Method,
        /// The Request-URI.
        uri: Uri,
    },
    /// `SIP/2.0 code reason`.
    Response {
        /// The status code, 100–699.
        code: u16,
        /// The reason phrase.
        reason: String,
    },
}

/// A request or a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Request line or status line.
    pub start: StartLine,
    /// Headers in order, names in their full canonical form.
    pub headers: Vec<(String, String)>,
    /// The body (usually SDP, a sipfrag, or empty).
    pub body: Vec<u8>,
}

/// The parts of a Via header a user agent uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    /// `UDP` or `TCP`.
    pub transport: String,
    /// The sent-by host.
    pub host: String,
    /// The sent-by port.
    pub port: Option<u16>,
    /// Parameters (`branch`, `received`, `rport`).
    pub params: Vec<(String, Option<String>)>,
}

impl Via {
    /// Reads one Via value (`SIP/2.0/UDP host:port;branch=…`).
    pub fn parse(value: &str) -> Result<Self, SipError> {
        let bad = || SipError::Header(format!("Via: {}", clip(value)));
        let (protocol, rest) = value.trim().split_once(char::is_whitespace).ok_or_else(bad)?;
        let mut parts = protocol.split('/').map(str::trim);
        let (Some(name), Some(_version), Some(transport)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad());
        };
        if !name.eq_ignore_ascii_case("SIP") {
            return Err(bad());
        }
        let (sent_by, params) = rest.trim().split_once(';').unwrap_or((rest.trim(), ""));
        let (host, port) = split_host_port(sent_by).ok_or_else(bad)?;
        if host.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            transport: transport.to_ascii_uppercase(),
            host: host.to_owned(),
            port,
            params: parse_params(params),
        })
    }

    /// The value of a Via parameter (`Some("")` for a flag such as `rport`).
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&str> {
        find_param(&self.params, name)
    }

    /// The branch, which names the transaction.
    #[must_use]
    pub fn branch(&self) -> Option<&str> {
        self.param("branch").filter(|b| !b.is_empty())
    }
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SIP/2.0/{} ", self.transport)?;
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        for (name, value) in &self.params {
            match value {
                Some(value) => write!(f, ";{name}={value}")?,
                None => write!(f, ";{name}")?,
            }
        }
        Ok(())
    }
}

/// Compact forms (RFC 3261 §7.3.3 and the RFCs that added more).
const COMPACT: [(&str, &str); 14] = [
    ("i", "Call-ID"),
    ("m", "Contact"),
    ("e", "Content-Encoding"),
    ("l", "Content-Length"),
    ("c", "Content-Type"),
    ("f", "From"),
    ("s", "Subject"),
    ("k", "Supported"),
    ("t", "To"),
    ("v", "Via"),
    ("r", "Refer-To"),
    ("b", "Referred-By"),
    ("o", "Event"),
    ("u", "Allow-Events"),
];

/// Full names written in their usual capitalisation, so that lookups and
/// output are uniform whatever case the peer used.
const CANONICAL: [&str; 26] = [
    "Via",
    "From",
    "To",
    "Call-ID",
    "CSeq",
    "Contact",
    "Max-Forwards",
    "Route",
    "Record-Route",
    "Content-Type",
    "Content-Length",
    "Expires",
    "Allow",
    "Supported",
    "Require",
    "User-Agent",
    "Server",
    "WWW-Authenticate",
    "Proxy-Authenticate",
    "Authorization",
    "Proxy-Authorization",
    "Refer-To",
    "Event",
    "Subscription-State",
    "Min-Expires",
    "Retry-After",
];

/// Headers whose comma-separated values are separate entries (§7.3.1).
const LIST_HEADERS: [&str; 8] =
    ["Via", "Route", "Record-Route", "Contact", "Allow", "Supported", "Require", "Allow-Events"];

fn canonical_name(name: &str) -> String {
    if name.len() == 1
        && let Some((_, full)) = COMPACT.iter().find(|(short, _)| short.eq_ignore_ascii_case(name))
    {
        return (*full).to_owned();
    }
    CANONICAL
        .iter()
        .find(|known| known.eq_ignore_ascii_case(name))
        .map_or_else(|| name.to_owned(), |known| (*known).to_owned())
}

/// Splits a list header value on commas outside quotes and `<…>`.
fn split_list(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut quoted, mut angle, mut escaped, mut start) = (false, false, false, 0);
    for (i, b) in value.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            b'<' if !quoted => angle = true,
            b'>' if !quoted => angle = false,
            b',' if !quoted && !angle => {
                parts.push(value[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(value[start..].trim());
    parts.retain(|p| !p.is_empty());
    parts
}

impl Message {
    /// Reads one message from a UDP datagram. Without Content-Length the
    /// body is the rest of the datagram (RFC 3261 §18.3).
    pub fn parse(bytes: &[u8]) -> Result<Self, SipError> {
        // Keep-alive CRLFs (RFC 5626) before a message are ignored.
        let start = bytes.iter().position(|b| !matches!(b, b'\r' | b'\n')).unwrap_or(bytes.len());
        let bytes = &bytes[start..];
        if bytes.len() > MAX_MESSAGE {
            return Err(SipError::TooLarge("over 64 KiB"));
        }
        let head_end =
            find_head_end(bytes).ok_or_else(|| SipError::StartLine(clip(&String::from_utf8_lossy(bytes))))?;
        let mut message = Self::parse_head(&bytes[..head_end.0])?;
        let rest = &bytes[head_end.1..];
        message.body = match message.content_length()? {
            Some(length) => rest.get(..length).ok_or(SipError::TruncatedBody)?.to_vec(),
            None => rest.to_vec(),
        };
        Ok(message)
    }

    /// Reads one message from the front of a TCP stream buffer: `Ok(None)`
    /// until a whole message has arrived, then the message and the bytes it
    /// used. Content-Length is required on a stream (§18.3).
    pub fn parse_stream(buffer: &[u8]) -> Result<Option<(Self, usize)>, SipError> {
        let skipped = buffer.iter().position(|b| !matches!(b, b'\r' | b'\n')).unwrap_or(buffer.len());
        let bytes = &buffer[skipped..];
        let Some((head, body_start)) = find_head_end(bytes) else {
            return if bytes.len() > MAX_MESSAGE {
                Err(SipError::TooLarge("header section over 64 KiB"))
            } else {
                Ok(None)
            };
        };
        let mut message = Self::parse_head(&bytes[..head])?;
        let length = message.content_length()?.ok_or(SipError::Missing("Content-Length"))?;
        if body_start + length > MAX_MESSAGE {
            return Err(SipError::TooLarge("over 64 KiB"));
        }
        let Some(body) = bytes.get(body_start..body_start + length) else {
            return Ok(None);
        };
        message.body = body.to_vec();
        Ok(Some((message, skipped + body_start + length)))
    }

    fn parse_head(head: &[u8]) -> Result<Self, SipError> {
        let head = std::str::from_utf8(head).map_err(|_| SipError::NotText)?;
        let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
        let first = lines.next().unwrap_or_default();
        let start = parse_start_line(first)?;
        // Unfold continuation lines (leading whitespace) into their header.
        let mut unfolded: Vec<String> = Vec::new();
        for line in lines {
            if line.starts_with([' ', '\t']) {
                let last = unfolded.last_mut().ok_or_else(|| SipError::Header(clip(line)))?;
                last.push(' ');
                last.push_str(line.trim());
            } else if !line.is_empty() {
                unfolded.push(line.to_owned());
            }
        }
        let mut headers = Vec::with_capacity(unfolded.len());
        for line in &unfolded {
            let (name, value) = line.split_once(':').ok_or_else(|| SipError::Header(clip(line)))?;
            let name = name.trim();
            if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(SipError::Header(clip(line)));
            }
            let name = canonical_name(name);
            let value = value.trim();
            if LIST_HEADERS.contains(&name.as_str()) {
                for part in split_list(value) {
                    headers.push((name.clone(), part.to_owned()));
                }
            } else {
                headers.push((name, value.to_owned()));
            }
            if headers.len() > MAX_HEADERS {
                return Err(SipError::TooLarge("over 128 headers"));
            }
        }
        Ok(Self { start, headers, body: Vec::new() })
    }

    /// A request with no headers yet.
    #[must_use]
    pub fn request(method: Method, uri: Uri) -> Self {
        Self { start: StartLine::Request { method, uri }, headers: Vec::new(), body: Vec::new() }
    }

    /// A response to `request` copying Via, From, To, Call-ID and `CSeq`
    /// (§8.2.6.2); `to_tag` is added to To when it has none.
    #[must_use]
    pub fn response_to(request: &Self, code: u16, to_tag: Option<&str>) -> Self {
        let mut response = Self {
            start: StartLine::Response { code, reason: reason_phrase(code).to_owned() },
            headers: Vec::new(),
            body: Vec::new(),
        };
        for (name, value) in &request.headers {
            match name.as_str() {
                "Via" | "From" | "Call-ID" | "CSeq" => response.headers.push((name.clone(), value.clone())),
                "To" => {
                    let value = match (to_tag, NameAddr::parse(value)) {
                        (Some(tag), Ok(to)) if to.tag().is_none() && code > 100 => format!("{value};tag={tag}"),
                        _ => value.clone(),
                    };
                    response.headers.push((name.clone(), value));
                }
                // Record-Route is copied into 2xx and 18x to INVITE (§12.1.1).
                "Record-Route" if (101..300).contains(&code) => response.headers.push((name.clone(), value.clone())),
                _ => {}
            }
        }
        response
    }

    /// The method of a request, or of the request a response answers (`CSeq`).
    #[must_use]
    pub fn method(&self) -> Option<Method> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method.clone()),
            StartLine::Response { .. } => self.cseq().ok().map(|(_, method)| method),
        }
    }

    /// The status code of a response.
    #[must_use]
    pub fn code(&self) -> Option<u16> {
        match self.start {
            StartLine::Response { code, .. } => Some(code),
            StartLine::Request { .. } => None,
        }
    }

    /// True for requests.
    #[must_use]
    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// The first value of a header.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Every value of a header, in order.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Appends a header.
    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.headers.push((name.to_owned(), value.into()));
    }

    /// Replaces every value of a header with one.
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.headers.iter().position(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some(at) => {
                self.headers[at].1 = value;
                let mut index = 0;
                self.headers.retain(|(n, _)| {
                    index += 1;
                    index - 1 == at || !n.eq_ignore_ascii_case(name)
                });
            }
            None => self.push(name, value),
        }
    }

    /// Removes every value of a header.
    pub fn remove(&mut self, name: &str) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }

    /// The top Via.
    pub fn via(&self) -> Result<Via, SipError> {
        Via::parse(self.header("Via").ok_or(SipError::Missing("Via"))?)
    }

    /// From.
    pub fn from(&self) -> Result<NameAddr, SipError> {
        Ok(NameAddr::parse(self.header("From").ok_or(SipError::Missing("From"))?)?)
    }

    /// To.
    pub fn to(&self) -> Result<NameAddr, SipError> {
        Ok(NameAddr::parse(self.header("To").ok_or(SipError::Missing("To"))?)?)
    }

    /// Call-ID.
    pub fn call_id(&self) -> Result<&str, SipError> {
        self.header("Call-ID").filter(|c| !c.is_empty()).ok_or(SipError::Missing("Call-ID"))
    }

    /// `CSeq` number and method.
    pub fn cseq(&self) -> Result<(u32, Method), SipError> {
        let value = self.header("CSeq").ok_or(SipError::Missing("CSeq"))?;
        let (number, method) = value
            .trim()
            .split_once(char::is_whitespace)
            .ok_or_else(|| SipError::Header(format!("CSeq: {}", clip(value))))?;
        let number = number.parse().map_err(|_| SipError::Header(format!("CSeq: {}", clip(value))))?;
        Ok((number, Method::parse(method.trim())))
    }

    /// The first Contact, if any.
    pub fn contact(&self) -> Result<Option<NameAddr>, SipError> {
        self.header("Contact").filter(|c| c.trim() != "*").map(NameAddr::parse).transpose().map_err(SipError::from)
    }

    /// Content-Length, if present.
    pub fn content_length(&self) -> Result<Option<usize>, SipError> {
        self.header("Content-Length")
            .map(|v| v.trim().parse::<usize>().map_err(|_| SipError::Header(format!("Content-Length: {}", clip(v)))))
            .transpose()
    }

    /// True when the body is SDP.
    #[must_use]
    pub fn has_sdp(&self) -> bool {
        !self.body.is_empty()
            && self.header("Content-Type").is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("application/sdp"))
    }

    /// Checks what every message must carry (§8.1.1) so later layers can rely on it.
    pub fn validate(&self) -> Result<(), SipError> {
        self.via()?;
        self.from()?;
        self.to()?;
        self.call_id()?;
        let (_, method) = self.cseq()?;
        if let StartLine::Request { method: line, .. } = &self.start
            && *line != method
            && !(*line == Method::Ack || *line == Method::Cancel)
        {
            return Err(SipError::Header(format!("CSeq method {method} does not match {line}")));
        }
        Ok(())
    }

    /// Sets the body and its Content-Type and Content-Length.
    pub fn set_body(&mut self, content_type: Option<&str>, body: Vec<u8>) {
        self.remove("Content-Type");
        if let Some(content_type) = content_type {
            self.push("Content-Type", content_type);
        }
        self.body = body;
    }

    /// The wire form, with Content-Length written last.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut text = String::with_capacity(512 + self.body.len());
        match &self.start {
            StartLine::Request { method, uri } => {
                let _ = write!(text, "{method} {uri} SIP/2.0\r\n");
            }
            StartLine::Response { code, reason } => {
                let _ = write!(text, "SIP/2.0 {code} {reason}\r\n");
            }
        }
        for (name, value) in &self.headers {
            if !name.eq_ignore_ascii_case("Content-Length") {
                let _ = write!(text, "{name}: {value}\r\n");
            }
        }
        let _ = write!(text, "Content-Length: {}\r\n\r\n", self.body.len());
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }
}

/// Offsets of the end of the header section and of the blank line after it.
fn find_head_end(bytes: &[u8]) -> Option<(usize, usize)> {
    let crlf = bytes.windows(4).position(|w| w == b"\r\n\r\n").map(|p| (p, p + 4));
    let lf = bytes.windows(2).position(|w| w == b"\n\n").map(|p| (p, p + 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

fn parse_start_line(line: &str) -> Result<StartLine, SipError> {
    let bad = || SipError::StartLine(clip(line));
    if let Some(rest) = line.strip_prefix("SIP/2.0 ") {
        let (code, reason) = rest.split_once(' ').unwrap_or((rest, ""));
        let code: u16 = code.parse().map_err(|_| bad())?;
        if !(100..700).contains(&code) {
            return Err(bad());
        }
        return Ok(StartLine::Response { code, reason: reason.trim().to_owned() });
    }
    let mut parts = line.split(' ');
    let (Some(method), Some(uri), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if version != "SIP/2.0" || method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(bad());
    }
    Ok(StartLine::Request { method: Method::parse(method), uri: Uri::parse(uri)? })
}

/// The usual reason phrase for a status code.
#[must_use]
pub fn reason_phrase(code: u16) -> &'static str {
    match code {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        415 => "Unsupported Media Type",
        420 => "Bad Extension",
        423 => "Interval Too Brief",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        491 => "Request Pending",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        603 => "Decline",
        _ => match code / 100 {
            1 => "Progress",
            2 => "Success",
            3 => "Redirection",
            4 => "Request Failure",
            5 => "Server Failure",
            _ => "Global Failure",
        },
    }
}

#[cfg(test)]
mod tests;

//! SIP URIs (`sip:user@host:port;params?headers`) and name-addresses
//! (`"Name" <sip:…>;tag=…`), parsed from untrusted text and written back.
//!
//! Parsing keeps every parameter it does not know, so a URI from a peer is
//! sent back unchanged (route sets and Contact targets depend on that).

use std::fmt;
use std::net::IpAddr;

/// Why a URI or name-address could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// The scheme is not `sip:` or `sips:`.
    #[error("unsupported URI scheme in {0:?}: only sip: and sips: can be called")]
    Scheme(String),
    /// The host part is empty or malformed.
    #[error("the URI {0:?} has no valid host")]
    Host(String),
    /// The port is not a number between 1 and 65535.
    #[error("the URI {0:?} has an invalid port")]
    Port(String),
    /// A `<` without its `>`.
    #[error("unterminated <…> in {0:?}")]
    Unterminated(String),
}

/// A `sip:` or `sips:` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uri {
    /// True for `sips:`.
    pub secure: bool,
    /// The user part, still percent-encoded as received.
    pub user: Option<String>,
    /// Host name, IPv4 address, or IPv6 address without brackets.
    pub host: String,
    /// The explicit port, if any.
    pub port: Option<u16>,
    /// URI parameters (`;transport=tcp`, `;lr`), in order.
    pub params: Vec<(String, Option<String>)>,
    /// URI headers (`?Replaces=…`), in order.
    pub headers: Vec<(String, String)>,
}

impl Uri {
    /// A URI for `user@host[:port]`.
    #[must_use]
    pub fn new(user: Option<&str>, host: &str, port: Option<u16>) -> Self {
        Self {
            secure: false,
            user: user.map(str::to_owned),
            host: host.to_owned(),
            port,
            params: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// Reads a URI such as `sip:alice@example.com:5060;transport=tcp`.
    pub fn parse(text: &str) -> Result<Self, UriError> {
        let text = text.trim();
        let (secure, rest) = if let Some(rest) = strip_prefix_ignore_case(text, "sips:") {
            (true, rest)
        } else if let Some(rest) = strip_prefix_ignore_case(text, "sip:") {
            (false, rest)
        } else {
            return Err(UriError::Scheme(clip(text)));
        };
        let (rest, headers) = match rest.split_once('?') {
            Some((before, after)) => (before, after),
            None => (rest, ""),
        };
        let (userhost, params) = match rest.split_once(';') {
            // A `;` inside the user part (`sip:a;b@host`) is legal but rare; the
            // user part ends at the last `@`, so only split params after it.
            Some(_) if rest.contains('@') => {
                let at = rest.rfind('@').unwrap_or(0);
                match rest[at..].find(';') {
                    Some(offset) => (&rest[..at + offset], &rest[at + offset + 1..]),
                    None => (rest, ""),
                }
            }
            Some((before, after)) => (before, after),
            None => (rest, ""),
        };
        let (user, hostport) = match userhost.rfind('@') {
            Some(at) => {
                let user = &userhost[..at];
                // Drop a password (`user:secret@`): never carried further.
                let user = user.split_once(':').map_or(user, |(name, _)| name);
                (Some(user.to_owned()).filter(|u| !u.is_empty()), &userhost[at + 1..])
            }
            None => (None, userhost),
        };
        let (host, port) = split_host_port(hostport).ok_or_else(|| UriError::Port(clip(text)))?;
        if !valid_host(host) {
            return Err(UriError::Host(clip(text)));
        }
        Ok(Self {
            secure,
            user,
            host: host.to_owned(),
            port,
            params: parse_params(params),
            headers: headers
                .split('&')
                .filter(|h| !h.is_empty())
                .map(|h| match h.split_once('=') {
                    Some((name, value)) => (name.to_owned(), value.to_owned()),
                    None => (h.to_owned(), String::new()),
                })
                .collect(),
        })
    }

    /// The value of a URI parameter (`None` if absent, `Some("")` for a flag).
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&str> {
        find_param(&self.params, name)
    }

    /// True when the URI carries `;lr` (a loose router, RFC 3261 §16.12.1.1).
    #[must_use]
    pub fn is_loose_router(&self) -> bool {
        self.param("lr").is_some()
    }

    /// The transport the URI asks for (`udp` unless `;transport=` says otherwise).
    #[must_use]
    pub fn transport(&self) -> String {
        self.param("transport").map_or_else(|| "udp".to_owned(), str::to_ascii_lowercase)
    }

    /// The host as an IP address, when it is one.
    #[must_use]
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }

    /// The URI without its headers, as used in a Request-URI or To.
    #[must_use]
    pub fn without_headers(&self) -> Self {
        Self { headers: Vec::new(), ..self.clone() }
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.secure { "sips:" } else { "sip:" })?;
        if let Some(user) = &self.user {
            write!(f, "{user}@")?;
        }
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        write_params(f, &self.params)?;
        for (i, (name, value)) in self.headers.iter().enumerate() {
            write!(f, "{}{name}={value}", if i == 0 { '?' } else { '&' })?;
        }
        Ok(())
    }
}

/// A name-address as in From, To, Contact, Route and Refer-To.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAddr {
    /// The display name, unquoted.
    pub display: Option<String>,
    /// The address.
    pub uri: Uri,
    /// Header parameters after the address (`;tag=…`, `;expires=…`).
    pub params: Vec<(String, Option<String>)>,
}

impl NameAddr {
    /// A name-address for `uri` with no display name or parameters.
    #[must_use]
    pub fn new(uri: Uri) -> Self {
        Self { display: None, uri, params: Vec::new() }
    }

    /// Reads `"Name" <sip:…>;params`, `Name <sip:…>` or a bare `sip:…;params`.
    pub fn parse(text: &str) -> Result<Self, UriError> {
        let text = text.trim();
        if let Some(open) = find_unquoted(text, b'<') {
            let close = text[open..].find('>').map(|c| c + open).ok_or_else(|| UriError::Unterminated(clip(text)))?;
            let display = text[..open].trim();
            let display = if display.starts_with('"') { unquote(display) } else { display.to_owned() };
            Ok(Self {
                display: Some(display).filter(|d| !d.is_empty()),
                uri: Uri::parse(&text[open + 1..close])?,
                params: parse_params(text[close + 1..].trim_start().trim_start_matches(';')),
            })
        } else {
            // Without brackets, parameters belong to the header, not the URI
            // (RFC 3261 §20.10).
            let (uri, params) = text.split_once(';').unwrap_or((text, ""));
            Ok(Self { display: None, uri: Uri::parse(uri)?, params: parse_params(params) })
        }
    }

    /// The value of a header parameter.
    #[must_use]
    pub fn param(&self, name: &str) -> Option<&str> {
        find_param(&self.params, name)
    }

    /// The `tag` parameter of From or To.
    #[must_use]
    pub fn tag(&self) -> Option<&str> {
        self.param("tag").filter(|t| !t.is_empty())
    }

    /// Sets (or replaces) a header parameter.
    pub fn set_param(&mut self, name: &str, value: Option<&str>) {
        self.params.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.params.push((name.to_owned(), value.map(str::to_owned)));
    }
}

impl fmt::Display for NameAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(display) = &self.display {
            write!(f, "\"{}\" ", display.replace('\\', "\\\\").replace('"', "\\\""))?;
        }
        write!(f, "<{}>", self.uri)?;
        write_params(f, &self.params)
    }
}

/// The value of a `;name=value` parameter (`Some("")` for a flag such as `lr`), names compared without case.
pub(crate) fn find_param<'a>(params: &'a [(String, Option<String>)], name: &str) -> Option<&'a str> {
    params.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_deref().unwrap_or(""))
}

/// Reads `a=1;b;c=2` into name/value pairs, skipping empty pieces.
pub(crate) fn parse_params(text: &str) -> Vec<(String, Option<String>)> {
    text.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((name, value)) => (name.trim().to_owned(), Some(value.trim().to_owned())),
            None => (p.to_owned(), None),
        })
        .collect()
}

fn write_params(f: &mut fmt::Formatter<'_>, params: &[(String, Option<String>)]) -> fmt::Result {
    for (name, value) in params {
        match value {
            Some(value) => write!(f, ";{name}={value}")?,
            None => write!(f, ";{name}")?,
        }
    }
    Ok(())
}

/// Splits `host:port`, `[v6]:port` or a bare host.
pub(crate) fn split_host_port(text: &str) -> Option<(&str, Option<u16>)> {
    let text = text.trim();
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(port) => Some((host, Some(parse_port(port)?))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match text.rsplit_once(':') {
        // A bare IPv6 address (more than one colon) has no port.
        Some((host, _)) if host.contains(':') => Some((text, None)),
        Some((host, port)) => Some((host, Some(parse_port(port)?))),
        None => Some((text, None)),
    }
}

fn parse_port(text: &str) -> Option<u16> {
    text.trim().parse::<u16>().ok().filter(|p| *p != 0)
}

fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'_'))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// The byte offset of `needle` outside double quotes.
pub(crate) fn find_unquoted(text: &str, needle: u8) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        match b {
            _ if escaped => escaped = false,
            b'\\' if quoted => escaped = true,
            b'"' => quoted = !quoted,
            _ if b == needle && !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// Removes surrounding quotes and backslash escapes.
pub(crate) fn unquote(text: &str) -> String {
    let inner = text.trim().strip_prefix('"').unwrap_or(text);
    let inner = inner.strip_suffix('"').unwrap_or(inner);
    let mut out = String::with_capacity(inner.len());
    let mut escaped = false;
    for c in inner.chars() {
        if escaped || c != '\\' {
            out.push(c);
            escaped = false;
        } else {
            escaped = true;
        }
    }
    out
}

/// A short excerpt of untrusted text for an error message.
pub(crate) fn clip(text: &str) -> String {
    text.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_and_writes_a_full_uri() {
        let uri = Uri::parse("sip:alice@example.com:5070;transport=TCP;lr?Subject=hi").unwrap();
        assert_eq!(uri.user.as_deref(), Some("alice"));
        assert_eq!(uri.host, "example.com");
        assert_eq!(uri.port, Some(5070));
        assert_eq!(uri.transport(), "tcp");
        assert!(uri.is_loose_router());
        assert_eq!(uri.to_string(), "sip:alice@example.com:5070;transport=TCP;lr?Subject=hi");
    }

    #[test]
    fn reads_ipv6_hosts_and_drops_passwords() {
        let uri = Uri::parse("sips:bob:secret@[2001:db8::1]:5061").unwrap();
        assert!(uri.secure);
        assert_eq!(uri.user.as_deref(), Some("bob"));
        assert_eq!(uri.host, "2001:db8::1");
        assert_eq!(uri.port, Some(5061));
        assert_eq!(uri.to_string(), "sips:bob@[2001:db8::1]:5061");
    }

    #[test]
    fn name_addresses_keep_header_params_apart_from_uri_params() {
        let with = NameAddr::parse("\"Ann \\\"A\\\" Lee\" <sip:ann@h;transport=udp>;tag=abc").unwrap();
        assert_eq!(with.display.as_deref(), Some("Ann \"A\" Lee"));
        assert_eq!(with.uri.param("transport"), Some("udp"));
        assert_eq!(with.tag(), Some("abc"));
        let bare = NameAddr::parse("sip:ann@h;tag=xyz").unwrap();
        assert_eq!(bare.tag(), Some("xyz"));
        assert!(bare.uri.params.is_empty());
        assert_eq!(NameAddr::parse(&with.to_string()).unwrap(), with);
    }

    #[test]
    fn rejects_what_cannot_be_called() {
        assert!(matches!(Uri::parse("tel:+331234"), Err(UriError::Scheme(_))));
        assert!(matches!(Uri::parse("sip:alice@"), Err(UriError::Host(_))));
        assert!(matches!(Uri::parse("sip:alice@h:99999"), Err(UriError::Port(_))));
        assert!(matches!(NameAddr::parse("Bob <sip:b@h"), Err(UriError::Unterminated(_))));
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in ".{0,200}") {
            let _ = Uri::parse(&text);
            let _ = NameAddr::parse(&text);
        }

        #[test]
        fn written_uris_read_back_the_same(
            user in proptest::option::of("[a-z0-9+]{1,12}"),
            host in "[a-z][a-z0-9.-]{0,20}",
            port in proptest::option::of(1u16..),
        ) {
            let uri = Uri::new(user.as_deref(), &host, port);
            prop_assert_eq!(Uri::parse(&uri.to_string()).unwrap(), uri);
        }
    }
}

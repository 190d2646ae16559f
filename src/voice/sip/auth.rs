//! SIP digest authentication (RFC 2617 as used by RFC 3261 §22): reads the
//! challenges of 401 and 407 responses, writes the `Authorization` and
//! `Proxy-Authorization` answers, and checks answers for a registrar.
//!
//! This module owns the digest arithmetic and the grammar of these headers. It
//! does not send or resend requests, store passwords, or judge whether a nonce
//! is fresh or a nonce count replayed: the user agent and the registrar do.
//! Only MD5 and MD5-sess are supported, with quality of protection `auth`,
//! `auth-int`, or none at all (RFC 2069).

use std::borrow::Cow;
use std::fmt;

use super::md5::{self, Md5};

/// The longest header value read; real challenges and answers take a few hundred bytes.
pub const MAX_VALUE_LENGTH: usize = 4096;

/// What went wrong reading a challenge or an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The header value is longer than [`MAX_VALUE_LENGTH`].
    #[error("the authentication header value is {length} bytes long; at most {MAX_VALUE_LENGTH} are accepted")]
    TooLong {
        /// The length of the value received, in bytes.
        length: usize,
    },
    /// The header value is empty or blank.
    #[error("the authentication header value is empty; it should start with the scheme Digest")]
    MissingScheme,
    /// The scheme is not `Digest`.
    #[error("the authentication scheme is {0:?}; only Digest is supported")]
    UnsupportedScheme(String),
    /// The algorithm is neither MD5 nor MD5-sess.
    #[error("the digest algorithm {0:?} is not supported; only MD5 and MD5-sess are")]
    UnsupportedAlgorithm(String),
    /// The quality of protection offers or names neither `auth` nor `auth-int`.
    #[error("the quality of protection {0:?} is not supported; only auth and auth-int are")]
    UnsupportedQop(String),
    /// A parameter the digest needs is absent.
    #[error("the digest parameter {0} is missing")]
    MissingParameter(&'static str),
    /// A parameter appears twice, so which one counts would be a guess.
    #[error("the digest parameter {0} appears more than once")]
    DuplicateParameter(&'static str),
    /// A quoted string runs to the end of the value.
    #[error("a quoted string in the authentication header is not closed by a double quote")]
    UnterminatedQuote,
    /// The value breaks the auth-param grammar.
    #[error("the authentication header is malformed at byte {position}: expected {expected}")]
    Malformed {
        /// Where the problem was found, in bytes from the start of the value.
        position: usize,
        /// What the grammar wanted there.
        expected: &'static str,
    },
    /// The `nc` parameter is not eight hexadecimal digits.
    #[error("the nonce count {0:?} is not eight hexadecimal digits")]
    InvalidNonceCount(String),
    /// The `response` parameter is not 32 hexadecimal digits.
    #[error("the digest response {0:?} is not 32 hexadecimal digits")]
    InvalidResponse(String),
}

/// The hash algorithm a challenge asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Algorithm {
    /// Plain MD5, the default when the challenge names none.
    #[default]
    Md5,
    /// MD5 with a session key that also covers the nonce and the client nonce.
    Md5Sess,
}

impl Algorithm {
    /// The name as written in the `algorithm` parameter.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
        }
    }

    fn from_name(name: &str) -> Result<Self, AuthError> {
        if name.eq_ignore_ascii_case("MD5") {
            Ok(Self::Md5)
        } else if name.eq_ignore_ascii_case("MD5-sess") {
            Ok(Self::Md5Sess)
        } else {
            Err(AuthError::UnsupportedAlgorithm(name.to_owned()))
        }
    }
}

/// A quality of protection this module can compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qop {
    /// The request line is authenticated.
    Auth,
    /// The request line and the message body are authenticated.
    AuthInt,
}

impl Qop {
    /// The name as written in the `qop` parameter.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Auth => "auth",
            Self::AuthInt => "auth-int",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        if name.eq_ignore_ascii_case("auth") {
            Some(Self::Auth)
        } else if name.eq_ignore_ascii_case("auth-int") {
            Some(Self::AuthInt)
        } else {
            None
        }
    }
}

/// A digest challenge from a `WWW-Authenticate` or `Proxy-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    /// The protection space, shown to users and hashed with the password.
    pub realm: String,
    /// The server's nonce.
    pub nonce: String,
    /// Data the server wants echoed back unchanged.
    pub opaque: Option<String>,
    /// The hash algorithm.
    pub algorithm: Algorithm,
    /// The qualities of protection offered, as written; empty for an RFC 2069 challenge.
    pub qop: Vec<String>,
    /// Whether the previous answer was right but its nonce had expired, so a retry needs no new password.
    pub stale: bool,
    /// Whether the challenge came from a proxy (407, `Proxy-Authenticate`).
    pub for_proxy: bool,
}

impl Challenge {
    /// The quality of protection an answer uses: `auth` when offered, else
    /// `auth-int`, else none (RFC 2069).
    #[must_use]
    pub fn protection(&self) -> Option<Qop> {
        let offered = |wanted: Qop| self.qop.iter().any(|name| Qop::from_name(name) == Some(wanted));
        [Qop::Auth, Qop::AuthInt].into_iter().find(|&qop| offered(qop))
    }

    /// The challenge as a header value, for a registrar or proxy to send.
    #[must_use]
    pub fn header_value(&self) -> String {
        let mut value = String::with_capacity(128);
        value.push_str("Digest realm=");
        push_quoted(&mut value, &self.realm);
        value.push_str(", nonce=");
        push_quoted(&mut value, &self.nonce);
        if let Some(opaque) = &self.opaque {
            value.push_str(", opaque=");
            push_quoted(&mut value, opaque);
        }
        value.push_str(", algorithm=");
        value.push_str(self.algorithm.name());
        if !self.qop.is_empty() {
            value.push_str(", qop=");
            push_quoted(&mut value, &self.qop.join(","));
        }
        if self.stale {
            value.push_str(", stale=true");
        }
        value
    }
}

/// A user name and password for digest authentication.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name sent in the clear.
    pub username: String,
    /// The password, never sent and never shown.
    pub password: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.debug_struct("Credentials").field("username", &self.username).finish_non_exhaustive()
    }
}

/// Reads a `WWW-Authenticate` (or, with `for_proxy`, a `Proxy-Authenticate`) header value.
pub fn parse_challenge(value: &str, for_proxy: bool) -> Result<Challenge, AuthError> {
    let mut parameters = Parameters::parse(value)?;
    let realm = parameters.take("realm")?.ok_or(AuthError::MissingParameter("realm"))?;
    let nonce = parameters.take("nonce")?.ok_or(AuthError::MissingParameter("nonce"))?;
    let opaque = parameters.take("opaque")?;
    let algorithm = parameters.take("algorithm")?.map_or(Ok(Algorithm::Md5), |name| Algorithm::from_name(&name))?;
    let qop: Vec<String> = match parameters.take("qop")? {
        Some(list) => {
            let offered: Vec<String> = list
                .split(',')
                .map(|name| name.trim_matches(is_whitespace_char))
                .filter(|name| !name.is_empty())
                .map(str::to_owned)
                .collect();
            if !offered.iter().any(|name| Qop::from_name(name).is_some()) {
                return Err(AuthError::UnsupportedQop(list));
            }
            offered
        }
        None => Vec::new(),
    };
    let stale = parameters.take("stale")?.is_some_and(|stale| stale.eq_ignore_ascii_case("true"));
    Ok(Challenge { realm, nonce, opaque, algorithm, qop, stale, for_proxy })
}

/// The header that answers a challenge: `Authorization`, or `Proxy-Authorization` for a proxy's.
#[must_use]
pub fn header_name(challenge: &Challenge) -> &'static str {
    if challenge.for_proxy { "Proxy-Authorization" } else { "Authorization" }
}

/// The `Authorization` / `Proxy-Authorization` value answering `challenge` for
/// a request with this method, Request-URI and body.
///
/// `cnonce` is the client's fresh random nonce and `nonce_count` how many
/// requests have answered this nonce, this one included (see [`NonceCounter`]).
/// The body is hashed only for `auth-int`. A challenge built by hand that
/// offers only unknown qualities of protection is answered in the RFC 2069
/// form, which the server will refuse. Carriage returns and line feeds, which
/// cannot appear in a header, are replaced by spaces before hashing and writing.
#[must_use]
pub fn authorization(
    challenge: &Challenge,
    credentials: &Credentials,
    method: &str,
    uri: &str,
    cnonce: &str,
    nonce_count: u32,
    body: &[u8],
) -> String {
    let username = header_safe(&credentials.username);
    let realm = header_safe(&challenge.realm);
    let nonce = header_safe(&challenge.nonce);
    let uri = header_safe(uri);
    let cnonce = header_safe(cnonce);
    let qop = challenge.protection();
    let nonce_count = nonce_count_digits(nonce_count);
    let response = response_digits(&DigestInput {
        username: &username,
        realm: &realm,
        password: &credentials.password,
        nonce: &nonce,
        cnonce: &cnonce,
        nonce_count: &nonce_count,
        qop,
        algorithm: challenge.algorithm,
        method,
        uri: &uri,
        body,
    });

    let mut value = String::with_capacity(256);
    value.push_str("Digest username=");
    push_quoted(&mut value, &username);
    value.push_str(", realm=");
    push_quoted(&mut value, &realm);
    value.push_str(", nonce=");
    push_quoted(&mut value, &nonce);
    value.push_str(", uri=");
    push_quoted(&mut value, &uri);
    value.push_str(", response=\"");
    value.extend(response.iter().map(|&digit| char::from(digit)));
    value.push_str("\", algorithm=");
    value.push_str(challenge.algorithm.name());
    // MD5-sess hashes the client nonce into the session key even without qop.
    if qop.is_some() || challenge.algorithm == Algorithm::Md5Sess {
        value.push_str(", cnonce=");
        push_quoted(&mut value, &cnonce);
    }
    if let Some(qop) = qop {
        value.push_str(", qop=");
        value.push_str(qop.name());
        value.push_str(", nc=");
        value.extend(nonce_count.iter().map(|&digit| char::from(digit)));
    }
    if let Some(opaque) = &challenge.opaque {
        value.push_str(", opaque=");
        push_quoted(&mut value, opaque);
    }
    value
}

/// Counts the requests answering each nonce, so that a retry with the same
/// nonce sends the next `nc` and a new nonce starts again at 1.
#[derive(Debug, Clone, Default)]
pub struct NonceCounter {
    nonce: String,
    count: u32,
}

impl NonceCounter {
    /// A counter that has answered no nonce yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The nonce count for the next request answering `nonce`: 1 for a nonce
    /// not seen just before, one more for each further request with it.
    pub fn next_count(&mut self, nonce: &str) -> u32 {
        if self.count == 0 || self.nonce != nonce {
            self.nonce.clear();
            self.nonce.push_str(nonce);
            self.count = 0;
        }
        // A server changes its nonce long before four billion requests; stay at the top rather than wrap.
        self.count = self.count.saturating_add(1);
        self.count
    }
}

/// A digest answer read from an `Authorization` or `Proxy-Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The user name, to look up the password with.
    pub username: String,
    /// The protection space the answer is for.
    pub realm: String,
    /// The server nonce being answered.
    pub nonce: String,
    /// The Request-URI as the client hashed it; a registrar checks it matches the request.
    pub uri: String,
    /// The digest response, 32 hexadecimal digits.
    pub response: String,
    /// The hash algorithm.
    pub algorithm: Algorithm,
    /// The client nonce, present with a quality of protection or MD5-sess.
    pub cnonce: Option<String>,
    /// The quality of protection used; `None` for an RFC 2069 answer.
    pub qop: Option<Qop>,
    /// The nonce count as sent, eight hexadecimal digits; present with a quality of protection.
    pub nonce_count: Option<String>,
    /// The opaque data echoed from the challenge.
    pub opaque: Option<String>,
}

impl Authorization {
    /// The nonce count as a number, for a registrar's replay check.
    #[must_use]
    pub fn nonce_count_value(&self) -> Option<u32> {
        self.nonce_count.as_deref().and_then(|digits| u32::from_str_radix(digits, 16).ok())
    }

    /// Whether the response proves knowledge of `password` for a request with this method and body.
    ///
    /// Only the arithmetic is checked: the realm, nonce freshness, nonce count
    /// and URI are the registrar's to judge.
    #[must_use]
    pub fn is_answered_with(&self, password: &str, method: &str, body: &[u8]) -> bool {
        let expected = response_digits(&DigestInput {
            username: &self.username,
            realm: &self.realm,
            password,
            nonce: &self.nonce,
            cnonce: self.cnonce.as_deref().unwrap_or_default(),
            nonce_count: self.nonce_count.as_deref().unwrap_or_default().as_bytes(),
            qop: self.qop,
            algorithm: self.algorithm,
            method,
            uri: &self.uri,
            body,
        });
        // Compare every digit, so the time taken does not tell how many matched.
        let difference = expected
            .iter()
            .zip(self.response.as_bytes())
            .fold(0u8, |difference, (expected, received)| difference | (expected ^ received.to_ascii_lowercase()));
        self.response.len() == expected.len() && difference == 0
    }
}

/// Reads an `Authorization` or `Proxy-Authorization` header value.
pub fn parse_authorization(value: &str) -> Result<Authorization, AuthError> {
    let mut parameters = Parameters::parse(value)?;
    let username = parameters.take("username")?.ok_or(AuthError::MissingParameter("username"))?;
    let realm = parameters.take("realm")?.ok_or(AuthError::MissingParameter("realm"))?;
    let nonce = parameters.take("nonce")?.ok_or(AuthError::MissingParameter("nonce"))?;
    let uri = parameters.take("uri")?.ok_or(AuthError::MissingParameter("uri"))?;
    let response = parameters.take("response")?.ok_or(AuthError::MissingParameter("response"))?;
    if response.len() != 32 || !response.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return Err(AuthError::InvalidResponse(response));
    }
    let algorithm = parameters.take("algorithm")?.map_or(Ok(Algorithm::Md5), |name| Algorithm::from_name(&name))?;
    let cnonce = parameters.take("cnonce")?;
    let opaque = parameters.take("opaque")?;
    let qop = match parameters.take("qop")? {
        Some(name) => {
            Some(Qop::from_name(name.trim_matches(is_whitespace_char)).ok_or(AuthError::UnsupportedQop(name))?)
        }
        None => None,
    };
    let nonce_count = parameters.take("nc")?;
    if qop.is_some() {
        let digits = nonce_count.as_deref().ok_or(AuthError::MissingParameter("nc"))?;
        if digits.len() != 8 || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(AuthError::InvalidNonceCount(digits.to_owned()));
        }
    }
    if (qop.is_some() || algorithm == Algorithm::Md5Sess) && cnonce.is_none() {
        return Err(AuthError::MissingParameter("cnonce"));
    }
    // Without a quality of protection nc is not hashed, so a stray one must not be taken as meaningful.
    let nonce_count = if qop.is_some() { nonce_count } else { None };
    Ok(Authorization { username, realm, nonce, uri, response, algorithm, cnonce, qop, nonce_count, opaque })
}

/// Whether an `Authorization` header value answers its nonce with `password`
/// for a request with this method and body (see [`Authorization::is_answered_with`]).
pub fn verify(authorization_value: &str, password: &str, method: &str, body: &[u8]) -> Result<bool, AuthError> {
    Ok(parse_authorization(authorization_value)?.is_answered_with(password, method, body))
}

/// Everything the digest response depends on.
struct DigestInput<'a> {
    username: &'a str,
    realm: &'a str,
    password: &'a str,
    nonce: &'a str,
    cnonce: &'a str,
    nonce_count: &'a [u8],
    qop: Option<Qop>,
    algorithm: Algorithm,
    method: &'a str,
    uri: &'a str,
    body: &'a [u8],
}

/// The response of RFC 2617 §3.2.2.1, as 32 lower-case hexadecimal digits.
fn response_digits(input: &DigestInput<'_>) -> [u8; 32] {
    let mut session_key =
        hash(&[input.username.as_bytes(), b":", input.realm.as_bytes(), b":", input.password.as_bytes()]);
    if input.algorithm == Algorithm::Md5Sess {
        session_key = hash(&[&session_key, b":", input.nonce.as_bytes(), b":", input.cnonce.as_bytes()]);
    }
    let request = match input.qop {
        Some(Qop::AuthInt) => {
            let body = md5::hex_digits(&md5::digest(input.body));
            hash(&[input.method.as_bytes(), b":", input.uri.as_bytes(), b":", &body])
        }
        Some(Qop::Auth) | None => hash(&[input.method.as_bytes(), b":", input.uri.as_bytes()]),
    };
    match input.qop {
        Some(qop) => hash(&[
            &session_key,
            b":",
            input.nonce.as_bytes(),
            b":",
            input.nonce_count,
            b":",
            input.cnonce.as_bytes(),
            b":",
            qop.name().as_bytes(),
            b":",
            &request,
        ]),
        None => hash(&[&session_key, b":", input.nonce.as_bytes(), b":", &request]),
    }
}

/// MD5 of the pieces joined, as hexadecimal digits; the pieces are fed in turn so the password is never copied.
fn hash(pieces: &[&[u8]]) -> [u8; 32] {
    let mut md5 = Md5::new();
    for piece in pieces {
        md5.update(piece);
    }
    md5::hex_digits(&md5.finish())
}

/// A nonce count as the eight lower-case hexadecimal digits of `nc`.
fn nonce_count_digits(count: u32) -> [u8; 8] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 8];
    for (index, digit) in digits.iter_mut().enumerate() {
        let shift = 28 - 4 * index;
        *digit = DIGITS[((count >> shift) & 0x0f) as usize];
    }
    digits
}

/// The value with carriage returns and line feeds, which would end the header line, made spaces.
fn header_safe(value: &str) -> Cow<'_, str> {
    if value.contains(['\r', '\n']) { Cow::Owned(value.replace(['\r', '\n'], " ")) } else { Cow::Borrowed(value) }
}

/// Appends `value` as a quoted string, escaping quotes and backslashes.
fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    for character in value.chars() {
        match character {
            '"' | '\\' => {
                out.push('\\');
                out.push(character);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(character),
        }
    }
    out.push('"');
}

fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_whitespace_char(character: char) -> bool {
    matches!(character, ' ' | '\t' | '\r' | '\n')
}

/// The token characters of RFC 3261 §25.1.
fn is_token(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&byte)
}

fn skip_whitespace(bytes: &[u8], mut position: usize) -> usize {
    while bytes.get(position).copied().is_some_and(is_whitespace) {
        position += 1;
    }
    position
}

fn skip_token(bytes: &[u8], mut position: usize) -> usize {
    while bytes.get(position).copied().is_some_and(is_token) {
        position += 1;
    }
    position
}

/// The auth-params of a `Digest` header value, in the order written.
struct Parameters<'a> {
    /// Each parameter's name as written and its value with quotes and escapes removed.
    list: Vec<(&'a str, String)>,
}

impl<'a> Parameters<'a> {
    /// Reads `Digest` followed by comma-separated `name=token` or `name="quoted string"`,
    /// with linear white space allowed between any two items and empty items skipped.
    fn parse(value: &'a str) -> Result<Self, AuthError> {
        if value.len() > MAX_VALUE_LENGTH {
            return Err(AuthError::TooLong { length: value.len() });
        }
        let bytes = value.as_bytes();
        let mut position = skip_whitespace(bytes, 0);
        let scheme_end = skip_token(bytes, position);
        let scheme = value.get(position..scheme_end).unwrap_or_default();
        if scheme.is_empty() {
            return Err(if position == bytes.len() {
                AuthError::MissingScheme
            } else {
                AuthError::Malformed { position, expected: "an authentication scheme" }
            });
        }
        if !scheme.eq_ignore_ascii_case("Digest") {
            return Err(AuthError::UnsupportedScheme(scheme.to_owned()));
        }
        position = scheme_end;
        if bytes.get(position).is_some_and(|&byte| !is_whitespace(byte)) {
            return Err(AuthError::Malformed { position, expected: "white space after the scheme Digest" });
        }

        let mut list = Vec::new();
        loop {
            position = skip_whitespace(bytes, position);
            match bytes.get(position) {
                None => break,
                Some(b',') => {
                    position += 1;
                    continue;
                }
                Some(_) => {}
            }
            let name_end = skip_token(bytes, position);
            let name = value.get(position..name_end).unwrap_or_default();
            if name.is_empty() {
                return Err(AuthError::Malformed { position, expected: "a parameter name" });
            }
            position = skip_whitespace(bytes, name_end);
            if bytes.get(position) != Some(&b'=') {
                return Err(AuthError::Malformed { position, expected: "'=' after the parameter name" });
            }
            position = skip_whitespace(bytes, position + 1);
            let (text, end) = if bytes.get(position) == Some(&b'"') {
                read_quoted(value, position + 1)?
            } else {
                read_bare(value, position)?
            };
            list.push((name, text));
            position = skip_whitespace(bytes, end);
            match bytes.get(position) {
                None => break,
                Some(b',') => position += 1,
                Some(_) => return Err(AuthError::Malformed { position, expected: "a comma between parameters" }),
            }
        }
        Ok(Self { list })
    }

    /// The value of the parameter `name` (any case), taken out so it is read once.
    fn take(&mut self, name: &'static str) -> Result<Option<String>, AuthError> {
        let mut found = None;
        for (key, text) in &mut self.list {
            if key.eq_ignore_ascii_case(name) {
                if found.is_some() {
                    return Err(AuthError::DuplicateParameter(name));
                }
                found = Some(std::mem::take(text));
            }
        }
        Ok(found)
    }
}

/// Reads a quoted string whose opening quote ends just before `start`; returns
/// its text and the position after the closing quote.
fn read_quoted(value: &str, start: usize) -> Result<(String, usize), AuthError> {
    let rest = value.get(start..).unwrap_or_default();
    let mut text = String::new();
    let mut characters = rest.char_indices();
    while let Some((offset, character)) = characters.next() {
        match character {
            '"' => return Ok((text, start + offset + 1)),
            '\\' => match characters.next() {
                Some((_, escaped)) => text.push(escaped),
                None => break,
            },
            _ => text.push(character),
        }
    }
    Err(AuthError::UnterminatedQuote)
}

/// Reads an unquoted value: a token, leniently also holding the `/` and `=`
/// some servers leave unquoted in base64 nonces; returns it and where it ends.
fn read_bare(value: &str, start: usize) -> Result<(String, usize), AuthError> {
    let bytes = value.as_bytes();
    let mut end = start;
    while bytes.get(end).is_some_and(|&byte| !is_whitespace(byte) && byte != b',' && byte != b'"') {
        end += 1;
    }
    match value.get(start..end) {
        Some(text) if !text.is_empty() => Ok((text.to_owned(), end)),
        _ => Err(AuthError::Malformed { position: start, expected: "a parameter value" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn mufasa() -> Credentials {
        Credentials { username: "Mufasa".to_owned(), password: "Circle Of Life".to_owned() }
    }

    /// A parameter of an answer, as the server will read it.
    fn parameter(value: &str, name: &'static str) -> Option<String> {
        Parameters::parse(value).unwrap().take(name).unwrap()
    }

    #[test]
    fn answers_the_rfc_2617_example() {
        let challenge = parse_challenge(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
            false,
        )
        .unwrap();
        assert_eq!(challenge.qop, ["auth", "auth-int"]);
        assert_eq!(challenge.protection(), Some(Qop::Auth));
        let value = authorization(&challenge, &mufasa(), "GET", "/dir/index.html", "0a4f113b", 1, b"");
        assert_eq!(
            value,
            r#"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", algorithm=MD5, cnonce="0a4f113b", qop=auth, nc=00000001, opaque="5ccc069c403ebaf9f0171e9517f40e41""#
        );
        assert_eq!(header_name(&challenge), "Authorization");
        assert_eq!(verify(&value, "Circle Of Life", "GET", b""), Ok(true));
        assert_eq!(verify(&value, "Circle of Life", "GET", b""), Ok(false));
        assert_eq!(verify(&value, "Circle Of Life", "POST", b""), Ok(false));
    }

    #[test]
    fn answers_a_registrar_challenge_with_qop_auth() {
        let challenge = parse_challenge(
            r#"Digest realm="127.0.0.1", nonce="Y2d3aGF0ZXZlcjE3MTIzNDU2Nzg5MGFiY2Q=", qop="auth""#,
            false,
        )
        .unwrap();
        assert_eq!(
            challenge,
            Challenge {
                realm: "127.0.0.1".to_owned(),
                nonce: "Y2d3aGF0ZXZlcjE3MTIzNDU2Nzg5MGFiY2Q=".to_owned(),
                opaque: None,
                algorithm: Algorithm::Md5,
                qop: vec!["auth".to_owned()],
                stale: false,
                for_proxy: false,
            }
        );
        let alice = Credentials { username: "alice".to_owned(), password: "secret".to_owned() };
        let value = authorization(&challenge, &alice, "REGISTER", "sip:127.0.0.1", "6a3b9c1d", 1, b"");
        assert_eq!(parameter(&value, "response").as_deref(), Some("a7e75481f1e0de3f7ca3d1786fd6838c"));
        assert_eq!(parameter(&value, "qop").as_deref(), Some("auth"));
        assert_eq!(parameter(&value, "nc").as_deref(), Some("00000001"));
        assert_eq!(parameter(&value, "opaque"), None);
    }

    #[test]
    fn answers_a_proxy_challenge_in_proxy_authorization() {
        let challenge = parse_challenge(
            r#"Digest realm="example.com", nonce="a1b2c3d4e5", opaque="op", algorithm=MD5, qop="auth""#,
            true,
        )
        .unwrap();
        assert!(challenge.for_proxy);
        assert_eq!(header_name(&challenge), "Proxy-Authorization");
        let bob = Credentials { username: "bob".to_owned(), password: "hunter2".to_owned() };
        let value = authorization(&challenge, &bob, "INVITE", "sip:carol@example.com", "f00dfeed", 3, b"v=0\r\n");
        assert_eq!(parameter(&value, "response").as_deref(), Some("831717af831650197591286b0609009c"));
        assert_eq!(parameter(&value, "nc").as_deref(), Some("00000003"));
        assert_eq!(parameter(&value, "opaque").as_deref(), Some("op"));
    }

    #[test]
    fn reads_a_stale_challenge() {
        let stale = parse_challenge(r#"Digest realm="a", nonce="fresh", stale=TRUE"#, false).unwrap();
        assert!(stale.stale);
        let quoted = parse_challenge(r#"Digest realm="a", nonce="fresh", stale="true""#, false).unwrap();
        assert!(quoted.stale);
        let not_stale = parse_challenge(r#"Digest realm="a", nonce="fresh", stale=false"#, false).unwrap();
        assert!(!not_stale.stale);
    }

    #[test]
    fn answers_an_rfc_2069_challenge_without_qop() {
        let challenge = parse_challenge(r#"Digest algorithm=MD5, realm="asterisk", nonce="4a2f7c1e""#, false).unwrap();
        assert!(challenge.qop.is_empty());
        assert_eq!(challenge.protection(), None);
        let credentials = Credentials { username: "1001".to_owned(), password: "pa55word".to_owned() };
        let value = authorization(&challenge, &credentials, "REGISTER", "sip:pbx.example.com", "ignored", 1, b"");
        assert_eq!(
            value,
            r#"Digest username="1001", realm="asterisk", nonce="4a2f7c1e", uri="sip:pbx.example.com", response="03cc6ae70970a824893fee6f4036d83f", algorithm=MD5"#
        );
        assert_eq!(verify(&value, "pa55word", "REGISTER", b""), Ok(true));
    }

    #[test]
    fn answers_the_rfc_2617_example_without_qop() {
        let challenge =
            parse_challenge(r#"Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#, false)
                .unwrap();
        let value = authorization(&challenge, &mufasa(), "GET", "/dir/index.html", "0a4f113b", 1, b"");
        assert_eq!(parameter(&value, "response").as_deref(), Some("670fd8c2df070c60b045671b8b24ff02"));
    }

    #[test]
    fn protects_the_body_with_auth_int() {
        let body =
            b"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
        let challenge = parse_challenge(r#"Digest realm="example.com", nonce="n0nce", qop="auth-int""#, false).unwrap();
        assert_eq!(challenge.protection(), Some(Qop::AuthInt));
        let alice = Credentials { username: "alice".to_owned(), password: "secret".to_owned() };
        let value = authorization(&challenge, &alice, "INVITE", "sip:bob@example.com", "c0ffee", 1, body);
        assert_eq!(parameter(&value, "response").as_deref(), Some("0b0486d64a22e60b8f57d33835264aaa"));
        assert_eq!(parameter(&value, "qop").as_deref(), Some("auth-int"));
        assert_eq!(verify(&value, "secret", "INVITE", body), Ok(true));
        assert_eq!(verify(&value, "secret", "INVITE", b"v=0\r\n"), Ok(false), "a changed body is caught");
    }

    #[test]
    fn computes_the_md5_sess_session_key() {
        let challenge =
            parse_challenge(r#"Digest realm="example.com", nonce="n0nce", qop=auth, algorithm=md5-SESS"#, false)
                .unwrap();
        assert_eq!(challenge.algorithm, Algorithm::Md5Sess);
        let alice = Credentials { username: "alice".to_owned(), password: "secret".to_owned() };
        let value = authorization(&challenge, &alice, "REGISTER", "sip:example.com", "c0ffee", 2, b"");
        assert_eq!(parameter(&value, "response").as_deref(), Some("d851812b94535495ac73fb1837bb6558"));
        assert_eq!(parameter(&value, "algorithm").as_deref(), Some("MD5-sess"));
        assert_eq!(verify(&value, "secret", "REGISTER", b""), Ok(true));
    }

    #[test]
    fn reads_white_space_anywhere_and_ignores_unknown_parameters() {
        let challenge = parse_challenge(
            "  dIgEsT\r\n realm = \"a\" ,\tnonce= \"b\" , , domain=\"sip:x sip:y\", x-extension=\"q\\\"x\", qop = \" auth-int , auth \" ,",
            false,
        )
        .unwrap();
        assert_eq!(challenge.realm, "a");
        assert_eq!(challenge.nonce, "b");
        assert_eq!(challenge.qop, ["auth-int", "auth"]);
        assert_eq!(challenge.protection(), Some(Qop::Auth));
    }

    #[test]
    fn unescapes_and_escapes_quoted_strings() {
        let challenge = parse_challenge(r#"Digest realm="say \"hi\" \\ bye", nonce="n""#, false).unwrap();
        assert_eq!(challenge.realm, r#"say "hi" \ bye"#);
        let value = authorization(&challenge, &mufasa(), "GET", "/", "c", 1, b"");
        assert!(value.contains(r#"realm="say \"hi\" \\ bye""#), "{value}");
        assert_eq!(verify(&value, "Circle Of Life", "GET", b""), Ok(true));
    }

    #[test]
    fn keeps_line_breaks_out_of_the_header() {
        let challenge = parse_challenge(r#"Digest realm="a", nonce="b""#, false).unwrap();
        let sneaky = Credentials { username: "eve\r\nVia: evil".to_owned(), password: "p".to_owned() };
        let value = authorization(&challenge, &sneaky, "GET", "/\n", "c", 1, b"");
        assert!(!value.contains(['\r', '\n']), "{value:?}");
        assert_eq!(verify(&value, "p", "GET", b""), Ok(true));
    }

    #[test]
    fn counts_requests_per_nonce() {
        let mut counter = NonceCounter::new();
        assert_eq!(counter.next_count("first"), 1);
        assert_eq!(counter.next_count("first"), 2);
        assert_eq!(counter.next_count("first"), 3);
        assert_eq!(counter.next_count("second"), 1, "a new nonce starts again");
        assert_eq!(counter.next_count("second"), 2);
        assert_eq!(counter.next_count(""), 1, "even an empty nonce is new");
    }

    #[test]
    fn credentials_debug_hides_the_password() {
        let shown = format!("{:?}", mufasa());
        assert!(shown.contains("Mufasa"), "{shown}");
        assert!(!shown.contains("Circle"), "{shown}");
    }

    #[test]
    fn writes_a_challenge_that_reads_back() {
        let challenge = Challenge {
            realm: "example.com".to_owned(),
            nonce: "abc".to_owned(),
            opaque: Some("o\"paque".to_owned()),
            algorithm: Algorithm::Md5Sess,
            qop: vec!["auth".to_owned(), "auth-int".to_owned()],
            stale: true,
            for_proxy: false,
        };
        assert_eq!(
            challenge.header_value(),
            r#"Digest realm="example.com", nonce="abc", opaque="o\"paque", algorithm=MD5-sess, qop="auth,auth-int", stale=true"#
        );
        assert_eq!(parse_challenge(&challenge.header_value(), false), Ok(challenge));
    }

    #[test]
    fn reads_an_authorization_for_a_registrar() {
        let answer = parse_authorization(
            r#"Digest username="alice", realm="r", nonce="n", uri="sip:r", response="0123456789ABCDEF0123456789abcdef", qop=auth, nc=0000000A, cnonce="c", opaque="o""#,
        )
        .unwrap();
        assert_eq!(answer.username, "alice");
        assert_eq!(answer.qop, Some(Qop::Auth));
        assert_eq!(answer.nonce_count_value(), Some(10));
        assert_eq!(answer.opaque.as_deref(), Some("o"));
    }

    #[test]
    fn rejects_malformed_challenges() {
        let huge = format!(r#"Digest realm="{}", nonce="n""#, "a".repeat(5000));
        let corpus: [(&str, AuthError); 16] = [
            ("", AuthError::MissingScheme),
            (" \t ", AuthError::MissingScheme),
            (r#"Digest realm="abc, nonce=xyz"#, AuthError::UnterminatedQuote),
            (r#"Digest realm="abc\"#, AuthError::UnterminatedQuote),
            (r#"Digest realm="a""#, AuthError::MissingParameter("nonce")),
            (r#"Digest nonce="n""#, AuthError::MissingParameter("realm")),
            ("Digest", AuthError::MissingParameter("realm")),
            (r#"Basic realm="a""#, AuthError::UnsupportedScheme("Basic".to_owned())),
            (
                r#"Digest realm="a", nonce="b", algorithm=SHA-256"#,
                AuthError::UnsupportedAlgorithm("SHA-256".to_owned()),
            ),
            (r#"Digest realm="a", nonce="b", qop="auth-conf""#, AuthError::UnsupportedQop("auth-conf".to_owned())),
            (r#"Digest realm="a", realm="b", nonce="c""#, AuthError::DuplicateParameter("realm")),
            ("Digest realm", AuthError::Malformed { position: 12, expected: "'=' after the parameter name" }),
            ("Digest realm=", AuthError::Malformed { position: 13, expected: "a parameter value" }),
            (
                r#"Digest realm="a" nonce="b""#,
                AuthError::Malformed { position: 17, expected: "a comma between parameters" },
            ),
            ("Digest =x", AuthError::Malformed { position: 7, expected: "a parameter name" }),
            (
                r#"Digest,realm="a""#,
                AuthError::Malformed { position: 6, expected: "white space after the scheme Digest" },
            ),
        ];
        for (value, expected) in corpus {
            assert_eq!(parse_challenge(value, false), Err(expected), "challenge {value:?}");
        }
        assert_eq!(parse_challenge(&huge, false), Err(AuthError::TooLong { length: huge.len() }));
    }

    #[test]
    fn rejects_malformed_authorizations() {
        let base = r#"Digest username="u", realm="r", nonce="n", uri="sip:r""#;
        let response = r#"response="6629fae49393a05397450978507c4ef1""#;
        let corpus: [(String, AuthError); 7] = [
            (base.to_owned(), AuthError::MissingParameter("response")),
            (format!(r#"{base}, response="abc""#), AuthError::InvalidResponse("abc".to_owned())),
            (format!("{base}, {response}, qop=auth, cnonce=\"c\""), AuthError::MissingParameter("nc")),
            (format!("{base}, {response}, qop=auth, nc=1, cnonce=\"c\""), AuthError::InvalidNonceCount("1".to_owned())),
            (format!("{base}, {response}, qop=auth, nc=00000001"), AuthError::MissingParameter("cnonce")),
            (format!("{base}, {response}, qop=auth-conf"), AuthError::UnsupportedQop("auth-conf".to_owned())),
            (
                format!("{base}, {response}, algorithm=AKAv1-MD5"),
                AuthError::UnsupportedAlgorithm("AKAv1-MD5".to_owned()),
            ),
        ];
        for (value, expected) in corpus {
            assert_eq!(verify(&value, "p", "GET", b""), Err(expected), "authorization {value:?}");
        }
    }

    fn any_text() -> impl Strategy<Value = String> {
        prop::collection::vec(any::<char>(), 0..40).prop_map(String::from_iter)
    }

    fn any_algorithm() -> impl Strategy<Value = Algorithm> {
        prop_oneof![Just(Algorithm::Md5), Just(Algorithm::Md5Sess)]
    }

    fn any_qop_list() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec(prop_oneof![Just("auth"), Just("auth-int"), Just("token")], 0..3)
            .prop_map(|names| names.into_iter().map(str::to_owned).collect())
    }

    proptest! {
        /// Nothing received, however broken, makes either parser panic.
        #[test]
        fn parsers_never_panic_on_arbitrary_text(text in any_text(), tail in "[a-z=,\" \\\\\t\r\n]{0,60}") {
            let _ = parse_challenge(&text, false);
            let _ = parse_authorization(&text);
            let near_miss = format!("Digest {tail}");
            let _ = parse_challenge(&near_miss, true);
            let _ = verify(&near_miss, "p", "GET", b"");
        }

        /// Whatever the credentials and request, the answer written checks out
        /// with the right password and fails with another.
        #[test]
        fn written_answers_verify(
            username in any_text(), password in any_text(), other_password in any_text(),
            realm in any_text(), nonce in any_text(), opaque in prop::option::of(any_text()),
            method in "[A-Z]{1,10}", uri in any_text(), cnonce in any_text(),
            nonce_count in any::<u32>(), body in prop::collection::vec(any::<u8>(), 0..64),
            algorithm in any_algorithm(), qop in any_qop_list(),
        ) {
            let challenge = Challenge { realm, nonce, opaque, algorithm, qop, stale: false, for_proxy: false };
            let credentials = Credentials { username, password: password.clone() };
            let value = authorization(&challenge, &credentials, &method, &uri, &cnonce, nonce_count, &body);
            prop_assert_eq!(verify(&value, &password, &method, &body), Ok(true), "{}", value);
            prop_assume!(other_password != password);
            prop_assert_eq!(verify(&value, &other_password, &method, &body), Ok(false));
        }

        /// A challenge written by a registrar reads back the same.
        #[test]
        fn written_challenges_read_back(
            realm in any_text(), nonce in any_text(), opaque in prop::option::of(any_text()),
            algorithm in any_algorithm(), qop in any_qop_list(), stale in any::<bool>(), for_proxy in any::<bool>(),
        ) {
            let safe = |text: String| text.replace(['\r', '\n'], " ");
            let qop = if qop.iter().any(|name| name != "token") { qop } else { Vec::new() };
            let challenge =
                Challenge { realm: safe(realm), nonce: safe(nonce), opaque: opaque.map(safe), algorithm, qop, stale, for_proxy };
            prop_assert_eq!(parse_challenge(&challenge.header_value(), for_proxy), Ok(challenge));
        }
    }
}

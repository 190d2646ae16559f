//! The phone account saved between runs, in the data folder: `phone.json`
//! for the settings, with the SIP password sealed (ChaCha20-Poly1305) under
//! a random key kept in `phone.key`, readable by its owner only. The
//! password is never written in plain text; someone who can read both files
//! as the user can still recover it, as with any secret a program must
//! replay without asking.
//!
//! Files are replaced atomically (write, then rename): a crash never leaves
//! half a file, and a damaged file is reported, not overwritten.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const SETTINGS: &str = "phone.json";
const KEY: &str = "phone.key";

/// The phone account as saved.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedPhone {
    /// `host[:port]`, empty for direct calls.
    pub server: String,
    /// The SIP user.
    pub user: String,
    /// TCP instead of UDP.
    pub tcp: bool,
    /// The local SIP port as typed.
    pub port: String,
    /// Devices and volumes for calls.
    #[serde(default)]
    pub audio: crate::voice::audio::AudioSettings,
    /// Speed-dial entries: a name and the number or address it calls.
    #[serde(default)]
    pub speed_dial: Vec<(String, String)>,
    /// The sealed password (hex of nonce and ciphertext), when one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_password: Option<String>,
}

/// Why the saved account could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PhoneSettingsError {
    /// The file system refused.
    #[error("the phone settings in {0} could not be used: {1}")]
    Io(PathBuf, std::io::Error),
    /// The settings file is damaged.
    #[error("the phone settings in {0} are damaged ({1}); enter the account again")]
    Damaged(PathBuf, String),
    /// The password does not open with the key (the key file was replaced).
    #[error("the saved SIP password cannot be read with this machine's key; enter it again")]
    Sealed,
}

/// Reads the saved account and its password; `None` when nothing was saved.
pub fn load(dir: &Path) -> Result<Option<(SavedPhone, Option<String>)>, PhoneSettingsError> {
    let path = dir.join(SETTINGS);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(PhoneSettingsError::Io(path, error)),
    };
    let saved: SavedPhone =
        serde_json::from_str(&text).map_err(|e| PhoneSettingsError::Damaged(path.clone(), e.to_string()))?;
    let password = match &saved.sealed_password {
        Some(sealed) => Some(unseal(&read_key(dir)?.ok_or(PhoneSettingsError::Sealed)?, sealed)?),
        None => None,
    };
    Ok(Some((saved, password)))
}

/// Saves the account, sealing `password`.
pub fn save(dir: &Path, mut saved: SavedPhone, password: Option<&str>) -> Result<(), PhoneSettingsError> {
    std::fs::create_dir_all(dir).map_err(|e| PhoneSettingsError::Io(dir.to_path_buf(), e))?;
    saved.sealed_password = match password.filter(|p| !p.is_empty()) {
        Some(password) => {
            let key = match read_key(dir)? {
                Some(key) => key,
                None => write_key(dir)?,
            };
            Some(seal(&key, password)?)
        }
        None => None,
    };
    let text = serde_json::to_string_pretty(&saved)
        .map_err(|e| PhoneSettingsError::Damaged(dir.join(SETTINGS), e.to_string()))?;
    write_atomically(&dir.join(SETTINGS), text.as_bytes(), 0o600)
}

fn read_key(dir: &Path) -> Result<Option<[u8; 32]>, PhoneSettingsError> {
    let path = dir.join(KEY);
    match std::fs::read(&path) {
        Ok(bytes) => {
            bytes.try_into().map(Some).map_err(|_| PhoneSettingsError::Damaged(path, "the key is not 32 bytes".into()))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(PhoneSettingsError::Io(path, error)),
    }
}

fn write_key(dir: &Path) -> Result<[u8; 32], PhoneSettingsError> {
    let mut key = [0u8; 32];
    // The thread RNG is a CSPRNG seeded from the operating system.
    rand::rng().fill(&mut key);
    write_atomically(&dir.join(KEY), &key, 0o600)?;
    Ok(key)
}

fn seal(key: &[u8; 32], password: &str) -> Result<String, PhoneSettingsError> {
    let cipher = ChaCha20Poly1305::new(&Key::from(*key));
    let mut nonce = [0u8; 12];
    rand::rng().fill(&mut nonce);
    let sealed = cipher.encrypt(&Nonce::from(nonce), password.as_bytes()).map_err(|_| PhoneSettingsError::Sealed)?;
    Ok(hex(&nonce) + &hex(&sealed))
}

fn unseal(key: &[u8; 32], sealed: &str) -> Result<String, PhoneSettingsError> {
    let bytes = unhex(sealed).ok_or(PhoneSettingsError::Sealed)?;
    let (nonce, ciphertext) = bytes.split_at_checked(12).ok_or(PhoneSettingsError::Sealed)?;
    let nonce: [u8; 12] = nonce.try_into().map_err(|_| PhoneSettingsError::Sealed)?;
    let cipher = ChaCha20Poly1305::new(&Key::from(*key));
    let plain = cipher.decrypt(&Nonce::from(nonce), ciphertext).map_err(|_| PhoneSettingsError::Sealed)?;
    String::from_utf8(plain).map_err(|_| PhoneSettingsError::Sealed)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// Writes a file whole or not at all, readable by its owner only.
fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> Result<(), PhoneSettingsError> {
    use std::io::Write as _;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt as _;
    let temporary = path.with_extension("tmp");
    let failed = |e| PhoneSettingsError::Io(path.to_path_buf(), e);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(mode);
    #[cfg(not(unix))]
    let _ = mode;
    let mut file = options.open(&temporary).map_err(failed)?;
    file.write_all(bytes).map_err(failed)?;
    file.sync_all().map_err(failed)?;
    drop(file);
    std::fs::rename(&temporary, path).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> SavedPhone {
        SavedPhone {
            server: "pbx.example.com:5060".into(),
            user: "alex".into(),
            tcp: true,
            port: "5070".into(),
            audio: crate::voice::audio::AudioSettings::default(),
            speed_dial: vec![("Support desk".into(), "2000".into())],
            sealed_password: None,
        }
    }

    #[test]
    fn the_account_comes_back_and_the_password_is_never_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).unwrap().is_none());
        save(dir.path(), account(), Some("s3cret-Pa55")).unwrap();
        let (saved, password) = load(dir.path()).unwrap().unwrap();
        assert_eq!(password.as_deref(), Some("s3cret-Pa55"));
        assert_eq!(SavedPhone { sealed_password: None, ..saved }, account());
        for file in [SETTINGS, KEY] {
            let bytes = std::fs::read(dir.path().join(file)).unwrap();
            assert!(!bytes.windows(11).any(|w| w == b"s3cret-Pa55"), "{file} holds no clear password");
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(KEY)).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0, "the key is private to its owner");
        }
    }

    #[test]
    fn a_damaged_file_or_a_foreign_key_is_reported_not_guessed() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), account(), Some("pw")).unwrap();
        std::fs::write(dir.path().join(KEY), [7u8; 32]).unwrap();
        assert!(matches!(load(dir.path()), Err(PhoneSettingsError::Sealed)));
        std::fs::write(dir.path().join(SETTINGS), "{ not json").unwrap();
        assert!(matches!(load(dir.path()), Err(PhoneSettingsError::Damaged(..))));
    }

    #[test]
    fn saving_without_a_password_keeps_none() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), account(), None).unwrap();
        assert_eq!(load(dir.path()).unwrap().unwrap().1, None);
        assert!(!dir.path().join(KEY).exists(), "no key is made when nothing is sealed");
    }
}

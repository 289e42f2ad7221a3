// SPDX-License-Identifier: GPL-2.0

//! Parsing of tunable values written by users.

/// Why a written value was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Not a decimal number that fits in 32 bits.
    NotANumber,
    /// A number outside the tunable's range.
    OutOfRange,
    /// A number that conflicts with another tunable.
    Conflict,
}

/// Parses a decimal `u32` as written to a sysfs file: optional surrounding
/// ASCII whitespace (`echo` adds a newline), no sign, no other characters.
pub fn parse_u32(text: &[u8]) -> Option<u32> {
    let text = text.trim_ascii();
    if text.is_empty() {
        return None;
    }
    let mut value: u32 = 0;
    for b in text {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        value = value.checked_mul(10)?.checked_add(u32::from(digit))?;
    }
    Some(value)
}

/// Checks `text` against the range `min..=max` and the extra condition
/// `fits`; returns the value to store.
pub fn validate(
    text: &[u8],
    min: u32,
    max: u32,
    fits: impl Fn(u32) -> bool,
) -> Result<u32, Refused> {
    check(parse_u32(text).ok_or(Refused::NotANumber)?, min, max, fits)
}

/// Checks `value` against the range `min..=max` and the extra condition
/// `fits`; returns the value to store.
pub fn check(value: u32, min: u32, max: u32, fits: impl Fn(u32) -> bool) -> Result<u32, Refused> {
    if !(min..=max).contains(&value) {
        return Err(Refused::OutOfRange);
    }
    if !fits(value) {
        return Err(Refused::Conflict);
    }
    Ok(value)
}

/// Writes `value` in decimal and a newline at the start of `out`, as a
/// sysfs file shows it; returns the number of bytes written (0 when `out`
/// is too small).
pub fn format_u32(value: u32, out: &mut [u8]) -> usize {
    let mut digits = [0u8; 10];
    let mut n = 0;
    let mut v = value;
    loop {
        if let Some(d) = digits.get_mut(n) {
            // A remainder by 10 fits in a u8.
            *d = b'0' + (v % 10) as u8;
        }
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let Some(dst) = out.get_mut(..=n) else {
        return 0;
    };
    let used = digits.get(..n).unwrap_or(&[]);
    for (slot, digit) in dst.iter_mut().zip(used.iter().rev()) {
        *slot = *digit;
    }
    if let Some(last) = dst.last_mut() {
        *last = b'\n';
    }
    n + 1
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    #[test]
    fn parses_what_echo_writes() {
        assert_eq!(parse_u32(b"42\n"), Some(42));
        assert_eq!(parse_u32(b" 7 "), Some(7));
        assert_eq!(parse_u32(b"4294967295"), Some(u32::MAX));
        for bad in [
            &b""[..],
            b"\n",
            b"-1",
            b"+1",
            b"1.5",
            b"0x10",
            b"4294967296",
            b"12a",
        ] {
            assert_eq!(parse_u32(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn formats_like_sysfs() {
        let mut buf = [0u8; 16];
        for v in [0, 7, 10, 1300, u32::MAX] {
            let n = format_u32(v, &mut buf);
            assert_eq!(&buf[..n], std::format!("{v}\n").as_bytes());
            assert_eq!(parse_u32(&buf[..n]), Some(v));
        }
        assert_eq!(format_u32(12345, &mut buf[..5]), 0);
    }

    #[test]
    fn validates_range_and_conflicts() {
        assert_eq!(validate(b"5", 1, 64, |_| true), Ok(5));
        assert_eq!(validate(b"0", 1, 64, |_| true), Err(Refused::OutOfRange));
        assert_eq!(validate(b"65", 1, 64, |_| true), Err(Refused::OutOfRange));
        assert_eq!(validate(b"x", 1, 64, |_| true), Err(Refused::NotANumber));
        assert_eq!(validate(b"9", 1, 64, |v| v < 8), Err(Refused::Conflict));
    }
}

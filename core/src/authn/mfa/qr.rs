//! The QR code of an `otpauth://` URI, as an SVG document (seed 000's "QR code image API"):
//! the symbol from `qrcodegen`, drawn as one path of unit squares with a four-module quiet
//! zone, black on white whatever the page's theme, so every authenticator app reads it.

use qrcodegen::{QrCode, QrCodeEcc};

use crate::Error;

/// Modules of quiet zone around the symbol, as ISO/IEC 18004 asks.
const BORDER: i32 = 4;

/// The QR code of `text` as an SVG document.
pub fn svg(text: &str) -> Result<String, Error> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium)
        .map_err(|_| Error::Internal("the otpauth URI is too long for a QR code".into()))?;
    let size = qr.size();
    let dim = size + 2 * BORDER;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                if !path.is_empty() {
                    path.push(' ');
                }
                path.push_str(&format!("M{},{}h1v1h-1z", x + BORDER, y + BORDER));
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {dim} {dim}\" \
         shape-rendering=\"crispEdges\" role=\"img\" aria-label=\"QR code for an authenticator app\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\
         <path d=\"{path}\" fill=\"#000000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_qr_svg_is_a_square_symbol_with_quiet_zone() {
        let uri = "otpauth://totp/Latchkey:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Latchkey&algorithm=SHA1&digits=6&period=30";
        let svg = svg(uri).unwrap();
        let qr = QrCode::encode_text(uri, QrCodeEcc::Medium).unwrap();
        let dim = qr.size() + 8;
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(&format!("viewBox=\"0 0 {dim} {dim}\"")));
        // One square per dark module, none inside the quiet zone.
        let dark = (0..qr.size())
            .flat_map(|y| (0..qr.size()).map(move |x| (x, y)))
            .filter(|&(x, y)| qr.get_module(x, y))
            .count();
        assert_eq!(svg.matches("h1v1h-1z").count(), dark);
        // The finder pattern's top-left corner sits at the border.
        assert!(svg.contains("M4,4h1v1h-1z"));
        assert!(!svg.contains("M3,"));
        // The URI itself is not in the document (nothing to escape, nothing to leak).
        assert!(!svg.contains("secret"));
    }
}

//! A streaming ZIP writer for one stored (uncompressed) entry: the header goes out first,
//! the data in chunks as they come, and the sizes and CRC-32 in a data descriptor at the end,
//! so an export of any size never sits in memory whole.

/// CRC-32 (IEEE 802.3), table-driven.
#[derive(Debug, Clone)]
pub struct Crc32 {
    table: [u32; 256],
    value: u32,
}

impl Default for Crc32 {
    fn default() -> Self {
        let mut table = [0u32; 256];
        for (i, slot) in table.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        Crc32 {
            table,
            value: 0xFFFF_FFFF,
        }
    }
}

impl Crc32 {
    pub fn update(&mut self, data: &[u8]) {
        for b in data {
            self.value =
                self.table[((self.value ^ u32::from(*b)) & 0xFF) as usize] ^ (self.value >> 8);
        }
    }

    pub fn finish(&self) -> u32 {
        self.value ^ 0xFFFF_FFFF
    }
}

/// Flags: sizes and CRC follow the data (bit 3); the name is UTF-8 (bit 11).
const FLAGS: u16 = 0x0808;
const VERSION: u16 = 20;

/// One entry, written as it streams.
#[derive(Debug, Clone)]
pub struct ZipStream {
    name: String,
    crc: Crc32,
    size: u64,
    dos_time: u16,
    dos_date: u16,
}

fn dos_datetime(unix_ms: i64) -> (u16, u16) {
    let secs = unix_ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = crate::time::civil(days);
    let y = y.clamp(1980, 2107);
    let time = (((sod / 3600) << 11) | (((sod % 3600) / 60) << 5) | ((sod % 60) / 2)) as u16;
    let date = (((y - 1980) << 9) | (m << 5) | d) as u16;
    (time, date)
}

impl ZipStream {
    pub fn new(name: &str, now_ms: i64) -> Self {
        let (dos_time, dos_date) = dos_datetime(now_ms);
        ZipStream {
            name: name.to_owned(),
            crc: Crc32::default(),
            size: 0,
            dos_time,
            dos_date,
        }
    }

    /// The local file header.
    pub fn start(&self) -> Vec<u8> {
        let mut h = Vec::with_capacity(30 + self.name.len());
        h.extend(0x0403_4b50u32.to_le_bytes());
        h.extend(VERSION.to_le_bytes());
        h.extend(FLAGS.to_le_bytes());
        h.extend(0u16.to_le_bytes()); // stored
        h.extend(self.dos_time.to_le_bytes());
        h.extend(self.dos_date.to_le_bytes());
        h.extend([0u8; 12]); // CRC and sizes: in the data descriptor
        h.extend((self.name.len() as u16).to_le_bytes());
        h.extend(0u16.to_le_bytes());
        h.extend(self.name.as_bytes());
        h
    }

    /// Accounts for a chunk of the entry's data (the caller sends the chunk itself).
    pub fn data(&mut self, chunk: &[u8]) {
        self.crc.update(chunk);
        self.size += chunk.len() as u64;
    }

    /// The data descriptor, the central directory and its end record.
    pub fn finish(&self) -> Vec<u8> {
        let crc = self.crc.finish();
        let size = u32::try_from(self.size).unwrap_or(u32::MAX);
        let local_len = 30 + self.name.len() as u32;
        let mut out = Vec::new();
        out.extend(0x0807_4b50u32.to_le_bytes());
        out.extend(crc.to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend(size.to_le_bytes());
        let cd_offset = local_len + size + 16;
        let cd_start = out.len();
        out.extend(0x0201_4b50u32.to_le_bytes());
        out.extend(VERSION.to_le_bytes()); // made by
        out.extend(VERSION.to_le_bytes()); // needed
        out.extend(FLAGS.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out.extend(self.dos_time.to_le_bytes());
        out.extend(self.dos_date.to_le_bytes());
        out.extend(crc.to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend(size.to_le_bytes());
        out.extend((self.name.len() as u16).to_le_bytes());
        out.extend([0u8; 12]); // extra, comment, disk, internal and external attributes
        out.extend(0u32.to_le_bytes()); // local header at offset 0
        out.extend(self.name.as_bytes());
        let cd_size = (out.len() - cd_start) as u32;
        out.extend(0x0605_4b50u32.to_le_bytes());
        out.extend([0u8; 4]); // disk numbers
        out.extend(1u16.to_le_bytes());
        out.extend(1u16.to_le_bytes());
        out.extend(cd_size.to_le_bytes());
        out.extend(cd_offset.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_zip_crc32_check_value() {
        let mut c = Crc32::default();
        c.update(b"123456789");
        assert_eq!(c.finish(), 0xCBF4_3926);
    }

    #[test]
    fn test_zip_layout_is_consistent() {
        let mut z = ZipStream::new("a.csv", 1_700_000_000_000);
        let mut file = z.start();
        for chunk in [&b"x,y\n"[..], b"1,2\n"] {
            z.data(chunk);
            file.extend(chunk);
        }
        file.extend(z.finish());
        // End of central directory: the last 22 bytes, pointing back at the directory.
        let eocd = &file[file.len() - 22..];
        assert_eq!(&eocd[..4], &0x0605_4b50u32.to_le_bytes());
        let cd_size = u32::from_le_bytes(eocd[12..16].try_into().unwrap()) as usize;
        let cd_offset = u32::from_le_bytes(eocd[16..20].try_into().unwrap()) as usize;
        assert_eq!(cd_offset + cd_size, file.len() - 22);
        assert_eq!(
            &file[cd_offset..cd_offset + 4],
            &0x0201_4b50u32.to_le_bytes()
        );
        let crc = u32::from_le_bytes(file[cd_offset + 16..cd_offset + 20].try_into().unwrap());
        let mut c = Crc32::default();
        c.update(b"x,y\n1,2\n");
        assert_eq!(crc, c.finish());
        assert_eq!(
            &file[35..43],
            b"x,y\n1,2\n",
            "data right after the 35-byte local header"
        );
    }
}

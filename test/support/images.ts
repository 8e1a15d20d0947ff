/**
 * Test images made here with sharp (nothing downloaded): a drawn product photo with camera metadata, and the
 * files a pipeline must refuse — too small, not an image, a format it does not take, a decompression bomb
 * (a valid PNG whose 10,000 × 10,000 zero rows deflate to ~100 KB), a truncated JPEG, a file over 5 MB.
 */
import { randomBytes } from 'node:crypto';
import { deflateSync, crc32 } from 'node:zlib';
import sharp from 'sharp';

const drawing = (width: number, height: number, hue: number) =>
  Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">` +
      `<stop offset="0" stop-color="hsl(${hue},70%,60%)"/><stop offset="1" stop-color="hsl(${(hue + 60) % 360},70%,30%)"/>` +
      `</linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/>` +
      `<circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="white" opacity="0.8"/>` +
      `</svg>`,
  );

/** A JPEG photo-like image carrying EXIF (camera, copyright) that the variants must not keep. */
export const photoJpeg = (width = 1200, height = 1200, hue = 200) =>
  sharp(drawing(width, height, hue))
    .jpeg({ quality: 85 })
    .withExif({ IFD0: { Make: 'TestCam', Model: 'Secret-Model-9', Copyright: 'Private Owner' } })
    .toBuffer();

export const photoPng = (width = 1000, height = 1000, hue = 20) =>
  sharp(drawing(width, height, hue))
    .png()
    .toBuffer();
export const photoGif = (width = 900, height = 900) =>
  sharp(drawing(width, height, 120))
    .gif()
    .toBuffer();

/** A JPEG cut in half: its header reads fine, its pixels do not decode. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await sharp(drawing(1000, 1000, 300))
    .jpeg({ quality: 95 })
    .toBuffer();
  return whole.subarray(0, Math.floor(whole.length / 2));
}

/** Random pixels barely compress: a 1,400 × 1,400 PNG of noise is about 5.9 MB. */
export function noisePngOver5MB(): Promise<Buffer> {
  const width = 1400;
  const height = 1400;
  const pixels = randomBytes(width * height * 3);
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

const chunk = (type: string, data: Buffer) => {
  const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
};

/** A valid greyscale PNG of `side` × `side` zero pixels: tiny on disk, `side`² bytes once decoded. */
export function decompressionBombPng(side = 10_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, adaptive filtering, no interlace
  const rows = Buffer.alloc((side + 1) * side); // each row: filter byte 0, then zero pixels
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

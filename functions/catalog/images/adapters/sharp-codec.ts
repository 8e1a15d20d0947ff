/**
 * The image codec on sharp (libvips): headers read without decoding, the decompression-bomb guard enforced by
 * sharp itself (`limitInputPixels`), any decoder warning treated as corruption (`failOn: 'warning'`: a truncated
 * JPEG fails instead of rendering grey), EXIF orientation applied before the metadata is dropped (sharp writes
 * none unless asked), and each width encoded as WebP.
 */
import sharp from 'sharp';
import { MAX_INPUT_PIXELS } from '../domain/rules';
import {
  CorruptImageError,
  ImageTooLargeToDecodeError,
  NotAnImageError,
  type ImageCodec,
  type ImageFacts,
  type RenderedVariant,
} from '../ports';

const WEBP_QUALITY = 80;

function decodingError(e: unknown): Error {
  const message = (e as Error)?.message ?? String(e);
  if (/unsupported image format|bad seek|Input buffer is empty/i.test(message)) return new NotAnImageError(message);
  if (/pixel limit/i.test(message))
    return new ImageTooLargeToDecodeError(`The image is over the ${MAX_INPUT_PIXELS / 1_000_000}-megapixel limit`);
  return new CorruptImageError(message.split('\n')[0].slice(0, 200));
}

export const sharpCodec: ImageCodec = {
  async inspect(bytes: Uint8Array): Promise<ImageFacts> {
    try {
      // The header only, never the pixels: a bomb's claimed size is read here, and the domain refuses it by that.
      const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
      if (!meta.format || !meta.width || !meta.height) throw new NotAnImageError('no format or size in the header');
      // Orientation 5-8 turns the picture a quarter: its displayed sides are swapped.
      const turned = (meta.orientation ?? 1) >= 5;
      return {
        format: meta.format,
        width: turned ? meta.height : meta.width,
        height: turned ? meta.width : meta.height,
      };
    } catch (e) {
      if (e instanceof NotAnImageError) throw e;
      throw decodingError(e);
    }
  },

  async render(bytes: Uint8Array, widths: readonly number[]): Promise<RenderedVariant[]> {
    try {
      // Decoded once, oriented, to raw pixels; each width is resized and encoded from those.
      const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning' })
        .rotate()
        .raw()
        .toBuffer({ resolveWithObject: true });
      const raw = { raw: { width: info.width, height: info.height, channels: info.channels } };
      return await Promise.all(
        widths.map(async (width) => ({
          width,
          format: 'webp' as const,
          contentType: 'image/webp',
          bytes: new Uint8Array(
            await sharp(data, raw)
              .resize({ width, withoutEnlargement: true })
              .webp({ quality: WEBP_QUALITY })
              .toBuffer(),
          ),
        })),
      );
    } catch (e) {
      throw decodingError(e);
    }
  },
};

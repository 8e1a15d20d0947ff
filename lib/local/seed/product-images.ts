/**
 * `npm start` gives a handful of seeded products real images, drawn here with sharp (nothing downloaded) and sent
 * through the real pipeline: the API's upload ticket, a PUT to the presigned URL, the image function, READY. Once
 * per data directory: products that already list images are left alone.
 */
import sharp from 'sharp';

/** How many seeded products get an image. */
export const IMAGES_SEEDED = 5;
const SIDE_PX = 1200;

interface Seedable {
  id: string;
  name: string;
  imageUrls: string[];
}

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/** A 1200 × 1200 JPEG: a gradient in the product's own hue, a disc, and its name. */
export function drawProductImage(name: string, hue: number): Promise<Buffer> {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIDE_PX}" height="${SIDE_PX}">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue},65%,70%)"/>` +
    `<stop offset="1" stop-color="hsl(${(hue + 50) % 360},60%,35%)"/></linearGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#g)"/>` +
    `<circle cx="600" cy="520" r="300" fill="white" opacity="0.85"/>` +
    `<text x="600" y="1000" font-family="sans-serif" font-size="64" text-anchor="middle" fill="white">${escapeXml(name.slice(0, 28))}</text>` +
    `</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

async function call<T>(
  apiUrl: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown; signal?: AbortSignal } = {},
) {
  const res = await fetch(`${apiUrl}${path}`, {
    method: init.method ?? 'GET',
    signal: init.signal,
    headers: {
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function untilSettled(apiUrl: string, path: string, token: string, signal?: AbortSignal, timeoutMs = 60_000) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const status = await call<{ status: string; reason?: string; urls?: string[] }>(apiUrl, path, { token, signal });
    if (status.status !== 'PROCESSING') return status;
    await new Promise((resolve) => setTimeout(resolve, 200));
    signal?.throwIfAborted();
  }
  throw new Error(`${path} still PROCESSING after ${timeoutMs / 1000} s`);
}

/**
 * Uploads one drawn image to each of the first few products without images; the URLs of the first one. `npm start`
 * runs it once the platform is ready (the catalog is usable without images, and five images through the pipeline
 * cost seconds of CPU), and aborts it through `signal` when it stops.
 */
export async function seedProductImages(
  target: { apiUrl: string; admin: { email: string; password: string } },
  log: (message: string) => void,
  signal?: AbortSignal,
): Promise<string[]> {
  const { apiUrl } = target;
  const page = await call<{ items: Seedable[] }>(apiUrl, `/v1/products?limit=${IMAGES_SEEDED}`, { signal });
  if (page.items.some((p) => p.imageUrls.length > 0)) return [];
  const { idToken: token } = await call<{ idToken: string }>(apiUrl, '/v1/auth/login', {
    method: 'POST',
    body: { email: target.admin.email, password: target.admin.password },
    signal,
  });
  const shown: string[] = [];
  for (const [i, product] of page.items.entries()) {
    const ticket = await call<{ uploadUrl: string; imageKey: string }>(apiUrl, `/v1/products/${product.id}/images`, {
      method: 'POST',
      token,
      body: { contentType: 'image/jpeg' },
      signal,
    });
    const put = await fetch(ticket.uploadUrl, {
      method: 'PUT',
      body: await drawProductImage(product.name, (i * 67) % 360),
      headers: { 'content-type': 'image/jpeg' },
      signal,
    });
    if (!put.ok) throw new Error(`uploading ${product.id}'s image: ${put.status} ${await put.text()}`);
    const status = await untilSettled(apiUrl, `/v1/products/${product.id}/images/${ticket.imageKey}`, token, signal);
    if (status.status !== 'READY') throw new Error(`${product.id}'s image was ${status.status}: ${status.reason}`);
    if (shown.length === 0) shown.push(...(status.urls ?? []));
  }
  log(`images: ${page.items.length} products got generated images through the upload pipeline`);
  return shown;
}

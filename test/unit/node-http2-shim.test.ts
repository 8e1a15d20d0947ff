/**
 * lib/contexts/node-http2-shim.ts, what the functions' bundles get for `node:http2`: the real module's constants and
 * connect, read through once first used.
 */
import http2 from 'node:http2';
import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from '@jest/globals';
import shim, { connect, constants } from '../../lib/contexts/node-http2-shim';

describe('the node:http2 shim', () => {
  it("reads the real module's constants", () => {
    expect(constants.HTTP2_HEADER_PATH).toBe(':path');
    expect(shim.constants.HTTP2_HEADER_METHOD).toBe(http2.constants.HTTP2_HEADER_METHOD);
    expect({ ...constants }).toEqual({ ...http2.constants });
    expect('NGHTTP2_CANCEL' in constants).toBe(true);
    // As the SDK's HTTP/2 handler reads them when its module loads.
    const { HTTP2_HEADER_STATUS } = shim.constants;
    expect(HTTP2_HEADER_STATUS).toBe(':status');
  });

  it('connects as the real module does', async () => {
    const server = createServer((req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const session = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const stream = session.request({ [constants.HTTP2_HEADER_PATH]: '/' });
        let text = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (text += chunk));
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
        stream.end();
      });
      expect(body).toBe('ok');
      expect(shim.connect).toBe(connect);
    } finally {
      session.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

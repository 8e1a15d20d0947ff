/**
 * The TCP sockets a process listens on, read from Linux's /proc: its file descriptors name socket inodes, and
 * /proc/<pid>/net/tcp and tcp6 list each socket's local address, state and inode.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ListeningSocket {
  address: string;
  port: number;
}

const LISTEN = '0A';

/** /proc's hex address: 32-bit words in host (little-endian) byte order. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g)!.map((word) =>
    word
      .match(/../g)!
      .reverse()
      .map((b) => parseInt(b, 16)),
  );
  const bytes = words.flat();
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff') return `::ffff:${bytes.slice(12).join('.')}`;
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

export function isLoopback(address: string): boolean {
  return /^(::ffff:)?127\./.test(address) || address === '0:0:0:0:0:0:0:1' || address === '::1';
}

export function listeningSockets(pid: number): ListeningSocket[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const socket = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (socket) inodes.add(socket[1]!);
    } catch {
      // Closed while we looked.
    }
  }
  const sockets: ListeningSocket[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1]!, fields[3], fields[9]!];
      if (state !== LISTEN || !inodes.has(inode)) continue;
      const [address, port] = local.split(':') as [string, string];
      sockets.push({ address: decodeAddress(address), port: parseInt(port, 16) });
    }
  }
  return sockets;
}

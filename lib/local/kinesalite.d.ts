/** The part of kinesalite 3 the local substrate uses (the package ships no types). */
declare module 'kinesalite' {
  import type { Server } from 'node:http';

  interface KinesaliteOptions {
    /** Where leveldown keeps the data; in memory (memdown) without one. */
    path?: string;
    /** How long a stream stays CREATING (default 500 ms). */
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
    ssl?: boolean;
  }

  export default function kinesalite(options?: KinesaliteOptions): Server;
}

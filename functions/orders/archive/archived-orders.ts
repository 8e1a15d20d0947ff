import { decodeBatch } from './format';
import type { ArchiveStore } from './ports';

/** Reads archived orders back from their archive objects, for the orders table's stubs. */
export interface ArchivedOrders {
  /** The stored orders of the archive object at `archiveKey`, by order id. */
  batch(archiveKey: string): Promise<Map<string, Record<string, unknown>>>;
}

export class ArchivedOrdersFromStore implements ArchivedOrders {
  constructor(private readonly store: Pick<ArchiveStore, 'getArchive'>) {}

  async batch(archiveKey: string): Promise<Map<string, Record<string, unknown>>> {
    const body = await this.store.getArchive(archiveKey);
    // A stub is written only once its object was read back and verified: one missing is a fault, not a 404.
    if (!body) throw new Error(`Archive object ${archiveKey} is missing`);
    return new Map(decodeBatch(body).map((o) => [o.orderId, o]));
  }
}

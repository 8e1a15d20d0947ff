/**
 * One index: its documents (`_source`, version, sequence number), the version tombstones of deleted ones, and
 * per field the structures queries read — an inverted index per text and keyword field (./text-index.ts), a
 * completion index per completion field, and the normalized values of every field (filters, sorts, aggregations).
 * Writes check the mapping and the version before anything changes, and are journaled (./store.ts) before the
 * request that made them is answered.
 */
import { randomUUID } from 'node:crypto';
import { CompletionIndex } from './completion-index';
import type { JsonObject } from './dsl';
import { SearchError } from './errors';
import { admit, completionInputs, fieldValues, type Scalar } from './field-values';
import { Mapping, type ResolvedField } from './mapping';
import type { IndexMetadata, IndexSettings } from './settings';
import type { DocumentLog, LogRecord } from './store';
import { TextIndex } from './text-index';
import { nextVersion, type WriteVersion } from './versions';

export interface StoredDocument {
  /** Internal number: the key in the per-field indexes. */
  key: number;
  id: string;
  source: JsonObject;
  version: number;
  seqNo: number;
  /** Normalized values of each non-text field (and of text fields, for `exists`). */
  values: Map<string, Scalar[]>;
}

interface Tombstone {
  version: number;
  seqNo: number;
  at: number;
}

export interface WriteResult {
  result: 'created' | 'updated' | 'deleted' | 'not_found';
  version: number;
  seqNo: number;
}

export class SearchIndex {
  readonly documents = new Map<string, StoredDocument>();
  readonly byKey = new Map<number, StoredDocument>();
  readonly textIndexes = new Map<string, TextIndex>();
  readonly completionIndexes = new Map<string, CompletionIndex>();
  private readonly tombstones = new Map<string, Tombstone>();
  private nextKey = 0;
  private nextSeqNo = 0;
  mapping: Mapping;

  constructor(
    readonly metadata: IndexMetadata,
    private readonly log: DocumentLog | undefined,
    private readonly onMappingChange: (index: SearchIndex) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.mapping = Mapping.parse(metadata.mappings);
    this.buildFieldIndexes();
  }

  static newMetadata(name: string, settings: IndexSettings, mapping: Mapping): IndexMetadata {
    return {
      name,
      uuid: randomUUID().replaceAll('-', '').slice(0, 22),
      createdAt: Date.now(),
      settings,
      mappings: mapping.toJSON(),
    };
  }

  get name(): string {
    return this.metadata.name;
  }

  get(id: string): StoredDocument | undefined {
    return this.documents.get(id);
  }

  index(id: string, source: JsonObject, write: WriteVersion, opType: 'index' | 'create'): WriteResult {
    if (opType === 'create' && write.type !== 'internal') {
      throw new SearchError(
        400,
        'action_request_validation_exception',
        'Validation Failed: 1: create operations only support internal versioning. use index instead;',
      );
    }
    const existing = this.documents.get(id);
    if (opType === 'create' && existing)
      throw this.conflict(id, `version conflict, document already exists (current version [${existing.version}])`);
    const version = nextVersion(existing?.version ?? this.tombstone(id)?.version, write, (message) =>
      this.conflict(id, message),
    );
    const mapping = admit(this.mapping, source, id);
    if (mapping !== this.mapping) this.updateMapping(mapping);
    const seqNo = this.nextSeqNo++;
    this.log?.append({ op: 'index', id, v: version, seq: seqNo, src: source });
    this.apply({ op: 'index', id, v: version, seq: seqNo, src: source });
    return { result: existing ? 'updated' : 'created', version, seqNo };
  }

  delete(id: string, write: WriteVersion): WriteResult {
    const existing = this.documents.get(id);
    const version = nextVersion(existing?.version ?? this.tombstone(id)?.version, write, (message) =>
      this.conflict(id, message),
    );
    const seqNo = this.nextSeqNo++;
    const record: LogRecord = { op: 'delete', id, v: version, seq: seqNo, at: this.now() };
    // A delete of a missing document stores its version only when it is external (a tombstone to refuse older writes).
    if (existing || write.type !== 'internal') {
      this.log?.append(record);
      this.apply(record);
    }
    return { result: existing ? 'deleted' : 'not_found', version, seqNo };
  }

  /** A journaled write, applied (on a write, and when the journal is read back at start). */
  apply(record: LogRecord): void {
    this.nextSeqNo = Math.max(this.nextSeqNo, record.seq + 1);
    const existing = this.documents.get(record.id);
    if (existing) this.unindex(existing);
    if (record.op === 'delete') {
      this.documents.delete(record.id);
      this.tombstones.set(record.id, { version: record.v, seqNo: record.seq, at: record.at });
      return;
    }
    this.tombstones.delete(record.id);
    const document: StoredDocument = {
      key: this.nextKey++,
      id: record.id,
      source: record.src,
      version: record.v,
      seqNo: record.seq,
      values: new Map(),
    };
    this.documents.set(record.id, document);
    this.byKey.set(document.key, document);
    this.indexFields(document);
  }

  /** What the journal must keep: live documents and tombstones still within gc_deletes. */
  *records(): Generator<LogRecord> {
    for (const document of this.documents.values())
      yield { op: 'index', id: document.id, v: document.version, seq: document.seqNo, src: document.source };
    for (const [id, tombstone] of this.tombstones) {
      if (this.tombstone(id)) yield { op: 'delete', id, v: tombstone.version, seq: tombstone.seqNo, at: tombstone.at };
    }
  }

  /** Makes this request's writes durable (before it is answered). */
  flush(): void {
    this.log?.flush(() => this.records(), this.documents.size + this.tombstones.size);
  }

  close(): void {
    this.log?.close();
  }

  field(path: string): ResolvedField | undefined {
    return this.mapping.field(path);
  }

  private tombstone(id: string): Tombstone | undefined {
    const tombstone = this.tombstones.get(id);
    if (tombstone && this.now() - tombstone.at > this.metadata.settings.gcDeletesMs) {
      this.tombstones.delete(id);
      return undefined;
    }
    return tombstone;
  }

  private conflict(id: string, message: string): SearchError {
    return new SearchError(409, 'version_conflict_engine_exception', `[${id}]: ${message}`, {
      index: this.name,
      shard: '0',
      index_uuid: this.metadata.uuid,
    });
  }

  private updateMapping(mapping: Mapping): void {
    this.mapping = mapping;
    this.metadata.mappings = mapping.toJSON();
    this.onMappingChange(this);
    // Fields new to the mapping get indexes; documents indexed before them do not hold those fields.
    this.buildFieldIndexes();
  }

  private buildFieldIndexes(): void {
    for (const field of this.mapping.fields()) {
      if ((field.type === 'text' || field.type === 'keyword') && !this.textIndexes.has(field.path))
        this.textIndexes.set(field.path, new TextIndex(field));
      if (field.type === 'completion' && !this.completionIndexes.has(field.path))
        this.completionIndexes.set(field.path, new CompletionIndex(field));
    }
  }

  private indexFields(document: StoredDocument): void {
    for (const field of this.mapping.fields()) {
      if (field.type === 'completion') {
        this.completionIndexes.get(field.path)!.add(document.key, completionInputs(field, document.source));
        continue;
      }
      const values = fieldValues(field, document.source);
      if (values.length) document.values.set(field.path, values);
      this.textIndexes.get(field.path)?.add(document.key, values.map(String));
    }
  }

  private unindex(document: StoredDocument): void {
    for (const index of this.textIndexes.values()) index.remove(document.key);
    for (const index of this.completionIndexes.values()) index.remove(document.key);
    this.byKey.delete(document.key);
  }
}

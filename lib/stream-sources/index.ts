/**
 * Reading a stream as Lambda's event source mappings do: Kinesis and DynamoDB Streams through the SDK (AWS, or
 * the local emulators), each record shaped exactly as Lambda puts it in its events. The local pollers
 * (lib/local/event-source-mappings) and the operator's redrive (lib/ops/redrive.ts) both read through these, so a
 * redriven batch is the batch the mapping built.
 *
 * DynamoDB Local writes an empty map as `{}` where DynamoDB writes `{"M": {}}`; the shaping restores it.
 */
export * from './source-types';
export * from './dynamodb-source';
export * from './kinesis-source';

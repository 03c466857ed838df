/**
 * Byte positions in a Kafka v2 record batch (the grammar is in ./record-batch.ts), for the code
 * that reads or writes batch headers in place: the batch codec, the share consumer's acquired
 * records, the size check of a compressed batch and the server's check of a Produce batch.
 */

/** baseOffset .. batchLength: the part of a batch before batchLength counts. */
export const LOG_OVERHEAD = 12;
/** The fixed header of a v2 batch, up to and including recordsCount. */
export const HEADER_SIZE = 61;

export const BATCH_LENGTH_OFFSET = 8;
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
export const MAGIC_OFFSET = 16;
export const CRC_OFFSET = 17;
/** The CRC-32C covers attributes to the end of the batch. */
export const ATTRIBUTES_OFFSET = 21;
export const LAST_OFFSET_DELTA_OFFSET = 23;
export const BASE_TIMESTAMP_OFFSET = 27;
export const MAX_TIMESTAMP_OFFSET = 35;
export const PRODUCER_ID_OFFSET = 43;
export const PRODUCER_EPOCH_OFFSET = 51;
export const BASE_SEQUENCE_OFFSET = 53;
export const RECORD_COUNT_OFFSET = 57;

/** Attribute bits: compression codec (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
export const ATTR_CODEC_MASK = 0x07;
export const ATTR_LOG_APPEND_TIME = 0x08;
export const ATTR_TRANSACTIONAL = 0x10;
export const ATTR_CONTROL = 0x20;

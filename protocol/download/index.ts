// Downloading a blob by byte ranges over the vehicle's MQTT link: shared by the gateway and the fleet simulator.
export { missing, normalize, receivedBytes, split, type ByteRange } from './byte-ranges.ts';
export {
  downloadBlob,
  DownloadError,
  type ChunkChannel,
  type DownloadOptions,
  type DownloadStore,
} from './download-blob.ts';
export { MemoryDownloadStore } from './memory-store.ts';

// Test doubles and helpers for tests and benchmarks of code that uses uds/; never built into dist/.
export { MiniEcu, type MiniEcuOptions } from './mini-ecu.ts';
export { waitFor } from '../isotp/test-helpers.ts';

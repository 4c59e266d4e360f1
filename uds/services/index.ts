// Pure encode/decode of every UDS service this project uses (client request/response, server request/response).
export * from './common.ts';
export * from './sid.ts';
export * from './negative-response.ts';
export * from './diagnostic-session-control.ts';
export * from './ecu-reset.ts';
export * from './clear-diagnostic-information.ts';
export * from './read-dtc-information.ts';
export * from './read-data-by-identifier.ts';
export * from './security-access.ts';
export * from './authentication.ts';
export * from './communication-control.ts';
export * from './write-data-by-identifier.ts';
export * from './routine-control.ts';
export * from './memory-transfer.ts';
export * from './transfer-data.ts';
export * from './tester-present.ts';
export * from './control-dtc-setting.ts';

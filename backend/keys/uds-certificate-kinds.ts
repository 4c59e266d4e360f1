// The kinds of 0x29 certificate the backend issues (uds-certificates.ts) as plain data: `ota-keys --help`
// lists them without loading the x509 library.
export const UDS_KEY_ALGORITHMS = ['ed25519', 'p256'] as const;
export type UdsKeyAlgorithm = (typeof UDS_KEY_ALGORITHMS)[number];
/** File name (without .crt/.key) of the CA in its directory. */
export const UDS_CA_NAME = 'uds-ca';
export const UDS_ROLES = ['programming', 'diagnostics', 'ecu'] as const;
export type UdsRole = (typeof UDS_ROLES)[number];

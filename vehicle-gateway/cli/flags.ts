// Every flag of `ota-gateway`, per command: its --help and the README's gateway reference come from here,
// and each value is checked before the command runs (runtime/cli-flags.ts). The gateway reads no
// environment variables; connected mode's settings are its JSON file (connected/config.ts).
import { flagSchemas, type Flag } from '../../runtime/cli-flags.ts';

const file = flagSchemas.text;
const vehicle: Flag = {
  flags: '--vehicle <file>',
  description: 'vehicle definition (JSON, the ecu-sim format)',
  schema: file(),
  required: true,
};
const can: Flag = {
  flags: '--can <iface>',
  description: "CAN interface for every ECU instead of the vehicle file's",
  schema: flagSchemas.interfaceName(),
  shownDefault: "the vehicle file's",
};

const timingMargin: Flag = {
  flags: '--timing-margin-ms <ms>',
  description: "time allowed beyond the ECU's P2/P2* before a request counts as unanswered (a busy host, a slow bus)",
  schema: flagSchemas.count('--timing-margin-ms', 0, 600_000),
  shownDefault: '250',
};

export const GATEWAY_FLAGS = {
  flash: [
    vehicle,
    {
      flags: '--ecu <name>',
      description: 'the ECU to flash, by its name in the vehicle file',
      schema: file(),
      required: true,
    },
    {
      flags: '--image <file>',
      description: "the new image: the ECU's flash regions back to back",
      schema: file(),
      required: true,
    },
    {
      flags: '--signature <file>',
      description: 'OEM code-signing signature(s): 64 bytes raw or 128 hex digits per region',
      schema: file(),
    },
    {
      flags: '--sign-key <file>',
      description: 'sign the image with this Ed25519 private key (hex; TEST keys only)',
      schema: file(),
    },
    can,
    {
      flags: '--secret <hex>',
      description: 'SecurityAccess secret',
      schema: (z) =>
        z
          .string()
          .regex(/^(?:[0-9a-fA-F]{2})+$/, 'must be hex digits, two per byte')
          .optional(),
      shownDefault: "the vehicle file's simulation.securitySecret",
    },
    {
      flags: '--tester-cert <file>',
      description: '0x29 tester certificate (PEM), for ECUs whose access is certificate',
      schema: file(),
    },
    { flags: '--tester-key <file>', description: 'its private key (PEM)', schema: file() },
    {
      flags: '--ecu-ca <file>',
      description: 'the UDS CA certificate: the ECU must prove its certificate too (bidirectional)',
      schema: file(),
    },
    {
      flags: '--base <file>',
      description: "the ECU's current image, for sector-differential or delta transfer",
      schema: file(),
    },
    {
      flags: '--mode <mode>',
      description: 'transfer mode: auto, full, compressed or sector-diff',
      schema: flagSchemas.choice(['auto', 'full', 'compressed', 'sector-diff'], 'auto'),
      shownDefault: 'auto',
    },
    {
      flags: '--no-confirm',
      description: 'dual-bank: do not confirm the new bank (it falls back after a few resets)',
    },
    timingMargin,
  ],
  inventory: [vehicle, can, timingMargin, { flags: '--json', description: 'print JSON instead of a table' }],
  run: [
    {
      flags: '--config <file>',
      description: 'gateway configuration (JSON; see README section "gateway")',
      schema: file(),
      required: true,
    },
  ],
} satisfies Record<string, readonly Flag[]>;

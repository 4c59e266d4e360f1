// The connected-mode configuration file (`gateway run --config FILE`). Paths are relative to the config file.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { vinSchema } from '@ota/uds/vehicle';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM (24 h)');

export const gatewayConfigSchema = z.strictObject({
  vin: vinSchema,
  broker: z.strictObject({
    /** mqtt://, mqtts://, ws:// or wss:// URL. */
    url: z.string().regex(/^(mqtts?|wss?):\/\/./, 'an mqtt://, mqtts://, ws:// or wss:// URL'),
    /** TLS: CA bundle, client certificate and key (PEM files), for mutual TLS. */
    caFile: z.string().min(1).optional(),
    certFile: z.string().min(1).optional(),
    keyFile: z.string().min(1).optional(),
    /** Default: the VIN (the broker ACL isolates vehicles by it). */
    clientId: z.string().min(1).max(64).optional(),
    username: z.string().optional(),
    password: z.string().optional(),
  }),
  /** The root metadata files the gateway was provisioned with (TUF root.json of each repository). */
  trustedRoots: z.strictObject({ image: z.string().min(1), director: z.string().min(1) }),
  /** The vehicle's Ed25519 signing key for version manifests: 32-byte seed as hex. */
  vehicleKeyFile: z.string().min(1),
  /** Journal, trusted metadata state, kept images, downloads. */
  stateDir: z.string().min(1),
  /** The vehicle's ECUs, in the vehicle definition format (its `simulation` parts are ignored). */
  vehicleFile: z.string().min(1),
  /** JSON object: ECU name -> SecurityAccess secret (hex). */
  secretsFile: z.string().min(1),
  /** The 0x29 tester certificate and key (PEM) for ECUs whose `access` is certificate Authentication; with
   * `ecuTrustAnchorFile` (the UDS CA certificate) the ECUs must prove their certificates too. */
  testerCertificate: z
    .strictObject({
      certificateFile: z.string().min(1),
      keyFile: z.string().min(1),
      ecuTrustAnchorFile: z.string().min(1).optional(),
    })
    .optional(),
  /** Put every ECU on this CAN interface instead of the vehicle file's. */
  canInterface: z
    .string()
    .regex(/^[\w.-]{1,15}$/)
    .optional(),
  /** Install only inside this daily window (gateway local time); default: any time. */
  installWindow: z.strictObject({ start: hhmm, end: hhmm }).optional(),
  transferMode: z.enum(['auto', 'full', 'compressed', 'sector-diff']).default('auto'),
  /** Added to the P2/P2* each ECU advertises before a request counts as unanswered (default 250 ms). */
  udsTimingMarginMs: z.number().int().min(0).max(60_000).optional(),
  /** Security events: rate limit (a flood is cut and counted) and the CAN check's quiet period per id. */
  securityEvents: z
    .strictObject({
      burst: z.number().int().min(1).max(10_000).default(20),
      perMinute: z.number().min(0.1).max(60_000).default(60),
      canQuietMs: z.number().int().min(0).max(3_600_000).default(10_000),
    })
    .default({ burst: 20, perMinute: 60, canQuietMs: 10_000 }),
  /** Bytes per chunk request range. */
  chunkSize: z
    .number()
    .int()
    .min(1024)
    .max(4 * 1024 * 1024)
    .default(64 * 1024),
});
export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;
/** A config file as written (defaults not yet applied). */
export type GatewayConfigFile = z.input<typeof gatewayConfigSchema>;

/**
 * The config of a gateway directory with the usual file names: the vehicle key, both trusted roots, the
 * vehicle definition and the ECU secrets beside the config file, the state in `stateDir`.
 */
export function gatewayDirectoryConfig(o: {
  vin: string;
  brokerUrl: string;
  stateDir: string;
  udsTimingMarginMs: number;
}): GatewayConfigFile {
  return {
    vin: o.vin,
    broker: { url: o.brokerUrl },
    trustedRoots: { image: 'image-root.json', director: 'director-root.json' },
    vehicleKeyFile: 'vehicle.key',
    stateDir: o.stateDir,
    vehicleFile: 'vehicle.json',
    secretsFile: 'secrets.json',
    udsTimingMarginMs: o.udsTimingMarginMs,
  };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const PATH_KEYS = ['vehicleKeyFile', 'stateDir', 'vehicleFile', 'secretsFile'] as const;

export function parseGatewayConfig(json: unknown, file: string): GatewayConfig {
  const parsed = gatewayConfigSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(
      `${file}:\n${parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n')}`,
    );
  }
  const base = dirname(resolve(file));
  const c = { ...parsed.data };
  for (const k of PATH_KEYS) c[k] = resolve(base, c[k]);
  c.trustedRoots = { image: resolve(base, c.trustedRoots.image), director: resolve(base, c.trustedRoots.director) };
  const b = { ...c.broker };
  for (const k of ['caFile', 'certFile', 'keyFile'] as const) if (b[k]) b[k] = resolve(base, b[k]);
  c.broker = b;
  if (c.testerCertificate) {
    const t = { ...c.testerCertificate };
    for (const k of ['certificateFile', 'keyFile', 'ecuTrustAnchorFile'] as const) if (t[k]) t[k] = resolve(base, t[k]);
    c.testerCertificate = t;
  }
  return c;
}

export async function loadGatewayConfig(file: string): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${(err as Error).message}`);
  }
  try {
    return parseGatewayConfig(JSON.parse(text), file);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${file} is not JSON: ${(err as Error).message}`);
  }
}

/** True when `now` (local time) is inside the window; a window may span midnight (22:00-04:00). */
export function insideInstallWindow(window: GatewayConfig['installWindow'], now: Date): boolean {
  if (!window) return true;
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  const m = now.getHours() * 60 + now.getMinutes();
  const start = minutes(window.start);
  const end = minutes(window.end);
  return start <= end ? m >= start && m < end : m >= start || m < end;
}

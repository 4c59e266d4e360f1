// Every environment variable the backend reads, in one schema: checked when a command starts, listed in
// `ota-backend --help`, and the README's configuration reference (test/build/config-reference.test.ts).
import { DEFAULT_MAX_IN_FLIGHT_OFFERS } from './delivery/offer-window.ts';
import { envKeyName, REPOSITORIES, TUF_ROLES } from './keys/key-set.ts';
import type { Zod } from '../runtime/cli-flags.ts';
import { envFields, parseEnv, type EnvConfig, type EnvSpec } from '../runtime/env-config.ts';

const pem = (z: Zod) => z.string().includes('PRIVATE KEY', { message: 'must hold a PEM private key' }).optional();

/** OTA_<REPOSITORY>_<ROLE>_KEY: a role's key as PEM instead of its files in KEYS_DIR (online roles, mostly). */
function onlineKeyVariables(): EnvSpec {
  const variables: EnvSpec = {};
  for (const repository of REPOSITORIES)
    for (const role of TUF_ROLES)
      variables[envKeyName(repository, role)] = {
        schema: pem,
        description: `${repository} repository ${role} key (PEM) instead of KEYS_DIR/${repository}/${role}`,
      };
  return variables;
}

export const BACKEND_ENV = {
  DATABASE_URL: {
    schema: envFields.url(['postgres', 'postgresql']),
    description: 'PostgreSQL 15+ connection URL; embedded PGlite under DATA_DIR when unset',
  },
  DATA_DIR: {
    schema: (z) => z.string().min(1).default('.data/backend'),
    description: 'embedded database, blobs and (embedded mode) keys',
    shownDefault: '.data/backend',
  },
  BLOB_DIR: { schema: envFields.path(), description: 'image store', shownDefault: 'DATA_DIR/blobs' },
  KEYS_DIR: {
    schema: envFields.path(),
    description: 'TUF and code-signing keys (`ota-keys init-keys`); generated only in the embedded mode',
    shownDefault: 'DATA_DIR/keys',
  },
  PORT: { schema: envFields.port(8080), description: 'HTTP port', shownDefault: '8080' },
  MQTT_URL: {
    schema: envFields.url(['mqtt', 'mqtts', 'ws', 'wss']),
    description: 'MQTT broker; an in-process MQTT 3.1.1 broker when unset',
  },
  MQTT_PORT: {
    schema: envFields.port(1883),
    description: 'port of the in-process broker (a free one when taken)',
    shownDefault: '1883',
  },
  MQTT_CA_FILE: { schema: envFields.path(), description: "broker's CA certificate (PEM), for mutual TLS" },
  MQTT_CERT_FILE: { schema: envFields.path(), description: "the backend's client certificate (PEM)" },
  MQTT_KEY_FILE: { schema: envFields.path(), description: "the backend's client key (PEM)" },
  DELIVERY_CLIENT_ID: {
    schema: envFields.name(),
    description: 'MQTT client id of this instance (persistent session); one per instance',
  },
  DELIVERY_SHARED_GROUP: {
    schema: envFields.name(),
    description:
      'MQTT 5 shared-subscription group of the backend instances: the same for every instance of one deployment, another for each deployment (or test run) on the same broker, whose stopped instances keep taking a share of the group',
    shownDefault: 'backend',
  },
  DELIVERY_MAX_INFLIGHT_OFFERS: {
    schema: (z) =>
      z.coerce
        .number({ message: 'must be a number of offers' })
        .int('must be a whole number')
        .min(1)
        .max(100_000)
        .default(DEFAULT_MAX_IN_FLIGHT_OFFERS),
    description:
      'most offers this instance has claimed that the broker has not acknowledged yet (the next batch is claimed while they are published)',
    shownDefault: String(DEFAULT_MAX_IN_FLIGHT_OFFERS),
  },
  DELIVERY_INGEST_MAX_UNACKED: {
    schema: (z) =>
      z.coerce
        .number({ message: 'must be a number of reports' })
        .int('must be a whole number')
        .min(1)
        .max(65_535)
        .default(4000),
    description:
      'most reports held until stored, every kind counted (written in batches of up to half of it, the next batch received while one is written); with that many held, reading from the broker pauses until a batch is committed and the broker holds the rest (also the MQTT 5 receive maximum)',
    shownDefault: '4000',
  },
  HEAP_GROWTH_PERCENT: {
    schema: (z) =>
      z.coerce
        .number({ message: 'must be a whole number of percent' })
        .int('must be a whole number')
        .min(0)
        .max(300)
        .default(100),
    description:
      "how far past what the last full garbage collection kept the JavaScript heap may grow before the next one, in percent (0: V8's own choice, up to 300 on a machine with much memory); bounds resident memory while delivery allocates fast",
    shownDefault: '100',
  },
  MAX_BODY_BYTES: {
    schema: (z) =>
      z.coerce
        .number({ message: 'must be a number of bytes' })
        .int()
        .positive()
        .default(4 * 1024 * 1024),
    description: 'largest request body of every route but the image upload, in bytes (413 above it)',
    shownDefault: '4194304',
  },
  AUDIT_KEY_FILE: {
    schema: envFields.path(),
    description: 'Ed25519 key that signs audit checkpoints (created when absent)',
    shownDefault: 'KEYS_DIR/audit/checkpoint.pem',
  },
  AUDIT_CHECKPOINT_FILE: {
    schema: envFields.path(),
    description: 'append-only file of signed audit checkpoints',
    shownDefault: 'DATA_DIR/audit/checkpoints.jsonl',
  },
  AUDIT_CHECKPOINT_EVERY: {
    schema: (z) => z.coerce.number({ message: 'must be a whole number' }).int().min(1).default(100),
    description: 'sign a checkpoint once this many audit entries are unanchored',
    shownDefault: '100',
  },
  AUDIT_CHECKPOINT_INTERVAL_S: {
    schema: (z) => z.coerce.number({ message: 'must be a whole number of seconds' }).int().min(1).default(60),
    description: 'or once the oldest unanchored entry is this many seconds old (and at shutdown)',
    shownDefault: '60',
  },
  LOG_LEVEL: {
    schema: (z) => z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
    description:
      'least severe log level written: trace, debug, info, warn, error, fatal or silent (the startup lines naming the bound port are always written)',
    shownDefault: 'info',
  },
  LOG_FORMAT: {
    schema: (z) => z.enum(['json', 'pretty']).optional(),
    description: 'json (one object per line) or pretty (short lines for people)',
    shownDefault: 'pretty on a terminal, else json',
  },
  SIEM_SYSLOG_HOST: {
    schema: (z) => z.string().min(1).optional(),
    description: 'syslog collector (RFC 5425, TLS) that receives every security event; no SIEM export when unset',
  },
  SIEM_SYSLOG_PORT: {
    schema: envFields.port(6514),
    description: "the collector's TLS syslog port",
    shownDefault: '6514',
  },
  SIEM_SYSLOG_CA_FILE: {
    schema: envFields.path(),
    description: "CA that signed the collector's certificate (PEM)",
    shownDefault: 'the system CAs',
  },
  SIEM_SYSLOG_CERT_FILE: { schema: envFields.path(), description: 'client certificate for the collector (PEM)' },
  SIEM_SYSLOG_KEY_FILE: { schema: envFields.path(), description: 'client key for the collector (PEM)' },
  SIEM_SYSLOG_FACILITY: {
    schema: (z) => z.coerce.number({ message: 'must be a syslog facility 0-23' }).int().min(0).max(23).default(10),
    description: 'syslog facility of the messages (10: authpriv)',
    shownDefault: '10',
  },
  SIEM_SYSLOG_HOSTNAME: {
    schema: (z) => z.string().min(1).max(255).optional(),
    description: 'HOSTNAME field of the messages',
    shownDefault: 'the machine name',
  },
  SIEM_POLL_MS: {
    schema: (z) => z.coerce.number({ message: 'must be milliseconds' }).int().min(10).max(60_000).default(1000),
    description: 'how often the export reads new events from the database',
    shownDefault: '1000',
  },
  ...onlineKeyVariables(),
} satisfies EnvSpec;

export type BackendConfig = EnvConfig<typeof BACKEND_ENV>;

/** The backend's configuration from `env`; throws naming every wrong variable. */
export async function loadBackendConfig(env: NodeJS.ProcessEnv = process.env): Promise<BackendConfig> {
  const config = await parseEnv(BACKEND_ENV, env);
  const tls = [config.MQTT_CA_FILE, config.MQTT_CERT_FILE, config.MQTT_KEY_FILE].filter(Boolean).length;
  if (tls !== 0 && tls !== 3)
    throw new Error('invalid environment: MQTT_CA_FILE, MQTT_CERT_FILE and MQTT_KEY_FILE go together (set all three)');
  if (Boolean(config.SIEM_SYSLOG_CERT_FILE) !== Boolean(config.SIEM_SYSLOG_KEY_FILE))
    throw new Error('invalid environment: SIEM_SYSLOG_CERT_FILE and SIEM_SYSLOG_KEY_FILE go together (set both)');
  return config;
}

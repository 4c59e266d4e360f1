import type { BackendConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import { SiemForwarder } from './forwarder.ts';

/** The SIEM export the environment asks for (SIEM_SYSLOG_HOST set), started; undefined otherwise. */
export function startSiemFromEnv(
  db: Db,
  config: BackendConfig,
  log: (line: string) => void,
): SiemForwarder | undefined {
  if (!config.SIEM_SYSLOG_HOST) return undefined;
  const forwarder = new SiemForwarder(db, {
    host: config.SIEM_SYSLOG_HOST,
    port: config.SIEM_SYSLOG_PORT,
    caFile: config.SIEM_SYSLOG_CA_FILE,
    certFile: config.SIEM_SYSLOG_CERT_FILE,
    keyFile: config.SIEM_SYSLOG_KEY_FILE,
    facility: config.SIEM_SYSLOG_FACILITY,
    ...(config.SIEM_SYSLOG_HOSTNAME ? { hostname: config.SIEM_SYSLOG_HOSTNAME } : {}),
    pollMs: config.SIEM_POLL_MS,
    log,
  });
  forwarder.start();
  log(`siem: forwarding security events to ${config.SIEM_SYSLOG_HOST}:${config.SIEM_SYSLOG_PORT} (syslog over TLS)`);
  return forwarder;
}

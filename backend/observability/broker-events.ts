// The MQTT connection's ups and downs as log lines: lost (warn), reconnecting (info, collapsed while
// it repeats), back (info), with how long it was down.
import type { MqttClient } from 'mqtt';
import type { Logger } from './logger.ts';

export function logBrokerConnection(mqtt: MqttClient, url: string, log: Logger): void {
  let downSince: number | undefined;
  mqtt.on('close', () => {
    if (downSince !== undefined) return;
    downSince = Date.now();
    log.warn({ broker: url }, 'broker connection lost');
  });
  mqtt.on('reconnect', () => log.warn({ broker: url }, 'reconnecting to the broker'));
  mqtt.on('connect', () => {
    if (downSince === undefined) return;
    log.info({ broker: url, downMs: Date.now() - downSince }, 'broker connection restored');
    downSince = undefined;
  });
}

// The gateway's MQTT connection: one persistent session per VIN, MQTT 5 when the broker offers it and 3.1.1
// otherwise (aedes speaks only 3.1.1), TLS client certificates from the config. The link on top of it (topics,
// correlation, resends) is protocol/mqtt's, shared with the fleet simulator.
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { attachVehicleLink, vehicleWill, type VehicleMqtt } from '@ota/protocol/mqtt';
import type { GatewayConfig } from './config.ts';

function clientOptions(config: GatewayConfig, protocolVersion: 4 | 5): IClientOptions {
  const b = config.broker;
  return {
    protocolVersion,
    clientId: b.clientId ?? config.vin,
    clean: false,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(protocolVersion === 5 ? { properties: { sessionExpiryInterval: 7 * 24 * 3600 } } : {}),
    ...(b.username !== undefined ? { username: b.username } : {}),
    ...(b.password !== undefined ? { password: b.password } : {}),
    ...(b.caFile ? { ca: readFileSync(b.caFile) } : {}),
    ...(b.certFile ? { cert: readFileSync(b.certFile) } : {}),
    ...(b.keyFile ? { key: readFileSync(b.keyFile) } : {}),
    will: vehicleWill(config.vin),
  };
}

/** MQTT 5 first; a broker that refuses it (aedes closes the connection) gets MQTT 3.1.1. */
async function connectWithFallback(config: GatewayConfig): Promise<{ client: MqttClient; version: 4 | 5 }> {
  try {
    return { client: await mqtt.connectAsync(config.broker.url, clientOptions(config, 5), false), version: 5 };
  } catch {
    return { client: await mqtt.connectAsync(config.broker.url, clientOptions(config, 4), false), version: 4 };
  }
}

export async function connectVehicleMqtt(config: GatewayConfig, log?: (line: string) => void): Promise<VehicleMqtt> {
  const { client, version } = await connectWithFallback(config);
  return attachVehicleLink(client, {
    vin: config.vin,
    name: `gateway ${config.vin}`,
    protocolVersion: version,
    ...(log ? { log } : {}),
  });
}

import { describe, expect, it } from 'vitest';
import { ConfigError, insideInstallWindow, parseGatewayConfig } from './config.ts';

const valid = {
  vin: 'WVSAMPLE000000001',
  broker: { url: 'mqtts://broker.example:8883', caFile: 'ca.pem', certFile: 'tcu.pem', keyFile: 'tcu.key' },
  trustedRoots: { image: 'roots/image.json', director: 'roots/director.json' },
  vehicleKeyFile: 'vehicle.key',
  stateDir: '/var/lib/gateway',
  vehicleFile: 'vehicle.json',
  secretsFile: 'secrets.json',
};

describe('gateway config', () => {
  it('resolves paths against the config file and applies defaults', () => {
    const c = parseGatewayConfig(valid, '/etc/gateway/gateway.json');
    expect(c.broker.caFile).toBe('/etc/gateway/ca.pem');
    expect(c.trustedRoots.image).toBe('/etc/gateway/roots/image.json');
    expect(c.stateDir).toBe('/var/lib/gateway');
    expect(c.transferMode).toBe('auto');
    expect(c.chunkSize).toBe(64 * 1024);
  });

  it('names every wrong field', () => {
    expect(() => parseGatewayConfig({ ...valid, vin: 'short', broker: { url: 'http://x' } }, 'g.json')).toThrow(
      ConfigError,
    );
    try {
      parseGatewayConfig({ ...valid, vin: 'short', broker: { url: 'http://x' } }, 'g.json');
    } catch (err) {
      expect((err as Error).message).toMatch(/vin: /);
      expect((err as Error).message).toMatch(/broker\.url: /);
    }
  });

  it('takes a UDS timing margin in whole milliseconds', () => {
    expect(parseGatewayConfig(valid, 'g.json').udsTimingMarginMs).toBeUndefined();
    expect(parseGatewayConfig({ ...valid, udsTimingMarginMs: 2000 }, 'g.json').udsTimingMarginMs).toBe(2000);
    expect(() => parseGatewayConfig({ ...valid, udsTimingMarginMs: -1 }, 'g.json')).toThrow(/udsTimingMarginMs: /);
  });

  it('resolves the 0x29 tester certificate files, and names a missing key file', () => {
    expect(parseGatewayConfig(valid, 'g.json').testerCertificate).toBeUndefined();
    const withTester = {
      ...valid,
      testerCertificate: {
        certificateFile: 'uds/tester.crt',
        keyFile: 'uds/tester.key',
        ecuTrustAnchorFile: 'uds-ca.crt',
      },
    };
    expect(parseGatewayConfig(withTester, '/etc/gateway/gateway.json').testerCertificate).toEqual({
      certificateFile: '/etc/gateway/uds/tester.crt',
      keyFile: '/etc/gateway/uds/tester.key',
      ecuTrustAnchorFile: '/etc/gateway/uds-ca.crt',
    });
    expect(() =>
      parseGatewayConfig({ ...valid, testerCertificate: { certificateFile: 'uds/tester.crt' } }, 'g.json'),
    ).toThrow(/testerCertificate\.keyFile: /);
  });

  it('install windows, also across midnight', () => {
    const at = (h: number, m = 0) => new Date(2026, 0, 1, h, m);
    expect(insideInstallWindow(undefined, at(12))).toBe(true);
    expect(insideInstallWindow({ start: '01:00', end: '05:00' }, at(3))).toBe(true);
    expect(insideInstallWindow({ start: '01:00', end: '05:00' }, at(5))).toBe(false);
    expect(insideInstallWindow({ start: '22:00', end: '04:00' }, at(23, 30))).toBe(true);
    expect(insideInstallWindow({ start: '22:00', end: '04:00' }, at(3, 59))).toBe(true);
    expect(insideInstallWindow({ start: '22:00', end: '04:00' }, at(12))).toBe(false);
  });
});

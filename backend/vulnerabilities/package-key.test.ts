import { describe, expect, it } from 'vitest';
import { parseCpe, parsePurl, schemeOfKey } from './package-key.ts';

describe('package keys', () => {
  it('keys a purl by type, namespace and name, normalised per type', () => {
    expect(parsePurl('pkg:deb/debian/OpenSSL@3.0.11-1~deb12u2?arch=amd64')).toEqual({
      key: 'pkg:deb/debian/openssl',
      type: 'deb',
      version: '3.0.11-1~deb12u2',
    });
    expect(parsePurl('pkg:pypi/Django_Rest@1.0').key).toBe('pkg:pypi/django-rest');
    expect(parsePurl('pkg:generic/zlib').version).toBeNull();
    expect(() => parsePurl('zlib@1.2')).toThrow(/"zlib@1.2" is not a valid purl/);
  });

  it('keys a CPE 2.3 name by vendor and product, with escaped colons kept inside a component', () => {
    expect(parseCpe('cpe:2.3:a:OpenSSL:openssl:3.0.7:*:*:*:*:*:*:*')).toEqual({
      key: 'cpe:openssl:openssl',
      version: '3.0.7',
    });
    expect(parseCpe('cpe:2.3:o:linux:linux_kernel:5.15\\:rc1:*:*:*:*:*:*:*').version).toBe('5.15\\:rc1');
    expect(parseCpe('cpe:2.3:a:busybox:busybox:*:*:*:*:*:*:*:*').version).toBeNull();
    expect(() => parseCpe('cpe:2.3:a:x:y:1')).toThrow(/not a CPE 2.3 formatted string/);
    expect(() => parseCpe('cpe:2.3:a:*:*:*:*:*:*:*:*:*:*')).toThrow(/no vendor and product/);
  });

  it('picks the version order from the package type', () => {
    expect(schemeOfKey('pkg:deb/debian/openssl')).toBe('deb');
    expect(schemeOfKey('pkg:npm/lodash')).toBe('semver');
    expect(schemeOfKey('pkg:generic/zlib')).toBe('generic');
    expect(schemeOfKey('cpe:openssl:openssl')).toBe('generic');
  });
});

/**
 * Key and certificate commands:
 *   node --import tsx backend/keys/cli.ts init-keys [--keys-dir D]
 *   node --import tsx backend/keys/cli.ts rotate-key --repository image|director --role ROLE [--keys-dir D] [--publish]
 *   node --import tsx backend/keys/cli.ts init-ca --dir D
 *   node --import tsx backend/keys/cli.ts issue-vehicle-cert --ca-dir D --vin VIN --out D
 *   node --import tsx backend/keys/cli.ts issue-client-cert --ca-dir D --name ota-backend --out D
 *   node --import tsx backend/keys/cli.ts issue-server-cert --ca-dir D --out D [--dns NAME...] [--ip ADDR...]
 *   node --import tsx backend/keys/cli.ts init-uds-ca --dir D [--algorithm ed25519|p256]
 *   node --import tsx backend/keys/cli.ts issue-uds-cert --ca-dir D --name N --role programming|diagnostics|ecu --out D
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { addFlags } from '../../runtime/cli-flags.ts';
import { addEnv } from '../../runtime/env-config.ts';
import { KEYS_ENV, KEYS_FLAGS } from './cli-flags.ts';
import type { UdsKeyAlgorithm, UdsRole } from './uds-certificate-kinds.ts';
import type { RepositoryKind, TufRole } from './key-set.ts';

// Each command loads its modules when it runs, so `--help` answers without the database, TUF and x509 code.
const certificates = () => import('./certificates.ts');
const udsCertificates = () => import('./uds-certificates.ts');
const keySet = () => import('./key-set.ts');

const caFiles = (dir: string) => ({ certFile: join(dir, 'ca.crt'), keyFile: join(dir, 'ca.key') });

const program = addEnv(
  new Command('keys').description('TUF signing keys and MQTT certificates of the OTA backend'),
  KEYS_ENV,
);

addFlags(program.command('init-keys'), KEYS_FLAGS['init-keys'])
  .description('generate a development key set (threshold 1) if the directory has none')
  .action(async ({ keysDir }: { keysDir?: string }) => {
    keysDir ??= (await keySet()).defaultKeysDir();
    const { ensureDevKeySet } = await import('./generate.ts');
    console.log(
      (await ensureDevKeySet(keysDir))
        ? `generated keys in ${keysDir}`
        : `${keysDir} already holds keys; nothing changed`,
    );
  });

addFlags(program.command('rotate-key'), KEYS_FLAGS['rotate-key'])
  .description('replace the keys of one role; the next publish signs a new root (old root keys co-sign it)')
  .action(async (o: { repository: RepositoryKind; role: TufRole; keysDir?: string; publish?: boolean }) => {
    const { defaultKeysDir, loadKeySet } = await keySet();
    const keysDir = o.keysDir ?? defaultKeysDir();
    const { rotateKey } = await import('./generate.ts');
    const rotation = await rotateKey(keysDir, o.repository, o.role);
    console.log(`${o.repository} ${o.role}: new key ${rotation.newKeyId}; retired ${rotation.retiredFiles.join(', ')}`);
    if (o.publish) {
      const { openDatabaseFromEnv } = await import('../db/from-env.ts');
      const { publishImageRepository } = await import('../tuf-repo/image-repository.ts');
      const { ensureRoot } = await import('../tuf-repo/root.ts');
      const { db } = await openDatabaseFromEnv();
      try {
        const keys = await loadKeySet(keysDir);
        const root = await ensureRoot(db, keys, o.repository, new Date());
        if (o.repository === 'image') await publishImageRepository(db, keys);
        console.log(`${o.repository} root is now version ${root.version}`);
      } finally {
        await db.destroy();
      }
    }
  });

addFlags(program.command('init-ca'), KEYS_FLAGS['init-ca'])
  .description('create the MQTT certificate authority (ca.crt, ca.key)')
  .action(async (o: { dir: string }) => {
    const { createCa } = await certificates();
    console.log(`CA written: ${(await createCa(o.dir)).certFile}`);
  });

addFlags(program.command('issue-vehicle-cert'), KEYS_FLAGS['issue-vehicle-cert'])
  .description("issue a vehicle's client certificate (CN = VIN) and key")
  .action(async (o: { caDir: string; vin: string; out: string; days: number }) => {
    const { issueVehicleCertificate } = await certificates();
    const issued = await issueVehicleCertificate(caFiles(o.caDir), o.vin, o.out, o.days);
    console.log(`${issued.certFile}\n${issued.keyFile}`);
  });

addFlags(program.command('issue-client-cert'), KEYS_FLAGS['issue-client-cert'])
  .description('issue a service client certificate, e.g. the backend (CN ota-backend)')
  .action(async (o: { caDir: string; name: string; out: string }) => {
    const { issueClientCertificate } = await certificates();
    const issued = await issueClientCertificate(caFiles(o.caDir), o.name, o.out);
    console.log(`${issued.certFile}\n${issued.keyFile}`);
  });

addFlags(program.command('issue-server-cert'), KEYS_FLAGS['issue-server-cert'])
  .description("issue the broker's server certificate")
  .action(async (o: { caDir: string; out: string; dns: string[]; ip: string[] }) => {
    const { issueServerCertificate } = await certificates();
    const issued = await issueServerCertificate(caFiles(o.caDir), o.out, { dns: o.dns, ip: o.ip });
    console.log(`${issued.certFile}\n${issued.keyFile}`);
  });

addFlags(program.command('init-uds-ca'), KEYS_FLAGS['init-uds-ca'])
  .description("create the UDS Authentication (0x29) CA: the ECUs' trust anchor (uds-ca.crt, uds-ca.key)")
  .action(async (o: { dir: string; algorithm: UdsKeyAlgorithm; days: number }) => {
    const { createUdsCa, UDS_CA_NAME, writeKeyPair } = await udsCertificates();
    const written = await writeKeyPair(o.dir, UDS_CA_NAME, await createUdsCa({ algorithm: o.algorithm, days: o.days }));
    console.log(`${written.certFile}\n${written.keyFile}`);
  });

addFlags(program.command('issue-uds-cert'), KEYS_FLAGS['issue-uds-cert'])
  .description('issue a 0x29 certificate: the gateway tester (role programming) or an ECU (role ecu)')
  .action(
    async (o: {
      caDir: string;
      name: string;
      role: UdsRole;
      out: string;
      algorithm: UdsKeyAlgorithm;
      days: number;
    }) => {
      const { issueUdsCertificate, readKeyPair, UDS_CA_NAME, writeKeyPair } = await udsCertificates();
      const ca = await readKeyPair(o.caDir, UDS_CA_NAME);
      const pair = await issueUdsCertificate(ca, {
        commonName: o.name,
        role: o.role,
        algorithm: o.algorithm,
        days: o.days,
      });
      const written = await writeKeyPair(o.out, o.name, pair);
      console.log(`${written.certFile}\n${written.keyFile}`);
    },
  );

await program.parseAsync().catch((error: unknown) => {
  console.error(`error: ${(error as Error).message}`);
  process.exitCode = 1;
});

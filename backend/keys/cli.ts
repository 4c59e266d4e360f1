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
import { Command, InvalidArgumentError } from 'commander';
import { openDatabaseFromEnv } from '../db/from-env.ts';
import { asDeliveryDb } from '../delivery/schema.ts';
import { publishImageRepository } from '../tuf-repo/image-repository.ts';
import { ensureRoot } from '../tuf-repo/root.ts';
import { createCa, issueClientCertificate, issueServerCertificate, issueVehicleCertificate } from './certificates.ts';
import { ensureDevKeySet, rotateKey } from './generate.ts';
import {
  createUdsCa,
  issueUdsCertificate,
  readKeyPair,
  UDS_CA_NAME,
  UDS_KEY_ALGORITHMS,
  UDS_ROLES,
  writeKeyPair,
  type UdsKeyAlgorithm,
  type UdsRole,
} from './uds-certificates.ts';
import { defaultKeysDir, loadKeySet, REPOSITORIES, TUF_ROLES } from './key-set.ts';
import type { RepositoryKind, TufRole } from './key-set.ts';

const oneOf =
  <T extends string>(allowed: readonly T[], what: string) =>
  (value: string): T => {
    if (!(allowed as readonly string[]).includes(value))
      throw new InvalidArgumentError(`${what} must be one of ${allowed.join(', ')}`);
    return value as T;
  };
const caFiles = (dir: string) => ({ certFile: join(dir, 'ca.crt'), keyFile: join(dir, 'ca.key') });
const collect = (value: string, previous: string[]) => [...previous, value];

const program = new Command('keys').description('TUF signing keys and MQTT certificates of the OTA backend');

program
  .command('init-keys')
  .description('generate a development key set (threshold 1) if the directory has none')
  .option('--keys-dir <dir>', 'keys directory', defaultKeysDir())
  .action(async (o: { keysDir: string }) => {
    console.log(
      (await ensureDevKeySet(o.keysDir))
        ? `generated keys in ${o.keysDir}`
        : `${o.keysDir} already holds keys; nothing changed`,
    );
  });

program
  .command('rotate-key')
  .description('replace the keys of one role; the next publish signs a new root (old root keys co-sign it)')
  .requiredOption('--repository <name>', 'image or director', oneOf<RepositoryKind>(REPOSITORIES, 'repository'))
  .requiredOption('--role <role>', 'root, targets, snapshot or timestamp', oneOf<TufRole>(TUF_ROLES, 'role'))
  .option('--keys-dir <dir>', 'keys directory', defaultKeysDir())
  .option('--publish', 'publish the new root (and re-signed metadata) now, to DATABASE_URL or the embedded database')
  .action(async (o: { repository: RepositoryKind; role: TufRole; keysDir: string; publish?: boolean }) => {
    const rotation = await rotateKey(o.keysDir, o.repository, o.role);
    console.log(`${o.repository} ${o.role}: new key ${rotation.newKeyId}; retired ${rotation.retiredFiles.join(', ')}`);
    if (o.publish) {
      const { db } = await openDatabaseFromEnv();
      try {
        const keys = await loadKeySet(o.keysDir);
        const root = await ensureRoot(asDeliveryDb(db), keys, o.repository, new Date());
        if (o.repository === 'image') await publishImageRepository(asDeliveryDb(db), keys);
        console.log(`${o.repository} root is now version ${root.version}`);
      } finally {
        await db.destroy();
      }
    }
  });

program
  .command('init-ca')
  .description('create the MQTT certificate authority (ca.crt, ca.key)')
  .requiredOption('--dir <dir>', 'where to write it')
  .action(async (o: { dir: string }) => console.log(`CA written: ${(await createCa(o.dir)).certFile}`));

program
  .command('issue-vehicle-cert')
  .description("issue a vehicle's client certificate (CN = VIN) and key")
  .requiredOption('--ca-dir <dir>', 'directory holding ca.crt and ca.key')
  .requiredOption('--vin <vin>', 'the vehicle')
  .requiredOption('--out <dir>', 'where to write VIN.crt and VIN.key')
  .option('--days <n>', 'validity in days', (v) => Number(v), 825)
  .action(async (o: { caDir: string; vin: string; out: string; days: number }) => {
    const issued = await issueVehicleCertificate(caFiles(o.caDir), o.vin, o.out, o.days);
    console.log(`${issued.certFile}\n${issued.keyFile}`);
  });

program
  .command('issue-client-cert')
  .description('issue a service client certificate, e.g. the backend (CN ota-backend)')
  .requiredOption('--ca-dir <dir>', 'directory holding ca.crt and ca.key')
  .requiredOption('--name <cn>', 'identity (certificate CN)')
  .requiredOption('--out <dir>', 'output directory')
  .action(async (o: { caDir: string; name: string; out: string }) => {
    const issued = await issueClientCertificate(caFiles(o.caDir), o.name, o.out);
    console.log(`${issued.certFile}\n${issued.keyFile}`);
  });

program
  .command('issue-server-cert')
  .description("issue the broker's server certificate")
  .requiredOption('--ca-dir <dir>', 'directory holding ca.crt and ca.key')
  .requiredOption('--out <dir>', 'output directory (server.crt, server.key)')
  .option('--dns <name>', 'DNS name (repeatable)', collect, [])
  .option('--ip <addr>', 'IP address (repeatable)', collect, [])
  .action(async (o: { caDir: string; out: string; dns: string[]; ip: string[] }) => {
    const issued = await issueServerCertificate(caFiles(o.caDir), o.out, { dns: o.dns, ip: o.ip });
    console.log(`${issued.certFile}\n${issued.keyFile}`);
  });

program
  .command('init-uds-ca')
  .description("create the UDS Authentication (0x29) CA: the ECUs' trust anchor (uds-ca.crt, uds-ca.key)")
  .requiredOption('--dir <dir>', 'where to write it')
  .option('--algorithm <alg>', 'ed25519 or p256', oneOf<UdsKeyAlgorithm>(UDS_KEY_ALGORITHMS, 'algorithm'), 'ed25519')
  .option('--days <n>', 'validity in days', (v) => Number(v), 3650)
  .action(async (o: { dir: string; algorithm: UdsKeyAlgorithm; days: number }) => {
    const written = await writeKeyPair(o.dir, UDS_CA_NAME, await createUdsCa({ algorithm: o.algorithm, days: o.days }));
    console.log(`${written.certFile}\n${written.keyFile}`);
  });

program
  .command('issue-uds-cert')
  .description('issue a 0x29 certificate: the gateway tester (role programming) or an ECU (role ecu)')
  .requiredOption('--ca-dir <dir>', 'directory holding uds-ca.crt and uds-ca.key')
  .requiredOption('--name <cn>', 'identity (certificate CN), also the file name')
  .requiredOption('--role <role>', UDS_ROLES.join(', '), oneOf<UdsRole>(UDS_ROLES, 'role'))
  .requiredOption('--out <dir>', 'where to write NAME.crt and NAME.key')
  .option('--algorithm <alg>', 'ed25519 or p256', oneOf<UdsKeyAlgorithm>(UDS_KEY_ALGORITHMS, 'algorithm'), 'ed25519')
  .option('--days <n>', 'validity in days', (v) => Number(v), 825)
  .action(
    async (o: {
      caDir: string;
      name: string;
      role: UdsRole;
      out: string;
      algorithm: UdsKeyAlgorithm;
      days: number;
    }) => {
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

// `npm run delta -- encode OLD NEW PACKAGE | decode OLD PACKAGE OUT | info PACKAGE`
// Exit codes: 0 done, 1 the operation failed (bad package, wrong base, I/O), 2 usage error.
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { decodeStream, DeltaError, encodeAsync, MAX_HEADER_LENGTH, readPackageHeader, sectionInfo } from '@ota/delta';
import type { EncodeProgress, PackageHeader, SectionInfo } from '@ota/delta';
import { addFlags } from '../runtime/cli-flags.ts';
import { DELTA_FLAGS } from './delta-flags.ts';

/** Writes through a temp file in the same directory and renames it, so `path` is never half-written. */
async function writeAtomically(
  path: string,
  write: (chunk: (b: Uint8Array) => Promise<void>) => Promise<void>,
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const file = await open(temp, 'wx');
  try {
    await write(async (b) => {
      await file.write(b);
    });
    await file.sync();
    await file.close();
    await rename(temp, path);
  } catch (err) {
    await file.close().catch(() => {});
    await rm(temp, { force: true });
    throw err;
  }
}

function progressReporter(): (p: EncodeProgress) => void {
  let last = '';
  return (p) => {
    const pct = p.total === 0 ? 100 : Math.floor((100 * p.done) / p.total / 10) * 10;
    const line = `${p.phase} ${pct}%`;
    if (line !== last) process.stderr.write(`delta: ${line}\n`);
    last = line;
  };
}

const program = new Command()
  .name('delta')
  .description('Build, apply and inspect OTA delta packages')
  .exitOverride()
  .showHelpAfterError();

addFlags(program.command('encode'), DELTA_FLAGS.encode)
  .description('build a package that turns OLD into NEW')
  .argument('<old>', 'image currently installed')
  .argument('<new>', 'image to install')
  .argument('<package>', 'package file to write')
  .action(
    async (
      oldPath: string,
      newPath: string,
      pkgPath: string,
      o: { method: 'auto' | 'bsdiff-brotli' | 'full-brotli'; quality: number; quiet?: boolean },
    ) => {
      const [old, neu] = await Promise.all([readFile(oldPath), readFile(newPath)]);
      const started = performance.now();
      const pkg = await encodeAsync(old, neu, {
        method: o.method,
        quality: o.quality,
        ...(o.quiet ? {} : { onProgress: progressReporter() }),
      });
      await writeAtomically(pkgPath, (put) => put(pkg));
      const h = readPackageHeader(pkg);
      const pct = neu.length === 0 ? 0 : (100 * pkg.length) / neu.length;
      process.stderr.write(
        `delta: ${pkgPath}: ${pkg.length} bytes (${pct.toFixed(2)} % of ${neu.length}), method ${h.method}, ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
    },
  );

addFlags(program.command('decode'), DELTA_FLAGS.decode)
  .description('rebuild the new image from OLD and PACKAGE into OUT (verified before OUT appears)')
  .argument('<old>', 'image currently installed (the package base)')
  .argument('<package>', 'package file')
  .argument('<out>', 'file to write the rebuilt image to')
  .action(async (oldPath: string, pkgPath: string, outPath: string, o: { maxResult?: number }) => {
    const old = await readFile(oldPath);
    const chunks = decodeStream(
      old,
      createReadStream(pkgPath),
      o.maxResult === undefined ? {} : { maxResultLength: o.maxResult },
    );
    await writeAtomically(outPath, async (put) => {
      for await (const c of chunks) await put(c);
    });
  });

addFlags(program.command('info'), DELTA_FLAGS.info)
  .description('print the header of PACKAGE')
  .argument('<package>', 'package file')
  .action(async (pkgPath: string, o: { json?: boolean }) => {
    const size = (await stat(pkgPath)).size;
    const file = await open(pkgPath, 'r');
    let h: PackageHeader;
    let section: SectionInfo | undefined;
    try {
      const read = async (length: number, at: number): Promise<Uint8Array> => {
        const bytes = new Uint8Array(length);
        const { bytesRead } = await file.read(bytes, 0, length, at);
        return bytes.subarray(0, bytesRead);
      };
      h = readPackageHeader(await read(MAX_HEADER_LENGTH, 0));
      // An lzma-section package's descriptor is its control stream, right after the header.
      if (h.method === 'lzma-section') {
        section = sectionInfo(await read(h.streams.control, h.headerLength), h.result.length);
      }
    } finally {
      await file.close();
    }
    if (o.json) {
      process.stdout.write(`${JSON.stringify({ ...h, ...(section ? { section } : {}), fileLength: size }, null, 2)}\n`);
      return;
    }
    const s = h.streams;
    const mb = (n: number) => (n / 1e6).toFixed(1);
    process.stdout.write(
      [
        `format     version ${h.version}, method ${h.method}${h.method === 'bsdiff-brotli' ? `, ${h.diffWord}-byte words, transform ${h.transform}` : ''}`,
        `base       ${h.base.length} bytes, sha256 ${h.base.sha256Prefix}…`,
        `result     ${h.result.length} bytes, sha256 ${h.result.sha256}`,
        `streams    control ${s.control}, reference map ${s.refMap}, diff ${s.diff}, extra ${s.extra} bytes`,
        ...(section
          ? [
              `section    LZMA, ${section.profile}: base ${section.base.length} bytes at ${section.base.offset}, result ${section.result.length} bytes at ${section.result.offset} (${section.resultVolumeLength} decompressed); decoding holds about ${mb(section.decodeBytes)} MB`,
            ]
          : []),
        `package    ${h.packageLength} bytes declared, file has ${size}${size === h.packageLength ? '' : ' (MISMATCH)'}`,
        '',
      ].join('\n'),
    );
    if (size !== h.packageLength) process.exitCode = 1;
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // Help and version are not errors; everything else commander reports is a usage error.
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof DeltaError) {
    process.stderr.write(`delta: ${err.code}: ${err.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`delta: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}

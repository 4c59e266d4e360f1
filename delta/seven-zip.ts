// LZMA (the "LZMA alone" stream a firmware section holds) through 7-Zip compiled to WebAssembly
// (the 7z-wasm package, 7-Zip 24.09). 7-Zip's LZMA encoder is the LZMA SDK's LzmaEnc.c, the encoder
// EDK2's LzmaCompress is built from, so with the same settings it reproduces such a section byte
// for byte; liblzma (xz) does not. Each call runs a fresh module instance, whose WebAssembly memory
// (the encoder's match finder: about 80 MiB for an 8 MiB input) is freed with it.

import sevenZipPackage from '7z-wasm';
import type { SevenZipModule } from '7z-wasm';
import { DeltaError } from './errors.ts';

/** The encoder settings that, with lc/lp/pb and the dictionary, decide an LZMA SDK stream. */
export interface LzmaEncoderSettings {
  readonly lc: number;
  readonly lp: number;
  readonly pb: number;
  readonly dictSize: number;
  /** Fast bytes (LzmaEncProps fb). */
  readonly fb: number;
  /** Match finder cycles (LzmaEncProps mc). */
  readonly mc: number;
  readonly matchFinder: 'bt4';
  /** 1: the optimal ("normal") parser. */
  readonly algo: 1;
}

/** 7z archive signature header: 6-byte magic, version, CRC, then the offset of the next header. */
const START_HEADER_LENGTH = 32;
const SIGNATURE = Uint8Array.of(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c);
const NEXT_HEADER_OFFSET_AT = 12;

type Module = SevenZipModule;

/** The package is CommonJS; its module.exports.default is the factory, which its types declare. */
const createModule = sevenZipPackage.default;

async function instance(): Promise<Module> {
  const ignore = (): void => {};
  return createModule({ print: ignore, printErr: ignore });
}

/**
 * Runs 7-Zip's main. Emscripten's exit path sets process.exitCode to 7-Zip's status (2 on a
 * corrupt stream), which would make the host process exit with it: the caller's value is restored.
 */
function run(sz: Module, args: string[], what: string): void {
  const hostExitCode = process.exitCode;
  let code: unknown;
  try {
    code = sz.callMain(args);
  } catch (err) {
    throw new DeltaError('corrupt', `7-Zip failed to ${what}`, { cause: err });
  } finally {
    process.exitCode = hostExitCode;
  }
  if (code !== 0 && code !== undefined) {
    throw new DeltaError('corrupt', `7-Zip failed to ${what} (exit ${String(code)})`);
  }
}

/**
 * The raw LZMA stream (no header, no end marker) 7-Zip's LZMA encoder makes of `raw` with `s`,
 * single-threaded. It is taken from a one-file .7z archive, whose packed stream starts right
 * after the start header and runs up to the next header (uncompressed, as asked).
 */
export async function lzmaEncode(raw: Uint8Array, s: LzmaEncoderSettings): Promise<Uint8Array> {
  const sz = await instance();
  sz.FS.writeFile('/in', raw);
  const method = `-m0=LZMA:d=${s.dictSize}b:lc=${s.lc}:lp=${s.lp}:pb=${s.pb}:fb=${s.fb}:mc=${s.mc}:mf=${s.matchFinder}:a=${s.algo}`;
  run(sz, ['a', '-t7z', '/out.7z', '/in', method, '-mmt=1', '-mhc=off', '-mf=off', '-bd', '-y'], 'compress');
  const archive = sz.FS.readFile('/out.7z');
  if (!SIGNATURE.every((b, i) => archive[i] === b)) throw new DeltaError('corrupt', '7-Zip wrote no 7z archive');
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const packed = Number(view.getBigUint64(NEXT_HEADER_OFFSET_AT, true));
  if (START_HEADER_LENGTH + packed > archive.length) throw new DeltaError('corrupt', '7-Zip wrote a short archive');
  return archive.slice(START_HEADER_LENGTH, START_HEADER_LENGTH + packed);
}

/** Decompresses an "LZMA alone" stream (13-byte header: properties, dictionary, 64-bit size). */
export async function lzmaDecode(lzmaAlone: Uint8Array): Promise<Uint8Array> {
  const sz = await instance();
  sz.FS.writeFile('/in.lzma', lzmaAlone);
  sz.FS.mkdir('/out');
  run(sz, ['e', '-tlzma', '/in.lzma', '-o/out', '-y', '-bd'], 'decompress the LZMA section');
  const names = sz.FS.readdir('/out').filter((n: string) => n !== '.' && n !== '..');
  if (names.length !== 1) throw new DeltaError('corrupt', 'LZMA section did not decompress to one stream');
  return sz.FS.readFile(`/out/${names[0]!}`);
}

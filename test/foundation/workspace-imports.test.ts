// The workspace library boundary: the codemod rewrites imports into a library to the narrowest entry that
// exports them, names what it cannot map and changes nothing on a second run; the lint rule fails each kind
// of deep import and passes the public ones. The codemod runs on a small checkout made here.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/programs.ts';

const work = mkdtempSync(join(tmpdir(), 'workspace-imports-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function codemod(root: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = join(REPO_ROOT, 'scripts', 'codemod-workspace-imports.mjs');
  return new Promise((resolve) => {
    execFile(process.execPath, [script, '--root', root, ...args], (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

const LIBRARY = {
  // The repository's Prettier settings, which the codemod formats with.
  '.prettierrc.json': readFileSync(join(REPO_ROOT, '.prettierrc.json'), 'utf8'),
  'package.json': JSON.stringify({ name: 'fixture', type: 'module', workspaces: ['wire'] }),
  'wire/package.json': JSON.stringify({
    name: '@ota/wire',
    type: 'module',
    exports: { '.': './index.ts', './light': './light/index.ts' },
  }),
  'wire/index.ts': "export * from './light/index.ts';\nexport { heavy } from './heavy.ts';\n",
  'wire/light/index.ts': "export { light, type Light } from './impl.ts';\n",
  'wire/light/impl.ts': 'export type Light = number;\nexport const light = 1;\nexport const hidden = 2;\n',
  'wire/heavy.ts': 'export const heavy = 3;\n',
  'wire/inside.ts': "import { hidden } from './light/impl.ts';\nexport const inside = hidden;\n",
};

describe('scripts/codemod-workspace-imports.mjs', () => {
  it('rewrites to the narrowest entry, merges, and a second run changes nothing', { timeout: 120_000 }, async () => {
    const root = join(work, 'mapped');
    write(root, {
      ...LIBRARY,
      'app/main.ts': [
        "import { light } from '../wire/light/impl.ts';",
        "import type { Light } from '../wire/light/impl.ts';",
        "import { heavy } from '../wire/heavy.ts';",
        "import { light as again } from '../wire/index.ts';",
        "export { heavy as h } from '@ota/wire/heavy.ts';",
        "export const lazy = async () => (await import('../wire/heavy.ts')).heavy;",
        'export const all: Light[] = [light, heavy, again];',
        '',
      ].join('\n'),
    });
    const first = await codemod(root);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('6 imports reach into wire/ from outside: 5 into internal files, 1 into an index');
    expect(readFileSync(join(root, 'app/main.ts'), 'utf8')).toBe(
      [
        "import { light } from '@ota/wire/light';",
        "import type { Light } from '@ota/wire/light';",
        "import { heavy, light as again } from '@ota/wire';",
        "export { heavy as h } from '@ota/wire';",
        "export const lazy = async () => (await import('@ota/wire')).heavy;",
        'export const all: Light[] = [light, heavy, again];',
        '',
      ].join('\n'),
    );
    // The library's own files keep their relative imports.
    expect(readFileSync(join(root, 'wire/inside.ts'), 'utf8')).toContain("'./light/impl.ts'");
    const rewritten = readFileSync(join(root, 'app/main.ts'), 'utf8');
    const second = await codemod(root);
    expect(second.stdout).toContain('0 imports reach into wire/');
    expect(readFileSync(join(root, 'app/main.ts'), 'utf8')).toBe(rewritten);
  });

  it('names an import that no entry exports and fails', { timeout: 120_000 }, async () => {
    const root = join(work, 'unmapped');
    write(root, { ...LIBRARY, 'app/main.ts': "import { hidden } from '../wire/light/impl.ts';\nexport { hidden };\n" });
    const r = await codemod(root, '--check');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("app/main.ts:1: '../wire/light/impl.ts' { hidden }: no entry of @ota/wire exports it");
  });
});

describe('lint rule ota/library-boundaries', () => {
  const eslint = new ESLint({ cwd: REPO_ROOT });
  const boundaryErrors = async (path: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, path) });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'ota/library-boundaries').map((m) => m.line);
  };

  it('fails relative, deep and self imports on their lines', async () => {
    const code = [
      "import { keyIdOf } from '../../protocol/tuf/keys.ts';",
      "import type { Signer } from '@ota/protocol/tuf/keys.ts';",
      "export { toHex } from '../../protocol/tuf/bytes.ts';",
      "export const later = () => import('../../uds/index.ts');",
      'export { keyIdOf, type Signer };',
      '',
    ].join('\n');
    expect(await boundaryErrors('vehicle-gateway/security/example.ts', code)).toEqual([1, 2, 3, 4]);
    const own = "import { NRC } from '@ota/protocol/uds-nrc';\nexport { NRC };\n";
    expect(await boundaryErrors('protocol/messages/example.ts', own)).toEqual([1]);
  });

  it("passes the public entries and a library's own relative imports", async () => {
    const outside =
      "import { keyIdOf } from '@ota/protocol/keys';\nimport { NRC } from '@ota/uds';\nexport { keyIdOf, NRC };\n";
    expect(await boundaryErrors('vehicle-gateway/security/example.ts', outside)).toEqual([]);
    const inside = "import { keyIdOf } from './keys.ts';\nexport { keyIdOf };\n";
    expect(await boundaryErrors('protocol/tuf/example.test.ts', inside)).toEqual([]);
  });
});

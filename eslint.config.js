import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { libraryBoundaries } from './scripts/eslint-library-boundaries.mjs';

const PACKAGES = ['protocol', 'uds', 'delta'];
const FOLDERS = ['backend', 'vehicle-gateway', 'ecu-sim', 'fleet-sim', 'runtime', ...PACKAGES];

/** A name as import patterns: a folder of ours by relative path (and package name if it is one), else an npm package. */
function importPatterns(name) {
  if (PACKAGES.includes(name)) return [`**/${name}/**`, `@ota/${name}`, `@ota/${name}/*`];
  return FOLDERS.includes(name) ? [`**/${name}/**`] : [name];
}

/**
 * What each folder may not import (the import rules of docs/architecture.md): shared code imports none of the
 * programs, programs never import each other, the delta codec no other library (an ECU decodes with it), an
 * ECU nothing of campaigns or MQTT, the backend nothing of CAN. Names without a folder of ours are npm packages.
 */
const PROGRAMS = ['backend', 'vehicle-gateway', 'ecu-sim', 'fleet-sim'];
const FORBIDDEN_IMPORTS = {
  delta: [...PROGRAMS, 'protocol', 'uds', 'runtime'],
  protocol: PROGRAMS,
  uds: PROGRAMS,
  runtime: PROGRAMS,
  backend: ['vehicle-gateway', 'ecu-sim', 'fleet-sim', 'uds', 'socketcan'],
  'vehicle-gateway': ['backend', 'ecu-sim', 'fleet-sim'],
  'fleet-sim': ['backend', 'vehicle-gateway', 'ecu-sim', 'uds', 'socketcan'],
  'ecu-sim': ['backend', 'vehicle-gateway', 'fleet-sim', 'protocol', 'mqtt', 'aedes'],
};

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.data/', 'test-artifacts/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': 'off',
    },
  },
  // The workspace libraries (protocol/, uds/, delta/) are imported only through their package exports.
  {
    plugins: { ota: { rules: { 'library-boundaries': libraryBoundaries } } },
    rules: { 'ota/library-boundaries': 'error' },
  },
  // The rules of the house (docs/architecture.md), one block per folder from the table above.
  ...Object.entries(FORBIDDEN_IMPORTS).map(([folder, forbidden]) => ({
    files: [`${folder}/**`],
    rules: { 'no-restricted-imports': ['error', { patterns: forbidden.flatMap(importPatterns) }] },
  })),
  // No function over 80 lines outside tests and the dashboard's page components (markup): split into named steps.
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mjs'],
    ignores: ['**/*.test.ts', '**/*.test.tsx', 'test/**', 'backend/dashboard/pages/**'],
    rules: { 'max-lines-per-function': ['error', { max: 80 }] },
  },
  // No double cast through unknown outside tests: give the value a real type (a guard, a typed helper).
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['**/*.test.ts', '**/*.test.tsx', 'test/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'TSAsExpression > TSAsExpression.expression > TSUnknownKeyword.typeAnnotation',
          message: '`as unknown as` outside tests: type the value properly (a type guard or a narrowly typed helper).',
        },
      ],
    },
  },
);

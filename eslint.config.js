import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { libraryBoundaries } from './scripts/eslint-library-boundaries.mjs';

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
  // The rules of the house: shared code imports none of the programs, programs never import each other.
  // The delta codec is a pure library: no program and no other library of ours (an ECU decodes with it).
  {
    files: ['delta/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/backend/**',
            '**/vehicle-gateway/**',
            '**/ecu-sim/**',
            '**/protocol/**',
            '**/uds/**',
            '**/runtime/**',
            '@ota/protocol',
            '@ota/protocol/*',
            '@ota/uds',
            '@ota/uds/*',
          ],
        },
      ],
    },
  },
  {
    files: ['protocol/**', 'uds/**', 'runtime/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['**/backend/**', '**/vehicle-gateway/**', '**/ecu-sim/**', '**/fleet-sim/**'] },
      ],
    },
  },
  {
    files: ['backend/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/vehicle-gateway/**',
            '**/ecu-sim/**',
            '**/fleet-sim/**',
            '**/uds/**',
            '@ota/uds',
            '@ota/uds/*',
            'socketcan',
          ],
        },
      ],
    },
  },
  {
    files: ['vehicle-gateway/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/backend/**', '**/ecu-sim/**', '**/fleet-sim/**'] }] },
  },
  {
    files: ['fleet-sim/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/backend/**',
            '**/vehicle-gateway/**',
            '**/ecu-sim/**',
            '**/uds/**',
            '@ota/uds',
            '@ota/uds/*',
            'socketcan',
          ],
        },
      ],
    },
  },
  {
    files: ['ecu-sim/**'],
    rules: {
      // An ECU knows nothing of campaigns or MQTT: no protocol/ (it decodes packages with delta/).
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '**/backend/**',
            '**/vehicle-gateway/**',
            '**/protocol/**',
            '@ota/protocol',
            '@ota/protocol/*',
            '**/fleet-sim/**',
            'mqtt',
            'aedes',
          ],
        },
      ],
    },
  },
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

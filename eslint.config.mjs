// ESLint for Tandem. The layout rules of docs (design: "one room a concern; dependencies point down
// the list") are enforced here as import restrictions, so a wrong dependency fails `npm test`.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Only src/platform talks to Forge; everything else gets the platform through ports.
const forgeOnlyInPlatform = {
  group: ['@forge/*'],
  message: 'Only src/platform/** imports @forge/*; take what you need from the platform ports instead.',
};
// The admin page reaches the backend through @forge/bridge and nothing else of Forge.
const bridgeOnlyInAdminPage = {
  group: ['@forge/*', '!@forge/bridge'],
  message: 'The admin page may import @forge/bridge only; everything else of Forge lives in the backend.',
};
// mapping and adf are pure: no platform, no use cases, no handlers, no connectors.
const pureCode = {
  group: [
    '**/platform',
    '**/platform/**',
    '**/sync',
    '**/sync/**',
    '**/handlers',
    '**/handlers/**',
    '**/connectors',
    '**/connectors/**',
  ],
  message: 'src/mapping and src/adf are pure: they must not import platform, sync, handlers or connectors.',
};

export default defineConfig([
  globalIgnores(['**/node_modules/', 'static/admin/build/', 'static/issue/build/', 'devkit/stubs/', 'test-results/']),

  {
    files: ['**/*.{js,mjs,cjs,ts,tsx}'],
    extends: [js.configs.recommended],
    rules: {
      'no-restricted-imports': ['error', { patterns: [forgeOnlyInPlatform] }],
      // Use cases take their ports as arguments; tests hand in devkit-backed or in-memory ports.
      'no-restricted-properties': [
        'error',
        { object: 'jest', property: 'mock', message: 'No module mocks: pass ports (devkit or in-memory) instead.' },
        { object: 'jest', property: 'doMock', message: 'No module mocks: pass ports (devkit or in-memory) instead.' },
        {
          object: 'jest',
          property: 'unstable_mockModule',
          message: 'No module mocks: pass ports (devkit or in-memory) instead.',
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          // node:test's module mocking (`mock.module`, `t.mock.module`) is the same thing under another name.
          selector: "MemberExpression[property.name='module'][object.name='mock'], MemberExpression[property.name='module'][object.property.name='mock']",
          message: 'No module mocks: pass ports (devkit or in-memory) instead.',
        },
      ],
    },
  },

  {
    files: ['**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },

  // Where Forge may be imported.
  {
    files: ['src/platform/**', 'devkit/**', 'test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['static/admin/**', 'static/issue/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [bridgeOnlyInAdminPage] }] },
  },
  {
    files: ['src/mapping/**', 'src/adf/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [forgeOnlyInPlatform, pureCode] }] },
  },

  // Server code, tools and tests run in Node; the admin page runs in the browser, its Vite config in Node.
  {
    files: ['**/*.{js,mjs,cjs,ts,tsx}'],
    ignores: ['static/admin/**', 'static/issue/**'],
    languageOptions: { globals: globals.node },
  },
  { files: ['static/admin/vite.config.ts', 'static/issue/vite.config.ts'], languageOptions: { globals: globals.node } },
  {
    files: ['static/admin/**', 'static/issue/**'],
    ignores: ['static/admin/vite.config.ts', 'static/issue/vite.config.ts'],
    languageOptions: { globals: globals.browser },
  },
]);

// ESLint for Tandem. The layout rules of docs (design: "one room a concern; dependencies point down
// the list") are enforced here as import restrictions, so a wrong dependency fails `npm test`.
import js from '@eslint/js';
import designSystem from '@atlaskit/eslint-plugin-design-system';
import reactHooks from 'eslint-plugin-react-hooks';
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

// The layers of docs/architecture.md: each folder names what it must not reach.
const layer = (message, ...group) => ({ group, message });
const noPlatform = layer('Use cases and the code below them take the platform as ports (src/ports), never src/platform.', '**/platform', '**/platform/**');
const noHandlers = layer('Handlers are the entry adapters; nothing below them imports them.', '**/handlers', '**/handlers/**');
const noUseCases = layer('Only handlers reach the use cases in src/sync; this layer sits below them.', '**/sync', '**/sync/**');
const portsStandAlone = layer('src/ports imports nothing of Tandem: every layer depends on it.', '../*', '!../ports');
const contractOnlyFromPages = {
  regex: '^(\\.\\./)+src/(?!contract/)',
  message: 'The pages reach the backend through src/contract only.',
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

  // The backend also gets the type-aware rules: a value read as `any` or a floating promise is caught here, not in Forge.
  // Building the type program is most of their cost, so they cover all of src/ rather than a few folders.
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },

  // A file over 500 lines mixes concerns; split it by concern (see src/adf, src/mapping/transforms, src/sync/outbound).
  { files: ['src/**/*.ts'], rules: { 'max-lines': ['error', { max: 500 }] } },

  // Where Forge may be imported.
  {
    files: ['src/platform/**', 'devkit/**', 'test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['static/admin/**', 'static/issue/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [bridgeOnlyInAdminPage, contractOnlyFromPages] }] },
  },
  {
    files: ['src/mapping/**', 'src/adf/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [forgeOnlyInPlatform, pureCode] }] },
  },
  {
    files: ['src/sync/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [forgeOnlyInPlatform, noPlatform, noHandlers] }] },
  },
  {
    files: ['src/connectors/**', 'src/contract/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [forgeOnlyInPlatform, noPlatform, noHandlers, noUseCases] }] },
  },
  {
    files: ['src/ports/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [forgeOnlyInPlatform, portsStandAlone] }] },
  },
  {
    // The platform implements the ports; of the use cases it sees only the port aggregates.
    files: ['src/platform/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [noHandlers, layer('src/platform implements ports; of src/sync it imports only ports.ts and admin-ports.ts.', '**/sync/*', '!**/sync/ports', '!**/sync/admin-ports')] },
      ],
    },
  },

  // The pages' React: hooks called in the same order every render, effects that name what they read.
  {
    files: ['static/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  // Atlassian's design-system rules: Atlaskit components and tokens, not hand-rolled controls and raw colours.
  {
    files: ['static/admin/src/**/*.tsx', 'static/issue/src/**/*.tsx'],
    ...designSystem.configs['recommended/flat'],
  },

  // Server code, tools and tests run in Node; the admin page runs in the browser, its Vite config in Node.
  {
    files: ['**/*.{js,mjs,cjs,ts,tsx}'],
    ignores: ['static/admin/**', 'static/issue/**'],
    languageOptions: { globals: globals.node },
  },
  { files: ['static/admin/vite.config.ts', 'static/issue/vite.config.ts', 'static/custom-ui.vite.ts'], languageOptions: { globals: globals.node } },
  {
    files: ['static/admin/**', 'static/issue/**'],
    ignores: ['static/admin/vite.config.ts', 'static/issue/vite.config.ts', 'static/custom-ui.vite.ts'],
    languageOptions: { globals: globals.browser },
  },
]);

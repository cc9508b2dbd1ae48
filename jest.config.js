/** Jest in ESM mode: Agenda 6 ships only ES modules. @swc/jest strips types; `npm run typecheck` checks them. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022', experimental: { keepImportAttributes: true } }, module: { type: 'es6' } }],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  // Every ARM simulator a test file starts has its traffic checked against the REST specs.
  setupFilesAfterEnv: ['<rootDir>/test/support/arm-traffic-hook.ts'],
  testTimeout: 30000,
  // Test files run side by side, each worker on its own FerretDB and Azurite (test/support/stand-ins-lifecycle.ts)
  // and every bot, simulator and fake Slack on ports of its own: the integration files mostly wait on
  // those stand-ins, so three workers keep both cores busy (measured: 556 s for `.ci/run` with three,
  // 819 s with two, on the 2-core machine). `--runInBand` still works (one worker, one set).
  maxWorkers: 3,
  // Agenda 6 leaves a never-cleared `delay(lockLifetime / 2)` timer behind every job it ran
  // (JobProcessor.runOrRetry), which would keep jest alive for minutes after the last test.
  forceExit: true,
};

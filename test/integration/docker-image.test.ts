import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildImageWithoutDocker, checkStepsMirror, imageLayout, startWithoutSlackSettings, type ImageBuild } from '../../scripts/docker-check.js';

/**
 * No container engine runs here: the Dockerfile's instructions run in order on a clean copy of the
 * repository (scripts/docker-check.ts says what stands in for what), and the result is checked as
 * the image would be.
 */
describe('the Docker image, built without Docker', () => {
  let image: ImageBuild;
  beforeAll(() => {
    image = buildImageWithoutDocker();
  }, 300_000);
  afterAll(() => rmSync(image.root, { recursive: true, force: true }));

  it('holds the compiled program with its PowerShell scripts, Azurite preloads, manifest and FerretDB wrapper', () => {
    expect(imageLayout(image)).toEqual([
      'package.json',
      'manifest.yml',
      'dist/src/main.js',
      // Every script the bot sends to a machine, as the repository has them.
      ...readdirSync('src/azure/scripts')
        .filter((f) => f.endsWith('.ps1'))
        .sort()
        .map((f) => `dist/src/azure/scripts/${f}`),
      'dist/tools/azurite-behind-gateway.cjs',
      'dist/tools/azurite-copy-fix.cjs',
      'dist/tools/exit-with-parent.cjs',
      '../usr/local/bin/oslayer-ferretdb (executable)',
    ]);
  });

  it('carries only production dependencies and no TypeScript sources', () => {
    for (const dev of ['typescript', 'jest', 'playwright-core', 'azurite']) expect(existsSync(join(image.app, 'node_modules', dev))).toBe(false);
    for (const prod of ['@slack/bolt', 'mongodb', 'agenda', '@azure/arm-compute']) expect(existsSync(join(image.app, 'node_modules', prod))).toBe(true);
    expect(existsSync(join(image.app, 'src'))).toBe(false);
  });

  it('starts with the command npm start runs', () => {
    const npmStart = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts.start;
    expect(image.cmd.join(' ')).toBe(npmStart);
  });

  it('starts its CMD, node dist/src/main.js, and without Slack settings says what to set and how to create the app', () => {
    const { status, output } = startWithoutSlackSettings(image);
    expect(status).toBe(1);
    expect(output).toContain('SLACK_BOT_TOKEN is not set');
    expect(output).toContain('SLACK_SIGNING_SECRET is not set');
    expect(output).toContain('paste manifest.yml from this repository');
  });

  it('refuses to stand in for a Dockerfile whose instructions it does not mirror', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(() => checkStepsMirror(dockerfile)).not.toThrow();
    const edited = dockerfile.replace('RUN npm run build && npm prune --omit=dev', 'RUN npm run build && npm run extra && npm prune --omit=dev');
    expect(() => checkStepsMirror(edited)).toThrow(
      'the Dockerfile and scripts/docker-check.ts disagree at instruction 12: the Dockerfile has "RUN npm run build && npm run extra && npm prune --omit=dev", ' +
        'the check mirrors "RUN npm run build && npm prune --omit=dev"',
    );
    expect(() => checkStepsMirror(`${dockerfile}HEALTHCHECK CMD true\n`)).toThrow('the Dockerfile has "HEALTHCHECK CMD true", the check mirrors "(nothing)"');
  });
});

// Jest loads global setup outside its ESM transform; tsx runs the TypeScript lifecycle instead.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const lifecycle = await tsImport('./stand-ins-lifecycle.ts', import.meta.url);
  await lifecycle.startStandIns();
  globalThis.__oslayerStandIns = lifecycle;
}

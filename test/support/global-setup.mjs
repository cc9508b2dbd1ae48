// Jest loads global setup outside its ESM transform; tsx runs the TypeScript lifecycle instead.
import { tsImport } from 'tsx/esm/api';

/** One set of stand-ins per worker jest will run (maxWorkers is 1 in band). */
export default async function globalSetup(globalConfig) {
  const lifecycle = await tsImport('./stand-ins-lifecycle.ts', import.meta.url);
  globalThis.__oslayerStandIns = lifecycle;
  await lifecycle.startStandIns(globalConfig.maxWorkers);
}

export default async function globalTeardown() {
  await globalThis.__oslayerStandIns?.stopStandIns();
}

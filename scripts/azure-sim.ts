import { AZURITE_KEY, startAzurite } from '../src/sandbox/azure/azurite.js';
import { startArmSimulator } from '../src/sandbox/azure/index.js';

/**
 * `npm run azure-sim [-- --json]`: Azurite and the ARM simulator, for poking at with the Azure
 * SDKs or a browser until SIGTERM/SIGINT. With --json, one line of JSON with everything a
 * client needs (for scripts); otherwise a summary for people.
 */

async function main(): Promise<void> {
  const asJson = process.argv.includes('--json');
  const azurite = await startAzurite();
  const sim = await startArmSimulator({ blobEndpoint: azurite.blobEndpoint, blobAccountKey: AZURITE_KEY }).catch(async (err: unknown) => {
    await azurite.stop();
    throw err;
  });
  const endpoints = {
    armEndpoint: sim.armEndpoint,
    // The account's blob endpoint as ARM reports it (primaryEndpoints.blob): HTTPS, Entra ID, user delegation SAS.
    blobEndpoint: sim.storageBlobEndpoint,
    caCertPath: sim.caCertPath,
    subscriptionId: sim.subscriptionId,
    resourceGroup: sim.resourceGroup,
    storageAccount: sim.storageAccount,
    location: sim.location,
    subnetId: sim.subnetId,
    tenantId: sim.tenantId,
    clientId: sim.clientId,
    clientSecret: sim.clientSecret,
  };
  process.stdout.write(asJson ? `${JSON.stringify(endpoints)}\n` : summary(endpoints));

  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    Promise.all([sim.stop(), azurite.stop()]).then(
      () => process.exit(0),
      (err: Error) => {
        process.stderr.write(`stopping failed: ${err.message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

function summary(endpoints: Record<string, string>): string {
  const width = Math.max(...Object.keys(endpoints).map((key) => key.length));
  const lines = Object.entries(endpoints).map(([key, value]) => `  ${key.padEnd(width)}  ${value}`);
  return [
    '',
    'Simulated Azure is running (Ctrl+C stops it):',
    ...lines,
    '',
    `Trust ${endpoints.caCertPath} as the CA, use the ARM endpoint as authority host too,`,
    `and see ${endpoints.armEndpoint}/_simulator/inventory for what exists.`,
    '',
  ].join('\n');
}

main().catch((err: Error) => {
  process.stderr.write(`azure-sim failed to start: ${err.stack ?? err.message}\n`);
  process.exit(1);
});

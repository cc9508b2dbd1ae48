import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { ClientSecretCredential } from '@azure/identity';
import { StorageManagementClient } from '@azure/arm-storage';
import { readFileSync } from 'node:fs';
import { simulatorClientOptions, simulatorCredentialOptions } from '../../src/sandbox/azure/client-options.js';

/** `npm run azure-sim -- --json` as package.json runs it. */
const AZURE_SIM_ARGS = [
  ...(JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts['azure-sim']!.split(' ').slice(1),
  '--json',
];

interface AzureSimLine {
  armEndpoint: string;
  blobEndpoint: string;
  caCertPath: string;
  subscriptionId: string;
  resourceGroup: string;
  storageAccount: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

let child: ChildProcessWithoutNullStreams;
let printed: AzureSimLine;

beforeAll(async () => {
  child = spawn(process.execPath, AZURE_SIM_ARGS, { env: process.env });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`azure-sim exited (${code}) before printing:\n${stderr}`)));
  });
  printed = JSON.parse(await firstLine) as AzureSimLine;
}, 60_000);

afterAll(async () => {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
});

describe('npm run azure-sim -- --json', () => {
  it('prints the storage account’s blob endpoint as ARM reports it: the HTTPS endpoint, not Azurite’s own', async () => {
    const sim = { armEndpoint: printed.armEndpoint, caCertPem: readFileSync(printed.caCertPath, 'utf8') };
    const credential = new ClientSecretCredential(printed.tenantId, printed.clientId, printed.clientSecret, simulatorCredentialOptions(sim));
    const storage = new StorageManagementClient(credential, printed.subscriptionId, simulatorClientOptions(sim));
    const account = await storage.storageAccounts.getProperties(printed.resourceGroup, printed.storageAccount);
    expect(printed.blobEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    expect(`${printed.blobEndpoint}/`).toBe(account.primaryEndpoints?.blob);
  });
});

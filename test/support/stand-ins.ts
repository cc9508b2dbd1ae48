import type { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import type { RoleAssignmentInput } from '../../src/sandbox/azure/authorization/principals.js';
import { randomBytes } from 'node:crypto';
import type { StoragePipelineOptions } from '@azure/storage-blob';
import { workerVariable } from './worker-stand-ins.js';

/** The value global setup left for this file's worker (see ./worker-stand-ins.ts). */
function standIn(name: string): string {
  const value = process.env[workerVariable(name)];
  if (!value) throw new Error(`${workerVariable(name)} is unset: run the tests through jest (global setup starts the stand-ins)`);
  return value;
}

/** A fresh database on the worker's MongoDB wire server (FerretDB unless MONGODB_URI was set). */
export function freshMongoUri(prefix = 't'): string {
  const base = standIn('TEST_MONGODB_URI');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  return base.replace(/^(mongodb(?:\+srv)?:\/\/[^/]+)\/?[^?]*/, `$1/${name}`);
}

/** The worker's Azurite account URL. */
export function blobEndpoint(): string {
  return standIn('TEST_BLOB_ENDPOINT');
}

/**
 * Storage client options trusting the ARM simulator's certificate, which its storage gateway
 * serves. StoragePipelineOptions does not declare tlsOptions, but the pipeline hands them to
 * core-rest-pipeline's TLS policy (src/azure/blob-disks.ts relies on the same).
 */
export function trustingSimulator(sim: { caCertPem: string }): StoragePipelineOptions {
  const options: StoragePipelineOptions & { tlsOptions: { ca: string } } = { tlsOptions: { ca: sim.caCertPem } };
  return options;
}

/**
 * Runs `work` while `principal` also holds `extra` role assignments (an admin's rights, such as
 * creating resource groups, that the app itself is not given), then restores what it held.
 */
export async function withExtraRoles(control: SimulatorControl, principal: string, extra: RoleAssignmentInput[], work: () => Promise<void>): Promise<void> {
  const before = (await control.principals()).find((p) => p.objectId === principal || p.clientId === principal || p.name === principal);
  if (!before) throw new Error(`no principal ${principal} in the simulator`);
  await control.setRoleAssignments(principal, [...before.roleAssignments, ...extra]);
  try {
    await work();
  } finally {
    await control.setRoleAssignments(principal, before.roleAssignments);
  }
}

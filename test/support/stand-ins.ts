import type { SimulatorControl } from '../../src/sandbox/azure/control-client.js';
import type { RoleAssignmentInput } from '../../src/sandbox/azure/authorization/principals.js';
import { randomBytes } from 'node:crypto';
import type { StoragePipelineOptions } from '@azure/storage-blob';

/** A fresh database on the run's MongoDB wire server (FerretDB unless MONGODB_URI was set). */
export function freshMongoUri(prefix = 't'): string {
  const base = process.env.TEST_MONGODB_URI;
  if (!base) throw new Error('TEST_MONGODB_URI is unset: run the tests through jest (global setup starts the stand-ins)');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  return base.replace(/^(mongodb(?:\+srv)?:\/\/[^/]+)\/?[^?]*/, `$1/${name}`);
}

export function blobEndpoint(): string {
  const endpoint = process.env.TEST_BLOB_ENDPOINT;
  if (!endpoint) throw new Error('TEST_BLOB_ENDPOINT is unset: run the tests through jest');
  return endpoint;
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

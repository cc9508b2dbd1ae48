import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { SimulatorAddress } from './client-options.js';
import type { Fault, faultListSchema } from './faults.js';
import type { GuestControl, GuestView } from './guest.js';
import type { PrincipalView, RoleAssignmentInput } from './authorization/principals.js';
import type { InventoryItem } from './resources.js';
import type { SimulatorSettings } from './settings.js';
import type { RequestCounts } from './throttle.js';

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface StorageView {
  name: string;
  allowSharedKeyAccess: boolean;
  principalId: string;
  roles: string[];
  /** Requests to the account's blob endpoint so far, by how they were signed (Azure's own disk exports not counted). */
  requests: Record<'sharedKey' | 'keySas' | 'bearer' | 'userDelegationSas' | 'anonymous', number>;
}

export type FaultSpec = z.input<typeof faultListSchema>['faults'][number];

/**
 * Plain HTTPS to the simulator, trusting its certificate: the control API for tests and the
 * sandbox (guest flags, inventory, faults), raw ARM requests where the exact JSON matters, and
 * (with an absolute URL) its storage gateway, which serves the same certificate.
 */
export class SimulatorControl {
  constructor(private readonly sim: SimulatorAddress) {}

  request(method: string, path: string, opts: { body?: unknown; bearer?: string; form?: string; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
    const payload = opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const headers: Record<string, string> = { ...opts.headers };
    if (payload !== undefined) {
      headers['content-type'] = opts.form !== undefined ? 'application/x-www-form-urlencoded' : 'application/json';
    }
    if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
    return new Promise((resolve, reject) => {
      const req = httpsRequest(new URL(path, this.sim.armEndpoint), { method, headers, ca: this.sim.caCertPem }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          // Storage answers errors in XML; only JSON is parsed.
          const json = /json/i.test(res.headers['content-type'] ?? '');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (json ? (JSON.parse(text) as unknown) : text) : undefined });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  async inventory(): Promise<InventoryItem[]> {
    return (await this.expectOk('GET', '/_simulator/inventory') as { resources: InventoryItem[] }).resources;
  }

  /** Sets some of a guest's flags, pending updates or programs (by VM name, before or after the VM exists); answers the whole guest. */
  async setGuest(vmName: string, changes: GuestControl): Promise<GuestView> {
    return (await this.expectOk('PUT', `/_simulator/guest/${encodeURIComponent(vmName)}`, changes)) as GuestView;
  }

  /** Guest fields every VM created from now on starts with; answers the defaults so far. */
  async setGuestDefaults(changes: GuestControl): Promise<GuestControl> {
    return (await this.expectOk('PUT', '/_simulator/guest-defaults', changes)) as GuestControl;
  }

  async guest(vmName: string): Promise<GuestView> {
    return (await this.expectOk('GET', `/_simulator/guest/${encodeURIComponent(vmName)}`)) as GuestView;
  }

  /** Changes the simulator's timing (Run Command duration, LRO duration, Retry-After); answers all of it. */
  async settings(changes: Partial<SimulatorSettings>): Promise<SimulatorSettings> {
    return (await this.expectOk('PUT', '/_simulator/settings', changes)) as SimulatorSettings;
  }

  /** Whether the guest of `vmName` has the Azure VM agent (an image without one never reports). */
  async setVmAgent(vmName: string, installed: boolean): Promise<void> {
    await this.expectOk('PUT', `/_simulator/vm-agent/${encodeURIComponent(vmName)}`, { installed });
  }

  /** Sets the storage account's allowSharedKeyAccess (false: every key-signed request and SAS is refused). */
  async setSharedKeyAccess(account: string, allowSharedKeyAccess: boolean): Promise<void> {
    await this.expectOk('PUT', `/_simulator/storage/${encodeURIComponent(account)}`, { allowSharedKeyAccess });
  }

  /** Replaces the simulated app's built-in roles on the storage account (e.g. without Storage Blob Data Contributor). */
  async setStorageRoles(account: string, roles: string[]): Promise<StorageView> {
    return (await this.expectOk('PUT', `/_simulator/storage/${encodeURIComponent(account)}`, { roles })) as StorageView;
  }

  /** The account's Shared Key setting, the app's roles on it, and how the requests that reached it were signed. */
  async storage(account: string): Promise<StorageView> {
    return (await this.expectOk('GET', `/_simulator/storage/${encodeURIComponent(account)}`)) as StorageView;
  }

  /** The simulated tenant's principals (the app's service principal, portal-user) and their role assignments. */
  async principals(): Promise<PrincipalView[]> {
    return (await this.expectOk('GET', '/_simulator/principals')) as PrincipalView[];
  }

  /** Replaces a principal's role assignments (by object id, client id or name), as an admin would in Access control (IAM). */
  async setRoleAssignments(principal: string, roleAssignments: RoleAssignmentInput[]): Promise<PrincipalView> {
    return (await this.expectOk('PUT', `/_simulator/principals/${encodeURIComponent(principal)}`, { roleAssignments })) as PrincipalView;
  }

  /** Replaces the injected faults; [] clears them. */
  async setFaults(faults: FaultSpec[]): Promise<void> {
    await this.expectOk('PUT', '/_simulator/faults', { faults });
  }

  /** Token, OpenID metadata and ARM requests the simulator has counted since it started (or the last reset); `reset` starts afresh. */
  async requestCounts(reset = false): Promise<RequestCounts> {
    return (await this.expectOk(reset ? 'DELETE' : 'GET', '/_simulator/requests')) as RequestCounts;
  }

  async faults(): Promise<Fault[]> {
    return (await this.expectOk('GET', '/_simulator/faults') as { faults: Fault[] }).faults;
  }

  private async expectOk(method: string, path: string, body?: unknown): Promise<unknown> {
    const answer = await this.request(method, path, { body });
    if (answer.status !== 200) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }
}

/** The connector's Test button on the ARM SDKs, plus the storage account facts publishing needs. */
import type { ResourceSku } from '@azure/arm-compute';
import type { VmGeneration } from '../../domain/model.js';
import { toAzureError } from '../errors.js';
import type { ConnectorProbe, ProbeCheck, ProbeResult, StorageAccountInfo } from '../ports.js';
import type { ArmConnection } from './clients.js';
import { permissionVerdict } from './permission-check.js';
import { parseResourceId, sameLocation } from './resource-id.js';
import { describeAccess, machineAccessOf } from '../../domain/machine-access.js';
import { accessVerdict } from '../nsg-rules.js';
import { result, skip, verdict, type Verdict } from '../probe-results.js';

/** Packaging installs updates and apps; a single vCPU makes that (and NGen) painfully slow. */
const MIN_VCPUS = 2;


export function armConnectorProbe(arm: ArmConnection): ConnectorProbe {
  const { compute, storage, resources, connector, profile } = arm;
  const { resourceGroup: rg, location } = connector;

  async function storageAccountInfo(accountName: string): Promise<StorageAccountInfo> {
    try {
      const account = await storage.storageAccounts.getProperties(rg, accountName);
      return {
        id: account.id ?? '',
        location: account.location ?? '',
        blobEndpoint: account.primaryEndpoints?.blob ?? '',
        sharedKeyAllowed: account.allowSharedKeyAccess !== false,
        blobIndexTags: account.isHnsEnabled !== true && account.sku?.tier !== 'Premium',
      };
    } catch (err) {
      throw toAzureError(err, `reading storage account ${accountName}`);
    }
  }

  const checkCredentials = async (): Promise<Verdict> => {
    await arm.credential.getToken(profile.armScope);
    return { ok: true, detail: `signed in to tenant ${connector.tenantId}` };
  };

  const checkResourceGroup = async (): Promise<Verdict> => {
    const group = await resources.resourceGroups.get(rg);
    return { ok: true, detail: `resource group ${rg} exists (${group.location})` };
  };

  const checkSubnet = async (): Promise<Verdict> => {
    const id = parseResourceId(connector.subnetId);
    const [vnetName, subnetName] = id?.names ?? [];
    if (!id || id.type.toLowerCase() !== 'microsoft.network/virtualnetworks/subnets' || !vnetName || !subnetName) {
      return { ok: false, detail: 'the subnet ID is not a subnet resource ID (…/virtualNetworks/<vnet>/subnets/<subnet>)' };
    }
    // The VNet rather than the subnet alone: a VM's NIC must be in its VNet's region.
    const vnet = await arm.network(id.subscriptionId).virtualNetworks.get(id.resourceGroup, vnetName);
    if (!vnet.subnets?.some((subnet) => subnet.name?.toLowerCase() === subnetName.toLowerCase())) {
      return { ok: false, detail: `virtual network ${vnetName} has no subnet named ${subnetName}` };
    }
    if (vnet.location && !sameLocation(vnet.location, location)) {
      return { ok: false, detail: `virtual network ${vnetName} is in ${vnet.location}, but the connector's location is ${location}` };
    }
    return { ok: true, detail: `subnet ${subnetName} of ${vnetName} (${vnet.location ?? location})` };
  };

  /** Whether the subnet's own NSG (traffic passes it as well as the machine's) lets the chosen access through. */
  const checkMachineAccess = async (): Promise<Verdict> => {
    const access = machineAccessOf(connector);
    const id = parseResourceId(connector.subnetId);
    const [vnetName, subnetName] = id?.names ?? [];
    if (!id || !vnetName || !subnetName) return { ok: false, detail: 'the subnet ID is not a subnet resource ID' };
    const network = arm.network(id.subscriptionId);
    const subnet = await network.subnets.get(id.resourceGroup, vnetName, subnetName);
    const nsgId = subnet.networkSecurityGroup?.id ? parseResourceId(subnet.networkSecurityGroup.id) : null;
    if (!nsgId?.names[0]) return { ok: true, detail: `${describeAccess(access)}; the subnet has no NSG of its own` };
    const nsg = await network.networkSecurityGroups.get(nsgId.resourceGroup, nsgId.names[0]);
    const verdict = accessVerdict(nsgId.names[0], nsg.securityRules ?? [], access);
    return { ok: verdict.ok, detail: `${describeAccess(access)}; ${verdict.detail}` };
  };

  async function findSku(size: string): Promise<ResourceSku | undefined> {
    const wanted = size.toLowerCase();
    for await (const candidate of compute.resourceSkus.list({ filter: `location eq '${location.replace(/'/g, "''")}'` })) {
      if (candidate.resourceType === 'virtualMachines' && candidate.name?.toLowerCase() === wanted) return candidate;
    }
    return undefined;
  }

  /** Why `size` can't run packaging here (or for these generations); else its vCPU count. */
  async function sizeVerdict(size: string, generations: readonly VmGeneration[]): Promise<{ problem: string } | { vcpus: number; supported: string }> {
    const sku = await findSku(size);
    if (!sku) return { problem: `${size} is not offered in ${location}` };
    if (sku.restrictions?.some((restriction) => restriction.type === 'Location')) {
      return { problem: `${size} is not available to this subscription in ${location}` };
    }
    const capability = (name: string) => sku.capabilities?.find((c) => c.name === name)?.value;
    const vcpus = Number(capability('vCPUs'));
    if (!(vcpus >= MIN_VCPUS)) {
      return { problem: `${size} has ${Number.isFinite(vcpus) ? vcpus : 'an unknown number of'} vCPU(s); packaging needs at least ${MIN_VCPUS}` };
    }
    // HyperVGenerations is "V1", "V2" or "V1,V2"; a size without it runs Generation 1 only.
    const supported = capability('HyperVGenerations') ?? 'V1';
    const missing = generations.filter((generation) => !supported.split(',').map((g) => g.trim()).includes(generation));
    if (missing.length > 0) {
      return {
        problem: `${size} cannot boot Generation ${missing.map((g) => g.slice(1)).join(' and ')} machines (it runs ${supported.split(',').map((g) => `Generation ${g.trim().slice(1)}`).join(' and ')}); pick a size that supports the layer's generation`,
      };
    }
    return { vcpus, supported };
  }

  const checkVmSize = async (generations: readonly VmGeneration[]): Promise<Verdict> => {
    const verdict = await sizeVerdict(connector.vmSize, generations);
    if ('problem' in verdict) return { ok: false, detail: verdict.problem };
    const runs = verdict.supported.split(',').map((g) => `Generation ${g.trim().slice(1)}`).join(' and ');
    return { ok: true, detail: `${connector.vmSize}: ${verdict.vcpus} vCPUs in ${location}, runs ${runs}` };
  };

  return {
    storageAccountInfo,

    async storageAccountKey(accountName) {
      try {
        const { keys } = await storage.storageAccounts.listKeys(rg, accountName);
        const key = keys?.find((candidate) => candidate.value)?.value;
        if (!key) throw new Error(`storage account ${accountName} returned no keys`);
        return key;
      } catch (err) {
        throw toAzureError(err, `listing the keys of storage account ${accountName}`);
      }
    },

    async vmSizeProblem(vmSize, generation) {
      try {
        const verdict = await sizeVerdict(vmSize, [generation]);
        return 'problem' in verdict ? verdict.problem : undefined;
      } catch (err) {
        throw toAzureError(err, `reading the VM sizes of ${location}`);
      }
    },

    async runChecks({ generations = [] } = {}) {
      const credentials = await verdict('credentials', checkCredentials);
      if (!credentials.ok) {
        const skipped = (['storage-account', 'shared-key', 'region-match', 'resource-group', 'subnet', 'machine-access', 'vm-size', 'permissions'] as const).map((check) =>
          skip(check, 'the credentials were not accepted'),
        );
        return [credentials, ...skipped];
      }
      let account: StorageAccountInfo | undefined;
      const [storageAccount, resourceGroup, subnet, machineAccess, vmSize, permissions] = await Promise.all([
        verdict('storage-account', async () => {
          account = await storageAccountInfo(connector.storageAccount);
          return { ok: true, detail: `storage account ${connector.storageAccount} is in ${account.location}` };
        }),
        verdict('resource-group', checkResourceGroup),
        verdict('subnet', checkSubnet),
        verdict('machine-access', checkMachineAccess),
        verdict('vm-size', () => checkVmSize(generations)),
        verdict('permissions', () => permissionVerdict(arm)),
      ]);
      // Informational: the bot signs with Microsoft Entra ID either way; the account key is only a fallback.
      const sharedKey: ProbeResult = !account
        ? skip('shared-key', 'the storage account could not be read')
        : result('shared-key', {
            ok: true,
            detail: account.sharedKeyAllowed
              ? `storage account ${connector.storageAccount} allows Shared Key; oslayer signs with Microsoft Entra ID and would use the account key only if Entra ID were refused`
              : `storage account ${connector.storageAccount} refuses Shared Key (allowSharedKeyAccess: false); oslayer signs with Microsoft Entra ID and needs no account key`,
          });
      const regionMatch: ProbeResult = !account
        ? skip('region-match', 'the storage account could not be read')
        : sameLocation(account.location, location)
          ? result('region-match', { ok: true, detail: `the connector's location ${location} is the storage account's region` })
          : result('region-match', {
              ok: false,
              detail: `the connector's location ${location} differs from the storage account's region ${account.location}; packaging disks can only be imported in that region`,
            });
      return [credentials, storageAccount, sharedKey, regionMatch, resourceGroup, subnet, machineAccess, vmSize, permissions];
    },
  };
}

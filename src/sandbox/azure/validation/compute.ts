/**
 * Microsoft.Compute request bodies the bot sends: a VM around an attached OS disk with its
 * network inline, and (DiskRP) disk import and grantAccess. Member lists are the spec's
 * definitions for the exact api-version; an enum is named by the .NET type Compute reports when a
 * value does not convert where a source quotes it, else by the spec's x-ms-enum name. Sources in
 * test/fixtures/arm/SOURCES.md.
 */
import { arrayOf, boolean, integer, number, object, oneOf, opaque, string, stringMap, trackedResource, type RequestBody, type Shape } from './shape.js';

const subResource = object('SubResource', { id: string });
/** The .NET types Compute names when a caching or storage account type does not convert (jclouds-labs#394, OfficeDocs-SharePoint#1684). */
const CACHING_TYPE = 'System.Nullable`1[Microsoft.WindowsAzure.ComputeResourceProvider.API.Disk+CachingType]';
const STORAGE_ACCOUNT_TYPE = 'System.Nullable`1[Microsoft.Azure.XStoreClientHelper.StorageAccountServiceClient.StorageAccountType]';
const deleteOption = oneOf('DeleteOptions', 'Delete', 'Detach');
const ipVersion = oneOf('IPVersions', 'IPv4', 'IPv6');

// ---- ComputeRP 2025-04-01 (virtualMachine.json, computeRPCommon.json) -----------------------

const publicIpSku = object('PublicIPAddressSku', {
  name: oneOf('PublicIPAddressSkuName', 'Basic', 'Standard'),
  tier: oneOf('PublicIPAddressSkuTier', 'Regional', 'Global'),
});

/** What one Compute version defines beyond the other. */
interface ComputeVersion {
  /** `tags` on inline NIC and public IP configurations (from 2025-04-01). */
  inlineNetworkTags: boolean;
  /** `placement` and `storageProfile.alignRegionalDisksToVMZone` ("Minimum api-version: 2024-11-01"). */
  placement: boolean;
}

function withTags(members: Record<string, Shape>, version: ComputeVersion): Record<string, Shape> {
  return version.inlineNetworkTags ? { ...members, tags: stringMap } : members;
}

function publicIpConfiguration(version: ComputeVersion): Shape {
  return object(
    'VirtualMachinePublicIPAddressConfiguration',
    withTags(
      {
        name: string,
        sku: publicIpSku,
        properties: object('VirtualMachinePublicIPAddressConfigurationProperties', {
          idleTimeoutInMinutes: integer,
          deleteOption,
          dnsSettings: opaque,
          ipTags: arrayOf(opaque),
          publicIPPrefix: subResource,
          publicIPAddressVersion: ipVersion,
          publicIPAllocationMethod: oneOf('PublicIPAllocationMethod', 'Dynamic', 'Static'),
        }),
      },
      version,
    ),
    ['name'],
  );
}

function ipConfiguration(version: ComputeVersion): Shape {
  return object(
    'VirtualMachineNetworkInterfaceIPConfiguration',
    {
      name: string,
      properties: object('VirtualMachineNetworkInterfaceIPConfigurationProperties', {
        subnet: subResource,
        primary: boolean,
        publicIPAddressConfiguration: publicIpConfiguration(version),
        privateIPAddressVersion: ipVersion,
        applicationSecurityGroups: arrayOf(subResource),
        applicationGatewayBackendAddressPools: arrayOf(subResource),
        loadBalancerBackendAddressPools: arrayOf(subResource),
      }),
    },
    ['name'],
  );
}

function nicConfiguration(version: ComputeVersion): Shape {
  return object(
    'VirtualMachineNetworkInterfaceConfiguration',
    withTags(
      {
        name: string,
        properties: object(
          'VirtualMachineNetworkInterfaceConfigurationProperties',
          {
            primary: boolean,
            deleteOption,
            enableAcceleratedNetworking: boolean,
            disableTcpStateTracking: boolean,
            enableFpga: boolean,
            enableIPForwarding: boolean,
            networkSecurityGroup: subResource,
            dnsSettings: opaque,
            ipConfigurations: arrayOf(ipConfiguration(version)),
            dscpConfiguration: subResource,
            auxiliaryMode: oneOf('NetworkInterfaceAuxiliaryMode', 'None', 'AcceleratedConnections', 'Floating'),
            auxiliarySku: oneOf('NetworkInterfaceAuxiliarySku', 'None', 'A1', 'A2', 'A4', 'A8'),
          },
          ['ipConfigurations'],
        ),
      },
      version,
    ),
    ['name'],
  );
}

const osType = oneOf('OperatingSystemTypes', 'Windows', 'Linux');

const osDisk = object(
  'OSDisk',
  {
    osType,
    encryptionSettings: opaque,
    name: string,
    vhd: opaque,
    image: opaque,
    caching: oneOf(CACHING_TYPE, 'None', 'ReadOnly', 'ReadWrite'),
    writeAcceleratorEnabled: boolean,
    diffDiskSettings: opaque,
    createOption: oneOf('DiskCreateOptionTypes', 'FromImage', 'Empty', 'Attach', 'Copy', 'Restore'),
    diskSizeGB: integer,
    managedDisk: object('ManagedDiskParameters', {
      id: string,
      storageAccountType: oneOf(STORAGE_ACCOUNT_TYPE, 'Standard_LRS', 'Premium_LRS', 'StandardSSD_LRS', 'UltraSSD_LRS', 'Premium_ZRS', 'StandardSSD_ZRS', 'PremiumV2_LRS'),
      diskEncryptionSet: opaque,
      securityProfile: opaque,
    }),
    deleteOption,
  },
  ['createOption'],
  'osDisk',
);

function storageProfile(version: ComputeVersion): Shape {
  return object('StorageProfile', {
    imageReference: opaque,
    osDisk,
    dataDisks: arrayOf(opaque),
    diskControllerType: oneOf('DiskControllerTypes', 'SCSI', 'NVMe'),
    ...(version.placement ? { alignRegionalDisksToVMZone: boolean } : {}),
  });
}

function machineProperties(version: ComputeVersion): Shape {
  // Compute's own class for VM properties is named 'Properties' in its messages (SOURCES.md).
  return object('Properties', {
    hardwareProfile: object('HardwareProfile', { vmSize: string, vmSizeProperties: opaque }),
    scheduledEventsPolicy: opaque,
    storageProfile: storageProfile(version),
    additionalCapabilities: opaque,
    osProfile: opaque,
    networkProfile: object('NetworkProfile', {
      networkInterfaces: arrayOf(opaque),
      networkApiVersion: oneOf('NetworkApiVersion', '2020-11-01', '2022-11-01'),
      networkInterfaceConfigurations: arrayOf(nicConfiguration(version)),
    }),
    securityProfile: opaque,
    diagnosticsProfile: opaque,
    availabilitySet: subResource,
    virtualMachineScaleSet: subResource,
    proximityPlacementGroup: subResource,
    priority: oneOf('VirtualMachinePriorityTypes', 'Regular', 'Low', 'Spot'),
    evictionPolicy: oneOf('VirtualMachineEvictionPolicyTypes', 'Deallocate', 'Delete'),
    billingProfile: opaque,
    host: subResource,
    hostGroup: subResource,
    provisioningState: string,
    instanceView: opaque,
    licenseType: string,
    vmId: string,
    extensionsTimeBudget: string,
    platformFaultDomain: integer,
    scheduledEventsProfile: opaque,
    userData: string,
    capacityReservation: opaque,
    applicationProfile: opaque,
    timeCreated: string,
  });
}

function virtualMachine(version: ComputeVersion): Shape {
  return object(
    'VirtualMachine',
    {
      ...trackedResource,
      plan: opaque,
      properties: machineProperties(version),
      resources: arrayOf(opaque),
      identity: opaque,
      zones: arrayOf(string),
      extendedLocation: opaque,
      managedBy: string,
      etag: string,
      ...(version.placement ? { placement: opaque } : {}),
    },
    ['location'],
  );
}

// Compute names a VM body 'vm' in `target` (jclouds-labs#394); the disk bodies' names are the spec's body parameters.
export const virtualMachine20250401: RequestBody = { parameter: 'vm', shape: virtualMachine({ inlineNetworkTags: true, placement: true }) };
/** Kept so the template the bot used to write (2024-07-01 with tags inline) can be shown to fail. */
export const virtualMachine20240701: RequestBody = { parameter: 'vm', shape: virtualMachine({ inlineNetworkTags: false, placement: false }) };

// ---- DiskRP 2024-03-02 (disk.json, diskRPCommon.json) --------------------------------------

const creationData = object(
  'CreationData',
  {
    createOption: oneOf(
      'DiskCreateOption',
      'Empty',
      'Attach',
      'FromImage',
      'Import',
      'Copy',
      'Restore',
      'Upload',
      'CopyStart',
      'ImportSecure',
      'UploadPreparedSecure',
      'CopyFromSanSnapshot',
    ),
    storageAccountId: string,
    imageReference: opaque,
    galleryImageReference: opaque,
    sourceUri: string,
    sourceResourceId: string,
    sourceUniqueId: string,
    uploadSizeBytes: integer,
    logicalSectorSize: integer,
    securityDataUri: string,
    performancePlus: boolean,
    elasticSanResourceId: string,
    provisionedBandwidthCopySpeed: oneOf('ProvisionedBandwidthCopyOption', 'None', 'Enhanced'),
  },
  ['createOption'],
);

const disk = object(
  'Disk',
  {
    ...trackedResource,
    managedBy: string,
    managedByExtended: arrayOf(string),
    sku: object('DiskSku', {
      name: oneOf('DiskStorageAccountTypes', 'Standard_LRS', 'Premium_LRS', 'StandardSSD_LRS', 'UltraSSD_LRS', 'Premium_ZRS', 'StandardSSD_ZRS', 'PremiumV2_LRS'),
      tier: string,
    }),
    zones: arrayOf(string),
    extendedLocation: opaque,
    properties: object(
      'DiskProperties',
      {
        timeCreated: string,
        osType,
        hyperVGeneration: oneOf('HyperVGeneration', 'V1', 'V2'),
        purchasePlan: opaque,
        supportedCapabilities: opaque,
        creationData,
        diskSizeGB: integer,
        diskSizeBytes: integer,
        uniqueId: string,
        encryptionSettingsCollection: opaque,
        provisioningState: string,
        diskIOPSReadWrite: integer,
        diskMBpsReadWrite: integer,
        diskIOPSReadOnly: integer,
        diskMBpsReadOnly: integer,
        diskState: string,
        encryption: opaque,
        maxShares: integer,
        shareInfo: arrayOf(opaque),
        networkAccessPolicy: oneOf('NetworkAccessPolicy', 'AllowAll', 'AllowPrivate', 'DenyAll'),
        diskAccessId: string,
        burstingEnabledTime: string,
        tier: string,
        burstingEnabled: boolean,
        propertyUpdatesInProgress: opaque,
        supportsHibernation: boolean,
        securityProfile: opaque,
        completionPercent: number,
        publicNetworkAccess: oneOf('PublicNetworkAccess', 'Enabled', 'Disabled'),
        dataAccessAuthMode: oneOf('DataAccessAuthMode', 'AzureActiveDirectory', 'None'),
        optimizedForFrequentAttach: boolean,
        LastOwnershipUpdateTime: string,
      },
      ['creationData'],
    ),
  },
  ['location'],
);
export const disk20240302: RequestBody = { parameter: 'disk', shape: disk };

const grantAccessData = object(
  'GrantAccessData',
  {
    access: oneOf('AccessLevel', 'None', 'Read', 'Write'),
    durationInSeconds: integer,
    getSecureVMGuestStateSAS: boolean,
    fileFormat: oneOf('FileFormat', 'VHD', 'VHDX'),
  },
  ['access', 'durationInSeconds'],
);
export const grantAccessData20240302: RequestBody = { parameter: 'grantAccessData', shape: grantAccessData };

/**
 * The Azure platform connector form (DESIGN §3). Fields that only matter for one choice
 * (custom endpoints, the client secret pair) are checked after the choice is known, and
 * every problem is reported in one pass so the admin fixes the form once.
 */
import { z } from 'zod';
import { PORTAL_TEMPLATE_SCOPES, type CloudName, type ConnectorConfig, type GallerySettings, type MachineAccess } from './model.js';
import { parseGalleryId, parseTargetRegions, targetRegionsText } from './gallery.js';
import { fieldErrors, type FieldErrors, type FormResult, singleLine } from './form.js';
import { parseAllowedRanges, PRIVATE_ACCESS } from './machine-access.js';

export const CLOUDS: readonly CloudName[] = ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud', 'Custom'];
export const DEFAULT_VM_SIZE = 'Standard_A2_v2';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

function guid(what: string, example: string) {
  const message = `${what} must be a GUID like ${example}.`;
  return z.string({ error: message }).trim().regex(GUID, message).transform((v) => v.toLowerCase());
}

const EXAMPLE_GUID = '00000000-0000-0000-0000-000000000000';
const RESOURCE_GROUP = /^[\p{L}\p{N}_.()-]{1,90}$/u;

export const resourceGroupSchema = z
  .string({ error: 'Enter the resource group for packaging machines.' })
  .trim()
  .regex(RESOURCE_GROUP, 'A resource group name has 1–90 letters, digits, underscores, hyphens, periods or parentheses.')
  .refine((v) => !v.endsWith('.'), 'A resource group name cannot end with a period.');

export const storageAccountSchema = z
  .string({ error: 'Enter the storage account that holds the layer disks.' })
  .trim()
  .regex(/^[a-z0-9]{3,24}$/, 'A storage account name has 3–24 lowercase letters and digits, nothing else.');

export const containerSchema = z
  .string({ error: 'Enter the blob container for layer disks.' })
  .trim()
  .regex(/^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$/, 'A container name has 3–63 lowercase letters, digits and hyphens, and starts and ends with a letter or digit.')
  .refine((v) => !v.includes('--'), 'A container name cannot have two hyphens in a row.');

const locationSchema = z
  .string({ error: 'Enter the Azure region, such as eastus.' })
  .trim()
  .regex(/^[a-z0-9]{1,64}$/, 'Use the region’s short name in lowercase, such as eastus or westeurope (not "East US").');

const SUBNET_ID =
  /^\/subscriptions\/([0-9a-f-]{36})\/resourceGroups\/[\p{L}\p{N}_.()-]{1,90}\/providers\/Microsoft\.Network\/virtualNetworks\/[\w.-]{2,64}\/subnets\/[\w.-]{1,80}$/iu;

const subnetIdSchema = z
  .string({ error: 'Enter the subnet ID for packaging machines.' })
  .trim()
  .regex(
    SUBNET_ID,
    'Paste the subnet’s full resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<network>/subnets/<subnet> (the subnet’s Properties page in the portal shows it).',
  );

const vmSizeSchema = z
  .string()
  .trim()
  .regex(/^Standard_[A-Za-z0-9_]+$/, 'Use an Azure VM size name such as Standard_A2_v2 or Standard_D2s_v5.')
  .nullish()
  .transform((v) => v || DEFAULT_VM_SIZE);

const httpsUrl = (what: string) =>
  z
    .string({ error: `Enter the ${what} for the custom cloud.` })
    .trim()
    .refine(isHttpsUrl, `The ${what} must be a full https:// URL.`);

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

const hostname = (what: string, example: string) =>
  z
    .string({ error: `Enter the ${what} for the custom cloud, such as ${example}.` })
    .trim()
    .regex(HOSTNAME, `The ${what} is a host name only (no https:// or path), such as ${example}.`);

const customEndpointsSchema = z.object({
  armEndpoint: httpsUrl('Resource Manager endpoint'),
  portalHost: hostname('portal host', 'portal.azure.com'),
  storageSuffix: hostname('storage suffix', 'core.windows.net'),
  authorityHost: httpsUrl('authority host'),
  caBundle: z
    .string()
    .trim()
    .refine((v) => v === '' || PEM_CERT.test(v), 'Paste the CA certificates in PEM form, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----.')
    .nullish()
    .transform((v) => v || undefined),
});

const commonSchema = z.object({
  connectorName: singleLine('The connector name', 64, 'Give the connector a name, such as "Production – East US".'),
  cloud: z.enum(CLOUDS as [CloudName, ...CloudName[]], { error: 'Choose the Azure cloud this connector uses.' }),
  tenantId: guid('The tenant ID', EXAMPLE_GUID),
  subscriptionId: guid('The subscription ID', EXAMPLE_GUID),
  authKind: z.enum(['client-secret', 'default-credential'], { error: 'Choose how the bot signs in to Azure.' }),
  resourceGroup: resourceGroupSchema,
  storageAccount: storageAccountSchema,
  container: containerSchema,
  location: locationSchema,
  subnetId: subnetIdSchema,
  vmSize: vmSizeSchema,
  machineAccess: z
    .enum(['private', 'public'], { error: 'Choose how admins reach the packaging machine.' })
    .nullish()
    .transform((v) => v ?? 'private'),
  portalTemplateScope: z
    .enum(PORTAL_TEMPLATE_SCOPES, { error: 'Choose where the portal link deploys the packaging machine.' })
    .nullish()
    .transform((v) => v ?? 'resource-group'),
});

function clientSecretSchema(hasStoredSecret: boolean) {
  const secretMessage = 'Enter the client secret (its value, not its ID).';
  return z.object({
    clientId: guid('The client (application) ID', EXAMPLE_GUID),
    clientSecret: hasStoredSecret
      ? z.string().nullish().transform((v) => v || undefined) // blank keeps the stored secret
      : z.string({ error: secretMessage }).min(1, secretMessage),
  });
}

export type ConnectorInput = Omit<z.output<typeof commonSchema>, 'connectorName' | 'authKind' | 'machineAccess'> & {
  name: string;
  machineAccess: MachineAccess;
  gallery?: GallerySettings;
  customEndpoints?: z.output<typeof customEndpointsSchema>;
  /** clientSecret undefined: keep the secret already stored (edit only). */
  auth: { kind: 'client-secret'; clientId: string; clientSecret?: string } | { kind: 'default-credential' };
};

/**
 * Parses the connector modal. `hasStoredSecret` is true when editing a connector that already
 * has a client secret: the secret input is never prefilled, and blank means "keep it".
 */
/**
 * A real CA chain is longer than one Slack text input holds (3000 characters), so the form has
 * several CA inputs: `caBundle`, `caBundle2`, … Their certificates are joined into one bundle.
 */
/** Slack's plain_text_input maximum. */
const CA_INPUT_MAX = 3000;

export const CA_BUNDLE_FIELDS = ['caBundle', 'caBundle2', 'caBundle3', 'caBundle4'] as const;

function joinCaBundle(raw: Record<string, unknown>): string | null {
  const parts = CA_BUNDLE_FIELDS.map((f) => raw[f]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  return parts.length > 0 ? parts.map((p) => p.trim()).join('\n') : null;
}

/** A stored bundle spread over the CA inputs: whole certificates, each input at most `max` characters. */
export function splitCaBundle(bundle: string, max: number): string[] {
  const certificates = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [bundle];
  const parts: string[] = [];
  for (const cert of certificates) {
    const last = parts.at(-1);
    if (last !== undefined && last.length + 1 + cert.length <= max) parts[parts.length - 1] = `${last}\n${cert}`;
    else parts.push(cert);
  }
  return parts;
}

export function parseConnectorForm(form: Record<string, unknown>, opts: { hasStoredSecret: boolean }): FormResult<ConnectorInput> {
  const raw: Record<string, unknown> = { ...form, caBundle: joinCaBundle(form) };
  const common = commonSchema.safeParse(raw);
  const cloud = raw['cloud'] === 'Custom' ? customEndpointsSchema.safeParse(raw) : undefined;
  const secret = (raw['authKind'] ?? 'client-secret') === 'client-secret' ? clientSecretSchema(opts.hasStoredSecret).safeParse(raw) : undefined;

  const errors: FieldErrors = {
    ...(cloud?.success === false ? fieldErrors(cloud.error) : {}),
    ...(secret?.success === false ? fieldErrors(secret.error) : {}),
    ...(common.success ? {} : fieldErrors(common.error)),
  };
  if (common.success && !errors['subnetId']) {
    const subnetSubscription = SUBNET_ID.exec(common.data.subnetId)?.[1]?.toLowerCase();
    if (subnetSubscription !== common.data.subscriptionId) {
      errors['subnetId'] = 'The subnet must be in the connector’s subscription: Azure attaches a machine only to a network in its own subscription.';
    }
  }
  let machineAccess: MachineAccess = PRIVATE_ACCESS;
  if (common.success && common.data.machineAccess === 'public') {
    const ranges = parseAllowedRanges(typeof raw['allowedCidrs'] === 'string' ? raw['allowedCidrs'] : '');
    if (ranges.ok) machineAccess = { mode: 'public', allowedCidrs: ranges.ranges };
    else errors['allowedCidrs'] = ranges.error;
  }
  const gallery = common.success ? parseGallerySetting(raw, common.data) : { ok: true as const, value: undefined };
  if (!gallery.ok) Object.assign(errors, gallery.errors);
  if (!common.success || !gallery.ok || Object.keys(errors).length > 0) return { ok: false, errors };

  const { connectorName, authKind, machineAccess: _mode, ...rest } = common.data;
  const auth: ConnectorInput['auth'] =
    authKind === 'client-secret' && secret?.success ? { kind: 'client-secret', ...secret.data } : { kind: 'default-credential' };
  return {
    ok: true,
    value: { ...rest, name: connectorName, auth, machineAccess, ...(gallery.value ? { gallery: gallery.value } : {}), ...(cloud?.success ? { customEndpoints: cloud.data } : {}) },
  };
}

/** The optional Compute Gallery: blank means none; regions default to the connector's own. */
function parseGallerySetting(
  raw: Record<string, unknown>,
  common: { subscriptionId: string; location: string },
): { ok: true; value: GallerySettings | undefined } | { ok: false; errors: FieldErrors } {
  const id = typeof raw['galleryId'] === 'string' ? raw['galleryId'].trim() : '';
  const regionsText = typeof raw['galleryRegions'] === 'string' ? raw['galleryRegions'] : '';
  if (!id) {
    return regionsText.trim() ? { ok: false, errors: { galleryRegions: 'Target regions need a Compute Gallery above.' } } : { ok: true, value: undefined };
  }
  const ref = parseGalleryId(id);
  if (!ref) {
    return { ok: false, errors: { galleryId: 'Paste the gallery’s resource ID: /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Compute/galleries/<name> (its Properties page shows it).' } };
  }
  if (ref.subscriptionId !== common.subscriptionId) {
    return { ok: false, errors: { galleryId: 'The gallery must be in the connector’s subscription: the image version is made from a disk there, with the connector’s identity.' } };
  }
  const regions = parseTargetRegions(regionsText, common.location);
  if (!regions.ok) return { ok: false, errors: { galleryRegions: regions.error } };
  return { ok: true, value: { galleryId: id, targetRegions: regions.value } };
}

/** The reverse of parseConnectorForm, to prefill the Edit modal; the secret is never included. */
export function connectorFormValues(
  c: Pick<
    ConnectorConfig,
    'name' | 'cloud' | 'customEndpoints' | 'tenantId' | 'subscriptionId' | 'auth' | 'resourceGroup' | 'storageAccount' | 'container' | 'location' | 'subnetId' | 'vmSize' | 'machineAccess' | 'portalTemplateScope' | 'gallery'
  >,
): Record<string, string | undefined> {
  const { customEndpoints, auth, name, machineAccess, portalTemplateScope, gallery, ...rest } = c;
  const { caBundle, ...endpoints } = customEndpoints ?? {};
  const caParts = caBundle ? splitCaBundle(caBundle, CA_INPUT_MAX) : [];
  return {
    ...rest,
    machineAccess: machineAccess?.mode ?? 'private',
    portalTemplateScope: portalTemplateScope ?? 'resource-group',
    ...(machineAccess?.mode === 'public' ? { allowedCidrs: machineAccess.allowedCidrs.join(', ') } : {}),
    ...endpoints,
    ...Object.fromEntries(caParts.map((part, i) => [CA_BUNDLE_FIELDS[i] ?? CA_BUNDLE_FIELDS[0], part])),
    ...(gallery ? { galleryId: gallery.galleryId, galleryRegions: targetRegionsText(gallery) } : {}),
    connectorName: name,
    authKind: auth.kind,
    ...(auth.kind === 'client-secret' ? { clientId: auth.clientId } : {}),
  };
}

/**
 * What the Azure portal's Custom deployment does with a template link, against the simulator:
 * download the template from the browser (so with the portal's Origin, and only if the answer's
 * Access-Control-Allow-Origin lets the portal read it), show its parameters (their defaults unless
 * the person types others), then PUT a Microsoft.Resources/deployments at the scope its `$schema`
 * names (subscription scope: the person picks a subscription and a Region; resource-group scope:
 * a subscription and a resource group), and wait for it to finish. Tests and the sandbox use it
 * to take the portal path end to end, signed in as the simulator's `portal-user`, so the
 * deployment is authorized against that person's role assignments, not the app's. Reference: "Deploy to Azure button" in the ARM docs
 * (the deployment scope is determined by the template schema).
 */
import { API_VERSIONS } from '../../azure/api-versions.js';
import type { SimulatorAddress } from './client-options.js';
import { PORTAL_USER } from './authorization/principals.js';
import { SimulatorControl, type RawAnswer } from './control-client.js';

/** Where the portal's page runs: the Origin its browser sends when it fetches a template link. */
export const PORTAL_ORIGIN = 'https://portal.azure.com';

/** The portal stopped before any deployment, with the message it shows (`message`). */
export class PortalRefused extends Error {}

/** Where the portal deploys: the simulator and the subscription the person picks. */
export interface PortalTarget extends SimulatorAddress {
  subscriptionId: string;
}

export interface PortalChoices {
  /** The resource group picked in the portal (asked only for resource-group-scope templates). */
  resourceGroup?: string;
  /** The Region picked for a subscription-scope deployment (default: the template's location parameter default). */
  location?: string;
  /** Parameter values typed into the form; the others keep their defaults. */
  parameters?: Record<string, unknown>;
  deploymentName?: string;
}

export interface PortalOutcome {
  /** The deployment PUT's answer (400 when validation refused the template). */
  submitted: RawAnswer;
  /** The deployment's provisioningState once it ended, when it was accepted. */
  provisioningState?: string;
  /** The deployment's error when it failed, or the PUT's when it was refused. */
  error?: { code: string; message: string; details?: unknown[] };
}

interface PortalTemplate {
  $schema?: string;
  parameters?: Record<string, { defaultValue?: unknown }>;
}

/** Deploys `template` (or the template at `templateUrl`) the way the portal's Custom deployment would. */
export async function deployTemplateLikePortal(user: PortalTarget, template: PortalTemplate | string, choices: PortalChoices = {}): Promise<PortalOutcome> {
  const control = new SimulatorControl(user);
  const body = typeof template === 'string' ? await downloadTemplate(control, template) : template;
  const bearer = await signIn(control);
  const subscriptionScope = /subscriptionDeploymentTemplate\.json/i.test(body.$schema ?? '');
  if (!subscriptionScope && !choices.resourceGroup) throw new Error('the portal asks for a resource group for this template');
  const name = choices.deploymentName ?? `Microsoft.Template-${Date.now()}`;
  const scope = subscriptionScope ? `/subscriptions/${user.subscriptionId}` : `/subscriptions/${user.subscriptionId}/resourcegroups/${choices.resourceGroup}`;
  const path = `${scope}/providers/Microsoft.Resources/deployments/${encodeURIComponent(name)}?api-version=${API_VERSIONS.deployments}`;
  const location = choices.location ?? String(body.parameters?.location?.defaultValue ?? '');
  const submitted = await control.request('PUT', path, {
    bearer,
    body: {
      ...(subscriptionScope ? { location } : {}),
      properties: {
        mode: 'Incremental',
        template: body,
        parameters: Object.fromEntries(Object.entries(choices.parameters ?? {}).map(([key, value]) => [key, { value }])),
      },
    },
  });
  if (submitted.status >= 400) return { submitted, error: (submitted.body as { error: PortalOutcome['error'] }).error };
  for (;;) {
    const got = await control.request('GET', path, { bearer });
    const properties = (got.body as { properties: { provisioningState: string; error?: PortalOutcome['error'] } }).properties;
    if (!['Accepted', 'Running'].includes(properties.provisioningState)) {
      return { submitted, provisioningState: properties.provisioningState, ...(properties.error ? { error: properties.error } : {}) };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The template behind the link, as the portal's browser fetches it: a cross-origin GET (a simple
 * request, no preflight) whose answer the browser hands to the page only when
 * Access-Control-Allow-Origin names the portal or `*`. Anything else ends in the portal's message,
 * as quoted in Azure-Samples/communication-services-web-calling-hero#212 and
 * Azure/Azure-Landing-Zones#2108.
 */
async function downloadTemplate(control: SimulatorControl, templateUrl: string): Promise<PortalTemplate> {
  const answer = await control.request('GET', templateUrl, { headers: { Origin: PORTAL_ORIGIN } });
  const allowed = answer.headers['access-control-allow-origin'];
  if (answer.status !== 200 || (allowed !== '*' && allowed !== PORTAL_ORIGIN)) {
    throw new PortalRefused(
      `There was an error downloading the template from URI '${templateUrl}'. Ensure that the template is publicly accessible and that the publisher has enabled CORS policy on the endpoint. To deploy this template, download the template manually and paste the contents in the 'Build your own template in the editor' option below.`,
    );
  }
  return answer.body as PortalTemplate;
}

/** The person's portal session: an ARM token for the `portal-user` principal, whose role assignments decide what they may deploy. */
async function signIn(control: SimulatorControl): Promise<string> {
  const answer = await control.request('POST', `/_simulator/principals/${PORTAL_USER}/token`);
  if (answer.status !== 200) throw new Error(`signing in to the simulator failed: ${JSON.stringify(answer.body)}`);
  return (answer.body as { access_token: string }).access_token;
}

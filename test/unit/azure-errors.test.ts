import { RestError, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { AuthenticationError, AuthenticationRequiredError, CredentialUnavailableError } from '@azure/identity';
import { AzureAuthError, AzureError, NotFoundError, PermissionError, QuotaError, ThrottledError, redactSas, toAzureError } from '../../src/azure/errors.js';

function armError(status: number, code: string, message: string, headers: Record<string, string> = {}): RestError {
  const request = createPipelineRequest({ url: 'https://management.azure.com/subscriptions/s' });
  return new RestError(message, { statusCode: status, code, request, response: { status, request, headers: createHttpHeaders(headers) } });
}

describe('toAzureError', () => {
  it('keeps the service code and status and says what the bot was doing', () => {
    const error = toAzureError(
      armError(404, 'ResourceNotFound', "The Resource 'Microsoft.Compute/virtualMachines/pkg' was not found."),
      'reading machine pkg',
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ code: 'ResourceNotFound', status: 404, transient: false });
    expect(error.message).toBe("reading machine pkg: The Resource 'Microsoft.Compute/virtualMachines/pkg' was not found. (ResourceNotFound)");
  });

  it('names the permission ARM refused and the role that grants it, for a request and for a linked resource', () => {
    const disk = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d';
    const refused = toAzureError(
      armError(403, 'AuthorizationFailed', `The client 'c' with object id 'o' does not have authorization to perform action 'Microsoft.Compute/disks/endGetAccess/action' over scope '${disk}' or the scope is invalid. If access was recently granted, please refresh your credentials.`),
      'revoking access to disk d',
    );
    expect(refused).toBeInstanceOf(PermissionError);
    expect(refused.message).toBe(
      `revoking access to disk d: Azure refused the connector's identity the permission Microsoft.Compute/disks/endGetAccess/action on ${disk}: assign oslayer Disk Export (custom role: src/azure/roles/oslayer-disk-export.json) on the connector's resource group (Create Version and Finalize: Revoke Access), then Retry (AuthorizationFailed)`,
    );
    const subnet = '/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/v/subnets/packaging';
    const linked = toAzureError(
      armError(403, 'LinkedAuthorizationFailed', `The client 'c' with object id 'o' has permission to perform action 'Microsoft.Compute/virtualMachines/write' on scope '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm'; however, it does not have permission to perform action 'Microsoft.Network/virtualNetworks/subnets/join/action' on the linked scope(s) '${subnet}' or the linked scope(s) are invalid.`),
      'creating machine vm',
    );
    expect(linked).toMatchObject({ operation: 'Microsoft.Network/virtualNetworks/subnets/join/action', code: 'LinkedAuthorizationFailed', status: 403 });
    expect(linked.message).toContain(`the permission Microsoft.Network/virtualNetworks/subnets/join/action on ${subnet}: assign Virtual Machine Contributor on the subnet's virtual network`);
    // A 403 that names no operation stays a plain error.
    expect(toAzureError(armError(403, 'AuthorizationFailed', 'Forbidden'))).not.toBeInstanceOf(PermissionError);
  });

  it('reads Retry-After from a throttled response', () => {
    const error = toAzureError(armError(429, 'TooManyRequests', 'Too many requests', { 'retry-after': '17' }));
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterSeconds).toBe(17);
    expect(error.transient).toBe(true);
  });

  it('recognises exhausted core quota', () => {
    const error = toAzureError(
      armError(409, 'OperationNotAllowed', 'Operation could not be completed as it results in exceeding approved Total Regional Cores quota.'),
    );
    expect(error).toBeInstanceOf(QuotaError);
    expect(error.code).toBe('OperationNotAllowed');
  });

  it('treats server errors and unreachable endpoints as worth retrying, bad requests as not', () => {
    expect(toAzureError(armError(503, 'ServiceUnavailable', 'busy')).transient).toBe(true);
    expect(toAzureError(armError(400, 'InvalidParameter', 'bad size')).transient).toBe(false);
    expect(toAzureError(new TypeError("Cannot read properties of undefined (reading 'id')")).transient).toBe(false);
    const refused = toAzureError(new RestError('connect ECONNREFUSED 127.0.0.1:443', { code: 'ECONNREFUSED' }));
    expect(refused).toMatchObject({ code: 'ECONNREFUSED', transient: true, message: 'could not reach Azure (ECONNREFUSED)' });
  });

  it('explains an untrusted certificate in terms of the custom cloud CA bundle', () => {
    const error = toAzureError(new RestError('self-signed certificate', { code: 'SELF_SIGNED_CERT_IN_CHAIN' }));
    expect(error.message).toMatch(/certificate is not trusted .*CA bundle/);
  });

  it('turns a refused client secret into a readable auth error with Entra ID’s code', () => {
    const refused = new AuthenticationError(401, {
      error: 'invalid_client',
      error_description: 'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.',
    });
    const error = toAzureError(refused);
    expect(error).toBeInstanceOf(AzureAuthError);
    expect(error.message).toBe("the connector's credentials were refused: AADSTS7000215; check tenant ID, client ID and secret");
  });

  it('finds the Entra ID code in MSAL errors the identity library re-wraps', () => {
    const wrapped = new AuthenticationRequiredError({
      scopes: ['https://management.azure.com/.default'],
      message: 'invalid_client: Error(s): 7000215 - Description: AADSTS7000215: Invalid client secret provided.',
    });
    expect(toAzureError(wrapped)).toMatchObject({ name: 'AzureAuthError', code: 'AADSTS7000215' });
  });

  it('says when no managed identity is available', () => {
    const error = toAzureError(new CredentialUnavailableError('ManagedIdentityCredential: no endpoint'));
    expect(error).toBeInstanceOf(AzureAuthError);
    expect(error.message).toMatch(/no managed identity/);
  });

  it('maps an ARM 401 to an auth error', () => {
    expect(toAzureError(armError(401, 'InvalidAuthenticationToken', 'The access token is invalid.'))).toBeInstanceOf(AzureAuthError);
  });

  it('never repeats a SAS signature from a service message', () => {
    const error = toAzureError(
      armError(400, 'InvalidParameter', "Blob 'https://a.blob.core.windows.net/c/d.vhd?sv=2024&sig=SECRETSIG%3D&se=x' is not a VHD"),
    );
    expect(error.message).not.toContain('SECRETSIG');
    expect(redactSas('x?sig=abc&sp=r')).toBe('x?sig=REDACTED&sp=r');
  });

  it('passes AzureErrors through untouched', () => {
    const original = new AzureError('already mapped', { code: 'X' });
    expect(toAzureError(original, 'again')).toBe(original);
  });
});

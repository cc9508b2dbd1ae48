// Loaded into the Azurite process (node --require). In the sandbox, Azurite sits behind the
// simulator's storage gateway (src/sandbox/azure/storage-gateway.ts), which speaks HTTPS to
// clients and plain HTTP to Azurite on loopback, as a TLS-terminating front end does.
const https = require('node:https');
const { createRequire } = require('node:module');

// Azurite refuses bearer tokens and `spr=https` SAS over HTTP; it reads the protocol from
// Express's req.protocol, which ignores X-Forwarded-Proto. Believe the header only from loopback,
// where the gateway is the only client that sets it.
const Adapter = require('azurite/dist/src/blob/generated/ExpressRequestAdapter.js').default;
const protocolOf = Adapter.prototype.getProtocol;
Adapter.prototype.getProtocol = function () {
  const forwarded = this.req.headers['x-forwarded-proto'];
  const remote = this.req.socket?.remoteAddress ?? '';
  if (typeof forwarded === 'string' && /^(::ffff:)?127\.0\.0\.1$|^::1$/.test(remote)) return forwarded;
  return protocolOf.call(this);
};

// Azurite checks a copy source given with a SAS by requesting it (axios). The source URL is the
// gateway's, whose certificate is made after Azurite starts: that one loopback hop, inside the
// stand-in, skips certificate checks. Clients of the gateway still verify it.
const axios = createRequire(require.resolve('azurite/dist/src/blob/handlers/BlobHandler.js'))('axios');
const loopbackAgent = new https.Agent({ rejectUnauthorized: false });
for (const method of ['get', 'head']) {
  const original = axios[method];
  axios[method] = function (url, config = {}) {
    const target = new URL(String(url));
    const loopback = target.protocol === 'https:' && (target.hostname === '127.0.0.1' || target.hostname === 'localhost');
    return original.call(this, url, loopback ? { ...config, httpsAgent: loopbackAgent } : config);
  };
}

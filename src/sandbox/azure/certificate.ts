import { generate } from 'selfsigned';

export interface LoopbackCertificate {
  certPem: string;
  keyPem: string;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made fresh at every start. Clients
 * trust it as their only CA, so it is both the anchor and the server's certificate. The
 * SDKs refuse to send bearer tokens over plain HTTP, hence HTTPS even on loopback.
 */
export async function generateLoopbackCertificate(): Promise<LoopbackCertificate> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + 30 * 24 * 3600_000);
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}

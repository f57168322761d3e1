import { exploreCertificate, makeSHA1Thumbprint } from 'node-opcua-crypto';

/** What an operator needs to recognise a certificate: the fields OPC UA tools show too. */
export interface CertificateSummary {
  /** SHA-1 of the DER, 40 hex digits: what PLC trust lists show to tell certificates apart. */
  thumbprint: string;
  subject: string;
  applicationUri?: string;
  notBefore: string;
  notAfter: string;
}

export function summarizeCertificate(der: Buffer): CertificateSummary {
  const info = exploreCertificate(der).tbsCertificate;
  return {
    thumbprint: makeSHA1Thumbprint(der).toString('hex'),
    subject: Object.entries(info.subject)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', '),
    applicationUri: info.extensions?.subjectAltName?.uniformResourceIdentifier?.[0],
    notBefore: info.validity.notBefore.toISOString(),
    notAfter: info.validity.notAfter.toISOString(),
  };
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeCertificateRefusal } from './certificate-refusal';

describe("When the PLC refuses the gateway's certificate (issue 17, defect 5): recognising it", () => {
  const pkiDir = mkdtempSync(join(tmpdir(), 'edge-refusal-'));
  afterAll(() => rmSync(pkiDir, { recursive: true, force: true }));
  const secured = { url: 'opc.tcp://plc-1:4840', secured: true };
  const ownFile = join(pkiDir, 'own', 'certs', 'client_certificate.pem');

  it('names the status, the own certificate file and where to download it when the server says so', () => {
    const error = new Error(
      'The connection has been rejected by server: BadSecurityChecksFailed (0x80130000)',
    );
    const text = describeCertificateRefusal(error, secured, pkiDir);
    expect(text).toContain(
      "opc.tcp://plc-1:4840 refused the gateway's certificate (BadSecurityChecksFailed)",
    );
    expect(text).toContain(ownFile);
    expect(text).toContain('GET /v1/opcua/certificates/own.der');
  });

  it('reads a secured endpoint that closes the connection while it is opened as the same refusal', () => {
    const error = new Error(
      'The connection may have been rejected by server,\n Err = (socket has been disconnected by third party)',
    );
    expect(describeCertificateRefusal(error, secured, pkiDir)).toMatch(
      /closed the connection while it was being secured \(Err = \(socket has been disconnected by third party\)\), most likely because it does not trust the gateway's certificate: .*client_certificate\.pem/,
    );
    // Without security there is no certificate to refuse.
    expect(describeCertificateRefusal(error, { ...secured, secured: false }, pkiDir)).toBeUndefined();
  });

  it("leaves the gateway's refusal of the server's certificate, and other errors, to the caller", () => {
    for (const message of [
      'server Certificate verification failed with err BadCertificateUntrusted (0x801a0000)',
      'The connection cannot be established with server opc.tcp://plc-1:4840 .',
      'BadUserAccessDenied (0x801f0000)',
    ]) {
      expect(describeCertificateRefusal(new Error(message), secured, pkiDir)).toBeUndefined();
    }
  });
});

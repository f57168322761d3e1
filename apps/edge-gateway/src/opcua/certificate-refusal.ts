import { OWN_CERTIFICATE_DOWNLOAD, readOwnCertificate } from '../certificates/own-certificate-reader';
import { ownCertificateFile } from '../certificates/own-certificate';

/** What a server answers the OpenSecureChannel of a client whose certificate it does not accept. */
const REFUSAL_STATUS = /\b(BadSecurityChecksFailed|BadCertificate[A-Za-z]*)\b/;

/**
 * When the error says the server refused the gateway's own certificate: what its administrator
 * must do, naming the certificate file, its thumbprint and where to download it. Otherwise undefined.
 *
 * node-opcua reports a server's refusal as "rejected by server: <status>" (most servers answer
 * BadSecurityChecksFailed, so as not to say more); a server that just closes the socket instead
 * gives "may have been rejected by server," and the socket error on the next line, which on a
 * secured endpoint almost always means the same. The gateway's refusal of the *server's*
 * certificate is a different message ("server Certificate verification failed").
 */
export function describeCertificateRefusal(
  error: unknown,
  endpoint: { url: string; secured: boolean },
  pkiDir: string,
): string | undefined {
  const message = (error as Error | undefined)?.message ?? String(error);
  const status = /has been rejected by server/i.test(message) ? REFUSAL_STATUS.exec(message)?.[1] : undefined;
  const closed = endpoint.secured && /may have been rejected by server/i.test(message);
  if (!status && !closed) return undefined;
  const todo =
    `its administrator must trust the gateway's certificate ${ownCertificate(pkiDir)}, ` +
    `downloadable from GET ${OWN_CERTIFICATE_DOWNLOAD}`;
  if (status) return `${endpoint.url} refused the gateway's certificate (${status}): ${todo}`;
  const detail = message.split('\n').slice(1).join(' ').trim();
  return (
    `${endpoint.url} closed the connection while it was being secured` +
    `${detail ? ` (${detail})` : ''}, most likely because it does not trust the gateway's certificate: ${todo}`
  );
}

function ownCertificate(pkiDir: string): string {
  try {
    const own = readOwnCertificate(pkiDir);
    if (own) return `${own.file} (SHA-1 thumbprint ${own.summary.thumbprint})`;
  } catch (error) {
    return `${ownCertificateFile(pkiDir)} (unreadable: ${(error as Error).message})`;
  }
  return `${ownCertificateFile(pkiDir)} (not there yet)`;
}

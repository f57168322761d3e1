/** The error body of a SAP Gateway OData V2 service. */
export interface SapErrorBody {
  error: {
    code: string;
    message: { lang: string; value: string };
    innererror?: {
      transactionid?: string;
      errordetails?: SapErrorDetail[];
    };
  };
}

export interface SapErrorDetail {
  code: string;
  message: string;
  severity: string;
  target?: string;
}

/**
 * Message classes of SAP Gateway itself (`/IWBEP/`, `/IWFND/`). An application's refusal raised
 * through the gateway (`/IWBEP/CX_MGW_BUSI_EXCEPTION`) names the gateway's exception at the top and
 * the application's message, the cause, among the error details.
 */
const GATEWAY_CODE = /^\/(IWBEP|IWFND)\//i;

const isGatewayCode = (code: string | undefined) => !code || GATEWAY_CODE.test(code);

/**
 * A SAP message id as `class/number` (`M7/021`), as SAP Gateway writes it: SAP messages are a class
 * and a three-digit number, which logs and people also write `M7 021` or `M7021`. Other codes
 * (`/IWBEP/CX_MGW_BUSI_EXCEPTION`, `UNKNOWN`) are left as they are.
 */
export function normaliseSapCode(code: string): string {
  const trimmed = code.trim();
  if (/^.+\/\d{3}$/.test(trimmed)) return trimmed;
  const message = /^([A-Z][A-Z0-9_]*?) ?(\d{3})$/i.exec(trimmed);
  return message ? `${message[1]}/${message[2]}` : trimmed;
}

/**
 * SAP's messages that say another user or process holds the lock on what a request changes: it was
 * not applied, and is once the lock is released (seconds, usually), so it is transient, not a
 * business refusal. M3 897 is the material block of inventory management ("Plant data of material
 * … is locked by user …"), which a goods movement meets while someone maintains the material or
 * posts another movement of it.
 */
export const SAP_LOCK_MESSAGES: ReadonlySet<string> = new Set(['M3/897']);

export const isSapLockMessage = (code: string): boolean => SAP_LOCK_MESSAGES.has(normaliseSapCode(code));

/**
 * SAP's code and message from an error response, or the raw text when it is not SAP's JSON. When
 * the top of the body is the gateway's wrapper, they are the cause's: the first error detail of
 * severity error that is not the gateway's own, followed by the other application messages.
 */
export function readSapError(text: string): { code: string; message: string } {
  let body: Partial<SapErrorBody>;
  try {
    body = JSON.parse(text) as Partial<SapErrorBody>;
  } catch {
    // Not JSON: an HTML error page from a proxy or the ICM.
    body = {};
  }
  const top = body.error;
  if (!top?.message?.value)
    return { code: 'UNKNOWN', message: text.slice(0, 300).trim() || 'no response body' };
  const errors = (top.innererror?.errordetails ?? []).filter((d) => d.severity === 'error');
  const cause = isGatewayCode(top.code) ? errors.find((d) => !isGatewayCode(d.code)) : undefined;
  if (cause) {
    const others = errors
      .filter((d) => d !== cause && !isGatewayCode(d.code) && d.message !== cause.message)
      .map((d) => d.message);
    return { code: normaliseSapCode(cause.code), message: [cause.message, ...others].join('; ') };
  }
  const details = errors.filter((d) => d.message !== top.message.value).map((d) => d.message);
  return {
    code: normaliseSapCode(top.code ?? 'UNKNOWN'),
    message: [top.message.value, ...details].join('; '),
  };
}

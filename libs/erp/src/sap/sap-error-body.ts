/** The error body of a SAP Gateway OData V2 service. */
export interface SapErrorBody {
  error: {
    code: string;
    message: { lang: string; value: string };
    innererror?: {
      transactionid?: string;
      errordetails?: Array<{ code: string; message: string; severity: string; target?: string }>;
    };
  };
}

/** SAP's code and message from an error response, or the raw text when it is not SAP's JSON. */
export function readSapError(text: string): { code: string; message: string } {
  try {
    const body = JSON.parse(text) as Partial<SapErrorBody>;
    if (body.error?.message?.value) {
      const details = body.error.innererror?.errordetails
        ?.filter((d) => d.severity === 'error' && d.message !== body.error?.message.value)
        .map((d) => d.message);
      const message = [body.error.message.value, ...(details ?? [])].join('; ');
      return { code: body.error.code ?? 'UNKNOWN', message };
    }
  } catch {
    // Not JSON: an HTML error page from a proxy or the ICM.
  }
  return { code: 'UNKNOWN', message: text.slice(0, 300).trim() || 'no response body' };
}

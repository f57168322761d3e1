import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { SapErrorBody } from '@plantbridge/erp';
import { SapBusinessException, SapRejection } from './sap-rejection';

/** SAP Gateway's exception for an application's refusal, and the text it answers with at the top. */
export const BUSINESS_EXCEPTION = '/IWBEP/CX_MGW_BUSI_EXCEPTION';
const BUSINESS_EXCEPTION_TEXT = 'An exception was raised';

const transactionId = () => randomUUID().replace(/-/g, '').toUpperCase();

/** SAP Gateway's error body: the message at the top, and again among the details. */
export function sapErrorBody(code: string, message: string): SapErrorBody {
  return {
    error: {
      code,
      message: { lang: 'en', value: message },
      innererror: {
        transactionid: transactionId(),
        errordetails: [{ code, message, severity: 'error', target: '' }],
      },
    },
  };
}

/**
 * The body of a refusal: an application's (SapBusinessException) under the gateway's wrapper, the
 * cause second among the details, as SAP answers it; any other as the gateway's own.
 */
export function rejectionBody(rejection: SapRejection): SapErrorBody {
  if (!(rejection instanceof SapBusinessException)) return sapErrorBody(rejection.code, rejection.message);
  return {
    error: {
      code: BUSINESS_EXCEPTION,
      message: { lang: 'en', value: BUSINESS_EXCEPTION_TEXT },
      innererror: {
        transactionid: transactionId(),
        errordetails: [
          { code: BUSINESS_EXCEPTION, message: BUSINESS_EXCEPTION_TEXT, severity: 'error', target: '' },
          { code: rejection.code, message: rejection.message, severity: 'error', target: '' },
        ],
      },
    },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendSapError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, sapErrorBody(code, message));
}

/** SAP Gateway's 404 for a path segment it has no resource for. */
export const notFound = (segment: string): SapRejection =>
  new SapRejection('/IWBEP/CM_MGW_RT/020', `Resource not found for segment '${segment}'`, 404);

/** SAP Gateway's 405 for a method a resource does not take. */
export const methodNotAllowed = (method: string): SapRejection =>
  new SapRejection('/IWBEP/CM_MGW_RT/405', `Method ${method} not allowed`, 405);

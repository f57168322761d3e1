import { HttpException, HttpStatus } from '@nestjs/common';
import { badRequest } from '@plantbridge/service-runtime';
import type { BrowseError } from '../opcua/address-space-browser';

/** A session renewal takes a few seconds (the reconnect backs off from 0.5 s to 10 s). */
export const RECONNECT_RETRY_AFTER_S = 5;
/** Busy with continuation points or operations: the gateway frees the least recently used at once. */
export const BUSY_RETRY_AFTER_S = 2;

export interface BrowseErrorResponse {
  exception: HttpException;
  /** Seconds for a `Retry-After` header, when trying again later is the answer. */
  retryAfterS?: number;
}

/**
 * The HTTP answer to a failed browse. Whatever the OPC UA server says, the caller gets a status that
 * tells whose problem it is: 4xx for its request, 503 with Retry-After for a busy or reconnecting
 * endpoint, 504 for a server that did not answer, 502 naming the OPC UA status for anything else;
 * never a 500, which would say the gateway itself failed.
 */
export function browseErrorResponse(error: BrowseError): BrowseErrorResponse {
  const upstream = (status: HttpStatus, name: string) =>
    new HttpException(
      { statusCode: status, error: name, message: error.message, opcuaStatus: error.opcuaStatus },
      status,
    );
  switch (error.reason) {
    case 'invalid-node-id':
      return { exception: badRequest([{ field: 'nodeId', reason: error.message }]) };
    case 'invalid-continuation-point':
      return { exception: badRequest([{ field: 'continuationPoint', reason: error.message }]) };
    case 'unknown-node':
      return { exception: upstream(HttpStatus.NOT_FOUND, 'Not Found') };
    case 'not-connected':
      return {
        exception: upstream(HttpStatus.SERVICE_UNAVAILABLE, 'Service Unavailable'),
        retryAfterS: RECONNECT_RETRY_AFTER_S,
      };
    case 'server-busy':
      return {
        exception: upstream(HttpStatus.SERVICE_UNAVAILABLE, 'Service Unavailable'),
        retryAfterS: BUSY_RETRY_AFTER_S,
      };
    case 'server-timeout':
      return { exception: upstream(HttpStatus.GATEWAY_TIMEOUT, 'Gateway Timeout') };
    case 'server-error':
      return { exception: upstream(HttpStatus.BAD_GATEWAY, 'Bad Gateway') };
  }
}

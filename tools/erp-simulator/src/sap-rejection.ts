/** A refusal, answered as SAP's error body (status 400 unless said otherwise). */
export class SapRejection extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * A refusal by the application behind SAP Gateway (inventory management refusing a goods movement),
 * which SAP raises as the gateway's `/IWBEP/CX_MGW_BUSI_EXCEPTION`: the top of the error body names
 * that wrapper, the application's message is among the error details.
 */
export class SapBusinessException extends SapRejection {}

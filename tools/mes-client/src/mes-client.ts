import { randomUUID } from 'node:crypto';

/** An order as production-order-sync shows it to MES (the fields a script needs). */
export interface MesOrderView {
  manufacturingOrder: string;
  plant: string;
  status: string;
  totalQuantity: number;
  unit: string;
  operations: Array<{
    operation: string;
    status: 'pending' | 'started' | 'completed';
    /** Yield confirmed so far (accepted confirmations). */
    confirmedYield?: number;
  }>;
}

/** An order's components as inventory-movement shows them (the fields a script needs). */
export interface MesOrderComponents {
  manufacturingOrder: string;
  material: string;
  unit: string;
  /** Where the output is received. */
  storageLocation?: string;
  components: Array<{
    reservation: string;
    reservationItem: string;
    material: string;
    operation?: string;
    storageLocation: string;
    batch?: string;
    openQuantity: number;
    unit: string;
    backflush: boolean;
  }>;
}

/** A refused or failed call, with the service's status and answer. */
export class MesCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 500)}`);
    this.name = 'MesCallError';
  }
}

/**
 * A scripted MES: what a plant's MES does against production-order-sync's REST API, used by the
 * demo (`npm start`) and the end-to-end scenario test. Every state-changing call carries an
 * Idempotency-Key derived from what it does, so a script that repeats a step after a timeout or a
 * restart changes nothing the second time. Every call carries `token` as a bearer token: it needs
 * the scopes orders:read and orders:write (confirmations:write to confirm) for the plant, and
 * inventory:read and movements:write for the material flow against inventory-movement.
 */
export class MesClient {
  constructor(
    readonly baseUrl: string,
    private readonly plant: string,
    private readonly name = 'mes-script',
    private readonly token?: string,
    /** inventory-movement, for the material flow; none: the script moves no material. */
    readonly inventoryUrl?: string,
  ) {}

  orders(status?: string): Promise<MesOrderView[]> {
    const query = status ? `?status=${encodeURIComponent(status)}` : '';
    return this.call<MesOrderView[]>('GET', `${this.ordersPath()}${query}`);
  }

  /** The confirmations of an order with their ERP posting status. */
  confirmations(order: string): Promise<Array<{ confirmationId: string; status: string }>> {
    return this.call('GET', `${this.ordersPath()}/${order}/confirmations`);
  }

  acknowledge(order: string): Promise<MesOrderView> {
    return this.command(`${this.ordersPath()}/${order}/acknowledgement`, `ack:${order}`, {
      accepted: true,
      acknowledgedBy: this.name,
    });
  }

  startOperation(order: string, operation: string, equipmentId: string): Promise<MesOrderView> {
    return this.command(
      `${this.ordersPath()}/${order}/operations/${operation}/start`,
      `start:${order}/${operation}`,
      { equipmentId },
    );
  }

  completeOperation(order: string, operation: string): Promise<MesOrderView> {
    return this.command(
      `${this.ordersPath()}/${order}/operations/${operation}/complete`,
      `complete:${order}/${operation}`,
      {},
    );
  }

  private ordersPath(): string {
    return `/v1/plants/${this.plant}/production-orders`;
  }

  /** The order's components with what is still open (inventory-movement). */
  components(order: string): Promise<MesOrderComponents> {
    return this.call(
      'GET',
      `/v1/plants/${this.plant}/order-components/${order}`,
      undefined,
      {},
      this.inventoryUrl,
    );
  }

  /** A goods movement (inventory-movement); `step` names it, so a repeated step is a replay. */
  move(step: string, body: Record<string, unknown>): Promise<{ movementId: string; status: string }> {
    return this.command(`/v1/plants/${this.plant}/material-movements`, step, body, this.inventoryUrl);
  }

  private command<T>(path: string, step: string, body: unknown, baseUrl = this.baseUrl): Promise<T> {
    // One key per step of this script run's plant and order: a repeated step is a replay.
    return this.call<T>(
      'POST',
      path,
      body,
      { 'idempotency-key': `${this.name}:${this.plant}:${step}` },
      baseUrl,
    );
  }

  private async call<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    baseUrl = this.baseUrl,
  ): Promise<T> {
    if (!baseUrl) throw new Error(`no URL for ${method} ${path}: the MES was not given inventory-movement's`);
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        'x-correlation-id': randomUUID(),
        ...(this.token === undefined ? {} : { authorization: `Bearer ${this.token}` }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new MesCallError(response.status, text, `${method} ${path}`);
    return JSON.parse(text) as T;
  }
}

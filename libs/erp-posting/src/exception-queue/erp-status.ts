import { Injectable } from '@nestjs/common';

/**
 * What a service adds to `GET /v1/plants/{plant}/erp/status` beside the posting pipeline's own
 * figures: production-order-sync its order polling, for example. Register at start-up.
 */
@Injectable()
export class ErpStatusSections {
  private readonly sections = new Map<string, () => unknown>();

  add(name: string, read: () => unknown): void {
    this.sections.set(name, read);
  }

  read(): Record<string, unknown> {
    return Object.fromEntries([...this.sections].map(([name, read]) => [name, read()]));
  }
}

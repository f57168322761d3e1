import { BaseRpcContext } from '@nestjs/microservices';
import type { Delivery } from '../consuming/event-consumer';

/** The second argument of an `@OnEvent` handler: where the message came from, for inboxes and logs. */
export class JetStreamContext extends BaseRpcContext<[Delivery]> {
  get delivery(): Delivery {
    return this.args[0];
  }
}
